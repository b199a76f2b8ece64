import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("sarcreg match and therapy catalog from the command line")
struct MatchCommandTests {
    @Test(
        "match prints therapies grouped by status with every criterion: epithelioid sarcoma at 17 fits tazemetostat, NTRK fusion not tested"
    )
    func matchTable() throws {
        let session = try CoordinatorSession()
        #expect(
            try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", "ES-17", "--birth", "2009-03-01", "--sex", "male",
                "--consent-date", "2025-01-10",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "diagnosis", "record", "MUC-0001", "--icdo3", "8804/3", "--primary-site", "forearm", "--diagnosed",
                "2025-06", "--setting", "metastatic",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "molecular", "record", "MUC-0001", "--gene", "SMARCB1", "--kind", "loss_of_expression", "--method",
                "ihc", "--result", "positive", "--report-date", "2025-06-20",
            ]).exitCode == 0)

        // Only --database: the binary reads the MRN key for enrollment alone.
        let match = try CommandLineRun.sarcreg(
            ["match", "MUC-0001", "--as-of", "2026-11-27", "--all", "--database", session.database.connectionString])
        #expect(match.exitCode == 0, "\(match.stderr)")
        let text = match.stdout
        #expect(text.hasPrefix("MUC-0001 on 2026-11-27, age 17 years\n"))
        let approved = try #require(text.range(of: "== FDA approved for soft tissue sarcoma (fda_approved_sts) =="))
        let studied = try #require(text.range(of: "== studied in soft tissue sarcoma (studied_sts) =="))
        let development = try #require(text.range(of: "== in development (in_development) =="))
        #expect(approved.lowerBound < studied.lowerBound && studied.lowerBound < development.lowerBound)
        let tazemetostat = try #require(text.range(of: "tazemetostat - tazemetostat_epithelioid_sarcoma: FITS"))
        #expect(approved.lowerBound < tazemetostat.lowerBound && tazemetostat.lowerBound < studied.lowerBound)
        let lines = text.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines.contains("met minimum age 16 17 years age 17 ≥ minimum 16"))
        #expect(lines.contains("unknown NTRK fusion not tested NTRK fusion: not tested"))
        #expect(lines.contains("not met minimum age 18 17 years age 17 < minimum 18"))

        let json = try CommandLineRun.sarcreg(
            [
                "match", "MUC-0001", "--as-of", "2026-11-27", "--format", "json", "--database",
                session.database.connectionString,
            ])
        #expect(json.exitCode == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["registryID"] as? String == "MUC-0001")
        let evaluations = try #require((object["report"] as? [String: Any])?["evaluations"] as? [[String: Any]])
        let counts = try session.database.connect().query("SELECT count(*) AS n FROM therapy_indications")
        #expect(evaluations.count == (try counts[0].decode(Int.self, "n")))

        let csv = try CommandLineRun.sarcreg(
            [
                "match", "MUC-0001", "--as-of", "2026-11-27", "--format", "csv", "--database",
                session.database.connectionString,
            ])
        #expect(csv.exitCode == 0, "\(csv.stderr)")
        let rows = csv.stdout.components(separatedBy: "\r\n")
        #expect(rows[0] == "registry id,as of,status,agent,indication,verdict,outcome,criterion,patient value,reason")
        #expect(
            rows.contains {
                $0.hasPrefix(
                    "MUC-0001,2026-11-27,fda_approved_sts,tazemetostat,tazemetostat_epithelioid_sarcoma,FITS,met,minimum age 16,"
                )
            })
    }

    @Test(
        "match shows what fits and the near misses by default, and says how many more --all shows: epithelioid sarcoma at 17"
    )
    func nearMissesByDefault() throws {
        let session = try CoordinatorSession()
        #expect(
            try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", "ES-17", "--birth", "2009-03-01", "--sex", "male",
                "--consent-date", "2025-01-10",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "diagnosis", "record", "MUC-0001", "--icdo3", "8804/3", "--primary-site", "forearm", "--diagnosed",
                "2025-06", "--setting", "metastatic",
            ]).exitCode == 0)
        let arguments = ["match", "MUC-0001", "--as-of", "2026-11-27", "--database", session.database.connectionString]
        let shown = try CommandLineRun.sarcreg(arguments)
        let all = try CommandLineRun.sarcreg(arguments + ["--all"])
        #expect(shown.exitCode == 0 && all.exitCode == 0, "\(shown.stderr)\(all.stderr)")
        func verdicts(_ text: String) -> [Substring] {
            text.split(separator: "\n").filter { $0.contains(" - ") && $0.contains(": ") && !$0.hasPrefix(" ") }
        }
        let defaultVerdicts = verdicts(shown.stdout), allVerdicts = verdicts(all.stdout)
        #expect(defaultVerdicts.contains { $0 == "tazemetostat - tazemetostat_epithelioid_sarcoma: FITS" })
        #expect(defaultVerdicts.contains { $0.contains(": near miss: ") })
        #expect(
            defaultVerdicts.allSatisfy {
                $0.contains(": FITS") || $0.contains(": fits if confirmed") || $0.contains(": near miss: ")
            })
        #expect(allVerdicts.contains { $0.hasSuffix(": does not fit") })
        let hidden = allVerdicts.count - defaultVerdicts.count
        #expect(hidden > 0)
        #expect(
            shown.stdout.hasSuffix(
                "\(hidden) more indications are ruled out by the histology or by two or more criteria; --all shows them.\n"
            ))
        #expect(!all.stdout.contains("--all shows"))
        #expect(shown.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 }, "the table fits 100 columns")
    }

    @Test("a bad --as-of and an unknown patient exit non-zero with one line naming the value")
    func refusals() throws {
        let session = try CoordinatorSession()
        let badDate = try session.run(["match", "MUC-0001", "--as-of", "27.11.2026"])
        #expect(badDate.exitCode != 0)
        #expect(badDate.stderr.contains("--as-of") && badDate.stderr.contains("27.11.2026"), "\(badDate.stderr)")
        let unknown = try session.run(["match", "MUC-0042"])
        #expect(unknown.exitCode != 0)
        #expect(unknown.stderr.contains("MUC-0042"), "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)
    }

    @Test("catalog add-status with a future date exits non-zero naming --date and writes no row")
    func addStatusRefused() throws {
        let session = try CoordinatorSession()
        let connection = try session.database.connect()
        let before = try connection.query("SELECT count(*) AS n FROM therapy_indication_status")[0].decode(
            Int.self, "n")
        let run = try session.run([
            "therapy", "catalog", "add-status", "--indication", "vimseltinib_tgct", "--status", "fda_approved_sts",
            "--date", "2999-01-01", "--authority", "FDA", "--source", "test",
        ])
        #expect(run.exitCode != 0)
        #expect(run.stderr.contains("--date") && run.stderr.contains("2999-01-01"), "\(run.stderr)")
        let after = try connection.query("SELECT count(*) AS n FROM therapy_indication_status")[0].decode(Int.self, "n")
        #expect(after == before)
    }

    @Test(
        "match --as-of prints each therapy's evidence date and source: a desmoid (8822/1) sees pazopanib studied since 2019 in 2019, no status yet in 2018"
    )
    func evidenceDates() throws {
        let session = try CoordinatorSession()
        #expect(
            try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", "DT-8822", "--birth", "1988-02-01", "--sex", "female",
                "--consent-date", "2025-01-10",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "diagnosis", "record", "MUC-0001", "--icdo3", "8822/1", "--primary-site", "abdominal wall",
                "--diagnosed", "2017-04", "--setting", "localized",
            ]).exitCode == 0)
        // Wide enough that no status line wraps, so each is compared whole.
        let page = { (asOf: String) throws -> [String] in
            let match = try CommandLineRun.sarcreg(
                ["match", "MUC-0001", "--as-of", asOf, "--all"],
                environment: session.environment.merging(["COLUMNS": "250"]) { $1 })
            #expect(match.exitCode == 0, "\(match.stderr)")
            return match.stdout.components(separatedBy: "\n")
        }
        let in2019 = try page("2019-06-01")
        let pazopanib = try #require(in2019.firstIndex(of: "pazopanib - pazopanib_desmoid: FITS"))
        #expect(
            in2019[pazopanib + 2]
                == "  studied in soft tissue sarcoma since 2019; evidence: trial publication: [14]; Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)"
        )
        #expect(
            in2019.contains(
                "  studied in soft tissue sarcoma since 2018; evidence: trial publication: [64]; Gounder et al., N Engl J Med 2018"
            ))
        let in2018 = try page("2018-06-01")
        let noStatus = try #require(in2018.firstIndex(of: "== no status yet on this date =="))
        let pazopanib2018 = try #require(in2018.firstIndex(of: "pazopanib - pazopanib_desmoid: FITS"))
        #expect(noStatus < pazopanib2018)
    }
}
