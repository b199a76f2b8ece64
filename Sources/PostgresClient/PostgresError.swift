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
    public static let queryCanceled: SQLState = "57014"
    public static let adminShutdown: SQLState = "57P01"
    public static let undefinedTable: SQLState = "42P01"
    public static let insufficientPrivilege: SQLState = "42501"
    public static let connectionException: SQLState = "08000"
}

/// Everything the client layer reports when PostgreSQL or libpq fails.
///
/// Server errors keep the fields libpq reads from the error response (SQLSTATE, detail, hint,
/// constraint, table, column, context) and the statement text. Bound values are never part of the
/// error: they may hold patient data.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The connection could not be opened (bad URL, host unreachable, authentication).
        case connection
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
    public let detail: String?
    public let hint: String?
    public let constraint: String?
    public let table: String?
    public let column: String?
    /// The server's CONTEXT line, e.g. `COPY staging_tr, line 42`.
    public let context: String?
    /// The statement text, never its bound values.
    public let sql: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil, column: String? = nil,
        context: String? = nil, sql: String? = nil
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
    }

    /// One block a person can act on: the message, then the server's detail and hint.
    public var description: String {
        var text = sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        if let context { text += "\nCONTEXT: \(context)" }
        return text
    }

    /// Whether retrying the whole transaction may succeed.
    public var isTransient: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }
}

/// A transaction whose body failed and whose ROLLBACK failed too; both are kept.
public struct PostgresTransactionError: Error, CustomStringConvertible {
    public let bodyError: any Error
    public let rollbackError: PostgresError

    public var description: String {
        "\(bodyError)\nand the rollback failed as well: \(rollbackError)"
    }
}
