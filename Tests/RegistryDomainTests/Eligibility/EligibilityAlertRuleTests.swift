import RegistryDomain
import Testing

@Suite("The alert rules: which changes between two evaluations of one target a coordinator is told of")
struct EligibilityAlertRuleTests {
    static let criteria = ["histology", "NTRK fusion", "disease setting"]

    static func outcomes(_ letters: String) -> CriterionOutcomes { CriterionOutcomes(letters: letters)! }

    @Test("NTRK fusion unknown -> met with histology and setting met: one newly_eligible change naming NTRK fusion")
    func newlyEligibleNamesTheCriterion() {
        let changes = EligibilityAlerts.changes(
            criteria: Self.criteria, previous: Self.outcomes("mum"), current: Self.outcomes("mmm"))
        #expect(
            changes == [EligibilityChange(kind: .newlyEligible, criterion: "NTRK fusion", from: .unknown, to: .met)])
    }

    @Test(
        "a diagnosis that settles histology (not met before) and setting (unknown) at once: two newly_eligible changes")
    func newlyEligibleFromNotMet() {
        let changes = EligibilityAlerts.changes(
            criteria: Self.criteria, previous: Self.outcomes("nmu"), current: Self.outcomes("mmm"))
        #expect(changes.map(\.criterion) == ["histology", "disease setting"])
        #expect(changes.map(\.from) == [.notMet, .unknown])
    }

    @Test(
        "no previous evaluation (a trial just added, a new patient): one newly_eligible change without a criterion, and nothing while not all met"
    )
    func firstEvaluation() {
        #expect(
            EligibilityAlerts.changes(criteria: Self.criteria, previous: nil, current: Self.outcomes("mmm"))
                == [EligibilityChange(kind: .newlyEligible, criterion: nil, from: nil, to: .met)])
        #expect(
            EligibilityAlerts.changes(criteria: Self.criteria, previous: nil, current: Self.outcomes("mum")).isEmpty)
    }

    @Test(
        "unknown -> met on NTRK fusion while the setting is still unknown: criterion_met; with histology not met: nothing"
    )
    func criterionMet() {
        #expect(
            EligibilityAlerts.changes(
                criteria: Self.criteria, previous: Self.outcomes("muu"), current: Self.outcomes("mmu"))
                == [EligibilityChange(kind: .criterionMet, criterion: "NTRK fusion", from: .unknown, to: .met)])
        #expect(
            EligibilityAlerts.changes(
                criteria: Self.criteria, previous: Self.outcomes("nuu"), current: Self.outcomes("nmu")
            ).isEmpty)
    }

    @Test(
        "still eligible, eligible -> not, met -> unknown and a state of another length (criteria changed) raise nothing, or count as first evaluated"
    )
    func nothingToSay() {
        #expect(
            EligibilityAlerts.changes(
                criteria: Self.criteria, previous: Self.outcomes("mmm"), current: Self.outcomes("mmm")
            ).isEmpty)
        #expect(
            EligibilityAlerts.changes(
                criteria: Self.criteria, previous: Self.outcomes("mmm"), current: Self.outcomes("mnm")
            ).isEmpty)
        #expect(
            EligibilityAlerts.changes(
                criteria: Self.criteria, previous: Self.outcomes("mmm"), current: Self.outcomes("mum")
            ).isEmpty)
        #expect(
            EligibilityAlerts.changes(
                criteria: Self.criteria, previous: Self.outcomes("mm"), current: Self.outcomes("mmm")
            ).map(\.criterion) == [nil])
    }

    @Test("the stored letters read back: m, n, u; any other letter is refused")
    func letters() {
        #expect(CriterionOutcomes([.met, .notMet, .unknown]).letters == "mnu")
        #expect(CriterionOutcomes(letters: "mnu")?.outcomes == [.met, .notMet, .unknown])
        #expect(CriterionOutcomes(letters: "mx") == nil)
    }
}
