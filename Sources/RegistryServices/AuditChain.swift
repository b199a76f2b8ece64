import Foundation
import PostgresClient

/// The head of the audit log's hash chain at one moment: kept somewhere the database's owner cannot
/// write, it proves later that no entry up to `position` changed.
public struct AuditAnchor: Codable, Sendable, Hashable {
    public let position: Int
    /// The SHA-256 of the entry at `position`, in hex.
    public let hash: String
    public let loggedAt: Date

    public init(position: Int, hash: String, loggedAt: Date) {
        self.position = position
        self.hash = hash
        self.loggedAt = loggedAt
    }
}

/// One thing the verification of the audit chain found wrong, in words an administrator can act on.
public enum AuditFinding: Sendable, Hashable, CustomStringConvertible {
    case entriesMissing(after: Int, next: Int)
    case entryAltered(position: Int)
    case entryReordered(position: Int, linksTo: Int)
    case brokenLink(position: Int)
    case entryUnchained(auditID: Int)
    case logCut(last: Int, head: Int)
    case entriesPastHead(head: Int, last: Int)
    case headDiffers(position: Int)
    case anchorMissing(position: Int, last: Int)
    case anchorDiffers(position: Int)
    case noGuardRecord
    case guardFunctionChanged(String, recordedAt: Int)
    case guardFunctionMissing(String)
    case guardTriggerMissing(String)
    case guardTriggerCallsOther(String, function: String)
    case guardTriggerNotAlways(String, state: String)
    case eventTriggerMissing(String)
    case eventTriggerNotAlways(String, state: String)
    case unauditedRows(table: String, count: Int, firstKey: String)
    case unauditedDeletions(table: String, count: Int, firstKey: String)

    public var description: String {
        switch self {
        case .entriesMissing(let after, let next):
            "entries \(after + 1) to \(next - 1) of the chain are missing: they were deleted"
        case .entryAltered(let position):
            "entry \(position) was changed after it was written: its hash does not match its content"
        case .entryReordered(let position, let linksTo):
            "entry \(position) links to entry \(linksTo), not to the entry before it: entries were reordered"
        case .brokenLink(let position):
            "entry \(position) does not link to the entry before it: an entry was removed or replaced and the chain renumbered"
        case .entryUnchained(let auditID):
            "audit entry \(auditID) has no place in the chain: it was written with the chain trigger off"
        case .logCut(let last, let head):
            "the log ends at entry \(last) but the chain head is at \(head): the last \(head - last) entries were deleted"
        case .entriesPastHead(let head, let last):
            "entries \(head + 1) to \(last) are past the chain head: they were written around it"
        case .headDiffers(let position):
            "the chain head's hash differs from entry \(position)'s: the head or the entry was rewritten"
        case .anchorMissing(let position, let last):
            "the anchored entry \(position) is gone (the log ends at \(last)): entries were deleted after the anchor was taken"
        case .anchorDiffers(let position):
            "entry \(position) differs from the anchor: the log up to it was rewritten after the anchor was taken"
        case .noGuardRecord:
            "the chain holds no record of the audit guards (GUARDS entry): it was deleted or never written"
        case .guardFunctionChanged(let name, let recordedAt):
            "guard function \(name) differs from its source recorded at entry \(recordedAt): it was replaced"
        case .guardFunctionMissing(let name): "guard function \(name) is gone: it was dropped"
        case .guardTriggerMissing(let name): "guard trigger \(name) is gone: it was dropped"
        case .guardTriggerCallsOther(let name, let function): "guard trigger \(name) calls \(function): it was replaced"
        case .guardTriggerNotAlways(let name, let state):
            "guard trigger \(name) is \(Self.stateName(state)) instead of enabled ALWAYS: changes can bypass it"
        case .eventTriggerMissing(let name): "event trigger \(name) is gone: it was dropped"
        case .eventTriggerNotAlways(let name, let state):
            "event trigger \(name) is \(Self.stateName(state)) instead of enabled ALWAYS: disabling a guard would go unrecorded"
        case .unauditedRows(let table, let count, let firstKey):
            "\(count) row\(count == 1 ? "" : "s") of \(table) (first key \(firstKey)) differ from their last audited version or were written by a transaction that audited nothing of them: changed with the audit off"
        case .unauditedDeletions(let table, let count, let firstKey):
            "\(count) row\(count == 1 ? "" : "s") of \(table) (first key \(firstKey)) are gone without an audited DELETE: deleted with the audit off"
        }
    }

    private static func stateName(_ state: String) -> String {
        switch state {
        case "D": "disabled"
        case "O": "enabled for ordinary sessions only (ENABLE TRIGGER)"
        case "R": "enabled for replica sessions only (ENABLE REPLICA TRIGGER)"
        default: "in state \(state)"
        }
    }
}

/// What the verification of the audit chain checked and found.
public struct AuditVerification: Sendable, Hashable {
    public let entries: Int
    public let head: AuditAnchor?
    public let tablesChecked: Int
    public let findings: [AuditFinding]

    public var intact: Bool { findings.isEmpty }
}

/// Why the audit log could not be verified at all.
public enum AuditVerificationError: Error, CustomStringConvertible {
    case wholeLogNeeded(login: String)
    case registry(RegistryError)

    public var description: String {
        switch self {
        case .wholeLogNeeded(let login):
            "login \(login) does not read the whole audit log, so the chain cannot be checked; log in as an administrator (role admin)"
        case .registry(let error): error.description
        }
    }
}

/// Checks and exports the audit log's hash chain (migrations 0020 and 0021).
///
/// Verification runs its own SQL: the hash of each entry, the guard digests and the row comparison are
/// computed by the statements below, never by a function of the database being checked, which its owner
/// could replace.
public struct AuditChainService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// The chain's last entry now; nil while the log is empty.
    public func anchor() throws(AuditVerificationError) -> AuditAnchor? {
        try run {
            try requireWholeLog()
            return try lastEntry()
        }
    }

    /// Walks the chain and reports its first broken link, a cut tail or an anchor it no longer matches;
    /// checks that every guard is in place as last recorded; and that every audited row's current version
    /// is one the log accounts for.
    public func verify(against anchor: AuditAnchor? = nil) throws(AuditVerificationError) -> AuditVerification {
        // One snapshot for every check: a change committed while verify runs would otherwise show as a head
        // past the log's end or a row newer than its entry.
        try run {
            try connection.withTransaction(isolation: .repeatableRead) { _ in try verifyInSnapshot(against: anchor) }
        }
    }

    private func verifyInSnapshot(against anchor: AuditAnchor?) throws -> AuditVerification {
        try requireWholeLog()
        var findings: [AuditFinding] = []
        let summary = try connection.query(
            """
            SELECT count(*)::bigint AS entries, coalesce(max(chain_position), 0)::bigint AS last,
                (SELECT chain_position FROM audit_chain_head)::bigint AS head_position,
                (SELECT encode(entry_hash, 'hex') FROM audit_chain_head) AS head_hash
            FROM audit_log
            """)[0]
        let entries = try summary.decode(Int.self, "entries")
        let last = try summary.decode(Int.self, "last")
        if let link = try firstBrokenLink() { findings.append(link) }
        let lastEntry = try lastEntry()
        if let headPosition = try summary.decode(Int?.self, "head_position") {
            if headPosition > last {
                findings.append(.logCut(last: last, head: headPosition))
            } else if headPosition < last {
                findings.append(.entriesPastHead(head: headPosition, last: last))
            } else if try summary.decode(String?.self, "head_hash") != lastEntry?.hash {
                findings.append(.headDiffers(position: last))
            }
        }
        if let anchor {
            let anchored = try connection.query(
                "SELECT encode(entry_hash, 'hex') AS hash FROM audit_log WHERE chain_position = \(anchor.position)")
            if let hash = try anchored.first?.decode(String.self, "hash") {
                if hash != anchor.hash.lowercased() { findings.append(.anchorDiffers(position: anchor.position)) }
            } else {
                findings.append(.anchorMissing(position: anchor.position, last: last))
            }
        }
        let (guardFindings, auditedTables) = try guards()
        findings += guardFindings
        for table in auditedTables { findings += try unauditedRows(of: table) }
        return AuditVerification(
            entries: entries, head: lastEntry, tablesChecked: auditedTables.count, findings: findings)
    }

    private func run<T>(_ body: () throws -> T) throws(AuditVerificationError) -> T {
        do {
            return try body()
        } catch let error as AuditVerificationError {
            throw error
        } catch {
            throw .registry(RegistryError.wrap(error))
        }
    }

    /// Row-level security shows a coordinator only their sites' entries, which would read as gaps.
    private func requireWholeLog() throws {
        let row = try connection.query(
            "SELECT session_user::text AS login, pg_has_role(session_user, 'sarcreg_admin', 'USAGE') AS whole")[0]
        guard try row.decode(Bool.self, "whole") else {
            throw AuditVerificationError.wholeLogNeeded(login: try row.decode(String.self, "login"))
        }
    }

    private func lastEntry() throws -> AuditAnchor? {
        try connection.query(
            "SELECT chain_position, encode(entry_hash, 'hex') AS hash, logged_at FROM audit_log ORDER BY chain_position DESC LIMIT 1"
        ).first.map { row in
            AuditAnchor(
                position: try row.decode(Int.self, "chain_position"), hash: try row.decode(String.self, "hash"),
                loggedAt: try row.decode(Date.self, "logged_at"))
        }
    }

    /// The first entry, in chain order, that is not where the chain says, not what its hash says, or not
    /// linked to the entry before it. The hash is migration 0022's: SHA-256 over the previous hash and the
    /// entry as a jsonb array, its time as epoch seconds, with the change reason last where it has one (0020's
    /// array for an entry without one).
    private func firstBrokenLink() throws -> AuditFinding? {
        if let unchained = try connection.query(
            "SELECT min(audit_id)::bigint AS audit_id FROM audit_log WHERE chain_position IS NULL")[0]
            .decode(Int?.self, "audit_id")
        {
            return .entryUnchained(auditID: unchained)
        }
        let rows = try connection.query(
            """
            SELECT chain_position, coalesce(prior_position, 0)::bigint AS prior_position, intact, linked, previous_hash
            FROM (
                SELECT chain_position, previous_hash, lag(chain_position) OVER w AS prior_position,
                    entry_hash = sha256(previous_hash || convert_to((jsonb_build_array(
                        chain_position, audit_id, extract(epoch FROM logged_at), transaction_id, database_user, app_user,
                        table_name, operation, patient_id, old_row, new_row, sync_run, row_count)
                        || CASE WHEN change_reason IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(change_reason) END)::text, 'UTF8')) AS intact,
                    previous_hash = coalesce(lag(entry_hash) OVER w, '\\x'::bytea) AS linked
                FROM audit_log WINDOW w AS (ORDER BY chain_position)
            ) c
            WHERE chain_position <> coalesce(prior_position, 0) + 1 OR NOT intact OR NOT linked
            ORDER BY chain_position LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        let position = try row.decode(Int.self, "chain_position")
        let prior = try row.decode(Int.self, "prior_position")
        if position != prior + 1 { return .entriesMissing(after: prior, next: position) }
        if try !row.decode(Bool.self, "intact") { return .entryAltered(position: position) }
        let target = try connection.query(
            """
            SELECT a.chain_position FROM audit_log a JOIN audit_log b ON b.chain_position = \(position) AND a.entry_hash = b.previous_hash
            """)
        if let linksTo = try target.first?.decode(Int.self, "chain_position") {
            return .entryReordered(position: position, linksTo: linksTo)
        }
        return .brokenLink(position: position)
    }

    /// The new_row of a GUARDS entry, as `audit_record_guards()` writes it (migration 0020).
    private struct RecordedGuards: Codable {
        let functions: [String: String]
        let triggers: [String: String]
        let eventTriggers: [String]

        enum CodingKeys: String, CodingKey {
            case functions, triggers
            case eventTriggers = "event_triggers"
        }
    }

    /// Compares the live guards with the last GUARDS entry of the chain; returns the findings and the tables
    /// whose rows the audit function records.
    private func guards() throws -> ([AuditFinding], [String]) {
        guard
            let record = try connection.query(
                "SELECT chain_position, new_row FROM audit_log WHERE operation = 'GUARDS' ORDER BY chain_position DESC LIMIT 1"
            ).first
        else { return ([.noGuardRecord], []) }
        let recordedAt = try record.decode(Int.self, "chain_position")
        let recorded = try record.decode(JSONB<RecordedGuards>.self, "new_row").value
        var findings: [AuditFinding] = []
        let functionNames = recorded.functions.keys.sorted()
        var live: [String: String] = [:]
        for row in try connection.query(
            """
            SELECT p.proname::text AS name, encode(sha256(convert_to(
                p.prosrc || '|' || coalesce(array_to_string(p.proconfig, ','), '') || '|' || p.prosecdef::text, 'UTF8')), 'hex') AS digest
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname = ANY (\(functionNames))
            """)
        {
            live[try row.decode(String.self, "name")] = try row.decode(String.self, "digest")
        }
        for name in functionNames {
            guard let digest = live[name] else {
                findings.append(.guardFunctionMissing(name))
                continue
            }
            if digest != recorded.functions[name] {
                findings.append(.guardFunctionChanged(name, recordedAt: recordedAt))
            }
        }
        var triggers: [String: (function: String, state: String)] = [:]
        for row in try connection.query(
            """
            SELECT c.relname || '.' || t.tgname AS name, p.proname::text AS function, t.tgenabled::text AS state
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
            """)
        {
            triggers[try row.decode(String.self, "name")] = (
                try row.decode(String.self, "function"), try row.decode(String.self, "state")
            )
        }
        for (name, function) in recorded.triggers.sorted(by: { $0.key < $1.key }) {
            guard let trigger = triggers[name] else {
                findings.append(.guardTriggerMissing(name))
                continue
            }
            if trigger.function != function {
                findings.append(.guardTriggerCallsOther(name, function: trigger.function))
            }
            if trigger.state != "A" { findings.append(.guardTriggerNotAlways(name, state: trigger.state)) }
        }
        var eventTriggers: [String: String] = [:]
        for row in try connection.query("SELECT evtname::text AS name, evtenabled::text AS state FROM pg_event_trigger")
        {
            eventTriggers[try row.decode(String.self, "name")] = try row.decode(String.self, "state")
        }
        for name in recorded.eventTriggers {
            guard let state = eventTriggers[name] else {
                findings.append(.eventTriggerMissing(name))
                continue
            }
            if state != "A" { findings.append(.eventTriggerNotAlways(name, state: state)) }
        }
        var tables: Set<String> = []
        for (name, function) in recorded.triggers where function == "audit_record_changes" {
            if let table = name.split(separator: ".").first { tables.insert(String(table)) }
        }
        return (findings, tables.sorted())
    }

    /// The rows of `table` whose current version the log does not account for. A row's last per-row entry
    /// (by chain position) must show its current values (the columns that entry shows) and name the
    /// transaction that wrote the version (its xmin, directly or through a savepoint the audit function
    /// noted); a row without a per-row entry since its last delete must have been written by an import run
    /// that counted rows of the table. A row whose last per-row entry is not a DELETE must still be there.
    /// Only the columns the login may read are compared (concealed ones are
    /// in no image either); a change of any column still gives the row a new xmin.
    private func unauditedRows(of table: String) throws -> [AuditFinding] {
        let columns = try connection.query(
            """
            SELECT a.attname::text AS name, coalesce(a.attnum = ANY (i.indkey::int2[]), false) AS is_key
            FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
            WHERE a.attrelid = to_regclass(\(table)) AND a.attnum > 0 AND NOT a.attisdropped
                AND has_column_privilege(a.attrelid, a.attnum, 'SELECT')
            ORDER BY a.attnum
            """
        ).map { (name: try $0.decode(String.self, "name"), isKey: try $0.decode(Bool.self, "is_key")) }
        let keyColumns = columns.filter(\.isKey).map(\.name)
        guard !keyColumns.isEmpty else { return [] }
        let quoted = try connection.quoteIdentifier(table)
        var query = Query(unsafeSQL: "")
        func key(_ image: String) -> String {
            "(SELECT jsonb_agg(\(image) -> u.k ORDER BY u.n) FROM unnest(\(query.bind(keyColumns))::text[]) WITH ORDINALITY AS u (k, n))"
        }
        var image: [String] = []
        for column in columns.map(\.name) {
            image.append("\(query.bind(column))::text, t.\(try connection.quoteIdentifier(column))")
        }
        let tableName = query.bind(table)
        let sql = """
            WITH entries AS (
                SELECT DISTINCT ON (e.key) e.key, e.operation, e.new_row, e.transaction_id
                FROM (SELECT \(key("coalesce(new_row, old_row)")) AS key, chain_position, operation, new_row, transaction_id
                      FROM audit_log WHERE table_name = \(tableName) AND sync_run IS NULL AND operation IN ('INSERT', 'UPDATE', 'DELETE')) e
                ORDER BY e.key, e.chain_position DESC
            ), writers AS (
                SELECT transaction_id, transaction_id % 4294967296 AS xid FROM audit_log WHERE table_name = \(tableName)
                UNION
                SELECT transaction_id, xmin::text::bigint FROM audit_statement_transactions
            ), run_writers AS (
                SELECT w.xid FROM writers w
                WHERE w.transaction_id IN (SELECT transaction_id FROM audit_log WHERE table_name = \(tableName) AND sync_run IS NOT NULL)
            ), current_rows AS (
                SELECT jsonb_build_object(\(image.joined(separator: ", "))) AS image, t.xmin::text::bigint AS xid FROM \(quoted) t
            ), keyed AS (
                SELECT c.image, c.xid, \(key("c.image")) AS key FROM current_rows c
            )
            SELECT count(*)::bigint AS unaudited, min(c.key::text) AS first_key,
                (SELECT count(*) FROM entries e WHERE e.operation <> 'DELETE' AND NOT EXISTS (SELECT 1 FROM keyed k WHERE k.key = e.key))::bigint
                    AS vanished,
                (SELECT min(e.key::text) FROM entries e WHERE e.operation <> 'DELETE' AND NOT EXISTS (SELECT 1 FROM keyed k WHERE k.key = e.key))
                    AS first_vanished
            FROM keyed c LEFT JOIN entries e ON e.key = c.key
            WHERE CASE WHEN e.operation IN ('INSERT', 'UPDATE') THEN
                    to_jsonb(jsonb_populate_record(NULL::\(quoted), e.new_row)) - ARRAY(SELECT k FROM jsonb_object_keys(e.new_row) k WHERE NOT c.image ? k)
                        IS DISTINCT FROM to_jsonb(jsonb_populate_record(NULL::\(quoted),
                            c.image - ARRAY(SELECT k FROM jsonb_object_keys(c.image) k WHERE NOT e.new_row ? k)))
                            - ARRAY(SELECT k FROM jsonb_object_keys(e.new_row) k WHERE NOT c.image ? k)
                    OR c.xid NOT IN (SELECT w.xid FROM writers w WHERE w.transaction_id = e.transaction_id)
                ELSE c.xid NOT IN (SELECT xid FROM run_writers) END
            """
        query.append(unsafeSQL: sql)
        let result = try connection.query(query)[0]
        var findings: [AuditFinding] = []
        let count = try result.decode(Int.self, "unaudited")
        if count > 0 {
            findings.append(
                .unauditedRows(table: table, count: count, firstKey: try result.decode(String.self, "first_key")))
        }
        let vanished = try result.decode(Int.self, "vanished")
        if vanished > 0 {
            findings.append(
                .unauditedDeletions(
                    table: table, count: vanished, firstKey: try result.decode(String.self, "first_vanished")))
        }
        return findings
    }
}
