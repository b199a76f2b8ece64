import Foundation
import PostgresClient
import Testing
import TestSupport

/// The timeline rules and the corrections through the built binary, as a coordinator types them.
@Suite("Timeline rules and corrections on the command line")
struct TimelineCommandTests {
    let session: CoordinatorSession

    init() throws {
        session = try CoordinatorSession()
        // MUC-0001 to MUC-0003, born 1975, each on doxorubicin from 2024-01-20.
        for (index, mrn) in ["T-1", "T-2", "T-3"].enumerated() {
            let enroll = try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", mrn, "--birth", "1975", "--sex", "female",
                "--consent-date", "2024-01-15",
            ])
            let line = try session.run([
                "therapy", "start", "MUC-000\(index + 1)", "--agent", "doxorubicin", "--intent", "palliative",
                "--start", "2024-01-20",
            ])
            guard enroll.exitCode == 0, line.exitCode == 0 else {
                throw CoordinatorSession.SetupFailure(description: enroll.stderr + line.stderr)
            }
        }
    }

    func refused(_ arguments: [String], rule: String) throws {
        let before = try session.rowCounts()
        let run = try session.run(arguments)
        #expect(run.exitCode == 1, "\(arguments)")
        #expect(run.stderr.contains("(rule \(rule))"), "\(run.stderr)")
        #expect(try session.rowCounts() == before)
    }

    @Test(
        "MUC-0002 died on 2024-05-01: an AE of 2024-08-10 and a line started 2024-09-01 are refused (after_death), an AE on the day of death is recorded"
    )
    func afterDeath() throws {
        #expect(try session.run(["patient", "update", "MUC-0002", "--death-date", "2024-05-01"]).exitCode == 0)
        try refused(
            [
                "ae", "record", "MUC-0002", "--term", "Nausea", "--grade", "2", "--onset", "2024-08-10",
                "--attribution", "possible",
            ], rule: "after_death")
        try refused(
            [
                "therapy", "start", "MUC-0002", "--agent", "pazopanib", "--intent", "palliative", "--start",
                "2024-09-01", "--concurrent",
            ], rule: "after_death")
        try refused(
            [
                "diagnosis", "record", "MUC-0002", "--icdo3", "8890/3", "--primary-site", "thigh", "--diagnosed",
                "2024-06", "--setting", "metastatic",
            ], rule: "after_death")
        #expect(
            try session.run([
                "ae", "record", "MUC-0002", "--term", "Dyspnea", "--grade", "5", "--onset", "2024-05-01",
                "--attribution", "unlikely",
            ]).exitCode == 0)
    }

    @Test(
        "a death on 2024-05-01 is refused while MUC-0001 has a nausea of 2024-08-10 on file, naming it (after_death); a follow-up assessment after a recorded death is refused too"
    )
    func deathBeforeStoredRecords() throws {
        #expect(
            try session.run([
                "ae", "record", "MUC-0001", "--term", "Nausea", "--grade", "2", "--onset", "2024-08-10",
                "--attribution", "possible",
            ]).exitCode == 0)
        let death = try session.run(["patient", "update", "MUC-0001", "--death-date", "2024-05-01"])
        #expect(death.exitCode == 1)
        #expect(death.stderr.contains("--death-date 2024-05-01: adverse event "))
        #expect(
            death.stderr.contains(
                "(onset_on) is dated 2024-08-10; nothing is dated after the patient's death except the death itself (rule after_death)"
            ))
        #expect(
            try session.run(["patient", "show", "MUC-0001"]).stdout.hasPrefix(
                "MUC-0001 at MUC: born 1975, female, consent 2024-01-15; alive\n"))
        #expect(try session.run(["patient", "update", "MUC-0002", "--death-date", "2024-05-01"]).exitCode == 0)
        #expect(
            try session.run([
                "lesion", "add", "MUC-0002", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method",
                "ct", "--diameter", "32", "--date", "2024-01-10",
            ]).exitCode == 0)
        try refused(["assess", "record", "MUC-0002", "--date", "2024-06-01", "--result", "T1=20"], rule: "after_death")
    }

    @Test(
        "line 2 started 2024-03-01 while line 1 (from 2024-01-20) is open is refused (overlapping_lines); with --concurrent it is recorded"
    )
    func overlappingLines() throws {
        try refused(
            [
                "therapy", "start", "MUC-0001", "--agent", "pazopanib", "--intent", "palliative", "--start",
                "2024-03-01",
            ], rule: "overlapping_lines")
        #expect(
            try session.run([
                "therapy", "start", "MUC-0001", "--agent", "pazopanib", "--intent", "palliative", "--start",
                "2024-03-01", "--concurrent",
            ]).exitCode == 0)
    }

    @Test(
        "an AE with onset 2024-01-10, before line 1 started on 2024-01-20, is refused (adverse_event_before_first_line); with --baseline it is recorded"
    )
    func adverseEventBeforeFirstLine() throws {
        try refused(
            [
                "ae", "record", "MUC-0001", "--term", "Fatigue", "--grade", "1", "--onset", "2024-01-10",
                "--attribution", "unrelated",
            ], rule: "adverse_event_before_first_line")
        #expect(
            try session.run([
                "ae", "record", "MUC-0001", "--term", "Fatigue", "--grade", "1", "--onset", "2024-01-10",
                "--attribution", "unrelated", "--baseline",
            ]).exitCode == 0)
    }

    @Test("a diagnosis of 1974 for a patient born in 1975 is refused naming --diagnosed and the birth year")
    func beforeBirth() throws {
        let run = try session.run([
            "diagnosis", "record", "MUC-0001", "--icdo3", "8890/3", "--primary-site", "thigh", "--diagnosed",
            "1974-06-01", "--setting", "metastatic",
        ])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("--diagnosed 1974-06-01 is before the patient's birth (born 1975)"))
    }

    @Test(
        "after MUC-0003 withdrew on 2025-01-31: a last contact of 2025-02-10 (vital status) is recorded; an ECOG of 2025-02-10 or an AE is refused"
    )
    func afterWithdrawal() throws {
        #expect(try session.run(["patient", "withdraw", "MUC-0003", "--date", "2025-01-31"]).exitCode == 0)
        #expect(try session.run(["patient", "update", "MUC-0003", "--last-contact", "2025-02-10"]).exitCode == 0)
        let ecog = try session.run(["patient", "update", "MUC-0003", "--ecog", "1", "--ecog-date", "2025-02-10"])
        #expect(ecog.exitCode == 1)
        #expect(ecog.stderr.contains("withdrew consent on 2025-01-31"))
        let ae = try session.run([
            "ae", "record", "MUC-0003", "--term", "Nausea", "--grade", "2", "--onset", "2024-03-01", "--attribution",
            "possible",
        ])
        #expect(ae.exitCode == 1)
        #expect(ae.stderr.contains("withdrew consent on 2025-01-31"))
    }

    @Test(
        "ae update without --reason exits 64 naming --reason and changes nothing; with a reason `sarcreg audit` shows it beside the old and new grade"
    )
    func correctionReasonInAudit() throws {
        let recorded = try session.run([
            "ae", "record", "MUC-0001", "--term", "Nausea", "--grade", "2", "--onset", "2024-02-10", "--attribution",
            "possible", "--line", "1",
        ])
        #expect(recorded.stdout.hasPrefix("Recorded adverse event "))
        let eventID = try #require(
            recorded.stdout.split(separator: " ")[3].split(separator: ":").first.map(String.init))
        let missing = try session.run(["ae", "update", "MUC-0001", "--id", eventID, "--grade", "3"])
        #expect(missing.exitCode == 64)
        #expect(
            missing.stderr.hasPrefix(
                "Error: missing --reason (why the record is corrected; the audit trail keeps it) (see 'sarcreg ae update --help')\nUsage: sarcreg ae update "
            ), "\(missing.stderr)")
        let updated = try session.run([
            "ae", "update", "MUC-0001", "--id", eventID, "--grade", "3", "--resolved", "2024-02-20", "--reason",
            "hospitalised; discharge letter",
        ])
        #expect(updated.exitCode == 0, "\(updated.stderr)")
        let audit = try session.run(["audit", "MUC-0001", "--format", "csv"])
        let line = try #require(
            audit.stdout.split(separator: "\r\n").first { $0.contains("hospitalised; discharge letter") })
        #expect(line.contains("adverse_events,UPDATE,hospitalised; discharge letter,"))
        #expect(line.contains("grade: 2 -> 3"))
        #expect(line.contains("resolved_on: null -> 2024-02-20"))
    }

    @Test(
        "db check lists an AE after death written by SQL before the rule (exit 3, rule after_death) and exits 0 once it is corrected"
    )
    func databaseCheck() throws {
        #expect(try session.run(["db", "check"]).stdout.contains("ok     timeline-kept: "))
        #expect(try session.run(["patient", "update", "MUC-0002", "--death-date", "2024-05-01"]).exitCode == 0)
        let connection = try session.database.connect()
        try connection.execute(
            """
            INSERT INTO adverse_events (patient_id, ctcae_term, ctcae_version, grade, onset_on, attribution)
            SELECT patient_id, 'Nausea', '5.0', 2, DATE '2024-08-10', 'possible' FROM patients WHERE registry_id = 'MUC-0002'
            """)
        let check = try session.run(["db", "check"])
        #expect(check.exitCode == 1)
        #expect(check.stdout.contains("BROKEN timeline-kept: "))
        // db check's lines wrap at 100 columns: read its line breaks and indents as spaces.
        let checked = check.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(checked.contains("MUC-0002 adverse event "))
        #expect(checked.contains(": after_death: onset_on 2024-08-10: the patient died on 2024-05-01;"))
        #expect(check.stderr.contains("invariants broken: timeline-kept"))
        try connection.execute("DELETE FROM adverse_events WHERE onset_on = '2024-08-10'")
        #expect(try session.run(["db", "check"]).exitCode == 0)
    }
}
