import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

/// Sites MUC and LYO, each with a patient who has a therapy line and a target lesion with its baseline
/// assessment, and one login of each group (the coordinator works for MUC).
private struct PrivilegeFixture {
    let base: ReliabilityFixture
    let logins: [RegistryRole: Connection]
    let loginNames: [RegistryRole: String]

    init() throws {
        base = try ReliabilityFixture(sites: ["MUC", "LYO"])
        for (site, mrn) in [("MUC", "M-100"), ("LYO", "L-200")] {
            let patient = try PatientService(connection: base.owner).enroll(
                EnrollmentRequest(
                    site: site, mrn: mrn, birth: try PartialDate(iso: "1970"), sex: .female,
                    consentDate: try CalendarDate(iso: "2024-01-02")), key: base.key)
            _ = try TreatmentService(connection: base.owner).start(
                patient.registryID,
                TherapyStart(
                    agents: ["doxorubicin"], intent: .palliative,
                    startDate: try CalendarDate(iso: "2024-01-10")))
            _ = try AssessmentService(connection: base.owner).addLesion(
                patient.registryID,
                LesionSubmission(
                    lesion: "T1", lesionClass: .target, organ: "liver", method: .ct,
                    diameter: Millimetres(32), date: try CalendarDate(iso: "2024-01-05")))
        }
        var names: [RegistryRole: String] = [:]
        var connections: [RegistryRole: Connection] = [:]
        for role in RegistryRole.allCases {
            let name = try base.addLogin("lp_" + role.rawValue, role: role, sites: role.needsSite ? ["MUC"] : [])
            names[role] = name
            connections[role] = try base.connect(as: name)
        }
        loginNames = names
        logins = connections
    }

    func login(_ role: RegistryRole) -> Connection { logins[role]! }

    func id(_ sql: String) throws -> Int { try base.count(sql) }

    func patient(_ registryID: String) throws -> Int {
        try id("SELECT patient_id AS n FROM patients WHERE registry_id = '\(registryID)'")
    }

    func line(of registryID: String) throws -> Int {
        try id("SELECT therapy_line_id AS n FROM therapy_lines WHERE patient_id = \(try patient(registryID))")
    }

    /// The server's error for `sql` run as `connection`; nil (and a recorded issue) when it succeeded.
    func refusal(
        _ sql: String, on connection: Connection, sourceLocation: SourceLocation = #_sourceLocation
    ) -> PostgresError? {
        #expect(throws: PostgresError.self, "\(sql)", sourceLocation: sourceLocation) {
            try connection.execute(Query(unsafeSQL: sql))
        }
    }
}

@Suite("least privilege: what a login with psql may not do", .serialized)
struct LeastPrivilegeTests {
    @Test(
        "every SECURITY DEFINER function is closed to PUBLIC and pins its search_path; trigger functions are executable by no group"
    )
    func definerFunctions() throws {
        let fixture = try PrivilegeFixture()
        let functions = try fixture.base.owner.query(
            """
            SELECT p.oid::regprocedure::text AS signature, has_function_privilege('public', p.oid, 'EXECUTE') AS public_executes,
                coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%'), false) AS pinned,
                p.prorettype IN ('trigger'::regtype, 'event_trigger'::regtype) AS is_trigger,
                ARRAY(SELECT g FROM unnest(ARRAY['sarcreg_coordinator', 'sarcreg_investigator', 'sarcreg_sync', 'sarcreg_admin']) g
                      WHERE has_function_privilege(g, p.oid, 'EXECUTE')) AS executors
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef ORDER BY 1
            """)
        let signatures = try functions.map { try $0.decode(String.self, "signature") }
        #expect(signatures.contains("audit_record_changes()"))
        #expect(signatures.contains("sarcreg_next_id(text)"))
        for function in functions {
            let signature = try function.decode(String.self, "signature")
            #expect(try !function.decode(Bool.self, "public_executes"), "PUBLIC may execute \(signature)")
            #expect(try function.decode(Bool.self, "pinned"), "\(signature) has no search_path of its own")
            if try function.decode(Bool.self, "is_trigger") {
                #expect(try function.decode([String].self, "executors") == [], "\(signature)")
            }
        }
        #expect(
            try fixture.base.owner.query(
                "SELECT has_function_privilege('sarcreg_sync', 'sarcreg_next_id(text)', 'EXECUTE') AS sync")[0]
                .decode(Bool.self, "sync"))
    }

    @Test(
        "no login forges audit entries through a temp table named patients, not even with EXECUTE on the audit function granted by mistake"
    )
    func forgedAuditEntries() throws {
        let fixture = try PrivilegeFixture()
        let lyonPatient = try fixture.patient("LYO-0001")
        let entries = try fixture.base.count("SELECT count(*) AS n FROM audit_log")
        for role in RegistryRole.allCases {
            let connection = fixture.login(role)
            try connection.execute("CREATE TEMP TABLE patients (patient_id bigint)")
            let attach = """
                CREATE TRIGGER forge AFTER INSERT ON pg_temp.patients REFERENCING NEW TABLE AS audit_new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION public.audit_record_changes()
                """
            #expect(fixture.refusal(attach, on: connection)?.sqlState == .insufficientPrivilege, "\(role)")

            let name = fixture.loginNames[role]!
            try fixture.base.owner.execute(
                Query(unsafeSQL: "GRANT EXECUTE ON FUNCTION audit_record_changes() TO \(name)"))
            try connection.execute(Query(unsafeSQL: attach))
            let forged = fixture.refusal("INSERT INTO pg_temp.patients VALUES (\(lyonPatient))", on: connection)
            #expect(forged?.sqlState == .insufficientPrivilege, "\(role)")
            #expect(forged?.message.contains("audited tables only") == true, "\(role): \(String(describing: forged))")
            try fixture.base.owner.execute(
                Query(unsafeSQL: "REVOKE EXECUTE ON FUNCTION audit_record_changes() FROM \(name)"))
        }
        #expect(try fixture.base.count("SELECT count(*) AS n FROM audit_log") == entries)
    }

    @Test(
        "no login sets, draws or reads the patient and adverse event sequences; only the sync draws ids, through sarcreg_next_id"
    )
    func sequences() throws {
        let fixture = try PrivilegeFixture()
        let position = """
            SELECT coalesce(pg_sequence_last_value('patients_patient_id_seq'), 0) * 1000000
                + coalesce(pg_sequence_last_value('adverse_events_adverse_event_id_seq'), 0) AS n
            """
        let before = try fixture.base.count(position)
        for role in RegistryRole.allCases {
            for sequence in ["patients_patient_id_seq", "adverse_events_adverse_event_id_seq"] {
                for sql in [
                    "SELECT setval('\(sequence)', 100000)", "SELECT nextval('\(sequence)')",
                    "SELECT last_value FROM \(sequence)",
                ] {
                    #expect(
                        fixture.refusal(sql, on: fixture.login(role))?.sqlState == .insufficientPrivilege,
                        "\(role): \(sql)")
                }
            }
            if role != .sync {
                let drawn = fixture.refusal("SELECT sarcreg_next_id('patients')", on: fixture.login(role))
                #expect(drawn?.sqlState == .insufficientPrivilege, "\(role)")
            }
        }
        #expect(try fixture.base.count(position) == before)
        let sync = fixture.login(.sync)
        #expect(
            try fixture.base.count("SELECT sarcreg_next_id('patients') AS n", on: sync) > fixture.patient("LYO-0001"))
        #expect(fixture.refusal("SELECT sarcreg_next_id('lesions')", on: sync)?.sqlState == "22023")
    }

    @Test(
        "an insert with OVERRIDING SYSTEM VALUE is refused for every login; the sync may insert only ids the registry handed out"
    )
    func overridingSystemValue() throws {
        let fixture = try PrivilegeFixture()
        let issued = try fixture.base.count("SELECT nextval('patients_patient_id_seq') AS n")
        let mucPatient = try fixture.patient("MUC-0001")
        func patient(_ id: Int, _ number: Int) -> String {
            """
            INSERT INTO patients (patient_id, registry_id, site_code, site_sequence, birth_year, sex, consent_date, origin)
            OVERRIDING SYSTEM VALUE VALUES (\(id), 'MUC-\(9000 + number)', 'MUC', \(9000 + number), 1970, 'male', '2024-01-02', 'sync')
            """
        }
        let adverseEvent = """
            INSERT INTO adverse_events (adverse_event_id, patient_id, ctcae_term, ctcae_version, grade, onset_on, attribution)
            OVERRIDING SYSTEM VALUE VALUES (100000, \(mucPatient), 'Nausea', '5.0', 1, '2024-02-01', 'possible')
            """
        for role in [RegistryRole.coordinator, .investigator, .admin] {
            // Ahead of the sequence (the collision every later enrollment met) and an id handed out but unused.
            for sql in [patient(issued + 1000, 1), patient(issued, 2), adverseEvent] {
                #expect(
                    fixture.refusal(sql, on: fixture.login(role))?.sqlState == .insufficientPrivilege, "\(role): \(sql)"
                )
            }
        }
        let sync = fixture.login(.sync)
        for sql in [patient(issued + 1000, 3), adverseEvent] {
            #expect(fixture.refusal(sql, on: sync)?.sqlState == .insufficientPrivilege, "sync: \(sql)")
        }
        let drawn = try fixture.base.count("SELECT sarcreg_next_id('patients') AS n", on: sync)
        try sync.execute(Query(unsafeSQL: patient(drawn, 4)))
        #expect(try fixture.base.count("SELECT count(*) AS n FROM patients WHERE patient_id >= \(issued + 1000)") == 0)

        // Without a sequence privilege, the identity default still numbers a coordinator's enrollment.
        let enrolled = try PatientService(connection: fixture.login(.coordinator)).enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "M-101", birth: try PartialDate(iso: "1980"), sex: .male,
                consentDate: try CalendarDate(iso: "2024-02-01")), key: fixture.base.key)
        #expect(try fixture.patient(enrolled.registryID) > drawn)
    }

    @Test(
        "an adverse event, assessment or result of a MUC patient cannot name a LYO row, and a LYO row looks the same as no row"
    )
    func crossSiteChildRows() throws {
        let fixture = try PrivilegeFixture()
        let muc = try fixture.patient("MUC-0001")
        let lyonLine = try fixture.line(of: "LYO-0001")
        let mucBaseline = try fixture.id("SELECT assessment_id AS n FROM assessments WHERE patient_id = \(muc)")
        let lyonLesion = try fixture.id(
            "SELECT lesion_id AS n FROM lesions WHERE patient_id = \(try fixture.patient("LYO-0001"))")
        let missing = try fixture.id("SELECT max(therapy_line_id) + 1000 AS n FROM therapy_lines")
        func adverseEvent(line: Int) -> String {
            """
            INSERT INTO adverse_events (patient_id, therapy_line_id, ctcae_term, ctcae_version, grade, onset_on, attribution)
            VALUES (\(muc), \(line), 'Nausea', '5.0', 2, '2024-02-01', 'possible')
            """
        }
        let assessment = """
            INSERT INTO assessments (patient_id, evaluator, assessed_on, is_baseline, therapy_line_id)
            VALUES (\(muc), 'investigator', '2024-03-01', false, \(lyonLine))
            """
        let result = """
            INSERT INTO assessment_results (patient_id, assessment_id, lesion_id, lesion_class, result, diameter_mm)
            VALUES (\(muc), \(mucBaseline), \(lyonLesion), 'target', 'measured', 20)
            """
        let before = try fixture.base.count("SELECT count(*) AS n FROM adverse_events")
        for connection in [
            fixture.login(.coordinator), fixture.login(.sync), fixture.login(.admin), fixture.base.owner,
        ] {
            let crossing = fixture.refusal(adverseEvent(line: lyonLine), on: connection)
            let absent = fixture.refusal(adverseEvent(line: missing), on: connection)
            #expect(crossing?.sqlState == .foreignKeyViolation && crossing?.constraint == "adverse_events_line_fk")
            #expect(crossing?.message == absent?.message && crossing?.sqlState == absent?.sqlState)
            #expect(fixture.refusal(assessment, on: connection)?.constraint == "assessments_line_fk")
            #expect(fixture.refusal(result, on: connection)?.constraint == "assessment_results_lesion_fk")
        }
        #expect(try fixture.base.count("SELECT count(*) AS n FROM adverse_events") == before)
        // The coordinator's own line is still theirs to name.
        try fixture.login(.coordinator).execute(Query(unsafeSQL: adverseEvent(line: try fixture.line(of: "MUC-0001"))))
    }

    @Test("the sync login imports an SDTM export: its new patients and adverse events get ids through sarcreg_next_id")
    func syncImportAsSyncLogin() throws {
        let fixture = try PrivilegeFixture()
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RegistrySyncTests/Fixtures/clean").path
        try SyncService(connection: fixture.base.owner).mapSite(source: "site-a", sourceSite: "701", site: "MUC")
        try SyncService(connection: fixture.base.owner).mapSite(source: "site-a", sourceSite: "702", site: "LYO")
        let run = try SyncService(connection: fixture.login(.sync)).importSDTM(
            SyncImportRequest(directory: folder, source: "site-a"))
        #expect(run.status == "succeeded")
        #expect(try fixture.base.count("SELECT count(*) AS n FROM patients WHERE origin = 'sync'") == 3)
        #expect(try fixture.base.count("SELECT count(*) AS n FROM adverse_events") > 0)
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM assessment_results r JOIN assessments a USING (assessment_id) WHERE a.patient_id <> r.patient_id"
            ) == 0)
    }
}
