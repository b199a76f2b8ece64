import Foundation
import PostgresClient
import RegistryServices
import RegistrySync
import Testing

/// Nothing an import stores may make `response show` or a report refuse the patient afterwards: every
/// reader's series an import touches is scored by the RECIST engine before it is kept, and the rows of a
/// refused one are quarantined in the engine's own words.
@Suite("Imports keep every series scorable", .serialized)
struct ScorableSeriesTests {
    @Test(
        "a typo in T01's baseline diameter ('3O' mm) quarantines that row, and so T01's TU row and follow-ups: a target without a baseline is never stored; the rest of the reader's series is scored"
    )
    func targetWithoutBaselineIsQuarantinedWithItsLesion() throws {
        let fixture = try SyncFixture()
        let folder = try copyOfFixture("clean")
        var tr = try String(contentsOfFile: folder + "/tr.csv", encoding: .utf8).components(separatedBy: "\n")
        #expect(
            tr[1].hasPrefix("SYNCTEST01,TR,01-701-1015,TARGET,T01,LDIAM,test,30,mm,30,30,mm,1,SCREENING,INVESTIGATOR"))
        tr[1] = tr[1].replacingOccurrences(of: ",30,30,mm,", with: ",30,3O,mm,")
        try tr.joined(separator: "\n").write(toFile: folder + "/tr.csv", atomically: true, encoding: .utf8)
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        let rejects = try fixture.service.rejects(run: run.runID)
        #expect(
            rejects.contains {
                $0.fileName == "tr.csv" && $0.lineNumber == 2 && $0.reason == "TRSTRESN must be a number of mm"
            })
        let refusal =
            "RECIST 1.1 refuses the series of investigator with this export applied: target lesion T01 has no measured diameter at the "
            + "baseline assessment of 2014-01-02; a target is measured at baseline; none of the rows of lesion T01 in this export is applied"
        let tu = rejects.filter { $0.fileName == "tu.csv" }
        #expect(tu.map(\.lineNumber) == [2] && tu.first?.reason == refusal && tu.first?.column == "TULNKID")
        let later = rejects.filter { $0.fileName == "tr.csv" && $0.lineNumber != 2 }
        #expect(!later.isEmpty && later.allSatisfy { $0.reason == refusal && $0.value == "T01" }, "\(later)")
        #expect(
            try fixture.count(
                "lesions l JOIN patients p USING (patient_id) WHERE p.registry_id = 'MUC-0001' AND l.evaluator = 'investigator' AND l.label = 'T01'"
            ) == 0)
        for file in run.files {
            #expect(
                file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined + file.skipped,
                "\(file.fileName)")
        }
        let series = try ResponseService(connection: fixture.connection).response("MUC-0001").series
        #expect(!series.evaluations.isEmpty)
    }

    @Test(
        "a REDCap baseline with an 8 mm non-target lymph node quarantines that node's row with the engine's reason, and the reader's series is scored as response show scores it"
    )
    func normalNodeIsQuarantinedInTheEnginesWords() throws {
        let fixture = try REDCapFixture()
        var lines = try String(contentsOfFile: REDCapFixture.directory + "night1.csv", encoding: .utf8).components(
            separatedBy: "\r\n")
        let t1 = try #require(lines.firstIndex { $0.hasPrefix("101-1,assessment_1_arm_1,lesion,2,") })
        lines.insert(
            lines[t1].replacingOccurrences(of: "lesion,2,", with: "lesion,3,")
                .replacingOccurrences(
                    of: "T1,target,liver,0,ct,32,measured", with: "NT2,non_target,lymph node,1,ct,8,present"),
            at: t1 + 1)
        let run = try fixture.importExport(lines.joined(separator: "\r\n"))
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        #expect(rejects.count == 1)
        let node = try #require(rejects.first)
        #expect(node.lineNumber == t1 + 2 && node.column == "lesion_id" && node.value == "NT2")
        #expect(
            node.reason.contains(
                "non-target node NT2 has a short axis of 8 mm at baseline; nodes under 10 mm are normal and are not recorded"
            ))
        #expect(node.reason.hasSuffix("none of the rows of lesion NT2 in this export is applied"))
        #expect(try fixture.count("lesions WHERE label = 'NT2'") == 0)
        let series = try ResponseService(connection: fixture.connection).response("MUC-0001").series
        #expect(!series.evaluations.isEmpty)
        _ = try ReportService(connection: fixture.connection).responseSummary(ReportFilter())
    }
}
