import Foundation
import Testing
import TestSupport

@Suite("sarcreg site schedule and sarcreg worklist through the built binary")
struct WorklistCommandTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-\(UUID().uuidString).json")
            .path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "MUC-0001 on line 1 since 2026-06-01: excluded (exit 3) until MUC has a schedule, then listed with its overdue 12-week scan"
    )
    func worklist() throws {
        let session = try CoordinatorSession()
        for step in [
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "W-1", "--birth", "1971-04-12", "--sex", "male",
                "--consent-date", "2025-01-15",
            ],
            [
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2026-06-01",
            ],
        ] {
            let run = try session.run(step)
            guard run.exitCode == 0 else {
                throw CoordinatorSession.SetupFailure(description: "\(step): \(run.stderr)")
            }
        }
        let unscheduled = try session.run(["worklist", "--site", "muc", "--as-of", "2026-11-27", "--format", "csv"])
        #expect(unscheduled.exitCode == 3)
        #expect(
            unscheduled.stdout.contains(
                "MUC-0001,excluded,no imaging schedule: site MUC has no default imaging schedule"))
        #expect(unscheduled.stderr.contains("1 patient left out"))

        let refused = try session.run([
            "site", "schedule", "--site", "MUC", "--file",
            try Self.file(#"{"imaging": [{"every": {"weeks": 12}, "windowDays": 60}]}"#),
        ])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("schedule.imaging[0].windowDays 60 is out of range"))
        #expect(try session.run(["site", "schedule", "--site", "MUC"]).stdout == "Site MUC has no default schedule.\n")

        let set = try session.run([
            "site", "schedule", "--site", "MUC", "--file",
            try Self.file(#"{"imaging": [{"every": {"weeks": 12}, "windowDays": 14}]}"#),
        ])
        #expect(set.exitCode == 0, "\(set.stderr)")
        #expect(set.stdout == "Set the default schedule of site MUC: imaging.\n")

        let csv = try session.run(["worklist", "--site", "MUC", "--as-of", "2026-11-27", "--format", "csv"])
        #expect(csv.exitCode == 0, "\(csv.stderr)")
        #expect(
            csv.stdout == """
                registry id,kind,what,due since,days late,missed,schedule\r
                MUC-0001,no_assessment,no assessment of line 1 and no baseline,2026-06-01,179,0,site MUC\r
                MUC-0001,imaging_overdue,imaging visit 1 of line 1 (week 12),2026-08-24,81,1,site MUC\r

                """)
        let json = try session.run(["worklist", "--site", "MUC", "--as-of", "2026-11-27", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(
            (report["items"] as? [[String: Any]])?.map { $0["kind"] as? String } == [
                "no_assessment", "imaging_overdue",
            ])
        #expect((report["excluded"] as? [Any])?.isEmpty == true)

        let badDate = try session.run(["worklist", "--site", "MUC", "--as-of", "2026-02-30"])
        #expect(badDate.exitCode == 1)
        #expect(badDate.stderr.contains("--as-of"))
        let unknown = try session.run(["worklist", "--site", "MUX"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("MUX"))
    }

    @Test(
        "site reports write MUC.txt and BER.txt (mode 0600), each the site's worklist and alerts as the two commands print them; exit 3 while MUC-0001 has no schedule; a file in the way of --directory is refused naming it"
    )
    func siteReports() throws {
        let session = try CoordinatorSession()
        for step in [
            ["site", "add", "--code", "BER", "--name", "Berlin Sarcoma Center"],
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "W-1", "--birth", "1971-04-12", "--sex", "male",
                "--consent-date", "2025-01-15",
            ],
            [
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2026-06-01",
            ],
        ] {
            let run = try session.run(step)
            guard run.exitCode == 0 else {
                throw CoordinatorSession.SetupFailure(description: "\(step): \(run.stderr)")
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-reports-\(UUID().uuidString)")
            .path
        let unscheduled = try session.run(["site", "reports", "--directory", folder, "--as-of", "2026-11-27"])
        #expect(unscheduled.exitCode == 3, "\(unscheduled.stderr)")
        #expect(unscheduled.stdout == "site reports: 2 written to \(folder)\n")
        #expect(try String(contentsOfFile: folder + "/MUC.txt", encoding: .utf8).contains("MUC-0001     excluded"))

        _ = try session.run([
            "site", "schedule", "--site", "MUC", "--file",
            try Self.file(#"{"imaging": [{"every": {"weeks": 12}, "windowDays": 14}]}"#),
        ])
        let written = try session.run(["site", "reports", "--directory", folder, "--as-of", "2026-11-27"])
        #expect(written.exitCode == 0, "\(written.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["BER.txt", "MUC.txt"])
        for site in ["BER", "MUC"] {
            let worklist = try session.run(["worklist", "--site", site, "--as-of", "2026-11-27"]).stdout
            let alerts = try session.run(["alerts", "--site", site]).stdout
            #expect(
                try String(contentsOfFile: "\(folder)/\(site).txt", encoding: .utf8) == worklist + "\n" + alerts,
                "site \(site)")
            let mode =
                try FileManager.default.attributesOfItem(atPath: "\(folder)/\(site).txt")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        #expect(
            try String(contentsOfFile: folder + "/MUC.txt", encoding: .utf8).contains("MUC-0001     imaging_overdue"))

        let inTheWay = folder + "/MUC.txt"
        let refused = try session.run(["site", "reports", "--directory", inTheWay])
        #expect(refused.exitCode == 64)
        #expect(refused.stderr.contains("--directory") && refused.stderr.contains(inTheWay))

        // A folder where BER's file should go: BER's file is refused by name, MUC's is still written.
        let blocked = FileManager.default.temporaryDirectory.appendingPathComponent("site-reports-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: blocked + "/BER.txt", withIntermediateDirectories: true)
        let partly = try session.run(["site", "reports", "--directory", blocked, "--as-of", "2026-11-27"])
        #expect(partly.exitCode == 64)
        #expect(partly.stderr.contains("cannot write --directory \(blocked)/BER.txt"), "\(partly.stderr)")
        #expect(FileManager.default.fileExists(atPath: blocked + "/MUC.txt"))
    }
}
