import Testing

import RegistryDomain

@Suite("RECIST time-point response: target arithmetic, Tables 1 and 2, edge cases 1-5")
struct TimePointResponseTests {
    /// One 60 mm lung target and one non-target (bone), the shape of most Table 1 rows.
    private func targetAndNonTarget() throws -> RecistScenario {
        try RecistScenario(targetDiameters: [60], nonTargets: ["NT1"])
    }

    private func only(_ scenario: RecistScenario) throws -> TimePointEvaluation {
        let evaluations = try scenario.series().evaluations
        try #require(evaluations.count == 1)
        return evaluations[0]
    }

    // MARK: Table 1

    @Test("Table 1: target CR + non-target CR + no new lesion = CR (lung target gone, bone lesion gone)")
    func table1CompleteComplete() throws {
        var scenario = try targetAndNonTarget()
        scenario.assess(day: 56, [.target("T1", .disappeared), .nonTarget("NT1", .absent)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .completeResponse)
        #expect(evaluation.target?.response == .completeResponse && evaluation.nonTarget?.response == .completeResponse)
    }

    @Test("Table 1: target CR + no non-target at baseline = CR")
    func table1CompleteWithoutNonTargets() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", .disappeared)])
        #expect(try only(scenario).overall == .completeResponse)
    }

    @Test("Table 1: target CR + non-target NON-CR/NON-PD = PR (lung target gone, bone lesion persists)")
    func table1CompleteNonComplete() throws {
        var scenario = try targetAndNonTarget()
        scenario.assess(day: 56, [.target("T1", .disappeared), .nonTarget("NT1", .present)])
        let evaluation = try only(scenario)
        #expect(evaluation.nonTarget?.response == .nonCompleteNonProgression)
        #expect(evaluation.overall == .partialResponse)
    }

    @Test("Table 1: target CR + non-target not evaluated = PR (bone not imaged)")
    func table1CompleteNotEvaluated() throws {
        var scenario = try targetAndNonTarget()
        scenario.assess(day: 56, [.target("T1", .disappeared)])
        let evaluation = try only(scenario)
        #expect(evaluation.nonTarget?.response == .notEvaluable)
        #expect(evaluation.overall == .partialResponse)
    }

    @Test("Table 1: target PR + non-target non-PD or not evaluated = PR (60 -> 40 mm)")
    func table1Partial() throws {
        for nonTarget in [[LesionResult.nonTarget("NT1", .present)], [.nonTarget("NT1", .notEvaluable)], []] {
            var scenario = try targetAndNonTarget()
            scenario.assess(day: 56, [.target("T1", Millimetres(40))] + nonTarget)
            let evaluation = try only(scenario)
            #expect(evaluation.target?.response == .partialResponse)
            #expect(evaluation.overall == .partialResponse)
        }
    }

    @Test("Table 1: target SD + non-target non-PD or not evaluated = SD (60 -> 50 mm)")
    func table1Stable() throws {
        for nonTarget in [[LesionResult.nonTarget("NT1", .present)], []] {
            var scenario = try targetAndNonTarget()
            scenario.assess(day: 56, [.target("T1", Millimetres(50))] + nonTarget)
            let evaluation = try only(scenario)
            #expect(evaluation.target?.response == .stableDisease)
            #expect(evaluation.overall == .stableDisease)
        }
    }

    @Test("Table 1: targets not all evaluated + non-target non-PD = NE (liver target not imaged)")
    func table1TargetsNotEvaluated() throws {
        var scenario = try RecistScenario(targetDiameters: [30, 30], nonTargets: ["NT1"])
        scenario.assess(
            day: 56, [.target("T1", Millimetres(30)), .target("T2", .notDone), .nonTarget("NT1", .present)])
        let evaluation = try only(scenario)
        #expect(evaluation.target?.response == .notEvaluable)
        #expect(evaluation.overall == .notEvaluable)
    }

    @Test("Table 1: target PD + any non-target = PD (60 -> 75 mm, bone lesion gone)")
    func table1TargetProgression() throws {
        var scenario = try targetAndNonTarget()
        scenario.assess(day: 56, [.target("T1", Millimetres(75)), .nonTarget("NT1", .absent)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .progressiveDisease)
        #expect(evaluation.rule == .targetProgression(.progression(sum: Millimetres(75), nadir: Millimetres(60))))
    }

    @Test("Table 1: any target + non-target PD = PD (target shrank to PR, bone lesion progressed unequivocally)")
    func table1NonTargetProgression() throws {
        var scenario = try targetAndNonTarget()
        scenario.assess(day: 56, [.target("T1", Millimetres(30)), .nonTarget("NT1", .unequivocalProgression)])
        let evaluation = try only(scenario)
        #expect(evaluation.target?.response == .partialResponse)
        #expect(evaluation.overall == .progressiveDisease)
        #expect(evaluation.rule == .nonTargetProgression(.progression("NT1")))
    }

    @Test("Table 1: any target + unequivocal new lesion = PD (target CR, new liver lesion)")
    func table1NewLesion() throws {
        var scenario = try targetAndNonTarget()
        scenario.assess(
            day: 56, [.target("T1", .disappeared), .nonTarget("NT1", .absent), .new("NEW1", .unequivocal)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .progressiveDisease)
        #expect(evaluation.rule == .unequivocalNewLesion("NEW1"))
    }

    @Test("rule: an equivocal new lesion alone does not change the time point (target PR stays PR)")
    func equivocalNewLesionContinues() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(40)), .new("NEW1", .equivocal)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .partialResponse)
        #expect(evaluation.newLesion == .equivocal)
    }

    // MARK: Table 2

    private func nonTargetOnly() throws -> RecistScenario {
        try RecistScenario(targetDiameters: [], nonTargets: ["NT1", "NT2"])
    }

    @Test("Table 2: non-target CR + no new lesion = CR (peritoneal nodules and effusion gone)")
    func table2Complete() throws {
        var scenario = try nonTargetOnly()
        scenario.assess(day: 56, [.nonTarget("NT1", .absent), .nonTarget("NT2", .absent)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .completeResponse)
        #expect(evaluation.target == nil && evaluation.sumOfDiameters == nil)
    }

    @Test("Table 2: non-target NON-CR/NON-PD + no new lesion = NON-CR/NON-PD, not SD (effusion persists)")
    func table2NonComplete() throws {
        var scenario = try nonTargetOnly()
        scenario.assess(day: 56, [.nonTarget("NT1", .absent), .nonTarget("NT2", .present)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .nonCompleteNonProgression)
        #expect(evaluation.rule == .table2(.nonCompleteNonProgression, nonTarget: evaluation.nonTarget!))
    }

    @Test("Table 2: non-target not all evaluated + no new lesion = NE (effusion not imaged)")
    func table2NotEvaluated() throws {
        var scenario = try nonTargetOnly()
        scenario.assess(day: 56, [.nonTarget("NT1", .present)])
        #expect(try only(scenario).overall == .notEvaluable)
    }

    @Test("Table 2: unequivocal non-target progression = PD (effusion trace -> large)")
    func table2Progression() throws {
        var scenario = try nonTargetOnly()
        scenario.assess(day: 56, [.nonTarget("NT1", .unequivocalProgression), .nonTarget("NT2", .notEvaluable)])
        #expect(try only(scenario).overall == .progressiveDisease)
    }

    @Test("Table 2: any non-target + unequivocal new lesion = PD")
    func table2NewLesion() throws {
        var scenario = try nonTargetOnly()
        scenario.assess(day: 56, [.nonTarget("NT1", .absent), .nonTarget("NT2", .absent), .new("NEW1", .unequivocal)])
        #expect(try only(scenario).overall == .progressiveDisease)
    }

    // MARK: Edge cases of recist.md section 10

    @Test("edge case 1: nodal target shrinking to 7 mm while the other targets are 0 mm is CR with sum 7 mm")
    func nodeUnderTenIsComplete() throws {
        var scenario = try RecistScenario(
            targets: [
                TargetLesion(id: "T1", site: "lung", baselineDiameter: Millimetres(25)),
                TargetLesion(id: "N1", site: "mediastinum", isLymphNode: true, baselineDiameter: Millimetres(18)),
            ])
        scenario.assess(day: 56, [.target("T1", .disappeared), .target("N1", Millimetres(7))])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .completeResponse)
        #expect(evaluation.sumOfDiameters == Millimetres(7))
        #expect(evaluation.target?.rule == .complete(sum: Millimetres(7)))
    }

    @Test("rule: a node still at 10 mm short axis is not CR (other target 0 mm): PR")
    func nodeAtTenIsNotComplete() throws {
        var scenario = try RecistScenario(
            targets: [
                TargetLesion(id: "T1", site: "lung", baselineDiameter: Millimetres(25)),
                TargetLesion(id: "N1", site: "mediastinum", isLymphNode: true, baselineDiameter: Millimetres(18)),
            ])
        scenario.assess(day: 56, [.target("T1", .disappeared), .target("N1", Millimetres(10))])
        #expect(try only(scenario).overall == .partialResponse)
    }

    @Test("edge case 2: exactly -30.0% (42 vs 60 mm) is PR, 42.01 mm is SD")
    func exactlyThirtyPercent() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(42))])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .partialResponse)
        #expect(evaluation.percentChangeFromBaseline?.description == "-30.0%")
        #expect(evaluation.target?.rule.description == "PR: sum 42 mm <= 0.7 x baseline 60 mm (-30.0%)")

        var above = try RecistScenario(targetDiameters: [60])
        above.policy.continuingPartialResponse = .reapplyThresholds
        above.assess(day: 56, [.target("T1", mm("42.01"))])
        #expect(try only(above).overall == .stableDisease)
    }

    @Test("edge case 2: exactly +20% and +5.0 mm from nadir (30 -> 25 -> 30 mm) is PD; 29.99 mm is SD")
    func exactlyTwentyPercentAndFiveMillimetres() throws {
        var scenario = try RecistScenario(targetDiameters: [30])
        scenario.assess(day: 42, [.target("T1", Millimetres(25))])
        scenario.assess(day: 84, [.target("T1", Millimetres(30))])
        let evaluations = try scenario.series().evaluations
        #expect(evaluations.map(\.overall) == [.stableDisease, .progressiveDisease])
        #expect(evaluations[1].nadir == Millimetres(25))
        #expect(evaluations[1].percentChangeFromNadir?.description == "+20.0%")

        var below = try RecistScenario(targetDiameters: [30])
        below.assess(day: 42, [.target("T1", Millimetres(25))])
        below.assess(day: 84, [.target("T1", mm("29.99"))])
        #expect(try below.overall() == [.stableDisease, .stableDisease])
    }

    @Test("rule: +20% but under +5 mm is not PD (nadir 20 -> 24.9 mm)")
    func twentyPercentNeedsFiveMillimetres() throws {
        var scenario = try RecistScenario(targetDiameters: [20])
        scenario.assess(day: 42, [.target("T1", mm("24.9"))])
        let evaluation = try only(scenario)
        #expect(evaluation.percentChangeFromNadir?.description == "+24.5%")
        #expect(evaluation.overall == .stableDisease)
    }

    @Test("rule: the PD rule reads 'PD: sum 110 mm >= 1.2 x nadir 91 mm and +19 mm' (baseline 100, nadir 91)")
    func progressionRuleWording() throws {
        var scenario = try RecistScenario(targetDiameters: [50, 50])
        scenario.assess(day: 42, [.target("T1", Millimetres(46)), .target("T2", Millimetres(45))])
        scenario.assess(day: 84, [.target("T1", Millimetres(55)), .target("T2", Millimetres(55))])
        let evaluation = try scenario.series().evaluations[1]
        #expect(evaluation.overall == .progressiveDisease)
        #expect(evaluation.target?.rule.description == "PD: sum 110 mm >= 1.2 x nadir 91 mm and +19 mm")
        #expect(evaluation.rule.description.contains("PD: sum 110 mm >= 1.2 x nadir 91 mm and +19 mm"))
    }

    @Test(
        "edge case 3: measured targets already PD against nadir make PD despite a missing lesion (baseline 50, two of three sum 80 mm)"
    )
    func partialSumProvesProgression() throws {
        var scenario = try RecistScenario(targetDiameters: [20, 15, 15])
        scenario.assess(
            day: 56, [.target("T1", Millimetres(45)), .target("T2", Millimetres(35)), .target("T3", .notDone)])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .progressiveDisease)
        #expect(
            evaluation.target?.rule
                == .progressionDespiteMissing(measuredSum: Millimetres(80), nadir: Millimetres(50), missing: ["T3"]))
        #expect(!evaluation.allTargetsMeasured && evaluation.percentChangeFromBaseline == nil)
    }

    @Test(
        "edge case 3: measured targets at +18.75% (< 20%) with one missing is NE (baseline 80, two measured sum 95 mm)")
    func partialSumBelowProgressionIsNotEvaluable() throws {
        var scenario = try RecistScenario(targetDiameters: [30, 30, 20])
        scenario.assess(day: 56, [.target("T1", Millimetres(50)), .target("T2", Millimetres(45))])
        let evaluation = try only(scenario)
        #expect(evaluation.overall == .notEvaluable)
        #expect(
            evaluation.target?.rule
                == .notEvaluable(measuredSum: Millimetres(95), nadir: Millimetres(80), missing: ["T3"]))
    }

    @Test(
        "edge case 4: with the nadir (80 mm) below baseline (100 mm), +9% from nadir is SD and +41% is PD though only +12.8% from baseline"
    )
    func nadirBelowBaseline() throws {
        for (later, expected) in [("87.2", TimePointResponse.stableDisease), ("112.8", .progressiveDisease)] {
            var scenario = try RecistScenario(targetDiameters: [100])
            scenario.assess(day: 42, [.target("T1", Millimetres(80))])
            scenario.assess(day: 84, [.target("T1", mm(later))])
            let evaluations = try scenario.series().evaluations
            #expect(evaluations[1].nadir == Millimetres(80))
            #expect(evaluations[1].overall == expected)
        }
    }

    @Test("rule: an incomplete time point never becomes the nadir (70 mm with one target missing)")
    func incompleteTimePointIsNotNadir() throws {
        var scenario = try RecistScenario(targetDiameters: [50, 50])
        scenario.assess(day: 42, [.target("T1", Millimetres(70))])
        scenario.assess(day: 84, [.target("T1", Millimetres(60)), .target("T2", Millimetres(50))])
        let evaluations = try scenario.series().evaluations
        #expect(evaluations[1].nadir == Millimetres(100))
        #expect(evaluations[1].overall == .stableDisease)
    }

    @Test("edge case 5: regrowth to 4.95 mm after a CR (nadir 0) is PD under Table 3 footnote (a)")
    func regrowthAfterCompleteResponseIsProgression() throws {
        var scenario = try RecistScenario(targetDiameters: [50])
        scenario.assess(day: 56, [.target("T1", .disappeared)])
        scenario.assess(day: 112, [.target("T1", mm("4.95"))])
        let evaluations = try scenario.series().evaluations
        #expect(evaluations[1].target?.response == .partialResponse)
        #expect(evaluations.map(\.overall) == [.completeResponse, .progressiveDisease])
        #expect(evaluations[1].rule == .reappearanceAfterCompleteResponse(completeResponseOn: RecistScenario.day(56)))
    }

    @Test(
        "edge case 5: regrowth to 4.95 mm after a CR is PR by arithmetic when the CR is re-classified as residual disease"
    )
    func regrowthAfterCompleteResponseReclassified() throws {
        var scenario = try RecistScenario(targetDiameters: [50])
        scenario.policy.reappearanceAfterCompleteResponse = .reclassifyAsPartialResponse
        scenario.assess(day: 56, [.target("T1", .disappeared)])
        scenario.assess(day: 112, [.target("T1", mm("4.95"))])
        let evaluations = try scenario.series().evaluations
        #expect(evaluations.map(\.overall) == [.partialResponse, .partialResponse])
        #expect(evaluations[0].rule == .completeResponseReclassified(diseaseSeenOn: RecistScenario.day(112)))
    }

    @Test("rule: too small to measure counts 5 mm; disappeared counts 0 mm (lesions 30 + 30 -> faint + gone = 5 mm)")
    func tooSmallToMeasure() throws {
        var scenario = try RecistScenario(targetDiameters: [30, 30])
        scenario.assess(day: 56, [.target("T1", .tooSmallToMeasure), .target("T2", .disappeared)])
        let evaluation = try only(scenario)
        #expect(evaluation.sumOfDiameters == Millimetres(5))
        #expect(evaluation.overall == .partialResponse)
    }

    // MARK: Continuing PR

    private func drift(_ policy: ContinuingPartialResponse) throws -> [TimePointEvaluation] {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.policy.continuingPartialResponse = policy
        scenario.assess(day: 56, [.target("T1", Millimetres(40))])
        scenario.assess(day: 84, [.target("T1", Millimetres(40))])
        scenario.assess(day: 112, [.target("T1", Millimetres(44))])
        return try scenario.series().evaluations
    }

    @Test("policy: continuing PR keeps a confirmed PR when the sum drifts to 44 mm (-26.7% of 60 mm) without PD")
    func continuingPartialResponseKept() throws {
        let evaluations = try drift(.keepOnceEstablished)
        #expect(evaluations.map(\.overall) == [.partialResponse, .partialResponse, .partialResponse])
        #expect(
            evaluations[2].target?.rule
                == .continuingPartial(
                    sum: Millimetres(44), baseline: Millimetres(60), nadir: Millimetres(40),
                    establishedOn: RecistScenario.day(56)))
    }

    @Test("policy: re-applying the thresholds makes the same 44 mm drift SD")
    func continuingPartialResponseReapplied() throws {
        #expect(try drift(.reapplyThresholds).map(\.overall) == [.partialResponse, .partialResponse, .stableDisease])
    }

    @Test("policy: an unconfirmed PR (one visit at 40 mm) does not continue; 44 mm next visit is SD")
    func unconfirmedPartialResponseDoesNotContinue() throws {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.assess(day: 56, [.target("T1", Millimetres(40))])
        scenario.assess(day: 84, [.target("T1", Millimetres(44))])
        #expect(try scenario.overall() == [.partialResponse, .stableDisease])
    }
}
