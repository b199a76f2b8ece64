internal import CLibPQ
import Foundation

/// The isolation level a transaction starts with.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// A serialization failure (40001) or deadlock (40P01), which PostgreSQL may report at any statement
    /// or only at COMMIT, rolls back and runs the **whole** body again, up to `maxAttempts` times with a
    /// short random pause. The body must therefore be safe to run twice: return values and act on
    /// them after the commit rather than printing or writing files inside it.
    ///
    /// - Throws: the body's error; ``PostgresTransactionError`` when the rollback failed too;
    ///   a client error when a transaction is already open (nesting is not supported).
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted, maxAttempts: Int = 5, _ body: (Connection) throws -> T
    ) throws -> T {
        guard !isInTransaction else {
            throw clientError("a transaction is already open on this connection; nesting is not supported")
        }
        var attempt = 1
        while true {
            do {
                try execute(Query(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
                let value = try body(self)
                try execute("COMMIT")
                return value
            } catch {
                if isInTransaction {
                    do {
                        try execute("ROLLBACK")
                    } catch let rollbackError as PostgresError {
                        throw PostgresTransactionError(bodyError: error, rollbackError: rollbackError)
                    }
                }
                guard let postgresError = error as? PostgresError, postgresError.isTransient,
                    attempt < maxAttempts
                else { throw error }
                logger.debug(
                    "retrying transaction",
                    metadata: ["db.sqlstate": "\(postgresError.sqlState?.rawValue ?? "")", "db.attempt": "\(attempt)"])
                // Jitter keeps two conflicting writers from colliding again in lock step.
                usleep(UInt32.random(in: 1_000...20_000) * UInt32(attempt))
                attempt += 1
            }
        }
    }
}
