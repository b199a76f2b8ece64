import Foundation
import PostgresClient

/// One audited change of one row: who (the database role and the person the CLI acted for), when, in which
/// transaction, and the row before and after, with every value as text.
public struct AuditEntry: Codable, Sendable, Hashable {
    public let auditID: Int
    public let loggedAt: Date
    public let transactionID: Int
    public let databaseUser: String
    public let appUser: String?
    public let table: String
    public let operation: String
    /// The reason a coordinator gave for a correction (`--reason`); nil for a first entry or an import.
    public let reason: String?
    public let oldRow: [String: String?]?
    public let newRow: [String: String?]?

    /// The columns whose values differ between the old and the new row, in name order; for an insert or
    /// delete every column of the row that exists.
    public var changedColumns: [String] {
        let names = Set((oldRow ?? [:]).keys).union((newRow ?? [:]).keys)
        return names.sorted().filter { name in
            guard let oldRow, let newRow else { return true }
            return oldRow[name] != newRow[name]
        }
    }
}

/// A record an import inserted, with its provenance: the run, the file and line it was first read from, by
/// whom and when. The audit log counts an import's inserted rows per run, table and operation (migration
/// 0016); each row's provenance is kept once, here, and its later updates are audited row by row.
public struct ImportedRecord: Codable, Sendable, Hashable {
    public let runID: Int
    public let startedAt: Date
    public let databaseUser: String
    public let osUser: String
    public let source: String
    /// The record's kind in its source: an SDTM domain (DM, EX, AE, TU, TR, RS) or REDCAP.
    public let domain: String
    /// The record's natural key in its source, its parts joined by " / " (subject, evaluator, lesion, visit, test).
    public let record: String
    /// Nil for a record imported before provenance was kept.
    public let file: String?
    public let line: Int?
    public let rowHash: String
    public let lastChangedRun: Int
}

/// A patient's audit trail: every audited change of their rows, and the records imports inserted.
public struct PatientAuditTrail: Codable, Sendable, Hashable {
    public let changes: [AuditEntry]
    public let imports: [ImportedRecord]
}

/// Reads the audit trail, which the database writes itself (migration 0007): every insert, update and
/// delete of a clinical table, whatever path made it; an import's inserts counted per run (migration 0016).
public struct AuditTrailService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Every audited change of one patient's rows, oldest first, and the records imports inserted for them
    /// with their provenance; the patient is found in the registry or in the trail itself, so a patient whose
    /// row was deleted still has a history. What the connected role may not read (another site's patient,
    /// for a coordinator) is as absent as an unknown registry id.
    public func history(of registryID: String) throws(RegistryError) -> PatientAuditTrail {
        let id = registryID.trimmingCharacters(in: .whitespaces).uppercased()
        do {
            let patients = try connection.query(
                """
                SELECT patient_id FROM patients WHERE registry_id = \(id)
                UNION
                SELECT patient_id FROM audit_log
                WHERE table_name = 'patients' AND coalesce(new_row, old_row) ->> 'registry_id' = \(id)
                """)
            guard let patientID = try patients.first?.decode(Int.self, "patient_id") else {
                throw RegistryError.patientNotFound(registryID)
            }
            let changes = try connection.query(
                """
                SELECT audit_id, logged_at, transaction_id, database_user, app_user, table_name, operation, change_reason,
                       (SELECT jsonb_object_agg(key, value) FROM jsonb_each_text(old_row)) AS old_row,
                       (SELECT jsonb_object_agg(key, value) FROM jsonb_each_text(new_row)) AS new_row
                FROM audit_log WHERE patient_id = \(patientID)
                ORDER BY audit_id
                """
            ).map { row in
                AuditEntry(
                    auditID: try row.decode(Int.self, "audit_id"),
                    loggedAt: try row.decode(Date.self, "logged_at"),
                    transactionID: try row.decode(Int.self, "transaction_id"),
                    databaseUser: try row.decode(String.self, "database_user"),
                    appUser: try row.decode(String?.self, "app_user"),
                    table: try row.decode(String.self, "table_name"),
                    operation: try row.decode(String.self, "operation"),
                    reason: try row.decode(String?.self, "change_reason"),
                    oldRow: try row.decode(JSONB<[String: String?]>?.self, "old_row")?.value,
                    newRow: try row.decode(JSONB<[String: String?]>?.self, "new_row")?.value)
            }
            let imports = try connection.query(
                """
                SELECT run_id, started_at, database_user, os_user, source, domain, replace(natural_key, E'\\x1f', ' / ') AS record,
                    file_name, line_number, row_hash, last_changed_run
                FROM sarcreg_import_provenance(\(patientID))
                """
            ).map { row in
                ImportedRecord(
                    runID: try row.decode(Int.self, "run_id"), startedAt: try row.decode(Date.self, "started_at"),
                    databaseUser: try row.decode(String.self, "database_user"),
                    osUser: try row.decode(String.self, "os_user"),
                    source: try row.decode(String.self, "source"), domain: try row.decode(String.self, "domain"),
                    record: try row.decode(String.self, "record"), file: try row.decode(String?.self, "file_name"),
                    line: try row.decode(Int?.self, "line_number"), rowHash: try row.decode(String.self, "row_hash"),
                    lastChangedRun: try row.decode(Int.self, "last_changed_run"))
            }
            return PatientAuditTrail(changes: changes, imports: imports)
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
