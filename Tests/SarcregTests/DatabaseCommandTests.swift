import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("sarcreg db: migrate and status from the command line")
struct DatabaseCommandTests {
    @Test("an unreachable DATABASE_URL gives one clear line on stderr, exit 69, no password and no stack trace")
    func unreachable() throws {
        let run = try CommandLineRun.sarcreg(
            ["db", "status"],
            environment: ["DATABASE_URL": "postgresql://registrar:hunter2@127.0.0.1:1/sarcreg?connect_timeout=2"])
        #expect(run.exitCode == 69)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count <= 2, "\(run.stderr)")
        #expect(run.stderr.contains("cannot connect to postgresql://registrar:***@127.0.0.1:1/sarcreg"))
        #expect(!run.stderr.contains("hunter2"))
        #expect(!run.stderr.contains("Fatal error"))
        #expect(run.stdout.isEmpty)
    }

    @Test("a malformed DATABASE_URL is named and refused with exit 69, as a database not reached")
    func malformed() throws {
        let run = try CommandLineRun.sarcreg(
            ["db", "migrate"], environment: ["DATABASE_URL": "postgresql://db:port/x"])
        #expect(run.exitCode == 69)
        #expect(run.stderr.contains("postgresql://db:port/x"))
        #expect(run.stderr.split(separator: "\n").count <= 2, "\(run.stderr)")
    }

    @Test("--database wins over DATABASE_URL; migrate then status shows every migration applied")
    func migrateThenStatus() throws {
        let database = try TestDatabase.make(migrated: false)
        let options = ["--database", database.connectionString, "--migrations", TestDatabase.migrationsDirectory]
        let migrate = try CommandLineRun.sarcreg(
            ["db", "migrate"] + options, environment: ["DATABASE_URL": "postgresql://x@127.0.0.1:1/none"])
        #expect(migrate.exitCode == 0, "\(migrate.stderr)")
        let again = try CommandLineRun.sarcreg(["db", "migrate"] + options)
        #expect(again.stdout.contains("Schema is up to date"))
        let status = try CommandLineRun.sarcreg(["db", "status"] + options)
        #expect(status.exitCode == 0, "\(status.stderr)")
        #expect(status.stdout.contains("No pending migrations."))
        #expect(!status.stdout.contains("pending\n"))
    }
}
