import Foundation
import Testing
import TestSupport

/// Assessment, patient, response and user commands read their values with the domain's parsers in `validate()`
/// (issue 21): a value the registry refuses is refused before any connection, in the registry's words.
@Suite("Values refused while a command reads its options, before it connects")
struct TypedRequestCommandTests {
    /// No server listens there: a command that tried to connect would exit 69, not 1.
    static let unreachable = "postgresql://registrar@127.0.0.1:1/sarcreg?connect_timeout=2"

    @Test(
        "a refused value exits 1 with one line naming the option and the value, without reaching the database",
        arguments: [
            (
                [
                    "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "new", "--organ", "liver", "--method",
                    "ct", "--diameter", "20",
                    "--date", "2024-01-05",
                ], ["--class 'new' is not allowed", "non-target"]
            ),
            (
                ["lesion", "amend", "MUC-0001", "--lesion", "T1", "--diameter", "2 cm", "--reason", "re-measured"],
                ["--diameter '2 cm' is malformed"]
            ),
            (
                ["assess", "record", "MUC-0001", "--date", "2024-13-01", "--result", "T1=20"],
                ["--date '2024-13-01' is malformed"]
            ),
            (
                ["assess", "record", "MUC-0001", "--date", "2024-03-01", "--result", "T1=abc"],
                ["T1", "'abc' is malformed"]
            ),
            (
                [
                    "assess", "void", "MUC-0001", "--date", "2024-03-01", "--evaluator", "9th reader", "--reason",
                    "wrong patient",
                ],
                ["--evaluator '9th reader' is malformed"]
            ),
            (["response", "show", "MUC-0001", "--evaluator", "Dr. Who"], ["--evaluator 'Dr. Who' is malformed"]),
            (
                [
                    "patient", "enroll", "--site", "MUC", "--mrn", "A-1", "--birth", "1980", "--sex", "robot",
                    "--consent-date", "2024-01-01",
                ],
                ["--sex 'robot' is not allowed"]
            ),
            (
                ["patient", "update", "MUC-0001", "--vital-status", "zombie"],
                ["--vital-status 'zombie' is not allowed"]
            ),
            (["patient", "withdraw", "MUC-0001", "--date", "2025-02-30"], ["--date '2025-02-30' is malformed"]),
            (["user", "add", "alice", "--role", "wizard", "--site", "MUC"], ["--role 'wizard' is not one of"]),
        ])
    func refusedBeforeConnecting(arguments: [String], named: [String]) throws {
        let run = try CommandLineRun.sarcreg(arguments, environment: ["DATABASE_URL": Self.unreachable])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("Error: ") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        for text in named { #expect(run.stderr.contains(text), "\(run.stderr)") }
        #expect(run.stdout.isEmpty)
    }
}
