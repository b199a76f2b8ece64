import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("sarcreg lesion add, assess record and response show from the command line")
struct AssessmentCommandTests {
    let database: TestDatabase
    let environment: [String: String]

    /// MUC-0001 on doxorubicin from 2024-01-08, investigator baseline 2024-01-05: T1 liver 40 mm, T2 lung 20 mm.
    init() throws {
        database = try TestDatabase.make()
        environment = [
            "DATABASE_URL": database.connectionString,
            "SARCREG_MRN_KEY": "test-only key, 32 bytes or longer, never used in production",
        ]
        for arguments in [
            ["site", "add", "--code", "MUC", "--name", "Munich Sarcoma Center"],
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "C-1", "--birth", "1970", "--sex", "male",
                "--consent-date", "2024-01-02",
            ],
            [
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2024-01-08",
            ],
            [
                "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method",
                "ct",
                "--diameter", "40", "--date", "2024-01-05",
            ],
            [
                "lesion", "add", "MUC-0001", "--lesion", "T2", "--class", "target", "--organ", "lung", "--method", "ct",
                "--diameter", "20", "--date", "2024-01-05",
            ],
        ] {
            let run = try CommandLineRun.sarcreg(arguments, environment: environment)
            try #require(run.exitCode == 0, "\(arguments): \(run.stderr)")
        }
    }

    func count(_ table: String) throws -> Int {
        try database.connect().query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode(Int.self, "n")
    }

    @Test("response show prints each time point with sum and changes, then BOR PR, confirmed PR and no progression")
    func responseShow() throws {
        // 28 + 14 = 42 mm: exactly -30.0 % of 60 mm, a PR; 26 + 12 = 38 mm 35 days later confirms it.
        let first = try CommandLineRun.sarcreg(
            ["assess", "record", "MUC-0001", "--date", "2024-02-19", "--result", "T1=28", "--result", "T2=14"],
            environment: environment)
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(first.stdout.contains("PR"))
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString).csv")
        try "lesion,result\nT1,26\nT2,12\n".write(to: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: csv) }
        let second = try CommandLineRun.sarcreg(
            ["assess", "record", "MUC-0001", "--date", "2024-03-25", "--from-csv", csv.path], environment: environment)
        #expect(second.exitCode == 0, "\(second.stderr)")

        let show = try CommandLineRun.sarcreg(["response", "show", "MUC-0001"], environment: environment)
        #expect(show.exitCode == 0, "\(show.stderr)")
        let lines = show.stdout.split(separator: "\n").map(String.init)
        let row = try #require(lines.first { $0.hasPrefix("2024-02-19") })
        for cell in ["42", "-30.0%", "PR"] { #expect(row.contains(cell), "\(row)") }
        let later = try #require(lines.first { $0.hasPrefix("2024-03-25") })
        for cell in ["38", "-36.7%", "-9.5%"] { #expect(later.contains(cell), "\(later)") }
        #expect(lines.contains { $0.hasPrefix("BOR:") && $0.contains("PR") })
        #expect(lines.contains { $0.hasPrefix("Confirmed BOR: PR") && $0.contains("2024-03-25") })
        #expect(lines.contains { $0.hasPrefix("First PD:") && $0.contains("none") })

        let json = try CommandLineRun.sarcreg(
            ["response", "show", "MUC-0001", "--format", "json"], environment: environment)
        let report = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let confirmed = try #require(report["confirmedBestOverallResponse"] as? [String: Any])
        #expect(confirmed["response"] as? String == "PR")
        #expect((report["timePoints"] as? [Any])?.count == 2)
    }

    @Test("assess record with T2=-5 exits non-zero, names T2 and -5, and writes no assessment or result")
    func badValue() throws {
        let assessments = try count("assessments")
        let results = try count("assessment_results")
        let lesions = try count("lesions")
        let run = try CommandLineRun.sarcreg(
            [
                "assess", "record", "MUC-0001", "--date", "2024-02-19", "--result", "T1=28", "--result", "T2=-5",
                "--result", "NEW1=unequivocal",
            ],
            environment: environment)
        #expect(run.exitCode != 0)
        #expect(run.stderr.contains("T2") && run.stderr.contains("-5"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try count("assessments") == assessments)
        #expect(try count("assessment_results") == results)
        #expect(try count("lesions") == lesions)
    }
}
