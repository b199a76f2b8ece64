import RegistryDomain
import Testing

@Suite("Worklist: the outstanding visit of each schedule, overdue or due within 14 days, latest first")
struct WorklistTests {
    typealias F = ScheduleFixtures

    static func imaging(recorded: [Int], baseline: Bool = true, asOf: Int) -> [WorklistItem] {
        Worklist.imaging(
            registryID: "MUC-0001", lineNumber: 1, lineStart: F.lineStart, assessedOn: recorded.map(F.day),
            hasBaseline: baseline,
            schedule: F.imaging, scheduleName: "NCT03016819", asOf: F.day(asOf))
    }

    @Test("week 6 not scanned by day 60: imaging overdue since its due date, 11 days past the window")
    func overdue() throws {
        let item = try #require(Self.imaging(recorded: [], asOf: 60).first)
        #expect(item.kind == .imagingOverdue)
        #expect(item.dueSince == F.day(42))
        #expect(item.daysLate == 11)
        #expect(item.missedVisits == 0)
        #expect(item.what == "imaging visit 1 of line 1 (week 6)")
    }

    @Test("no scan since week 6 by day 130: overdue since week 12, which is missed as well, and week 18 is due")
    func overdueCountsMissedVisits() throws {
        let items = Self.imaging(recorded: [42], asOf: 130)
        #expect(items.count == 1)
        #expect(items[0].kind == .imagingOverdue)
        #expect(items[0].dueSince == F.day(84))
        #expect(items[0].daysLate == 130 - 91)
        #expect(items[0].missedVisits == 1)
    }

    @Test("week 12 due in 10 days is listed as due; due in 20 days it is not listed yet")
    func dueWithinHorizon() {
        let soon = Self.imaging(recorded: [42], asOf: 74)
        #expect(soon.map(\.kind) == [.imagingDue])
        #expect(soon.first?.daysLate == -10)
        #expect(Self.imaging(recorded: [42], asOf: 64).isEmpty)
    }

    @Test("week 6 scanned late on day 56: week 12 is still due on day 84, not 14 days later")
    func lateScanKeepsTheCalendar() {
        #expect(Self.imaging(recorded: [56], asOf: 80).first?.dueSince == F.day(84))
    }

    @Test(
        "a patient on a line with neither baseline nor follow-up is listed as having no assessment since the line start"
    )
    func noAssessment() {
        let items = Self.imaging(recorded: [], baseline: false, asOf: 20)
        #expect(items.map(\.kind) == [.noAssessment])
        #expect(items.first?.dueSince == F.lineStart)
        #expect(items.first?.daysLate == 20)
    }

    @Test(
        "progressed 2026-03-01, no contact since: the 1 June contact is overdue on 1 July; a contact on 25 May clears it"
    )
    func survival() throws {
        let progression = try F.date("2026-03-01")
        let asOf = try F.date("2026-07-01")
        let item = try #require(
            Worklist.survival(
                registryID: "MUC-0002", progressedOn: progression, lastContact: nil, schedule: F.survival,
                scheduleName: "site MUC", asOf: asOf))
        #expect(item.kind == .survivalContactOverdue)
        #expect(item.dueSince == (try F.date("2026-06-01")))
        #expect(item.daysLate == 16)
        #expect(
            Worklist.survival(
                registryID: "MUC-0002", progressedOn: progression, lastContact: try F.date("2026-05-25"),
                schedule: F.survival,
                scheduleName: "site MUC", asOf: asOf) == nil)
    }

    @Test("a contact before progression does not count: last seen 2026-02-01, progressed 2026-03-01, still overdue")
    func contactBeforeProgression() throws {
        #expect(
            Worklist.survival(
                registryID: "MUC-0002", progressedOn: try F.date("2026-03-01"), lastContact: try F.date("2026-02-01"),
                schedule: F.survival,
                scheduleName: "site MUC", asOf: try F.date("2026-07-01")) != nil)
    }

    @Test("sorted by how late, latest first, then by registry id in number order: MUC-9999 before MUC-10000")
    func sorting() {
        func item(_ id: String, _ late: Int) -> WorklistItem {
            WorklistItem(
                registryID: id, kind: .imagingOverdue, what: "x", dueSince: F.lineStart, daysLate: late,
                missedVisits: 0, schedule: "s")
        }
        let sorted = Worklist.sorted([
            item("MUC-0003", 2), item("MUC-10000", 2), item("MUC-0002", 30), item("MUC-9999", 2), item("MUC-0001", 2),
            item("MUC-0004", -5),
        ])
        #expect(sorted.map(\.registryID) == ["MUC-0002", "MUC-0001", "MUC-0003", "MUC-9999", "MUC-10000", "MUC-0004"])
    }

    @Test(
        "a line in APROMISS follows the trial's imaging; a trial giving imaging only leaves survival to MUC's default; with neither, the reason names both"
    )
    func scheduleResolution() throws {
        let site = AssessmentSchedules(imaging: nil, survival: F.survival)
        let imagingOnly = AssessmentSchedules(imaging: F.imaging, survival: nil)
        let trials = [
            "NCT03016819": AssessmentSchedules(imaging: F.imaging, survival: F.survival), "NCT05059262": imagingOnly,
        ]
        let trialImaging = try Worklist.schedule(
            .imaging, trialNCT: "NCT03016819", trialSchedules: trials, site: "MUC", siteDefault: site
        ).get()
        #expect(trialImaging.name == "NCT03016819")
        let siteSurvival = try Worklist.schedule(
            .survival, trialNCT: "NCT05059262", trialSchedules: trials, site: "MUC", siteDefault: site
        ).get()
        #expect(siteSurvival.name == "site MUC")
        #expect(siteSurvival.schedule == F.survival)
        let failure = Worklist.schedule(
            .imaging, trialNCT: "NCT00000001", trialSchedules: trials, site: "MUC", siteDefault: site)
        guard case .failure(let missing) = failure else {
            Issue.record("expected no schedule")
            return
        }
        #expect(
            missing.description.hasPrefix(
                "no imaging schedule: trial NCT00000001 defines no imaging schedule and site MUC has no default imaging schedule"
            ))
    }
}
