import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

extension RegistryFixture {
    var reports: ReportService { ReportService(connection: connection) }

    /// Six patients on first-line doxorubicin from 2024-01-08 (baseline sum 92 mm), with known best responses:
    /// MUC-0001 confirmed PR then PD on day 168, MUC-0002 confirmed CR (last scan day 84), MUC-0003 SD (day 53),
    /// MUC-0004 PD on day 42, MUC-0005 PR never confirmed then PD on day 84, MUC-0006 NE (T1 not measured).
    func sixResponders() throws -> [String] {
        var ids: [String] = []
        for number in 1...6 { ids.append(try patientWithBaseline(mrn: "R-\(number)")) }
        let present = ["NT1": "present"]
        try record(ids[0], "2024-02-19", present.merging(["T1": "30", "T2": "22", "N1": "14"]) { $1 })
        try record(ids[0], "2024-04-01", present.merging(["T1": "24", "T2": "16", "N1": "12"]) { $1 })
        try record(ids[0], "2024-05-13", present.merging(["T1": "22", "T2": "too-small", "N1": "9"]) { $1 })
        try record(ids[0], "2024-06-24", present.merging(["T1": "30", "T2": "20", "N1": "9"]) { $1 })
        let complete = ["T1": "disappeared", "T2": "disappeared", "N1": "8", "NT1": "absent"]
        try record(ids[1], "2024-02-19", complete)
        try record(ids[1], "2024-04-01", complete)
        try record(ids[2], "2024-03-01", present.merging(["T1": "40", "T2": "28", "N1": "19"]) { $1 })
        try record(ids[3], "2024-02-19", present.merging(["T1": "55", "T2": "40", "N1": "20"]) { $1 })
        try record(ids[4], "2024-02-19", present.merging(["T1": "24", "T2": "16", "N1": "12"]) { $1 })
        try record(ids[4], "2024-04-01", present.merging(["T1": "40", "T2": "30", "N1": "20"]) { $1 })
        try record(ids[5], "2024-02-19", present.merging(["T1": "not-done", "T2": "30", "N1": "20"]) { $1 })
        return ids
    }
}

@Suite("Response and adverse-event reports over a registry built through the services")
struct ReportTests {
    @Test(
        "six evaluable patients with one CR and one PR confirmed: BOR counts, ORR 2/6 with its exact 4.3-77.7% interval, median PFS 168 days"
    )
    func responseSummary() throws {
        let fixture = try RegistryFixture()
        _ = try fixture.sixResponders()
        let summary = try fixture.reports.responseSummary(ReportFilter())

        #expect(summary.treatedLines == 6)
        #expect(summary.treatedPatients == 6)
        #expect(summary.evaluableLines == 6)
        let confirmed = Dictionary(uniqueKeysWithValues: summary.bestResponses.map { ($0.response, $0.confirmed) })
        let unconfirmed = Dictionary(uniqueKeysWithValues: summary.bestResponses.map { ($0.response, $0.unconfirmed) })
        #expect(
            confirmed == [
                .completeResponse: 1, .partialResponse: 1, .stableDisease: 2, .nonCompleteNonProgression: 0,
                .progressiveDisease: 1, .notEvaluable: 1,
            ])
        #expect(unconfirmed[.partialResponse] == 2)
        #expect(unconfirmed[.stableDisease] == 1)

        let orr = try #require(summary.objectiveResponse.confirmed)
        #expect(orr.count == 2 && orr.total == 6)
        // scipy.stats.beta.ppf(0.025, 2, 5) and beta.ppf(0.975, 3, 4).
        #expect(abs(orr.lower - 0.043271868292741676) < 1e-9)
        #expect(abs(orr.upper - 0.7772219044964879) < 1e-9)
        #expect(summary.objectiveResponse.unconfirmed?.count == 3)
        #expect(summary.diseaseControl.confirmed?.count == 4)

        // PFS in days: 0 censored (NE only), 42 PD, 53 censored, 84 PD and 84 censored, 168 PD.
        // S = 4/5 after day 42, 4/5 x 2/3 = 0.53 after day 84, 0 at day 168: the median is day 168.
        let pfs = try #require(summary.endpoints.first { $0.endpoint == .progressionFreeSurvival })
        #expect(pfs.lines == 6 && pfs.events == 3)
        let median = try #require(pfs.medianMonths)
        #expect(abs(median * daysPerMonth - 168) < 1e-9)
        let dor = try #require(summary.endpoints.first { $0.endpoint == .durationOfResponse })
        #expect(dor.lines == 2 && dor.events == 1)
        let os = try #require(summary.endpoints.first { $0.endpoint == .overallSurvival })
        #expect(os.lines == 6 && os.events == 0 && os.medianMonths == nil)
        #expect(pfs.atRisk.first?.count == 6)

        let waterfall = summary.courses.filter { $0.bestPercentChange != nil }
        // MUC-0006 never had every target measured, so it has no bar.
        #expect(waterfall.count == 5)
        // The CR keeps node N1's 8 mm short axis in the sum: (8 - 92) / 92 = -91.3 %.
        #expect(summary.courses.first { $0.registryID == "MUC-0002" }?.bestPercentChange == -91.3)
    }

    @Test("a line without a follow-up is treated but not evaluable, and counts in OS but not in the ORR denominator")
    func notEvaluable() throws {
        let fixture = try RegistryFixture()
        _ = try fixture.sixResponders()
        let id = try fixture.enroll(mrn: "R-7").registryID
        _ = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-02-01")))
        let summary = try fixture.reports.responseSummary(ReportFilter())
        #expect(summary.treatedLines == 7)
        #expect(summary.evaluableLines == 6)
        #expect(summary.objectiveResponse.confirmed?.total == 6)
        #expect(summary.endpoints.first { $0.endpoint == .overallSurvival }?.lines == 7)
    }

    @Test(
        "agent, histology entity, biomarker and site filters each narrow the population to the matching patients; an agent by its brand (Adriamycin) and a gene in any case (ss18) too"
    )
    func filters() throws {
        let fixture = try RegistryFixture(sites: [("MUC", "Munich Sarcoma Center"), ("BER", "Berlin Sarcoma Center")])
        let ids = try fixture.sixResponders()
        let other = try fixture.enroll(mrn: "R-8", site: "BER").registryID
        _ = try fixture.treatment.start(
            other,
            TherapyStart(
                agents: ["eribulin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-02-01")))
        for id in ids.prefix(2) {
            _ = try fixture.diagnostics.recordDiagnosis(
                id,
                DiagnosisSubmission(
                    icdo3Code: try HistologyCode("9040/3"), icdoVersion: .v3_2, primarySite: "thigh",
                    diagnosed: try PartialDate(iso: "2023-11"), diseaseSetting: .metastatic))
        }
        _ = try fixture.diagnostics.recordDiagnosis(
            ids[2],
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8890/3"), icdoVersion: .v3_2, primarySite: "uterus",
                diagnosed: try PartialDate(iso: "2023-10"), diseaseSetting: .metastatic))
        _ = try fixture.diagnostics.recordMolecular(
            ids[0],
            MolecularSubmission(
                gene: "SS18", alterationKind: .fusion, partnerGene: "SSX1", method: .fish, result: .positive,
                reportDate: try CalendarDate(iso: "2023-12-01")))
        _ = try fixture.diagnostics.recordMolecular(
            ids[1],
            MolecularSubmission(
                gene: "SS18", alterationKind: .fusion, partnerGene: "SSX2", method: .fish, result: .negative,
                reportDate: try CalendarDate(iso: "2023-12-01")))

        func population(_ filter: ReportFilter) throws -> Set<String> {
            Set(try fixture.reports.responseSummary(filter).courses.map(\.registryID))
        }
        #expect(try population(ReportFilter()).count == 7)
        #expect(try population(ReportFilter(agent: "eribulin")) == [other])
        #expect(try population(ReportFilter(agent: "doxorubicin")) == Set(ids))
        #expect(try population(ReportFilter(agent: "Adriamycin")) == Set(ids))
        #expect(try population(ReportFilter(histology: "synovial sarcoma nos")) == Set(ids.prefix(2)))
        #expect(try population(ReportFilter(histology: "8890/3")) == [ids[2]])
        // The partner gene counts for a fusion; a negative result does not.
        #expect(try population(ReportFilter(biomarker: BiomarkerFilter(gene: "SSX1", kind: .fusion))) == [ids[0]])
        #expect(try population(ReportFilter(biomarker: BiomarkerFilter(gene: "SS18", kind: .fusion))) == [ids[0]])
        #expect(try population(ReportFilter(biomarker: BiomarkerFilter(gene: "SS18", kind: .amplification))).isEmpty)
        #expect(
            try population(ReportFilter(biomarker: try BiomarkerFilter.parse("ss18:fusion", field: .biomarker))) == [
                ids[0]
            ])
        #expect(try population(ReportFilter(site: "BER")) == [other])
        #expect(try population(ReportFilter(agent: "doxorubicin", site: "BER")).isEmpty)
    }

    @Test(
        "an unknown agent, gene or site in a filter is refused naming the field and value, not reported as empty; a gene alias names its symbol"
    )
    func unknownFilterValues() throws {
        let fixture = try RegistryFixture()
        for (filter, expected) in [
            (ReportFilter(agent: "doxorubicine"), "doxorubicine"),
            (ReportFilter(biomarker: BiomarkerFilter(gene: "NTRK9", kind: .fusion)), "NTRK9"),
            (ReportFilter(site: "XYZ"), "XYZ"),
            (
                ReportFilter(biomarker: BiomarkerFilter(gene: "INI1", kind: .lossOfExpression)),
                "did you mean SMARCB1 (INI1 is its alias)"
            ),
        ] {
            do {
                _ = try fixture.reports.responseSummary(filter)
                Issue.record("\(filter) was not refused")
            } catch {
                #expect(error.description.contains(expected))
            }
        }
    }

    @Test(
        "the AE table counts each patient once per term at the worst grade, and --min-percent 30 at grade 3 keeps only anemia"
    )
    func adverseEvents() throws {
        let fixture = try RegistryFixture()
        let ids = try fixture.sixResponders()
        func event(_ id: String, _ term: String, _ grade: Int, _ onset: String) throws {
            _ = try fixture.treatment.recordAdverseEvent(
                id,
                AdverseEventSubmission(
                    term: term, ctcaeVersion: .v5_0, grade: grade, onset: try CalendarDate(iso: onset),
                    attribution: .possible,
                    lineNumber: 1))
        }
        try event(ids[0], "Anemia", 2, "2024-02-01")
        try event(ids[0], "Anemia", 3, "2024-03-01")
        try event(ids[1], "Anemia", 3, "2024-02-01")
        try event(ids[2], "Fatigue", 1, "2024-02-01")
        try event(ids[3], "Fatigue", 2, "2024-02-01")
        try event(ids[4], "Fatigue", 1, "2024-02-01")
        try event(ids[5], "Neutrophil count decreased", 4, "2024-02-01")

        let all = try fixture.reports.adverseEvents(ReportFilter())
        #expect(all.treatedPatients == 6)
        #expect(all.terms.map(\.term) == ["Fatigue", "Anemia", "Neutrophil count decreased"])
        let anemia = try #require(all.terms.first { $0.term == "Anemia" })
        #expect(anemia.anyGrade == 2 && anemia.grade3OrWorse == 2)
        #expect(abs(anemia.anyGradePercent - 100.0 * 2 / 6) < 1e-9)

        let severe = try fixture.reports.adverseEvents(ReportFilter(), minimumPercent: 30, basis: .grade3OrWorse)
        #expect(severe.terms.map(\.term) == ["Anemia"])
        let common = try fixture.reports.adverseEvents(ReportFilter(), minimumPercent: 30)
        #expect(common.terms.map(\.term) == ["Fatigue", "Anemia"])
    }
}
