import Foundation
import PostgresClient
import RegistrySync
import Testing

/// The domain's timeline rules as the imports apply them: set-based checks of the staged rows against the
/// patient's birth year and date of death, in the words the commands use.
@Suite("Imports keep the patient's timeline", .serialized)
struct TimelineImportTests {
    static let afterDeath = "; nothing is dated after the patient's death except the death itself (rule after_death)"

    @Test(
        "SDTM: 01-701-1015 died on 2014-01-06 (DTHDTC); the nausea of 2014-01-07 (AESTDTC) and the week-6 results of 2014-02-14 (TRDTC) are quarantined as after_death, the other subjects' rows are applied"
    )
    func sdtmAfterDeath() throws {
        let fixture = try SyncFixture()
        let folder = try copyOfFixture("clean")
        let dm = try String(contentsOfFile: folder + "/dm.csv", encoding: .utf8)
        try replacingFirst(
            "\"01-701-1015\",\"1015\",\"2014-01-02\",\"701\",\"\",63,\"YEARS\",\"F\",NA,NA",
            with: "\"01-701-1015\",\"1015\",\"2014-01-02\",\"701\",\"\",63,\"YEARS\",\"F\",\"2014-01-06\",\"Y\"", in: dm
        )
        .write(toFile: folder + "/dm.csv", atomically: true, encoding: .utf8)
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        let rejects = try fixture.service.rejects(run: run.runID)
        let nausea = try #require(
            rejects.first { $0.fileName == "ae.csv" && $0.column == "AESTDTC" && $0.value == "2014-01-07" })
        #expect(nausea.reason == "the patient died on 2014-01-06" + Self.afterDeath)
        #expect(
            rejects.contains {
                $0.fileName == "ex.csv" && $0.column == "EXENDTC" && $0.reason.hasSuffix("(rule after_death)")
            })
        let week6 = try #require(
            rejects.first { $0.fileName == "tr.csv" && $0.column == "TRDTC" && $0.value == "2014-02-14" })
        #expect(week6.reason == "the patient died on 2014-01-06" + Self.afterDeath)
        #expect(
            !rejects.contains {
                $0.fileName == "tr.csv" && $0.value == "2014-01-02" && $0.reason.hasSuffix("(rule after_death)")
            })
        #expect(try fixture.count("adverse_events WHERE ctcae_term = 'Nausea'") == 0)
        #expect(
            try fixture.count("adverse_events e JOIN patients p USING (patient_id) WHERE p.registry_id = 'BER-0001'")
                == 1)
    }

    @Test(
        "REDCap: 101-1 died on 2024-01-31 (death_date of its enrollment row); its anemia of 2024-02-10 is quarantined under ae_onset_date as after_death, 102-3's is applied"
    )
    func redcapAfterDeath() throws {
        let fixture = try REDCapFixture()
        let text = try replacingFirst(
            "101-1,enrollment_arm_1,,,daga,1975,female,15-01-2024,,alive,,2024-09-01",
            with: "101-1,enrollment_arm_1,,,daga,1975,female,15-01-2024,,dead,2024-01-31,2024-01-31",
            in: REDCapImportTests.night1Text)
        let run = try fixture.importExport(text)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        let anemia = try #require(rejects.first { $0.lineNumber == 5 && $0.column == "ae_onset_date" })
        #expect(anemia.reason == "the patient died on 2024-01-31" + Self.afterDeath)
        #expect(
            rejects.contains {
                $0.lineNumber == 4 && $0.column == "line_stop_date" && $0.reason.hasSuffix("(rule after_death)")
            })
        #expect(
            rejects.contains {
                $0.lineNumber == 9 && $0.column == "assessment_date" && $0.reason.hasSuffix("(rule after_death)")
            })
        #expect(
            try fixture.count("adverse_events e JOIN patients p USING (patient_id) WHERE p.registry_id = 'MUC-0001'")
                == 0)
        #expect(
            try fixture.count("adverse_events e JOIN patients p USING (patient_id) WHERE p.registry_id = 'BER-0001'")
                == 1)
    }
}
