import Foundation
import PostgresClient
import RegistrySync
import Testing
import TestSupport

/// Both imports read an AE's term as the commands do: a CTCAE v5.0 term in any case, stored as CTCAE spells it
/// with its MedDRA code; an unknown term is quarantined with the closest term; "Other, specify" keeps its text.
@Suite("Imports read AE terms from the CTCAE vocabulary", .serialized)
struct CTCAEImportTests {
    @Test(
        "SDTM: AEDECOD 'Nausa' is quarantined with 'did you mean Nausea?', an AELLTCD that is not Fatigue's code is quarantined, 'nausea' is stored as Nausea with AELLTCD 10028813, and an 'Other, specify' AEDECOD keeps AETERM"
    )
    func sdtmTerms() throws {
        let fixture = try SyncFixture()
        let folder = try copyOfFixture("clean")
        let ae = try String(contentsOfFile: folder + "/ae.csv", encoding: .utf8)
        try
            ("STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AEDECOD,AELLTCD,AETOXGR,AESTDTC,AEENDTC,AEREL,AESER\n"
            + "SYNCTEST01,AE,01-701-1015,1,\"Nausea, with vomiting\",nausea,10028813,2,2014-01-07,2014-01-10,POSSIBLY RELATED,N\n"
            + "SYNCTEST01,AE,01-701-1015,2,Nausa,Nausa,,2,2014-01-08,,POSSIBLY RELATED,N\n"
            + "SYNCTEST01,AE,01-702-1101,1,Fatigue,Fatigue,10028813,1,2014-04-01,2014-05-01,NOT RELATED,N\n"
            + "SYNCTEST01,AE,01-702-1101,2,Gastric volvulus,\"Gastrointestinal disorders - Other, specify\",,3,2014-04-02,,NOT RELATED,Y\n"
            + "SYNCTEST01,AE,01-702-1101,3,\"Eye disorders - Other, specify\",\"Eye disorders - Other, specify\",,1,2014-04-03,,NOT RELATED,N\n")
            .write(toFile: folder + "/ae.csv", atomically: true, encoding: .utf8)
        #expect(ae.hasPrefix("STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AEDECOD,"))
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        let rejects = try fixture.service.rejects(run: run.runID).filter { $0.fileName == "ae.csv" }
        #expect(
            rejects.map { "\($0.lineNumber) \($0.column ?? "") \($0.value ?? "")" } == [
                "3 AEDECOD Nausa", "4 AELLTCD 10028813", "6 AEDECOD Eye disorders - Other, specify",
            ])
        #expect(
            rejects[0].reason
                == "not a CTCAE v5.0 term; an event CTCAE has no term for is recorded as '<SOC> - Other, specify' with the text that specifies it; did you mean Nausea?"
        )
        #expect(rejects[1].reason == "not the MedDRA code of the CTCAE term Fatigue (10016256)")
        #expect(
            rejects[2].reason == "an 'Other, specify' term needs AETERM (the reported term) to say what the event was")
        #expect(
            try fixture.count(
                "adverse_events WHERE ctcae_term = 'Nausea' AND meddra_code = 10028813 AND term_specified IS NULL") == 1
        )
        #expect(
            try fixture.count(
                "adverse_events WHERE ctcae_term = 'Gastrointestinal disorders - Other, specify' AND meddra_code = 10017947 AND term_specified = 'Gastric volvulus'"
            ) == 1)
        #expect(try fixture.count("adverse_events") == 2)
    }

    @Test(
        "REDCap: ae_term 'Anaemia' is quarantined with 'did you mean Anemia?'; the other anemia is stored as Anemia with 10002272"
    )
    func redcapUnknownTerm() throws {
        let fixture = try REDCapFixture()
        let text = try replacingFirst(
            "Anemia,5.0,3,2024-02-10", with: "Anaemia,5.0,3,2024-02-10", in: REDCapImportTests.night1Text)
        let run = try fixture.importExport(text)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        let anaemia = try #require(rejects.first { $0.column == "ae_term" })
        #expect((anaemia.lineNumber, anaemia.value) == (5, "Anaemia"))
        #expect(anaemia.reason.hasSuffix("; did you mean Anemia?"))
        #expect(rejects.count == 1)
        #expect(try fixture.count("adverse_events WHERE ctcae_term = 'Anemia' AND meddra_code = 10002272") == 1)
    }
}
