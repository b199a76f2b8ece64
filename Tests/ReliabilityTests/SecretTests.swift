import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("secrets stay out of help, errors and logs")
struct SecretTests {
    static let password = "pw-\(UUID().uuidString)"
    static let mrnKey = "mrn-key-\(UUID().uuidString)-padding-to-32-bytes"

    @Test("--help of every command shows neither the MRN key nor the DATABASE_URL password")
    func helpHidesSecrets() throws {
        let environment = [
            "DATABASE_URL": "postgresql://coordinator:\(Self.password)@127.0.0.1:1/none",
            "SARCREG_MRN_KEY": Self.mrnKey,
        ]
        for command in [
            [], ["patient", "enroll"], ["user", "add"], ["audit"], ["sync", "import"], ["db", "migrate"],
        ] {
            let run = try CommandLineRun.sarcreg(command + ["--help"], environment: environment)
            #expect(run.exitCode == 0, "\(command)")
            #expect(!(run.stdout + run.stderr).contains(Self.password), "\(command)")
            #expect(!(run.stdout + run.stderr).contains(Self.mrnKey), "\(command)")
        }
    }

    @Test("a connection error and a verbose run show the DATABASE_URL redacted, never its password or the MRN key")
    func connectionErrorRedacts() throws {
        let url = "postgresql://coordinator:\(Self.password)@127.0.0.1:1/sarcreg"
        for arguments in [
            ["patient", "list"], ["audit", "MUC-0001", "--verbose"],
            ["user", "add", "someone", "--role", "investigator", "--verbose"],
        ] {
            let run = try CommandLineRun.sarcreg(
                arguments, environment: ["DATABASE_URL": url, "SARCREG_MRN_KEY": Self.mrnKey])
            #expect(run.exitCode != 0)
            #expect(!(run.stdout + run.stderr).contains(Self.password), "\(arguments): \(run.stderr)")
            #expect(!(run.stdout + run.stderr).contains(Self.mrnKey), "\(arguments)")
        }
        let run = try CommandLineRun.sarcreg(["patient", "list", "--verbose"], environment: ["DATABASE_URL": url])
        #expect(run.stderr.contains("127.0.0.1"), "the error names the server it tried: \(run.stderr)")
    }

    @Test("a verbose enrollment logs neither the MRN key, the MRN nor the password of the database URL")
    func verboseLogsHideSecrets() throws {
        let database = try TestDatabase.make()
        let url = try ReliabilityFixture.replacingUser(
            in: database.connectionString, with: "postgres", password: Self.password)
        let environment = ["SARCREG_MRN_KEY": Self.mrnKey]
        let site = try CommandLineRun.sarcreg(
            ["site", "add", "--code", "MUC", "--name", "Munich", "--database", url, "--verbose"],
            environment: environment)
        #expect(site.exitCode == 0, "\(site.stderr)")
        let mrn = "MRN-\(UUID().uuidString)"
        let run = try CommandLineRun.sarcreg(
            [
                "patient", "enroll", "--site", "MUC", "--mrn", mrn, "--birth", "1970", "--sex", "male",
                "--consent-date", "2024-01-02", "--database", url, "--verbose",
            ],
            environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        for secret in [Self.password, Self.mrnKey, mrn] {
            #expect(!(run.stdout + run.stderr + site.stderr).contains(secret))
        }
    }

    /// Each password is made of two random halves, so a test can see whether libpq quoted either half.
    static let halves = ("pwa\(UUID().uuidString.prefix(8))", "pwb\(UUID().uuidString.prefix(8))")

    /// The malformed URLs that made libpq quote the password: `%zz` in it (libpq quotes the password as
    /// an invalid token), an unclosed `[` (libpq quotes the whole URL), and a `/` in it (libpq reads the
    /// half before the `/` as the port and quotes it).
    static let malformedURLs = [
        "postgresql://registrar:\(halves.0)%zz\(halves.1)@127.0.0.1:1/sarcreg",
        "postgresql://registrar:\(halves.0)\(halves.1)@[::1:1/sarcreg",
        "postgresql://registrar:\(halves.0)/\(halves.1)@127.0.0.1:1/sarcreg",
    ]

    @Test(
        "a malformed URL (%zz in the password, an unclosed [, a / in the password) fails without either half of its password in the error",
        arguments: malformedURLs)
    func malformedURLHidesPassword(url: String) throws {
        let error = #expect(throws: PostgresError.self) { try Connection(url) }
        let description = try #require(error).description
        #expect(!description.contains(Self.halves.0) && !description.contains(Self.halves.1), "\(description)")
        #expect(description.contains("registrar:***@"), "the error names the redacted target: \(description)")

        let run = try CommandLineRun.sarcreg(["patient", "list"], environment: ["DATABASE_URL": url])
        #expect(run.exitCode != 0)
        #expect(
            !(run.stdout + run.stderr).contains(Self.halves.0) && !(run.stdout + run.stderr).contains(Self.halves.1),
            "\(run.stderr)")
        #expect(run.stderr.contains("***"), "the message says something was hidden: \(run.stderr)")
    }

    @Test(
        "parsing a URL with %zz in the password or an unclosed [ fails without either half of its password",
        arguments: malformedURLs.prefix(2))
    func malformedURLParseHidesPassword(url: String) throws {
        let error = #expect(throws: PostgresError.self) { try ConnectionString.parse(url) }
        let description = try #require(error).description
        #expect(!description.contains(Self.halves.0) && !description.contains(Self.halves.1), "\(description)")
    }

    @Test("libpq text quoting a password, the URL or a piece of the password is redacted; text quoting neither is kept")
    func libpqTextRedaction() {
        let url = "postgresql://u:se/cret@h:1/db"
        #expect(
            ConnectionString.redacting(#"invalid integer value "se" for connection option "port""#, of: url)
                == #"invalid integer value "***" for connection option "port""#)
        #expect(ConnectionString.redacting(#"bad URI: "\#(url)""#, of: url) == #"bad URI: "postgresql://u:***@h:1/db""#)
        #expect(
            ConnectionString.redacting(#"invalid percent-encoded token: "a%zzb""#, of: "host=h password='a%zzb'")
                == #"invalid percent-encoded token: "***""#)
        #expect(
            ConnectionString.redacting(#"could not connect to "h" port 1"#, of: url)
                == #"could not connect to "h" port 1"#)
    }

    @Test(
        "--as with a newline or ESC is refused naming the option and nothing is written; a name with accents is accepted",
        arguments: [
            "Dr. Weber\n2026-01-01 forged line", "Dr. \u{1B}[31mWeber", "Dr. \u{202E}rebeW",
            String(repeating: "x", count: 65),
        ])
    func appUserMustBePrintable(name: String) throws {
        let database = try TestDatabase.make()
        let environment = ["DATABASE_URL": database.connectionString]
        let refused = try CommandLineRun.sarcreg(
            ["site", "add", "--code", "MUC", "--name", "Munich", "--as", name], environment: environment)
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("--as must be 1 to 64 printable characters"), "\(refused.stderr)")
        #expect(
            !refused.stderr.contains("\u{1B}") && !refused.stderr.contains("\u{202E}"),
            "the refusal shows the escape as a code point: \(refused.stderr)")
        let sites = try database.connect().query("SELECT count(*) AS n FROM sites")
        #expect(try sites[0].decode(Int.self, "n") == 0)

        let accepted = try CommandLineRun.sarcreg(
            ["site", "add", "--code", "MUC", "--name", "Munich", "--as", "Dr. Müller-Lüdenscheidt"],
            environment: environment)
        #expect(accepted.exitCode == 0, "\(accepted.stderr)")
    }
}
