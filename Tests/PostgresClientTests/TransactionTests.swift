import Foundation
import PostgresClient
import Synchronization
import Testing
import TestSupport

@Suite("Transactions commit, roll back, and retry serialization failures")
struct TransactionTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.make(migrated: false)
        let connection = try database.connect()
        try connection.execute("CREATE TABLE on_call (site text NOT NULL, coordinator text NOT NULL)")
    }

    @Test("a body that throws rolls back everything it wrote")
    func rollback() throws {
        struct Refused: Error {}
        let connection = try database.connect()
        #expect(throws: Refused.self) {
            try connection.withTransaction { tx in
                try tx.execute("INSERT INTO on_call VALUES ('MUC', 'ada')")
                throw Refused()
            }
        }
        #expect(!connection.isInTransaction)
        let rows = try connection.query("SELECT count(*) AS n FROM on_call")
        #expect(try rows[0].decode(Int.self, "n") == 0)
    }

    @Test("opening a transaction inside another is refused instead of silently nesting")
    func nesting() throws {
        let connection = try database.connect()
        #expect(throws: PostgresError.self) {
            try connection.withTransaction { tx in
                try tx.withTransaction { _ in }
            }
        }
    }

    /// Write skew: each transaction checks that MUC has no coordinator on call, then adds one. Under
    /// SERIALIZABLE one of the two must fail with 40001 (often at COMMIT); the retry then sees the
    /// other's row and adds its own, so both end committed and the conflict is visible in the counts.
    @Test("two coordinators booking MUC's last on-call slot at once: the loser is retried and both commit")
    func serializationRetry() throws {
        let bothRead = DispatchGroup()
        bothRead.enter()
        bothRead.enter()
        let attempts = Mutex<[String: Int]>([:])
        let outcomes = Mutex<[String: String]>([:])
        let finished = DispatchGroup()
        for coordinator in ["ada", "grace"] {
            finished.enter()
            let connectionString = database.connectionString
            Thread.detachNewThread {
                defer { finished.leave() }
                do {
                    let connection = try Connection(connectionString)
                    let seen = try connection.withTransaction(isolation: .serializable, maxAttempts: 5) { tx in
                        let attempt = attempts.withLock { counts in
                            counts[coordinator, default: 0] += 1
                            return counts[coordinator]!
                        }
                        let rows = try tx.query("SELECT count(*) AS n FROM on_call WHERE site = 'MUC'")
                        let count = try rows[0].decode(Int.self, "n")
                        if attempt == 1 {
                            bothRead.leave()
                            bothRead.wait()
                        }
                        try tx.execute("INSERT INTO on_call VALUES ('MUC', \(coordinator))")
                        return count
                    }
                    outcomes.withLock { $0[coordinator] = "committed after seeing \(seen)" }
                } catch {
                    outcomes.withLock { $0[coordinator] = "failed: \(error)" }
                }
            }
        }
        finished.wait()
        let results = outcomes.withLock { $0 }
        #expect(results.values.allSatisfy { $0.hasPrefix("committed") }, "\(results)")
        // The first committer saw 0 rows; the retried one saw the first's row.
        #expect(Set(results.values) == ["committed after seeing 0", "committed after seeing 1"])
        let totalAttempts = attempts.withLock { $0.values.reduce(0, +) }
        #expect(totalAttempts >= 3)
        let connection = try database.connect()
        let rows = try connection.query("SELECT count(*) AS n FROM on_call WHERE site = 'MUC'")
        #expect(try rows[0].decode(Int.self, "n") == 2)
    }

    @Test("a serialization failure that persists past maxAttempts is reported with 40001")
    func retryExhausted() throws {
        let connection = try database.connect()
        let attempts = Mutex(0)
        let error = #expect(throws: PostgresError.self) {
            try connection.withTransaction(isolation: .serializable, maxAttempts: 3) { tx in
                attempts.withLock { $0 += 1 }
                try tx.execute("SELECT 1")
                throw PostgresError(
                    kind: .server, sqlState: .serializationFailure, message: "could not serialize access")
            }
        }
        #expect(error?.sqlState == .serializationFailure)
        #expect(attempts.withLock { $0 } == 3)
    }
}
