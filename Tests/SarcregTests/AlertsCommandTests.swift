import Foundation
import Testing
import TestSupport

@Suite("sarcreg alerts, alerts refresh, alerts dismiss and trial set-status through the built binary")
struct AlertsCommandTests {
    @Test(
        "MUC-0001 (metastatic synovial sarcoma) gets an ETV6::NTRK3 fusion: after alerts refresh, alerts lists NTRK fusion unknown -> met for larotrectinib; dismiss needs --reason, then the alert is gone"
    )
    func listAndDismiss() throws {
        let session = try CoordinatorSession()
        for step in [
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "A-1", "--birth", "1971-04-12", "--sex", "female",
                "--consent-date", "2025-01-15",
            ],
            [
                "diagnosis", "record", "MUC-0001", "--icdo3", "9040/3", "--primary-site", "thigh", "--diagnosed",
                "2025-01", "--setting", "metastatic",
            ],
            ["alerts", "refresh"],
            [
                "molecular", "record", "MUC-0001", "--gene", "NTRK3", "--kind", "fusion", "--partner", "ETV6",
                "--method", "ngs_rna",
                "--result", "positive", "--report-date", "2025-02-01",
            ],
        ] {
            let run = try session.run(step)
            guard run.exitCode == 0 else {
                throw CoordinatorSession.SetupFailure(description: "\(step): \(run.stderr)")
            }
        }
        let refresh = try session.run(["alerts", "refresh"])
        #expect(refresh.exitCode == 0, "\(refresh.stderr)")
        #expect(refresh.stdout.hasPrefix("Alerts refreshed: 1 queued change(s), 1 patient(s) evaluated"))

        let csv = try session.run(["alerts", "--site", "muc", "--format", "csv"])
        #expect(csv.exitCode == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.first == "alert,raised,registry id,kind,target,criterion,from,to,trigger")
        let larotrectinib = try #require(rows.first { $0.contains("larotrectinib") })
        #expect(larotrectinib.contains(",MUC-0001,newly_eligible,"))
        #expect(larotrectinib.hasSuffix(",NTRK fusion,unknown,met,molecular_result_recorded"))
        let id = try #require(larotrectinib.split(separator: ",").first.map(String.init))

        let json = try session.run(["alerts", "--format", "json"])
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(
            alerts.contains {
                $0["targetKey"] as? String == "therapy:larotrectinib_ntrk_fusion"
                    && $0["criterion"] as? String == "NTRK fusion"
            })

        let noReason = try session.run(["alerts", "dismiss", id])
        #expect(noReason.exitCode == 64 && noReason.stderr.contains("--reason"), "a missing option is wrong usage")
        let blank = try session.run(["alerts", "dismiss", id, "--reason", " "])
        #expect(blank.exitCode == 1 && blank.stderr.contains("--reason"))
        let dismissed = try session.run([
            "alerts", "dismiss", id, "--reason", "treated with larotrectinib elsewhere", "--as", "Dr. Weber",
        ])
        #expect(dismissed.exitCode == 0, "\(dismissed.stderr)")
        #expect(dismissed.stdout == "Dismissed alert \(id) of MUC-0001: treated with larotrectinib elsewhere\n")
        #expect(!(try session.run(["alerts", "--site", "MUC", "--format", "csv"]).stdout.contains("larotrectinib")))
        let twice = try session.run(["alerts", "dismiss", id, "--reason", "again"])
        #expect(twice.exitCode == 1 && twice.stderr.contains("already dismissed"))

        let badSince = try session.run(["alerts", "--since", "2026-02-30"])
        #expect(badSince.exitCode == 1 && badSince.stderr.contains("--since"))
    }

    @Test(
        "trial set-status NCT09000002 --status recruiting prints the change; an unknown status is refused naming the allowed ones"
    )
    func setStatus() throws {
        let session = try CoordinatorSession()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trial-\(UUID().uuidString).json").path
        try Data(
            """
            {"nct": "NCT09000002", "title": "LMS test trial", "phase": "2", "status": "not_yet_recruiting", "sponsor": "registry tests",
             "arms": [{"code": "experimental", "label": "experimental", "ratio": 1, "agents": ["pazopanib"]}],
             "eligibility": {"histology": {"include": ["8890/3"]}},
             "cohorts": [{"code": "main", "label": "main", "capacity": 10, "arm": "experimental"}]}
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        #expect(try session.run(["trial", "add", file]).exitCode == 0)
        let refused = try session.run(["trial", "set-status", "NCT09000002", "--status", "open"])
        #expect(refused.exitCode == 1 && refused.stderr.contains("recruiting"))
        let opened = try session.run(["trial", "set-status", "NCT09000002", "--status", "recruiting"])
        #expect(opened.exitCode == 0, "\(opened.stderr)")
        #expect(opened.stdout == "NCT09000002: not_yet_recruiting -> recruiting\n")
    }
}
