import Foundation
import PostgresClient
import TestSupport
import Testing

/// A login that the server asks a password of: the test cluster trusts local logins, so one line for a login
/// of this suite's own goes first in the cluster's pg_hba.conf (no other login matches it) and is taken out
/// again, each followed by a configuration reload.
@Suite("connecting to a server that asks for a password", .serialized)
struct ConnectionPasswordTests {
    static let password = "correct horse battery staple"

    /// Runs `body` with the URL of a database of its own, as a login the server asks a password of.
    static func withPasswordLogin(_ body: (String) throws -> Void) throws {
        let database = try TestDatabase.make()
        let owner = try database.connect()
        let login = "pw_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10)
        let verifier = try owner.scramVerifier(password: password, user: login)
        // The registry's own way to create a login: the name and verifier are bound, never spliced into SQL.
        try owner.execute("SELECT sarcreg_add_user(\(login), 'investigator', \(verifier), '{}'::text[])")
        let hbaFile = try owner.query("SHOW hba_file")[0].decode(String.self, "hba_file")
        let original = try String(contentsOfFile: hbaFile, encoding: .utf8)
        try ("local all \(login) scram-sha-256\n" + original).write(toFile: hbaFile, atomically: false, encoding: .utf8)
        try owner.execute("SELECT pg_reload_conf()")
        defer {
            try? original.write(toFile: hbaFile, atomically: false, encoding: .utf8)
            _ = try? owner.execute("SELECT pg_reload_conf()")
            _ = try? owner.execute(Query(unsafeSQL: "DROP OWNED BY \(login)"))
            _ = try? owner.execute(Query(unsafeSQL: "DROP ROLE IF EXISTS \(login)"))
        }
        // The postmaster reads the file when the reload signal arrives; wait for a connection to see the rule.
        // conninfo settings: a keyword given again overrides the earlier one.
        let url = database.connectionString + " user='\(login)'"
        for _ in 0..<50 {
            do {
                _ = try Connection(url)
            } catch let error as PostgresError where error.kind == .passwordRequired {
                break
            } catch {}
            Thread.sleep(forTimeInterval: 0.1)
        }
        try body(url)
    }

    @Test(
        "a login the server asks a password of, given none, is told so (.passwordRequired, with .pgpass and PGPASSWORD named), never 'fe_sendauth: no password supplied'"
    )
    func passwordRequired() throws {
        try Self.withPasswordLogin { url in
            let error = try #require(#expect(throws: PostgresError.self) { _ = try Connection(url) })
            #expect(error.kind == .passwordRequired)
            #expect(error.description.contains("the server asks for a password and none was given"))
            #expect(error.description.contains(".pgpass") && error.description.contains("PGPASSWORD"))
            #expect(!error.description.contains("fe_sendauth"))
        }
    }

    @Test("the password typed at the prompt connects; a wrong one is refused in words, without the password")
    func typedPassword() throws {
        try Self.withPasswordLogin { url in
            let connection = try Connection(url, password: Self.password)
            #expect(try connection.query("SELECT 1 AS n")[0].decode(Int.self, "n") == 1)
            let error = try #require(
                #expect(throws: PostgresError.self) { _ = try Connection(url, password: "wrong password 42") })
            #expect(error.kind == .connection)
            #expect(error.description.contains("refused the password"))
            #expect(!error.description.contains("wrong password 42"))
        }
    }

    @Test(
        "no server on a socket, or on a port, and an unknown database are said as such, with libpq's words kept after them"
    )
    func plainReasons() throws {
        let missingSocket = try #require(
            #expect(throws: PostgresError.self) {
                _ = try Connection("postgresql://postgres@%2Ftmp%2Fsarcreg-no-such-socket:5432/postgres")
            })
        #expect(
            missingSocket.message.contains(
                "no database server is running on socket \"/tmp/sarcreg-no-such-socket/.s.PGSQL.5432\""))
        #expect(missingSocket.message.contains("(libpq: No such file or directory)"))
        let closedPort = try #require(
            #expect(throws: PostgresError.self) { _ = try Connection("postgresql://postgres@127.0.0.1:1/postgres") })
        #expect(
            closedPort.message.contains(
                "no database server answers at \"127.0.0.1\", port 1: is it running, and is the port right?"))
        let unknown = try #require(
            #expect(throws: PostgresError.self) {
                _ = try Connection(TestDatabase.connectionString(database: "sarcreg_no_such_database"))
            })
        #expect(unknown.message.contains("has no database \"sarcreg_no_such_database\""))
    }
}
