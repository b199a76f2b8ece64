internal import CLibPQ

/// One row of a result, read in place from libpq's buffer; lent to the closure of
/// ``Connection/forEachRow(_:_:)`` only.
///
/// It decodes like ``Row`` (the same ``PostgresDecodable`` conversions and errors) but copies nothing
/// until a column is decoded, so reading a million rows allocates no per-row storage.
public struct ResultRow: ~Copyable {
    let result: OpaquePointer
    let row: Int32
    let columns: RowColumns
    let sql: String

    public func isNull(at index: Int) -> Bool {
        PQgetisnull(result, row, Int32(index)) == 1
    }

    public func decode<T: PostgresDecodable>(_: T.Type, at index: Int) throws(RowDecodingError) -> T {
        guard !isNull(at: index) else {
            throw error(at: index, swiftType: "\(T.self)", reason: "the value is NULL; decode an Optional")
        }
        // Values up to 15 bytes (ids, dates, codes, diameters) become small strings held inline: no allocation.
        let text = String(cString: PQgetvalue(result, row, Int32(index)))
        do {
            return try T(postgresText: text, type: columns.types[index])
        } catch {
            throw self.error(at: index, swiftType: "\(T.self)", reason: error.reason)
        }
    }

    /// A whole number parsed straight from libpq's buffer, without building a `String`: the fast path
    /// for id columns of results with millions of rows.
    public func integer(at index: Int) throws(RowDecodingError) -> Int {
        guard let value = optionalInteger(at: index) else {
            throw error(
                at: index, swiftType: "Int",
                reason: isNull(at: index) ? "the value is NULL; decode an Optional" : "not a whole number")
        }
        return value
    }

    /// Like ``integer(at:)``, nil for NULL or for text that is not a whole number within `Int`.
    public func optionalInteger(at index: Int) -> Int? {
        guard !isNull(at: index) else { return nil }
        var pointer = UnsafeRawPointer(PQgetvalue(result, row, Int32(index))!).assumingMemoryBound(to: UInt8.self)
        let negative = pointer.pointee == UInt8(ascii: "-")
        if negative { pointer += 1 }
        guard pointer.pointee != 0 else { return nil }
        var value = 0
        while pointer.pointee != 0 {
            let digit = Int(pointer.pointee) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            pointer += 1
        }
        return value
    }

    /// A `boolean` column read from its first byte (`t` or `f`), without building a `String`.
    public func boolean(at index: Int) throws(RowDecodingError) -> Bool {
        guard !isNull(at: index) else {
            throw error(at: index, swiftType: "Bool", reason: "the value is NULL; decode an Optional")
        }
        switch PQgetvalue(result, row, Int32(index)).pointee {
        case CChar(UInt8(ascii: "t")): return true
        case CChar(UInt8(ascii: "f")): return false
        default: throw error(at: index, swiftType: "Bool", reason: "not a boolean")
        }
    }

    /// A decimal such as `32.50` as a whole number of its smallest units (`3250` for `scale` 2), parsed
    /// straight from libpq's buffer; nil for NULL, for more than `scale` decimals, or beyond `Int`.
    /// Exact, unlike a detour through `Double`.
    public func optionalFixedPoint(at index: Int, scale: Int) -> Int? {
        guard !isNull(at: index) else { return nil }
        var pointer = UnsafeRawPointer(PQgetvalue(result, row, Int32(index))!).assumingMemoryBound(to: UInt8.self)
        let negative = pointer.pointee == UInt8(ascii: "-")
        if negative { pointer += 1 }
        var value = 0
        var digits = 0
        var decimals: Int? = nil
        while pointer.pointee != 0 {
            if pointer.pointee == UInt8(ascii: "."), decimals == nil {
                decimals = 0
                pointer += 1
                continue
            }
            let digit = Int(pointer.pointee) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return nil }
            if let places = decimals {
                guard places < scale else { return nil }
                decimals = places + 1
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            digits += 1
            pointer += 1
        }
        guard digits > 0 else { return nil }
        for _ in (decimals ?? 0)..<scale {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = times10
        }
        return negative ? -value : value
    }

    /// Lends the value's bytes in libpq's buffer (no terminating NUL), to compare a code against a known
    /// vocabulary without building a `String`; nil for NULL.
    public func withUnsafeBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard !isNull(at: index) else { return try body(nil) }
        let bytes = UnsafeRawBufferPointer(
            start: PQgetvalue(result, row, Int32(index)), count: Int(PQgetlength(result, row, Int32(index))))
        return try body(bytes)
    }

    public func decode<T: PostgresDecodable>(_: T?.Type, at index: Int) throws(RowDecodingError) -> T? {
        guard !isNull(at: index) else { return nil }
        return try decode(T.self, at: index)
    }

    private func error(at index: Int, swiftType: String, reason: String) -> RowDecodingError {
        RowDecodingError(
            column: columns.names[index], columnIndex: index, postgresType: columns.types[index],
            swiftType: swiftType, reason: reason, sql: sql)
    }
}

extension Connection {
    /// Runs one statement with its parameters bound and hands each result row to `body` in place,
    /// for results too large to copy into ``Row`` values.
    ///
    /// - Returns: the number of rows.
    @discardableResult
    public func forEachRow(_ query: Query, _ body: (borrowing ResultRow) throws -> Void) throws -> Int {
        logger.trace("executing statement", metadata: ["db.statement": "\(query.sql)"])
        let types = query.bindings.map { Oid($0.type.rawValue) }
        let result: OpaquePointer? = withOptionalCStringArray(query.bindings.map(\.text)) { params in
            types.withUnsafeBufferPointer { typePointer in
                PQexecParams(
                    handle, query.sql, Int32(query.bindings.count), typePointer.baseAddress, params,
                    nil, nil, 0)
            }
        }
        guard let result else {
            throw clientError(Self.firstLine(PQerrorMessage(handle)), sql: query.sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK:
            break
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw clientError("forEachRow reads the rows of a query, and this statement returns none", sql: query.sql)
        default:
            throw Self.serverError(result, connection: handle, sql: query.sql)
        }
        let rows = ResultRows(result: result, sql: query.sql)
        try rows.forEach(body)
        return rows.count
    }
}

/// The rows of one result, read in place; lent by ``Connection/pipeline(_:_:)`` for the duration of its body.
public struct ResultRows: ~Copyable {
    let result: OpaquePointer
    let columns: RowColumns
    let sql: String

    init(result: OpaquePointer, sql: String) {
        self.result = result
        self.sql = sql
        let fieldCount = PQnfields(result)
        columns = RowColumns(
            names: (0..<fieldCount).map { String(cString: PQfname(result, $0)) },
            types: (0..<fieldCount).map { PostgresType(rawValue: UInt32(PQftype(result, $0))) })
    }

    public var count: Int { Int(PQntuples(result)) }

    public func forEach(_ body: (borrowing ResultRow) throws -> Void) rethrows {
        for row in 0..<PQntuples(result) {
            try body(ResultRow(result: result, row: row, columns: columns, sql: sql))
        }
    }
}
