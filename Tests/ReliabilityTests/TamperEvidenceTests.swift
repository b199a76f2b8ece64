import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import TestSupport
import Testing

/// Sites MUC and LYO with a patient each (MUC-0001 with a therapy line), the APROMISS trial, and one login of
/// each group (the coordinator works for MUC). The owner is the suite's superuser, the role a hostile owner has.
private struct TamperFixture {
    let base: ReliabilityFixture
    let logins: [RegistryRole: Connection]

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
        }
        let trial = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Trials/NCT03016819-apromiss.json")
        _ = try TrialService(connection: base.owner).add(definition: try Data(contentsOf: trial))
        var connections: [RegistryRole: Connection] = [:]
        for role in RegistryRole.allCases {
            connections[role] = try base.connect(
                as: try base.addLogin("te_" + role.rawValue, role: role, sites: role.needsSite ? ["MUC"] : []))
        }
        logins = connections
    }

    func login(_ role: RegistryRole) -> Connection { logins[role]! }

    func verify(anchor: AuditAnchor? = nil) throws -> AuditVerification {
        try AuditChainService(connection: login(.admin)).verify(against: anchor)
    }

    func owner(_ sql: String) throws { try base.owner.execute(Query(unsafeSQL: sql)) }

    /// The server's error for `sql` run as `connection`; nil (and a recorded issue) when it succeeded.
    func refusal(
        _ sql: String, on connection: Connection, sourceLocation: SourceLocation = #_sourceLocation
    ) -> PostgresError? {
        #expect(throws: PostgresError.self, "\(sql)", sourceLocation: sourceLocation) {
            try connection.execute(Query(unsafeSQL: sql))
        }
    }
}

@Suite(
    "tamper evidence: each way to change the registry or its log past the audit is refused or caught by audit verify",
    .serialized)
struct TamperEvidenceTests {
    @Test(
        "an untouched registry verifies whole (chain, guards, every row's version); a coordinator may not verify, seeing only their sites' entries"
    )
    func untouchedRegistryVerifies() throws {
        let fixture = try TamperFixture()
        _ = try PatientService(connection: fixture.login(.coordinator)).update(
            "MUC-0001", PatientUpdate(lastContact: try CalendarDate(iso: "2024-05-01")))
        let result = try fixture.verify()
        #expect(result.findings == [])
        #expect(result.intact)
        #expect(result.tablesChecked == 25)
        #expect(result.entries > 10)
        let refused = #expect(throws: AuditVerificationError.self) {
            try AuditChainService(connection: fixture.login(.coordinator)).verify()
        }
        #expect(refused?.description.contains("log in as an administrator") == true)
    }

    @Test("a sync import's rows, written under savepoints and counted per run, verify whole")
    func importedRowsVerify() throws {
        let (base, run) = try AuditCompletenessTests.imported()
        #expect(run.status == "succeeded")
        let admin = try base.connect(as: try base.addLogin("te_admin", role: .admin))
        #expect(try AuditChainService(connection: admin).verify().findings == [])
    }

    @Test(
        "sarcreg audit anchor writes the chain head; audit verify --anchor exits 0 on a whole log, 4 naming the finding after the anchored entry is deleted, and refuses a coordinator"
    )
    func commandLine() throws {
        let fixture = try TamperFixture()
        let admin = try fixture.base.addLogin("te_cli", role: .admin)
        let database = try fixture.base.connectionString(as: admin)
        let anchored = try CommandLineRun.sarcreg(["audit", "anchor", "--database", database])
        #expect(anchored.exitCode == 0, "\(anchored.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("anchor-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(anchored.stdout.utf8).write(to: file)
        let whole = try CommandLineRun.sarcreg(["audit", "verify", "--anchor", file.path, "--database", database])
        #expect(whole.exitCode == 0, "\(whole.stdout) \(whole.stderr)")
        #expect(whole.stdout.contains("The audit log is whole."))

        let position = try #require(try AuditChainService(connection: fixture.login(.admin)).anchor()).position
        try fixture.base.owner.withTransaction { tx in
            try tx.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try tx.execute("DELETE FROM audit_log WHERE chain_position >= \(position)")
            try tx.execute(
                "UPDATE audit_chain_head SET (chain_position, entry_hash) = (SELECT chain_position, entry_hash FROM audit_log ORDER BY chain_position DESC LIMIT 1)"
            )
            try tx.execute("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        }
        let cut = try CommandLineRun.sarcreg(["audit", "verify", "--anchor", file.path, "--database", database])
        #expect(cut.exitCode == 4)
        #expect(cut.stdout.contains("the anchored entry \(position) is gone"), "\(cut.stdout)")

        let coordinator = try fixture.base.addLogin("te_cli_coord", role: .coordinator, sites: ["MUC"])
        let refused = try CommandLineRun.sarcreg([
            "audit", "verify", "--database", try fixture.base.connectionString(as: coordinator),
        ])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("log in as an administrator"), "\(refused.stderr)")
    }

    @Test(
        "deleting entries with the guard disabled, and the DISABLE TRIGGER record with them in the same transaction, is caught as missing entries"
    )
    func deletedEntriesAndTheirDisableRecord() throws {
        let fixture = try TamperFixture()
        _ = try PatientService(connection: fixture.base.owner).update(
            "MUC-0001",
            PatientUpdate(lastContact: try CalendarDate(iso: "2024-05-01")))
        try fixture.base.owner.withTransaction { tx in
            try tx.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try tx.execute(
                "DELETE FROM audit_log WHERE operation = 'DISABLE TRIGGER' OR (table_name = 'patients' AND operation = 'UPDATE')"
            )
            try tx.execute("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        }
        let findings = try fixture.verify().findings
        #expect(
            findings.contains {
                if case .entriesMissing = $0 { true } else if case .logCut = $0 { true } else { false }
            }, "\(findings)")
        #expect(
            findings.contains { if case .unauditedRows(table: "patients", _, _) = $0 { true } else { false } },
            "\(findings)")
    }

    @Test(
        "deleting the log's last entries (the DISABLE TRIGGER record with them) and rewinding the chain head is caught by an anchor taken before"
    )
    func cutTailCaughtByAnchor() throws {
        let fixture = try TamperFixture()
        _ = try PatientService(connection: fixture.base.owner).update(
            "MUC-0001",
            PatientUpdate(lastContact: try CalendarDate(iso: "2024-05-01")))
        let anchor = try #require(try AuditChainService(connection: fixture.login(.admin)).anchor())
        #expect(try fixture.verify(anchor: anchor).findings == [])
        try fixture.base.owner.withTransaction { tx in
            try tx.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try tx.execute("DELETE FROM audit_log WHERE chain_position >= \(anchor.position)")
            try tx.execute(
                """
                UPDATE audit_chain_head SET (chain_position, entry_hash) =
                    (SELECT chain_position, entry_hash FROM audit_log ORDER BY chain_position DESC LIMIT 1)
                """)
            try tx.execute("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        }
        let findings = try fixture.verify(anchor: anchor).findings
        #expect(findings.contains(.anchorMissing(position: anchor.position, last: anchor.position - 1)), "\(findings)")
    }

    @Test(
        "an entry's new_row rewritten in place (guard dropped, then put back) is caught as an altered entry and the DROP is chained"
    )
    func alteredEntry() throws {
        let fixture = try TamperFixture()
        try fixture.owner("DROP TRIGGER audit_log_append_only ON audit_log")
        try fixture.owner(
            "UPDATE audit_log SET app_user = 'someone else' WHERE table_name = 'patients' AND operation = 'INSERT'")
        try fixture.owner(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
        try fixture.owner("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        let findings = try fixture.verify().findings
        #expect(findings.contains { if case .entryAltered = $0 { true } else { false } }, "\(findings)")
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE operation = 'DROP' AND table_name LIKE 'audit_log_append_only on %'"
            ) == 1)
    }

    @Test(
        "a correction's reason is part of its entry's hash: 'stop not entered' verifies whole, and the reason rewritten afterwards is caught as an altered entry"
    )
    func changeReasonChained() throws {
        let fixture = try TamperFixture()
        _ = try CorrectionService(connection: fixture.login(.coordinator)).amendTherapyLine(
            "MUC-0001", line: 1, TherapyAmendment(stop: try CalendarDate(iso: "2024-06-02"), stopReason: .progression),
            reason: "stop not entered")
        #expect(
            try fixture.base.count("SELECT count(*) AS n FROM audit_log WHERE change_reason = 'stop not entered'") == 1)
        #expect(try fixture.verify().findings == [])
        try fixture.owner("DROP TRIGGER audit_log_append_only ON audit_log")
        try fixture.owner(
            "UPDATE audit_log SET change_reason = 'data manager request' WHERE change_reason = 'stop not entered'")
        try fixture.owner(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
        try fixture.owner("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        let findings = try fixture.verify().findings
        #expect(findings.contains { if case .entryAltered = $0 { true } else { false } }, "\(findings)")
    }

    @Test("two entries swapped in the chain (positions exchanged) are caught as reordered or altered")
    func reorderedEntries() throws {
        let fixture = try TamperFixture()
        try fixture.base.owner.withTransaction { tx in
            try tx.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try tx.execute("UPDATE audit_log SET chain_position = -chain_position WHERE chain_position IN (2, 3)")
            try tx.execute(
                "UPDATE audit_log SET chain_position = CASE chain_position WHEN -2 THEN 3 ELSE 2 END WHERE chain_position IN (-2, -3)"
            )
            try tx.execute("ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only")
        }
        let findings = try fixture.verify().findings
        #expect(
            findings.contains {
                switch $0 {
                case .entryAltered, .entryReordered, .brokenLink, .entriesMissing: true
                default: false
                }
            }, "\(findings)")
    }

    @Test(
        "DROP TRIGGER patients_audit_update, an UPDATE, the trigger recreated: caught as an unaudited patients row, a trigger not ALWAYS, and the DROP entry"
    )
    func droppedAuditTrigger() throws {
        let fixture = try TamperFixture()
        try fixture.owner("DROP TRIGGER patients_audit_update ON patients")
        #expect(try fixture.verify().findings.contains(.guardTriggerMissing("patients.patients_audit_update")))
        try fixture.owner("UPDATE patients SET last_contact_on = DATE '2024-06-01' WHERE registry_id = 'LYO-0001'")
        try fixture.owner(
            """
            CREATE TRIGGER patients_audit_update AFTER UPDATE ON patients REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes()
            """)
        let findings = try fixture.verify().findings
        #expect(findings.contains(.guardTriggerNotAlways("patients.patients_audit_update", state: "O")), "\(findings)")
        #expect(
            findings.contains { if case .unauditedRows(table: "patients", count: 1, _) = $0 { true } else { false } },
            "\(findings)")
        try fixture.owner("ALTER TABLE patients ENABLE ALWAYS TRIGGER patients_audit_update")
        #expect(try fixture.verify().findings.map(\.description).contains { $0.hasPrefix("1 row of patients") })
    }

    @Test(
        "therapy_line_agents deleted with its DELETE audit trigger disabled and enabled again: caught as rows gone without an audited DELETE"
    )
    func unauditedDelete() throws {
        let fixture = try TamperFixture()
        try fixture.base.owner.withTransaction { tx in
            try tx.execute("ALTER TABLE therapy_line_agents DISABLE TRIGGER therapy_line_agents_audit_delete")
            try tx.execute("DELETE FROM therapy_line_agents")
            try tx.execute("ALTER TABLE therapy_line_agents ENABLE ALWAYS TRIGGER therapy_line_agents_audit_delete")
        }
        let findings = try fixture.verify().findings
        #expect(
            findings.contains {
                if case .unauditedDeletions(table: "therapy_line_agents", count: 2, _) = $0 { true } else { false }
            }, "\(findings)")
    }

    @Test(
        "ENABLE REPLICA TRIGGER and an UPDATE in a replica session: recorded when done, and caught as a trigger not ALWAYS and an unaudited row"
    )
    func replicaOnlyTrigger() throws {
        let fixture = try TamperFixture()
        try fixture.owner("ALTER TABLE therapy_lines ENABLE REPLICA TRIGGER therapy_lines_audit_update")
        try fixture.owner("UPDATE therapy_lines SET intent = 'curative'")
        let findings = try fixture.verify().findings
        #expect(
            findings.contains(.guardTriggerNotAlways("therapy_lines.therapy_lines_audit_update", state: "R")),
            "\(findings)")
        #expect(
            findings.contains {
                if case .unauditedRows(table: "therapy_lines", count: 2, _) = $0 { true } else { false }
            }, "\(findings)")
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE operation = 'DISABLE TRIGGER' AND new_row -> 'triggers' ->> 'therapy_lines_audit_update' = 'R'"
            ) == 1)
    }

    @Test(
        "DISABLE/**/TRIGGER, which the statement text hid from 0007's event trigger, is recorded from the catalog and caught while disabled"
    )
    func commentedDisable() throws {
        let fixture = try TamperFixture()
        try fixture.owner("ALTER TABLE adverse_events DISABLE/**/TRIGGER adverse_events_audit_insert")
        let recorded = try fixture.base.owner.query(
            "SELECT new_row -> 'triggers' ->> 'adverse_events_audit_insert' AS state FROM audit_log WHERE operation = 'DISABLE TRIGGER' AND table_name = 'public.adverse_events'"
        )
        #expect(try recorded.map { try $0.decode(String?.self, "state") } == ["D"])
        #expect(
            try fixture.verify().findings.contains(
                .guardTriggerNotAlways("adverse_events.adverse_events_audit_insert", state: "D")))
    }

    @Test(
        "audit_record_changes replaced by one that writes nothing, an UPDATE, the original put back: caught as a changed function, then as an unaudited row"
    )
    func replacedGuardFunction() throws {
        let fixture = try TamperFixture()
        let original = try fixture.base.owner.query(
            "SELECT pg_get_functiondef('audit_record_changes()'::regprocedure) AS source")[0]
            .decode(String.self, "source")
        try fixture.owner(
            "CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
        )
        try fixture.owner(
            "UPDATE therapy_lines SET intent = 'curative' WHERE patient_id = (SELECT patient_id FROM patients WHERE registry_id = 'MUC-0001')"
        )
        let findings = try fixture.verify().findings
        #expect(
            findings.contains { if case .guardFunctionChanged("audit_record_changes", _) = $0 { true } else { false } },
            "\(findings)")
        try fixture.base.owner.execute(Query(unsafeSQL: original))
        let after = try fixture.verify().findings
        #expect(!after.contains { if case .guardFunctionChanged = $0 { true } else { false } }, "\(after)")
        #expect(
            after.contains { if case .unauditedRows(table: "therapy_lines", count: 1, _) = $0 { true } else { false } },
            "\(after)")
    }

    @Test(
        "in a session_replication_role = replica session an UPDATE is still audited, DELETE FROM audit_log still refused, and the registry verifies whole"
    )
    func replicaSession() throws {
        let fixture = try TamperFixture()
        try fixture.owner("SET session_replication_role = replica")
        try fixture.owner("UPDATE patients SET last_contact_on = DATE '2024-07-01' WHERE registry_id = 'MUC-0001'")
        let delete = fixture.refusal("DELETE FROM audit_log", on: fixture.base.owner)
        #expect(delete?.sqlState == .insufficientPrivilege)
        try fixture.owner("RESET session_replication_role")
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'patients' AND operation = 'UPDATE' AND new_row ->> 'last_contact_on' = '2024-07-01'"
            ) == 1)
        #expect(try fixture.verify().findings == [])
    }

    @Test("entries of two sessions writing at once chain one after the other, with no fork and no gap")
    func concurrentWriters() throws {
        let fixture = try TamperFixture()
        let url = fixture.base.database.connectionString
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            guard let connection = try? Connection(url) else { return }
            for day in 1...10 {
                _ = try? PatientService(connection: connection).update(
                    index % 2 == 0 ? "MUC-0001" : "LYO-0001",
                    PatientUpdate(lastContact: CalendarDate(year: 2024, month: 8, day: day)))
            }
        }
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'patients' AND operation = 'UPDATE'") >= 20)
        #expect(try fixture.verify().findings == [])
    }

    @Test(
        "each login role's psql probes of the log, its guards, the counters and the allocation (INSERT INTO audit_log, DISABLE TRIGGER, replica mode, setval, places_taken, arm_code, seed, ...) are refused for privilege; a forged chain setting changes nothing"
    )
    func everyRoleEveryProbe() throws {
        let fixture = try TamperFixture()
        let all = Set(RegistryRole.allCases)
        let probes: [(sql: String, refused: Set<RegistryRole>)] = [
            ("INSERT INTO audit_log (table_name, operation) VALUES ('patients', 'DELETE')", all),
            ("UPDATE audit_log SET app_user = 'someone else'", all),
            ("DELETE FROM audit_log", all),
            ("TRUNCATE audit_log", all),
            ("UPDATE audit_chain_head SET chain_position = 0", all),
            ("SELECT audit_record_guards()", all),
            ("SELECT audit_guard_functions()", all),
            ("ALTER TABLE patients DISABLE TRIGGER patients_audit_update", all),
            ("ALTER TABLE patients ENABLE REPLICA TRIGGER patients_audit_update", all),
            ("DROP TRIGGER patients_audit_update ON patients", all),
            ("ALTER EVENT TRIGGER audit_trigger_disabling DISABLE", all),
            (
                "CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
                all
            ),
            ("SET session_replication_role = replica", all),
            ("SELECT setval('patients_patient_id_seq', 1)", all),
            ("SELECT nextval('patients_patient_id_seq')", all),
            ("UPDATE trial_cohorts SET places_taken = 0", all),
            ("UPDATE trial_allocation_slots SET revealed_at = now()", all),
            ("DELETE FROM trial_allocation_slots WHERE enrollment_id IS NULL", all),
            ("SELECT arm_code FROM trial_allocation_slots", all),
            ("SELECT randomization_seed FROM trials", all),
            ("SELECT next_patient_number FROM sites", [.coordinator, .monitor]),
            ("SELECT pg_stat_get_live_tuples('patients'::regclass)", [.coordinator, .investigator, .sync, .monitor]),
            ("SELECT pg_relation_size('patients')", [.coordinator, .investigator, .sync, .monitor]),
            (
                "INSERT INTO sync_subjects (source, usubjid, patient_id) VALUES ('site-a', 'S-1', 1)",
                [.coordinator, .investigator, .monitor]
            ),
            ("SELECT sarcreg_next_id('patients')", [.coordinator, .investigator, .admin, .monitor]),
            ("SELECT * FROM audit_chain_head", [.coordinator, .investigator, .sync, .monitor]),
        ]
        let entries = try fixture.base.count("SELECT count(*) AS n FROM audit_log")
        for role in RegistryRole.allCases {
            let login = fixture.login(role)
            for probe in probes where probe.refused.contains(role) {
                #expect(
                    fixture.refusal(probe.sql, on: login)?.sqlState == .insufficientPrivilege, "\(role): \(probe.sql)")
            }
        }
        #expect(try fixture.base.count("SELECT count(*) AS n FROM audit_log") == entries)
        // The chain's state within a statement is a setting any session may set; it is reopened from the head.
        let coordinator = fixture.login(.coordinator)
        try coordinator.execute("SET sarcreg.audit_chain = '1:00'")
        _ = try PatientService(connection: coordinator).update(
            "MUC-0001", PatientUpdate(lastContact: try CalendarDate(iso: "2024-09-01")))
        #expect(try fixture.verify().findings == [])
    }

    // MARK: - Counts across sites (item 3)

    @Test(
        "a coordinator reads no site's next_patient_number, no live-tuple count or table size, and pg_sequences shows no last_value"
    )
    func countsHiddenFromCoordinators() throws {
        let fixture = try TamperFixture()
        let coordinator = fixture.login(.coordinator)
        for probe in [
            "SELECT next_patient_number FROM sites",
            "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'patients'",
            "SELECT pg_stat_get_live_tuples('patients'::regclass)",
            "SELECT pg_relation_size('patients')",
            "SELECT pg_total_relation_size('patients')",
            "UPDATE sites SET next_patient_number = next_patient_number WHERE site_code = 'MUC'",
        ] {
            #expect(fixture.refusal(probe, on: coordinator)?.sqlState == .insufficientPrivilege, "\(probe)")
        }
        #expect(
            try coordinator.query(
                "SELECT last_value FROM pg_sequences WHERE sequencename = 'patients_patient_id_seq'")[0].decode(
                    Int?.self, "last_value") == nil)
        #expect(try coordinator.query("SELECT sarcreg_next_site_sequence('LYO') AS n")[0].decode(Int?.self, "n") == nil)
        #expect(try fixture.base.count("SELECT next_patient_number AS n FROM sites WHERE site_code = 'LYO'") == 2)
        let enrolled = try PatientService(connection: coordinator).enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "M-101", birth: try PartialDate(iso: "1980"), sex: .male,
                consentDate: try CalendarDate(iso: "2024-02-01")), key: fixture.base.key)
        #expect(enrolled.registryID == "MUC-0002")
    }

    @Test(
        "a coordinator's insert of LYO's sync subject or of LYO's patient id is refused for privilege, never answered by sync_subjects_pkey or patients_pkey"
    )
    func keyViolationsAnswerNothing() throws {
        let fixture = try TamperFixture()
        try fixture.owner(
            "INSERT INTO sync_subjects (source, usubjid, patient_id) SELECT 'site-a', 'LYO-SUBJ-1', patient_id FROM patients WHERE registry_id = 'LYO-0001'"
        )
        let lyon = try fixture.base.count("SELECT patient_id AS n FROM patients WHERE registry_id = 'LYO-0001'")
        let muc = try fixture.base.count("SELECT patient_id AS n FROM patients WHERE registry_id = 'MUC-0001'")
        let coordinator = fixture.login(.coordinator)
        #expect(
            fixture.refusal(
                "INSERT INTO sync_subjects (source, usubjid, patient_id) VALUES ('site-a', 'LYO-SUBJ-1', \(muc))",
                on: coordinator)?
                .sqlState == .insufficientPrivilege)
        let chosen = fixture.refusal(
            """
            INSERT INTO patients (patient_id, registry_id, site_code, site_sequence, mrn_hmac, birth_year, sex, consent_date)
            OVERRIDING SYSTEM VALUE VALUES (\(lyon), 'MUC-0009', 'MUC', 9, repeat('c', 64), 1970, 'female', DATE '2024-01-10')
            """, on: coordinator)
        #expect(chosen?.sqlState == .insufficientPrivilege)
        #expect(chosen?.constraint == nil)
    }

    // MARK: - Allocation concealment (item 4)

    @Test(
        "no group reads an unrevealed slot's arm or a trial's seed (the stored definition says seed 0); the owner does")
    func allocationConcealed() throws {
        let fixture = try TamperFixture()
        for role in RegistryRole.allCases {
            let login = fixture.login(role)
            for probe in [
                "SELECT arm_code FROM trial_allocation_slots", "SELECT block_size FROM trial_allocation_slots",
                "SELECT * FROM trial_allocation_slots", "SELECT randomization_seed FROM trials", "SELECT * FROM trials",
            ] {
                #expect(fixture.refusal(probe, on: login)?.sqlState == .insufficientPrivilege, "\(role): \(probe)")
            }
            #expect(
                try login.query("SELECT definition #>> '{randomization,seed}' AS seed FROM trials")[0].decode(
                    String.self, "seed") == "0")
            #expect(
                try login.query("SELECT count(*)::bigint AS n FROM trial_allocation_slots WHERE enrollment_id IS NULL")[
                    0
                ]
                .decode(Int.self, "n") > 0)
        }
        #expect(try fixture.base.count("SELECT randomization_seed AS n FROM trials") == 3_016_819)
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name IN ('trials', 'trial_allocation_slots') AND (new_row ? 'arm_code' OR new_row ? 'randomization_seed')"
            ) == 0)
    }

    @Test(
        "no group sets places_taken or reveals a slot; a coordinator's enrollment takes the next place and slot itself, whatever it names, and both are audited"
    )
    func capacityOnlyThroughEnrollment() throws {
        let fixture = try TamperFixture()
        for role in RegistryRole.allCases {
            let login = fixture.login(role)
            #expect(
                fixture.refusal("UPDATE trial_cohorts SET places_taken = 0", on: login)?.sqlState
                    == .insufficientPrivilege, "\(role)")
            #expect(
                fixture.refusal("UPDATE trial_allocation_slots SET revealed_at = now()", on: login)?.sqlState
                    == .insufficientPrivilege, "\(role)")
        }
        let coordinator = fixture.login(.coordinator)
        let patient = try fixture.base.count("SELECT patient_id AS n FROM patients WHERE registry_id = 'MUC-0001'")
        let cohort = try fixture.base.count("SELECT cohort_id AS n FROM trial_cohorts WHERE cohort_code = 'lms'")
        let screening = try coordinator.query(
            """
            INSERT INTO trial_screenings (trial_nct, patient_id, cohort_code, screened_on, outcome)
            VALUES ('NCT03016819', \(patient), 'lms', DATE '2024-03-01', 'eligible') RETURNING screening_id
            """)[0].decode(Int.self, "screening_id")
        let enrolled = try coordinator.query(
            """
            INSERT INTO trial_enrollments (trial_nct, cohort_id, patient_id, site_code, place_number, arm_code, screening_id, enrolled_on)
            VALUES ('NCT03016819', \(cohort), \(patient), 'MUC', 40, 'dacarbazine', \(screening), DATE '2024-03-01')
            RETURNING place_number, arm_code, allocation_position
            """)[0]
        #expect(try enrolled.decode(Int.self, "place_number") == 1)
        #expect(try enrolled.decode(Int.self, "allocation_position") == 1)
        #expect(
            try enrolled.decode(String.self, "arm_code")
                == fixture.base.owner.query(
                    "SELECT arm_code FROM trial_allocation_slots WHERE cohort_id = \(cohort) AND position = 1")[0]
                .decode(String.self, "arm_code"))
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'trial_cohorts' AND operation = 'UPDATE' AND new_row ->> 'places_taken' = '1'"
            ) == 1)
        #expect(
            try fixture.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'trial_allocation_slots' AND operation = 'UPDATE' AND patient_id = \(patient)"
            ) == 1)
        #expect(try fixture.verify().findings == [])
    }
}
