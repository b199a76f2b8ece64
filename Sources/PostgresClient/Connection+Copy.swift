internal import CLibPQ
import Foundation

/// The data format of a COPY.
public enum CopyFormat: Sendable {
    /// RFC 4180 CSV; `header: true` skips (in) or writes (out) a header line.
    case csv(header: Bool)
    /// PostgreSQL's tab-separated text format with `\N` for NULL.
    case text

    var options: String {
        switch self {
        case .csv(let header): "(FORMAT csv, HEADER \(header ? "true" : "false"))"
        case .text: "(FORMAT text)"
        }
    }
}

/// Sends COPY data to the server; lent to the closure of ``Connection/copyIn(_:_:)`` only.
public struct CopyInWriter: ~Copyable {
    let handle: OpaquePointer
    let connection: Connection

    /// Sends raw bytes; rows may be split across calls anywhere.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        // The server acts on a cancel request during COPY only when more data arrives, and would then
        // discard the rest of the file unread: stop sending instead.
        try connection.refuseIfInterrupted("COPY data")
        let sent = bytes.withMemoryRebound(to: CChar.self) { chars in
            PQputCopyData(handle, chars.baseAddress, Int32(chars.count))
        }
        guard sent == 1 else {
            throw connection.clientError("sending COPY data failed: \(Connection.firstLine(PQerrorMessage(handle)))")
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Sends the UTF-8 bytes of `text` (the byte count, not the character count, goes to libpq).
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

extension Connection {
    /// Bulk-loads rows with `COPY table (columns) FROM STDIN`; the closure streams the data.
    ///
    /// The table and column names are quoted with ``quoteIdentifier(_:)``. If the closure throws, the
    /// COPY is aborted on the server (nothing is loaded) and the closure's error is rethrown.
    ///
    /// - Returns: the number of rows loaded.
    @discardableResult
    public func copyIn(
        table: String, columns: [String], format: CopyFormat = .csv(header: false),
        _ body: (borrowing CopyInWriter) throws -> Void
    ) throws -> Int {
        let sql = try
            "COPY \(qualifiedName(table)) (\(columns.map(quoteIdentifier).joined(separator: ", "))) FROM STDIN \(format.options)"
        return try copyIn(Query(unsafeSQL: sql), body)
    }

    /// Streams a file into a table in chunks of `chunkSize` bytes; the file is never read whole.
    @discardableResult
    public func copyIn(
        table: String, columns: [String], format: CopyFormat = .csv(header: false), fromFile path: String,
        chunkSize: Int = 1 << 20
    ) throws -> Int {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw PostgresError(kind: .client, message: "cannot open \(path) for reading")
        }
        defer { try? file.close() }
        return try copyIn(table: table, columns: columns, format: format) { writer in
            while let chunk = try file.read(upToCount: chunkSize), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try writer.write($0) }
            }
        }
    }

    /// Runs a `COPY ... FROM STDIN` statement given as trusted SQL and streams the data.
    @discardableResult
    public func copyIn(_ statement: Query, _ body: (borrowing CopyInWriter) throws -> Void) throws -> Int {
        try startCopy(statement, expecting: PGRES_COPY_IN)
        var bodyError: (any Error)?
        do {
            try body(CopyInWriter(handle: handle, connection: self))
        } catch {
            bodyError = error
        }
        let reason = bodyError.map { "aborted by the client: \($0)" }
        let ended = PQputCopyEnd(handle, reason)
        if let bodyError {
            // The server's "COPY aborted" answer only echoes the caller's error; report the cause.
            _ = try? finishCopy(sql: statement.sql)
            throw bodyError
        }
        let final = try finishCopy(sql: statement.sql)
        guard ended == 1 else {
            throw clientError("ending COPY failed: \(Self.firstLine(PQerrorMessage(handle)))", sql: statement.sql)
        }
        return final
    }

    /// Streams the output of `COPY (query) TO STDOUT` or `COPY table TO STDOUT` to `receive`, one
    /// row (as libpq delivers it) at a time; the whole result is never held in memory.
    ///
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyOut(_ statement: Query, _ receive: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try startCopy(statement, expecting: PGRES_COPY_OUT)
        var receiveError: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>? = nil
            let length = PQgetCopyData(handle, &buffer, 0)
            if length == -1 { break }
            if length == -2 {
                throw clientError(
                    "reading COPY data failed: \(Self.firstLine(PQerrorMessage(handle)))", sql: statement.sql)
            }
            defer { PQfreemem(buffer) }
            // After a receiver error the rest is drained unread: libpq needs the COPY finished.
            if receiveError == nil, let buffer {
                do {
                    try receive(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                } catch {
                    receiveError = error
                }
            }
        }
        let count = try finishCopy(sql: statement.sql)
        if let receiveError { throw receiveError }
        return count
    }

    /// Sends the COPY statement and checks that the server entered the expected copy mode.
    private func startCopy(_ statement: Query, expecting mode: ExecStatusType) throws {
        precondition(statement.bindings.isEmpty, "COPY cannot take bound parameters")
        try refuseIfInterrupted(statement.sql)
        let start = PQexec(handle, statement.sql)
        guard let start, PQresultStatus(start) == mode else {
            defer { PQclear(start) }
            if let start { throw Self.serverError(start, connection: handle, sql: statement.sql) }
            throw clientError(Self.firstLine(PQerrorMessage(handle)), sql: statement.sql)
        }
        PQclear(start)
    }

    /// Reads results until libpq returns NULL, as its COPY protocol requires; returns the row count.
    private func finishCopy(sql: String) throws -> Int {
        var failure: PostgresError?
        var count = 0
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK {
                count = Self.affectedRows(result)
            } else if failure == nil {
                failure = Self.serverError(result, connection: handle, sql: sql)
            }
        }
        if let failure { throw failure }
        return count
    }

    /// Quotes `schema.table` or `table` as identifiers.
    func qualifiedName(_ name: String) throws -> String {
        try name.split(separator: ".", maxSplits: 1).map { try quoteIdentifier(String($0)) }
            .joined(separator: ".")
    }
}
