import RegistryDomain
import Testing

/// The worklist reads one date per line, the latest follow-up assessment up to the day (migration 0036 keeps it);
/// these cases check that it lists what every recorded date would, so the stored date is enough.
@Suite("Worklist from the latest recorded visit: the same entries as from every recorded visit")
struct WorklistLatestVisitTests {
    typealias F = ScheduleFixtures

    /// A fixed sequence (SplitMix64), so a failure names a case that fails again.
    struct Sequence {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            return range.lowerBound + Int(mixed % UInt64(range.count))
        }
    }

    static let schedules: [(name: String, schedule: VisitSchedule)] = [
        ("every 6 weeks +/- 7 days for 48 weeks, then every 12", F.imaging),
        ("every 3 months +/- 14 days", F.survival),
        (
            "every 8 weeks +/- 3 days for 6 months, then every 4 months +/- 21 days",
            VisitSchedule(phases: [
                SchedulePhase(every: .days(56), windowDays: 3, duration: .months(6)),
                SchedulePhase(every: .months(4), windowDays: 21, duration: nil),
            ])
        ),
        (
            "every 2 weeks +/- 0 days",
            VisitSchedule(phases: [SchedulePhase(every: .days(14), windowDays: 0, duration: nil)])
        ),
    ]

    @Test(
        "scans on time, early, late, twice in one window, before the line start and none: 4,000 cases per schedule agree",
        arguments: 0..<4)
    func latestVisitDecides(schedule index: Int) {
        let (name, schedule) = Self.schedules[index]
        var sequence = Sequence(state: UInt64(index + 1))
        for _ in 0..<4_000 {
            let asOf = F.day(sequence.next(0...900))
            let recorded = (0..<sequence.next(0...6)).map { _ in F.day(sequence.next(-30...900)) }
                .filter { $0 <= asOf }
            let baseline = sequence.next(0...1) == 1
            func entries(_ dates: [CalendarDate]) -> [WorklistItem] {
                Worklist.imaging(
                    registryID: "MUC-0001", lineNumber: 2, lineStart: F.lineStart, assessedOn: dates,
                    hasBaseline: baseline,
                    schedule: schedule, scheduleName: "site MUC", asOf: asOf)
            }
            let latest = recorded.max().map { [$0] } ?? []
            #expect(
                entries(recorded) == entries(latest),
                "\(name): recorded \(recorded.sorted()), baseline \(baseline), as of \(asOf)")
        }
    }

    @Test("every recorded date gives entries in some cases: the comparison is not between two empty lists")
    func casesListSomething() {
        var sequence = Sequence(state: 1)
        var kinds: Set<WorklistItemKind> = []
        for _ in 0..<4_000 {
            let asOf = F.day(sequence.next(0...900))
            let recorded = (0..<sequence.next(0...6)).map { _ in F.day(sequence.next(-30...900)) }.filter { $0 <= asOf }
            let baseline = sequence.next(0...1) == 1
            for item in Worklist.imaging(
                registryID: "MUC-0001", lineNumber: 2, lineStart: F.lineStart, assessedOn: recorded,
                hasBaseline: baseline,
                schedule: F.imaging, scheduleName: "site MUC", asOf: asOf)
            {
                kinds.insert(item.kind)
            }
        }
        #expect(kinds == [.imagingDue, .imagingOverdue, .noAssessment])
    }
}
