internal import CLibPQ
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One libpq connection (`PGconn`), used by one task at a time.
///
/// `Connection` is deliberately not `Sendable`: libpq allows a connection to be used by only one
/// thread at a time, and the compiler enforces that ownership instead of a lock. Work that runs in
/// parallel opens one connection per task.
///
/// Every call blocks until the server answers; results are copied into Swift values and the libpq
/// result is freed before the call returns.
public final class Connection {
    let handle: OpaquePointer
    public let logger: Logger
    /// The connection string with any password replaced, for messages.
    public let redactedTarget: String

    /// Where the connection went, as libpq resolved it (never a password): `database sarcreg as ana on
    /// /tmp/socket port 5432`. With libpq's defaults the connection string says nothing; this still does.
    public var resolvedTarget: String {
        func text(_ value: UnsafeMutablePointer<CChar>?) -> String { value.map { String(cString: $0) } ?? "?" }
        return
            "database \(text(PQdb(handle))) as \(text(PQuser(handle))) on \(text(PQhost(handle))) port \(text(PQport(handle)))"
    }
    private let noticeSink: Unmanaged<NoticeSink>

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - connectionString: a `postgresql://` URL or `key=value` conninfo; nil or empty uses libpq's
    ///     defaults and the standard `PG*` environment variables (`PGHOST`, `PGPORT`, ...).
    ///   - password: a password typed at a terminal, used over any the connection string gives.
    /// - Throws: ``PostgresError`` of kind `.passwordRequired` when the server asks for a password and none
    ///   was given, else of kind `.connection`, with the reason in plain words and the redacted target.
    public init(
        _ connectionString: String? = nil, password: String? = nil, logger: Logger = Logger(label: "sarcreg.postgres")
    ) throws {
        let target = connectionString?.isEmpty == false ? connectionString! : nil
        var keywords = ["fallback_application_name", "client_encoding"]
        var values = ["sarcreg", "UTF8"]
        if let target {
            keywords.insert("dbname", at: 0)
            values.insert(target, at: 0)
        }
        // Later keywords override what the expanded connection string sets.
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let conn: OpaquePointer? = withOptionalCStringArray(keywords) { keywordPointers in
            withOptionalCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        let redacted = ConnectionString.redacted(target)
        guard let conn else {
            throw PostgresError(kind: .connection, message: "cannot connect to \(redacted): out of memory")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            // libpq's reason may quote the URL or a piece of its password (a malformed URL), so it is redacted too.
            let reason = ConnectionString.redacting(Self.firstLine(PQerrorMessage(conn)), of: target)
            let needsPassword = password == nil && PQconnectionNeedsPassword(conn) == 1
            // libpq requires PQfinish even for a connection that failed to open.
            PQfinish(conn)
            if needsPassword {
                throw PostgresError(
                    kind: .passwordRequired,
                    message: "cannot connect to \(redacted): the server asks for a password and none was given",
                    hint:
                        "give it when asked on a terminal, in ~/.pgpass (or the file PGPASSFILE names), or in PGPASSWORD"
                )
            }
            throw PostgresError(
                kind: .connection, message: "cannot connect to \(redacted): \(Self.plainReason(reason))",
                hint: "check --database or DATABASE_URL (a postgresql:// URL or key=value settings)")
        }
        self.handle = conn
        self.logger = logger
        self.redactedTarget = redacted
        self.noticeSink = Unmanaged.passRetained(NoticeSink(logger: logger))
        PQsetNoticeProcessor(conn, noticeProcessor, noticeSink.toOpaque())
        registerForInterruption()
        // Fixed session settings make text output deterministic: timestamps in UTC, ISO dates.
        try execute("SET TimeZone = 'UTC'")
        try execute("SET DateStyle = 'ISO, YMD'")
        try endSessionWithDeadClient()
    }

    /// Makes the server end this session soon after its client dies, instead of finishing the statement first.
    ///
    /// A backend notices a closed connection only when it next reads from or writes to it, so a client killed
    /// during a long statement (an import's apply) left that statement running for minutes with its
    /// transaction's locks. `client_connection_check_interval` (PostgreSQL 14+) has the backend poll its
    /// socket while a statement runs; a client that exits or is killed closes its socket, TCP or Unix, and
    /// the poll sees it within the interval. A client host that vanishes (network lost, power cut) closes
    /// nothing: the TCP keepalives make the server's kernel report that socket broken after about a minute of
    /// silence, and the same poll then sees it (the server ignores them on a Unix socket). These are session
    /// settings rather than a conninfo `options`, which would replace the user's own `options` and PGOPTIONS.
    private func endSessionWithDeadClient() throws {
        guard PQserverVersion(handle) >= 14_00_00 else { return }
        try execute(
            """
            SELECT set_config('client_connection_check_interval', '2s', false), set_config('tcp_keepalives_idle', '30', false),
                set_config('tcp_keepalives_interval', '10', false), set_config('tcp_keepalives_count', '3', false)
            """)
    }

    deinit {
        unregisterFromInterruption()
        PQfinish(handle)
        noticeSink.release()
    }

    /// The server's process id for this session (for `pg_terminate_backend` in tests and tooling).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Whether a transaction block is open on this connection.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ query: Query) throws -> [Row] {
        try execute(query).rows
    }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    public func run(_ query: Query) throws -> Int {
        try execute(query).affectedRows
    }

    /// Runs one statement with its parameters bound (`PQexecParams`, extended protocol).
    @discardableResult
    public func execute(_ query: Query) throws -> QueryResult {
        try refuseIfInterrupted(query.sql)
        logger.trace("executing statement", metadata: ["db.statement": "\(query.sql)"])
        let types = query.bindings.map { Oid($0.type.rawValue) }
        let result: OpaquePointer? = withOptionalCStringArray(query.bindings.map(\.text)) { params in
            types.withUnsafeBufferPointer { typePointer in
                PQexecParams(
                    handle, query.sql, Int32(query.bindings.count), typePointer.baseAddress, params,
                    nil, nil, 0)
            }
        }
        return try consume(result, sql: query.sql)
    }

    /// Runs a script of several statements with no parameters (`PQexec`, simple protocol).
    ///
    /// Only for trusted text such as migration files: nothing can be bound here.
    public func executeScript(_ sql: String) throws {
        try refuseIfInterrupted(sql)
        let result = PQexec(handle, sql)
        _ = try consume(result, sql: "(script)")
    }

    /// Quotes an identifier (table or column name) for statements that cannot bind it, such as COPY.
    public func quoteIdentifier(_ identifier: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw clientError("cannot quote identifier: \(Self.firstLine(PQerrorMessage(handle)))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: - Results

    func consume(_ result: OpaquePointer?, sql: String) throws -> QueryResult {
        guard let result else {
            throw clientError(Self.firstLine(PQerrorMessage(handle)), sql: sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return QueryResult(rows: Self.rows(of: result, sql: sql), affectedRows: Self.affectedRows(result))
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(rows: [], affectedRows: Self.affectedRows(result))
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw clientError("COPY statements go through copyIn or copyOut", sql: sql)
        default:
            throw Self.serverError(result, connection: handle, sql: sql)
        }
    }

    static func rows(of result: OpaquePointer, sql: String) -> [Row] {
        let rowCount = Int(PQntuples(result))
        let fieldCount = Int(PQnfields(result))
        let columns = RowColumns(
            names: (0..<fieldCount).map { String(cString: PQfname(result, Int32($0))) },
            types: (0..<fieldCount).map { PostgresType(rawValue: UInt32(PQftype(result, Int32($0)))) })
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(fieldCount)
            for field in 0..<Int32(fieldCount) {
                if PQgetisnull(result, row, field) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, field)))
                }
            }
            rows.append(Row(columns: columns, values: values, sql: sql))
        }
        return rows
    }

    static func affectedRows(_ result: OpaquePointer) -> Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    static func serverError(_ result: OpaquePointer, connection: OpaquePointer, sql: String) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let state = field(CLIBPQ_DIAG_SQLSTATE)
        let message = field(CLIBPQ_DIAG_MESSAGE_PRIMARY) ?? firstLine(PQresultErrorMessage(result))
        return PostgresError(
            kind: state == nil ? .client : .server,
            sqlState: state.map(SQLState.init(rawValue:)),
            message: message.isEmpty ? firstLine(PQerrorMessage(connection)) : message,
            detail: field(CLIBPQ_DIAG_MESSAGE_DETAIL),
            hint: field(CLIBPQ_DIAG_MESSAGE_HINT),
            constraint: field(CLIBPQ_DIAG_CONSTRAINT_NAME),
            table: field(CLIBPQ_DIAG_TABLE_NAME),
            column: field(CLIBPQ_DIAG_COLUMN_NAME),
            context: field(CLIBPQ_DIAG_CONTEXT),
            sql: sql,
            user: PQuser(connection).map { String(cString: $0) })
    }

    func clientError(_ message: String, sql: String? = nil) -> PostgresError {
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(
            kind: .client, message: lost ? "connection to the database was lost: \(message)" : message,
            sql: sql)
    }

    /// libpq's reason for a failed connection said as what to check: no server on that socket or port, a
    /// database that does not exist, a refused password. Anything else is libpq's own words. Each plain
    /// reason keeps libpq's words after it, for a search or a bug report.
    static func plainReason(_ reason: String) -> String {
        // libpq: `connection to server on socket "PATH" failed: REASON` or `... at "HOST" (ADDRESS), port N failed: REASON`.
        guard let failed = reason.range(of: " failed: ") else { return reason }
        let server = reason[..<failed.lowerBound].replacingOccurrences(of: "connection to server ", with: "")
        let cause = reason[failed.upperBound...].replacingOccurrences(of: "FATAL:  ", with: "")
        if cause.hasPrefix("No such file or directory") {
            return "no database server is running \(server) (libpq: \(cause))"
        }
        if cause.hasPrefix("Connection refused") {
            return "no database server answers \(server): is it running, and is the port right? (libpq: \(cause))"
        }
        if cause.hasPrefix("database \""), cause.hasSuffix("does not exist") {
            return
                "the server \(server) has no \(cause.replacingOccurrences(of: " does not exist", with: "")) (libpq: \(cause))"
        }
        if cause.hasPrefix("password authentication failed") {
            return "the server \(server) refused the password (libpq: \(cause))"
        }
        return reason
    }

    static func firstLine(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}

/// The rows a statement returned and the count of rows it changed.
public struct QueryResult: Sendable {
    public let rows: [Row]
    public let affectedRows: Int
}

/// Receives libpq's NOTICE and WARNING messages; without it libpq prints them to stderr.
final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeProcessor(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let context, let message else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    sink.logger.debug("server notice", metadata: ["db.notice": "\(text)"])
}

/// Lends a NULL-terminated array of C strings (nil entries stay NULL) for the duration of `body`.
func withOptionalCStringArray<R>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
