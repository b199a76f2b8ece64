import PostgresClient
import RegistryDomain
import RegistryServices

/// What one reconciliation of response discrepancies with their queries did.
public struct DiscrepancyReconciliation: Codable, Sendable, Hashable {
    /// Discrepancies new tonight, each with a query opened for it.
    public let opened: Int
    /// Discrepancies whose query was closed on an earlier night and that disagree again.
    public let reopened: Int
    /// Queries closed because the source and the engine now agree.
    public let closed: Int
    /// Discrepancies whose query stays as it was (open, answered or reopened).
    public let unchanged: Int
}

extension ResponseDiscrepancy {
    /// One query per visit of one evaluator of one patient, whatever the responses.
    var queryKey: String { "\(registryID)/\(evaluator)/\(visit)" }

    var queryMessage: String {
        "the source reports \(sourceResponse) for visit \(visit)" + (date.map { " on \($0)" } ?? "")
            + "; the registry computes "
            + (engineResponse.map { "\($0) (\(rule))" } ?? "no response: \(rule)")
    }
}

extension SyncService {
    /// Opens a query for every investigator response that disagrees with the computed one (``discrepancies(registryID:)``),
    /// reopens a closed query whose discrepancy is back, and closes the discrepancy queries whose visits now
    /// agree; the nightly sync runs it after its imports. One transaction.
    public func reconcileDiscrepancyQueries() throws(SyncError) -> DiscrepancyReconciliation {
        let found = try discrepancies()
        do {
            return try connection.withTransaction { tx in
                var existing: [String: (id: Int, status: QueryStatus)] = [:]
                for row in try tx.query(
                    "SELECT query_id, discrepancy_key, status FROM data_queries WHERE discrepancy_key IS NOT NULL FOR UPDATE"
                ) {
                    existing[try row.decode(String.self, "discrepancy_key")] = (
                        try row.decode(Int.self, "query_id"),
                        QueryStatus(rawValue: try row.decode(String.self, "status")) ?? .open
                    )
                }
                var opened = 0
                var reopened = 0
                var unchanged = 0
                for discrepancy in found {
                    switch existing[discrepancy.queryKey] {
                    case nil:
                        let query = try tx.query(
                            """
                            INSERT INTO data_queries (patient_id, record_kind, record_reference, field, discrepancy_key)
                            SELECT patient_id, \(DataRecordKind.assessment.rawValue),
                                \(discrepancy.evaluator + "/" + (discrepancy.date ?? discrepancy.visit)), 'overall response',
                                \(discrepancy.queryKey)
                            FROM patients WHERE registry_id = \(discrepancy.registryID)
                            RETURNING query_id, patient_id
                            """)[0]
                        try DataQueryService.appendMessage(
                            .open, discrepancy.queryMessage, queryID: try query.decode(Int.self, "query_id"),
                            patientID: try query.decode(Int.self, "patient_id"), on: tx)
                        opened += 1
                    case let (id, status)? where status == .closed:
                        try DataQueryService.changeStatus(
                            id, to: .reopen, message: "the discrepancy is back: " + discrepancy.queryMessage, on: tx)
                        reopened += 1
                    case .some:
                        unchanged += 1
                    }
                }
                let current = Set(found.map(\.queryKey))
                var closed = 0
                for (key, query) in existing where query.status != .closed && !current.contains(key) {
                    try DataQueryService.changeStatus(
                        query.id, to: .close,
                        message:
                            "a later import agrees: the source's response now equals the one the registry computes",
                        on: tx)
                    closed += 1
                }
                return DiscrepancyReconciliation(
                    opened: opened, reopened: reopened, closed: closed, unchanged: unchanged)
            }
        } catch {
            throw SyncError.wrap(error)
        }
    }
}
