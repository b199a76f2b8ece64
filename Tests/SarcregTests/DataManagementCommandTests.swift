import Foundation
import Testing

@Suite("Data management on the command line: locks, queries, verification")
struct DataManagementCommandTests {
    @Test(
        "patient lock MUC-0001 makes ae record and patient update fail with the lock rule and exit 1, writing nothing; unlock without --reason is wrong usage (64); unlocked, the update goes through"
    )
    func lockRefusalOnTheCommandLine() throws {
        let session = try CoordinatorSession()
        try session.enrollPatientOnALine(mrn: "L-1")
        let lock = try session.run(["patient", "lock", "MUC-0001"])
        #expect(lock.exitCode == 0 && lock.stdout.hasPrefix("Locked MUC-0001 at "), "\(lock.stderr)")
        let before = try session.rowCounts()
        let ae = try session.run([
            "ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "2", "--onset", "2024-02-10", "--attribution",
            "possible", "--line", "1",
        ])
        #expect(ae.exitCode == 1)
        #expect(ae.stderr.contains("a locked patient's records are frozen"), "\(ae.stderr)")
        #expect(ae.stderr.contains("(rule patient_records_locked); nothing was written"))
        let update = try session.run(["patient", "update", "MUC-0001", "--last-contact", "2024-05-01"])
        #expect(update.exitCode == 1 && update.stderr.contains("patient_records_locked"))
        #expect(try session.rowCounts() == before)

        #expect(try session.run(["patient", "unlock", "MUC-0001"]).exitCode == 64)
        let unlock = try session.run(["patient", "unlock", "MUC-0001", "--reason", "monitor visit closed"])
        #expect(
            unlock.exitCode == 0 && unlock.stdout == "Unlocked MUC-0001: monitor visit closed\n", "\(unlock.stderr)")
        #expect(try session.run(["patient", "update", "MUC-0001", "--last-contact", "2024-05-01"]).exitCode == 0)
    }

    @Test(
        "query open on therapy_line:1, answer, close; query list --status shows it by status; a malformed --record names the form; sdv mark and sdv status --left"
    )
    func queriesAndVerification() throws {
        let session = try CoordinatorSession()
        #expect(
            try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", "Q-1", "--birth", "1975", "--sex", "female",
                "--consent-date", "2024-01-15",
            ])
            .exitCode == 0)
        #expect(
            try session.run([
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2024-01-20",
            ]).exitCode == 0)
        let open = try session.run([
            "query", "open", "MUC-0001", "--record", "therapy_line:1", "--field", "start date", "--message",
            "start date per chart?",
        ])
        #expect(open.stdout == "Opened query 1 on MUC-0001 therapy_line 1 (start date).\n", "\(open.stderr)")
        let bad = try session.run(["query", "open", "MUC-0001", "--record", "line:1", "--message", "?"])
        #expect(
            bad.exitCode == 64 && bad.stderr.contains("KIND:REFERENCE with KIND one of assessment, lesion_result"),
            "\(bad.stderr)")
        #expect(
            try session.run(["query", "answer", "1", "--message", "2024-01-20 per chart"]).stdout
                == "Query 1 on MUC-0001 therapy_line 1 is answered.\n")
        #expect(
            try session.run(["query", "list", "--site", "MUC", "--status", "answered", "--format", "csv"]).stdout
                .contains("1,MUC-0001,MUC,therapy_line 1,start date,answered,"))
        #expect(try session.run(["query", "close", "1", "--message", "thanks"]).exitCode == 0)
        let thread = try session.run(["query", "show", "1"])
        #expect(thread.stdout.contains("closed") && thread.stdout.contains("2024-01-20 per chart"))

        #expect(
            try session.run(["sdv", "mark", "MUC-0001", "--record", "therapy_line:1"]).stdout
                == "Verified MUC-0001 therapy_line 1.\n")
        let status = try session.run(["sdv", "status", "--site", "MUC", "--left"])
        #expect(status.stdout.hasPrefix("MUC: 1 of 1 record(s) verified"), "\(status.stdout)\(status.stderr)")
    }
}

extension CoordinatorSession {
    /// MUC-0001, enrolled on 2024-01-15 and on doxorubicin from 2024-01-20 (line 1): a patient whose line an
    /// adverse event can name, for the tests of what a lock refuses.
    func enrollPatientOnALine(mrn: String) throws {
        let enroll = try run([
            "patient", "enroll", "--site", "MUC", "--mrn", mrn, "--birth", "1975", "--sex", "female", "--consent-date",
            "2024-01-15",
        ])
        #expect(enroll.exitCode == 0 && enroll.stdout.contains("MUC-0001"), "\(enroll.stderr)")
        let start = try run([
            "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start", "2024-01-20",
        ])
        #expect(start.exitCode == 0, "\(start.stderr)")
    }
}
