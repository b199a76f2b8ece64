import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

@Suite("audit completeness")
struct AuditCompletenessTests {
    /// Entries of row changes, not the migrations' records of the audit guards (GUARDS, DISABLE TRIGGER).
    static let changes = "operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')"

    /// Every current row of every clinical table has its image in the audit log, each table's row count is
    /// its inserts minus its deletes in the log, and every entry names its patient: no change escaped the trail.
    static func expectEveryChangeAudited(_ fixture: ReliabilityFixture, _ context: String) throws {
        for table in clinicalTables {
            let unaudited = try fixture.count(
                """
                SELECT count(*) AS n FROM \(table) t WHERE NOT EXISTS (
                    SELECT 1 FROM audit_log a WHERE a.table_name = '\(table)' AND a.new_row = to_jsonb(t) - 'mrn_hmac')
                """)
            #expect(unaudited == 0, "\(context): \(table) has rows whose current state is not in the audit log")
            let balance = try fixture.count(
                """
                SELECT (SELECT count(*) FROM \(table)) - count(*) FILTER (WHERE operation = 'INSERT') + count(*) FILTER (WHERE operation = 'DELETE') AS n
                FROM audit_log WHERE table_name = '\(table)'
                """)
            #expect(balance == 0, "\(context): \(table) rows do not reconcile with the log's inserts and deletes")
        }
        // A row change names its patient, for tables that hold the patient only through a parent row
        // (assessment_results, therapy_line_agents) too: `sarcreg audit PATIENT` finds the entries by it.
        let anonymous = try fixture.count(
            "SELECT count(*) AS n FROM audit_log WHERE operation IN ('INSERT', 'UPDATE', 'DELETE') AND patient_id IS NULL"
        )
        #expect(anonymous == 0, "\(context): \(anonymous) audit entries name no patient")
    }

    @Test(
        "every change made through the CLI is in the audit log with the database user, the --as name and one transaction id per command"
    )
    func cliChangesAreAudited() throws {
        let fixture = try ReliabilityFixture(sites: ["MUC"])
        let url = fixture.database.connectionString
        let environment = ["SARCREG_MRN_KEY": "audit completeness key, 32 bytes long or more"]
        let commands: [[String]] = [
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "4711", "--birth", "1975", "--sex", "female",
                "--consent-date", "2024-01-15",
            ],
            [
                "diagnosis", "record", "MUC-0001", "--icdo3", "9040/3", "--primary-site", "thigh", "--diagnosed",
                "2023-11", "--setting", "metastatic",
            ],
            [
                "molecular", "record", "MUC-0001", "--gene", "SSX1", "--kind", "fusion", "--partner", "SS18",
                "--method", "fish", "--result", "positive",
                "--report-date", "2023-12-01",
            ],
            [
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2024-01-20",
            ],
            [
                "ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "3", "--onset", "2024-02-10",
                "--attribution", "probable", "--line", "1",
            ],
            [
                "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method",
                "ct", "--diameter", "32", "--date", "2024-01-05",
            ],
            ["assess", "record", "MUC-0001", "--date", "2024-03-01", "--result", "T1=21"],
            ["therapy", "stop", "MUC-0001", "--line", "1", "--stop", "2024-06-02", "--reason", "progression"],
            [
                "patient", "update", "MUC-0001", "--last-contact", "2024-09-01", "--ecog", "1", "--ecog-date",
                "2024-09-01",
            ],
            ["patient", "withdraw", "MUC-0001", "--date", "2025-01-31"],
        ]
        for command in commands {
            let run = try CommandLineRun.sarcreg(
                command + ["--database", url, "--as", "dr-ruiz"], environment: environment)
            #expect(run.exitCode == 0, "\(command): \(run.stderr)")
        }
        try Self.expectEveryChangeAudited(fixture, "CLI")
        let attribution = try fixture.owner.query(
            "SELECT DISTINCT database_user, app_user FROM audit_log WHERE \(unsafeSQL: Self.changes)")
        #expect(attribution.count == 1)
        #expect(try attribution[0].decode(String?.self, "app_user") == "dr-ruiz")
        #expect(try attribution[0].decode(String.self, "database_user") == "postgres")
        // Each command is one transaction, and the log tells them apart.
        #expect(
            try fixture.count("SELECT count(DISTINCT transaction_id) AS n FROM audit_log WHERE \(Self.changes)")
                == commands.count)

        let shown = try CommandLineRun.sarcreg(["audit", "MUC-0001", "--format", "json", "--database", url])
        #expect(shown.exitCode == 0, "\(shown.stderr)")
        let entries = try JSONDecoder().decode(PatientAuditTrail.self, from: Data(shown.stdout.utf8)).changes
        #expect(try entries.count == fixture.count("SELECT count(*) AS n FROM audit_log WHERE \(Self.changes)"))
        #expect(
            entries.contains {
                $0.table == "patients" && $0.operation == "UPDATE" && $0.changedColumns == ["consent_withdrawn_on"]
            })
        let unknown = try CommandLineRun.sarcreg(["audit", "MUC-0999", "--database", url])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("MUC-0999"))
    }

    /// The balance of every clinical table with its import counts: its rows are the log's single inserts plus
    /// the rows counted by run entries, less its deletes; a run entry has its run, a count and no row image,
    /// and there is one per run, table and operation.
    static func expectImportsCountedPerRun(_ fixture: ReliabilityFixture, _ context: String) throws {
        for table in clinicalTables {
            let balance = try fixture.count(
                """
                SELECT (SELECT count(*) FROM \(table))
                    - coalesce(sum(coalesce(row_count, 1)) FILTER (WHERE operation = 'INSERT'), 0)
                    + count(*) FILTER (WHERE operation = 'DELETE') AS n
                FROM audit_log WHERE table_name = '\(table)'
                """)
            #expect(
                balance == 0,
                "\(context): \(table) rows do not reconcile with the log's inserts, run counts and deletes")
        }
        #expect(
            try fixture.count(
                """
                SELECT count(*) AS n FROM audit_log WHERE operation IN ('INSERT', 'UPDATE', 'DELETE') AND patient_id IS NULL
                    AND NOT (sync_run IS NOT NULL AND row_count > 0 AND old_row IS NULL AND new_row IS NULL)
                """) == 0, "\(context): an entry without a patient that is not a run's count")
        #expect(
            try fixture.count(
                "SELECT count(*) AS n FROM (SELECT 1 FROM audit_log WHERE sync_run IS NOT NULL GROUP BY sync_run, table_name, operation HAVING count(*) > 1) t"
            ) == 0, "\(context): more than one entry for a run, table and operation")
    }

    static let cleanExport = TestDatabase.repositoryRoot + "/Tests/RegistrySyncTests/Fixtures/clean"

    /// A registry with sites MUC and BER mapped from source site-a's 701 and 702, and the export in `folder`
    /// imported by the owner (a member of sarcreg_sync).
    static func imported(_ folder: String = cleanExport) throws -> (fixture: ReliabilityFixture, run: SyncRun) {
        let fixture = try ReliabilityFixture(sites: ["MUC", "BER"])
        let sync = SyncService(connection: fixture.owner)
        try sync.mapSite(source: "site-a", sourceSite: "701", site: "MUC")
        try sync.mapSite(source: "site-a", sourceSite: "702", site: "BER")
        return (fixture, try sync.importSDTM(SyncImportRequest(directory: folder, source: "site-a")))
    }

    @Test(
        "a sync import counts the rows it inserts once per run, table and operation, and an unchanged rerun adds nothing to the log"
    )
    func syncImportCountedPerRun() throws {
        let (fixture, run) = try Self.imported()
        #expect(run.status == "succeeded")
        try Self.expectImportsCountedPerRun(fixture, "sync service")
        #expect(
            try fixture.count(
                "SELECT row_count AS n FROM audit_log WHERE sync_run = \(run.runID) AND table_name = 'patients' AND operation = 'INSERT'"
            )
                == fixture.count("SELECT count(*) AS n FROM patients"))
        #expect(
            try fixture.count("SELECT count(*) AS n FROM audit_log WHERE sync_run IS NULL AND \(Self.changes)") == 0,
            "the first import inserts only")

        let entries = try fixture.count("SELECT count(*) AS n FROM audit_log")
        let rerun = try CommandLineRun.sarcreg(
            [
                "sync", "import", Self.cleanExport, "--source", "site-a", "--database",
                fixture.database.connectionString, "--as", "nightly",
            ])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        try Self.expectImportsCountedPerRun(fixture, "sync CLI")
        #expect(
            try fixture.count("SELECT count(*) AS n FROM audit_log") == entries,
            "an unchanged rerun writes nothing, so it logs nothing")
    }

    @Test(
        "sarcreg audit shows an imported lesion measurement as inserted by run 1 from tr.csv at the line that holds it")
    func auditShowsImportProvenance() throws {
        let (fixture, run) = try Self.imported()
        let registryID = try fixture.owner.query(
            "SELECT p.registry_id FROM sync_subjects x JOIN patients p USING (patient_id) WHERE x.usubjid = '01-701-1015'"
        )[0].decode(String.self, "registry_id")

        let shown = try CommandLineRun.sarcreg([
            "audit", registryID, "--format", "json", "--database", fixture.database.connectionString,
        ])
        #expect(shown.exitCode == 0, "\(shown.stderr)")
        let trail = try JSONDecoder().decode(PatientAuditTrail.self, from: Data(shown.stdout.utf8))
        let lines = try String(contentsOfFile: Self.cleanExport + "/tr.csv", encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let measurement = try #require(
            trail.imports.first { $0.record == "01-701-1015 / investigator / T01 / 1 / LDIAM" })
        #expect(measurement.runID == run.runID && measurement.file == "tr.csv" && measurement.source == "site-a")
        #expect(
            try measurement.databaseUser == "postgres"
                && measurement.osUser
                    == fixture.owner.query("SELECT os_user FROM sync_runs WHERE run_id = \(run.runID)")[0].decode(
                        String.self, "os_user")
        )
        let line = try #require(measurement.line)
        #expect(
            lines[line - 1].hasPrefix("SYNCTEST01,TR,01-701-1015,TARGET,T01,LDIAM,"),
            "tr.csv line \(line) is \(lines[line - 1])")
        #expect(trail.imports.contains { $0.file == "dm.csv" && $0.record == "01-701-1015" })
        // Every record the import keeps for the subject is listed, and no other subject's.
        #expect(
            try trail.imports.count
                == fixture.count(
                    """
                    SELECT count(*) AS n FROM sync_records
                    WHERE natural_key = '01-701-1015' OR natural_key LIKE '01-701-1015' || E'\\x1f%'
                    """))

        let table = try CommandLineRun.sarcreg(["audit", registryID, "--database", fixture.database.connectionString])
        #expect(table.stdout.contains("Imported records"))
        // Too many columns for 100: each imported record is a block of `column  value` lines.
        #expect(table.stdout.contains(try Regex("file +tr\\.csv\nline +\(line)\n")), "\(table.stdout.prefix(2_000))")
    }

    @Test(
        "an import that changes a stored diameter (30 mm to 28 mm) audits that UPDATE row by row, with the old and new values"
    )
    func importUpdateAuditedPerRow() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-update-\(UUID().uuidString)")
            .path
        try FileManager.default.copyItem(atPath: Self.cleanExport, toPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (fixture, _) = try Self.imported(folder)

        let original = "SYNCTEST01,TR,01-701-1015,TARGET,T01,LDIAM,test,30,mm,30,30,mm,1,SCREENING,INVESTIGATOR,"
        let corrected = "SYNCTEST01,TR,01-701-1015,TARGET,T01,LDIAM,test,28,mm,28,28,mm,1,SCREENING,INVESTIGATOR,"
        let tr = try String(contentsOfFile: folder + "/tr.csv", encoding: .utf8)
        #expect(tr.contains(original))
        try tr.replacingOccurrences(of: original, with: corrected).write(
            toFile: folder + "/tr.csv", atomically: true, encoding: .utf8)
        let second = try CommandLineRun.sarcreg(
            [
                "sync", "import", folder, "--source", "site-a", "--database", fixture.database.connectionString, "--as",
                "nightly",
            ])
        #expect(second.exitCode == 0, "\(second.stderr)")

        let updates = try fixture.owner.query(
            """
            SELECT old_row ->> 'diameter_mm' AS old, new_row ->> 'diameter_mm' AS new, app_user, sync_run, row_count, patient_id
            FROM audit_log WHERE table_name = 'assessment_results' AND operation = 'UPDATE'
            """)
        #expect(updates.count == 1)
        let update = try #require(updates.first)
        #expect(try update.decode(String.self, "old") == "30.00" && update.decode(String.self, "new") == "28.00")
        #expect(try update.decode(String?.self, "app_user") == "nightly")
        #expect(try update.decode(Int?.self, "sync_run") == nil && update.decode(Int?.self, "row_count") == nil)
        let registryID = try fixture.owner.query(
            "SELECT registry_id FROM patients WHERE patient_id = \(try update.decode(Int.self, "patient_id"))")[0]
            .decode(String.self, "registry_id")
        let trail = try AuditTrailService(connection: fixture.owner).history(of: registryID)
        #expect(
            trail.changes.contains {
                $0.table == "assessment_results" && $0.operation == "UPDATE" && $0.changedColumns == ["diameter_mm"]
            })
        try Self.expectImportsCountedPerRun(fixture, "import with an update")
    }

    @Test("a coordinator who sets sarcreg.sync_run to an import's run id still writes an audit entry per row")
    func forgedRunSettingAuditsPerRow() throws {
        let (fixture, run) = try Self.imported()
        let coordinator = try fixture.connect(as: try fixture.addLogin("coord", role: .coordinator, sites: ["MUC"]))
        try coordinator.execute("SELECT set_config('sarcreg.sync_run', \(String(run.runID)), false)")
        let enrolled = try PatientService(connection: coordinator).enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "M-77", birth: try PartialDate(iso: "1970"), sex: .female,
                consentDate: try CalendarDate(iso: "2024-03-01")), key: fixture.key)
        #expect(
            try fixture.count(
                """
                SELECT count(*) AS n FROM audit_log
                WHERE table_name = 'patients' AND operation = 'INSERT' AND new_row ->> 'registry_id' = '\(enrolled.registryID)' AND sync_run IS NULL
                """) == 1)
    }
}
