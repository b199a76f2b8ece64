/// One result row, copied out of libpq's result so it outlives it and can cross tasks.
///
/// ```swift
/// let id = try row.decode(Int.self, "patient_id")
/// let died = try row.decode(PostgresDate?.self, "death_date")
/// ```
public struct Row: Sendable {
    public let columns: RowColumns
    let values: [String?]
    let sql: String

    init(columns: RowColumns, values: [String?], sql: String) {
        self.columns = columns
        self.values = values
        self.sql = sql
    }

    /// Whether the named column is SQL NULL.
    public func isNull(_ column: String) throws(RowDecodingError) -> Bool {
        values[try index(of: column, decoding: "Bool")] == nil
    }

    public func decode<T: PostgresDecodable>(_: T.Type, _ column: String) throws(RowDecodingError) -> T {
        try decode(T.self, at: index(of: column, decoding: "\(T.self)"))
    }

    public func decode<T: PostgresDecodable>(_: T?.Type, _ column: String) throws(RowDecodingError) -> T? {
        try decode(T?.self, at: index(of: column, decoding: "\(T?.self)"))
    }

    public func decode<T: PostgresDecodable>(_: T.Type, at index: Int) throws(RowDecodingError) -> T {
        guard let text = values[index] else {
            throw error(at: index, swiftType: "\(T.self)", reason: "the value is NULL; decode an Optional")
        }
        do {
            return try T(postgresText: text, type: columns.types[index])
        } catch {
            throw self.error(at: index, swiftType: "\(T.self)", reason: error.reason)
        }
    }

    public func decode<T: PostgresDecodable>(_: T?.Type, at index: Int) throws(RowDecodingError) -> T? {
        guard values[index] != nil else { return nil }
        return try decode(T.self, at: index)
    }

    /// Decodes the leading columns as a tuple: `let (id, code) = try row.decode((Int, String).self)`.
    public func decode<each T: PostgresDecodable>(_: (repeat each T).Type) throws(RowDecodingError) -> (repeat each T) {
        var index = 0
        func next<U: PostgresDecodable>(_: U.Type) throws(RowDecodingError) -> U {
            defer { index += 1 }
            guard index < values.count else {
                throw RowDecodingError(
                    column: "#\(index + 1)", columnIndex: index, postgresType: .unspecified,
                    swiftType: "\(U.self)", reason: "the row has only \(values.count) columns", sql: sql)
            }
            return try decode(U.self, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// The raw text of a column, for printing results of ad-hoc statements.
    public func text(at index: Int) -> String? { values[index] }

    /// The type's name is worked out only for an error: naming a type at run time costs more than decoding a value.
    private func index(of column: String, decoding swiftType: @autoclosure () -> String) throws(RowDecodingError) -> Int
    {
        guard let index = columns.index(of: column) else {
            throw RowDecodingError(
                column: column, columnIndex: nil, postgresType: .unspecified, swiftType: swiftType(),
                reason: "no such column in the result (columns: \(columns.names.joined(separator: ", ")))",
                sql: sql)
        }
        return index
    }

    private func error(at index: Int, swiftType: String, reason: String) -> RowDecodingError {
        RowDecodingError(
            column: columns.names[index], columnIndex: index, postgresType: columns.types[index],
            swiftType: swiftType, reason: reason, sql: sql)
    }
}

/// Column names and types of a result, shared by all its rows.
public final class RowColumns: Sendable {
    public let names: [String]
    public let types: [PostgresType]
    private let positions: [String: Int]

    init(names: [String], types: [PostgresType]) {
        self.names = names
        self.types = types
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
    }

    public func index(of name: String) -> Int? { positions[name] }
}

/// A column that could not be read as the requested Swift type.
///
/// Names the column, its SQL type and the Swift type, and the statement; the value itself is left out
/// because it may be patient data.
public struct RowDecodingError: Error, Sendable, CustomStringConvertible {
    public let column: String
    public let columnIndex: Int?
    public let postgresType: PostgresType
    public let swiftType: String
    public let reason: String
    public let sql: String

    public var description: String {
        "cannot decode column \"\(column)\" (\(postgresType)) as \(swiftType): \(reason) - while executing `\(sql)`"
    }
}
