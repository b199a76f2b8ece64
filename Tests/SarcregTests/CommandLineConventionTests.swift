import Foundation
import Testing
import TestSupport

/// The rules every command follows, from a newcomer's first hour (issue 20): the version, one exit status and
/// one line for every refused input, site codes in any case, help that
/// says what the command does, and a `--verbose` that shows the statements. Negative numbers as option values
/// are among the bad inputs of `CoordinatorCommandTests`.
@Suite("Command-line conventions: --version, exit status, site codes, help, --verbose")
struct CommandLineConventionTests {
    /// The help text as one line of single spaces, since ArgumentParser wraps it to the terminal's width.
    private static func flattened(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(
        "--version prints the release and the schema it was built for, the number of the last migration (0.1.0 (schema 0033)), and exits 0"
    )
    func version() throws {
        let run = try CommandLineRun.sarcreg(["--version"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let match = try #require(run.stdout.wholeMatch(of: /\d+\.\d+\.\d+ \(schema (\d{4})\)\n/), "\(run.stdout)")
        let last = try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrationsDirectory)
            .filter { $0.hasSuffix(".sql") }.map { String($0.prefix(4)) }.max()
        #expect(String(match.1) == last)
        #expect(run.stderr.isEmpty)
    }

    @Test("--help exits 0 and states the exit status rule")
    func helpStatesTheRule() throws {
        let run = try CommandLineRun.sarcreg(["--help"])
        #expect(run.exitCode == 0)
        let rule = Self.flattened(run.stdout)
        #expect(rule.contains("Exit status: 0 done (also --help and --version); 1 refused by the registry"))
        #expect(rule.contains("64 wrong usage"))
        #expect(rule.contains("69 the database could not be reached"))
        let sub = try CommandLineRun.sarcreg(["therapy", "start", "--help"])
        #expect(sub.exitCode == 0)
        #expect(sub.stdout.contains("--agent"))
    }

    /// Refused before any database work, so no database is needed: the option is named on one line with
    /// the subcommand's help to look at, then the subcommand's own usage line, never the top-level usage.
    @Test(
        "a refused command line exits 64 with one line naming the option and the subcommand's usage",
        arguments: [
            (
                [
                    "patient", "enroll", "--site", "MUC", "--birth", "1980", "--sex", "male", "--consent-date",
                    "2024-01-01",
                ],
                "missing --mrn (no terminal to ask on; pass --mrn in scripts) (see 'sarcreg patient enroll --help')"
            ),
            (
                ["user", "add", "alice", "--role", "coordinator", "--site", "MUC"],
                "missing --password-file (no terminal to ask on; pass --password-file in scripts) (see 'sarcreg user add --help')"
            ),
            (
                ["therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--start", "2024-01-20"],
                "Missing expected argument '--intent <intent>' (see 'sarcreg therapy start --help')"
            ),
            (
                ["patient", "list", "--colour", "red"],
                "Unknown option '--colour' (see 'sarcreg patient list --help')"
            ),
            (
                [
                    "ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "three", "--onset", "2024-02-10",
                    "--attribution", "probable",
                ],
                "The value 'three' is invalid for '--grade <grade>' (see 'sarcreg ae record --help')"
            ),
            (
                ["therapy", "start", "MUC-0001", "--intent", "palliative", "--start", "2024-01-20"],
                "missing --agent (the line's agent; repeat it for a combination) (see 'sarcreg therapy start --help')"
            ),
        ])
    func refusedCommandLine(arguments: [String], message: String) throws {
        let run = try CommandLineRun.sarcreg(
            arguments, environment: ["SARCREG_MRN_KEY": "cli-test-key-that-is-long-enough-for-hmac-sha256"])
        #expect(run.exitCode == 64)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.first.map(String.init) == "Error: \(message)")
        let command = try #require(message.firstMatch(of: /\(see '(sarcreg [a-z ]+) --help'\)/)).1
        #expect(lines.count == 2 && lines[1].hasPrefix("Usage: \(command) "), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test("refused data exits 1 with one line naming the option, like a refused command line")
    func refusedData() throws {
        let session = try CoordinatorSession()
        #expect(
            try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", "A-1", "--birth", "1980", "--sex", "male",
                "--consent-date", "2024-01-01",
            ]).exitCode == 0)
        let unknownAgent = try session.run([
            "therapy", "start", "MUC-0001", "--agent", "doxorubicn", "--intent", "palliative", "--start", "2024-01-20",
        ])
        #expect(unknownAgent.exitCode == 1)
        #expect(unknownAgent.stderr.hasPrefix("Error: "))
        #expect(unknownAgent.stderr.contains("doxorubicn"))
        #expect(unknownAgent.stderr.split(separator: "\n").count == 1, "\(unknownAgent.stderr)")
        let password = FileManager.default.temporaryDirectory.appendingPathComponent("sarcreg-password-\(UUID())")
        try "not-a-real-password".write(to: password, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: password) }
        let noSite = try session.run([
            "user", "add", "alice", "--role", "coordinator", "--password-file", password.path,
        ])
        #expect(noSite.exitCode == 1)
        #expect(noSite.stderr == "Error: coordinator 'alice' needs at least one --site\n")
    }

    @Test("site codes are read in any case: site add, patient enroll and patient list")
    func siteCodesInAnyCase() throws {
        let session = try CoordinatorSession()
        let add = try session.run(["site", "add", "--code", "ber", "--name", "Berlin Sarcoma Center"])
        #expect(add.exitCode == 0, "\(add.stderr)")
        #expect(add.stdout == "Added site BER (Berlin Sarcoma Center).\n")
        let enroll = try session.run([
            "patient", "enroll", "--site", "muc", "--mrn", "L-1", "--birth", "1980", "--sex", "female",
            "--consent-date", "2024-01-01",
        ])
        #expect(enroll.exitCode == 0, "\(enroll.stderr)")
        #expect(enroll.stdout == "Enrolled MUC-0001 at MUC.\n")
        let list = try session.run(["patient", "list", "--site", "Muc", "--format", "csv"])
        #expect(list.exitCode == 0, "\(list.stderr)")
        #expect(list.stdout.contains("MUC-0001,MUC,"))
    }

    @Test("sync help says what import reads and what export writes; import refuses --format fhir by name")
    func syncHelp() throws {
        let sync = Self.flattened(try CommandLineRun.sarcreg(["sync", "--help"]).stdout)
        #expect(sync.contains("Import source registries' SDTM or REDCap exports"))
        let importHelp = try CommandLineRun.sarcreg(["sync", "import", "--help"])
        let importText = Self.flattened(importHelp.stdout)
        #expect(importHelp.exitCode == 0)
        #expect(
            importText.contains(
                "Import one SDTM export folder (dm, ds, mh, gf, ex, ae, tu, tr, rs and SUPP-- CSV files) or one REDCap record export"
            ))
        #expect(importText.contains("with --format redcap: the record export CSV file."))
        #expect(
            importText.contains(
                "--format <format> Format of the export: sdtm (a folder) or redcap (a record file, with --dictionary). (values: sdtm, redcap"
            ))
        #expect(!importText.lowercased().contains("fhir"))
        let fhir = try CommandLineRun.sarcreg([
            "sync", "import", "/nonexistent", "--format", "fhir", "--source", "site-a",
        ])
        #expect(fhir.exitCode == 64)
        #expect(fhir.stderr.hasPrefix("Error: The value 'fhir' is invalid for '--format <format>'"), "\(fhir.stderr)")
        let export = Self.flattened(try CommandLineRun.sarcreg(["sync", "export", "--help"]).stdout)
        #expect(
            export.contains(
                "With sdtm or fhir: the folder to write (created if absent; must not hold export files). With redcap: the file to write."
            ))
    }

    @Test(
        "--verbose logs where it connected (database, user, host, port) and each statement with its time, never a bound value; without it stderr stays empty"
    )
    func verbose() throws {
        let session = try CoordinatorSession()
        let quiet = try session.run([
            "patient", "enroll", "--site", "MUC", "--mrn", "QUIET-MRN-41", "--birth", "1980", "--sex", "male",
            "--consent-date", "2024-01-01",
        ])
        #expect(quiet.exitCode == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let loud = try session.run([
            "patient", "enroll", "--site", "MUC", "--mrn", "LOUD-MRN-77", "--birth", "1981", "--sex", "female",
            "--consent-date", "2024-01-02", "--verbose",
        ])
        #expect(loud.exitCode == 0, "\(loud.stderr)")
        let statements = loud.stderr.split(separator: "\n").filter { $0.contains("executing statement") }
        #expect(
            statements.contains {
                $0.wholeMatch(of: /\s*\d+\.\d{3} ms trace executing statement db\.statement=.*/) != nil
            }, "\(loud.stderr)")
        #expect(loud.stderr.contains("INSERT INTO patients"))
        let target = try #require(
            loud.stderr.split(separator: "\n").first { $0.contains("connected to database ") }, "\(loud.stderr)")
        #expect(target.contains("connected to database \(session.database.name) as "), "\(target)")
        let connection = try session.database.connect()
        let hash = try connection.query("SELECT mrn_hmac FROM patients WHERE registry_id = 'MUC-0002'")[0].decode(
            String.self, "mrn_hmac")
        for secret in ["LOUD-MRN-77", hash, "2024-01-02", "cli-test-key"] {
            #expect(!loud.stderr.contains(secret), "\(secret) is in the log")
        }
    }

    @Test(
        "an adverse event refused because MUC-0001 is locked says the rule; with --verbose the server's whole report follows (its message, CONSTRAINT, TABLE, the statement), without it none"
    )
    func verboseShowsTheServerReport() throws {
        let session = try CoordinatorSession()
        try session.enrollPatientOnALine(mrn: "V-1")
        #expect(try session.run(["patient", "lock", "MUC-0001"]).exitCode == 0)
        let record = [
            "ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "2", "--onset", "2024-02-10", "--attribution",
            "possible", "--line", "1",
        ]
        let quiet = try session.run(record)
        #expect(
            quiet.exitCode == 1 && quiet.stderr.contains("(rule patient_records_locked); nothing was written"),
            "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("server's report") && !quiet.stderr.contains("SQLSTATE"), "\(quiet.stderr)")
        let loud = try session.run(record + ["--verbose"])
        #expect(
            loud.exitCode == 1 && loud.stderr.contains("(rule patient_records_locked); nothing was written"),
            "\(loud.stderr)")
        let report = try #require(
            loud.stderr.range(of: "The server's report (--verbose; it may quote row values):\n").map {
                loud.stderr[$0.upperBound...]
            },
            "\(loud.stderr)")
        #expect(report.contains("is locked: INSERT refused on adverse_events (SQLSTATE 23000)"), "\(report)")
        #expect(report.contains("CONSTRAINT: patient_records_locked\nTABLE: adverse_events\n"), "\(report)")
        #expect(report.contains("STATEMENT: INSERT INTO adverse_events"), "\(report)")
    }
}
