import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing
import TestSupport

extension RegistryFixture {
    var eligibilityAlerts: EligibilityAlertService { EligibilityAlertService(connection: connection, today: today) }

    @discardableResult
    func refreshAlerts() throws -> AlertRefreshSummary { try eligibilityAlerts.refresh() }

    /// The listed (not dismissed) alerts of one patient about one target.
    func alerts(of registryID: String, about target: String) throws -> [EligibilityAlert] {
        try eligibilityAlerts.alerts().filter { $0.registryID == registryID && $0.targetKey == target }
    }

    /// A baseline target lesion, as `lesion add` stores it; the patient's measurable disease is then known.
    func baselineTarget(_ registryID: String) throws {
        try connection.execute(
            """
            INSERT INTO lesions (patient_id, evaluator, label, lesion_class, organ, imaging_method)
            SELECT patient_id, 'investigator', 'T1', 'target', 'lung', 'ct' FROM patients WHERE registry_id = \(registryID)
            """)
    }
}

/// The refusal's words, or nil when `body` went through.
private func refusal(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite("Newly eligible alerts: each trigger, unknown to met on one criterion, and dismissals, on the real database")
struct EligibilityAlertServiceTests {
    static let larotrectinib = "therapy:larotrectinib_ntrk_fusion"

    @Test(
        "the registry's first refresh records every patient's state and raises nothing: the NTRK-fusion patient eligible already is no news"
    )
    func firstRefreshEstablishes() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "NTRK-0", birth: "1970-05-04", icdo3: "9040/3")
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        let summary = try registry.refreshAlerts()
        #expect(summary.patientsEvaluated == 1 && summary.newTargets == 11 && summary.alertsRaised == 0)
        #expect(
            try registry.connection.query("SELECT count(*) AS n FROM eligibility_states")[0].decode(Int.self, "n") == 1)
    }

    @Test(
        "an ETV6::NTRK3 fusion recorded for a metastatic synovial sarcoma makes her newly eligible for larotrectinib: NTRK fusion unknown -> met, trigger molecular_result_recorded; a second refresh raises nothing more"
    )
    func molecularResultRecorded() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "NTRK-1", birth: "1970-05-04", icdo3: "9040/3")
        try registry.refreshAlerts()
        #expect(try registry.alerts(of: id, about: Self.larotrectinib).isEmpty)

        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        let summary = try registry.refreshAlerts()
        #expect(summary.queueEntries == 1 && summary.patientsEvaluated == 1 && summary.newTargets == 0)
        let alerts = try registry.alerts(of: id, about: Self.larotrectinib)
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(
            alert.kind == .newlyEligible && alert.criterion == "NTRK fusion" && alert.from == .unknown
                && alert.to == .met)
        #expect(alert.trigger == "molecular_result_recorded" && alert.site == "MUC")

        let again = try registry.refreshAlerts()
        #expect(again.queueEntries == 0 && again.patientsEvaluated == 0 && again.alertsRaised == 0)
        #expect(try registry.alerts(of: id, about: Self.larotrectinib).count == 1)
    }

    @Test(
        "a TPM3::ALK fusion on file, then an inflammatory myofibroblastic tumour (8825/1) diagnosed: newly eligible for crizotinib on histology and disease setting, trigger diagnosis_recorded"
    )
    func diagnosisRecorded() throws {
        let registry = try RegistryFixture()
        let id = try registry.enroll(mrn: "IMT-1", birth: "1990-02-02").registryID
        try registry.finding(id, gene: "ALK", kind: .fusion, partner: "TPM3")
        try registry.refreshAlerts()
        #expect(try registry.alerts(of: id, about: "therapy:crizotinib_alk_imt").isEmpty)

        _ = try registry.diagnostics.recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8825/1"), icdoVersion: .v3_2, primarySite: "lung",
                diagnosed: try PartialDate(iso: "2026-10"), diseaseSetting: .metastatic))
        try registry.refreshAlerts()
        let alerts = try registry.alerts(of: id, about: "therapy:crizotinib_alk_imt")
        #expect(Set(alerts.compactMap(\.criterion)) == ["histology", "disease setting"])
        #expect(
            alerts.allSatisfy { $0.kind == .newlyEligible && $0.from == .unknown && $0.trigger == "diagnosis_recorded" }
        )
    }

    @Test(
        "MANTRA: an MDM2 amplification moves one criterion from unknown to met while measurable disease is unknown (criterion_met); the baseline target lesion then makes the patient newly eligible (lesion_recorded)"
    )
    func unknownToMetOnOneCriterion() throws {
        let fixture = try TrialFixture()
        let registry = fixture.registry
        try fixture.addShipped("NCT04979442-mantra.json")
        let id = try fixture.patient(mrn: "DDLPS-1", icdo3: "8858/3")
        try registry.refreshAlerts()
        let mantra = "trial:NCT04979442/randomized"
        #expect(try registry.alerts(of: id, about: mantra).isEmpty)

        try registry.finding(id, gene: "MDM2", kind: .amplification, method: .fish)
        try registry.refreshAlerts()
        let step = try registry.alerts(of: id, about: mantra)
        #expect(step.count == 1)
        #expect(step.first?.kind == .criterionMet && step.first?.criterion == "MDM2 amplification")
        #expect(
            step.first?.from == .unknown && step.first?.to == .met && step.first?.trigger == "molecular_result_recorded"
        )

        try registry.baselineTarget(id)
        try registry.refreshAlerts()
        let eligible = try registry.alerts(of: id, about: mantra).filter { $0.kind == .newlyEligible }
        #expect(eligible.map(\.criterion) == ["measurable disease at baseline (RECIST 1.1)"])
        #expect(eligible.first?.trigger == "lesion_recorded")
    }

    @Test(
        "a leiomyosarcoma trial added as recruiting alerts the eligible LMS patient with no criterion (first evaluated), trigger trial_added; the synovial sarcoma patient gets none"
    )
    func trialAdded() throws {
        let fixture = try TrialFixture()
        let lms = try fixture.patient(mrn: "LMS-1", icdo3: "8890/3")
        let synovial = try fixture.patient(mrn: "SS-1", icdo3: "9040/3")
        try fixture.registry.refreshAlerts()
        _ = try fixture.trials().add(definition: TrialFixture.leiomyosarcomaTrial(capacity: 10))
        let summary = try fixture.registry.refreshAlerts()
        #expect(summary.newTargets == 1 && summary.patientsEvaluated == 2)
        let alerts = try fixture.registry.alerts(of: lms, about: "trial:NCT09000001/main")
        #expect(alerts.count == 1)
        #expect(alerts.first?.kind == .newlyEligible && alerts.first?.criterion == nil && alerts.first?.from == nil)
        #expect(
            alerts.first?.trigger == "trial_added" && alerts.first?.triggerDetail == "NCT09000001 added as recruiting")
        #expect(try fixture.registry.alerts(of: synovial, about: "trial:NCT09000001/main").isEmpty)
    }

    @Test(
        "a trial added as not yet recruiting raises nothing; set to recruiting, its cohort opens and the LMS patient is alerted with trigger trial_opened"
    )
    func trialOpensCohort() throws {
        let fixture = try TrialFixture()
        let lms = try fixture.patient(mrn: "LMS-2", icdo3: "8890/3")
        let definition = String(decoding: TrialFixture.leiomyosarcomaTrial(capacity: 10), as: UTF8.self)
            .replacingOccurrences(of: #""status": "recruiting""#, with: #""status": "not_yet_recruiting""#)
        _ = try fixture.trials().add(definition: Data(definition.utf8))
        let closed = try fixture.registry.refreshAlerts()
        #expect(closed.openTargets == 11)
        #expect(try fixture.registry.alerts(of: lms, about: "trial:NCT09000001/main").isEmpty)

        let (_, previous) = try fixture.trials().setStatus("NCT09000001", .recruiting)
        #expect(previous == .notYetRecruiting)
        try fixture.registry.refreshAlerts()
        let alerts = try fixture.registry.alerts(of: lms, about: "trial:NCT09000001/main")
        #expect(alerts.map(\.trigger) == ["trial_opened"])
        #expect(alerts.first?.triggerDetail == "NCT09000001 not_yet_recruiting -> recruiting")
    }

    @Test(
        "palbociclib for WD/DD liposarcoma approved by the FDA from 2026-06-01: the CDK4-amplified liposarcoma patient is newly eligible, trigger catalog_status_changed"
    )
    func catalogStatusChanged() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "WDLPS-1", birth: "1966-04-04", icdo3: "8851/3")
        try registry.finding(id, gene: "CDK4", kind: .amplification)
        try registry.refreshAlerts()
        let palbociclib = "therapy:palbociclib_wd_dd_liposarcoma"
        #expect(try registry.alerts(of: id, about: palbociclib).isEmpty)

        _ = try registry.catalog.addStatus(
            StatusChangeSubmission(
                indication: "palbociclib_wd_dd_liposarcoma", status: .fdaApprovedSTS,
                effectiveDate: try CalendarDate(iso: "2026-06-01"),
                authority: .fda, source: "hypothetical approval for the test"))
        let summary = try registry.refreshAlerts()
        #expect(summary.newTargets == 1)
        let alerts = try registry.alerts(of: id, about: palbociclib)
        #expect(alerts.count == 1)
        #expect(
            alerts.first?.kind == .newlyEligible && alerts.first?.criterion == nil
                && alerts.first?.trigger == "catalog_status_changed")
    }

    @Test(
        "dismissing needs a reason (blank refused, nothing written); a dismissed alert is not listed again, a second dismissal is refused, and the dismissal is in the audit log with the --as name and the reason"
    )
    func dismissals() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "NTRK-2", birth: "1970-05-04", icdo3: "9040/3")
        try registry.refreshAlerts()
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        try registry.refreshAlerts()
        let alert = try #require(try registry.alerts(of: id, about: Self.larotrectinib).first)
        let service = registry.eligibilityAlerts

        #expect(
            refusal { _ = try service.dismiss(alert.alertID, reason: "  ") }
                == RegistryError.input(.missing(field: .reason)).description)
        #expect(
            try registry.connection.query("SELECT count(*) AS n FROM eligibility_alert_dismissals")[0].decode(
                Int.self, "n") == 0)

        let dismissal = try service.dismiss(
            alert.alertID, reason: "already on larotrectinib at another centre", by: "Dr. Weber")
        #expect(dismissal.registryID == id && dismissal.dismissedByName == "Dr. Weber")
        #expect(try registry.alerts(of: id, about: Self.larotrectinib).isEmpty)
        #expect(
            refusal { _ = try service.dismiss(alert.alertID, reason: "again") }
                == RegistryError.alertAlreadyDismissed(alert.alertID).description)
        #expect(
            refusal { _ = try service.dismiss(999_999, reason: "no such alert") }
                == RegistryError.alertNotFound(999_999).description)

        let audited = try registry.connection.query(
            """
            SELECT a.operation, a.new_row ->> 'reason' AS reason, a.new_row ->> 'dismissed_by_name' AS name, p.registry_id
            FROM audit_log a JOIN patients p USING (patient_id) WHERE a.table_name = 'eligibility_alert_dismissals'
            """)
        #expect(audited.count == 1)
        let (operation, reason, name, registryID) = try audited[0].decode((String, String, String, String).self)
        #expect(
            operation == "INSERT" && reason == "already on larotrectinib at another centre" && name == "Dr. Weber"
                && registryID == id)
    }

    @Test("alerts --since 2026-11-27 lists today's alerts, --since tomorrow none; --site of an unknown site is refused")
    func listingFilters() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "NTRK-3", birth: "1970-05-04", icdo3: "9040/3")
        try registry.refreshAlerts()
        try registry.finding(id, gene: "NTRK1", kind: .fusion, partner: "TPM3")
        try registry.refreshAlerts()
        let today = CalendarDate.today
        #expect(!(try registry.eligibilityAlerts.alerts(site: "MUC", since: today)).isEmpty)
        #expect(try registry.eligibilityAlerts.alerts(site: "MUC", since: today.adding(days: 1)).isEmpty)
        #expect(
            refusal { _ = try registry.eligibilityAlerts.alerts(site: "XYZ") }?.hasPrefix("unknown site 'XYZ'") == true)
    }

    @Test(
        "the refresh's outcomes are match's and trial screen's: each criterion of larotrectinib and of the APROMISS synovial cohort as the services evaluate one patient"
    )
    func sameOutcomesAsMatchAndScreen() throws {
        let fixture = try TrialFixture()
        let registry = fixture.registry
        try fixture.addShipped("NCT03016819-apromiss.json")
        let id = try fixture.patient(mrn: "SS-2", icdo3: "9040/3")
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        try registry.baselineTarget(id)
        try registry.refreshAlerts()
        let stored = try registry.connection.query(
            "SELECT s.outcomes::text AS outcomes FROM eligibility_states s JOIN patients p USING (patient_id) WHERE p.registry_id = \(id)"
        )
        let states = try JSONDecoder().decode(
            [String: String].self, from: Data(try stored[0].decode(String.self, "outcomes").utf8))

        let match = try #require(
            try registry.matching.match(id).report.evaluation(forIndication: "larotrectinib_ntrk_fusion"))
        #expect(states[Self.larotrectinib] == CriterionOutcomes(match.criteria.map(\.outcome)).letters)
        let screening = try TrialService(connection: registry.connection, today: registry.today).screen(
            id, trial: "NCT03016819", cohort: "synovial")
        #expect(states["trial:NCT03016819/synovial"] == CriterionOutcomes(screening.criteria.map(\.outcome)).letters)
    }
}
