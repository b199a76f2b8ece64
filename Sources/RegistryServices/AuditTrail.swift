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

/// Reads the audit trail, which the database writes itself (migration 0007): every insert, update and
/// delete of a clinical table, whatever path made it.
public struct AuditTrailService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Every audited change of one patient's rows, oldest first; the patient is found in the trail itself,
    /// so a patient whose row was deleted still has a history. What the connected role may not read
    /// (another site's patient, for a coordinator) is as absent as an unknown registry id.
    public func history(of registryID: String) throws(RegistryError) -> [AuditEntry] {
        let id = registryID.trimmingCharacters(in: .whitespaces).uppercased()
        do {
            let rows = try connection.query(
                """
                WITH patient AS (
                    SELECT DISTINCT patient_id FROM audit_log
                    WHERE table_name = 'patients' AND coalesce(new_row, old_row) ->> 'registry_id' = \(id)
                )
                SELECT audit_id, logged_at, transaction_id, database_user, app_user, table_name, operation,
                       (SELECT jsonb_object_agg(key, value) FROM jsonb_each_text(old_row)) AS old_row,
                       (SELECT jsonb_object_agg(key, value) FROM jsonb_each_text(new_row)) AS new_row
                FROM audit_log WHERE patient_id IN (SELECT patient_id FROM patient)
                ORDER BY audit_id
                """)
            guard !rows.isEmpty else { throw RegistryError.patientNotFound(registryID) }
            return try rows.map { row in
                AuditEntry(
                    auditID: try row.decode(Int.self, "audit_id"),
                    loggedAt: try row.decode(Date.self, "logged_at"),
                    transactionID: try row.decode(Int.self, "transaction_id"),
                    databaseUser: try row.decode(String.self, "database_user"),
                    appUser: try row.decode(String?.self, "app_user"),
                    table: try row.decode(String.self, "table_name"),
                    operation: try row.decode(String.self, "operation"),
                    oldRow: try row.decode(JSONB<[String: String?]>?.self, "old_row")?.value,
                    newRow: try row.decode(JSONB<[String: String?]>?.self, "new_row")?.value)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
