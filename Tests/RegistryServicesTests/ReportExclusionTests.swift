import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

extension RegistryFixture {
    /// Writes a baseline diameter straight into the database, past the services' checks, as an older
    /// version or a hand-made correction could have left it.
    func overwriteBaseline(_ registryID: String, lesion: String, diameter: String) throws {
        let changed = try connection.run(
            """
            UPDATE assessment_results r SET diameter_mm = \(diameter)::numeric
            FROM assessments a, lesions l, patients p
            WHERE r.assessment_id = a.assessment_id AND a.is_baseline AND r.lesion_id = l.lesion_id AND l.label = \(lesion)
                AND l.patient_id = p.patient_id AND p.registry_id = \(registryID)
            """)
        precondition(changed == 1, "no baseline result of \(registryID) \(lesion) to overwrite")
    }
}

@Suite("A response report never fails for one record: refused series are excluded and listed")
struct ReportExclusionTests {
    @Test(
        "a patient whose stored baseline has a 12 mm target node is listed as excluded with the engine's reason; the other 5 are counted"
    )
    func refusedBaselineExcluded() throws {
        let fixture = try RegistryFixture()
        _ = try fixture.sixResponders()
        // MUC-0002 is the confirmed CR; N1 is a target node, which needs a 15 mm short axis at baseline.
        try fixture.overwriteBaseline("MUC-0002", lesion: "N1", diameter: "12")

        let summary = try fixture.reports.responseSummary(ReportFilter())

        #expect(summary.treatedLines == 6)
        #expect(summary.treatedPatients == 6)
        #expect(summary.evaluableLines == 5)
        #expect(summary.excludedLines.map(\.registryID) == ["MUC-0002"])
        let excluded = try #require(summary.excludedLines.first)
        #expect(excluded.lineNumber == 1 && excluded.evaluator == "investigator")
        #expect(excluded.reason == RecistInputError.nodeTooSmallForTarget("N1", shortAxis: Millimetres(12)).description)
        // Without the CR: PR confirmed of MUC-0001 only, over 5 evaluable lines.
        let confirmed = Dictionary(uniqueKeysWithValues: summary.bestResponses.map { ($0.response, $0.confirmed) })
        #expect(confirmed[.completeResponse] == 0 && confirmed[.partialResponse] == 1)
        let orr = try #require(summary.objectiveResponse.confirmed)
        #expect(orr.count == 1 && orr.total == 5)
        #expect(summary.diseaseControl.confirmed?.total == 5)
        // Treated, so in OS; not evaluable, so not in PFS.
        #expect(summary.endpoints.first { $0.endpoint == .overallSurvival }?.lines == 6)
        #expect(summary.endpoints.first { $0.endpoint == .progressionFreeSurvival }?.lines == 5)
        #expect(summary.courses.first { $0.registryID == "MUC-0002" }?.evaluable == false)
        #expect(summary.populationRule.contains("listed as excluded with the engine's reason"))
    }

    @Test(
        "a follow-up of MUC-0004 moved before its baseline scan by SQL excludes that line with the engine's reason, and the 2024-01-05 baseline of the others still scores"
    )
    func refusedFollowUpExcluded() throws {
        let fixture = try RegistryFixture()
        _ = try fixture.sixResponders()
        let moved = try fixture.connection.run(
            """
            UPDATE assessments a SET assessed_on = DATE '2024-01-02' FROM patients p
            WHERE a.patient_id = p.patient_id AND p.registry_id = 'MUC-0004' AND NOT a.is_baseline
            """)
        try #require(moved == 1)

        let summary = try fixture.reports.responseSummary(ReportFilter())

        #expect(summary.treatedLines == 6 && summary.evaluableLines == 5)
        let excluded = try #require(summary.excludedLines.first)
        #expect(summary.excludedLines.count == 1)
        #expect(excluded.registryID == "MUC-0004")
        #expect(excluded.reason.contains("2024-01-02 is before the baseline scan of 2024-01-05"))
        // MUC-0004 was the only confirmed PD.
        #expect(summary.bestResponses.first { $0.response == .progressiveDisease }?.confirmed == 0)
        #expect(summary.objectiveResponse.confirmed?.count == 2 && summary.objectiveResponse.confirmed?.total == 5)
    }
}
