import PostgresClient
import Testing
import TestSupport

@Suite("Connection strings: errors are one clear line and passwords never show")
struct ConnectionTests {
    @Test(
        "a URL with a password is redacted in every form libpq accepts",
        arguments: [
            (
                "postgresql://registrar:s3cr%40t@db.example:5432/sarcreg?sslmode=require",
                "postgresql://registrar:***@db.example:5432/sarcreg?sslmode=require"
            ),
            (
                "postgres://u:p@h/db?password=other&application_name=x",
                "postgres://u:***@h/db?password=***&application_name=x"
            ),
            (
                "host=db user=registrar password=s3cret dbname=sarcreg",
                "host=db user=registrar password=*** dbname=sarcreg"
            ),
            ("host=db password = 'it\\'s secret' dbname=x", "host=db password=*** dbname=x"),
            ("postgresql://nobody@localhost/sarcreg", "postgresql://nobody@localhost/sarcreg"),
        ])
    func redaction(input: String, expected: String) {
        #expect(ConnectionString.redacted(input) == expected)
    }

    @Test("an unreachable server gives a connection error naming the redacted target")
    func unreachable() {
        let error = #expect(throws: PostgresError.self) {
            try Connection("postgresql://registrar:hunter2@127.0.0.1:1/sarcreg?connect_timeout=2")
        }
        #expect(error?.kind == .connection)
        #expect(error?.description.contains("hunter2") == false)
        #expect(error?.message.contains("127.0.0.1:1") == true)
    }

    @Test(
        "every session asks the server to check every 2 s that its client is alive, and keeps the caller's own options")
    func deadClientCheck() throws {
        let settings = try ConnectionString.parse(TestDatabase.serverConnectionString).map { "\($0.key)='\($0.value)'" }
        let connection = try Connection((settings + ["options='-c lock_timeout=1234'"]).joined(separator: " "))
        #expect(
            try connection.query("SHOW client_connection_check_interval")[0].decode(
                String.self, "client_connection_check_interval") == "2s")
        #expect(try connection.query("SHOW lock_timeout")[0].decode(String.self, "lock_timeout") == "1234ms")
    }

    @Test("a malformed URL is refused before any network traffic")
    func malformed() {
        let error = #expect(throws: PostgresError.self) { try Connection("postgresql://host:notaport/db") }
        #expect(error?.kind == .connection)
        #expect(throws: PostgresError.self) { try ConnectionString.parse("host=x =oops") }
    }

    @Test("replacing the database keeps host, port and user from the URL")
    func replaceDatabase() throws {
        let replaced = try ConnectionString.replacingDatabase(
            in: "postgresql://postgres@%2Ftmp%2Fsock:54329/postgres", with: "t_123")
        let settings = Dictionary(
            try ConnectionString.parse(replaced).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        #expect(settings["host"] == "/tmp/sock")
        #expect(settings["port"] == "54329")
        #expect(settings["user"] == "postgres")
        #expect(settings["dbname"] == "t_123")
    }
}
