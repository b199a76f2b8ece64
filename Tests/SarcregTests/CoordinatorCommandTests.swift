import Foundation
import PostgresClient
import Testing
import TestSupport

/// Runs the coordinator's commands through the built binary against a database of the suite's own.
struct CoordinatorSession {
    let database: TestDatabase
    let environment: [String: String]

    init() throws {
        database = try TestDatabase.make()
        environment = [
            "DATABASE_URL": database.connectionString,
            "SARCREG_MRN_KEY": "cli-test-key-that-is-long-enough-for-hmac-sha256",
        ]
        let site = try run(["site", "add", "--code", "MUC", "--name", "Munich Sarcoma Center"])
        guard site.exitCode == 0 else { throw SetupFailure(description: site.stderr) }
    }

    struct SetupFailure: Error, CustomStringConvertible { let description: String }

    func run(_ arguments: [String]) throws -> CommandLineRun {
        try CommandLineRun.sarcreg(arguments, environment: environment)
    }

    func rowCounts() throws -> [String: Int] {
        let connection = try database.connect()
        var counts: [String: Int] = [:]
        for table in [
            "sites", "patients", "patient_ecog", "diagnoses", "molecular_results", "therapy_lines", "adverse_events",
        ] {
            counts[table] = try connection.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode(
                Int.self, "n")
        }
        return counts
    }
}

@Suite("The coordinator's commands: enroll, record, show")
struct CoordinatorCommandTests {
    @Test("a coordinator enrolls a patient, records a diagnosis and a fusion, starts a line and lists it all as JSON")
    func happyPath() throws {
        let session = try CoordinatorSession()
        let enroll = try session.run([
            "patient", "enroll", "--site", "MUC", "--mrn", "H-2231", "--birth", "1975-06-01", "--sex", "female",
            "--consent-date", "2024-01-15", "--ecog", "1", "--ecog-date", "2024-01-15",
        ])
        #expect(enroll.exitCode == 0, "\(enroll.stderr)")
        #expect(enroll.stdout == "Enrolled MUC-0001 at MUC.\n")
        #expect(
            try session.run([
                "diagnosis", "record", "MUC-0001", "--icdo3", "9040/3", "--primary-site", "thigh", "--diagnosed",
                "2023-11", "--setting", "metastatic", "--grade", "3",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "molecular", "record", "MUC-0001", "--gene", "SSX1", "--kind", "fusion", "--partner", "SS18",
                "--method", "fish", "--result", "positive", "--report-date", "2023-12-01",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2024-01-20",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "3", "--onset", "2024-02-10",
                "--attribution", "probable", "--line", "1",
            ]).exitCode == 0)
        let show = try session.run(["patient", "show", "MUC-0001", "--format", "json"])
        #expect(show.exitCode == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((json["patient"] as? [String: Any])?["registryID"] as? String == "MUC-0001")
        #expect((json["diagnoses"] as? [[String: Any]])?.first?["icdo3Code"] as? String == "9040/3")
        #expect((json["therapyLines"] as? [[String: Any]])?.first?["agents"] as? [String] == ["doxorubicin"])
        #expect((json["adverseEvents"] as? [[String: Any]])?.first?["grade"] as? Int == 3)
        #expect(!show.stdout.contains("H-2231") && !show.stdout.contains("mrn"))
        let csv = try session.run(["patient", "list", "--format", "csv"])
        #expect(
            csv.stdout.hasPrefix(
                "registry id,site,birth year,sex,consent,withdrawn,vital status,last contact,death\r\n"))
        #expect(csv.stdout.contains("MUC-0001,MUC,1975,female,2024-01-15,,alive,,\r\n"))
        let table = try session.run(["patient", "show", "MUC-0001"])
        #expect(table.stdout.contains("SS18"))
        #expect(table.stdout.contains("Anemia"))
    }

    @Test("in a script, enroll never prompts: a missing --sex fails naming the option, writing nothing")
    func noPromptInScripts() throws {
        let session = try CoordinatorSession()
        let before = try session.rowCounts()
        let run = try session.run([
            "patient", "enroll", "--site", "MUC", "--mrn", "X1", "--birth", "1980", "--consent-date", "2024-01-01",
        ])
        #expect(run.exitCode != 0)
        #expect(run.stderr.contains("missing --sex"))
        #expect(try session.rowCounts() == before)
    }

    @Test("enroll without an MRN key refuses with what to set, before touching the database")
    func missingKey() throws {
        let session = try CoordinatorSession()
        let run = try CommandLineRun.sarcreg(
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "X1", "--birth", "1980", "--sex", "male",
                "--consent-date", "2024-01-01",
            ],
            environment: [
                "DATABASE_URL": session.database.connectionString, "SARCREG_MRN_KEY": "", "SARCREG_MRN_KEY_FILE": "",
            ])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("the MRN key is not set"))
        #expect(try session.rowCounts()["patients"] == 0)
    }

    /// Each bad input of the issue: the message names the field and the value, the exit code is
    /// non-zero, and no table changes.
    @Test(
        "bad input from the terminal is refused by name and value, exits 1 and writes nothing",
        arguments: [
            (
                [
                    "patient", "enroll", "--site", "XYZ", "--mrn", "N1", "--birth", "1980", "--sex", "male",
                    "--consent-date", "2024-01-01",
                ],
                "unknown site 'XYZ'"
            ),
            (
                [
                    "patient", "enroll", "--site", "MUC", "--mrn", "DUP-1", "--birth", "1980", "--sex", "male",
                    "--consent-date", "2024-01-01",
                ],
                "this medical record number is already enrolled at site MUC as MUC-0001"
            ),
            (
                [
                    "patient", "enroll", "--site", "MUC", "--mrn", "N2", "--birth", "1980", "--sex", "robot",
                    "--consent-date", "2024-01-01",
                ],
                "--sex 'robot' is not allowed; use one of: female, male, other, unknown"
            ),
            (
                [
                    "diagnosis", "record", "MUC-0001", "--icdo3", "8890", "--primary-site", "uterus", "--diagnosed",
                    "2023", "--setting", "metastatic",
                ],
                "--icdo3 '8890' is malformed; expected an ICD-O-3 morphology code such as 8890/3"
            ),
            (
                [
                    "diagnosis", "record", "MUC-0001", "--icdo3", "8000/3", "--primary-site", "uterus", "--diagnosed",
                    "2023", "--setting", "metastatic",
                ],
                "ICD-O-3 code '8000/3' is not in the registry's histology vocabulary"
            ),
            (
                [
                    "molecular", "record", "MUC-0001", "--gene", "NTRK7", "--kind", "fusion", "--method", "fish",
                    "--result", "positive", "--report-date", "2024-01-01",
                ],
                "--gene 'NTRK7' is not a known HGNC gene symbol"
            ),
            (
                [
                    "molecular", "record", "MUC-0001", "--gene", "INI1", "--kind", "loss_of_expression", "--method",
                    "ihc", "--result", "positive", "--report-date", "2024-01-01",
                ],
                "--gene 'INI1' is not an approved HGNC symbol; did you mean SMARCB1 (INI1 is its alias)"
            ),
            (
                [
                    "therapy", "start", "MUC-0001", "--agent", "nab-sirolimus", "--agent", "Doxorubicine", "--agent",
                    "taxoll", "--intent", "palliative", "--start", "2024-03-01",
                ],
                "unknown agents 'doxorubicine' (did you mean doxorubicin?), 'taxoll' (did you mean taxol?); nothing was recorded"
            ),
            (
                [
                    "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                    "2031-01-01",
                ],
                "--start 2031-01-01 is in the future"
            ),
            (
                [
                    "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                    "1979-12-31",
                ],
                "--start 1979-12-31 is before the patient's birth (born 1980)"
            ),
            (
                ["therapy", "stop", "MUC-0001", "--line", "1", "--stop", "2023-12-31", "--reason", "toxicity"],
                "--stop 2023-12-31 is before the line's start 2024-02-01"
            ),
            (
                [
                    "ae", "record", "MUC-0001", "--term", "Fatigue", "--grade", "6", "--onset", "2024-03-01",
                    "--attribution", "possible",
                ],
                "--grade 6 is out of range; allowed 1 to 5 (CTCAE)"
            ),
            (
                [
                    "diagnosis", "record", "MUC-0001", "--icdo3", "8890/3", "--primary-site", "uterus", "--diagnosed",
                    "2023-02-30", "--setting", "metastatic",
                ],
                "--diagnosed '2023-02-30' is malformed"
            ),
            // A negative number is the option's value, refused in the registry's words, not an unknown option `-5`.
            (
                [
                    "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method",
                    "ct", "--diameter", "-5", "--date", "2024-01-05",
                ],
                "lesion T1 on 2024-01-05: diameter -5 mm is negative"
            ),
            (
                ["patient", "update", "MUC-0001", "--ecog", "-1", "--ecog-date", "2024-02-01"],
                "--ecog -1 is out of range; allowed 0 to 5"
            ),
            (
                [
                    "ae", "record", "MUC-0001", "--term", "Fatigue", "--grade", "-2", "--onset", "2024-03-01",
                    "--attribution", "possible",
                ],
                "--grade -2 is out of range; allowed 1 to 5 (CTCAE)"
            ),
        ])
    func badInput(arguments: [String], message: String) throws {
        let session = try CoordinatorSession()
        #expect(
            try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", "DUP-1", "--birth", "1980", "--sex", "male",
                "--consent-date", "2024-01-01",
            ]).exitCode == 0)
        #expect(
            try session.run([
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2024-02-01",
            ]).exitCode == 0)
        let before = try session.rowCounts()
        let run = try session.run(arguments)
        #expect(run.exitCode == 1, "\(run.stdout)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try session.rowCounts() == before)
    }
}
