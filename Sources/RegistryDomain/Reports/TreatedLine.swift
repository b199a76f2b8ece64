/// One therapy line in a report's population, with the dates and the scored response the report needs.
///
/// The unit of a response report is the therapy line: a patient treated twice with the filtered agent
/// counts twice among the treated lines, and once among the treated patients.
public struct TreatedLine: Sendable {
    public let registryID: String
    public let lineNumber: Int
    public let agents: [String]
    public let trialNCT: String?
    public let startedOn: CalendarDate
    public let stoppedOn: CalendarDate?
    public let deathOn: CalendarDate?
    /// The last date the patient was known alive: last contact, last assessment or the line's own dates.
    public let lastKnownAlive: CalendarDate
    /// The evaluator's scored series on this line; nil when the line is not evaluable (no baseline with a
    /// lesion, no follow-up assessment of this line, or a ``refusal``).
    public let response: ResponseSeries?
    /// Why the RECIST engine refused the stored baseline or assessments of this line: the line was treated
    /// but cannot be evaluated until they are corrected, and a report lists it as excluded.
    public let refusal: RecistInputError?

    public init(
        registryID: String, lineNumber: Int, agents: [String], trialNCT: String?, startedOn: CalendarDate,
        stoppedOn: CalendarDate?, deathOn: CalendarDate?, lastKnownAlive: CalendarDate, response: ResponseSeries?,
        refusal: RecistInputError? = nil
    ) {
        self.registryID = registryID
        self.lineNumber = lineNumber
        self.agents = agents
        self.trialNCT = trialNCT
        self.startedOn = startedOn
        self.stoppedOn = stoppedOn
        self.deathOn = deathOn
        self.lastKnownAlive = lastKnownAlive
        self.response = response
        self.refusal = refusal
    }

    /// Days from the start of the line to progression or death, whichever came first; censored at the
    /// last adequate assessment. nil for a line that is not evaluable.
    var progressionFreeSurvival: SurvivalObservation? {
        guard let response else { return nil }
        return observation(from: startedOn, radiological: response.progression.progressionFreeSurvival)
    }

    /// Days from the first CR/PR to progression or death; nil for a non-responder.
    var durationOfResponse: SurvivalObservation? {
        guard let duration = response?.progression.durationOfResponse else { return nil }
        return observation(from: duration.start, radiological: duration.end)
    }

    /// Days from the start of the line to death, censored at the last date known alive.
    var overallSurvival: SurvivalObservation {
        if let deathOn { return SurvivalObservation(time: deathOn.days(since: startedOn), event: true) }
        return SurvivalObservation(time: max(0, lastKnownAlive.days(since: startedOn)), event: false)
    }

    /// Death is not a RECIST finding: it ends a radiological follow-up that had no progression, and it
    /// is the event when it came before the documented progression.
    private func observation(from start: CalendarDate, radiological: TimeToEvent) -> SurvivalObservation {
        let end: TimeToEvent =
            switch (radiological, deathOn) {
            case (.event(let progression), let death?): .event(min(progression, death))
            case (.event(let progression), nil): .event(progression)
            case (.censored, let death?): .event(death)
            case (.censored(let date), nil): .censored(date)
            }
        return SurvivalObservation(time: max(0, end.date.days(since: start)), event: end.isEvent)
    }
}
