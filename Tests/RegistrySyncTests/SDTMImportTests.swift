import Foundation
import PostgresClient
import RegistryDomain
import RegistrySync
import TestSupport
import Testing

/// A database with sites MUC and BER and source `site-a` mapping its sites 701 and 702 to them.
struct SyncFixture {
    let database: TestDatabase
    let connection: Connection

    static let fixtures: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    init() throws {
        database = try TestDatabase.make()
        connection = try database.connect()
        try connection.execute("INSERT INTO sites (site_code, name) VALUES ('MUC', 'Munich'), ('BER', 'Berlin')")
        let service = SyncService(connection: connection)
        try service.mapSite(source: "site-a", sourceSite: "701", site: "MUC")
        try service.mapSite(source: "site-a", sourceSite: "702", site: "BER")
    }

    var service: SyncService { SyncService(connection: connection) }

    func importFixture(_ name: String, source: String = "site-a") throws -> SyncRun {
        try service.importSDTM(SyncImportRequest(directory: Self.fixtures + "/" + name, source: source))
    }

    func count(_ sql: String) throws -> Int {
        try connection.query(Query(unsafeSQL: "SELECT count(*) AS n FROM \(sql)"))[0].decode(Int.self, "n")
    }

    /// Row counts of every table a sync writes, to show a run changed nothing.
    func snapshot() throws -> [Int] {
        try [
            "patients", "therapy_lines", "therapy_line_agents", "adverse_events", "lesions", "assessments",
            "assessment_results",
            "source_responses", "sync_subjects", "sync_records", "sync_runs", "sync_quarantine",
        ].map(count)
    }
}

func outcome(_ run: SyncRun, _ file: String) throws -> SyncFileOutcome {
    try #require(run.files.first { $0.fileName == file })
}

/// Each stored lesion's label and number of results, as "LABELxN", in patient and label order.
func resultsPerLesion(_ connection: Connection) throws -> [String] {
    try connection.query(
        """
        SELECT l.label, count(*) AS results FROM assessment_results r JOIN lesions l ON l.lesion_id = r.lesion_id
        GROUP BY l.patient_id, l.label ORDER BY l.patient_id, l.label
        """
    ).map { "\(try $0.decode(String.self, "label"))x\(try $0.decode(Int.self, "results"))" }
}

@Suite("SDTM import", .serialized)
struct SDTMImportTests {
    @Test(
        "a clean export of three subjects becomes three sync patients with their lines, AEs, lesions and reads, all counted as inserted"
    )
    func cleanExport() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importFixture("clean")
        #expect(run.status == "succeeded")
        for file in run.files {
            #expect(file.rowsRead == file.inserted, "\(file.fileName)")
            #expect(file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined)
        }
        #expect(try outcome(run, "tr.csv").rowsRead == 13)
        let patients = try fixture.connection.query(
            "SELECT registry_id, birth_year, sex, mrn_hmac IS NULL AS no_mrn, origin, vital_status FROM patients ORDER BY registry_id"
        )
        #expect(try patients.map { try $0.decode(String.self, "registry_id") } == ["BER-0001", "MUC-0001", "MUC-0002"])
        // 01-701-1015: AGE 63 at consent in 2014 gives 1951; 01-701-1034: BRTHDTC 1950.
        #expect(try patients.map { try $0.decode(Int.self, "birth_year") } == [1959, 1951, 1950])
        #expect(
            try patients.allSatisfy { try $0.decode(Bool.self, "no_mrn") && $0.decode(String.self, "origin") == "sync" }
        )
        #expect(try patients[0].decode(String.self, "vital_status") == "dead")
        // Doxorubicin + ifosfamide given together form one line with two agents.
        #expect(try fixture.count("therapy_line_agents") == 5)
        #expect(try fixture.count("therapy_lines") == 3)
        #expect(try fixture.count("adverse_events WHERE ctcae_version = '5.0'") == 3)
        // The investigator and radiologist 1 keep separate lesions and assessments.
        #expect(try fixture.count("lesions WHERE evaluator = 'investigator'") == 4)
        #expect(try fixture.count("lesions WHERE evaluator = 'radiologist-1'") == 1)
        #expect(try fixture.count("evaluator_reads WHERE evaluator = 'investigator' AND accepted") == 1)
        #expect(try fixture.count("assessments WHERE is_baseline") == 2)
        // SUMDIAM is a derived row: recorded as a source record, never written as a lesion result.
        #expect(try fixture.count("assessment_results") == 12)
        let sha = try outcome(run, "dm.csv").sha256
        #expect(sha.count == 64 && sha.allSatisfy(\.isHexDigit))
    }

    @Test("the same export imported again changes nothing and says so: every row unchanged")
    func sameExportAgain() throws {
        let fixture = try SyncFixture()
        let first = try fixture.importFixture("clean")
        let before = try fixture.snapshot()
        let again = try fixture.importFixture("clean")
        #expect(again.changedNothing)
        for file in again.files {
            #expect(file.unchanged == file.rowsRead && file.inserted == 0 && file.updated == 0, "\(file.fileName)")
        }
        #expect(again.files.map(\.sha256) == first.files.map(\.sha256))
        var after = try fixture.snapshot()
        // Only the run log grows: one more sync_runs row.
        after[10] -= 1
        #expect(after == before)
    }

    @Test(
        "after 01-701-1015 withdrew consent on 2014-04-01, the same export again keeps her 13 TR rows the registry holds, unchanged and not quarantined; the same rows new to the registry are refused"
    )
    func withdrawnConsentBetweenNights() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        try fixture.connection.execute(
            "UPDATE patients SET consent_withdrawn_on = '2014-04-01' WHERE patient_id = (SELECT patient_id FROM sync_subjects WHERE usubjid = '01-701-1015')"
        )
        let results = try fixture.count("assessment_results")

        let run = try fixture.importFixture("clean")
        let tr = try outcome(run, "tr.csv")
        #expect((tr.rowsRead, tr.unchanged, tr.inserted, tr.updated, tr.quarantined) == (13, 13, 0, 0, 0))
        #expect(try fixture.service.rejects(run: run.runID).isEmpty)
        #expect(try fixture.count("assessment_results") == results)

        // Without the records of the first run, her results are new ones, which a withdrawal refuses.
        try fixture.connection.execute(
            "DELETE FROM sync_records WHERE source = 'site-a' AND domain = 'TR' AND natural_key LIKE '01-701-1015%'")
        let again = try fixture.importFixture("clean")
        let trRejects = try fixture.service.rejects(run: again.runID).filter { $0.fileName == "tr.csv" }
        #expect(trRejects.map(\.lineNumber) == Array(2...14))
        #expect(
            trRejects.allSatisfy {
                $0.column == "USUBJID"
                    && $0.reason == "the patient withdrew consent on 2014-04-01; nothing new may be recorded"
            })
        #expect(try fixture.count("assessment_results") == results)
    }

    @Test(
        "a baseline breaking RECIST 1.1 is quarantined with its rule: 3 liver targets, 6 targets, an 8 mm target and a 12 mm target node; their TU rows and follow-ups go with them, the rest applies"
    )
    func baselineRules() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importFixture("baseline")
        let tr = try outcome(run, "tr.csv")
        #expect(tr.rowsRead == tr.inserted + tr.updated + tr.unchanged + tr.quarantined)
        let rejects = try fixture.service.rejects(run: run.runID).filter { $0.fileName == "tr.csv" }
        func reasons(_ lines: [Int]) -> [String?] {
            lines.map { line in rejects.first { $0.lineNumber == line }?.reason }
        }
        // 01-701-2001: T01 to T03 in the liver (lines 2-4), all three rather than the third, with their week 6 rows (16-18).
        let liver = "baseline breaks RECIST 1.1: 3 target lesions in LIVER, at most 2 per organ"
        #expect(reasons([2, 3, 4]) == [liver, liver, liver])
        #expect(reasons([16]) == ["the baseline of lesion T01 (tr.csv line 2) is quarantined: " + liver])
        #expect(rejects.contains { $0.lineNumber == 17 } && rejects.contains { $0.lineNumber == 18 })
        // 01-701-2002: six targets in six organs (lines 6-11); its non-target (line 12) stays.
        #expect(Set(reasons(Array(6...11))) == ["baseline breaks RECIST 1.1: 6 target lesions, at most 5"])
        // 01-701-2003: an 8 mm target and a node with a 12 mm short axis, refused by the engine in the words
        // `lesion add` uses, each with its own rows; its 35 mm liver target stays.
        func refused(_ lesion: String, _ fault: RecistInputError) -> String {
            "RECIST 1.1 refuses the series of investigator with this export applied: \(fault.description); "
                + "none of the rows of lesion \(lesion) in this export is applied"
        }
        let small = refused("T01", .targetNotMeasurable("T01", diameter: Millimetres(8)))
        #expect(
            reasons([13, 14, 20]) == [
                small, refused("N01", .nodeTooSmallForTarget("N01", shortAxis: Millimetres(12))), small,
            ])
        let smallRow = try #require(rejects.first { $0.lineNumber == 13 })
        #expect(smallRow.column == "TRLNKID" && smallRow.value == "T01")
        #expect(Set(rejects.map(\.lineNumber)) == Set([2, 3, 4, 16, 17, 18] + Array(6...11) + [13, 14, 20]))
        #expect(tr.quarantined == 15 && tr.inserted == 5)
        // The lesions' TU rows go too: a target without its baseline result would make the report refuse the patient.
        let tu = try outcome(run, "tu.csv")
        #expect(tu.rowsRead == tu.inserted + tu.updated + tu.unchanged + tu.quarantined)
        let tuRejects = try fixture.service.rejects(run: run.runID).filter { $0.fileName == "tu.csv" }
        let organ = try #require(tuRejects.first { $0.lineNumber == 2 })
        #expect(organ.column == "TULOC" && organ.value == "LIVER" && organ.reason == liver)
        #expect(Set(tuRejects.map(\.lineNumber)) == Set([2, 3, 4] + Array(6...11) + [13, 14]))
        #expect(tu.quarantined == 11 && tu.inserted == 3)
        #expect(try fixture.count("lesions") == 3)
        // Applied: 2001's lung target at baseline and week 6, 2002's non-target, 2003's liver target twice.
        let applied = try resultsPerLesion(fixture.connection)
        #expect(applied == ["T04x2", "NT01x1", "T02x2"])
    }

    @Test(
        "an incremental export adding a third liver target T03 to the stored T01 and T02 of night 1 is quarantined with the per-organ rule, TU and TR rows; night 1 sent again is unchanged"
    )
    func baselineRulesAcrossRuns() throws {
        let fixture = try SyncFixture()
        let night1 = try fixture.importFixture("incremental/night1")
        #expect(night1.files.map(\.quarantined).reduce(0, +) == 0)
        #expect(try fixture.count("lesions WHERE organ = 'LIVER' AND lesion_class = 'target'") == 2)
        let stored = try fixture.snapshot()

        let night2 = try fixture.importFixture("incremental/night2")
        let liver = "baseline breaks RECIST 1.1: 3 target lesions in LIVER, at most 2 per organ"
        let tu = try outcome(night2, "tu.csv")
        #expect(tu.rowsRead == 1 && tu.quarantined == 1 && tu.inserted == 0 && tu.updated == 0 && tu.unchanged == 0)
        let tr = try outcome(night2, "tr.csv")
        #expect(tr.rowsRead == 2 && tr.quarantined == 2 && tr.inserted == 0 && tr.updated == 0 && tr.unchanged == 0)
        for file in night2.files {
            #expect(
                file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined, "\(file.fileName)")
        }
        let rejects = try fixture.service.rejects(run: night2.runID)
        let tuReject = try #require(rejects.first { $0.fileName == "tu.csv" })
        #expect(
            tuReject.lineNumber == 2 && tuReject.column == "TULOC" && tuReject.value == "LIVER"
                && tuReject.reason == liver)
        func reason(_ line: Int) -> String? {
            rejects.first { $0.fileName == "tr.csv" && $0.lineNumber == line }?.reason
        }
        #expect(reason(2) == liver)
        #expect(reason(3) == "the baseline of lesion T03 (tr.csv line 2) is quarantined: " + liver)
        // The stored targets are untouched: only the sync run log grew, and the quarantine by three rows.
        var after = try fixture.snapshot()
        after[10] -= 1
        after[11] -= 3
        #expect(after == stored)
        #expect(try fixture.count("lesions WHERE label = 'T03'") == 0)

        // T01 and T02 sent again with their baseline are the same two liver targets, not two more.
        let again = try fixture.importFixture("incremental/night1")
        for file in again.files {
            #expect(
                file.unchanged == file.rowsRead && file.inserted == 0 && file.updated == 0 && file.quarantined == 0,
                "\(file.fileName)")
        }
    }

    @Test("bad rows of every kind are quarantined with their reason and line, and the rest of the export is applied")
    func badRows() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importFixture("bad")
        for file in run.files {
            #expect(
                file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined, "\(file.fileName)")
        }
        let rejects = try fixture.service.rejects(run: run.runID)
        func reason(_ file: String, _ line: Int) -> String? {
            rejects.first { $0.fileName == file && $0.lineNumber == line }?.reason
        }
        #expect(reason("dm.csv", 5) == "AGE must be a whole number of years")
        #expect(reason("dm.csv", 6)?.contains("site 799 of source site-a is not mapped") == true)
        #expect(reason("ex.csv", 7)?.hasPrefix("unknown agent") == true)
        #expect(reason("suppex.csv", 15) == "its EX record (ex.csv line 7) is quarantined")
        #expect(reason("ae.csv", 6)?.hasPrefix("unknown AEREL") == true)
        // Both copies of a duplicate key; line numbers count the quoted line break of line 3-4.
        #expect(reason("ae.csv", 7) == "duplicate AESEQ for this USUBJID")
        #expect(reason("ae.csv", 8) == "duplicate AESEQ for this USUBJID")
        #expect(reason("ae.csv", 9) == "invalid UTF-8 at byte 7 of the value")
        #expect(reason("ae.csv", 10) == "a full date (YYYY-MM-DD) is required; this is a partial date")
        #expect(reason("tr.csv", 15) == "no TU record identifies this lesion for this evaluator")
        #expect(reason("tr.csv", 16) == "negative diameter")
        #expect(rejects.count == 11)
        #expect(run.files.map(\.quarantined).reduce(0, +) == 11)
        // The good rows went in: the clean export's records, and nothing of the bad ones.
        #expect(try fixture.count("patients") == 3)
        #expect(try fixture.count("adverse_events") == 3)
        #expect(try fixture.count("assessment_results") == 12)
        #expect(try fixture.count("therapy_line_agents WHERE agent_code = 'aspirin'") == 0)
    }

    @Test(
        "identifier limits: a 20-character lesion id and a 40-character reader id are taken; 21 and 41 characters, or a space in a lesion id, are quarantined naming the column"
    )
    func identifierLimits() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importFixture("identifiers")
        let rejects = try fixture.service.rejects(run: run.runID)
        let quarantined = rejects.map { "\($0.fileName):\($0.lineNumber) \($0.column ?? "-")" }.sorted()
        #expect(quarantined == ["tr.csv:16 TREVALID", "tu.csv:11 TUEVALID", "tu.csv:8 TULNKID", "tu.csv:9 TULNKID"])
        let lesionID = "TULNKID must be a lesion id such as T01, NT02 or NEW01"
        let readerID = "the evaluator must be INVESTIGATOR or a reader id of letters, digits, spaces, - and _"
        #expect(rejects.filter { $0.column == "TULNKID" }.map(\.reason) == [lesionID, lesionID])
        #expect(
            rejects.filter { $0.column == "TUEVALID" || $0.column == "TREVALID" }.map(\.reason) == [readerID, readerID])
        let tu = try outcome(run, "tu.csv")
        #expect((tu.rowsRead, tu.inserted, tu.quarantined) == (10, 7, 3))
        let tr = try outcome(run, "tr.csv")
        #expect((tr.rowsRead, tr.inserted, tr.quarantined) == (16, 15, 1))
        #expect(try fixture.count("lesions WHERE label = 'NT345678901234567890'") == 1)
        #expect(try fixture.count("lesions WHERE evaluator = 'reader\(String(repeating: "a", count: 34))'") == 1)
    }

    @Test("a record absent from a later full export is flagged missing from source and kept")
    func missingFromSource() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sync-missing-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dm = try String(contentsOfFile: SyncFixture.fixtures + "/clean/dm.csv", encoding: .utf8)
        try dm.split(separator: "\r\n").filter { !$0.contains("01-701-1034") }.map { $0 + "\r\n" }.joined()
            .write(toFile: folder + "/dm.csv", atomically: true, encoding: .utf8)
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        #expect(try outcome(run, "dm.csv").missingFromSource == 1)
        #expect(try outcome(run, "dm.csv").unchanged == 2)
        #expect(
            try fixture.count(
                "sync_records WHERE domain = 'DM' AND natural_key = '01-701-1034' AND missing_since_run IS NOT NULL")
                == 1)
        #expect(try fixture.count("patients") == 3)
        // Files absent from the export flag nothing.
        #expect(try fixture.count("sync_records WHERE domain <> 'DM' AND missing_since_run IS NOT NULL") == 0)
    }

    @Test("a second sync of the same source refuses at once while one holds the source's lock, and writes nothing")
    func concurrentSync() throws {
        let fixture = try SyncFixture()
        let holder = try fixture.database.connect()
        try holder.execute("BEGIN")
        try holder.execute("SELECT pg_advisory_xact_lock(hashtext('sarcreg.sync'), hashtext('site-a'))")
        let before = try fixture.snapshot()
        #expect {
            try fixture.importFixture("clean")
        } throws: { error in
            guard case .sourceBusy(let source) = error as? SyncError else { return false }
            return source == "site-a"
        }
        #expect(try fixture.snapshot() == before)
        try holder.execute("ROLLBACK")
        #expect(try fixture.importFixture("clean").status == "succeeded")
    }

    @Test("a file without a required column fails the run: nothing applied, a failed run logged naming the column")
    func missingColumn() throws {
        let fixture = try SyncFixture()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sync-column-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: SyncFixture.fixtures + "/clean/dm.csv", toPath: folder + "/dm.csv")
        try "STUDYID,DOMAIN,USUBJID,AESEQ,AETERM\nS,AE,01-701-1015,1,Nausea\n".write(
            toFile: folder + "/ae.csv", atomically: true, encoding: .utf8)
        #expect {
            try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        } throws: { error in
            guard case .missingColumns(let file, let columns) = error as? SyncError else { return false }
            return file == "ae.csv" && columns == ["AETOXGR", "AESTDTC"]
        }
        #expect(try fixture.count("patients") == 0)
        let runs = try fixture.service.runs()
        #expect(runs.count == 1)
        #expect(runs.first?.status == "failed")
        #expect(runs.first?.error?.contains("AETOXGR") == true)
    }

    @Test(
        "DM AGE is whole years at consent from the birth date where the registry holds it: born 1975-06-15, consent 2024-01-10 is 48, not 49; BRTHDTC is 1975 alone"
    )
    func ageFromBirthDate() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let patient = try fixture.connection.query("SELECT registry_id FROM patients ORDER BY registry_id LIMIT 1")[0]
            .decode(String.self, "registry_id")
        try fixture.connection.execute(
            "UPDATE patients SET birth_year = 1975, birth_date = '1975-06-15', consent_date = '2024-01-10' WHERE registry_id = \(patient)"
        )
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sync-age-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try fixture.service.exportSDTM(to: base)
        let rows = try String(contentsOfFile: base + "/dm.csv", encoding: .utf8).split(separator: "\n")
        let row = try #require(rows.first { $0.split(separator: ",")[2] == patient }).split(
            separator: ",", omittingEmptySubsequences: false)
        #expect(row[4] == "2024-01-10" && row[5] == "1975" && row[6] == "48", "\(row)")
    }

    @Test("export then import into an empty registry round-trips: the second export equals the first byte for byte")
    func roundTrip() throws {
        let first = try SyncFixture()
        _ = try first.importFixture("clean")
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sync-roundtrip-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let written = try first.service.exportSDTM(to: base + "/a")
        #expect(
            written.map(\.file) == [
                "dm.csv", "ds.csv", "mh.csv", "suppmh.csv", "gf.csv", "suppgf.csv", "ex.csv", "suppex.csv", "ae.csv",
                "suppae.csv", "tu.csv",
                "tr.csv", "rs.csv",
            ])
        let exportedDM = try String(contentsOfFile: base + "/a/dm.csv", encoding: .utf8)
        #expect(exportedDM.hasPrefix("STUDYID,DOMAIN,USUBJID,SITEID,RFICDTC,BRTHDTC,AGE,"))
        // Pseudonymized: the birth year alone, so the import stores the same year (not one derived from AGE).
        let birthFields = exportedDM.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)[5]
        }
        #expect(!birthFields.isEmpty && birthFields.allSatisfy { $0.wholeMatch(of: /\d{4}/) != nil }, "\(birthFields)")

        let second = try SyncFixture()
        try second.service.mapSite(source: "registry", sourceSite: "MUC", site: "MUC")
        try second.service.mapSite(source: "registry", sourceSite: "BER", site: "BER")
        let run = try second.service.importSDTM(SyncImportRequest(directory: base + "/a", source: "registry"))
        #expect(run.files.map(\.quarantined).reduce(0, +) == 0)
        _ = try second.service.exportSDTM(to: base + "/b")
        for file in written.map(\.file) {
            let a = try Data(contentsOf: URL(fileURLWithPath: base + "/a/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: base + "/b/" + file))
            #expect(a == b, "\(file) differs after the round trip")
        }
    }

    @Test(
        "the source's week-12 SD is listed beside the engine's PD with the rule, matched through the partial date 2014-03"
    )
    func discrepancies() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let found = try fixture.service.discrepancies()
        #expect(found.count == 1)
        let week12 = try #require(found.first)
        #expect(week12.registryID == "MUC-0001" && week12.evaluator == "investigator")
        #expect(week12.sourceResponse == "SD" && week12.engineResponse == "PD")
        #expect(week12.date == "2014-03")
        #expect(week12.rule.contains("NEW01"))
    }
}
