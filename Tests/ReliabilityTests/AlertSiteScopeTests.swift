import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

@Suite(
    "eligibility alerts under site-scoped logins: refreshed by the sync, listed and dismissed by each site's coordinators"
)
struct AlertSiteScopeTests {
    /// Sites SA and SB, each with a metastatic synovial sarcoma patient, refreshed by the sync login, then an
    /// ETV6::NTRK3 fusion recorded for each.
    static func twoSitesWithFusions(sync: String) throws -> ReliabilityFixture {
        let fixture = try ReliabilityFixture(sites: ["SA", "SB"])
        let diagnostics = DiagnosticService(connection: fixture.owner)
        var patients: [String] = []
        for (site, mrn) in [("SA", "A-300"), ("SB", "B-400")] {
            let patient = try PatientService(connection: fixture.owner).enroll(
                EnrollmentRequest(
                    site: site, mrn: mrn, birth: try PartialDate(iso: "1970"), sex: .female,
                    consentDate: try CalendarDate(iso: "2024-01-02")), key: fixture.key)
            _ = try diagnostics.recordDiagnosis(
                patient.registryID,
                DiagnosisSubmission(
                    icdo3Code: try HistologyCode("9040/3"), icdoVersion: .v3_2, primarySite: "thigh",
                    diagnosed: try PartialDate(iso: "2024-01"), diseaseSetting: .metastatic))
            patients.append(patient.registryID)
        }
        _ = try EligibilityAlertService(connection: fixture.connect(as: try fixture.addLogin(sync, role: .sync)))
            .refresh()
        for registryID in patients {
            _ = try diagnostics.recordMolecular(
                registryID,
                MolecularSubmission(
                    gene: "NTRK3", alterationKind: .fusion, partnerGene: "ETV6", method: .ngsRNA, result: .positive,
                    reportDate: try CalendarDate(iso: "2024-02-01")))
        }
        return fixture
    }

    @Test(
        "the sync login refreshes; the SA coordinator lists SA-0001's alerts only, cannot dismiss SB-0001's (not found, and refused for privilege in SQL), cannot refresh, and reads no state or queue"
    )
    func coordinatorSeesOwnSitesAlerts() throws {
        let fixture = try Self.twoSitesWithFusions(sync: "sync_alerts_first")
        let sync = try fixture.connect(as: try fixture.addLogin("sync_alerts", role: .sync))
        let summary = try EligibilityAlertService(connection: sync).refresh()
        #expect(summary.patientsEvaluated == 2 && summary.alertsRaised > 0)

        let coordinator = try fixture.connect(
            as: try fixture.addLogin("coord_alerts", role: .coordinator, sites: ["SA"]))
        let service = EligibilityAlertService(connection: coordinator)
        let seen = try service.alerts()
        #expect(!seen.isEmpty && Set(seen.map(\.registryID)) == ["SA-0001"])
        #expect(try service.alerts(site: "SB").isEmpty)

        let theirs = try fixture.count(
            """
            SELECT min(a.alert_id) AS n FROM eligibility_alerts a JOIN patients p USING (patient_id) WHERE p.registry_id = 'SB-0001'
            """)
        #expect(throws: RegistryError.self) { _ = try service.dismiss(theirs, reason: "not ours") }
        let sbPatient = try fixture.count("SELECT patient_id AS n FROM patients WHERE registry_id = 'SB-0001'")
        let refused = #expect(throws: PostgresError.self) {
            try coordinator.execute(
                "INSERT INTO eligibility_alert_dismissals (alert_id, patient_id, reason) VALUES (\(theirs), \(sbPatient), 'written past the service')"
            )
        }
        #expect(refused?.sqlState == .insufficientPrivilege)
        #expect(try fixture.count("SELECT count(*) AS n FROM eligibility_alert_dismissals") == 0)

        let ours = try #require(seen.first)
        _ = try service.dismiss(ours.alertID, reason: "declined targeted therapy")
        #expect(try fixture.count("SELECT count(*) AS n FROM eligibility_alert_dismissals") == 1)
        #expect(
            try fixture.count(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'eligibility_alert_dismissals'", on: coordinator
            ) == 1)

        #expect(throws: RegistryError.self) { _ = try service.refresh() }
        for table in ["eligibility_states", "eligibility_refresh_queue", "eligibility_targets"] {
            let denied = #expect(throws: PostgresError.self) {
                _ = try coordinator.query(Query(unsafeSQL: "SELECT count(*) FROM \(table)"))
            }
            #expect(denied?.sqlState == .insufficientPrivilege, "\(table)")
        }
        let forged = #expect(throws: PostgresError.self) {
            try coordinator.execute(
                "UPDATE eligibility_alert_dismissals SET reason = 'rewritten' WHERE alert_id = \(ours.alertID)")
        }
        #expect(forged?.sqlState == .insufficientPrivilege)
    }
}
