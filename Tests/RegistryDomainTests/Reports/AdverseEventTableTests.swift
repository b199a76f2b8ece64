import RegistryDomain
import Testing

@Suite("Adverse-event tables leave out events that cannot have emerged on their line")
struct AdverseEventTableTests {
    /// An event of `registryID` on `line`, dates as YYYY-MM-DD.
    private func event(
        _ registryID: String, line: Int, _ term: String, grade: Int, onset: String, lineStart: String,
        death: String? = nil
    ) throws -> ReportedAdverseEvent {
        ReportedAdverseEvent(
            registryID: registryID, lineNumber: line, term: term, grade: grade, onset: try CalendarDate(iso: onset),
            lineStartedOn: try CalendarDate(iso: lineStart), deathOn: try death.map { try CalendarDate(iso: $0) })
    }

    @Test(
        "MUC-0003 died on 2024-05-01: nausea with onset 2024-08-10 is excluded with its line and reason, fatigue on 2024-03-01 counts, and the patient stays in the denominator"
    )
    func eventAfterDeathIsExcluded() throws {
        let table = AdverseEventTable(
            events: [
                try event(
                    "MUC-0003", line: 1, "Nausea", grade: 2, onset: "2024-08-10", lineStart: "2024-01-15",
                    death: "2024-05-01"),
                try event(
                    "MUC-0003", line: 1, "Fatigue", grade: 1, onset: "2024-03-01", lineStart: "2024-01-15",
                    death: "2024-05-01"),
            ],
            treatedPatients: 2)
        #expect(table.terms.map(\.term) == ["Fatigue"])
        #expect(table.terms.first?.anyGradePercent == 50)
        #expect(table.excludedEvents.map(\.registryID) == ["MUC-0003"])
        #expect(table.excludedEvents.map(\.lineNumber) == [1])
        #expect(
            table.excludedEvents.map(\.reason) == [
                "Nausea grade 2 has its onset on 2024-08-10, after the patient's death on 2024-05-01"
            ])
    }

    @Test(
        "an anemia with onset 2024-01-02 recorded on line 2 started 2024-02-01 is excluded as before the line; a grade 5 event on the death date counts"
    )
    func eventBeforeLineIsExcluded() throws {
        let table = AdverseEventTable(
            events: [
                try event("MUC-0004", line: 2, "Anemia", grade: 3, onset: "2024-01-02", lineStart: "2024-02-01"),
                try event(
                    "MUC-0005", line: 1, "Sepsis", grade: 5, onset: "2024-06-01", lineStart: "2024-02-01",
                    death: "2024-06-01"),
            ],
            treatedPatients: 2)
        #expect(table.terms.map(\.term) == ["Sepsis"])
        #expect(
            table.excludedEvents.map(\.reason) == [
                "Anemia grade 3 has its onset on 2024-01-02, before line 2 started on 2024-02-01"
            ])
    }

    @Test(
        "a stored stratum region=eu of a trial stratified by region (us, non_us) cannot be counted, and says which strata exist; region=us and the unstratified '' can"
    )
    func storedStratumOutsideTheTrial() {
        let factors = [StratificationFactor(code: "region", levels: ["us", "non_us"])]
        #expect(
            StratificationFactor.stratumProblem("region=eu", factors: factors)
                == "its stratum 'region=eu' is not one of the trial's strata (region=us, region=non_us)")
        #expect(StratificationFactor.stratumProblem("region=us", factors: factors) == nil)
        #expect(StratificationFactor.stratumProblem("", factors: factors) == nil)
        #expect(
            StratificationFactor.stratumProblem("region=us", factors: [])
                == "its stratum 'region=us' belongs to no stratification factor: the trial has none")
    }
}
