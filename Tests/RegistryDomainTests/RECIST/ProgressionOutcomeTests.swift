import Testing

import RegistryDomain

@Suite("RECIST progression date, PFS and duration of response inputs; refused input")
struct ProgressionOutcomeTests {
    private let day = RecistScenario.day

    @Test("rule: an equivocal new liver lesion on day 56 confirmed on day 112 dates progression back to day 56")
    func equivocalNewLesionBackdatesProgression() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(55)), .new("NEW1", .equivocal)])
        scenario.assess(day: 84, [.target("T1", Millimetres(55)), .new("NEW1", .equivocal)])
        scenario.assess(day: 112, [.target("T1", Millimetres(55)), .new("NEW1", .unequivocal)])
        let series = try scenario.series()
        #expect(series.evaluations.map(\.overall) == [.progressiveDisease, .stableDisease, .progressiveDisease])
        #expect(series.evaluations[0].rule == .equivocalNewLesionConfirmed("NEW1", confirmedOn: day(112)))
        #expect(series.evaluations.map(\.isAfterProgression) == [false, true, true])
        #expect(series.progression.firstProgression == day(56))
        #expect(series.progression.progressionFreeSurvival == .event(day(56)))
        #expect(series.progression.progressionFreeSurvivalDays == 56)
        #expect(series.bestOverallResponse.confirmed.response == .progressiveDisease)
    }

    @Test(
        "rule: the first PD says how it was found: a new lesion (also an equivocal one confirmed later), target growth from a nadir below baseline, non-target progression, disease seen again after a CR; none without PD",
        arguments: [
            (
                [[LesionResult.target("T1", Millimetres(55)), .nonTarget("N1", .present), .new("NEW1", .unequivocal)]],
                ProgressionBasis.newLesion
            ),
            (
                [
                    [.target("T1", Millimetres(55)), .nonTarget("N1", .present), .new("NEW1", .equivocal)],
                    [.target("T1", Millimetres(55)), .nonTarget("N1", .present), .new("NEW1", .unequivocal)],
                ], .newLesion
            ),
            // 40 mm on day 56, then 48 mm: +20% and +8 mm from the nadir, -20% from the 60 mm baseline.
            (
                [
                    [.target("T1", Millimetres(40)), .nonTarget("N1", .present)],
                    [.target("T1", Millimetres(48)), .nonTarget("N1", .present)],
                ], .targetGrowthFromNadir
            ),
            ([[.target("T1", Millimetres(55)), .nonTarget("N1", .unequivocalProgression)]], .nonTarget),
            (
                [
                    [.target("T1", .disappeared), .nonTarget("N1", .absent)],
                    [.target("T1", Millimetres(4)), .nonTarget("N1", .absent)],
                ], .reappearanceAfterCompleteResponse
            ),
            ([[.target("T1", Millimetres(55)), .nonTarget("N1", .present)]], nil),
        ] as [([[LesionResult]], ProgressionBasis?)])
    func progressionBasis(_ scans: [[LesionResult]], _ basis: ProgressionBasis?) throws {
        var scenario = try RecistScenario(targetDiameters: [60], nonTargets: ["N1"])
        for (index, results) in scans.enumerated() { scenario.assess(day: 56 * (index + 1), results) }
        #expect(try scenario.series().progression.firstProgressionBasis == basis)
    }

    @Test("rule: an equivocal new lesion never confirmed does not make progression (SD on days 56 and 84)")
    func equivocalNeverConfirmed() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(55)), .new("NEW1", .equivocal)])
        scenario.assess(day: 84, [.target("T1", Millimetres(55))])
        let series = try scenario.series()
        #expect(series.progression.firstProgression == nil)
        #expect(series.progression.progressionFreeSurvival == .censored(day(84)))
    }

    @Test("rule: without progression PFS is censored at the last adequate assessment (SD day 56, NE day 112 -> day 56)")
    func censoredAtLastAdequate() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(55))])
        scenario.assess(day: 112, [.target("T1", .notDone)])
        let outcome = try scenario.series().progression
        #expect(outcome.lastAdequateAssessment == day(56))
        #expect(outcome.progressionFreeSurvival == .censored(day(56)))
        #expect(outcome.durationOfResponse == nil)
    }

    @Test("rule: with only NE assessments PFS is censored at the start of therapy and the BOR is NE")
    func onlyNotEvaluable() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", .notDone)])
        let series = try scenario.series()
        #expect(series.progression.progressionFreeSurvival == .censored(RecistScenario.therapyStart))
        #expect(series.progression.progressionFreeSurvivalDays == 0)
        #expect(series.bestOverallResponse.confirmed.response == .notEvaluable)
        let empty = try ResponseAssessment.evaluate(
            baseline: scenario.baseline, timePoints: [], therapyStart: RecistScenario.therapyStart)
        #expect(empty.series.isEmpty)
    }

    @Test("rule: duration of response runs from the first PR (day 56) to PD (day 140): 84 days, an event")
    func durationOfResponse() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(40))])
        scenario.assess(day: 84, [.target("T1", Millimetres(36))])
        scenario.assess(day: 140, [.target("T1", Millimetres(45))])
        let outcome = try scenario.series().progression
        #expect(outcome.firstProgression == day(140))
        #expect(outcome.durationOfResponse == DurationOfResponse(start: day(56), end: .event(day(140))))
        #expect(outcome.durationOfResponse?.days == 84)
    }

    @Test(
        "rule: an unconfirmed PR has no duration of response when confirmation is required, but has one when it is not")
    func durationNeedsConfirmation() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(40))])
        scenario.assess(day: 84, [.target("T1", Millimetres(45))])
        #expect(try scenario.series().progression.durationOfResponse == nil)
        scenario.policy.confirmationRequired = false
        #expect(
            try scenario.series().progression.durationOfResponse
                == DurationOfResponse(start: day(56), end: .censored(day(84))))
    }

    @Test("rule: nadir and best response are kept per evaluator (investigator PR, central reader SD)")
    func perEvaluator() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        let central: Evaluator = "central reader 1"
        scenario.assess(day: 56, [.target("T1", Millimetres(40))])
        scenario.assess(day: 56, [.target("T1", Millimetres(50))], by: central)
        scenario.assess(day: 84, [.target("T1", Millimetres(40))])
        scenario.assess(day: 84, [.target("T1", Millimetres(60))], by: central)
        #expect(try scenario.series().bestOverallResponse.confirmed.response == .partialResponse)
        let centralSeries = try scenario.series(central)
        #expect(centralSeries.evaluations[1].nadir == Millimetres(50))
        #expect(centralSeries.evaluations.map(\.overall) == [.stableDisease, .progressiveDisease])
    }

    // MARK: Refused input

    private func refuse(_ results: [LesionResult], day offset: Int = 56) throws -> RecistInputError? {
        var scenario = try RecistScenario(targetDiameters: [60], nonTargets: ["NT1"])
        scenario.assess(day: offset, results)
        do {
            _ = try scenario.series()
            return nil
        } catch let error as RecistInputError {
            return error
        }
    }

    @Test("input: a measurement for an unknown lesion T9 is refused")
    func unknownLesion() throws {
        let error = try refuse([.target("T1", Millimetres(40)), .target("T9", Millimetres(12))])
        #expect(error == .unknownLesion("T9", date: day(56)))
        #expect(error?.description.contains("T9") == true)
    }

    @Test("input: a negative diameter (-4 mm) and an absurd one (1200 mm) are refused with lesion and value")
    func implausibleSizes() throws {
        #expect(try refuse([.target("T1", Millimetres(-4))]) == .negativeDiameter("T1", Millimetres(-4), date: day(56)))
        let absurd = try refuse([.target("T1", Millimetres(1200))])
        #expect(absurd == .implausibleDiameter("T1", Millimetres(1200), date: day(56)))
        #expect(absurd?.description.contains("T1") == true && absurd?.description.contains("1200 mm") == true)
    }

    @Test("input: a lesion's class cannot change after baseline (target T1 as non-target, NT1 as new, T1 as new)")
    func classChanged() throws {
        #expect(
            try refuse([.nonTarget("T1", .present)])
                == .lesionClassChanged("T1", baseline: .target, reported: .nonTarget, date: day(56)))
        #expect(
            try refuse([.new("NT1", .unequivocal)])
                == .lesionClassChanged("NT1", baseline: .nonTarget, reported: .new, date: day(56)))
        #expect(
            try refuse([.target("NT1", Millimetres(20))])
                == .lesionClassChanged("NT1", baseline: .nonTarget, reported: .target, date: day(56)))
    }

    @Test("input: an assessment dated before the baseline scan is refused, and so is a lesion reported twice")
    func beforeBaselineAndDuplicates() throws {
        #expect(
            try refuse([.target("T1", Millimetres(40))], day: -10)
                == .assessmentBeforeBaseline(date: day(-10), baseline: day(-4)))
        #expect(
            try refuse([.target("T1", Millimetres(40)), .target("T1", Millimetres(41))])
                == .duplicateResult("T1", date: day(56)))
    }

    @Test("input: one bad time point refuses the whole assessment, and two time points on one day are refused")
    func wholeAssessmentRefused() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(40))])
        scenario.assess(day: 84, [.target("T1", Millimetres(-1))])
        #expect(throws: RecistInputError.negativeDiameter("T1", Millimetres(-1), date: day(84))) {
            try scenario.series()
        }
        var twice = try RecistScenario(targetDiameters: [60])
        twice.assess(day: 56, [.target("T1", Millimetres(40))])
        twice.assess(day: 56, [.target("T1", Millimetres(41))])
        #expect(throws: RecistInputError.duplicateTimePoint(date: day(56), evaluator: .investigator)) {
            try twice.series()
        }
    }
}
