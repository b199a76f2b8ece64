import Foundation
import PostgresClient
import RegistryDomain

/// A patient's lock: who froze the patient's records and when.
public struct PatientLock: Codable, Sendable, Hashable {
    public let registryID: String
    public let lockedAt: Date
    public let lockedBy: String
}

/// Locks freeze a patient's clinical records for every writer: the database refuses any entry, correction or
/// import that touches them (`patient_records_locked`, migration 0033). Monitors and administrators lock; only
/// administrators unlock, with a reason the audit trail keeps.
public struct PatientLockService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    public func lock(_ registryID: String) throws(RegistryError) -> PatientLock {
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx)
                if let existing = try Self.lock(of: patient, on: tx) {
                    throw RegistryError.patientAlreadyLocked(
                        registryID: existing.registryID,
                        since: CalendarDate(
                            daysSinceEpoch: Int((existing.lockedAt.timeIntervalSince1970 / 86_400).rounded(.down))))
                }
                try tx.execute("INSERT INTO patient_locks (patient_id) VALUES (\(patient.id))")
                guard let lock = try Self.lock(of: patient, on: tx) else {
                    throw RegistryError.patientNotLocked(patient.summary.registryID)
                }
                return lock
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Unlocks the patient; the reason goes to the audit entry of the removed lock.
    public func unlock(_ registryID: String, reason reasonText: String?) throws(RegistryError) {
        let reason = try validating { () throws(RegistryInputError) in try ChangeReason(reasonText, field: .reason) }
        do {
            try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx)
                try tx.execute("SELECT set_config('sarcreg.change_reason', \(reason.text), true)")
                guard try tx.run("DELETE FROM patient_locks WHERE patient_id = \(patient.id)") == 1 else {
                    throw RegistryError.patientNotLocked(patient.summary.registryID)
                }
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The patient's lock, or nil when the patient is not locked.
    public func lock(of registryID: String) throws(RegistryError) -> PatientLock? {
        do {
            return try Self.lock(of: try PatientRow.find(registryID, on: connection), on: connection)
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    static func lock(of patient: PatientRow, on connection: Connection) throws -> PatientLock? {
        try connection.query(
            "SELECT locked_at, coalesce(locked_by_name, locked_by) AS locked_by FROM patient_locks WHERE patient_id = \(patient.id)"
        ).first.map { row in
            PatientLock(
                registryID: patient.summary.registryID, lockedAt: try row.decode(Date.self, "locked_at"),
                lockedBy: try row.decode(String.self, "locked_by"))
        }
    }
}
