/// A SQLSTATE code as the server reports it, e.g. `23505`.
///
/// A code whose last three characters are `000` names a whole class, and matches every code of that
/// class in a `switch` or `~=` (`.integrityConstraintViolation ~= .uniqueViolation` is true), so callers
/// can catch "any constraint failure" without listing them.
public struct SQLState: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    /// The two-character class, e.g. `23` for integrity constraint violations.
    public var errorClass: Substring { rawValue.prefix(2) }

    public static func ~= (pattern: SQLState, state: SQLState) -> Bool {
        if pattern.rawValue.hasSuffix("000") { return pattern.errorClass == state.errorClass }
        return pattern == state
    }

    public static let integrityConstraintViolation: SQLState = "23000"
    public static let notNullViolation: SQLState = "23502"
    public static let foreignKeyViolation: SQLState = "23503"
    public static let uniqueViolation: SQLState = "23505"
    public static let checkViolation: SQLState = "23514"
    public static let exclusionViolation: SQLState = "23P01"
    public static let dataException: SQLState = "22000"
    public static let invalidTextRepresentation: SQLState = "22P02"
    public static let raiseException: SQLState = "P0001"
    public static let serializationFailure: SQLState = "40001"
    public static let deadlockDetected: SQLState = "40P01"
    public static let lockNotAvailable: SQLState = "55P03"
    public static let readOnlySQLTransaction: SQLState = "25006"
    public static let queryCanceled: SQLState = "57014"
    public static let adminShutdown: SQLState = "57P01"
    public static let undefinedTable: SQLState = "42P01"
    public static let insufficientPrivilege: SQLState = "42501"
    /// `CREATE ROLE` of a role that exists: roles are cluster-wide, so no table constraint names it.
    public static let duplicateObject: SQLState = "42710"
    public static let connectionException: SQLState = "08000"
}

/// Everything the client layer reports when PostgreSQL or libpq fails.
///
/// Server errors keep the fields libpq reads from the error response (SQLSTATE, detail, hint,
/// constraint, table, column, context), the statement text and the login that ran it. Bound values are
/// never part of the error, and row values never part of its ``description``: they may hold patient data.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The connection could not be opened (bad URL, host unreachable, authentication).
        case connection
        /// The server asks for a password and none was given (no password in the URL, `PGPASSWORD` or
        /// the password file): a terminal may ask for it and connect again.
        case passwordRequired
        /// The server answered a statement with an error.
        case server
        /// The connection broke or libpq refused a call (e.g. a COPY protocol violation).
        case client
        /// A `COPY` was ended by the caller's own error.
        case copyAborted
    }

    public let kind: Kind
    /// nil for client-side failures, which have no SQLSTATE.
    public let sqlState: SQLState?
    public let message: String
    /// The server's DETAIL, which often quotes the row (`Failing row contains (...)`, `Key (mrn)=(...)`):
    /// for a developer's log only, never in ``description``.
    public let detail: String?
    public let hint: String?
    public let constraint: String?
    public let table: String?
    public let column: String?
    /// The server's CONTEXT, e.g. `COPY staging_tr, line 42, column trorres: "..."`; after the location
    /// it may quote a value, so ``description`` shows the location alone.
    public let context: String?
    /// The statement text, never its bound values.
    public let sql: String?
    /// The database login of the connection that ran the statement (libpq's user name).
    public let user: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil, column: String? = nil,
        context: String? = nil, sql: String? = nil, user: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.context = context
        self.sql = sql
        self.user = user
    }

    /// One block a person can act on and a log may keep: the message, the server's hint and where it
    /// failed. The DETAIL and any value the CONTEXT quotes are left out, as they show row values.
    public var description: String {
        var text = sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
        if sqlState == .readOnlySQLTransaction {
            // On a hot standby every write fails this way; the server's words ("in a read-only transaction") do not
            // say that the command reached a standby, nor where writes go.
            text =
                "read-only server: \(text); the server takes no writes (a hot standby), so give the primary, "
                + "or every host with target_session_attrs=read-write"
        }
        if let hint { text += "\nHINT: \(hint)" }
        if let context { text += "\nCONTEXT: \(Self.location(context))" }
        return text
    }

    /// Each CONTEXT line up to the value it quotes: `COPY t, line 3, column c: "4711"` and
    /// `COPY t, line 3: "a,b,c"` end with a value of the row after `: `.
    static func location(_ context: String) -> String {
        context.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.range(of: ": ").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n")
    }

    /// Everything the server said, for the person who asked for it with a verbose log: ``description``, then
    /// the DETAIL and the whole CONTEXT (both may quote row values), the constraint, table and column, and the
    /// statement text. Bound values are still never part of it: the client does not keep them.
    public var debugDescription: String {
        var lines = [sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message]
        if let detail { lines.append("DETAIL: \(detail)") }
        if let hint { lines.append("HINT: \(hint)") }
        if let context { lines.append("CONTEXT: \(context)") }
        for (name, value) in [("CONSTRAINT", constraint), ("TABLE", table), ("COLUMN", column), ("USER", user)] {
            if let value { lines.append("\(name): \(value)") }
        }
        if let sql { lines.append("STATEMENT: \(sql)") }
        return lines.joined(separator: "\n")
    }

    /// Whether retrying the whole transaction may succeed.
    public var isTransient: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }
}

/// An error that may have come from the server, with the server's error when it did: a front end shows its
/// ``PostgresError/debugDescription`` to whoever asked for a verbose log, and only its `description` otherwise.
public protocol DatabaseFailure: Error {
    var databaseError: PostgresError? { get }
}

extension PostgresError: DatabaseFailure {
    public var databaseError: PostgresError? { self }
}

/// A transaction whose body failed and whose ROLLBACK failed too; both are kept.
public struct PostgresTransactionError: Error, CustomStringConvertible, DatabaseFailure {
    public let bodyError: any Error
    public let rollbackError: PostgresError

    public var databaseError: PostgresError? { (bodyError as? any DatabaseFailure)?.databaseError ?? rollbackError }

    public var description: String {
        "\(bodyError)\nand the rollback failed as well: \(rollbackError)"
    }
}

/// What a refused privilege (SQLSTATE 42501) was about, read from the server's message and the statement,
/// so a service can say in plain words which login may not do what.
public struct PrivilegeRefusal: Sendable, Hashable {
    /// The database login that was refused.
    public let login: String?
    /// The object the server names, e.g. `table sync_runs`; nil when the message names none.
    public let object: String?
    /// The statement starts with INSERT, UPDATE, DELETE, COPY, TRUNCATE or MERGE: it was refused a write.
    public let isWrite: Bool
    /// A row-level security policy refused the row: the login may write the table, but not rows of
    /// that site.
    public let isRowPolicy: Bool
}

extension PostgresError {
    /// The refusal, for an `insufficient_privilege` error; nil for any other.
    public var privilegeRefusal: PrivilegeRefusal? {
        guard sqlState == .insufficientPrivilege else { return nil }
        // "permission denied for table sync_runs", "new row violates row-level security policy for table \"patients\"".
        let object = message.firstMatch(of: /for (table|view|sequence|schema|function|column) "?([^"]+)"?$/)
            .map { "\($0.1) \($0.2)" }
        let verb = sql?.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).first?.uppercased() ?? ""
        return PrivilegeRefusal(
            login: user, object: object,
            isWrite: ["INSERT", "UPDATE", "DELETE", "COPY", "TRUNCATE", "MERGE"].contains(verb),
            isRowPolicy: message.contains("row-level security"))
    }
}
