import Foundation
import PostgresClient
import RegistrySync
import Testing
import TestSupport

/// The timeline's two exceptions as the imports carry them: a concurrent line (SUPPEX QNAM CONCURNT, REDCap
/// `line_concurrent`) may overlap another line, a baseline AE (SUPPAE QNAM BASELINE, REDCap `ae_baseline`) may
/// start before the first line. Unmarked, the overlap and the early onset are quarantined in the domain's words.
@Suite("Imports carry the concurrent and baseline marks", .serialized)
struct TimelineMarkImportTests {
    static let overlap =
        "line 2 (2014-02-01 to ongoing) overlaps line 1 (2014-01-05 to 2014-03-20); "
        + "therapy lines of a patient do not overlap unless marked concurrent (SUPPEX QNAM CONCURNT = Y) (rule overlapping_lines)"
    static let beforeFirstLine =
        "the first therapy line started on 2014-01-05; "
        + "an adverse event starts on or after the first line's start unless marked baseline (SUPPAE QNAM BASELINE = Y) (rule adverse_event_before_first_line)"

    /// The clean export with a docetaxel line 2 for 01-701-1015 from 2014-02-01, while line 1 runs to 2014-03-20, and
    /// a fatigue of 2014-01-03, two days before line 1: with the marks when `marked`.
    func export(marked: Bool) throws -> String {
        let folder = try copyOfFixture("clean")
        try append("SYNCTEST01,EX,01-701-1015,3,DOCETAXEL,75,mg/m2,2014-02-01,\n", to: folder + "/ex.csv")
        try append(
            "SYNCTEST01,EX,01-701-1015,EXSEQ,3,LINENUM,label,2\nSYNCTEST01,EX,01-701-1015,EXSEQ,3,INTENT,label,PALLIATIVE\n"
                + (marked ? "SYNCTEST01,EX,01-701-1015,EXSEQ,3,CONCURNT,label,Y\n" : ""), to: folder + "/suppex.csv")
        try append("SYNCTEST01,AE,01-701-1015,3,Fatigue,Fatigue,1,2014-01-03,,NOT RELATED,N\n", to: folder + "/ae.csv")
        if marked {
            try
                "STUDYID,RDOMAIN,USUBJID,IDVAR,IDVARVAL,QNAM,QLABEL,QVAL\nSYNCTEST01,AE,01-701-1015,AESEQ,3,BASELINE,label,Y\n"
                .write(toFile: folder + "/suppae.csv", atomically: true, encoding: .utf8)
        }
        return folder
    }

    func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    @Test(
        "SDTM unmarked: 01-701-1015's line 2 (from 2014-02-01) overlapping line 1 is quarantined with its SUPPEX rows, and her fatigue of 2014-01-03 before line 1; the rest applies"
    )
    func sdtmUnmarked() throws {
        let fixture = try SyncFixture()
        let run = try fixture.service.importSDTM(
            SyncImportRequest(directory: try export(marked: false), source: "site-a"))
        let rejects = try fixture.service.rejects(run: run.runID)
        let line = try #require(rejects.first { $0.fileName == "ex.csv" })
        #expect((line.lineNumber, line.column, line.value, line.reason) == (7, "EXSTDTC", "2014-02-01", Self.overlap))
        #expect(
            rejects.filter { $0.fileName == "suppex.csv" }.map(\.reason)
                == Array(repeating: "its EX record (ex.csv line 7) is quarantined", count: 2))
        let fatigue = try #require(rejects.first { $0.fileName == "ae.csv" })
        #expect(
            (fatigue.lineNumber, fatigue.column, fatigue.value, fatigue.reason) == (
                6, "AESTDTC", "2014-01-03", Self.beforeFirstLine
            ))
        #expect(rejects.count == 4)
        #expect(try fixture.count("therapy_lines WHERE line_number = 2") == 0)
        #expect(try fixture.count("adverse_events") == 3)
    }

    @Test(
        "SDTM marked: SUPPEX CONCURNT = Y and SUPPAE BASELINE = Y store line 2 as concurrent and the fatigue as baseline; the same export again changes nothing"
    )
    func sdtmMarked() throws {
        let fixture = try SyncFixture()
        let folder = try export(marked: true)
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        #expect(try fixture.service.rejects(run: run.runID).isEmpty)
        #expect(
            try fixture.count("therapy_lines WHERE line_number = 2 AND concurrent AND started_on = '2014-02-01'") == 1)
        #expect(
            try fixture.count(
                "adverse_events WHERE baseline AND ctcae_term = 'Fatigue' AND onset_on = '2014-01-03' AND therapy_line_id IS NULL"
            ) == 1)
        let before = try fixture.snapshot()
        let again = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        #expect(again.files.map { $0.inserted + $0.updated + $0.quarantined }.reduce(0, +) == 0)
        let after = try fixture.snapshot()
        // sync_runs (index 10) gains the second run; every registry table is as it was.
        #expect(Array(after.prefix(10)) == Array(before.prefix(10)))
        #expect(after[11] == before[11])
    }

    @Test(
        "SDTM round trip: the export carries CONCURNT and BASELINE, an empty registry imports it without quarantine, and exports it again byte for byte"
    )
    func sdtmRoundTrip() throws {
        let first = try SyncFixture()
        _ = try first.service.importSDTM(SyncImportRequest(directory: try export(marked: true), source: "site-a"))
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("marks-roundtrip-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let written = try first.service.exportSDTM(to: base + "/a")
        let suppex = try String(contentsOfFile: base + "/a/suppex.csv", encoding: .utf8)
        #expect(suppex.contains(",CONCURNT,Concurrent Line of Therapy,Y"))
        let suppae = try String(contentsOfFile: base + "/a/suppae.csv", encoding: .utf8)
        #expect(suppae.components(separatedBy: "\n").filter { $0.contains(",BASELINE,") }.count == 1)

        let second = try SyncFixture()
        try second.service.mapSite(source: "registry", sourceSite: "MUC", site: "MUC")
        try second.service.mapSite(source: "registry", sourceSite: "BER", site: "BER")
        let run = try second.service.importSDTM(SyncImportRequest(directory: base + "/a", source: "registry"))
        #expect(run.files.map(\.quarantined).reduce(0, +) == 0)
        #expect(try second.count("therapy_lines WHERE concurrent") == 1)
        #expect(try second.count("adverse_events WHERE baseline") == 1)
        _ = try second.service.exportSDTM(to: base + "/b")
        for file in written.map(\.file) {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: base + "/a/" + file))
                    == Data(contentsOf: URL(fileURLWithPath: base + "/b/" + file)),
                "\(file) differs")
        }
    }

    // MARK: REDCap

    /// The fixture dictionary with the registry's three new fields, and night 1 with their columns: 101-1 gets a
    /// line 2 from 2024-03-01 (line 1 runs 2024-01-20 to 2024-06-02) and a fatigue of 2024-01-10, marked when `marked`.
    func redcapNight(marked: Bool) throws -> (export: String, dictionary: String) {
        let published = try String(
            contentsOfFile: TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv", encoding: .utf8)
        let added = published.components(separatedBy: "\n").filter {
            $0.hasPrefix("line_concurrent,") || $0.hasPrefix("ae_term_specify,") || $0.hasPrefix("ae_baseline,")
        }
        let fixtureDictionary = try String(contentsOfFile: REDCapFixture.directory + "dictionary.csv", encoding: .utf8)
        let dictionary =
            fixtureDictionary.trimmingCharacters(in: .newlines) + "\n" + added.joined(separator: "\n") + "\n"

        var lines = REDCapImportTests.night1Text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let header = lines[0].components(separatedBy: ",") + ["line_concurrent", "ae_term_specify", "ae_baseline"]
        lines[0] += ",line_concurrent,ae_term_specify,ae_baseline"
        for index in 1..<lines.count { lines[index] += ",,," }
        func row(copying prefix: String, _ values: [String: String]) throws -> String {
            var cells = try #require(lines.first { $0.hasPrefix(prefix) }).components(separatedBy: ",")
            for (column, value) in values { cells[try #require(header.firstIndex(of: column))] = value }
            return cells.joined(separator: ",")
        }
        lines.append(
            try row(
                copying: "101-1,enrollment_arm_1,therapy_line,1,",
                [
                    "redcap_repeat_instance": "2", "line_of_therapy": "2", "line_start_date": "2024-03-01",
                    "line_stop_date": "", "line_stop_reason": "",
                    "line_concurrent": marked ? "1" : "0",
                ]))
        lines.append(
            try row(
                copying: "101-1,enrollment_arm_1,adverse_event,1,",
                [
                    "redcap_repeat_instance": "2", "ae_term": "fatigue", "ae_grade": "1", "ae_onset_date": "2024-01-10",
                    "ae_line": "",
                    "ae_baseline": marked ? "1" : "0",
                ]))
        return (lines.joined(separator: "\r\n") + "\r\n", dictionary)
    }

    func importNight(_ night: (export: String, dictionary: String), into fixture: REDCapFixture) throws -> SyncRun {
        let path = NSTemporaryDirectory() + "redcap-marks-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try night.export.write(toFile: path, atomically: true, encoding: .utf8)
        return try fixture.importFile(at: path, dictionaryText: night.dictionary)
    }

    @Test(
        "REDCap unmarked: 101-1's line 2 from 2024-03-01 overlapping line 1 and her fatigue of 2024-01-10 before line 1 are quarantined; the rest of night 1 applies"
    )
    func redcapUnmarked() throws {
        let fixture = try REDCapFixture()
        let night = try redcapNight(marked: false)
        let rows = night.export.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count
        let run = try importNight(night, into: fixture)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        let line = try #require(rejects.first { $0.column == "line_start_date" })
        #expect((line.lineNumber, line.value) == (rows - 1, "2024-03-01"))
        #expect(
            line.reason
                == "line 2 (2024-03-01 to ongoing) overlaps line 1 (2024-01-20 to 2024-06-02); therapy lines of a patient do not "
                + "overlap unless marked concurrent (line_concurrent = 1 (Yes)) (rule overlapping_lines)")
        let fatigue = try #require(rejects.first { $0.column == "ae_onset_date" })
        #expect((fatigue.lineNumber, fatigue.value) == (rows, "2024-01-10"))
        #expect(
            fatigue.reason
                == "the first therapy line started on 2024-01-20; an adverse event starts on or after the first line's start "
                + "unless marked baseline (ae_baseline = 1 (Yes)) (rule adverse_event_before_first_line)")
        #expect(rejects.count == 2)
        #expect(try fixture.count("therapy_lines WHERE line_number = 2") == 0)
        #expect(try fixture.count("adverse_events WHERE ctcae_term = 'Fatigue'") == 0)
        #expect(try fixture.count("adverse_events WHERE ctcae_term = 'Anemia'") == 2)
    }

    @Test(
        "REDCap marked: line_concurrent = 1 and ae_baseline = 1 store line 2 as concurrent and the fatigue (entered 'fatigue') as a baseline Fatigue; the export writes the marks; night 1 again changes nothing"
    )
    func redcapMarked() throws {
        let fixture = try REDCapFixture()
        let night = try redcapNight(marked: true)
        let run = try importNight(night, into: fixture)
        #expect(try SyncService(connection: fixture.connection).rejects(run: run.runID).isEmpty)
        #expect(try fixture.count("therapy_lines WHERE line_number = 2 AND concurrent") == 1)
        #expect(
            try fixture.count("adverse_events WHERE baseline AND ctcae_term = 'Fatigue' AND meddra_code = 10016256")
                == 1)
        let before = try fixture.snapshot()
        let again = try importNight(night, into: fixture)
        #expect(again.files.map { $0.inserted + $0.updated + $0.quarantined }.reduce(0, +) == 0)
        #expect(try fixture.snapshot() == before)

        let exported = NSTemporaryDirectory() + "redcap-marks-export-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: exported) }
        _ = try SyncService(connection: fixture.connection).exportREDCap(to: exported)
        let rows = try csvRows(exported)
        #expect(rows.filter { $0["line_concurrent"] == "1" }.count == 1)
        #expect(rows.filter { $0["ae_baseline"] == "1" && $0["ae_term"] == "Fatigue" }.count == 1)
    }
}
