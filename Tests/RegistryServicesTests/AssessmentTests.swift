import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

extension RegistryFixture {
    var assessments: AssessmentService { AssessmentService(connection: connection, today: today) }
    var responses: ResponseService { ResponseService(connection: connection) }

    /// Row counts of the clinical tables and the assessment tables.
    func assessmentCounts() throws -> [String: Int] {
        var result = try counts()
        for table in ["lesions", "assessments", "assessment_results", "trial_response_policies"] {
            result[table] = try connection.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode(
                Int.self, "n")
        }
        return result
    }

    /// A patient on first-line doxorubicin from 2024-01-08 with an investigator baseline of 2024-01-05:
    /// T1 liver 42 mm, T2 liver 30 mm, N1 retroperitoneal node 20 mm short axis (sum 92 mm), NT1 bone.
    func patientWithBaseline(mrn: String, trial: String? = nil) throws -> String {
        let id = try enroll(mrn: mrn).registryID
        _ = try treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative, startDate: try CalendarDate(iso: "2024-01-08"),
                trialNCT: trial))
        for lesion in [
            LesionSubmission(
                lesion: "T1", lesionClass: .target, organ: "liver", method: .ct, diameter: Millimetres(42),
                date: try CalendarDate(iso: "2024-01-05")),
            LesionSubmission(
                lesion: "T2", lesionClass: .target, organ: "liver", method: .ct, diameter: Millimetres(30),
                date: try CalendarDate(iso: "2024-01-05")),
            LesionSubmission(
                lesion: "N1", lesionClass: .target, organ: "retroperitoneum", isLymphNode: true, method: .ct,
                diameter: Millimetres(20),
                date: try CalendarDate(iso: "2024-01-05")),
            LesionSubmission(
                lesion: "NT1", lesionClass: .nonTarget, organ: "bone", method: .mri,
                date: try CalendarDate(iso: "2024-01-05")),
        ] {
            _ = try assessments.addLesion(id, lesion)
        }
        return id
    }

    @discardableResult
    func record(
        _ id: String, _ date: String, evaluator: Evaluator = .investigator, _ results: [String: String]
    ) throws
        -> RecordedAssessment
    {
        try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: date), evaluator: evaluator,
                results: results.sorted { $0.key < $1.key }.map {
                    try LesionResultEntry.parse(lesion: $0.key, value: $0.value)
                }))
    }
}

/// The refusal `body` throws, or nil when it did not refuse; any other error fails the test.
private func refusal(_ body: () throws -> Void) throws -> AssessmentError? {
    do {
        try body()
        return nil
    } catch let error as AssessmentError {
        return error
    }
}

@Suite("Tumor assessments recorded through the services and scored by the RECIST engine")
struct AssessmentTests {
    @Test(
        "a patient shrinking to a PR on 2024-04-01, confirmed 42 days later, then growing 22 mm over the 36 mm nadir: BOR PR, confirmed PR, PD on 2024-06-24"
    )
    func responseThenProgression() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-1")
        // 30 + 22 + 14 = 66 mm, 71.7 % of 92: not yet PR.
        try fixture.record(id, "2024-02-19", ["T1": "30", "T2": "22", "N1": "14", "NT1": "present"])
        // 24 + 16 + 12 = 52 mm, 56.5 % of 92: PR.
        let pr = try fixture.record(id, "2024-04-01", ["T1": "24", "T2": "16", "N1": "12", "NT1": "present"])
        #expect(pr.evaluation.overall == .partialResponse)
        // 22 + 5 (too small to measure) + 9 = 36 mm: PR again, 42 days later.
        try fixture.record(id, "2024-05-13", ["T1": "22", "T2": "too-small", "N1": "9", "NT1": "present"])
        // 30 + 18 + 10 = 58 mm: +22 mm and +61.1 % over the 36 mm nadir.
        try fixture.record(id, "2024-06-24", ["T1": "30", "T2": "18", "N1": "10", "NT1": "present"])

        let response = try fixture.responses.response(id)
        let series = response.series
        #expect(
            series.evaluations.map(\.overall) == [
                .stableDisease, .partialResponse, .partialResponse, .progressiveDisease,
            ])
        #expect(series.evaluations[2].sumOfDiameters == Millimetres(22 + 5 + 9), "too small to measure counts as 5 mm")
        #expect(series.bestOverallResponse.unconfirmed.response == .partialResponse)
        #expect(series.bestOverallResponse.confirmed.response == .partialResponse)
        #expect(series.bestOverallResponse.confirmed.date == CalendarDate(year: 2024, month: 4, day: 1))
        #expect(series.progression.firstProgression == CalendarDate(year: 2024, month: 6, day: 24))
        #expect(series.evaluations[3].rule.description.contains("sum 58 mm >= 1.2 x nadir 36 mm and +22 mm"))
        #expect(response.lineNumber == 1)
        #expect(response.baseline.sumOfDiameters == Millimetres(92))
    }

    @Test("an independent reader's baseline and series are scored apart from the investigator's")
    func evaluatorsAreSeparate() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-2")
        _ = try fixture.assessments.addLesion(
            id,
            LesionSubmission(
                lesion: "C1", lesionClass: .target, organ: "liver", method: .ct, diameter: Millimetres(40),
                date: try CalendarDate(iso: "2024-01-06"),
                evaluator: "central"))
        try fixture.record(id, "2024-04-01", ["T1": "24", "T2": "16", "N1": "12", "NT1": "present"])
        try fixture.record(id, "2024-04-01", evaluator: "central", ["C1": "38"])

        let investigator = try fixture.responses.response(id, evaluator: "investigator").series
        let central = try fixture.responses.response(id, evaluator: "central").series
        #expect(investigator.evaluations.map(\.overall) == [.partialResponse])
        #expect(central.evaluations.map(\.overall) == [.stableDisease])
        #expect(central.bestOverallResponse.unconfirmed.response == .stableDisease)
        #expect(central.evaluations[0].baselineSum == Millimetres(40))

        let before = try fixture.assessmentCounts()
        let crossed = try refusal {
            _ = try fixture.assessments.record(
                id,
                AssessmentSubmission(
                    date: try CalendarDate(iso: "2024-05-13"),
                    results: [
                        try LesionResultEntry.parse(
                            lesion: "C1",
                            value: "30")
                    ]))
        }
        #expect(crossed?.description.contains("lesion C1") == true, "\(String(describing: crossed))")
        #expect(try fixture.assessmentCounts() == before)
    }

    @Test(
        "a bad result refuses the whole time point, names the lesion and the value, and writes nothing",
        arguments: [
            (["T9": "20", "T1": "24"], ["T9"]),
            (["T1": "-4", "T2": "16"], ["T1", "-4"]),
            (["T1": "1500", "T2": "16"], ["T1", "1500"]),
            (["T1": "24", "NT1": "25"], ["NT1", "as target", "non-target lesion"]),
            (["T1": "present"], ["T1", "as non-target", "target lesion"]),
        ])
    func badResultRefused(results: [String: String], named: [String]) throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-3")
        try fixture.record(id, "2024-02-19", ["T1": "30", "T2": "22", "N1": "14", "NT1": "present"])
        let before = try fixture.assessmentCounts()
        let error = try refusal { try fixture.record(id, "2024-04-01", results) }
        let message = try #require(error).description
        for text in named { #expect(message.contains(text), "\(message)") }
        #expect(try fixture.assessmentCounts() == before)
    }

    @Test("an assessment dated 2024-01-02, before the 2024-01-05 baseline, is refused and writes nothing")
    func beforeBaseline() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-4")
        let before = try fixture.assessmentCounts()
        let error = try refusal { try fixture.record(id, "2024-01-02", ["T1": "40"]) }
        guard case .recist(.assessmentBeforeBaseline(let date, let baseline)) = try #require(error) else {
            Issue.record("expected assessmentBeforeBaseline, got \(String(describing: error))")
            return
        }
        #expect(date == CalendarDate(year: 2024, month: 1, day: 2))
        #expect(baseline == CalendarDate(year: 2024, month: 1, day: 5))
        #expect(try fixture.assessmentCounts() == before)
    }

    @Test(
        "a third target in the liver, a sixth target, and a changed class at baseline are refused by name and write nothing"
    )
    func baselineLimits() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-5")
        var before = try fixture.assessmentCounts()
        let third = try refusal {
            _ = try fixture.assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "T3", lesionClass: .target, organ: "Liver", method: .ct, diameter: Millimetres(25),
                    date: try CalendarDate(iso: "2024-01-05")))
        }
        let thirdMessage = try #require(third).description
        #expect(thirdMessage.contains("T3") && thirdMessage.contains("liver"), "\(thirdMessage)")
        #expect(try fixture.assessmentCounts() == before)

        for (lesion, organ) in [("T4", "lung"), ("T5", "peritoneum")] as [(LesionID, String)] {
            _ = try fixture.assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: lesion, lesionClass: .target, organ: organ, method: .ct, diameter: Millimetres(25),
                    date: try CalendarDate(iso: "2024-01-05")))
        }
        before = try fixture.assessmentCounts()
        let sixth = try refusal {
            _ = try fixture.assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "T6", lesionClass: .target, organ: "spleen", method: .ct, diameter: Millimetres(25),
                    date: try CalendarDate(iso: "2024-01-05")))
        }
        guard case .recist(.tooManyTargets(let lesion, let limit)) = try #require(sixth) else {
            Issue.record("expected tooManyTargets, got \(String(describing: sixth))")
            return
        }
        #expect(lesion == "T6" && limit == 5)
        #expect(sixth?.description.contains("T6") == true)

        let changed = try refusal {
            _ = try fixture.assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "NT1", lesionClass: .target, organ: "bone", method: .mri, diameter: Millimetres(30),
                    date: try CalendarDate(iso: "2024-01-05")))
        }
        #expect(changed?.description.contains("NT1") == true, "\(String(describing: changed))")
        #expect(try fixture.assessmentCounts() == before)
    }

    @Test("a target of 8 mm, a negative baseline diameter and a baseline lesion added after a follow-up are refused")
    func baselineValues() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-6")
        let before = try fixture.assessmentCounts()
        for (diameter, named) in [
            (Millimetres(8), "8 mm"), (Millimetres(-12), "-12 mm"), (Millimetres(1200), "1200 mm"),
        ] {
            let error = try refusal {
                _ = try fixture.assessments.addLesion(
                    id,
                    LesionSubmission(
                        lesion: "T7", lesionClass: .target, organ: "lung", method: .ct, diameter: diameter,
                        date: try CalendarDate(iso: "2024-01-05")))
            }
            let message = try #require(error).description
            #expect(message.contains("T7") && message.contains(named), "\(message)")
        }
        #expect(try fixture.assessmentCounts() == before)

        try fixture.record(id, "2024-02-19", ["T1": "30", "T2": "22", "N1": "14", "NT1": "present"])
        let late = try refusal {
            _ = try fixture.assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "T7", lesionClass: .target, organ: "lung", method: .ct, diameter: Millimetres(20),
                    date: try CalendarDate(iso: "2024-01-05")
                ))
        }
        guard case .baselineClosed(let lesion, _, let first) = try #require(late) else {
            Issue.record("expected baselineClosed, got \(String(describing: late))")
            return
        }
        #expect(lesion == "T7" && first == CalendarDate(year: 2024, month: 2, day: 19))
    }

    @Test("an equivocal new lesion confirmed on the next scan dates progression back to its first appearance")
    func equivocalNewLesion() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.patientWithBaseline(mrn: "A-7")
        try fixture.record(
            id, "2024-02-19", ["T1": "40", "T2": "30", "N1": "20", "NT1": "present", "NEW1": "equivocal"])
        try fixture.record(
            id, "2024-04-01", ["T1": "40", "T2": "30", "N1": "20", "NT1": "present", "NEW1": "unequivocal"])
        let series = try fixture.responses.response(id).series
        #expect(series.progression.firstProgression == CalendarDate(year: 2024, month: 2, day: 19))
        let newLesions = try fixture.connection.query(
            "SELECT count(*) AS n FROM lesions WHERE label = 'NEW1' AND lesion_class = 'new'")
        #expect(try newLesions[0].decode(Int.self, "n") == 1, "one lesion row, reported at two time points")
    }

    @Test("a trial that does not require confirmation makes a single early PR the primary best response")
    func trialPolicy() throws {
        let fixture = try RegistryFixture()
        let trial = "NCT01234567"
        #expect(try fixture.responses.policy(trial: trial) == .recistDefault)
        try fixture.responses.setPolicy(trial: trial, ResponsePolicy(confirmationRequired: false))
        let id = try fixture.patientWithBaseline(mrn: "A-8", trial: trial)
        try fixture.record(id, "2024-02-19", ["T1": "24", "T2": "16", "N1": "12", "NT1": "present"])
        let response = try fixture.responses.response(id)
        #expect(response.trialNCT == trial)
        #expect(response.series.bestOverallResponse.primary.response == .partialResponse)
        #expect(
            response.series.bestOverallResponse.confirmed.response == .stableDisease,
            "an unconfirmed PR on day 42 counts as SD")
    }
}
