import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("sarcreg report response --trial --arm from the command line")
struct ReportArmCommandTests {
    /// APROMISS with MUC-0001 (synovial sarcoma after doxorubicin) randomized in the synovial cohort and
    /// started on a trial line; returns the session and the arm MUC-0001 was given.
    static func randomizedPatient() throws -> (CoordinatorSession, arm: String) {
        let session = try TrialCommandTests.session()
        let steps: [[String]] = [
            [
                "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "lung", "--method", "ct",
                "--diameter", "32",
                "--date", "2025-03-01",
            ],
            ["trial", "enroll", "MUC-0001", "--trial", "NCT03016819", "--cohort", "synovial"],
            [
                "therapy", "start", "MUC-0001", "--agent", "dacarbazine", "--intent", "palliative", "--start",
                "2025-03-10", "--trial", "NCT03016819",
            ],
        ]
        for step in steps {
            let run = try session.run(step)
            guard run.exitCode == 0 else {
                throw CoordinatorSession.SetupFailure(description: "\(step): \(run.stderr)")
            }
        }
        let arm = try session.database.connect().query("SELECT arm_code FROM trial_enrollments")[0].decode(
            String.self, at: 0)
        return (session, arm)
    }

    @Test("the arm MUC-0001 was randomized to reports its trial line; the other arm of APROMISS reports none")
    func filterByArm() throws {
        let (session, arm) = try Self.randomizedPatient()
        let other = arm == "anlotinib" ? "dacarbazine" : "anlotinib"
        for (code, expectedLines) in [(arm, 1), (other, 0)] {
            let run = try session.run([
                "report", "response", "--trial", "NCT03016819", "--arm", code, "--format", "json",
            ])
            try #require(run.exitCode == 0, "\(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(json["treatedLines"] as? Int == expectedLines)
            #expect((json["filters"] as? [String])?.contains("arm = \(code)") == true)
        }
    }

    @Test(
        "--arm without --trial and an unknown arm exit 1 naming the option and the value, print nothing and write nothing"
    )
    func refusals() throws {
        let (session, _) = try Self.randomizedPatient()
        let before = try session.rowCounts()
        for (arguments, message) in [
            (["--arm", "anlotinib"], "--arm 'anlotinib' needs --trial"),
            (
                ["--trial", "NCT03016819", "--arm", "placebo"],
                "--arm 'placebo' is not an arm of NCT03016819; its arms: anlotinib, dacarbazine"
            ),
        ] {
            let run = try session.run(["report", "response"] + arguments)
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        #expect(try session.rowCounts() == before)
    }
}
