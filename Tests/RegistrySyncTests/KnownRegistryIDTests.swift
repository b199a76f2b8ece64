import Foundation
import PostgresClient
import RegistrySync
import TestSupport
import Testing

@Suite("an export carrying the registry's own ids under a new source", .serialized)
struct KnownRegistryIDTests {
    /// A registry holding the clean export, its own SDTM export in a new folder, and source `echo` mapping the
    /// export's sites (the registry's site codes) to themselves.
    static func exportedRegistry() throws -> (fixture: SyncFixture, folder: String) {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let out = NSTemporaryDirectory() + "sdtm-echo-\(UUID().uuidString)"
        _ = try fixture.service.exportSDTM(to: out)
        try fixture.service.mapSite(source: "echo", sourceSite: "MUC", site: "MUC")
        try fixture.service.mapSite(source: "echo", sourceSite: "BER", site: "BER")
        return (fixture, out)
    }

    @Test(
        "the registry's own SDTM export imported back as source 'echo' is refused naming MUC-0001 and BER-0001, and writes nothing; with --allow-known-ids it is imported"
    )
    func sdtmExportImportedBack() throws {
        let (fixture, out) = try Self.exportedRegistry()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let before = try fixture.snapshot()
        let patients = try fixture.count("patients")

        let error = try #require(
            #expect(throws: SyncError.self) {
                _ = try fixture.service.importSDTM(SyncImportRequest(directory: out, source: "echo"))
            })
        guard case .knownRegistryIDs(let source, let ids) = error else {
            Issue.record("expected knownRegistryIDs, got \(error)")
            return
        }
        #expect(source == "echo")
        #expect(ids.contains("MUC-0001") && ids.contains("BER-0001"))
        #expect(
            error.description.contains("permission to import known registry ids")
                && error.description.contains("MUC-0001"))
        var after = try fixture.snapshot()
        // The refused run is logged as failed: the run log grows by that row alone.
        after[10] -= 1
        #expect(after == before)

        let allowed = try fixture.service.importSDTM(
            SyncImportRequest(directory: out, source: "echo", allowKnownIDs: true))
        #expect(allowed.status == "succeeded")
        #expect(try fixture.count("patients") == 2 * patients)
    }

    @Test("a second night of the same source is never refused: its subjects are the source's own, whatever their ids")
    func sameSourceAgain() throws {
        let (fixture, out) = try Self.exportedRegistry()
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = try fixture.service.importSDTM(SyncImportRequest(directory: out, source: "echo", allowKnownIDs: true))
        let rerun = try fixture.service.importSDTM(SyncImportRequest(directory: out, source: "echo"))
        #expect(rerun.status == "succeeded")
        #expect(rerun.files.allSatisfy { $0.inserted == 0 && $0.updated == 0 })
    }

    @Test(
        "the registry's own REDCap export imported back as source 'site-echo' is refused through the CLI with exit 1, naming the registry ids"
    )
    func redcapExportImportedBack() throws {
        let fixture = try REDCapFixture()
        _ = try fixture.importFile("night1.csv")
        let out = NSTemporaryDirectory() + "redcap-echo-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = try SyncService(connection: fixture.connection).exportREDCap(to: out)
        try SyncService(connection: fixture.connection).mapSite(source: "site-echo", sourceSite: "muc", site: "MUC")
        try SyncService(connection: fixture.connection).mapSite(source: "site-echo", sourceSite: "ber", site: "BER")
        let patients = try fixture.connection.query("SELECT count(*) AS n FROM patients")[0].decode(Int.self, "n")

        let published = TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv"
        let run = try CommandLineRun.sarcreg([
            "sync", "import", out, "--format", "redcap", "--dictionary", published, "--source", "site-echo",
            "--database", fixture.database.connectionString,
        ])
        #expect(run.exitCode == 1)
        #expect(
            run.stderr.contains("registry ids this registry already holds") && run.stderr.contains("MUC-0001")
                && run.stderr.contains("BER-0001"), "\(run.stderr)")
        #expect(try fixture.connection.query("SELECT count(*) AS n FROM patients")[0].decode(Int.self, "n") == patients)
    }
}
