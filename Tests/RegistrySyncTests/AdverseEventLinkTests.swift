import Foundation
import PostgresClient
import RegistryServices
import RegistrySync
import Testing

/// SDTM AE has no variable for the line of therapy; an imported AE is counted against the line the patient
/// was on at its onset (``ImportRules/lineInProgress(patient:onset:)``).
@Suite("Imported adverse events and their therapy line", .serialized)
struct AdverseEventLinkTests {
    @Test(
        "nausea on 2014-01-07 during doxorubicin-ifosfamide (2014-01-05 to 2014-03-20) is that line's AE; every AE of the clean export has its line"
    )
    func aeLinksToLineAtOnset() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let links = try fixture.connection.query(
            """
            SELECT p.registry_id || ' ' || e.ctcae_term || ' line ' || coalesce(t.line_number::text, 'none') AS link
            FROM adverse_events e JOIN patients p USING (patient_id) LEFT JOIN therapy_lines t USING (therapy_line_id) ORDER BY 1
            """
        ).map { try $0.decode(String.self, "link") }
        #expect(links == ["BER-0001 Fatigue line 1", "MUC-0001 Febrile neutropenia line 1", "MUC-0001 Nausea line 1"])
    }

    @Test(
        "an AE that began before any line started (marked baseline in SUPPAE), or after the only line stopped, is linked to no line rather than a guessed one"
    )
    func aeOutsideEveryLineStaysUnlinked() throws {
        let fixture = try SyncFixture()
        let folder = try copyOfFixture("clean")
        try
            "STUDYID,RDOMAIN,USUBJID,IDVAR,IDVARVAL,QNAM,QLABEL,QVAL\nSYNCTEST01,AE,01-701-1015,AESEQ,3,BASELINE,label,Y\n"
            .write(toFile: folder + "/suppae.csv", atomically: true, encoding: .utf8)
        let ae = try String(contentsOfFile: folder + "/ae.csv", encoding: .utf8)
        try
            (ae + "SYNCTEST01,AE,01-701-1015,3,Rash maculo-papular,Rash maculo-papular,1,2014-01-03,,NOT RELATED,N\n"
            + "SYNCTEST01,AE,01-702-1101,2,Cough,Cough,1,2014-10-15,,NOT RELATED,N\n").write(
                toFile: folder + "/ae.csv", atomically: true, encoding: .utf8)
        _ = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        #expect(
            try fixture.count(
                "adverse_events WHERE ctcae_term IN ('Rash maculo-papular', 'Cough') AND therapy_line_id IS NULL") == 2)
        #expect(try fixture.count("adverse_events WHERE therapy_line_id IS NOT NULL") == 3)
    }

    @Test(
        "a SUPPAE row naming AESEQ 9 and a SUPPEX row naming EXSEQ 9, records 01-701-1015 does not have, are quarantined naming the parent domain"
    )
    func supplementWithoutParentRecord() throws {
        let fixture = try SyncFixture()
        let folder = try copyOfFixture("clean")
        try
            "STUDYID,RDOMAIN,USUBJID,IDVAR,IDVARVAL,QNAM,QLABEL,QVAL\nSYNCTEST01,AE,01-701-1015,AESEQ,9,BASELINE,label,Y\n"
            .write(toFile: folder + "/suppae.csv", atomically: true, encoding: .utf8)
        let suppex = try String(contentsOfFile: folder + "/suppex.csv", encoding: .utf8)
        try (suppex + "SYNCTEST01,EX,01-701-1015,EXSEQ,9,LINENUM,label,2\n").write(
            toFile: folder + "/suppex.csv", atomically: true, encoding: .utf8)
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        let reasons = try fixture.connection.query(
            "SELECT coalesce(column_name, '-') || ' ' || coalesce(value, '-') || ': ' || reason AS said FROM sync_quarantine WHERE run_id = \(run.runID) AND value = '9' ORDER BY 1"
        ).map { try $0.decode(String.self, "said") }
        #expect(
            reasons == [
                "IDVARVAL 9: no AE record with this AESEQ for this USUBJID",
                "IDVARVAL 9: no EX record with this EXSEQ for this USUBJID",
            ])
    }

    @Test("the demo export's AEs reach `report ae`: every one of its 125 AEs counted against its line")
    func demoAdverseEventsReachTheReport() throws {
        let fixture = try SyncFixture()
        try fixture.connection.execute("INSERT INTO sites (site_code, name) VALUES ('LYO', 'Lyon')")
        try fixture.service.mapSite(source: "demo", sourceSite: "101", site: "MUC")
        try fixture.service.mapSite(source: "demo", sourceSite: "102", site: "LYO")
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Demo/sdtm")
            .standardized.path
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: demo, source: "demo"))
        let ae = try outcome(run, "ae.csv")
        #expect(ae.inserted == 125)
        let table = try ReportService(connection: fixture.connection).adverseEvents(ReportFilter())
        #expect(
            table.terms.map(\.anyGrade).reduce(0, +)
                == (try fixture.count("(SELECT DISTINCT patient_id, ctcae_term FROM adverse_events) t")))
        #expect(try fixture.count("adverse_events WHERE therapy_line_id IS NULL") == 0)
    }
}

/// A scratch copy of a fixture folder, for a test that changes one of its files.
func copyOfFixture(_ name: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sarcreg-\(name)-\(UUID().uuidString)")
        .path
    try FileManager.default.copyItem(atPath: SyncFixture.fixtures + "/" + name, toPath: folder)
    return folder
}
