/// One patient's follow-up for a time-to-event endpoint such as progression-free or overall survival.
///
/// `time` counts days from the start of follow-up (enrollment or start of therapy) to the event, or to
/// the last date the patient was known to be event-free when `event` is false (right-censored).
public struct SurvivalObservation: Sendable, Hashable, Codable {
    /// Days from the start of follow-up to the event or censoring date.
    public let time: Double
    /// True when the event (progression or death) was observed; false when the patient is censored.
    public let event: Bool

    public init(time: Double, event: Bool) {
        self.time = time
        self.event = event
    }

    /// Follow-up counted in whole days, as date differences give it.
    public init(time: Int, event: Bool) {
        self.init(time: Double(time), event: event)
    }
}
