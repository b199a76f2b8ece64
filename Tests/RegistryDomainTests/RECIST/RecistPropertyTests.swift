import Testing

import RegistryDomain

/// Random but valid patients: 0-5 targets (some nodes), 0-3 non-targets, 1-7 visits with measured,
/// faint, disappeared and missing lesions, non-target changes and new lesions.
struct RandomPatient {
    var baseline: Baseline
    var timePoints: [TimePoint]

    init(using random: inout SplitMix64) throws {
        let targetCount = Int.random(in: 0...5, using: &random)
        let nonTargetCount = Int.random(in: (targetCount == 0 ? 1 : 0)...3, using: &random)
        let targets = (0..<targetCount).map { index in
            let node = index == 0 && Bool.random(using: &random)
            return TargetLesion(
                id: LesionID("T\(index + 1)"), site: AnatomicSite("organ \(index)"), isLymphNode: node,
                baselineDiameter: Millimetres(hundredths: Int.random(in: (node ? 1500 : 1000)...9000, using: &random)))
        }
        let nonTargets = (0..<nonTargetCount).map { NonTargetLesion(id: LesionID("NT\($0 + 1)"), site: "elsewhere") }
        baseline = try Baseline(date: RecistScenario.day(-7), targets: targets, nonTargets: nonTargets)
        var offset = 0
        timePoints = (0..<Int.random(in: 1...7, using: &random)).map { _ in
            offset += Int.random(in: 14...63, using: &random)
            var results: [LesionResult] = []
            for target in targets {
                let roll = Int.random(in: 0..<20, using: &random)
                let measurement: LesionMeasurement =
                    switch roll {
                    case 0: .notDone
                    case 1: .disappeared
                    case 2: .tooSmallToMeasure
                    default:
                        .measured(
                            Millimetres(
                                hundredths: target.baselineDiameter.hundredths * Int.random(in: 0...160, using: &random)
                                    / 100))
                    }
                if roll != 3 { results.append(.target(target.id, measurement)) }
            }
            for lesion in nonTargets where Int.random(in: 0..<12, using: &random) != 0 {
                let states: [NonTargetState] = [
                    .present, .present, .absent, .absent, .notEvaluable, .unequivocalProgression,
                ]
                results.append(.nonTarget(lesion.id, states[Int.random(in: 0..<states.count, using: &random)]))
            }
            switch Int.random(in: 0..<15, using: &random) {
            case 0: results.append(.new("NEW1", .equivocal))
            case 1: results.append(.new("NEW1", .unequivocal))
            default: break
            }
            results.shuffle(using: &random)
            return TimePoint(date: RecistScenario.day(offset), results: results)
        }
    }

    func series(_ timePoints: [TimePoint], policy: ResponsePolicy = .recistDefault) throws -> ResponseSeries? {
        try ResponseAssessment.evaluate(
            baseline: baseline, timePoints: timePoints, therapyStart: RecistScenario.therapyStart, policy: policy
        ).series(for: .investigator)
    }
}

@Suite("RECIST properties over seeded random patients")
struct RecistPropertyTests {
    private let cases = 3000

    private let policies: [ResponsePolicy] = [
        .recistDefault,
        ResponsePolicy(
            confirmationRequired: false, continuingPartialResponse: .reapplyThresholds,
            reappearanceAfterCompleteResponse: .reclassifyAsPartialResponse),
    ]

    @Test(
        "property: a time point that meets PD (sum >= 1.2 x nadir and +5 mm, non-target PD or new lesion) is PD, never PR"
    )
    func progressionIsNeverPartialResponse() throws {
        var random = SplitMix64(seed: 0x5EED_0001)
        var progressionSeen = 0
        for _ in 0..<cases {
            let patient = try RandomPatient(using: &random)
            for policy in policies {
                let evaluations = try #require(try patient.series(patient.timePoints, policy: policy)).evaluations
                let byDate = patient.timePoints.sorted { $0.date < $1.date }
                for (evaluation, timePoint) in zip(evaluations, byDate) {
                    var meetsProgression = timePoint.results.contains {
                        $0.finding == .new(.unequivocal) || $0.finding == .nonTarget(.unequivocalProgression)
                    }
                    if let sum = evaluation.sumOfDiameters {
                        let nadir = evaluation.nadir.hundredths
                        meetsProgression =
                            meetsProgression || (5 * sum.hundredths >= 6 * nadir && sum.hundredths - nadir >= 500)
                    }
                    guard meetsProgression else { continue }
                    progressionSeen += 1
                    #expect(evaluation.overall == .progressiveDisease, "\(evaluation.rule)")
                    #expect(evaluation.overall != .partialResponse)
                }
            }
        }
        #expect(progressionSeen > cases / 4)
    }

    @Test(
        "property: dropping one target lesion's measurement never turns a time point into CR (a time point with a missing lesion is never CR)"
    )
    func missingLesionIsNeverComplete() throws {
        var random = SplitMix64(seed: 0x5EED_0002)
        var dropped = 0
        for _ in 0..<cases {
            var patient = try RandomPatient(using: &random)
            guard let victim = patient.baseline.targets.randomElement(using: &random) else { continue }
            let visit = Int.random(in: 0..<patient.timePoints.count, using: &random)
            patient.timePoints[visit].results.removeAll { $0.lesion == victim.id }
            dropped += 1
            for policy in policies {
                let series = try #require(try patient.series(patient.timePoints, policy: policy))
                let evaluation = try #require(series.evaluations.first { $0.date == patient.timePoints[visit].date })
                #expect(evaluation.overall != .completeResponse)
                #expect(
                    evaluation.target?.response == .notEvaluable || evaluation.target?.response == .progressiveDisease)
                #expect(!evaluation.allTargetsMeasured)
            }
        }
        #expect(dropped > cases / 2)
    }

    @Test(
        "property: the best overall response and progression dates do not depend on the order assessments were entered")
    func orderIndependence() throws {
        var random = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<cases {
            let patient = try RandomPatient(using: &random)
            for policy in policies {
                let reference = try #require(try patient.series(patient.timePoints, policy: policy))
                let shuffled = try #require(
                    try patient.series(patient.timePoints.shuffled(using: &random), policy: policy))
                #expect(shuffled.bestOverallResponse == reference.bestOverallResponse)
                #expect(shuffled.progression == reference.progression)
                #expect(shuffled.evaluations == reference.evaluations)
            }
        }
    }
}
