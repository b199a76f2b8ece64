import Foundation
import PostgresClient
import RegistryServices
import RegistrySync
import TestSupport
import Testing

@Suite("audit completeness")
struct AuditCompletenessTests {
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
            "SELECT count(*) AS n FROM audit_log WHERE operation IN ('INSERT', 'UPDATE', 'DELETE') AND patient_id IS NULL")
        #expect(anonymous == 0, "\(context): \(anonymous) audit entries name no patient")
    }

    @Test("every change made through the CLI is in the audit log with the database user, the --as name and one transaction id per command")
    func cliChangesAreAudited() throws {
        let fixture = try ReliabilityFixture(sites: ["MUC"])
        let url = fixture.database.connectionString
        let environment = ["SARCREG_MRN_KEY": "audit completeness key, 32 bytes long or more"]
        let commands: [[String]] = [
            ["patient", "enroll", "--site", "MUC", "--mrn", "4711", "--birth", "1975", "--sex", "female", "--consent-date", "2024-01-15"],
            ["diagnosis", "record", "MUC-0001", "--icdo3", "9040/3", "--primary-site", "thigh", "--diagnosed", "2023-11", "--setting", "metastatic"],
            ["molecular", "record", "MUC-0001", "--gene", "SSX1", "--kind", "fusion", "--partner", "SS18", "--method", "fish", "--result", "positive",
             "--report-date", "2023-12-01"],
            ["therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start", "2024-01-20"],
            ["ae", "record", "MUC-0001", "--term", "Anemia", "--grade", "3", "--onset", "2024-02-10", "--attribution", "probable", "--line", "1"],
            ["lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method", "ct", "--diameter", "32", "--date", "2024-01-05"],
            ["assess", "record", "MUC-0001", "--date", "2024-03-01", "--result", "T1=21"],
            ["therapy", "stop", "MUC-0001", "--line", "1", "--stop", "2024-06-02", "--reason", "progression"],
            ["patient", "update", "MUC-0001", "--last-contact", "2024-09-01", "--ecog", "1", "--ecog-date", "2024-09-01"],
            ["patient", "withdraw", "MUC-0001", "--date", "2025-01-31"],
        ]
        for command in commands {
            let run = try CommandLineRun.sarcreg(command + ["--database", url, "--as", "dr-ruiz"], environment: environment)
            #expect(run.exitCode == 0, "\(command): \(run.stderr)")
        }
        try Self.expectEveryChangeAudited(fixture, "CLI")
        let attribution = try fixture.owner.query("SELECT DISTINCT database_user, app_user FROM audit_log")
        #expect(attribution.count == 1)
        #expect(try attribution[0].decode(String?.self, "app_user") == "dr-ruiz")
        #expect(try attribution[0].decode(String.self, "database_user") == "postgres")
        // Each command is one transaction, and the log tells them apart.
        #expect(try fixture.count("SELECT count(DISTINCT transaction_id) AS n FROM audit_log") == commands.count)

        let shown = try CommandLineRun.sarcreg(["audit", "MUC-0001", "--format", "json", "--database", url])
        #expect(shown.exitCode == 0, "\(shown.stderr)")
        let entries = try JSONDecoder().decode([AuditEntry].self, from: Data(shown.stdout.utf8))
        #expect(try entries.count == fixture.count("SELECT count(*) AS n FROM audit_log"))
        #expect(entries.contains { $0.table == "patients" && $0.operation == "UPDATE" && $0.changedColumns == ["consent_withdrawn_on"] })
        let unknown = try CommandLineRun.sarcreg(["audit", "MUC-0999", "--database", url])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("MUC-0999"))
    }

    @Test("a sync import, through the service and through the CLI, is audited row for row, set-based per statement")
    func syncImportIsAudited() throws {
        let fixture = try ReliabilityFixture(sites: ["MUC", "BER"])
        let sync = SyncService(connection: fixture.owner)
        try sync.mapSite(source: "site-a", sourceSite: "701", site: "MUC")
        try sync.mapSite(source: "site-a", sourceSite: "702", site: "BER")
        let clean = TestDatabase.repositoryRoot + "/Tests/RegistrySyncTests/Fixtures/clean"
        let run = try sync.importSDTM(SyncImportRequest(directory: clean, source: "site-a"))
        #expect(run.status == "succeeded")
        try Self.expectEveryChangeAudited(fixture, "sync service")
        let inserted = run.files.map(\.inserted).reduce(0, +)
        #expect(inserted > 0)
        #expect(try fixture.count("SELECT count(*) AS n FROM audit_log WHERE table_name = 'patients' AND operation = 'INSERT'")
            == fixture.count("SELECT count(*) AS n FROM patients"))

        let rerun = try CommandLineRun.sarcreg(["sync", "import", clean, "--source", "site-a", "--database", fixture.database.connectionString, "--as", "nightly"])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        try Self.expectEveryChangeAudited(fixture, "sync CLI")
        // An unchanged rerun writes nothing, so it adds nothing to the log.
        #expect(try fixture.count("SELECT count(*) AS n FROM audit_log WHERE app_user = 'nightly'") == 0)
    }
}
