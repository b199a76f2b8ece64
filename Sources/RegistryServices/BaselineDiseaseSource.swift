import PostgresClient
import RegistryDomain

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

    public func baselineDisease(
        registryID: String, patientID: Int, on connection: Connection
    ) throws -> BaselineDiseaseStatus {
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
