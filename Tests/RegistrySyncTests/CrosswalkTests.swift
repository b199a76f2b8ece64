import Foundation
import PostgresClient
import RegistrySync
import Testing

/// A source's subject delivers data only to a patient of the site its SITEID maps to, and only the sync
/// role writes the crosswalk.
@Suite("The subject crosswalk", .serialized)
struct CrosswalkTests {
    @Test(
        "after site 701 is remapped from MUC to BER, the same export quarantines 01-701-1015's rows naming MUC-0001 and BER, and writes nothing to her"
    )
    func subjectOfAnotherSiteIsRefused() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let stored = try fixture.snapshot()
        try fixture.service.mapSite(source: "site-a", sourceSite: "701", site: "BER")
        let night = try fixture.importFixture("clean")
        let rejects = try fixture.service.rejects(run: night.runID)
        let reason =
            "the subject is bound to patient MUC-0001 of site MUC, but SITEID 701 maps to site BER; "
            + "a subject delivers data only to a patient of its own site"
        let dm = rejects.filter { $0.fileName == "dm.csv" }
        #expect(dm.map(\.lineNumber) == [2, 3])
        #expect(dm.first?.column == "SITEID" && dm.first?.reason == reason)
        #expect(rejects.contains { $0.fileName == "tr.csv" && $0.column == "USUBJID" && $0.reason == reason })
        #expect(rejects.contains { $0.fileName == "ae.csv" && $0.column == "USUBJID" && $0.reason == reason })
        for file in night.files {
            #expect(file.inserted == 0 && file.updated == 0, "\(file.fileName)")
            #expect(file.rowsRead == file.unchanged + file.quarantined + file.skipped, "\(file.fileName)")
        }
        var after = try fixture.snapshot()
        after[10] -= 1
        after[11] -= rejects.count
        #expect(after == stored)
    }

    @Test("coordinators and administrators cannot write the crosswalk; the sync role can")
    func onlyTheSyncRoleWritesTheCrosswalk() throws {
        let fixture = try SyncFixture()
        let privileges = try fixture.connection.query(
            """
            SELECT r.role || ' ' || p.privilege || ' ' || has_table_privilege(r.role, 'sync_subjects', p.privilege) AS grant_state
            FROM unnest(ARRAY['sarcreg_coordinator', 'sarcreg_admin', 'sarcreg_sync']) AS r (role)
            CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) AS p (privilege) ORDER BY 1
            """
        ).map { try $0.decode(String.self, "grant_state") }
        #expect(
            privileges == [
                "sarcreg_admin DELETE false", "sarcreg_admin INSERT false", "sarcreg_admin UPDATE false",
                "sarcreg_coordinator DELETE false", "sarcreg_coordinator INSERT false",
                "sarcreg_coordinator UPDATE false",
                "sarcreg_sync DELETE true", "sarcreg_sync INSERT true", "sarcreg_sync UPDATE true",
            ])
    }

    @Test(
        "an adverse event of a subject never enrolled is quarantined in the same words by the SDTM and the REDCap import"
    )
    func unknownSubjectInTheSameWords() throws {
        let fixture = try SyncFixture()
        let folder = try copyOfFixture("clean")
        let ae = try String(contentsOfFile: folder + "/ae.csv", encoding: .utf8)
        try (ae + "SYNCTEST01,AE,01-701-9999,1,Rash maculo-papular,Rash maculo-papular,1,2014-01-03,,NOT RELATED,N\n")
            .write(toFile: folder + "/ae.csv", atomically: true, encoding: .utf8)
        let sdtm = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        let sdtmReason = try #require(try fixture.service.rejects(run: sdtm.runID).first { $0.value == "01-701-9999" })
            .reason

        try fixture.service.mapSite(source: "site-r", sourceSite: "daga", site: "MUC")
        let lines = try String(contentsOfFile: REDCapFixture.directory + "night1.csv", encoding: .utf8).components(
            separatedBy: "\r\n")
        let event = try #require(lines.first { $0.hasPrefix("101-1,enrollment_arm_1,adverse_event,1,") })
        let path = NSTemporaryDirectory() + "unknown-subject-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try [lines[0], event.replacingOccurrences(of: "101-1,", with: "999-1,")].joined(separator: "\r\n").appending(
            "\r\n"
        )
        .write(toFile: path, atomically: true, encoding: .utf8)
        let redcap = try fixture.service.importREDCap(
            REDCapImportRequest(file: path, dictionary: REDCapFixture.directory + "dictionary.csv", source: "site-r"))
        let redcapReason = try #require(try fixture.service.rejects(run: redcap.runID).first { $0.value == "999-1" })
            .reason

        #expect(
            sdtmReason
                == "the subject has no enrollment (a DM row or an enrollment form) in this or an earlier run of this source"
        )
        #expect(redcapReason == sdtmReason)
    }
}
