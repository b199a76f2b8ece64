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
        case .notRecruiting(let nct, let status): "trial \(nct) is \(status.rawValue.replacingOccurrences(of: "_", with: " ")), not recruiting"
        case .cohortNotFound(let nct, let cohort, let cohorts):
            "\(wording.field(.cohort)) '\(cohort)' is not a cohort of \(nct); use one of: \(cohorts.joined(separator: ", "))"
        case .cohortRequired(let nct, let cohorts): "\(wording.field(.cohort)) is required: \(nct) has cohorts \(cohorts.joined(separator: ", "))"
        case .cohortFull(let nct, let cohort, let capacity): "cohort full: \(nct) cohort \(cohort) has taken all \(capacity) places"
        case .alreadyEnrolled(let id, let nct, let cohort, let place): "\(id) is already enrolled in \(nct) (cohort \(cohort), place \(place))"
        case .ineligible(let id, let nct, let unmet): "\(id) is not eligible for \(nct): \(unmet.joined(separator: "; "))"
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

/// Where the registry learns whether a patient had measurable disease at baseline.
///
/// The trial service asks this rather than reading lesions itself, so that screening does not depend on
/// how tumor assessments are stored, and tests can supply a baseline without recording assessments.
public protocol BaselineDiseaseSource {
    func baselineDisease(registryID: String, patientID: Int, on connection: Connection) throws -> BaselineDiseaseStatus
}

/// Reads the lesions chosen at baseline from the `lesions` table, when the schema has one.
///
/// A target lesion is measurable disease per RECIST 1.1; baseline lesions without a target are
/// non-measurable disease; no lesions (or no `lesions` table) leaves the criterion unknown.
public struct RecordedBaselineLesions: BaselineDiseaseSource {
    public init() {}

    public func baselineDisease(registryID: String, patientID: Int, on connection: Connection) throws -> BaselineDiseaseStatus {
        let table = try connection.query("SELECT to_regclass('lesions') IS NOT NULL AS present")
        guard try table[0].decode(Bool.self, "present") else { return Self.status(targets: 0, nonTargets: 0) }
        let rows = try connection.query(
            """
            SELECT count(*) FILTER (WHERE lesion_class = 'target')::bigint AS targets,
                   count(*) FILTER (WHERE lesion_class = 'non_target')::bigint AS non_targets
            FROM lesions WHERE patient_id = \(patientID)
            """)
        let (targets, nonTargets) = try rows[0].decode((Int, Int).self)
        return Self.status(targets: targets, nonTargets: nonTargets)
    }

    /// The status from the counts of baseline lesions by class, however many patients they were counted for at once.
    static func status(targets: Int, nonTargets: Int) -> BaselineDiseaseStatus {
        if targets > 0 { return .measurable(targetLesions: targets) }
        return nonTargets > 0 ? .notMeasurable : .unknown(reason: "no baseline lesions recorded")
    }
}
