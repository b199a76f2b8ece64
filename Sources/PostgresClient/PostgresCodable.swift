import Foundation

/// A Swift value that can be bound as a statement parameter, sent in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The parameter's type OID, or 0 to let the server infer it from the statement.
    static var postgresType: PostgresType { get }
    /// The text form; nil binds SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure)
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// Why one value could not be decoded; ``RowDecodingError`` adds the column and the statement.
public struct PostgresDecodingFailure: Error, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A PostgreSQL type OID with the names of the types this layer knows.
public struct PostgresType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unspecified = PostgresType(rawValue: 0)
    public static let bool = PostgresType(rawValue: 16)
    public static let bytea = PostgresType(rawValue: 17)
    public static let int8 = PostgresType(rawValue: 20)
    public static let int2 = PostgresType(rawValue: 21)
    public static let int4 = PostgresType(rawValue: 23)
    public static let text = PostgresType(rawValue: 25)
    public static let oid = PostgresType(rawValue: 26)
    public static let json = PostgresType(rawValue: 114)
    public static let float4 = PostgresType(rawValue: 700)
    public static let float8 = PostgresType(rawValue: 701)
    public static let int2Array = PostgresType(rawValue: 1005)
    public static let int4Array = PostgresType(rawValue: 1007)
    public static let textArray = PostgresType(rawValue: 1009)
    public static let varcharArray = PostgresType(rawValue: 1015)
    public static let int8Array = PostgresType(rawValue: 1016)
    public static let bpchar = PostgresType(rawValue: 1042)
    public static let varchar = PostgresType(rawValue: 1043)
    public static let date = PostgresType(rawValue: 1082)
    public static let timestamp = PostgresType(rawValue: 1114)
    public static let timestamptz = PostgresType(rawValue: 1184)
    public static let numeric = PostgresType(rawValue: 1700)
    public static let uuid = PostgresType(rawValue: 2950)
    public static let jsonb = PostgresType(rawValue: 3802)

    private static let names: [UInt32: String] = [
        0: "unknown", 16: "boolean", 17: "bytea", 20: "bigint", 21: "smallint", 23: "integer",
        25: "text", 26: "oid", 114: "json", 700: "real", 701: "double precision",
        1005: "smallint[]", 1007: "integer[]", 1009: "text[]", 1015: "varchar[]", 1016: "bigint[]",
        1042: "character", 1043: "character varying", 1082: "date", 1114: "timestamp",
        1184: "timestamp with time zone", 1700: "numeric", 2950: "uuid", 3802: "jsonb",
    ]

    public var description: String { Self.names[rawValue] ?? "oid \(rawValue)" }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var postgresText: String? { self?.postgresText }
}

extension String: PostgresCodable {
    public static var postgresType: PostgresType { .text }
    public var postgresText: String? { self }
    public init(postgresText text: String, type: PostgresType) { self = text }
}

extension Bool: PostgresCodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresText: String? { self ? "t" : "f" }
    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingFailure("not a boolean")
        }
    }
}

/// Integers share one decoding path: the text must be a whole number in the type's range.
public protocol PostgresInteger: FixedWidthInteger, PostgresCodable {}

extension PostgresInteger {
    public var postgresText: String? { String(self) }
    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = Self(text) else {
            throw PostgresDecodingFailure("not a whole number within \(Self.min)...\(Self.max)")
        }
        self = value
    }
}

extension Int16: PostgresInteger { public static var postgresType: PostgresType { .int2 } }
extension Int32: PostgresInteger { public static var postgresType: PostgresType { .int4 } }
extension Int64: PostgresInteger { public static var postgresType: PostgresType { .int8 } }
extension Int: PostgresInteger { public static var postgresType: PostgresType { .int8 } }

extension Double: PostgresCodable {
    public static var postgresType: PostgresType { .float8 }
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw PostgresDecodingFailure("not a number") }
            self = value
        }
    }
}

extension Decimal: PostgresCodable {
    public static var postgresType: PostgresType { .numeric }
    public var postgresText: String? { description }
    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        // Locale-independent parsing: numeric text always uses '.' as the decimal mark.
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
            !text.isEmpty, text != "NaN"
        else { throw PostgresDecodingFailure("not an exact decimal number") }
        self = value
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresType { .uuid }
    public var postgresText: String? { uuidString.lowercased() }
    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = UUID(uuidString: text) else { throw PostgresDecodingFailure("not a UUID") }
        self = value
    }
}
