import Foundation
import PostgresClient
import RegistryDomain
import RegistrySync
import TestSupport
import Testing

/// A database with sites MUC and BER, and source `site-r` mapping its data access groups daga and dagb to them.
struct REDCapFixture {
    let database: TestDatabase
    let connection: Connection

    static let directory = SyncFixture.fixtures + "/redcap/"

    init() throws {
        database = try TestDatabase.make()
        connection = try database.connect()
        try connection.execute("INSERT INTO sites (site_code, name) VALUES ('MUC', 'Munich'), ('BER', 'Berlin')")
        try SyncService(connection: connection).mapSite(source: "site-r", sourceSite: "daga", site: "MUC")
        try SyncService(connection: connection).mapSite(source: "site-r", sourceSite: "dagb", site: "BER")
    }

    func importFile(
        _ name: String, dictionary: String = "dictionary.csv", renames: [(old: String, new: String)] = []
    ) throws -> SyncRun {
        try SyncService(connection: connection).importREDCap(
            REDCapImportRequest(
                file: Self.directory + name, dictionary: Self.directory + dictionary, source: "site-r", renames: renames
            ))
    }

    /// Imports a night's export written out from `text`, with the fixture dictionary.
    func importExport(_ text: String) throws -> SyncRun {
        let path = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try SyncService(connection: connection).importREDCap(
            REDCapImportRequest(file: path, dictionary: Self.directory + "dictionary.csv", source: "site-r"))
    }

    /// Imports the export at `path` with a dictionary written out from `text`.
    func importFile(at path: String = Self.directory + "night1.csv", dictionaryText text: String) throws -> SyncRun {
        let dictionary = NSTemporaryDirectory() + "redcap-dictionary-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: dictionary) }
        try text.write(toFile: dictionary, atomically: true, encoding: .utf8)
        return try SyncService(connection: connection).importREDCap(
            REDCapImportRequest(file: path, dictionary: dictionary, source: "site-r"))
    }

    func count(_ sql: String) throws -> Int {
        try connection.query(Query(unsafeSQL: "SELECT count(*) AS n FROM \(sql)"))[0].decode(Int.self, "n")
    }

    func snapshot() throws -> [Int] {
        try [
            "patients", "diagnoses", "molecular_results", "therapy_lines", "therapy_line_agents", "adverse_events",
            "lesions",
            "assessments", "assessment_results", "sync_subjects", "sync_records", "sync_quarantine",
        ].map(count)
    }
}

/// `text` with the first `old` replaced: the fixture must hold it.
func replacingFirst(_ old: String, with new: String, in text: String) throws -> String {
    let range = try #require(text.range(of: old), "\(old) is in the fixture")
    return text.replacingCharacters(in: range, with: new)
}

/// Reads a CSV into rows of header name to value.
func csvRows(_ path: String) throws -> [[String: String]] {
    let reader = try CSVRecordReader(path: path)
    var header: [String] = []
    var rows: [[String: String]] = []
    _ = try reader.next { header = $0.map(\.text) }
    while try reader.next({ fields in rows.append(Dictionary(uniqueKeysWithValues: zip(header, fields.map(\.text)))) })
    {}
    return rows
}

@Suite("REDCap import and export", .serialized)
struct REDCapImportTests {
    @Test(
        "the published dictionary file is the registry's dictionary, and its agent choices are the therapy catalog's agents"
    )
    func publishedDictionary() throws {
        let published = try String(
            contentsOfFile: TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv", encoding: .utf8)
        #expect(published == REDCapDictionary.registry.csv)
        let loaded = try REDCapDictionary.load(
            path: TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv")
        #expect(loaded.fields == REDCapDictionary.registry.fields)
        let fixture = try REDCapFixture()
        let agents = try fixture.connection.query("SELECT agent_code FROM therapy_agents ORDER BY agent_code").map {
            try $0.decode(String.self, "agent_code")
        }
        let choices = try #require(REDCapDictionary.registry.fields.first { $0.name == "line_agents" }).choiceCodes
        #expect(choices.sorted() == agents)
    }

    @Test(
        "an export with a BOM, repeating instruments, events, DAGs, checkboxes, comma decimals and day-first dates is imported; the same file again changes nothing"
    )
    func cleanExport() throws {
        let fixture = try REDCapFixture()
        let run = try fixture.importFile("night1.csv")
        let file = try #require(run.files.first)
        #expect(file.rowsRead == 14 && file.inserted == 14 && file.quarantined == 0)
        let patients = try fixture.connection.query(
            "SELECT p.registry_id, x.usubjid, p.consent_date::text AS consent FROM patients p JOIN sync_subjects x USING (patient_id) ORDER BY 1"
        )
        #expect(
            try patients.map { try $0.decode(String.self, "registry_id") + "=" + $0.decode(String.self, "usubjid") }
                == ["BER-0001=102-3", "MUC-0001=101-1"])
        #expect(try patients.map { try $0.decode(String.self, "consent") } == ["2024-01-15", "2024-01-15"])
        let diameters = try fixture.connection.query(
            "SELECT diameter_mm::text AS d FROM assessment_results ORDER BY diameter_mm"
        ).map { try $0.decode(String.self, "d") }
        #expect(diameters == ["9.00", "18.50", "21.25", "32.00"])
        let agents = try fixture.connection.query("SELECT agent_code FROM therapy_line_agents ORDER BY 1").map {
            try $0.decode(String.self, "agent_code")
        }
        #expect(agents == ["doxorubicin", "doxorubicin", "ifosfamide", "ifosfamide"])
        #expect(try fixture.count("molecular_results WHERE gene = 'SS18' AND partner_gene = 'SSX1'") == 2)
        let before = try fixture.snapshot()
        let rerun = try fixture.importFile("night1.csv")
        #expect(rerun.changedNothing)
        #expect(try fixture.snapshot() == before)
    }

    @Test("bad rows are quarantined with field, value and reason; the good rows of the same file are applied")
    func badRows() throws {
        let fixture = try REDCapFixture()
        let run = try fixture.importFile("bad-rows.csv")
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        let reasons = Set(rejects.map { "\($0.lineNumber) \($0.column ?? "") \($0.value ?? "")" })
        #expect(
            reasons == [
                "3 mol_kind translocation", "4 line_agents yes,1", "5 ae_onset_date 2024-02-30", "5 record_id 103-1",
                "6 record_id 104-1",
                "7 record_id 103-1", "13 lesion_diameter_mm 18.5", "16 lesion_id N1",
                "18 redcap_data_access_group dagz",
                "20 lesion_id NT3456789012345678901",
            ])
        #expect(rejects.first { $0.column == "lesion_diameter_mm" }?.reason.contains("decimal comma") == true)
        #expect(rejects.first { $0.column == "redcap_data_access_group" }?.reason.contains("not mapped") == true)
        // Target N1 lost its baseline row (line 13), so its follow-up (line 16) goes too: never a target without a baseline.
        #expect(
            rejects.first { $0.lineNumber == 16 }?.reason.contains(
                "target lesion N1 has no measured diameter at the baseline assessment") == true)
        // A lesion id of 20 characters is taken, one of 21 is not.
        #expect(rejects.first { $0.lineNumber == 20 }?.reason == "a lesion id is up to 20 letters, digits, ., _ and -")
        #expect(try fixture.count("lesions WHERE label = 'NT345678901234567890'") == 1)
        #expect(try fixture.count("patients") == 2)
        #expect(try fixture.count("adverse_events") == 1)
    }

    @Test(
        "a REDCap gene cell is read as molecular record reads it: the alias INI1 is quarantined with 'did you mean SMARCB1', a lower-case ss18 is stored as SS18"
    )
    func geneSymbols() throws {
        let fixture = try REDCapFixture()
        var text = try replacingFirst(
            "101-1,enrollment_arm_1,molecular_result,1,,,,,,,,,,,,,,,,,,SS18,fusion,SSX1,,fish",
            with: "101-1,enrollment_arm_1,molecular_result,1,,,,,,,,,,,,,,,,,,INI1,loss_of_expression,,,ihc",
            in: REDCapImportTests.night1Text)
        text = try replacingFirst(
            "102-3,enrollment_arm_1,molecular_result,1,,,,,,,,,,,,,,,,,,SS18,fusion,SSX1",
            with: "102-3,enrollment_arm_1,molecular_result,1,,,,,,,,,,,,,,,,,,ss18,fusion,ssx1", in: text)
        let run = try fixture.importExport(text)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        let gene = try #require(rejects.first { $0.column == "mol_gene" })
        #expect(gene.value == "INI1")
        #expect(gene.reason == "not an approved HGNC symbol; did you mean SMARCB1 (INI1 is its alias)")
        #expect(try fixture.count("molecular_results WHERE gene = 'SS18' AND partner_gene = 'SSX1'") == 1)
    }

    @Test("an unknown column or an identifier field refuses the file, naming them, and writes nothing")
    func refusedFiles() throws {
        let fixture = try REDCapFixture()
        let before = try fixture.snapshot()
        #expect { try fixture.importFile("unknown-column.csv") } throws: { "\($0)".contains("patient_name") }
        #expect { try fixture.importFile("night1.csv", dictionary: "dictionary-identifier.csv") } throws: {
            "\($0)".contains("mrn") && "\($0)".contains("identifier")
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test(
        "a header of megabytes (a 2 MB column name and 14 more unknown columns) is named in a short message: cut, its size said, the rest counted"
    )
    func hugeUnknownColumn() {
        let huge = "patient_" + String(repeating: "x", count: 2_000_000)
        let message =
            "\(SyncError.unknownColumns(file: "night1.csv", columns: [huge] + (1...14).map { "extra_\($0)" }))"
        #expect(message.utf8.count < 600)
        #expect(message.contains("patient_xxxx"))
        #expect(message.contains("(2000008 bytes)"))
        #expect(message.contains("extra_9") && !message.contains("extra_10") && message.contains("and 5 more"))
    }

    @Test("missing optional columns (no repeat columns at all) are empty")
    func missingColumns() throws {
        let fixture = try REDCapFixture()
        let run = try fixture.importFile("no-repeat-columns.csv")
        #expect(run.files.first?.inserted == 1)
        #expect(try fixture.count("patients WHERE birth_year = 1960 AND consent_date = '2025-02-01'") == 1)
    }

    @Test(
        "a record renamed between two nights keeps its patient with --rename OLD=NEW; without it, it is a new record and the old one is flagged missing"
    )
    func renamedRecord() throws {
        let fixture = try REDCapFixture()
        _ = try fixture.importFile("night1.csv")
        let renamed = try fixture.importFile("night2-renamed.csv", renames: [("101-1", "101-7")])
        #expect(renamed.changedNothing)
        #expect(try fixture.count("patients") == 2)
        #expect(try fixture.count("sync_subjects WHERE usubjid = '101-7'") == 1)

        let other = try REDCapFixture()
        _ = try other.importFile("night1.csv")
        let unmapped = try other.importFile("night2-renamed.csv")
        #expect(try other.count("patients") == 3)
        #expect(unmapped.files.first?.missingFromSource == 10)
    }

    @Test(
        "a REDCap baseline breaking RECIST 1.1 is quarantined with its rule: 3 liver targets, 6 targets, an 8 mm target and a 12 mm target node; the same lesions' later rows go with them, the rest applies"
    )
    func baselineRules() throws {
        let fixture = try REDCapFixture()
        let run = try fixture.importFile("baseline-rules.csv")
        let file = try #require(run.files.first)
        #expect(file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        func reason(_ line: Int) -> String? { rejects.first { $0.lineNumber == line }?.reason }
        // 201-1: T1 to T3 in the liver (lines 5-7), all three rather than the third, and their follow-up rows (10-12).
        let liver = "baseline breaks RECIST 1.1: 3 target lesions in liver, at most 2 per organ"
        #expect([5, 6, 7].map(reason) == [liver, liver, liver])
        let organ = try #require(rejects.first { $0.lineNumber == 5 })
        #expect(organ.column == "lesion_organ" && organ.value == "liver")
        #expect(reason(10) == "the baseline of lesion T1 (line 5) is quarantined: " + liver)
        // 202-1: six targets in six organs (lines 17-22); the non-target (line 23) stays.
        #expect(Set((17...22).map(reason)) == ["baseline breaks RECIST 1.1: 6 target lesions, at most 5"])
        // 203-1: an 8 mm target (line 27) and a 12 mm node (line 28), refused by the engine in the words
        // `lesion add` uses, each with its own rows; the 35 mm liver target stays.
        func refused(_ lesion: String, _ fault: RecistInputError) -> String {
            "RECIST 1.1 refuses the series of investigator with this export applied: \(fault.description); "
                + "none of the rows of lesion \(lesion) in this export is applied"
        }
        let small = refused("T1", .targetNotMeasurable("T1", diameter: Millimetres(8)))
        #expect(reason(27) == small)
        #expect(reason(28) == refused("N1", .nodeTooSmallForTarget("N1", shortAxis: Millimetres(12))))
        #expect(reason(31) == small)
        #expect(Set(rejects.map(\.lineNumber)) == Set([5, 6, 7, 10, 11, 12] + Array(17...22) + [27, 28, 31]))
        #expect(file.quarantined == 15 && file.inserted == 16)
        let applied = try resultsPerLesion(fixture.connection)
        #expect(applied == ["T4x2", "NT1x1", "T2x2"])
    }

    @Test(
        "a row changed between two nights is one update: T1's follow-up diameter 21.25 mm becomes 19.75 mm, then line 1 stops for toxicity instead of progression; the rest is unchanged and the audit log has each UPDATE with old and new value"
    )
    func changedRow() throws {
        let fixture = try REDCapFixture()
        _ = try fixture.importFile("night1.csv")
        let night1 = try String(contentsOfFile: REDCapFixture.directory + "night1.csv", encoding: .utf8)

        let night2 = try replacingFirst(
            #"T1,target,liver,0,ct,"21,25",measured"#, with: #"T1,target,liver,0,ct,"19,75",measured"#, in: night1)
        let diameterRun = try fixture.importExport(night2)
        let file = try #require(diameterRun.files.first)
        #expect(
            file.rowsRead == 14 && file.updated == 1 && file.unchanged == 13 && file.inserted == 0
                && file.quarantined == 0)
        #expect(file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined)
        let diameter = try fixture.connection.query(
            """
            SELECT r.diameter_mm::text AS d FROM assessment_results r JOIN assessments a USING (assessment_id) JOIN lesions l USING (lesion_id)
            JOIN patients p ON p.patient_id = a.patient_id
            WHERE p.registry_id = 'MUC-0001' AND l.label = 'T1' AND a.assessed_on = '2024-03-01'
            """
        ).map { try $0.decode(String.self, "d") }
        #expect(diameter == ["19.75"])
        let diameterAudit = try fixture.connection.query(
            """
            SELECT old_row ->> 'diameter_mm' AS old, new_row ->> 'diameter_mm' AS new FROM audit_log
            WHERE table_name = 'assessment_results' AND operation = 'UPDATE' AND old_row IS DISTINCT FROM new_row
            """
        ).map { "\(try $0.decode(String.self, "old"))->\(try $0.decode(String.self, "new"))" }
        #expect(diameterAudit == ["21.25->19.75"])

        let night3 = try replacingFirst("2024-06-02,progression,", with: "2024-06-02,toxicity,", in: night2)
        let stopRun = try fixture.importExport(night3)
        let stopFile = try #require(stopRun.files.first)
        #expect(
            stopFile.rowsRead == 14 && stopFile.updated == 1 && stopFile.unchanged == 13 && stopFile.inserted == 0
                && stopFile.quarantined == 0)
        let reasons = try fixture.connection.query(
            "SELECT p.registry_id || '=' || t.stop_reason AS r FROM therapy_lines t JOIN patients p USING (patient_id) ORDER BY 1"
        ).map { try $0.decode(String.self, "r") }
        #expect(reasons == ["BER-0001=progression", "MUC-0001=toxicity"])
        let stopAudit = try fixture.connection.query(
            """
            SELECT old_row ->> 'stop_reason' AS old, new_row ->> 'stop_reason' AS new FROM audit_log
            WHERE table_name = 'therapy_lines' AND operation = 'UPDATE' AND old_row IS DISTINCT FROM new_row
            """
        ).map { "\(try $0.decode(String.self, "old"))->\(try $0.decode(String.self, "new"))" }
        #expect(stopAudit == ["progression->toxicity"])
    }

    @Test(
        "an incremental export adding a third liver target T3 to the stored T1 and T2 of night 1 is quarantined with the per-organ rule, with T3's follow-up row; night 1 sent again is unchanged"
    )
    func baselineRulesAcrossRuns() throws {
        let fixture = try REDCapFixture()
        // Record 201-1 of baseline-rules.csv: enrollment, therapy line, baseline (lines 4-8) and follow-up (lines 9-13).
        let lines = try String(contentsOfFile: REDCapFixture.directory + "baseline-rules.csv", encoding: .utf8)
            .components(separatedBy: "\r\n")
        func export(_ numbers: [Int]) -> String { ([1] + numbers).map { lines[$0 - 1] + "\r\n" }.joined() }
        // Night 1 without T3 (lines 7 and 12): T1 and T2 in the liver, T4 in the lung.
        let night1 = export([2, 3, 4, 5, 6, 8, 9, 10, 11, 13])
        let first = try fixture.importExport(night1)
        #expect(first.files.first?.inserted == 10 && first.files.first?.quarantined == 0)
        let stored = try fixture.snapshot()

        // Night 2 sends only what is new: T3 at baseline and at follow-up, with the two assessment rows.
        let night2 = try fixture.importExport(export([4, 7, 9, 12]))
        let file = try #require(night2.files.first)
        #expect(
            file.rowsRead == 4 && file.quarantined == 2 && file.unchanged == 2 && file.inserted == 0
                && file.updated == 0)
        #expect(file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: night2.runID)
        let liver = "baseline breaks RECIST 1.1: 3 target lesions in liver, at most 2 per organ"
        let baseline = try #require(rejects.first { $0.lineNumber == 3 })
        #expect(baseline.column == "lesion_organ" && baseline.value == "liver" && baseline.reason == liver)
        #expect(
            rejects.first { $0.lineNumber == 5 }?.reason == "the baseline of lesion T3 (line 3) is quarantined: "
                + liver)
        #expect(Set(rejects.map(\.lineNumber)) == [3, 5])
        // T1 and T2 stay as stored: only the quarantine grew, by the two rows.
        var after = try fixture.snapshot()
        after[11] -= 2
        #expect(after == stored)

        // T1 and T2 sent again with their baseline are the same two liver targets, not two more.
        let again = try #require(try fixture.importExport(night1).files.first)
        #expect(again.rowsRead == 10 && again.unchanged == 10 && again.quarantined == 0)
    }

    @Test(
        "REDCap import then REDCap export: every field the registry owns is equal, and the export imports again to the same export"
    )
    func roundTrip() throws {
        let fixture = try REDCapFixture()
        _ = try fixture.importFile("night1.csv")
        let out = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = try SyncService(connection: fixture.connection).exportREDCap(to: out)
        let exported = try csvRows(out)
        let registryIDs = ["101-1": "MUC-0001", "102-3": "BER-0001"]
        let dictionary = try REDCapDictionary.load(path: REDCapFixture.directory + "dictionary.csv")
        for row in try csvRows(REDCapFixture.directory + "night1.csv") {
            let match = try #require(
                exported.first {
                    $0["record_id"] == registryIDs[row["record_id"] ?? ""]
                        && $0["redcap_event_name"] == row["redcap_event_name"]
                        && $0["redcap_repeat_instrument"] == row["redcap_repeat_instrument"]
                        && $0["redcap_repeat_instance"] == row["redcap_repeat_instance"]
                })
            for (column, value) in row where !["record_id", "redcap_data_access_group"].contains(column) {
                let field = dictionary.fields.first { $0.name == column }
                var expected = value
                if field?.hasCommaDecimal == true { expected = expected.replacingOccurrences(of: ",", with: ".") }
                if field?.dateOrder == .dmy, value.count == 10 {
                    let parts = value.split(separator: "-")
                    expected = "\(parts[2])-\(parts[1])-\(parts[0])"
                }
                let isUncheckedBox = column.contains("___") && value.isEmpty && match[column] == "0"
                #expect(
                    match[column] == expected || isUncheckedBox,
                    "\(column) of \(row["record_id"] ?? "") \(row["redcap_repeat_instrument"] ?? "")")
            }
        }
        let again = try REDCapFixture()
        try again.connection.execute("DELETE FROM sync_site_map")
        try SyncService(connection: again.connection).mapSite(source: "site-r", sourceSite: "muc", site: "MUC")
        try SyncService(connection: again.connection).mapSite(source: "site-r", sourceSite: "ber", site: "BER")
        let published = TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv"
        let reimport = try SyncService(connection: again.connection).importREDCap(
            REDCapImportRequest(file: out, dictionary: published, source: "site-r"))
        #expect(reimport.files.first?.quarantined == 0)
        let second = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: second) }
        _ = try SyncService(connection: again.connection).exportREDCap(to: second)
        #expect(try String(contentsOfFile: second, encoding: .utf8) == String(contentsOfFile: out, encoding: .utf8))
    }

    static let dictionaryText =
        (try? String(contentsOfFile: REDCapFixture.directory + "dictionary.csv", encoding: .utf8)) ?? ""
    static let night1Text = (try? String(contentsOfFile: REDCapFixture.directory + "night1.csv", encoding: .utf8)) ?? ""

    @Test(
        "a validation text holding a subquery (number' || (SELECT string_agg(rolname,'/') FROM pg_roles) || ') refuses the dictionary naming lesion_diameter_mm and the text; nothing is written and no role name reaches the quarantine"
    )
    func subqueryInValidation() throws {
        let fixture = try REDCapFixture()
        let before = try fixture.snapshot()
        let injected = try replacingFirst(
            ",number_comma_decimal,0,1000,",
            with: #","number' || (SELECT string_agg(rolname,'/') FROM pg_roles) || '",0,1000,"#, in: Self.dictionaryText
        )
        #expect { try fixture.importFile(dictionaryText: injected) } throws: { error in
            let message = "\(error)"
            return message.contains("lesion_diameter_mm has validation 'number' || (SELECT string_agg")
                && message.contains("nothing was imported")
        }
        #expect(try fixture.snapshot() == before)
        #expect(
            try fixture.count(
                "sync_quarantine q JOIN pg_roles r ON strpos(q.reason, r.rolname) > 0 OR strpos(q.value, r.rolname) > 0"
            ) == 0)
        #expect(try fixture.count("sync_runs") == 0)
    }

    @Test(
        "a form name with a space (my enrollment) or a quote (enroll'ment), and a field name with a quote (se'x) or a space (se x), refuse the dictionary naming them, never with an SQL error"
    )
    func quotesAndSpacesInNames() throws {
        let fixture = try REDCapFixture()
        let before = try fixture.snapshot()
        for form in ["my enrollment", "enroll'ment"] {
            let dictionary = try replacingFirst("\nsex,enrollment,", with: "\nsex,\(form),", in: Self.dictionaryText)
            #expect { try fixture.importFile(dictionaryText: dictionary) } throws: { error in
                "\(error)".hasPrefix("data dictionary")
                    && "\(error)".contains("sex is in form '\(form)'; the registry puts it in form enrollment")
            }
        }
        for field in ["se'x", "se x"] {
            let dictionary = try replacingFirst(
                "\nsex,enrollment,", with: "\n\(field),enrollment,", in: Self.dictionaryText)
            #expect { try fixture.importFile(dictionaryText: dictionary) } throws: { error in
                "\(error)".hasPrefix("data dictionary")
                    && "\(error)".contains("field name '\(field)' is not a REDCap variable name")
            }
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test(
        "an export named o'brien export.csv (a quote and a space) imports normally, 14 rows inserted and then unchanged; the rows quarantined from o'brien bad rows.csv name that file"
    )
    func quoteInFileName() throws {
        let directory = NSTemporaryDirectory() + "redcap-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func importCopy(of fixtureFile: String, as name: String, into fixture: REDCapFixture) throws -> SyncRun {
            if !FileManager.default.fileExists(atPath: directory + name) {
                try FileManager.default.copyItem(
                    atPath: REDCapFixture.directory + fixtureFile, toPath: directory + name)
            }
            return try SyncService(connection: fixture.connection).importREDCap(
                REDCapImportRequest(
                    file: directory + name, dictionary: REDCapFixture.directory + "dictionary.csv", source: "site-r"))
        }

        let fixture = try REDCapFixture()
        let file = try #require(try importCopy(of: "night1.csv", as: "o'brien export.csv", into: fixture).files.first)
        #expect(file.fileName == "o'brien export.csv")
        #expect(file.rowsRead == 14 && file.inserted == 14 && file.quarantined == 0)
        #expect(try fixture.count("patients") == 2)
        #expect(try importCopy(of: "night1.csv", as: "o'brien export.csv", into: fixture).changedNothing)

        let bad = try REDCapFixture()
        let run = try importCopy(of: "bad-rows.csv", as: "o'brien bad rows.csv", into: bad)
        let rejects = try SyncService(connection: bad.connection).rejects(run: run.runID)
        #expect(run.files.first?.quarantined == 9 && rejects.count == 10)
        #expect(Set(rejects.map(\.fileName)) == ["o'brien bad rows.csv"])
    }

    @Test(
        "a choice code the registry lacks refuses the dictionary naming it: sex choice diverse, line_agents choice aspirin"
    )
    func choiceOutsideRegistry() throws {
        let fixture = try REDCapFixture()
        let before = try fixture.snapshot()
        let sex = try replacingFirst(
            "unknown, Unknown\"", with: "unknown, Unknown | diverse, Diverse\"", in: Self.dictionaryText)
        #expect { try fixture.importFile(dictionaryText: sex) } throws: {
            "\($0)".contains("sex has choice 'diverse', which is not one of the registry's choices for it")
        }
        let agents = try replacingFirst(
            "vimseltinib, vimseltinib\"", with: "vimseltinib, vimseltinib | aspirin, aspirin\"", in: Self.dictionaryText
        )
        #expect { try fixture.importFile(dictionaryText: agents) } throws: {
            "\($0)".contains("line_agents has choice 'aspirin', which is not one of the registry's choices for it")
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test(
        "a validation the registry accepts for the field is taken: date_mdy for consent_date (10-31-2024 is 2024-10-31), number_2dp_comma_decimal for lesion_diameter_mm; a subset of the registry's choices is taken"
    )
    func equivalentValidations() throws {
        let fixture = try REDCapFixture()
        var dictionary = try replacingFirst(",date_dmy,", with: ",date_mdy,", in: Self.dictionaryText)
        dictionary = try replacingFirst(",number_comma_decimal,", with: ",number_2dp_comma_decimal,", in: dictionary)
        dictionary = try replacingFirst("| other, Other | unknown, Unknown\"", with: "\"", in: dictionary)
        let export = try replacingFirst(
            "daga,1975,female,15-01-2024,", with: "daga,1975,female,10-31-2024,", in: Self.night1Text
        )
        .replacingOccurrences(of: "dagb,1975,female,15-01-2024,", with: "dagb,1975,female,01-15-2024,")
        let path = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try export.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try fixture.importFile(at: path, dictionaryText: dictionary)
        let file = try #require(run.files.first)
        #expect(file.rowsRead == 14 && file.inserted == 14 && file.quarantined == 0)
        let consents = try fixture.connection.query("SELECT consent_date::text AS d FROM patients ORDER BY registry_id")
            .map { try $0.decode(String.self, "d") }
        #expect(consents == ["2024-01-15", "2024-10-31"])
        let diameters = try fixture.connection.query(
            "SELECT diameter_mm::text AS d FROM assessment_results ORDER BY diameter_mm"
        ).map { try $0.decode(String.self, "d") }
        #expect(diameters == ["9.00", "18.50", "21.25", "32.00"])
    }

    @Test(
        "a validation, type or bound the registry does not accept refuses the dictionary naming each: number for the whole number birth_year, date_ymd for the text who_entity, dropdown for the radio sex, minimum 'low' for line_of_therapy"
    )
    func validationOutsideRegistry() throws {
        let fixture = try REDCapFixture()
        let before = try fixture.snapshot()
        var dictionary = try replacingFirst(",integer,1900,2200,", with: ",number,1900,2200,", in: Self.dictionaryText)
        dictionary = try replacingFirst(
            "who_entity,diagnosis,,text,WHO 2020 entity,,,,",
            with: "who_entity,diagnosis,,text,WHO 2020 entity,,,date_ymd,", in: dictionary)
        dictionary = try replacingFirst("sex,enrollment,,radio,", with: "sex,enrollment,,dropdown,", in: dictionary)
        dictionary = try replacingFirst(",integer,1,30,,,y,", with: ",integer,low,30,,,y,", in: dictionary)
        #expect { try fixture.importFile(dictionaryText: dictionary) } throws: { error in
            let message = "\(error)"
            return message.contains("birth_year has validation 'number'; the registry accepts integer")
                && message.contains("who_entity has validation 'date_ymd'; the registry accepts none")
                && message.contains("sex has field type dropdown; the registry's is radio")
                && message.contains("line_of_therapy has minimum 'low', which is not a number")
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test(
        "a record id field of another name is taken, whatever it is (study_id, line_number, select: its name never reaches SQL); one named as a registry field (sex) is refused naming it"
    )
    func recordIDFieldName() throws {
        let fixture = try REDCapFixture()
        func rename(to name: String) throws -> (dictionary: String, export: String) {
            (
                try replacingFirst("\nrecord_id,enrollment,", with: "\n\(name),enrollment,", in: Self.dictionaryText),
                try replacingFirst(
                    "record_id,redcap_event_name,", with: "\(name),redcap_event_name,", in: Self.night1Text)
            )
        }
        func importRenamed(_ name: String) throws -> SyncRun {
            let (dictionary, export) = try rename(to: name)
            let path = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try export.write(toFile: path, atomically: true, encoding: .utf8)
            return try fixture.importFile(at: path, dictionaryText: dictionary)
        }
        let before = try fixture.snapshot()
        #expect { try importRenamed("sex") } throws: {
            "\($0)".contains("record id field sex has the name of a field of the registry's dictionary")
        }
        #expect(try fixture.snapshot() == before)
        for name in ["study_id", "line_number", "select"] {
            let other = try REDCapFixture()
            let (dictionary, export) = try rename(to: name)
            let path = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try export.write(toFile: path, atomically: true, encoding: .utf8)
            let file = try #require(try other.importFile(at: path, dictionaryText: dictionary).files.first)
            #expect(file.rowsRead == 14 && file.inserted == 14 && file.quarantined == 0, "\(name)")
            #expect(try other.count("sync_subjects WHERE usubjid IN ('101-1', '102-3')") == 2, "\(name)")
        }
        // A row without a record id is quarantined under the field's name in the project, not the staging column's.
        let named = try REDCapFixture()
        let (dictionary, export) = try rename(to: "study_id")
        let enrollment = try #require(
            export.components(separatedBy: "\r\n").first { $0.hasPrefix("101-1,enrollment_arm_1,,,") })
        let path = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (export + enrollment.replacingOccurrences(of: "101-1,", with: ",") + "\r\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let run = try named.importFile(at: path, dictionaryText: dictionary)
        let rejects = try SyncService(connection: named.connection).rejects(run: run.runID)
        #expect(rejects.map(\.column) == ["study_id"] && rejects.first?.reason == "the record id is required")
    }

    @Test(
        "record 101-1 (patient MUC-0001) moved the second night from data access group daga (MUC) to dagb (BER): its 10 rows are quarantined naming dagb, BER, MUC-0001 and MUC, and none of its changes reaches the patient"
    )
    func crossSiteRecord() throws {
        let fixture = try REDCapFixture()
        _ = try fixture.importFile("night1.csv")
        let stored = try fixture.snapshot()
        var night2 = try replacingFirst(
            "101-1,enrollment_arm_1,,,daga,1975,", with: "101-1,enrollment_arm_1,,,dagb,1976,", in: Self.night1Text)
        night2 = try replacingFirst(
            #"T1,target,liver,0,ct,"21,25",measured"#, with: #"T1,target,liver,0,ct,"19,75",measured"#, in: night2)
        let run = try fixture.importExport(night2)
        let file = try #require(run.files.first)
        #expect(
            file.rowsRead == 14 && file.quarantined == 10 && file.unchanged == 4 && file.inserted == 0
                && file.updated == 0)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        #expect(Set(rejects.map(\.lineNumber)) == Set(2...11))
        let reason =
            "data access group dagb maps to site BER, but record 101-1 is bound to patient MUC-0001 of site MUC; none of its rows is applied: correct the record's data access group in REDCap, or its site mapping"
        #expect(Set(rejects.map(\.reason)) == [reason])
        #expect(Set(rejects.map(\.column)) == ["redcap_data_access_group"] && Set(rejects.map(\.value)) == ["dagb"])
        var after = try fixture.snapshot()
        after[11] -= 10
        #expect(after == stored)
        #expect(try fixture.count("patients WHERE registry_id = 'MUC-0001' AND birth_year = 1975") == 1)
        #expect(try fixture.count("assessment_results WHERE diameter_mm = 21.25") == 1)
    }
}
