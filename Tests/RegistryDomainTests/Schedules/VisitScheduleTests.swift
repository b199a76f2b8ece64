import RegistryDomain
import Testing

/// APROMISS's working calendar: imaging every 6 weeks +/- 7 days for 48 weeks, then every 12 weeks; survival
/// contacts every 3 months +/- 14 days after progression.
enum ScheduleFixtures {
    static let imaging = VisitSchedule(phases: [
        SchedulePhase(every: .days(42), windowDays: 7, duration: .days(336)),
        SchedulePhase(every: .days(84), windowDays: 7, duration: nil),
    ])
    static let survival = VisitSchedule(phases: [SchedulePhase(every: .months(3), windowDays: 14, duration: nil)])
    /// A Monday; week 6 is 2026-02-16.
    static let lineStart = CalendarDate(year: 2026, month: 1, day: 5)!

    static func day(_ offset: Int) -> CalendarDate { lineStart.adding(days: offset) }

    static func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso: text) }

    static func statuses(recorded: [Int], asOf: Int) -> [VisitStatus] {
        imaging.track(anchor: lineStart, recorded: recorded.map(day), asOf: day(asOf)).map(\.status)
    }
}

@Suite("Visit schedules: due dates fixed from the anchor, windows on time, early, late and missed")
struct VisitScheduleTests {
    typealias F = ScheduleFixtures

    @Test("imaging every 6 weeks for 48 weeks then every 12: visits at weeks 6 to 48, then 60 and 72")
    func dueDates() {
        let visits = F.imaging.visits(from: F.lineStart, through: F.day(7 * 72))
        #expect(visits.map { $0.due.days(since: F.lineStart) / 7 } == [6, 12, 18, 24, 30, 36, 42, 48, 60, 72])
        #expect(visits.map(\.number) == Array(1...10))
        #expect(visits[0].due == CalendarDate(year: 2026, month: 2, day: 16)!)
        #expect(visits[0].windowOpens == CalendarDate(year: 2026, month: 2, day: 9)!)
        #expect(visits[0].windowCloses == CalendarDate(year: 2026, month: 2, day: 23)!)
    }

    @Test("a schedule whose every phase has an end stops: imaging every 6 weeks for 12 weeks has two visits")
    func finiteSchedule() {
        let schedule = VisitSchedule(phases: [SchedulePhase(every: .days(42), windowDays: 7, duration: .days(84))])
        #expect(schedule.visits(from: F.lineStart, through: F.day(1000)).count == 2)
    }

    @Test("a week-6 scan 7 days after its due date is on time, 8 days after is late by 1, 8 days before is early by 1")
    func windowEdges() {
        #expect(F.statuses(recorded: [49], asOf: 60).first == .done(on: F.day(49), .onTime))
        #expect(F.statuses(recorded: [35], asOf: 60).first == .done(on: F.day(35), .onTime))
        #expect(F.statuses(recorded: [50], asOf: 60).first == .done(on: F.day(50), .late(days: 1)))
        #expect(F.statuses(recorded: [34], asOf: 60).first == .done(on: F.day(34), .early(days: 1)))
    }

    @Test("a week-6 scan done 2 weeks late does not move the week-12 scan: it is still due on day 84")
    func lateVisitDoesNotShiftTheNext() {
        let tracked = F.imaging.track(anchor: F.lineStart, recorded: [F.day(56)], asOf: F.day(80))
        #expect(tracked[0].status == .done(on: F.day(56), .late(days: 7)))
        #expect(tracked[1].visit.due == F.day(84))
        #expect(tracked[1].status == .due)
    }

    @Test(
        "with no week-6 scan: due on day 40, overdue on day 50, missed from day 64 when a scan would count for week 12")
    func overdueThenMissed() {
        #expect(F.statuses(recorded: [], asOf: 40).first == .due)
        #expect(F.statuses(recorded: [], asOf: 30).first == .upcoming)
        #expect(F.statuses(recorded: [], asOf: 50).first == .overdue)
        #expect(F.statuses(recorded: [], asOf: 63).first == .overdue)
        #expect(F.statuses(recorded: [], asOf: 64).first == .missed)
    }

    @Test("a scan on day 10 is nearer the line start than week 6: it counts for no visit and week 6 stays overdue")
    func scanNearTheAnchorCountsForNone() {
        #expect(F.statuses(recorded: [10], asOf: 50).first == .overdue)
    }

    @Test("a scan on day 70 counts for week 12 as early, and week 6 with none is missed")
    func earlyScanCountsForTheNearestVisit() {
        let statuses = F.statuses(recorded: [70], asOf: 72)
        #expect(statuses[0] == .missed)
        #expect(statuses[1] == .done(on: F.day(70), .early(days: 7)))
    }

    @Test("two scans near week 6 (days 40 and 44): the first counts, the second is an extra scan")
    func firstScanCounts() {
        #expect(F.statuses(recorded: [44, 40], asOf: 50).first == .done(on: F.day(40), .onTime))
    }

    @Test("scans after the as-of day are not read: a scan on day 45 seen as of day 44 leaves week 6 due")
    func futureScansIgnored() {
        #expect(F.statuses(recorded: [45], asOf: 44).first == .due)
    }

    @Test("tracking stops at the first visit whose window has not opened: as of day 50, weeks 6 and 12 only")
    func trackingHorizon() {
        #expect(F.statuses(recorded: [42], asOf: 50).count == 2)
    }

    @Test(
        "calendar months keep the day or take the month's last: 31 January + 1 month is 28 February, 29 February in 2028"
    )
    func monthArithmetic() throws {
        #expect(try F.date("2026-01-31").adding(.months(1)) == (try F.date("2026-02-28")))
        #expect(try F.date("2028-01-31").adding(.months(1)) == (try F.date("2028-02-29")))
        #expect(try F.date("2026-08-31").adding(.months(3)) == (try F.date("2026-11-30")))
        #expect(try F.date("2026-11-15").adding(.months(3), times: 2) == (try F.date("2027-05-15")))
    }

    @Test("survival contacts every 3 months from progression on 2026-08-31 fall on 30 November, 28 February and 31 May")
    func survivalCalendar() throws {
        let visits = F.survival.visits(from: try F.date("2026-08-31"), through: try F.date("2027-05-31"))
        #expect(visits.map(\.due) == [try F.date("2026-11-30"), try F.date("2027-02-28"), try F.date("2027-05-31")])
    }
}
