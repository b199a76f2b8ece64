/// An event date or a censoring date for a time-to-event endpoint.
public enum TimeToEvent: Sendable, Hashable, CustomStringConvertible {
    case event(CalendarDate)
    case censored(CalendarDate)

    public var date: CalendarDate {
        switch self {
        case .event(let date), .censored(let date): date
        }
    }

    public var isEvent: Bool {
        if case .event = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .event(let date): "event on \(date)"
        case .censored(let date): "censored on \(date)"
        }
    }
}

/// From the first date CR or PR criteria were met to progression, or to censoring ([E09] §4.6.2).
public struct DurationOfResponse: Sendable, Hashable {
    public let start: CalendarDate
    public let end: TimeToEvent

    public init(start: CalendarDate, end: TimeToEvent) {
        self.start = start
        self.end = end
    }

    public var days: Int { end.date.days(since: start) }
}

/// The radiological inputs of progression-free survival and duration of response for one evaluator.
///
/// Death is not a RECIST finding and is not known here; the survival analysis combines these dates
/// with the date of death, whichever comes first.
public struct ProgressionOutcome: Sendable, Hashable {
    /// The date of the first PD. When an equivocal new lesion is confirmed later, this is the date
    /// of the scan where it first appeared, so it can be earlier than the confirming scan.
    public let firstProgression: CalendarDate?
    /// How the first PD was found; nil without progression.
    public let firstProgressionBasis: ProgressionBasis?
    /// The last assessment before progression that was not NE: where PFS and response are censored.
    public let lastAdequateAssessment: CalendarDate?
    /// Progression as the event, else censoring at the last adequate assessment, or at the start of
    /// therapy when there is none.
    public let progressionFreeSurvival: TimeToEvent
    /// Days from the start of therapy to ``progressionFreeSurvival``.
    public let progressionFreeSurvivalDays: Int
    /// `nil` for a patient without a (confirmed, when required) response.
    public let durationOfResponse: DurationOfResponse?

    init(
        evaluations: [TimePointEvaluation], firstProgressionIndex: Int?, responseStart: CalendarDate?,
        therapyStart: CalendarDate
    ) {
        let progression = firstProgressionIndex.map { evaluations[$0].date }
        firstProgression = progression
        firstProgressionBasis = firstProgressionIndex.flatMap { evaluations[$0].rule.progressionBasis }
        let lastAdequate = evaluations.last {
            !$0.isAfterProgression && $0.overall != .notEvaluable && $0.overall != .progressiveDisease
        }?.date
        lastAdequateAssessment = lastAdequate
        let end: TimeToEvent =
            if let progression { .event(progression) } else { .censored(lastAdequate ?? therapyStart) }
        progressionFreeSurvival = end
        progressionFreeSurvivalDays = end.date.days(since: therapyStart)
        durationOfResponse = responseStart.map { start in
            DurationOfResponse(start: start, end: progression.map { .event($0) } ?? .censored(lastAdequate ?? start))
        }
    }
}

/// One evaluator's scored series.
public struct ResponseSeries: Sendable, Hashable {
    public let evaluator: Evaluator
    /// In date order.
    public let evaluations: [TimePointEvaluation]
    public let bestOverallResponse: BestOverallResponse
    public let progression: ProgressionOutcome
}

/// The result of ``ResponseAssessment/evaluate(baseline:timePoints:therapyStart:policy:)``.
public struct ResponseTimeline: Sendable, Hashable {
    public let therapyStart: CalendarDate
    public let policy: ResponsePolicy
    /// One series per evaluator, ordered by evaluator name.
    public let series: [ResponseSeries]

    public func series(for evaluator: Evaluator) -> ResponseSeries? {
        series.first { $0.evaluator == evaluator }
    }
}
