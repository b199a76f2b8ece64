import Foundation
import PostgresClient
import RegistryDomain

/// One message of a query's thread: what it did, what it says, who wrote it and when.
public struct QueryMessage: Codable, Sendable, Hashable {
    public let number: Int
    public let action: QueryAction
    public let body: String
    public let writtenAt: Date
    /// The database login, and the person it acted for where the session said so.
    public let writtenBy: String
}

/// A query on a patient's record with its thread.
public struct DataQuery: Codable, Sendable {
    public let queryID: Int
    public let registryID: String
    public let site: String
    public let record: DataRecord
    public let field: String?
    public let status: QueryStatus
    public let openedAt: Date
    public let openedBy: String
    public let statusChangedAt: Date
    /// Whole days since the query was opened.
    public let ageDays: Int
    /// The discrepancy a query of the nightly reconciliation stands for; nil for a query a person opened.
    public let discrepancyKey: String?
    public let messages: [QueryMessage]
}

/// Which queries a list shows.
public struct QueryFilter: Sendable {
    public var site: String?
    public var status: QueryStatus?
    /// Only queries opened more than this many days ago.
    public var olderThanDays: Int?

    public init(site: String? = nil, status: QueryStatus? = nil, olderThanDays: Int? = nil) {
        self.site = site
        self.status = status
        self.olderThanDays = olderThanDays
    }
}

/// A site's queries by status, and how long the unresolved ones have waited: what a monitor reviews.
public struct SiteQueryCounts: Codable, Sendable, Hashable {
    public let site: String
    public let open: Int
    public let answered: Int
    public let reopened: Int
    public let closed: Int
    /// Unresolved queries opened more than ``QueryAgeing/worklistDays`` days ago.
    public let overdue: Int
    public let oldestUnresolvedDays: Int?
}

/// Queries on data: opened on a record of a patient, answered by the site, closed or reopened by the opener or a
/// monitor. Row-level security decides whose patients a login sees; the database allows each state change
/// only along ``QueryStatus/transitions`` and only for whom it is (migration 0033).
public struct DataQueryService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Opens a query on a record the patient has, with the first message of its thread.
    public func open(
        _ registryID: String, record: DataRecord, field: String?, message: String
    ) throws(RegistryError) -> DataQuery {
        let body = try validating { () throws(RegistryInputError) in try ChangeReason(message, field: .message) }
        let field = field?.trimmingCharacters(in: .whitespaces)
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx)
                guard try Self.exists(record, patientID: patient.id, on: tx) else {
                    throw RegistryError.recordNotFound(registryID: patient.summary.registryID, record: record)
                }
                let queryID = try tx.query(
                    """
                    INSERT INTO data_queries (patient_id, record_kind, record_reference, field)
                    VALUES (\(patient.id), \(record.kind.rawValue), \(record.reference), \(field?.isEmpty == false ? field : nil))
                    RETURNING query_id
                    """)[0].decode(Int.self, "query_id")
                try Self.appendMessage(.open, body.text, queryID: queryID, patientID: patient.id, on: tx)
                return try Self.load(where: "q.query_id = \(queryID)", on: tx)[0]
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Answers, closes or reopens a query with a message; the change must be one ``QueryStatus/transitions`` allows.
    public func act(_ action: QueryAction, queryID: Int, message: String) throws(RegistryError) -> DataQuery {
        let body = try validating { () throws(RegistryInputError) in try ChangeReason(message, field: .message) }
        do {
            return try connection.withTransaction { tx in
                try Self.changeStatus(queryID, to: action, message: body.text, on: tx)
                return try Self.load(where: "q.query_id = \(queryID)", on: tx)[0]
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// One query with its thread.
    public func query(_ queryID: Int) throws(RegistryError) -> DataQuery {
        do {
            guard let found = try Self.load(where: "q.query_id = \(queryID)", on: connection).first else {
                throw RegistryError.queryNotFound(queryID)
            }
            return found
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The queries the login sees that pass the filter, oldest first.
    public func list(_ filter: QueryFilter) throws(RegistryError) -> [DataQuery] {
        var condition: Query = "true"
        if let site = filter.site {
            let code = site.trimmingCharacters(in: .whitespaces).uppercased()
            do {
                try SiteService.requireSite(code, on: connection)
            } catch {
                throw RegistryError.wrap(error)
            }
            condition.append(" AND p.site_code = \(code)")
        }
        if let status = filter.status { condition.append(" AND q.status = \(status.rawValue)") }
        if let days = filter.olderThanDays {
            guard days >= 0 else { throw .input(.outOfRange(field: .olderThan, value: "\(days)", range: "0 or more")) }
            condition.append(" AND q.opened_at < now() - make_interval(days => \(days)::int)")
        }
        do {
            return try Self.load(where: condition, on: connection)
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Per site the login sees: its queries by status, and the ages of those not closed.
    public func counts() throws(RegistryError) -> [SiteQueryCounts] {
        do {
            return try connection.query(
                """
                SELECT p.site_code,
                    count(*) FILTER (WHERE q.status = 'open') AS open, count(*) FILTER (WHERE q.status = 'answered') AS answered,
                    count(*) FILTER (WHERE q.status = 'reopened') AS reopened, count(*) FILTER (WHERE q.status = 'closed') AS closed,
                    count(*) FILTER (WHERE q.status <> 'closed' AND q.opened_at < now() - make_interval(days => \(QueryAgeing.worklistDays)::int))
                        AS overdue,
                    max(current_date - (q.opened_at AT TIME ZONE 'UTC')::date) FILTER (WHERE q.status <> 'closed') AS oldest
                FROM data_queries q JOIN patients p USING (patient_id)
                GROUP BY p.site_code ORDER BY p.site_code
                """
            ).map { row in
                SiteQueryCounts(
                    site: try row.decode(String.self, "site_code"), open: try row.decode(Int.self, "open"),
                    answered: try row.decode(Int.self, "answered"), reopened: try row.decode(Int.self, "reopened"),
                    closed: try row.decode(Int.self, "closed"), overdue: try row.decode(Int.self, "overdue"),
                    oldestUnresolvedDays: try row.decode(Int?.self, "oldest"))
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Moves a query to the action's status and appends the message, under the query row's lock; `tx` is in a transaction.
    public static func changeStatus(_ queryID: Int, to action: QueryAction, message: String, on tx: Connection) throws {
        guard
            let row = try tx.query("SELECT status, patient_id FROM data_queries WHERE query_id = \(queryID) FOR UPDATE")
                .first
        else {
            throw RegistryError.queryNotFound(queryID)
        }
        let current = QueryStatus(rawValue: try row.decode(String.self, "status")) ?? .open
        guard current.allows(action.status) else {
            throw RegistryError.queryTransition(queryID: queryID, from: current, to: action.status)
        }
        try tx.execute("UPDATE data_queries SET status = \(action.status.rawValue) WHERE query_id = \(queryID)")
        try appendMessage(action, message, queryID: queryID, patientID: try row.decode(Int.self, "patient_id"), on: tx)
    }

    /// The next message of the thread; the query row's lock (or its insert) keeps the numbers in order.
    public static func appendMessage(
        _ action: QueryAction, _ body: String, queryID: Int, patientID: Int, on tx: Connection
    ) throws {
        try tx.execute(
            """
            INSERT INTO data_query_messages (query_id, message_number, patient_id, action, body)
            SELECT \(queryID), coalesce(max(message_number), 0) + 1, \(patientID), \(action.rawValue), \(body)
            FROM data_query_messages WHERE query_id = \(queryID)
            """)
    }

    static func load(where condition: Query, on connection: Connection) throws -> [DataQuery] {
        var query: Query = """
            SELECT q.query_id, p.registry_id, p.site_code, q.record_kind, q.record_reference, q.field, q.status, q.opened_at,
                coalesce(q.opened_by_name, q.opened_by) AS opened_by, q.status_changed_at, q.discrepancy_key,
                current_date - (q.opened_at AT TIME ZONE 'UTC')::date AS age_days
            FROM data_queries q JOIN patients p USING (patient_id) WHERE
            """
        query.append(" ")
        query.append(condition)
        query.append(" ORDER BY q.opened_at, q.query_id")
        let rows = try connection.query(query)
        let ids = try rows.map { try $0.decode(Int.self, "query_id") }
        var threads: [Int: [QueryMessage]] = [:]
        for message in try connection.query(
            """
            SELECT query_id, message_number, action, body, written_at, coalesce(written_by_name, written_by) AS written_by
            FROM data_query_messages WHERE query_id = ANY (\(ids)) ORDER BY query_id, message_number
            """)
        {
            threads[try message.decode(Int.self, "query_id"), default: []].append(
                QueryMessage(
                    number: try message.decode(Int.self, "message_number"),
                    action: QueryAction(rawValue: try message.decode(String.self, "action")) ?? .open,
                    body: try message.decode(String.self, "body"),
                    writtenAt: try message.decode(Date.self, "written_at"),
                    writtenBy: try message.decode(String.self, "written_by")))
        }
        return try rows.map { row in
            let id = try row.decode(Int.self, "query_id")
            return DataQuery(
                queryID: id, registryID: try row.decode(String.self, "registry_id"),
                site: try row.decode(String.self, "site_code"),
                record: DataRecord(
                    stored: DataRecordKind(rawValue: try row.decode(String.self, "record_kind")) ?? .assessment,
                    reference: try row.decode(String.self, "record_reference")),
                field: try row.decode(String?.self, "field"),
                status: QueryStatus(rawValue: try row.decode(String.self, "status")) ?? .open,
                openedAt: try row.decode(Date.self, "opened_at"), openedBy: try row.decode(String.self, "opened_by"),
                statusChangedAt: try row.decode(Date.self, "status_changed_at"),
                ageDays: try row.decode(Int.self, "age_days"),
                discrepancyKey: try row.decode(String?.self, "discrepancy_key"), messages: threads[id] ?? [])
        }
    }

    /// Whether the patient has the record; a voided assessment or molecular result still counts (a query may ask
    /// why it was voided).
    static func exists(_ record: DataRecord, patientID: Int, on connection: Connection) throws -> Bool {
        let parts = record.reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let number = Int(record.reference) ?? 0
        let query: Query =
            switch record.kind {
            case .assessment:
                "SELECT 1 FROM assessments WHERE patient_id = \(patientID) AND evaluator = \(parts[0]) AND assessed_on = \(parts[1])::date"
            case .lesionResult:
                """
                SELECT 1 FROM assessment_results r JOIN assessments a ON a.assessment_id = r.assessment_id
                JOIN lesions l ON l.lesion_id = r.lesion_id
                WHERE a.patient_id = \(patientID) AND a.evaluator = \(parts[0]) AND a.assessed_on = \(parts[1])::date
                    AND upper(l.label) = \(parts[2])
                """
            case .adverseEvent:
                "SELECT 1 FROM adverse_events WHERE patient_id = \(patientID) AND adverse_event_id = \(number)"
            case .therapyLine: "SELECT 1 FROM therapy_lines WHERE patient_id = \(patientID) AND line_number = \(number)"
            case .diagnosis: "SELECT 1 FROM diagnoses WHERE patient_id = \(patientID) AND diagnosis_id = \(number)"
            case .molecularResult:
                "SELECT 1 FROM molecular_results WHERE patient_id = \(patientID) AND molecular_result_id = \(number)"
            }
        return try !connection.query(query).isEmpty
    }
}
