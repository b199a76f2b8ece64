import Testing

import RegistryDomain

@Suite("RECIST baseline: measurability and target selection")
struct BaselineValidationTests {
    private let date = RecistScenario.day(-4)

    private func target(_ id: LesionID, _ site: AnatomicSite, _ diameter: String, node: Bool = false) -> TargetLesion {
        TargetLesion(id: id, site: site, isLymphNode: node, baselineDiameter: mm(diameter))
    }

    @Test("rule: baseline sum adds longest diameters and node short axes (lung 32 + liver 18 + node 15 = 65 mm)")
    func sumOfDiameters() throws {
        let baseline = try Baseline(
            date: date,
            targets: [
                target("T1", "lung", "32"), target("T2", "liver", "18"), target("T3", "axilla", "15", node: true),
            ])
        #expect(baseline.sumOfDiameters == Millimetres(65))
    }

    @Test("rule: a non-nodal target needs >= 10 mm; a 9.9 mm lung nodule is refused, 10.0 mm accepted")
    func measurableTumour() throws {
        #expect(throws: RecistInputError.targetNotMeasurable("T1", diameter: mm("9.9"))) {
            try Baseline(date: date, targets: [target("T1", "lung", "9.9")])
        }
        #expect(try Baseline(date: date, targets: [target("T1", "lung", "10.0")]).sumOfDiameters == Millimetres(10))
    }

    @Test("rule: a target node needs >= 15 mm short axis; a 14.9 mm node is non-target only, 15 mm is a target")
    func nodalTarget() throws {
        #expect(throws: RecistInputError.nodeTooSmallForTarget("N1", shortAxis: mm("14.9"))) {
            try Baseline(date: date, targets: [target("N1", "groin", "14.9", node: true)])
        }
        let accepted = try Baseline(
            date: date, targets: [target("N1", "groin", "15", node: true)],
            nonTargets: [NonTargetLesion(id: "N2", site: "groin", isLymphNode: true, baselineDiameter: mm("12"))])
        #expect(accepted.targets.count == 1 && accepted.nonTargets.count == 1)
    }

    @Test("rule: a node under 10 mm short axis is normal; recording a 9 mm node as non-target is refused")
    func normalNode() {
        #expect(throws: RecistInputError.nodeNotPathological("N1", shortAxis: Millimetres(9))) {
            try Baseline(
                date: date, targets: [],
                nonTargets: [
                    NonTargetLesion(id: "N1", site: "neck", isLymphNode: true, baselineDiameter: Millimetres(9))
                ])
        }
    }

    @Test("rule: at most 5 targets; a sixth (T6) is refused and named")
    func sixthTarget() {
        let six = (1...6).map { target(LesionID("T\($0)"), AnatomicSite("organ \($0)"), "20") }
        #expect(throws: RecistInputError.tooManyTargets("T6", limit: 5)) { try Baseline(date: date, targets: six) }
    }

    @Test("rule: at most 2 targets per organ; a third liver lesion is refused")
    func thirdInOrgan() {
        let liver = (1...3).map { target(LesionID("L\($0)"), "liver", "20") }
        #expect(throws: RecistInputError.tooManyTargetsInOrgan("L3", organ: "liver", limit: 2)) {
            try Baseline(date: date, targets: liver)
        }
    }

    @Test("rule: all lymph nodes count as one organ; nodes in neck, axilla and groin cannot all be targets")
    func nodesAreOneOrgan() {
        let nodes = [
            target("N1", "neck", "20", node: true), target("N2", "axilla", "18", node: true),
            target("N3", "groin", "16", node: true),
        ]
        #expect(throws: RecistInputError.tooManyTargetsInOrgan("N3", organ: .lymphNodes, limit: 2)) {
            try Baseline(date: date, targets: nodes)
        }
    }

    @Test("rule: a baseline without lesions and a lesion listed twice are refused")
    func emptyOrDuplicate() {
        #expect(throws: RecistInputError.noDiseaseAtBaseline) { try Baseline(date: date, targets: []) }
        #expect(throws: RecistInputError.duplicateBaselineLesion("T1")) {
            try Baseline(date: date, targets: [target("T1", "lung", "20"), target("T1", "liver", "20")])
        }
    }

    @Test("rule: a baseline diameter over 1000 mm is refused as a unit error (1250 mm)")
    func absurdBaseline() {
        #expect(throws: RecistInputError.implausibleDiameter("T1", Millimetres(1250), date: date)) {
            try Baseline(date: date, targets: [target("T1", "thigh", "1250")])
        }
    }
}
