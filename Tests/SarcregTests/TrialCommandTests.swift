import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("sarcreg trial: add, screen, enroll and status through the built binary")
struct TrialCommandTests {
    static let apromiss = TestDatabase.repositoryRoot + "/Trials/NCT03016819-apromiss.json"

    /// A session with APROMISS added and MUC-0001: synovial sarcoma, ECOG 1, after first-line doxorubicin
    /// (stopped for progression on 2025-03-01).
    static func session() throws -> CoordinatorSession {
        let session = try CoordinatorSession()
        let steps: [[String]] = [
            ["trial", "add", apromiss],
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "T-1", "--birth", "1971-04-12", "--sex", "male",
                "--consent-date", "2025-01-15",
                "--ecog", "1", "--ecog-date", "2025-01-15",
            ],
            [
                "diagnosis", "record", "MUC-0001", "--icdo3", "9040/3", "--primary-site", "thigh", "--diagnosed",
                "2024-03", "--setting", "metastatic",
            ],
            [
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2025-02-01",
            ],
            ["therapy", "stop", "MUC-0001", "--line", "1", "--stop", "2025-03-01", "--reason", "progression"],
        ]
        for step in steps {
            let run = try session.run(step)
            guard run.exitCode == 0 else {
                throw CoordinatorSession.SetupFailure(description: "\(step): \(run.stderr)")
            }
        }
        return session
    }

    func trialRows(_ session: CoordinatorSession) throws -> [String: Int] {
        let connection = try session.database.connect()
        var counts = try session.rowCounts()
        for table in ["trials", "trial_cohorts", "trial_allocation_slots", "trial_screenings", "trial_enrollments"] {
            counts[table] = try connection.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode(
                Int.self, "n")
        }
        return counts
    }

    @Test(
        "trial screen shows every APROMISS criterion with the patient's value; without baseline lesions the patient is incomplete"
    )
    func screen() throws {
        let session = try Self.session()
        let table = try session.run(["trial", "screen", "MUC-0001", "--trial", "NCT03016819"])
        #expect(table.exitCode == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("MUC-0001 for NCT03016819 cohort synovial on "))
        #expect(table.stdout.contains(": incomplete\n"))
        let lines = table.stdout.split(separator: "\n")
        #expect(
            lines.contains { $0.hasPrefix("ECOG ≤ 1") && $0.contains("met") && $0.contains("ECOG 1 on 2025-01-15") })
        #expect(lines.contains { $0.hasPrefix("prior anthracycline") && $0.contains("doxorubicin") })
        #expect(
            lines.contains {
                $0.hasPrefix("measurable disease") && $0.contains("unknown")
                    && $0.contains("no baseline lesions recorded")
            })
        let json = try session.run(["trial", "screen", "MUC-0001", "--trial", "NCT03016819", "--format", "json"])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(result["outcome"] as? String == "incomplete")
        let criteria = try #require(result["criteria"] as? [[String: Any]])
        #expect(criteria.filter { $0["outcome"] as? String == "notMet" }.isEmpty)
        #expect(
            criteria.filter { $0["outcome"] as? String == "unknown" }.map { $0["kind"] as? String } == [
                "measurable_disease"
            ])
        #expect(try trialRows(session)["trial_screenings"] == 2)
        let enroll = try session.run(["trial", "enroll", "MUC-0001", "--trial", "NCT03016819", "--cohort", "synovial"])
        #expect(enroll.exitCode == 1)
        #expect(
            enroll.stderr.contains(
                "cannot be enrolled in NCT03016819 until these are recorded: no baseline lesions recorded"))
        let status = try session.run(["trial", "status", "NCT03016819", "--format", "csv"])
        #expect(status.stdout.hasPrefix("section,key,count,capacity\r\n"))
        #expect(status.stdout.contains("cohort,synovial,0,95\r\n"))
        #expect(status.stdout.contains("screening,incomplete,1,\r\n"))
    }

    @Test(
        "bad trial input is refused naming the field and value, exits 1 and writes nothing",
        arguments: [
            (#""capacity": 95"#, #""capacity": -3"#, "cohorts[2].capacity -3 is out of range; allowed 1 to 10000"),
            (
                #""9581/3", "8890/3""#, #""9581/3", "8890/4""#,
                "eligibility.histology.include[1] '8890/4' is not allowed"
            ),
            (#""phase": "3""#, #""phase": "III""#, "phase 'III' is not allowed; use one of: 1, 1/2, 2, 2/3, 3, 4"),
        ])
    func badDefinition(original: String, replacement: String, message: String) throws {
        let session = try CoordinatorSession()
        let text = try String(contentsOfFile: Self.apromiss, encoding: .utf8)
        #expect(text.contains(original))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trial-\(UUID().uuidString).json")
        try text.replacingOccurrences(of: original, with: replacement).write(
            to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let before = try trialRows(session)
        let run = try session.run(["trial", "add", file.path])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try trialRows(session) == before)
    }

    @Test("a malformed --trial, an unknown cohort and an unknown stratum are refused by name, nothing written")
    func badScreenAndEnrollInput() throws {
        let session = try Self.session()
        let before = try trialRows(session)
        let cases: [([String], String)] = [
            (
                ["trial", "screen", "MUC-0001", "--trial", "NCT123"],
                "--trial 'NCT123' is malformed; expected an NCT number such as NCT03016819"
            ),
            (
                ["trial", "screen", "MUC-0001", "--trial", "NCT03016819", "--cohort", "ewing"],
                "--cohort 'ewing' is not a cohort of NCT03016819"
            ),
            (
                [
                    "trial", "enroll", "MUC-0001", "--trial", "NCT03016819", "--cohort", "synovial", "--stratum",
                    "region=us",
                ],
                "--stratum 'region=us' is not allowed; use one of: factors none: the trial is not stratified"
            ),
            (["trial", "screen", "MUC-0001", "--trial", "NCT09999999"], "no trial NCT09999999"),
        ]
        for (arguments, message) in cases {
            let run = try session.run(arguments)
            #expect(run.exitCode == 1, "\(arguments)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
        #expect(try trialRows(session) == before)
    }
}
