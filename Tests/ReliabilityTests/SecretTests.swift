import Foundation
import TestSupport
import Testing

@Suite("secrets stay out of help, errors and logs")
struct SecretTests {
    static let password = "pw-\(UUID().uuidString)"
    static let mrnKey = "mrn-key-\(UUID().uuidString)-padding-to-32-bytes"

    @Test("--help of every command shows neither the MRN key nor the DATABASE_URL password")
    func helpHidesSecrets() throws {
        let environment = [
            "DATABASE_URL": "postgresql://coordinator:\(Self.password)@127.0.0.1:1/none", "SARCREG_MRN_KEY": Self.mrnKey,
        ]
        for command in [[], ["patient", "enroll"], ["user", "add"], ["audit"], ["sync", "import"], ["db", "migrate"]] {
            let run = try CommandLineRun.sarcreg(command + ["--help"], environment: environment)
            #expect(run.exitCode == 0, "\(command)")
            #expect(!(run.stdout + run.stderr).contains(Self.password), "\(command)")
            #expect(!(run.stdout + run.stderr).contains(Self.mrnKey), "\(command)")
        }
    }

    @Test("a connection error and a verbose run show the DATABASE_URL redacted, never its password or the MRN key")
    func connectionErrorRedacts() throws {
        let url = "postgresql://coordinator:\(Self.password)@127.0.0.1:1/sarcreg"
        for arguments in [["patient", "list"], ["audit", "MUC-0001", "--verbose"], ["user", "add", "someone", "--role", "investigator", "--verbose"]] {
            let run = try CommandLineRun.sarcreg(arguments, environment: ["DATABASE_URL": url, "SARCREG_MRN_KEY": Self.mrnKey])
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
        let url = try ReliabilityFixture.replacingUser(in: database.connectionString, with: "postgres", password: Self.password)
        let environment = ["SARCREG_MRN_KEY": Self.mrnKey]
        let site = try CommandLineRun.sarcreg(["site", "add", "--code", "MUC", "--name", "Munich", "--database", url, "--verbose"], environment: environment)
        #expect(site.exitCode == 0, "\(site.stderr)")
        let mrn = "MRN-\(UUID().uuidString)"
        let run = try CommandLineRun.sarcreg(
            ["patient", "enroll", "--site", "MUC", "--mrn", mrn, "--birth", "1970", "--sex", "male", "--consent-date", "2024-01-02", "--database", url, "--verbose"],
            environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        for secret in [Self.password, Self.mrnKey, mrn] {
            #expect(!(run.stdout + run.stderr + site.stderr).contains(secret))
        }
    }
}
