import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("sarcreg report response and report ae from the command line")
struct ReportCommandTests {
    let database: TestDatabase
    let environment: [String: String]

    /// MUC-0001 on doxorubicin from 2024-01-08 with a 40 mm baseline target, a PR confirmed 42 days later and
    /// grade 3 anemia; MUC-0002 on doxorubicin from 2024-01-10 without assessments and grade 1 fatigue.
    init() throws {
        database = try TestDatabase.make()
        environment = [
            "DATABASE_URL": database.connectionString,
            "SARCREG_MRN_KEY": "test-only key, 32 bytes or longer, never used in production",
        ]
        var commands: [[String]] = [["site", "add", "--code", "MUC", "--name", "Munich Sarcoma Center"]]
        for (mrn, start) in [("C-1", "2024-01-08"), ("C-2", "2024-01-10")] {
            commands.append([
                "patient", "enroll", "--site", "MUC", "--mrn", mrn, "--birth", "1970", "--sex", "male",
                "--consent-date", "2024-01-02",
            ])
            let id = mrn == "C-1" ? "MUC-0001" : "MUC-0002"
            commands.append([
                "therapy", "start", id, "--agent", "doxorubicin", "--intent", "palliative", "--start", start,
            ])
        }
        commands += [
            [
                "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method",
                "ct", "--diameter", "40", "--date", "2024-01-05",
            ],
            ["assess", "record", "MUC-0001", "--date", "2024-02-19", "--result", "T1=20"],
            ["assess", "record", "MUC-0001", "--date", "2024-04-01", "--result", "T1=18"],
            [
                "ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "3", "--onset", "2024-02-10",
                "--attribution", "probable", "--line", "1",
            ],
            [
                "ae", "record", "MUC-0002", "--term", "Fatigue", "--grade", "1", "--onset", "2024-02-10",
                "--attribution", "possible", "--line", "1",
            ],
        ]
        for arguments in commands {
            let run = try CommandLineRun.sarcreg(arguments, environment: environment)
            try #require(run.exitCode == 0, "\(arguments): \(run.stderr)")
        }
    }

    @Test("report response --format json gives 2 treated, 1 evaluable and a confirmed ORR of 1/1")
    func responseJSON() throws {
        let run = try CommandLineRun.sarcreg(
            ["report", "response", "--agent", "doxorubicin", "--format", "json"], environment: environment)
        try #require(run.exitCode == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["treatedLines"] as? Int == 2)
        #expect(json["evaluableLines"] as? Int == 1)
        let orr = try #require((json["objectiveResponse"] as? [String: Any])?["confirmed"] as? [String: Any])
        #expect(orr["count"] as? Int == 1 && orr["total"] as? Int == 1)
        #expect((json["populationRule"] as? String)?.contains("agent = doxorubicin") == true)
    }

    @Test(
        "report ae --format csv prints the header and one row per term, and --min-percent 50 at grade 3 keeps only anemia"
    )
    func adverseEventCSV() throws {
        let run = try CommandLineRun.sarcreg(["report", "ae", "--format", "csv"], environment: environment)
        try #require(run.exitCode == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "term,any_grade,any_grade_percent,grade_3_or_worse,grade_3_or_worse_percent")
        #expect(lines.dropFirst().sorted() == ["Anemia,1,50.0%,1,50.0%", "Fatigue,1,50.0%,0,0.0%"])

        let severe = try CommandLineRun.sarcreg(
            ["report", "ae", "--format", "csv", "--min-percent", "50", "--basis", "grade-3"], environment: environment)
        #expect(severe.stdout.split(separator: "\r\n").dropFirst().map(String.init) == ["Anemia,1,50.0%,1,50.0%"])
    }

    @Test(
        "report ae --format csv escapes terms starting with = + - @ (stored before the CTCAE vocabulary, which `ae record` now refuses) with a leading ' so a spreadsheet shows them instead of running them"
    )
    func adverseEventCSVFormulas() throws {
        let terms = [#"=HYPERLINK("http://example.invalid","x")"#, "+1+2", "-2+3", "@SUM(A1)"]
        let refused = try CommandLineRun.sarcreg(
            [
                "ae", "record", "MUC-0002", "--term=+1+2", "--grade", "1", "--onset", "2024-02-11", "--attribution",
                "possible", "--line", "1",
            ],
            environment: environment)
        #expect(
            refused.exitCode == 1 && refused.stderr.contains("--term '+1+2' is not a CTCAE v5.0 term"),
            "\(refused.stderr)")
        let connection = try database.connect()
        for term in terms {
            let added = try connection.run(
                """
                INSERT INTO adverse_events (patient_id, therapy_line_id, ctcae_term, ctcae_version, grade, onset_on, attribution)
                SELECT t.patient_id, t.therapy_line_id, \(term), '5.0', 1, DATE '2024-02-11', 'possible'
                FROM therapy_lines t JOIN patients p USING (patient_id) WHERE p.registry_id = 'MUC-0002' AND t.line_number = 1
                """)
            try #require(added == 1, "\(term)")
        }
        let run = try CommandLineRun.sarcreg(["report", "ae", "--format", "csv"], environment: environment)
        try #require(run.exitCode == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.contains(#""'=HYPERLINK(""http://example.invalid"",""x"")",1,50.0%,0,0.0%"#), "\(lines)")
        for term in ["+1+2", "-2+3", "@SUM(A1)"] {
            #expect(lines.contains("'\(term),1,50.0%,0,0.0%"), "\(term): \(lines)")
        }
        #expect(lines.contains("Anemia,1,50.0%,1,50.0%"), "other cells are as they were")
    }

    @Test("report response --html and --svg-dir write a self-contained page and the plots")
    func htmlAndSVG() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = folder.appendingPathComponent("report.html")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let run = try CommandLineRun.sarcreg(
            ["report", "response", "--html", html.path, "--svg-dir", folder.appendingPathComponent("svg").path],
            environment: environment)
        try #require(run.exitCode == 0, "\(run.stderr)")
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<svg ") && page.contains("Anemia"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("svg").path)
            .sorted()
        #expect(files.contains("waterfall.svg") && files.contains("swimmer.svg") && files.contains("km-os.svg"))
    }

    @Test(
        "MUC-0001's baseline target T1 overwritten to 8 mm by SQL: report response exits 3 and lists MUC-0001 line 1 as excluded with the engine's reason in table, JSON, CSV and HTML"
    )
    func refusedSeriesExcluded() throws {
        let connection = try database.connect()
        let changed = try connection.run(
            """
            UPDATE assessment_results r SET diameter_mm = 8 FROM assessments a
            WHERE r.assessment_id = a.assessment_id AND a.is_baseline
                AND a.patient_id = (SELECT patient_id FROM patients WHERE registry_id = 'MUC-0001')
            """)
        try #require(changed == 1)
        let reason = "target lesion T1 measures 8 mm at baseline"

        let json = try CommandLineRun.sarcreg(["report", "response", "--format", "json"], environment: environment)
        try #require(json.exitCode == 3, "\(json.stderr)")
        #expect(
            json.stderr
                == "Warning: 1 line left out of the report; each is listed in it with the reason (exit status 3)\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["treatedLines"] as? Int == 2)
        #expect(object["evaluableLines"] as? Int == 0)
        let excluded = try #require(object["excludedLines"] as? [[String: Any]])
        #expect(excluded.count == 1)
        #expect(excluded.first?["registryID"] as? String == "MUC-0001")
        #expect(excluded.first?["lineNumber"] as? Int == 1)
        #expect(excluded.first?["evaluator"] as? String == "investigator")
        #expect((excluded.first?["reason"] as? String)?.hasPrefix(reason) == true)

        let csv = try CommandLineRun.sarcreg(["report", "response", "--format", "csv"], environment: environment)
        try #require(csv.exitCode == 3, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("population,excluded lines (stored assessments refused),1,") })
        #expect(rows.filter { $0.hasPrefix("excluded,") }.count == 1)
        #expect(
            rows.contains {
                $0.hasPrefix("excluded,") && $0.contains("MUC-0001 line 1, read by investigator") && $0.contains(reason)
            })

        let table = try CommandLineRun.sarcreg(["report", "response"], environment: environment)
        try #require(table.exitCode == 3, "\(table.stderr)")
        // The terminal text wraps at 100 columns: read its line breaks and indents as spaces.
        let tableText = table.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(tableText.contains("listed as excluded with the engine's reason"))
        #expect(tableText.contains("MUC-0001 line 1, read by investigator: \(reason)"))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let html = folder.appendingPathComponent("report.html")
        let page = try CommandLineRun.sarcreg(["report", "response", "--html", html.path], environment: environment)
        try #require(page.exitCode == 3, "\(page.stderr)")
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.contains("<h2>Excluded lines</h2>"))
        #expect(text.contains("<td>MUC-0001</td><td>1</td><td>investigator</td><td>\(reason)"))
    }

    @Test(
        "MUC-0002 died on 2024-05-01 and has nausea with onset 2024-08-10 on line 1: report ae counts fatigue, lists the nausea as excluded (registry id, line, reason) in table, CSV, JSON and the response HTML, and exits 3"
    )
    func adverseEventAfterDeathExcluded() throws {
        let died = try CommandLineRun.sarcreg(
            ["patient", "update", "MUC-0002", "--death-date", "2024-05-01"], environment: environment)
        try #require(died.exitCode == 0, "\(died.stderr)")
        let connection = try database.connect()
        // Written in SQL: the timeline rules may refuse it on entry; a report must still cope with a stored one.
        let added = try connection.run(
            """
            INSERT INTO adverse_events (patient_id, therapy_line_id, ctcae_term, ctcae_version, grade, onset_on, attribution)
            SELECT t.patient_id, t.therapy_line_id, 'Nausea', '5.0', 2, DATE '2024-08-10', 'possible'
            FROM therapy_lines t JOIN patients p USING (patient_id) WHERE p.registry_id = 'MUC-0002' AND t.line_number = 1
            """)
        try #require(added == 1)
        let reason = "Nausea grade 2 has its onset on 2024-08-10, after the patient's death on 2024-05-01"
        let warning =
            "Warning: 1 adverse event left out of the report; each is listed in it with the reason (exit status 3)\n"

        let table = try CommandLineRun.sarcreg(["report", "ae"], environment: environment)
        #expect(table.exitCode == 3, "\(table.stderr)")
        #expect(table.stderr == warning)
        #expect(
            table.stdout.contains(
                "Excluded adverse events (not counted; their patients still count as treated):\n  MUC-0002 line 1: "))
        #expect(
            table.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(
                "MUC-0002 line 1: \(reason)"))
        #expect(!table.stdout.contains("Nausea      "))

        let csv = try CommandLineRun.sarcreg(["report", "ae", "--format", "csv"], environment: environment)
        #expect(csv.exitCode == 3)
        let rows = csv.stdout.split(separator: "\r\n").map(String.init)
        #expect(
            rows.dropFirst().sorted() == [
                "\"excluded: MUC-0002 line 1: \(reason)\",,,,", "Anemia,1,50.0%,1,50.0%", "Fatigue,1,50.0%,0,0.0%",
            ])

        let json = try CommandLineRun.sarcreg(["report", "ae", "--format", "json"], environment: environment)
        #expect(json.exitCode == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let excluded = try #require(object["excludedEvents"] as? [[String: Any]])
        #expect(
            excluded.count == 1 && excluded.first?["registryID"] as? String == "MUC-0002"
                && excluded.first?["lineNumber"] as? Int == 1)
        #expect(excluded.first?["reason"] as? String == reason)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let html = folder.appendingPathComponent("report.html")
        let page = try CommandLineRun.sarcreg(["report", "response", "--html", html.path], environment: environment)
        #expect(page.exitCode == 3, "\(page.stderr)")
        #expect(page.stderr == warning)
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.contains("<h3>Excluded adverse events</h3>"))
        #expect(
            text.contains("<td>MUC-0002</td><td>1</td><td>\(reason.replacingOccurrences(of: "'", with: "&#39;"))</td>"))
    }

    @Test("an unknown agent is refused with exit 1 and a message naming it")
    func unknownAgent() throws {
        let run = try CommandLineRun.sarcreg(
            ["report", "response", "--agent", "doxorubicine"], environment: environment)
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("doxorubicine"))
        #expect(run.stdout.isEmpty)
    }
}
