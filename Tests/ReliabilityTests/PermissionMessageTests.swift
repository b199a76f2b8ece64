import Foundation
import PostgresClient
import RegistryServices
import RegistrySync
import TestSupport
import Testing

@Suite("A refused privilege (SQLSTATE 42501) says which login may not do what, in plain words", .serialized)
struct PermissionMessageTests {
    @Test(
        "a coordinator login running an SDTM import is told it may not run sync imports and to ask for the sarcreg_sync role, not 'permission denied for table sync_runs (SQLSTATE 42501)'"
    )
    func coordinatorImport() throws {
        let fixture = try ReliabilityFixture(sites: ["SA"])
        let login = try fixture.addLogin("coord", role: .coordinator, sites: ["SA"])
        let coordinator = try fixture.connect(as: login)
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RegistrySyncTests/Fixtures/clean").path
        let error = #expect(throws: SyncError.self) {
            try SyncService(connection: coordinator).importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        }
        guard case .notPermitted(let refusal) = error else {
            Issue.record("expected notPermitted, got \(String(describing: error))")
            return
        }
        #expect(refusal.login == login && refusal.isWrite && refusal.object == "table sync_runs")
        let message = try #require(error?.description)
        #expect(message.hasPrefix("your database login (\(login)) may not run sync imports"))
        #expect(message.contains("sarcreg_sync role"))
        #expect(!message.contains("SQLSTATE"))
    }

    @Test("a coordinator login reading the sync run log is told it may not read table sync_runs and which roles may")
    func coordinatorReadsRuns() throws {
        let fixture = try ReliabilityFixture(sites: ["SA"])
        let login = try fixture.addLogin("coord", role: .coordinator, sites: ["SA"])
        let error = #expect(throws: SyncError.self) {
            try SyncService(connection: try fixture.connect(as: login)).runs()
        }
        #expect(
            error?.description
                == "your database login (\(login)) may not read table sync_runs; ask an administrator for the "
                + "sarcreg_investigator, sarcreg_admin or sarcreg_sync role")
    }

    @Test(
        "an investigator login adding site LYO is told it may not change table sites and which roles may, not a raw 42501"
    )
    func investigatorAddsSite() throws {
        let fixture = try ReliabilityFixture(sites: ["SA"])
        let login = try fixture.addLogin("inv", role: .investigator)
        let error = #expect(throws: RegistryError.self) {
            try SiteService(connection: try fixture.connect(as: login)).add(code: "LYO", name: "Lyon")
        }
        guard case .notPermitted(let refusal) = error else {
            Issue.record("expected notPermitted, got \(String(describing: error))")
            return
        }
        #expect(refusal.object == "table sites" && refusal.isWrite && !refusal.isRowPolicy)
        #expect(
            error?.description.hasPrefix(
                "your database login (\(login)) may not change table sites; ask an administrator") == true)
        #expect(try fixture.count("SELECT count(*) AS n FROM sites WHERE site_code = 'LYO'") == 0)
    }
}
