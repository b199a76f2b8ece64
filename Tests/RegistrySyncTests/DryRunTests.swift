import Foundation
import PostgresClient
import RegistrySync
import Testing

/// `sync import --dry-run`: everything but the write.
@Suite("Dry runs of an import", .serialized)
struct DryRunTests {
    @Test(
        "a dry run of the bad export reports the 11 quarantined rows with their reasons and the counts a real import then has, and keeps nothing, not even a run"
    )
    func dryRunKeepsNothing() throws {
        let fixture = try SyncFixture()
        let empty = try fixture.snapshot()
        let preview = try fixture.service.runSDTMImport(
            SyncImportRequest(directory: SyncFixture.fixtures + "/bad", source: "site-a", dryRun: true))
        #expect(preview.isDryRun)
        #expect(try fixture.snapshot() == empty)
        #expect(preview.quarantined.count == 11)
        #expect(
            preview.quarantined.contains {
                $0.fileName == "tr.csv" && $0.lineNumber == 16 && $0.reason == "negative diameter"
            })

        let real = try fixture.importFixture("bad")
        let counts = { (run: SyncRun) in
            run.files.map { [$0.rowsRead, $0.inserted, $0.updated, $0.unchanged, $0.quarantined, $0.skipped] }
        }
        #expect(counts(preview.run) == counts(real))
        #expect(try fixture.service.rejects(run: real.runID) == preview.quarantined)
    }

    @Test(
        "a dry run of the REDCap night lists what it would insert and keeps nothing; the same file then imports with those counts"
    )
    func redcapDryRunKeepsNothing() throws {
        let fixture = try SyncFixture()
        try fixture.service.mapSite(source: "site-r", sourceSite: "daga", site: "MUC")
        try fixture.service.mapSite(source: "site-r", sourceSite: "dagb", site: "BER")
        let empty = try fixture.snapshot()
        let folder = SyncFixture.fixtures + "/redcap"
        let request = REDCapImportRequest(
            file: folder + "/night1.csv", dictionary: folder + "/dictionary.csv", source: "site-r", dryRun: true)
        let preview = try fixture.service.runREDCapImport(request)
        #expect(try fixture.snapshot() == empty)
        #expect(preview.run.files.map(\.inserted).reduce(0, +) > 0)
        let real = try fixture.service.importREDCap(
            REDCapImportRequest(file: folder + "/night1.csv", dictionary: folder + "/dictionary.csv", source: "site-r"))
        #expect(real.files.map(\.inserted) == preview.run.files.map(\.inserted))
    }
}
