internal import CLibPQ
import Foundation

extension Connection {
    /// Sends `queries` together in libpq's pipeline mode and lends each one's rows to `body`, in order,
    /// as soon as they have all arrived.
    ///
    /// A second thread receives the results while `body` works on the previous one, so the server runs
    /// the next statement, and its rows cross the socket, while the caller decodes: for a report that
    /// reads a million rows, that hides most of the transfer and much of the server's time. The
    /// statements run in the caller's transaction, if one is open; the first that fails aborts the
    /// rest and its error is thrown.
    ///
    /// - Parameter body: called on the calling thread with the statement's index; it must not use this
    ///   connection, which belongs to the receiving thread until `pipeline` returns.
    public func pipeline(_ queries: [Query], _ body: (Int, borrowing ResultRows) throws -> Void) throws {
        guard !queries.isEmpty else { return }
        for query in queries { try refuseIfInterrupted(query.sql) }
        guard PQenterPipelineMode(handle) == 1 else {
            throw clientError("cannot enter pipeline mode: \(Self.firstLine(PQerrorMessage(handle)))")
        }
        defer { PQexitPipelineMode(handle) }
        for (index, query) in queries.enumerated() {
            logger.trace("sending pipelined statement", metadata: ["db.statement": "\(query.sql)"])
            let types = query.bindings.map { Oid($0.type.rawValue) }
            let sent = withOptionalCStringArray(query.bindings.map(\.text)) { params in
                types.withUnsafeBufferPointer { typePointer in
                    PQsendQueryParams(
                        handle, query.sql, Int32(query.bindings.count), typePointer.baseAddress, params, nil, nil, 0)
                }
            }
            guard sent == 1 else {
                // The statements sent before this one still answer; read them up to a sync and drop them.
                let error = clientError(Self.firstLine(PQerrorMessage(handle)), sql: query.sql)
                PQpipelineSync(handle)
                let receiver = PipelineReceiver(handle: handle, statements: index)
                receiver.receive()
                receiver.finish()
                throw error
            }
        }
        guard PQpipelineSync(handle) == 1 else {
            throw clientError("cannot send the pipeline: \(Self.firstLine(PQerrorMessage(handle)))")
        }
        let receiver = PipelineReceiver(handle: handle, statements: queries.count)
        let thread = Thread { receiver.receive() }
        thread.start()
        // Whatever happens to `body`, the receiving thread reads up to the sync before the connection is
        // used again; results nobody took are freed.
        defer { receiver.finish() }
        for (index, query) in queries.enumerated() {
            guard let result = receiver.next() else {
                receiver.finish()
                throw clientError(Self.firstLine(PQerrorMessage(handle)), sql: query.sql)
            }
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_TUPLES_OK else {
                receiver.finish()
                throw Self.serverError(result, connection: handle, sql: query.sql)
            }
            try body(index, ResultRows(result: result, sql: query.sql))
        }
    }
}

/// Reads the results of a sent pipeline on its own thread and hands them over one by one.
///
/// Unchecked Sendable: the connection handle is used by the receiving thread only, between `receive`
/// starting and `finish` returning, while the owning thread waits for results and never touches it;
/// the hand-over state is guarded by `condition`. A finished libpq result is read-only and may be read
/// from any thread.
private final class PipelineReceiver: @unchecked Sendable {
    private let handle: OpaquePointer
    private let statements: Int
    private let condition = NSCondition()
    private var ready: [OpaquePointer?] = []
    private var taken = 0
    private var done = false

    init(handle: OpaquePointer, statements: Int) {
        self.handle = handle
        self.statements = statements
    }

    func receive() {
        var connected = true
        for _ in 0..<statements {
            // Each statement's result is followed by a NULL that ends it; NULL first means the
            // connection is gone.
            let result = PQgetResult(handle)
            if result != nil {
                while let extra = PQgetResult(handle) { PQclear(extra) }
            }
            condition.lock()
            ready.append(result)
            condition.signal()
            condition.unlock()
            if result == nil {
                connected = false
                break
            }
        }
        if connected { drainToSync() }
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads the sync that ends the pipeline, after every statement's results.
    private func drainToSync() {
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { return }
        }
    }

    /// The next statement's result, waiting for it; nil when the connection failed. The caller frees it.
    func next() -> OpaquePointer? {
        condition.lock()
        defer { condition.unlock() }
        while ready.count <= taken, !done { condition.wait() }
        guard taken < ready.count else { return nil }
        taken += 1
        return ready[taken - 1]
    }

    /// Waits until the receiving thread has read the whole pipeline, and frees the results not taken.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        while taken < ready.count {
            if let result = ready[taken] { PQclear(result) }
            taken += 1
        }
    }
}
