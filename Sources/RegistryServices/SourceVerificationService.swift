import Foundation
import PostgresClient
import RegistryDomain

/// One record of a site's patients and whether a monitor verified it against the source.
public struct VerificationItem: Codable, Sendable, Hashable {
    public let registryID: String
    public let record: DataRecord
    public let verifiedAt: Date?
    public let verifiedBy: String?
}

/// Source data verification: a monitor marks a record (a visit, a lesion result, an adverse event, a line, a
/// diagnosis, a molecular result) verified; the database deletes the mark when the record changes, and the
/// audit trail says so (migration 0033).
public struct SourceVerificationService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    public func mark(_ registryID: String, record: DataRecord) throws(RegistryError) -> VerificationItem {
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx)
                guard try DataQueryService.exists(record, patientID: patient.id, on: tx) else {
                    throw RegistryError.recordNotFound(registryID: patient.summary.registryID, record: record)
                }
                let row = try tx.query(
                    """
                    INSERT INTO sdv_marks (patient_id, record_kind, record_reference)
                    VALUES (\(patient.id), \(record.kind.rawValue), \(record.reference))
                    RETURNING verified_at, coalesce(verified_by_name, verified_by) AS verified_by
                    """)[0]
                return VerificationItem(
                    registryID: patient.summary.registryID, record: record,
                    verifiedAt: try row.decode(Date.self, "verified_at"),
                    verifiedBy: try row.decode(String.self, "verified_by"))
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Every record of the site's patients that verification covers (visits, adverse events, lines, diagnoses,
    /// molecular results; voided ones left out), verified or not, by patient. Lesion results are verified with
    /// their visit or one by one, so they are not listed as left.
    public func status(site code: String) throws(RegistryError) -> [VerificationItem] {
        let site = code.trimmingCharacters(in: .whitespaces).uppercased()
        do {
            try SiteService.requireSite(site, on: connection)
            return try connection.query(
                """
                WITH records (patient_id, kind, reference) AS (
                    SELECT patient_id, 'assessment', evaluator || '/' || assessed_on FROM assessments WHERE void_reason IS NULL
                    UNION ALL SELECT patient_id, 'adverse_event', adverse_event_id::text FROM adverse_events
                    UNION ALL SELECT patient_id, 'therapy_line', line_number::text FROM therapy_lines
                    UNION ALL SELECT patient_id, 'diagnosis', diagnosis_id::text FROM diagnoses
                    UNION ALL SELECT patient_id, 'molecular_result', molecular_result_id::text FROM molecular_results WHERE void_reason IS NULL)
                SELECT p.registry_id, r.kind, r.reference, m.verified_at, coalesce(m.verified_by_name, m.verified_by) AS verified_by
                FROM records r JOIN patients p USING (patient_id)
                LEFT JOIN sdv_marks m ON m.patient_id = r.patient_id AND m.record_kind = r.kind AND m.record_reference = r.reference
                WHERE p.site_code = \(site)
                ORDER BY p.registry_id, r.kind, r.reference
                """
            ).map { row in
                VerificationItem(
                    registryID: try row.decode(String.self, "registry_id"),
                    record: DataRecord(
                        stored: DataRecordKind(rawValue: try row.decode(String.self, "kind")) ?? .assessment,
                        reference: try row.decode(String.self, "reference")),
                    verifiedAt: try row.decode(Date?.self, "verified_at"),
                    verifiedBy: try row.decode(String?.self, "verified_by"))
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
