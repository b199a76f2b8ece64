import Foundation
import PostgresClient
import RegistrySync
import TestSupport
import Testing

@Suite("sync crash safety")
struct SyncCrashTests {
    @Test(
        "an import killed with SIGKILL while streaming a 200,000-row TR file leaves the database as it was; the rerun completes"
    )
    func killedImport() throws {
        let database = try TestDatabase.make()
        let connection = try database.connect()
        try connection.execute(
            "INSERT INTO sites (site_code, name) VALUES ('SA', 'A'), ('SB', 'B'), ('SC', 'C'), ('SD', 'D')")
        let service = SyncService(connection: connection)
        for (source, site) in [("701", "SA"), ("702", "SB"), ("703", "SC"), ("704", "SD")] {
            try service.mapSite(source: "bench", sourceSite: source, site: site)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sync-crash-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", TestDatabase.repositoryRoot + "/Scripts/generate-sdtm.py", folder, "200000"]
        try generator.run()
        generator.waitUntilExit()
        #expect(generator.terminationStatus == 0)

        func snapshot() throws -> [Int] {
            try [
                "patients", "therapy_lines", "lesions", "assessments", "assessment_results", "sync_subjects",
                "sync_records", "sync_runs",
                "sync_run_files", "sync_quarantine",
            ].map {
                try connection.query(Query(unsafeSQL: "SELECT count(*) AS n FROM \($0)"))[0].decode(Int.self, "n")
            }
        }
        let before = try snapshot()

        let child = Process()
        child.executableURL = CommandLineRun.executable
        child.arguments = ["sync", "import", folder, "--source", "bench", "--database", database.connectionString]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        // Kill it once its COPY of tr.csv is under way, i.e. mid-transaction with rows already sent.
        var streaming = false
        for _ in 0..<600 where !streaming {
            usleep(20_000)
            streaming =
                try connection.query(
                    """
                    SELECT count(*) AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'COPY "sync_stage_tr"%'
                    """)[0].decode(Int.self, "n") > 0
        }
        #expect(streaming, "the import never reached the TR file")
        usleep(200_000)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        // The server notices the dead client and rolls its transaction back.
        var others = 1
        for _ in 0..<500 where others > 0 {
            usleep(20_000)
            others = try connection.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )[0].decode(Int.self, "n")
        }
        #expect(try snapshot() == before)

        let rerun = try CommandLineRun.sarcreg([
            "sync", "import", folder, "--source", "bench", "--database", database.connectionString,
        ])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("0 quarantined"))
        #expect(
            try connection.query("SELECT count(*) AS n FROM assessment_results")[0].decode(Int.self, "n") == 200_000)
    }
}
