import PostgresClient
import RegistryDomain

/// Why a trial request was refused, in words a coordinator can act on.
public enum TrialError: Error, WordedMessage {
    case registry(RegistryError)
    case trialExists(String)
    case trialNotFound(String)
    case notRecruiting(trial: String, status: TrialRecruitmentStatus)
    case cohortNotFound(trial: String, cohort: String, cohorts: [String])
    case cohortRequired(trial: String, cohorts: [String])
    case cohortFull(trial: String, cohort: String, capacity: Int)
    case alreadyEnrolled(registryID: String, trial: String, cohort: String, place: Int)
    case ineligible(registryID: String, trial: String, unmet: [String])
    case eligibilityIncomplete(registryID: String, trial: String, unknown: [String])
    case allocationExhausted(trial: String, cohort: String, stratum: String)

    public func message(_ wording: Wording) -> String {
        switch self {
        case .registry(let error): error.message(wording)
        case .trialExists(let nct): "trial \(nct) already exists"
        case .trialNotFound(let nct): "no trial \(nct); add it with \(wording.step(.addTrial))"
        case .notRecruiting(let nct, let status):
            "trial \(nct) is \(status.rawValue.replacingOccurrences(of: "_", with: " ")), not recruiting"
        case .cohortNotFound(let nct, let cohort, let cohorts):
            "\(wording.field(.cohort)) '\(cohort)' is not a cohort of \(nct); use one of: \(cohorts.joined(separator: ", "))"
        case .cohortRequired(let nct, let cohorts):
            "\(wording.field(.cohort)) is required: \(nct) has cohorts \(cohorts.joined(separator: ", "))"
        case .cohortFull(let nct, let cohort, let capacity):
            "cohort full: \(nct) cohort \(cohort) has taken all \(capacity) places"
        case .alreadyEnrolled(let id, let nct, let cohort, let place):
            "\(id) is already enrolled in \(nct) (cohort \(cohort), place \(place))"
        case .ineligible(let id, let nct, let unmet):
            "\(id) is not eligible for \(nct): \(unmet.joined(separator: "; "))"
        case .eligibilityIncomplete(let id, let nct, let unknown):
            "\(id) cannot be enrolled in \(nct) until these are recorded: \(unknown.joined(separator: "; "))"
        case .allocationExhausted(let nct, let cohort, let stratum):
            "the allocation sequence of \(nct) cohort \(cohort) stratum '\(stratum)' is used up"
        }
    }

    static func wrap(_ error: any Error) -> TrialError {
        switch error {
        case let error as TrialError: error
        default: .registry(RegistryError.wrap(error))
        }
    }
}
