/// A statement with its parameters bound separately from the SQL text.
///
/// Interpolating a value appends `$n` to the SQL and the value to the bindings, so a value can never
/// become part of the statement text:
///
/// ```swift
/// let rows = try connection.query("SELECT registry_id FROM patients WHERE site_code = \(site)")
/// ```
///
/// Only ``init(unsafeSQL:)`` takes SQL text as is; use it for trusted text (migration files,
/// identifiers already quoted with ``Connection/quoteIdentifier(_:)``).
public struct Query: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var bindings: [Binding]

    /// One bound parameter in text form, with its type OID (0 lets the server infer it).
    public struct Binding: Sendable {
        public let text: String?
        public let type: PostgresType
    }

    public init(unsafeSQL sql: String) {
        self.sql = sql
        self.bindings = []
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.bindings = stringInterpolation.bindings
    }

    /// The SQL text only; bindings are left out on purpose, as they may hold patient data.
    public var description: String { sql }

    /// Adds a parameter and returns its placeholder, for statements built piece by piece.
    public mutating func bind(_ value: some PostgresEncodable) -> String {
        bindings.append(Binding(text: value.postgresText, type: type(of: value).postgresType))
        return "$\(bindings.count)"
    }

    /// Appends trusted SQL text.
    public mutating func append(unsafeSQL text: String) {
        sql += text
    }

    /// Appends another query, renumbering its placeholders after this one's.
    public mutating func append(_ other: Query) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.bindings = bindings
        interpolation.appendQuery(other)
        sql += interpolation.sql
        bindings = interpolation.bindings
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql = ""
        var bindings: [Binding] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            bindings.append(Binding(text: value.postgresText, type: type(of: value).postgresType))
            sql += "$\(bindings.count)"
        }

        /// A value that may be absent binds as NULL when it is. Spelled out so that an optional reaches SQL as a
        /// bound value of its wrapped type, never as the debug description string interpolation would give it.
        public mutating func appendInterpolation<Wrapped: PostgresEncodable>(_ value: Wrapped?) {
            bindings.append(Binding(text: value?.postgresText ?? nil, type: Wrapped.postgresType))
            sql += "$\(bindings.count)"
        }

        /// Embeds a sub-query, renumbering its `$n` placeholders.
        public mutating func appendInterpolation(_ query: Query) {
            appendQuery(query)
        }

        /// Embeds trusted SQL text, e.g. an identifier quoted with `Connection.quoteIdentifier`.
        public mutating func appendInterpolation(unsafeSQL text: String) {
            sql += text
        }

        mutating func appendQuery(_ query: Query) {
            let offset = bindings.count
            bindings += query.bindings
            guard offset > 0, !query.bindings.isEmpty else {
                sql += query.sql
                return
            }
            sql += Query.renumber(query.sql, by: offset)
        }
    }

    /// Shifts every `$n` placeholder outside quoted text by `offset`.
    static func renumber(_ sql: String, by offset: Int) -> String {
        var output = ""
        var scalars = sql.unicodeScalars.makeIterator()
        var inQuote: Unicode.Scalar? = nil
        var pending: Unicode.Scalar? = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if let quote = inQuote {
                output.unicodeScalars.append(scalar)
                if scalar == quote { inQuote = nil }
                continue
            }
            if scalar == "'" || scalar == "\"" {
                inQuote = scalar
                output.unicodeScalars.append(scalar)
                continue
            }
            guard scalar == "$", let next = pending, ("0"..."9").contains(next) else {
                output.unicodeScalars.append(scalar)
                continue
            }
            var digits = ""
            while let digit = pending, ("0"..."9").contains(digit) {
                digits.unicodeScalars.append(digit)
                pending = scalars.next()
            }
            output += "$\(Int(digits)! + offset)"
        }
        return output
    }
}
