import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("sarcreg db check from the command line")
struct DatabaseCheckCommandTests {
    @Test(
        "db check prints ok for each invariant of a sound registry and exits 0; with MUC's counter moved past MUC-0001 it prints BROKEN with MUC-0002 and exits 1"
    )
    func exitStatusFollowsTheInvariants() throws {
        let database = try TestDatabase.make()
        let environment = [
            "DATABASE_URL": database.connectionString,
            "SARCREG_MRN_KEY": "test-only key, 32 bytes or longer, never used in production",
        ]
        for arguments in [
            ["site", "add", "--code", "MUC", "--name", "Munich Sarcoma Center"],
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "K-1", "--birth", "1970", "--sex", "male",
                "--consent-date", "2024-01-02",
            ],
        ] {
            let run = try CommandLineRun.sarcreg(arguments, environment: environment)
            try #require(run.exitCode == 0, "\(arguments): \(run.stderr)")
        }
        let sound = try CommandLineRun.sarcreg(["db", "check"], environment: environment)
        #expect(sound.exitCode == 0, "\(sound.stdout)\(sound.stderr)")
        // Seven invariants: registry-ids-gapless, result-class-matches-lesion, no-orphan-lesions, timeline-kept,
        // ctcae-terms-known, migrations-in-order, migrations-unedited.
        #expect(sound.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 7, "\(sound.stdout)")
        #expect(!sound.stdout.contains("BROKEN"))

        try database.connect().execute("UPDATE sites SET next_patient_number = 3 WHERE site_code = 'MUC'")
        let broken = try CommandLineRun.sarcreg(["db", "check"], environment: environment)
        #expect(broken.exitCode == 1)
        #expect(broken.stdout.contains("BROKEN registry-ids-gapless"), "\(broken.stdout)")
        #expect(broken.stdout.contains("MUC-0002 is missing (the site's ids run to MUC-0002)"), "\(broken.stdout)")
        #expect(broken.stderr == "Error: 1 of 7 invariants broken: registry-ids-gapless\n", "\(broken.stderr)")
    }
}
