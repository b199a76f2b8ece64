/// A length of time in a protocol schedule: days (weeks are stored as 7 days) or calendar months.
public enum ScheduleSpan: Hashable, Sendable, CustomStringConvertible {
    case days(Int)
    case months(Int)

    /// The shortest and longest this span can be in days, for checks that must hold whatever the start date.
    var dayRange: ClosedRange<Int> {
        switch self {
        case .days(let count): count...count
        case .months(let count): (28 * count)...(31 * count)
        }
    }

    public var description: String {
        switch self {
        case .days(let count) where count % 7 == 0: "\(count / 7) week\(count == 7 ? "" : "s")"
        case .days(let count): "\(count) day\(count == 1 ? "" : "s")"
        case .months(let count): "\(count) month\(count == 1 ? "" : "s")"
        }
    }
}

extension CalendarDate {
    /// The date `times` spans after this one. Months are calendar months with the day kept, or the month's
    /// last day when it has fewer days (31 January plus one month is 28 or 29 February).
    public func adding(_ span: ScheduleSpan, times: Int = 1) -> CalendarDate {
        switch span {
        case .days(let count):
            return adding(days: count * times)
        case .months(let count):
            let monthIndex = year * 12 + (month - 1) + count * times
            let newYear = monthIndex / 12
            let newMonth = monthIndex % 12 + 1
            let newDay = min(day, Self.numberOfDays(inMonth: newMonth, year: newYear))
            // Outside the supported years no registry date exists; counting 30 days a month keeps the
            // arithmetic total instead of trapping.
            return CalendarDate(year: newYear, month: newMonth, day: newDay) ?? adding(days: 30 * count * times)
        }
    }
}

/// One stretch of a schedule: a visit every `every`, each on time within `windowDays` either side of its due
/// date, for `duration` (the whole remaining follow-up when nil).
public struct SchedulePhase: Hashable, Sendable {
    public let every: ScheduleSpan
    public let windowDays: Int
    public let duration: ScheduleSpan?

    public init(every: ScheduleSpan, windowDays: Int, duration: ScheduleSpan?) {
        self.every = every
        self.windowDays = windowDays
        self.duration = duration
    }
}

/// A visit of the schedule: its number from the anchor (1 is the first after it), due date and window.
public struct ScheduledVisit: Hashable, Sendable {
    public let number: Int
    public let due: CalendarDate
    public let windowDays: Int

    public var windowOpens: CalendarDate { due.adding(days: -windowDays) }
    public var windowCloses: CalendarDate { due.adding(days: windowDays) }
}

/// When a recorded visit took place relative to the window of the scheduled visit it counts for.
public enum VisitTiming: Hashable, Sendable {
    case onTime
    /// Days before the window opened.
    case early(days: Int)
    /// Days after the window closed.
    case late(days: Int)
}

/// Where a scheduled visit stands on a given day.
public enum VisitStatus: Hashable, Sendable {
    /// A recorded visit counts for it.
    case done(on: CalendarDate, VisitTiming)
    /// Its window has not opened yet.
    case upcoming
    /// Its window is open and nothing is recorded.
    case due
    /// Its window has closed, nothing is recorded, and a visit now would still count for it.
    case overdue
    /// Nothing is recorded and a visit now would count for a later one: the visit cannot be made up.
    case missed
}

/// A protocol's visit calendar for one kind of assessment, counted from an anchor (the line start for
/// imaging, progression for survival follow-up).
///
/// The schedule's rule for a late visit: due dates are fixed from the anchor and never move. A late scan
/// does not push the next one back; the next is due on its own date. That is the RECIST trial convention:
/// scans at fixed times from the start keep progression dates comparable between arms and patients, where
/// a calendar that slid with every delay would make a delayed patient's progression look later.
///
/// A recorded visit counts for the scheduled visit whose due date is nearest to it (the earlier of two at
/// the same distance); one nearer the anchor than to the first visit counts for none (it is a baseline or
/// an extra visit). The first recorded visit counting for a scheduled visit is the one that is classified.
public struct VisitSchedule: Hashable, Sendable {
    public let phases: [SchedulePhase]

    public init(phases: [SchedulePhase]) {
        self.phases = phases
    }

    /// The scheduled visits from `anchor` whose window opens on or before `through`.
    public func visits(from anchor: CalendarDate, through: CalendarDate) -> [ScheduledVisit] {
        var visits: [ScheduledVisit] = []
        var phaseStart = anchor
        for phase in phases {
            let phaseEnd = phase.duration.map { phaseStart.adding($0) }
            var index = 1
            while true {
                let due = phaseStart.adding(phase.every, times: index)
                if let phaseEnd, due > phaseEnd { break }
                let visit = ScheduledVisit(number: visits.count + 1, due: due, windowDays: phase.windowDays)
                if visit.windowOpens > through { return visits }
                visits.append(visit)
                index += 1
            }
            guard index > 1 else { return visits }
            phaseStart = visits[visits.count - 1].due
        }
        return visits
    }

    /// Every scheduled visit whose window opens on or before `asOf`, and the next one, with its status on
    /// `asOf`. Recorded dates before the anchor or after `asOf` are not read.
    public func track(
        anchor: CalendarDate, recorded: [CalendarDate], asOf: CalendarDate
    ) -> [(visit: ScheduledVisit, status: VisitStatus)] {
        let dates = recorded.filter { $0 >= anchor && $0 <= asOf }.sorted()
        // Every interval is at most two years (validated), so the visit after asOf is in this range.
        let visits = visits(from: anchor, through: asOf.adding(days: 800))
        var satisfied: [Int: CalendarDate] = [:]
        for date in dates {
            guard let index = Self.nearest(date, anchor: anchor, visits: visits), satisfied[index] == nil else {
                continue
            }
            satisfied[index] = date
        }
        // A visit made on asOf would count for this one; unrecorded visits before it cannot be made up.
        let current = Self.nearest(asOf, anchor: anchor, visits: visits)
        var tracked: [(visit: ScheduledVisit, status: VisitStatus)] = []
        for (index, visit) in visits.enumerated() {
            if visit.windowOpens > asOf, tracked.last.map({ $0.visit.windowOpens > asOf }) == true { break }
            let status: VisitStatus
            if let date = satisfied[index] {
                status = .done(on: date, Self.timing(of: date, for: visit))
            } else if asOf < visit.windowOpens {
                status = .upcoming
            } else if asOf <= visit.windowCloses {
                status = .due
            } else if let current, current > index {
                status = .missed
            } else {
                status = .overdue
            }
            tracked.append((visit, status))
        }
        return tracked
    }

    /// The index of the visit whose due date is nearest to `date`, or nil when the anchor is nearer.
    static func nearest(_ date: CalendarDate, anchor: CalendarDate, visits: [ScheduledVisit]) -> Int? {
        var best: Int? = nil
        var bestDistance = abs(date.days(since: anchor))
        for (index, visit) in visits.enumerated() {
            let distance = abs(date.days(since: visit.due))
            if distance < bestDistance {
                best = index
                bestDistance = distance
            } else if visit.due > date {
                break
            }
        }
        return best
    }

    static func timing(of date: CalendarDate, for visit: ScheduledVisit) -> VisitTiming {
        if date < visit.windowOpens { return .early(days: visit.windowOpens.days(since: date)) }
        if date > visit.windowCloses { return .late(days: date.days(since: visit.windowCloses)) }
        return .onTime
    }
}

/// A protocol's schedules: tumour imaging from the line start and survival follow-up from progression.
public struct AssessmentSchedules: Hashable, Sendable {
    public let imaging: VisitSchedule?
    public let survival: VisitSchedule?

    public init(imaging: VisitSchedule?, survival: VisitSchedule?) {
        self.imaging = imaging
        self.survival = survival
    }
}
