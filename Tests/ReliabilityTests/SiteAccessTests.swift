import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import TestSupport
import Testing

/// Every table whose rows belong to a patient, with how a row finds its patient.
let clinicalTables = [
    "patients", "patient_ecog", "diagnoses", "molecular_results", "therapy_lines", "therapy_line_agents",
    "adverse_events",
    "lesions", "assessments", "assessment_results", "evaluator_reads", "source_responses", "trial_screenings",
    "trial_screening_criteria", "trial_enrollments", "sync_subjects",
]

/// A condition selecting the rows of `table` that belong to patients of `site`.
func siteFilter(_ table: String, site: String) -> String {
    let patientsOfSite = "(SELECT patient_id FROM patients WHERE site_code = '\(site)')"
    switch table {
    case "patients": return "site_code = '\(site)'"
    case "therapy_line_agents":
        return "therapy_line_id IN (SELECT therapy_line_id FROM therapy_lines WHERE patient_id IN \(patientsOfSite))"
    case "assessment_results":
        return "assessment_id IN (SELECT assessment_id FROM assessments WHERE patient_id IN \(patientsOfSite))"
    case "trial_screening_criteria":
        return "screening_id IN (SELECT screening_id FROM trial_screenings WHERE patient_id IN \(patientsOfSite))"
    default: return "patient_id IN \(patientsOfSite)"
    }
}

@Suite("site-scoped access and the append-only audit log", .serialized)
struct SiteAccessTests {
    /// Two sites, each with a patient who has an ECOG score, a therapy line with an agent, a lesion and a baseline assessment.
    static func twoSites() throws -> ReliabilityFixture {
        let fixture = try ReliabilityFixture(sites: ["SA", "SB"])
        for (site, mrn) in [("SA", "A-100"), ("SB", "B-200")] {
            let patient = try PatientService(connection: fixture.owner).enroll(
                EnrollmentRequest(
                    site: site, mrn: mrn, birth: try PartialDate(iso: "1970"), sex: .female,
                    consentDate: try CalendarDate(iso: "2024-01-02"), ecog: 1,
                    ecogDate: try CalendarDate(iso: "2024-01-02")),
                key: fixture.key)
            _ = try TreatmentService(connection: fixture.owner).start(
                patient.registryID,
                TherapyStart(
                    agents: ["doxorubicin"], intent: .palliative,
                    startDate: try CalendarDate(iso: "2024-01-10")))
            _ = try AssessmentService(connection: fixture.owner).addLesion(
                patient.registryID,
                LesionSubmission(
                    lesion: "T1", lesionClass: .target, organ: "liver", method: .ct,
                    diameter: Millimetres(32), date: try CalendarDate(iso: "2024-01-05")))
        }
        return fixture
    }

    @Test(
        "a coordinator of site SA reads and counts only SA's rows in every clinical table and cannot change or create SB's"
    )
    func coordinatorSeesOwnSiteOnly() throws {
        let fixture = try Self.twoSites()
        let login = try fixture.addLogin("coord_sa", role: .coordinator, sites: ["SA"])
        let coordinator = try fixture.connect(as: login)
        for table in clinicalTables {
            let ofSiteA = "SELECT count(*) AS n FROM \(table) WHERE \(siteFilter(table, site: "SA"))"
            #expect(
                try fixture.count("SELECT count(*) AS n FROM \(table)", on: coordinator) == fixture.count(ofSiteA),
                "\(table)")
        }
        // SB's rows exist (the owner sees them) yet every read as the SA coordinator is empty or zero.
        #expect(try fixture.count("SELECT count(*) AS n FROM patients WHERE site_code = 'SB'") == 1)
        #expect(try fixture.count("SELECT count(*) AS n FROM patients WHERE site_code = 'SB'", on: coordinator) == 0)
        #expect(
            try fixture.count(
                "SELECT count(*) AS n FROM lesions l JOIN patients p USING (patient_id) WHERE p.site_code = 'SB'",
                on: coordinator) == 0)
        #expect(try fixture.count("SELECT count(*) AS n FROM therapy_line_agents", on: coordinator) == 1)
        #expect(try fixture.count("SELECT count(*) AS n FROM patient_ecog", on: coordinator) == 1)
        #expect(
            try fixture.count("SELECT count(*) AS n FROM audit_log", on: coordinator)
                == fixture.count(
                    "SELECT count(*) AS n FROM audit_log a JOIN patients p USING (patient_id) WHERE p.site_code = 'SA'")
        )

        let before = try fixture.count("SELECT count(*) AS n FROM audit_log")
        #expect(
            try coordinator.run("UPDATE patients SET last_contact_on = '2024-05-01' WHERE registry_id = 'SB-0001'") == 0
        )
        #expect(
            try coordinator.run(
                "DELETE FROM patient_ecog WHERE patient_id = (SELECT patient_id FROM patients WHERE registry_id = 'SB-0001')"
            ) == 0)
        let sbPatient = try fixture.count("SELECT patient_id AS n FROM patients WHERE registry_id = 'SB-0001'")
        let refused = #expect(throws: PostgresError.self) {
            try coordinator.execute(
                "INSERT INTO patient_ecog (patient_id, assessed_on, ecog) VALUES (\(sbPatient), '2024-03-01', 2)")
        }
        #expect(refused?.sqlState == .insufficientPrivilege)
        #expect(throws: RegistryError.self) {
            _ = try PatientService(connection: coordinator).enroll(
                EnrollmentRequest(
                    site: "SB", mrn: "B-201", birth: try PartialDate(iso: "1970"), sex: .male,
                    consentDate: try CalendarDate(iso: "2024-01-02")), key: fixture.key)
        }
        #expect(throws: RegistryError.self) { _ = try PatientService(connection: coordinator).show("SB-0001") }
        #expect(throws: RegistryError.self) {
            _ = try AuditTrailService(connection: coordinator).history(of: "SB-0001")
        }
        #expect(
            try fixture.count("SELECT count(*) AS n FROM audit_log") == before,
            "nothing of SB changed, so nothing was audited")
        #expect(try fixture.count("SELECT next_patient_number AS n FROM sites WHERE site_code = 'SB'") == 2)

        // At its own site the same coordinator enrolls and records, and the audit trail names it.
        let enrolled = try PatientService(connection: coordinator).enroll(
            EnrollmentRequest(
                site: "SA", mrn: "A-101", birth: try PartialDate(iso: "1980"), sex: .male,
                consentDate: try CalendarDate(iso: "2024-02-01")), key: fixture.key)
        #expect(enrolled.registryID == "SA-0002")
        let history = try AuditTrailService(connection: coordinator).history(of: "SA-0002")
        #expect(history.changes.map(\.databaseUser) == [login])
        #expect(history.imports.isEmpty)
    }

    @Test("an investigator reads every site's pseudonymized rows but never an MRN hash, and writes nothing")
    func investigatorReadsWithoutMRN() throws {
        let fixture = try Self.twoSites()
        let investigator = try fixture.connect(as: try fixture.addLogin("inv", role: .investigator))
        #expect(try fixture.count("SELECT count(*) AS n FROM patients", on: investigator) == 2)
        #expect(try fixture.count("SELECT count(*) AS n FROM assessments", on: investigator) == 2)
        for sql in [
            "SELECT mrn_hmac FROM patients", "SELECT * FROM patients",
            "SELECT count(*) FROM patients WHERE mrn_hmac IS NOT NULL",
        ] {
            let error = #expect(throws: PostgresError.self) { try investigator.execute(Query(unsafeSQL: sql)) }
            #expect(error?.sqlState == .insufficientPrivilege, "\(sql)")
        }
        let write = #expect(throws: PostgresError.self) {
            try investigator.execute("UPDATE patients SET last_contact_on = '2024-05-01'")
        }
        #expect(write?.sqlState == .insufficientPrivilege)
        // The audit trail leaves the MRN hash out of every row image.
        #expect(
            try fixture.count(
                "SELECT count(*) AS n FROM audit_log WHERE new_row ? 'mrn_hmac' OR old_row ? 'mrn_hmac'",
                on: investigator) == 0)
        #expect(
            try fixture.count("SELECT count(*) AS n FROM audit_log WHERE table_name = 'patients'", on: investigator)
                == 2)
    }

    @Test(
        "the audit log refuses UPDATE, DELETE and TRUNCATE from an administrator and from its owner, and records DISABLE TRIGGER"
    )
    func auditLogIsAppendOnly() throws {
        let fixture = try Self.twoSites()
        let admin = try fixture.connect(as: try fixture.addLogin("adm", role: .admin))
        let entries = try fixture.count("SELECT count(*) AS n FROM audit_log")
        #expect(entries > 0)
        for connection in [admin, fixture.owner] {
            for sql in [
                "UPDATE audit_log SET app_user = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log",
            ] {
                let error = #expect(throws: PostgresError.self) { try connection.execute(Query(unsafeSQL: sql)) }
                #expect(error?.sqlState == .insufficientPrivilege, "\(sql)")
            }
        }
        #expect(try fixture.count("SELECT count(*) AS n FROM audit_log") == entries)
        try fixture.owner.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        // Guards fire ALWAYS (migration 0020); plain ENABLE TRIGGER would leave one recorded as weakened again.
        try fixture.owner.execute("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        try fixture.owner.execute("ALTER TABLE patients DISABLE TRIGGER patients_audit_update")
        try fixture.owner.execute("ALTER TABLE patients ENABLE ALWAYS TRIGGER patients_audit_update")
        let disabled = try fixture.owner.query(
            "SELECT table_name, new_row ->> 'statement' AS statement FROM audit_log WHERE operation = 'DISABLE TRIGGER' ORDER BY audit_id"
        )
        #expect(
            try disabled.map { try $0.decode(String.self, "table_name") } == ["public.audit_log", "public.patients"])
        #expect(try disabled[0].decode(String.self, "statement").contains("DISABLE TRIGGER audit_log_append_only"))
    }

    @Test(
        "sarcreg user add creates a coordinator login for its sites; a bad name, role or site is refused naming it, and nothing is written"
    )
    func userAddCommand() throws {
        let fixture = try ReliabilityFixture(sites: ["SA", "SB"])
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID())").path
        let password = "Tr0ub4dor-\(UUID().uuidString)"
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        let name = ReliabilityFixture.uniqueName("cli_coord")
        fixture.adopt(name)
        let url = fixture.database.connectionString
        let added = try CommandLineRun.sarcreg(
            [
                "user", "add", name, "--role", "coordinator", "--site", "SA", "--site", "sb", "--password-file",
                passwordFile, "--database", url, "--verbose",
            ])
        #expect(added.exitCode == 0, "\(added.stderr)")
        #expect(added.stdout.contains("Added \(name) as coordinator for SA, SB."))
        #expect(!(added.stdout + added.stderr).contains(password))
        #expect(try fixture.count("SELECT count(*) AS n FROM site_memberships WHERE role_name = '\(name)'") == 2)
        #expect(
            try fixture.count(
                "SELECT count(*) AS n FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = '\(name)' AND g.rolname = 'sarcreg_coordinator' AND r.rolcanlogin"
            ) == 1)
        if let log = ProcessInfo.processInfo.environment["SARCREG_SERVER_LOG"],
            let text = try? String(contentsOfFile: log, encoding: .utf8)
        {
            #expect(!text.contains(password), "the password reached the server log")
        }

        let memberships = try fixture.count("SELECT count(*) AS n FROM site_memberships")
        let cases: [([String], String)] = [
            (["user", "add", "Bad-Name", "--role", "coordinator", "--site", "SA"], "Bad-Name"),
            (["user", "add", ReliabilityFixture.uniqueName("x"), "--role", "nurse", "--site", "SA"], "nurse"),
            (["user", "add", ReliabilityFixture.uniqueName("x"), "--role", "coordinator", "--site", "ZZ"], "ZZ"),
            (["user", "add", ReliabilityFixture.uniqueName("x"), "--role", "coordinator"], "--site"),
            (["user", "add", name, "--role", "coordinator", "--site", "SA"], name),
        ]
        for (arguments, named) in cases {
            let run = try CommandLineRun.sarcreg(arguments + ["--password-file", passwordFile, "--database", url])
            #expect(run.exitCode == 1, "\(arguments)")
            #expect(run.stderr.contains(named), "\(arguments): \(run.stderr)")
        }
        #expect(try fixture.count("SELECT count(*) AS n FROM site_memberships") == memberships)
        // In a script there is no terminal to ask for the password on.
        let noPassword = try CommandLineRun.sarcreg([
            "user", "add", ReliabilityFixture.uniqueName("x"), "--role", "investigator", "--database", url,
        ])
        #expect(noPassword.exitCode != 0)
        #expect(noPassword.stderr.contains("--password-file"))

        // A coordinator is not an administrator: adding a user is refused.
        let coordinatorURL = try fixture.connectionString(as: name)
        let refused = try CommandLineRun.sarcreg(
            [
                "user", "add", ReliabilityFixture.uniqueName("x"), "--role", "investigator", "--password-file",
                passwordFile, "--database", coordinatorURL,
            ])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("only administrators"))
    }
}
