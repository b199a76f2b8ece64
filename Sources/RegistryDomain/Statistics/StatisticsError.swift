/// Why a response statistic could not be computed from the registry's counts or follow-up times.
///
/// Each message names the offending input and its value, so a research coordinator can find the
/// patient record or report parameter to correct.
public enum StatisticsError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The number of patients with the outcome (for example responders for ORR) is below zero.
    case negativeCount(Int)
    /// The number of evaluable patients is below zero.
    case negativeTotal(Int)
    /// There are no evaluable patients, so a rate has no denominator.
    case emptyTotal
    /// More patients have the outcome than were evaluated.
    case countExceedsTotal(count: Int, total: Int)
    /// The confidence level is not strictly between 0 and 1.
    case confidenceLevelOutOfRange(Double)
    /// A survival analysis was requested for no patients at all.
    case noObservations
    /// A follow-up time is negative, infinite or not a number; `index` is its position in the input.
    case invalidFollowUpTime(index: Int, time: Double)

    public var description: String {
        switch self {
        case .negativeCount(let count):
            "the number of patients with the outcome is \(count); it must be 0 or more"
        case .negativeTotal(let total):
            "the number of evaluable patients is \(total); it must be 1 or more"
        case .emptyTotal:
            "there are no evaluable patients (total is 0), so no rate or confidence interval can be given"
        case .countExceedsTotal(let count, let total):
            "\(count) patients with the outcome out of \(total) evaluable patients: the count cannot exceed the total; "
                + "check which patients are counted as evaluable"
        case .confidenceLevelOutOfRange(let level):
            "confidence level \(level) must be strictly between 0 and 1 (for example 0.95 for a 95% interval)"
        case .noObservations:
            "no patients with follow-up were given, so no survival curve can be estimated"
        case .invalidFollowUpTime(let index, let time):
            "follow-up time \(time) days of observation \(index) is invalid: it must be a finite number of days, "
                + "0 or more; check the start date and the event or censoring date of that patient"
        }
    }
}
