import Testing
import TestSupport

@Suite("Diagnoses, molecular results, therapy lines and adverse events from the terminal")
struct ClinicalCommandTests {
    /// The services take parsed dates and vocabularies, so the command reads each value before it connects: the
    /// database named here does not exist, and a command that tried to reach it would exit 69, not 1.
    @Test(
        "a date or vocabulary word the registry refuses exits 1 with one line naming the option and the value, before connecting",
        arguments: [
            (
                [
                    "diagnosis", "record", "MUC-0001", "--icdo3", "8890/3", "--primary-site", "thigh", "--diagnosed",
                    "2023",
                    "--setting", "metastasised",
                ],
                "--setting 'metastasised' is not allowed; use one of: localized, locally_advanced_unresectable, metastatic"
            ),
            (
                [
                    "diagnosis", "record", "MUC-0001", "--icdo3", "8890/3", "--icdo-version", "3.3", "--primary-site",
                    "thigh", "--diagnosed", "2023",
                    "--setting", "metastatic",
                ],
                "--icdo-version '3.3' is not allowed; use one of: 3.0, 3.1, 3.2"
            ),
            (
                [
                    "diagnosis", "amend", "MUC-0001", "--id", "1", "--diagnosed", "2023-13", "--reason",
                    "pathology review",
                ],
                "--diagnosed '2023-13' is malformed; expected an existing date as YYYY, YYYY-MM or YYYY-MM-DD"
            ),
            (
                [
                    "molecular", "record", "MUC-0001", "--gene", "NTRK3", "--kind", "fuson", "--method", "fish",
                    "--result", "positive",
                    "--report-date", "2024-01-01",
                ],
                "--kind 'fuson' is not allowed; use one of: fusion, amplification, mutation, deletion, loss_of_expression, overexpression, "
                    + "rearrangement"
            ),
            (
                [
                    "molecular", "record", "MUC-0001", "--gene", "NTRK3", "--kind", "fusion", "--method", "wgs",
                    "--result", "positive",
                    "--report-date", "2024-01-01",
                ],
                "--method 'wgs' is not allowed; use one of: ngs_dna, ngs_rna, fish, ihc, pcr"
            ),
            (
                [
                    "molecular", "record", "MUC-0001", "--gene", "NTRK3", "--kind", "fusion", "--method", "fish",
                    "--result", "positive",
                    "--report-date", "2024-01-01", "--specimen-date", "2023-12-32",
                ],
                "--specimen-date '2023-12-32' is malformed; expected an existing calendar date as YYYY-MM-DD"
            ),
            (
                ["molecular", "amend", "MUC-0001", "--id", "1", "--result", "likely", "--reason", "addendum report"],
                "--result 'likely' is not allowed; use one of: positive, negative, equivocal, failed"
            ),
            (
                [
                    "ae", "record", "MUC-0001", "--term", "Fatigue", "--grade", "2", "--onset", "2024-03-01",
                    "--attribution", "maybe",
                ],
                "--attribution 'maybe' is not allowed; use one of: unrelated, unlikely, possible, probable, definite"
            ),
            (
                [
                    "ae", "record", "MUC-0001", "--term", "Fatigue", "--ctcae-version", "5", "--grade", "2", "--onset",
                    "2024-03-01",
                    "--attribution", "possible",
                ],
                "--ctcae-version '5' is not allowed; use one of: 4.0, 4.03, 5.0, 6.0"
            ),
            (
                ["ae", "update", "MUC-0001", "--id", "1", "--resolved", "2024-02-30", "--reason", "discharge letter"],
                "--resolved '2024-02-30' is malformed; expected an existing calendar date as YYYY-MM-DD"
            ),
            (
                [
                    "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "curativ", "--start",
                    "2024-01-20",
                ],
                "--intent 'curativ' is not allowed; use one of: neoadjuvant, adjuvant, curative, palliative, maintenance, not_recorded"
            ),
            (
                ["therapy", "stop", "MUC-0001", "--line", "1", "--stop", "2024-06-02", "--reason", "progressed"],
                "--reason 'progressed' is not allowed; use one of: progression, toxicity, completed, patient_choice, death, other"
            ),
            (
                ["therapy", "amend", "MUC-0001", "--line", "1", "--start", "20240106", "--reason", "pharmacy record"],
                "--start '20240106' is malformed; expected an existing calendar date as YYYY-MM-DD"
            ),
        ])
    func refusedBeforeConnecting(arguments: [String], message: String) throws {
        let run = try CommandLineRun.sarcreg(
            arguments + ["--database", "host=/nonexistent-sarcreg-socket dbname=none"])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr == "Error: \(message)\n")
        #expect(run.stdout.isEmpty)
    }
}
