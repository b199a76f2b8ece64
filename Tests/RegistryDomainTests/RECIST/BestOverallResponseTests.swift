import Testing

import RegistryDomain

@Suite("RECIST best overall response: Table 3, SD minimum interval, edge cases 6-8")
struct BestOverallResponseTests {
    /// One 60 mm lung target measured on the given days after the start of therapy.
    private func lungTarget(
        _ visits: [(day: Int, measurement: LesionMeasurement)], policy: ResponsePolicy = .recistDefault
    ) throws -> ResponseSeries {
        var scenario = try RecistScenario(targetDiameters: [60])
        scenario.policy = policy
        for visit in visits { scenario.assess(day: visit.day, [.target("T1", visit.measurement)]) }
        return try scenario.series()
    }

    private let gone = LesionMeasurement.disappeared
    private let notDone = LesionMeasurement.notDone
    private func measured(_ value: Int) -> LesionMeasurement { .measured(Millimetres(value)) }

    @Test("Table 3: CR then CR 28 days later = CR (lung target gone on days 56 and 84)")
    func completeThenComplete() throws {
        let best = try lungTarget([(56, gone), (84, gone)]).bestOverallResponse
        #expect(best.confirmed.response == .completeResponse)
        #expect(
            best.confirmed.rule
                == .confirmedResponse(
                    .completeResponse, firstMet: RecistScenario.day(56), confirmedBy: .completeResponse,
                    confirmedOn: RecistScenario.day(84), days: 28, notEvaluableBetween: 0, minimumInterval: 28))
    }

    @Test(
        "Table 3: CR then PR (4 mm regrowth) = SD when the CR met the SD minimum, else PD (footnote a: reappearance is PD)"
    )
    func completeThenPartialIsProgression() throws {
        let late = try lungTarget([(56, gone), (84, measured(4))])
        #expect(late.evaluations.map(\.overall) == [.completeResponse, .progressiveDisease])
        #expect(late.bestOverallResponse.confirmed.response == .stableDisease)
        let early = try lungTarget([(28, gone), (56, measured(4))])
        #expect(early.bestOverallResponse.confirmed.response == .progressiveDisease)
    }

    @Test("Table 3: CR then PR = PR when the CR is re-classified as residual disease (footnote a, second reading)")
    func completeThenPartialReclassified() throws {
        var policy = ResponsePolicy.recistDefault
        policy.reappearanceAfterCompleteResponse = .reclassifyAsPartialResponse
        let series = try lungTarget([(56, gone), (84, measured(4))], policy: policy)
        #expect(series.bestOverallResponse.confirmed.response == .partialResponse)
    }

    @Test("Table 3: CR then SD = SD if the SD minimum is met, otherwise PD (node 18 -> 9 -> 13 mm)")
    func completeThenStable() throws {
        for (first, expected) in [(56, TimePointResponse.stableDisease), (28, .progressiveDisease)] {
            var scenario = try RecistScenario(targets: [
                TargetLesion(id: "N1", site: "groin", isLymphNode: true, baselineDiameter: Millimetres(18))
            ])
            scenario.assess(day: first, [.target("N1", Millimetres(9))])
            scenario.assess(day: first + 28, [.target("N1", Millimetres(13))])
            let series = try scenario.series()
            #expect(series.evaluations[0].overall == .completeResponse)
            #expect(series.evaluations[1].target?.response == .stableDisease)
            #expect(series.bestOverallResponse.confirmed.response == expected)
        }
    }

    @Test("Table 3: CR then PD = SD if the SD minimum is met, otherwise PD (0 -> 12 mm)")
    func completeThenProgression() throws {
        #expect(
            try lungTarget([(56, gone), (84, measured(12))]).bestOverallResponse.confirmed.response == .stableDisease)
        #expect(
            try lungTarget([(28, gone), (56, measured(12))]).bestOverallResponse.confirmed.response
                == .progressiveDisease)
    }

    @Test("Table 3: CR then NE = SD if the SD minimum is met, otherwise NE")
    func completeThenNotEvaluable() throws {
        #expect(try lungTarget([(56, gone), (84, notDone)]).bestOverallResponse.confirmed.response == .stableDisease)
        #expect(try lungTarget([(28, gone), (56, notDone)]).bestOverallResponse.confirmed.response == .notEvaluable)
    }

    @Test("Table 3: PR then CR = PR (60 -> 40 mm -> gone)")
    func partialThenComplete() throws {
        let best = try lungTarget([(56, measured(40)), (84, gone)]).bestOverallResponse
        #expect(best.confirmed.response == .partialResponse)
        #expect(best.unconfirmed.response == .completeResponse)
    }

    @Test("Table 3: PR then PR = PR (40 then 38 mm)")
    func partialThenPartial() throws {
        #expect(
            try lungTarget([(56, measured(40)), (84, measured(38))]).bestOverallResponse.confirmed.response
                == .partialResponse)
    }

    @Test("Table 3: PR then SD = SD (40 then 45 mm)")
    func partialThenStable() throws {
        let series = try lungTarget([(56, measured(40)), (84, measured(45))])
        #expect(series.evaluations[1].overall == .stableDisease)
        #expect(series.bestOverallResponse.confirmed.response == .stableDisease)
    }

    @Test("Table 3: PR then PD = SD if the SD minimum is met, otherwise PD (40 then 50 mm)")
    func partialThenProgression() throws {
        #expect(
            try lungTarget([(56, measured(40)), (84, measured(50))]).bestOverallResponse.confirmed.response
                == .stableDisease)
        let early = try lungTarget([(28, measured(40)), (56, measured(50))]).bestOverallResponse
        #expect(early.confirmed.response == .progressiveDisease)
        #expect(
            early.confirmed.rule
                == .progression(on: RecistScenario.day(56), stableTooEarlyOn: RecistScenario.day(28), minimum: 42))
    }

    @Test("Table 3: PR then NE = SD if the SD minimum is met, otherwise NE")
    func partialThenNotEvaluable() throws {
        #expect(
            try lungTarget([(56, measured(40)), (84, notDone)]).bestOverallResponse.confirmed.response == .stableDisease
        )
        #expect(
            try lungTarget([(28, measured(40)), (56, notDone)]).bestOverallResponse.confirmed.response == .notEvaluable)
    }

    @Test("Table 3: NE then NE = NE (no scans read)")
    func notEvaluableTwice() throws {
        let best = try lungTarget([(56, notDone), (84, notDone)]).bestOverallResponse
        #expect(best.confirmed.response == .notEvaluable && best.unconfirmed.response == .notEvaluable)
    }

    @Test(
        "rule: without confirmation the best time point counts (SD, PR, PD -> PR), and the policy picks it as primary")
    func unconfirmedBest() throws {
        var policy = ResponsePolicy.recistDefault
        policy.confirmationRequired = false
        let best = try lungTarget([(42, measured(50)), (84, measured(40)), (126, measured(50))], policy: policy)
            .bestOverallResponse
        #expect(best.unconfirmed.response == .partialResponse)
        #expect(best.confirmed.response == .stableDisease)
        #expect(best.primary == best.unconfirmed)
    }

    @Test(
        "edge case 6: non-target-only disease NON-CR/NON-PD on day 21 only is BOR NE (too early); on day 42 it is NON-CR/NON-PD"
    )
    func nonTargetOnlyMinimumInterval() throws {
        for (day, expected) in [(21, TimePointResponse.notEvaluable), (42, .nonCompleteNonProgression)] {
            var scenario = try RecistScenario(targetDiameters: [], nonTargets: ["NT1"])
            scenario.assess(day: day, [.nonTarget("NT1", .present)])
            let best = try scenario.series().bestOverallResponse
            #expect(best.confirmed.response == expected)
            #expect(best.unconfirmed.response == expected)
        }
    }

    @Test("edge case 7: PR, NE, PR 42 days apart is a confirmed PR across one NE")
    func confirmationAcrossOneNotEvaluable() throws {
        let best = try lungTarget([(56, measured(40)), (77, notDone), (98, measured(40))]).bestOverallResponse
        #expect(best.confirmed.response == .partialResponse)
        #expect(
            best.confirmed.rule
                == .confirmedResponse(
                    .partialResponse, firstMet: RecistScenario.day(56), confirmedBy: .partialResponse,
                    confirmedOn: RecistScenario.day(98), days: 42, notEvaluableBetween: 1, minimumInterval: 28))
    }

    @Test("rule: two NE between PR and PR break the confirmation (CBOR SD)")
    func twoNotEvaluableBreakConfirmation() throws {
        let best = try lungTarget([(56, measured(40)), (70, notDone), (84, notDone), (112, measured(40))])
            .bestOverallResponse
        #expect(best.confirmed.response == .stableDisease)
    }

    @Test("edge case 7: PR then CR only 21 days apart is not confirmed (CBOR SD, unconfirmed BOR CR)")
    func confirmationTooSoon() throws {
        let best = try lungTarget([(56, measured(40)), (77, gone)]).bestOverallResponse
        #expect(best.confirmed.response == .stableDisease)
        #expect(best.unconfirmed.response == .completeResponse)
    }

    @Test("rule: a PR after a CR breaks confirmation (PR, CR, then PR from an unimaged bone lesion -> CBOR SD)")
    func partialAfterCompleteIsNotConfirmation() throws {
        var scenario = try RecistScenario(targetDiameters: [60], nonTargets: ["NT1"])
        scenario.assess(day: 56, [.target("T1", Millimetres(40)), .nonTarget("NT1", .present)])
        scenario.assess(day: 70, [.target("T1", .disappeared), .nonTarget("NT1", .absent)])
        scenario.assess(day: 98, [.target("T1", .disappeared), .nonTarget("NT1", .notEvaluable)])
        let series = try scenario.series()
        #expect(series.evaluations.map(\.overall) == [.partialResponse, .completeResponse, .partialResponse])
        #expect(series.bestOverallResponse.confirmed.response == .stableDisease)
        #expect(series.bestOverallResponse.unconfirmed.response == .completeResponse)
    }

    @Test("edge case 8: assessments after the first PD are ignored (PR, PD, PR, PR -> CBOR SD, not PR)")
    func afterProgressionIgnored() throws {
        let series = try lungTarget([(56, measured(40)), (84, measured(50)), (112, measured(30)), (140, measured(30))])
        #expect(series.evaluations.map(\.isAfterProgression) == [false, false, true, true])
        #expect(series.evaluations[3].overall == .partialResponse)
        #expect(series.bestOverallResponse.confirmed.response == .stableDisease)
        #expect(series.bestOverallResponse.unconfirmed.date == RecistScenario.day(56))
    }

    @Test("rule: the SD rule names the day count (SD on day 42 meets the 42-day minimum)")
    func stableRuleWording() throws {
        let best = try lungTarget([(42, measured(50))]).bestOverallResponse
        #expect(best.confirmed.response == .stableDisease)
        #expect(best.confirmed.description.contains("42 days after the start of therapy"))
        #expect(try lungTarget([(41, measured(50))]).bestOverallResponse.confirmed.response == .notEvaluable)
    }
}
