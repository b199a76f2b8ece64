import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import TestSupport
import Testing

/// Sites MUC and LYO, each with a patient on line 1 (doxorubicin from 2024-01-10) whose investigator read a 32 mm
/// liver target T1 at baseline on 2024-01-05 and 30 mm (stable disease) on 2024-03-01; logins of every group.
private struct TrialOffice {
    let base: ReliabilityFixture
    let coordinator: Connection
    let otherCoordinator: Connection
    let monitor: Connection
    let lyonMonitor: Connection
    let investigator: Connection
    let admin: Connection

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
            _ = try AssessmentService(connection: base.owner).record(
                patient.registryID,
                AssessmentSubmission(
                    date: try CalendarDate(iso: "2024-03-01"),
                    results: [try LesionResultEntry.parse(lesion: "T1", value: "30")]))
        }
        coordinator = try base.connect(as: try base.addLogin("dm_coord", role: .coordinator, sites: ["MUC"]))
        otherCoordinator = try base.connect(as: try base.addLogin("dm_coord2", role: .coordinator, sites: ["MUC"]))
        monitor = try base.connect(as: try base.addLogin("dm_monitor", role: .monitor, sites: ["MUC"]))
        lyonMonitor = try base.connect(as: try base.addLogin("dm_monitor_lyo", role: .monitor, sites: ["LYO"]))
        investigator = try base.connect(as: try base.addLogin("dm_inv", role: .investigator))
        admin = try base.connect(as: try base.addLogin("dm_admin", role: .admin))
    }

    static let visit = DataRecord(stored: .assessment, reference: "investigator/2024-03-01")

    /// A coordinator's correction of the 2024-03-01 result of T1, with its reason.
    func correctT1(to diameter: Int, on connection: Connection) throws {
        _ = try AssessmentService(connection: connection).amend(
            "MUC-0001", date: try CalendarDate(iso: "2024-03-01"), evaluator: .investigator,
            results: [LesionResultEntry(lesion: "T1", finding: .finding(.target(.measured(Millimetres(diameter)))))],
            reason: "transcription error: CT report says \(diameter) mm")
    }
}

/// The constraint a refusal names, from whichever service error carries it.
private func refusedRule(_ error: any Error) -> String? {
    switch error {
    case RegistryError.refused(let refusal): refusal.constraint
    case AssessmentError.registry(.refused(let refusal)): refusal.constraint
    default: nil
    }
}

private func isNotPermitted(_ error: any Error) -> Bool {
    switch error {
    case RegistryError.notPermitted: true
    case AssessmentError.registry(.notPermitted): true
    default: false
    }
}

@Suite(
    "data management under the registry's roles: queries, locks, signatures and source data verification", .serialized)
struct DataManagementTests {
    @Test(
        "a MUC coordinator opens a query on MUC-0001's 2024-03-01 visit; another MUC coordinator answers but may not close it; the MUC monitor reopens; the opener closes; a closed query is not answered; the LYO monitor does not see it; an investigator may not open one"
    )
    func queryStatesPerRole() throws {
        let office = try TrialOffice()
        let opened = try DataQueryService(connection: office.coordinator).open(
            "MUC-0001", record: TrialOffice.visit, field: "diameter",
            message: "T1 30 mm: please confirm against the CT report")
        #expect(opened.status == .open && opened.messages.count == 1)
        let id = opened.queryID

        let answered = try DataQueryService(connection: office.otherCoordinator).act(
            .answer, queryID: id, message: "CT report says 30 mm")
        #expect(answered.status == .answered)
        let notTheirs = #expect(throws: RegistryError.self) {
            try DataQueryService(connection: office.otherCoordinator).act(
                .close, queryID: id, message: "closing it myself")
        }
        #expect(notTheirs.flatMap(refusedRule) == "data_queries_closed_by_opener_or_monitor")
        #expect(notTheirs?.description.contains("the person who opened it, a monitor or an administrator") == true)

        #expect(
            try DataQueryService(connection: office.monitor).act(
                .reopen, queryID: id, message: "the report says 30.5 mm"
            ).status == .reopened)
        #expect(
            try DataQueryService(connection: office.otherCoordinator).act(
                .answer, queryID: id, message: "30.5 mm is right"
            ).status == .answered)
        let closed = try DataQueryService(connection: office.coordinator).act(.close, queryID: id, message: "thank you")
        #expect(closed.status == .closed)
        #expect(closed.messages.map(\.action) == [.open, .answer, .reopen, .answer, .close])

        let late = #expect(throws: RegistryError.self) {
            try DataQueryService(connection: office.otherCoordinator).act(
                .answer, queryID: id, message: "one more thing")
        }
        guard case .queryTransition(id, .closed, .answered)? = late else {
            Issue.record("expected a refused transition, got \(String(describing: late))")
            return
        }

        #expect(try DataQueryService(connection: office.lyonMonitor).list(QueryFilter()).isEmpty)
        let hidden = #expect(throws: RegistryError.self) {
            try DataQueryService(connection: office.lyonMonitor).act(.reopen, queryID: id, message: "not mine")
        }
        guard case .queryNotFound(id)? = hidden else {
            Issue.record("expected not found, got \(String(describing: hidden))")
            return
        }
        let outside = #expect(throws: RegistryError.self) {
            try DataQueryService(connection: office.coordinator).open(
                "LYO-0001", record: TrialOffice.visit, field: nil, message: "not my site")
        }
        guard case .patientNotFound? = outside else {
            Issue.record("expected LYO-0001 unseen, got \(String(describing: outside))")
            return
        }
        let reader = #expect(throws: RegistryError.self) {
            try DataQueryService(connection: office.investigator).open(
                "MUC-0001", record: TrialOffice.visit, field: nil, message: "why 30?")
        }
        #expect(reader.map(isNotPermitted) == true)

        let counts = try DataQueryService(connection: office.monitor).counts()
        #expect(
            counts.map {
                [
                    $0.site, "\($0.open)", "\($0.answered)", "\($0.reopened)", "\($0.closed)", "\($0.overdue)",
                    "\($0.oldestUnresolvedDays ?? -1)",
                ]
            }
                == [["MUC", "0", "0", "0", "1", "0", "-1"]])
        #expect(
            try office.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name IN ('data_queries', 'data_query_messages')") == 10
        )
    }

    @Test(
        "a query on a visit MUC-0001 does not have is refused naming it; a query opened 20 days ago is listed by --older-than, counted overdue and on the site's worklist 6 days late"
    )
    func queryRecordsAndAges() throws {
        let office = try TrialOffice()
        let missing = DataRecord(stored: .assessment, reference: "investigator/2024-04-01")
        let refused = #expect(throws: RegistryError.self) {
            try DataQueryService(connection: office.monitor).open(
                "MUC-0001", record: missing, field: nil, message: "where is it?")
        }
        #expect(refused?.description == "MUC-0001 has no assessment investigator/2024-04-01")
        let query = try DataQueryService(connection: office.monitor).open(
            "MUC-0001", record: DataRecord(stored: .therapyLine, reference: "1"), field: "start date",
            message: "start date?")
        try office.base.owner.execute(
            "UPDATE data_queries SET opened_at = now() - interval '20 days' WHERE query_id = \(query.queryID)")
        let old = try DataQueryService(connection: office.coordinator).list(
            QueryFilter(site: "MUC", status: .open, olderThanDays: 14))
        #expect(old.map(\.queryID) == [query.queryID] && old[0].ageDays == 20)
        #expect(try DataQueryService(connection: office.coordinator).counts()[0].overdue == 1)
        let worklist = try WorklistService(connection: office.coordinator).worklist(site: "MUC", asOf: .today)
        let waiting = worklist.items.filter { $0.kind == .queryWaiting }
        #expect(
            waiting.map(\.what) == ["query \(query.queryID) on therapy_line 1 (open)"] && waiting.map(\.daysLate) == [6]
        )
    }

    @Test(
        "the monitor reads its own sites' patients and results only and writes no clinical row: an update through the service and INSERT/UPDATE in SQL are refused for privilege"
    )
    func monitorReadsWritesNothing() throws {
        let office = try TrialOffice()
        let seen = try office.monitor.query("SELECT registry_id FROM patients ORDER BY 1").map {
            try $0.decode(String.self, "registry_id")
        }
        #expect(seen == ["MUC-0001"])
        let munichResults = try office.base.count(
            "SELECT count(*) AS n FROM assessment_results r JOIN patients p USING (patient_id) WHERE p.site_code = 'MUC'"
        )
        #expect(munichResults > 0)
        #expect(
            try office.monitor.query("SELECT count(*)::bigint AS n FROM assessment_results")[0].decode(Int.self, "n")
                == munichResults)
        let update = #expect(throws: RegistryError.self) {
            _ = try PatientService(connection: office.monitor).update(
                "MUC-0001",
                PatientUpdate(lastContact: try CalendarDate(iso: "2024-05-01")))
        }
        #expect(update.map(isNotPermitted) == true)
        for sql in [
            "UPDATE patients SET last_contact_on = DATE '2024-05-01'", "DELETE FROM assessment_results",
            "INSERT INTO patient_ecog (patient_id, ecog, assessed_on) SELECT patient_id, 1, DATE '2024-02-01' FROM patients",
            "SELECT mrn_hmac FROM patients",
        ] {
            #expect(
                #expect(throws: PostgresError.self) { try office.monitor.execute(Query(unsafeSQL: sql)) }?.sqlState
                    == .insufficientPrivilege, "\(sql)")
        }
    }

    @Test(
        "the monitor locks MUC-0001: a coordinator's update and correction and an insert in SQL are refused as the lock rule; a coordinator may not lock, the monitor may not unlock; the administrator unlocks with a reason the audit keeps"
    )
    func lockRefusesEveryWriter() throws {
        let office = try TrialOffice()
        let coordinatorLock = #expect(throws: RegistryError.self) {
            _ = try PatientLockService(connection: office.coordinator).lock("MUC-0001")
        }
        #expect(coordinatorLock.map(isNotPermitted) == true, "\(String(describing: coordinatorLock))")
        #expect(try PatientLockService(connection: office.monitor).lock("MUC-0001").registryID == "MUC-0001")
        let update = #expect(throws: RegistryError.self) {
            _ = try PatientService(connection: office.coordinator).update(
                "MUC-0001",
                PatientUpdate(lastContact: try CalendarDate(iso: "2024-05-01")))
        }
        #expect(update.flatMap(refusedRule) == "patient_records_locked")
        #expect(update?.description.contains("a locked patient's records are frozen") == true)
        let correction = #expect(throws: AssessmentError.self) { try office.correctT1(to: 31, on: office.coordinator) }
        #expect(correction.flatMap(refusedRule) == "patient_records_locked")
        let sql = #expect(throws: PostgresError.self) {
            try office.base.owner.execute("UPDATE assessment_results SET diameter_mm = 29")
        }
        #expect(
            sql?.constraint == "patient_records_locked" && sql?.message.contains("patient MUC-0001 is locked") == true)
        _ = try PatientService(connection: office.base.owner).update(
            "LYO-0001",
            PatientUpdate(lastContact: try CalendarDate(iso: "2024-05-01")))

        #expect(
            #expect(throws: RegistryError.self) {
                try PatientLockService(connection: office.monitor).unlock("MUC-0001", reason: "done")
            }
            .map(isNotPermitted) == true)
        try PatientLockService(connection: office.admin).unlock(
            "MUC-0001", reason: "query 3 answered: lesion T1 to be corrected")
        try office.correctT1(to: 31, on: office.coordinator)
        let trail = try office.base.owner.query(
            "SELECT operation, change_reason FROM audit_log WHERE table_name = 'patient_locks' ORDER BY audit_id")
        #expect(try trail.map { try $0.decode(String.self, "operation") } == ["INSERT", "DELETE"])
        #expect(try trail[1].decode(String?.self, "change_reason") == "query 3 answered: lesion T1 to be corrected")
    }

    @Test(
        "the investigator re-enters the password (checked by the server over SCRAM) and signs line 1 'reviewed and approved'; a trusted login without a password check may not sign; a correction of T1 afterwards voids the signature, which stays with 'changed after signing on' the day"
    )
    func signatureVoidedAfterCorrection() throws {
        let office = try TrialOffice()
        let password = "not-used-with-trust-auth"
        let login = try office.base.addLogin("dm_signer", role: .investigator)
        let hbaFile = try office.base.owner.query("SHOW hba_file")[0].decode(String.self, "hba_file")
        let rule = "local all \(login) scram-sha-256\n"
        try (rule + String(contentsOfFile: hbaFile, encoding: .utf8)).write(
            toFile: hbaFile, atomically: false, encoding: .utf8)
        try office.base.owner.execute("SELECT pg_reload_conf()")
        defer {
            // Only this test's own line goes: another suite may have put its own in meanwhile.
            if let current = try? String(contentsOfFile: hbaFile, encoding: .utf8) {
                try? current.replacingOccurrences(of: rule, with: "").write(
                    toFile: hbaFile, atomically: false, encoding: .utf8)
            }
            _ = try? office.base.owner.execute("SELECT pg_reload_conf()")
        }
        let url = try office.base.connectionString(as: login)
        var signer: Connection?
        for _ in 0..<50 where signer == nil {
            signer = try? Connection(url, password: password)
            if let connection = signer, !connection.usedPassword { signer = nil }
            if signer == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let authenticated = try #require(signer)
        #expect(throws: PostgresError.self) { _ = try Connection(url, password: "wrong password") }

        let service = ResponseSignatureService(connection: try Connection(url, password: password))
        let trusted = #expect(throws: AssessmentError.self) {
            _ = try ResponseSignatureService(connection: office.investigator).sign(
                "MUC-0001", line: 1, evaluator: nil, meaning: "reviewed and approved", signer: office.investigator)
        }
        guard case .registry(.signerNotAuthenticated)? = trusted else {
            Issue.record("a trusted login signed: \(String(describing: trusted))")
            return
        }
        let signature = try service.sign(
            "MUC-0001", line: 1, evaluator: nil, meaning: "reviewed and approved", signer: authenticated)
        let response = try ResponseService(connection: office.investigator).response("MUC-0001")
        #expect(signature.contentSHA256 == ResponseSignatureService.sha256(of: response))
        #expect(
            signature.signedBy == login && signature.voidedAt == nil && signature.meaning == "reviewed and approved")
        #expect(ResponseSignatureService.signedContent(response).contains("time point 2024-03-01; sum 30"))

        try office.correctT1(to: 25, on: office.coordinator)
        let after = try #require(try service.signatures("MUC-0001").first)
        #expect(after.signatureID == signature.signatureID && after.voidedAt != nil)
        #expect(
            after.voidReason?.hasPrefix("changed after signing on \(CalendarDate.today) (update ") == true,
            "\(String(describing: after.voidReason))")
        #expect(
            after.contentSHA256
                != ResponseSignatureService.sha256(
                    of: try ResponseService(connection: office.investigator).response("MUC-0001")))
        #expect(
            try office.base.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'response_signatures' AND operation = 'UPDATE'")
                == 1)
    }

    @Test(
        "the monitor verifies MUC-0001's 2024-03-01 visit and line 1; a coordinator may not; the coordinator's correction of T1 clears the visit's mark (line 1 stays), audited as 'verification cleared: the record changed' while the correction keeps its own reason"
    )
    func verificationClearedByCorrection() throws {
        let office = try TrialOffice()
        let verification = SourceVerificationService(connection: office.monitor)
        _ = try verification.mark("MUC-0001", record: TrialOffice.visit)
        _ = try verification.mark("MUC-0001", record: DataRecord(stored: .therapyLine, reference: "1"))
        #expect(
            #expect(throws: RegistryError.self) {
                _ = try SourceVerificationService(connection: office.coordinator).mark(
                    "MUC-0001", record: TrialOffice.visit)
            }.map(isNotPermitted) == true)
        #expect(
            try verification.status(site: "MUC").filter { $0.verifiedAt == nil }.map(\.record.description) == [
                "assessment investigator/2024-01-05"
            ])

        try office.correctT1(to: 31, on: office.coordinator)
        let left = try verification.status(site: "MUC").filter { $0.verifiedAt == nil }.map(\.record.description)
        #expect(left == ["assessment investigator/2024-01-05", "assessment investigator/2024-03-01"])
        let reasons = try office.base.owner.query(
            "SELECT table_name, operation, change_reason FROM audit_log WHERE table_name IN ('sdv_marks', 'assessment_results') AND operation <> 'INSERT' ORDER BY audit_id"
        )
        #expect(
            try reasons.map {
                try
                    "\($0.decode(String.self, "table_name")) \($0.decode(String.self, "operation")): \($0.decode(String.self, "change_reason"))"
            } == [
                "assessment_results UPDATE: transcription error: CT report says 31 mm",
                "sdv_marks DELETE: verification cleared: the record changed",
            ])
    }

    @Test(
        "the database allows exactly the query state changes QueryStatus.transitions lists, and raises each of ConstraintRefusal's raised rules by name"
    )
    func databaseAgreesWithTheDomain() throws {
        let office = try TrialOffice()
        for from in QueryStatus.allCases {
            for to in QueryStatus.allCases where from != to {
                let allowed = try office.base.owner.query(
                    "SELECT data_query_transition_allowed(\(from.rawValue), \(to.rawValue)) AS allowed")[0].decode(
                        Bool.self, "allowed")
                #expect(allowed == from.allows(to), "\(from) -> \(to)")
            }
        }
        let sources = try office.base.owner.query(
            "SELECT string_agg(prosrc, ' ') AS src FROM pg_proc WHERE pronamespace = 'public'::regnamespace")[0]
            .decode(String.self, "src")
        for name in ConstraintRefusal.raisedRules.keys {
            #expect(sources.contains("CONSTRAINT = '\(name)'"), "\(name)")
        }
    }
}
