import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

@Suite("Response summaries filtered by trial and arm")
struct ReportArmTests {
    /// Six leiomyosarcoma patients randomized 2:1 in NCT09000001, each with a trial line of the arm's agent
    /// and an earlier doxorubicin line outside the trial; returns the registry ids by arm code.
    static func randomized(_ fixture: TrialFixture) throws -> [String: Set<String>] {
        _ = try fixture.trials().add(definition: TrialFixture.leiomyosarcomaTrial(capacity: 10))
        var arms: [String: Set<String>] = [:]
        for index in 0..<6 {
            let id = try fixture.patient(mrn: "ARM-\(index)", icdo3: "8890/3")
            let record = try fixture.trials().enroll(id, TrialEnrollmentRequest(trialNCT: "NCT09000001"))
            let agent = record.armCode == "experimental" ? "pazopanib" : "dacarbazine"
            _ = try fixture.registry.treatment.start(
                id,
                TherapyStart(
                    agents: [agent], intent: .palliative, startDate: try CalendarDate(iso: "2026-01-05"),
                    trialNCT: "NCT09000001"))
            arms[record.armCode, default: []].insert(id)
        }
        return arms
    }

    @Test(
        "--trial NCT09000001 --arm control keeps the trial lines of the patients randomized to control, not their lines outside the trial"
    )
    func filterByArm() throws {
        let fixture = try TrialFixture()
        let arms = try Self.randomized(fixture)
        // Blocks of 3 and 6 at 2:1 put both arms among any six patients.
        let control = try #require(arms["control"])
        let experimental = try #require(arms["experimental"])
        let reports = ReportService(connection: fixture.connection)

        for (arm, patients) in [("control", control), ("EXPERIMENTAL", experimental)] {
            let summary = try reports.responseSummary(ReportFilter(trial: "NCT09000001", arm: arm))
            #expect(Set(summary.courses.map(\.registryID)) == patients)
            #expect(summary.courses.allSatisfy { $0.lineNumber == 2 })
            #expect(summary.filters.contains("arm = \(arm.lowercased())"))
        }
        #expect(try reports.responseSummary(ReportFilter(trial: "NCT09000001")).treatedLines == 6)
        #expect(
            try reports.adverseEvents(ReportFilter(trial: "NCT09000001", arm: "control")).treatedPatients
                == control.count)
    }

    @Test(
        "--arm without --trial and an arm the trial does not have are refused naming the option and the value; nothing is written"
    )
    func refusals() throws {
        let fixture = try TrialFixture()
        _ = try Self.randomized(fixture)
        let reports = ReportService(connection: fixture.connection)
        let before = try fixture.counts()
        for (filter, expected) in [
            (ReportFilter(arm: "control"), "arm 'control' needs trial"),
            (
                ReportFilter(trial: "NCT09000001", arm: "placebo"),
                "arm 'placebo' is not an arm of NCT09000001; its arms: experimental, control"
            ),
            (
                ReportFilter(trial: "NCT09999999", arm: "control"),
                "arm 'control': the registry has no arms of trial NCT09999999"
            ),
        ] {
            let error = #expect(throws: ReportError.self) { try reports.responseSummary(filter) }
            #expect(error?.description.hasPrefix(expected) == true, "\(String(describing: error))")
        }
        #expect(try fixture.counts() == before)
    }

    @Test(
        "--signed-only keeps the one trial line whose investigator responses were signed, and none once that signature is void"
    )
    func signedOnly() throws {
        let fixture = try TrialFixture()
        _ = try Self.randomized(fixture)
        let reports = ReportService(connection: fixture.connection)
        let signed = try #require(
            try reports.responseSummary(ReportFilter(trial: "NCT09000001")).courses.first?.registryID)
        // The signature as `response sign` writes it; signing itself is tested under the investigator's login.
        try fixture.connection.execute(
            """
            INSERT INTO response_signatures (patient_id, line_number, evaluator, meaning, content_sha256, signer_name)
            SELECT patient_id, 2, 'investigator', 'reviewed and approved', repeat('a', 64), 'Dr Test' FROM patients WHERE registry_id = \(signed)
            """)
        let summary = try reports.responseSummary(ReportFilter(trial: "NCT09000001", signedOnly: true))
        #expect(summary.courses.map(\.registryID) == [signed])
        #expect(summary.filters.contains("signed by an investigator"))
        #expect(
            try reports.responseSummary(ReportFilter(trial: "NCT09000001", evaluator: "central", signedOnly: true))
                .courses.isEmpty)
        try fixture.connection.execute(
            "UPDATE response_signatures SET voided_at = now(), void_reason = 'changed after signing on 2026-11-27 (test)'"
        )
        #expect(try reports.responseSummary(ReportFilter(trial: "NCT09000001", signedOnly: true)).courses.isEmpty)
    }
}
