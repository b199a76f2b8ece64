import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

@Suite("Newly eligible alerts after a REDCap import")
struct AlertImportTests {
    @Test(
        "the night's diagnoses and molecular results are queued as imported by their run; the next night re-reports 101-1's fusion as ETV6::NTRK3 and the refresh alerts larotrectinib with trigger molecular_result_imported (sync run 2)"
    )
    func importTriggersAlerts() throws {
        let fixture = try REDCapFixture()
        let first = try fixture.importFile("night1.csv")
        let queued = try fixture.connection.query(
            "SELECT DISTINCT trigger, trigger_detail FROM eligibility_refresh_queue ORDER BY trigger"
        )
        .map { try $0.decode((String, String).self) }
        #expect(queued.contains { $0 == ("diagnosis_imported", "sync run \(first.runID)") })
        #expect(queued.contains { $0 == ("molecular_result_imported", "sync run \(first.runID)") })
        let service = EligibilityAlertService(connection: fixture.connection)
        _ = try service.refresh()
        #expect(try service.alerts().filter { $0.targetKey == "therapy:larotrectinib_ntrk_fusion" }.isEmpty)

        let text = try String(contentsOfFile: REDCapFixture.directory + "night1.csv", encoding: .utf8)
        let range = try #require(text.range(of: "SS18,fusion,SSX1,,fish"))
        let second = try fixture.importExport(text.replacingCharacters(in: range, with: "NTRK3,fusion,ETV6,,ngs_rna"))
        let summary = try service.refresh()
        #expect(summary.queueEntries >= 1)
        let alerts = try service.alerts().filter { $0.targetKey == "therapy:larotrectinib_ntrk_fusion" }
        #expect(alerts.count == 1)
        #expect(alerts.first?.kind == .newlyEligible && alerts.first?.criterion == "NTRK fusion")
        #expect(
            alerts.first?.trigger == "molecular_result_imported"
                && alerts.first?.triggerDetail == "sync run \(second.runID)")
    }
}
