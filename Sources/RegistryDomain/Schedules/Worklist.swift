/// What a worklist entry asks the coordinator to do.
public enum WorklistItemKind: String, Codable, Sendable, Hashable {
    /// A scan whose window has closed with none recorded.
    case imagingOverdue = "imaging_overdue"
    /// A scan whose window is open or whose due date is within ``Worklist/horizonDays``.
    case imagingDue = "imaging_due"
    /// A survival follow-up contact whose window has closed with no contact recorded.
    case survivalContactOverdue = "survival_contact_overdue"
    /// A patient on a line with no assessment at all: no baseline and no follow-up of the line.
    case noAssessment = "no_assessment"
    /// A query on the patient's data, not closed, opened more than ``QueryAgeing/worklistDays`` days ago.
    case queryWaiting = "query_waiting"
}

/// One thing to do for one patient, with what is due, since when and how late.
public struct WorklistItem: Codable, Sendable, Hashable {
    public let registryID: String
    public let kind: WorklistItemKind
    /// The visit, e.g. `imaging visit 3 of line 1 (week 18)`.
    public let what: String
    /// The due date of the visit, or the line start for ``WorklistItemKind/noAssessment``.
    public let dueSince: CalendarDate
    /// Days since the window closed (overdue), since the due date (negative while it is ahead), or since the
    /// line start (no assessment); the worklist is sorted by it, latest first.
    public let daysLate: Int
    /// Visits of this schedule since the last one recorded that can no longer be made up.
    public let missedVisits: Int
    /// Whose schedule applies: the trial's NCT number or `site MUC`.
    public let schedule: String

    public init(
        registryID: String, kind: WorklistItemKind, what: String, dueSince: CalendarDate, daysLate: Int,
        missedVisits: Int, schedule: String
    ) {
        self.registryID = registryID
        self.kind = kind
        self.what = what
        self.dueSince = dueSince
        self.daysLate = daysLate
        self.missedVisits = missedVisits
        self.schedule = schedule
    }
}

/// The coordinator's worklist rules, from recorded dates and the schedule that applies.
///
/// Per schedule the worklist names one visit, the outstanding one: the first scheduled visit after the
/// last one a recorded visit counts for. It is overdue once its window has closed (however many visits
/// after it were missed too; they are counted), and due when its window is open or its due date is within
/// ``horizonDays``.
///
/// The outstanding visit follows from the latest recorded visit up to the day alone: a recorded date counts for
/// the visit nearest to it, so a later date never counts for an earlier visit, and the visit the latest date
/// counts for is the last one done. A caller may therefore pass only that date (the worklist reads it per line
/// from a table the database keeps) and gets the entries every recorded date would give.
public enum Worklist {
    /// How far ahead a due visit is listed.
    public static let horizonDays = 14

    /// The imaging entries of one line on `asOf`.
    public static func imaging(
        registryID: String, lineNumber: Int, lineStart: CalendarDate, assessedOn: [CalendarDate], hasBaseline: Bool,
        schedule: VisitSchedule, scheduleName: String, asOf: CalendarDate
    ) -> [WorklistItem] {
        var items: [WorklistItem] = []
        if assessedOn.isEmpty && !hasBaseline {
            items.append(
                WorklistItem(
                    registryID: registryID, kind: .noAssessment,
                    what: "no assessment of line \(lineNumber) and no baseline",
                    dueSince: lineStart, daysLate: asOf.days(since: lineStart), missedVisits: 0, schedule: scheduleName)
            )
        }
        guard
            let (visit, missed, overdue) = outstanding(
                schedule.track(anchor: lineStart, recorded: assessedOn, asOf: asOf), asOf: asOf)
        else { return items }
        let what = "imaging visit \(visit.number) of line \(lineNumber) (\(offset(of: visit.due, from: lineStart)))"
        if overdue {
            items.append(
                WorklistItem(
                    registryID: registryID, kind: .imagingOverdue, what: what, dueSince: visit.due,
                    daysLate: asOf.days(since: visit.windowCloses), missedVisits: missed, schedule: scheduleName))
        } else if visit.due.days(since: asOf) <= horizonDays {
            items.append(
                WorklistItem(
                    registryID: registryID, kind: .imagingDue, what: what, dueSince: visit.due,
                    daysLate: asOf.days(since: visit.due), missedVisits: missed, schedule: scheduleName))
        }
        return items
    }

    /// The survival follow-up entry of a patient who progressed on `progressedOn`, when a contact is overdue.
    public static func survival(
        registryID: String, progressedOn: CalendarDate, lastContact: CalendarDate?, schedule: VisitSchedule,
        scheduleName: String,
        asOf: CalendarDate
    ) -> WorklistItem? {
        guard
            let (visit, missed, overdue) = outstanding(
                schedule.track(anchor: progressedOn, recorded: lastContact.map { [$0] } ?? [], asOf: asOf), asOf: asOf),
            overdue
        else { return nil }
        return WorklistItem(
            registryID: registryID, kind: .survivalContactOverdue,
            what:
                "survival contact \(visit.number) after progression on \(progressedOn) (\(offset(of: visit.due, from: progressedOn)))",
            dueSince: visit.due, daysLate: asOf.days(since: visit.windowCloses), missedVisits: missed,
            schedule: scheduleName)
    }

    /// The entry of a query not closed, once it has waited more than ``QueryAgeing/worklistDays`` days: due since the
    /// day it was opened, late by the days past that limit.
    public static func waitingQuery(
        registryID: String, queryID: Int, record: DataRecord, status: QueryStatus, openedOn: CalendarDate,
        asOf: CalendarDate
    ) -> WorklistItem? {
        let late = asOf.days(since: openedOn.adding(days: QueryAgeing.worklistDays))
        guard status.isUnresolved, late > 0 else { return nil }
        return WorklistItem(
            registryID: registryID, kind: .queryWaiting, what: "query \(queryID) on \(record) (\(status.rawValue))",
            dueSince: openedOn,
            daysLate: late, missedVisits: 0, schedule: "data queries")
    }

    /// Latest first; among equals by registry id in number order, then by what is due.
    public static func sorted(_ items: [WorklistItem]) -> [WorklistItem] {
        // One site's ids share the prefix and are zero-padded to 4 digits, so the shorter id is the smaller
        // number: MUC-9999 comes before MUC-10000, which text order alone would reverse.
        items.sorted {
            ($1.daysLate, $0.registryID.utf8.count, $0.registryID, $0.what) < (
                $0.daysLate, $1.registryID.utf8.count, $1.registryID, $1.what
            )
        }
    }

    /// The first visit after the last done, the visits missed since, and whether its window has closed.
    static func outstanding(
        _ tracked: [(visit: ScheduledVisit, status: VisitStatus)], asOf: CalendarDate
    )
        -> (ScheduledVisit, missed: Int, overdue: Bool)?
    {
        let lastDone = tracked.lastIndex { if case .done = $0.status { true } else { false } }
        let open = tracked[(lastDone.map { $0 + 1 } ?? 0)...]
        guard let first = open.first else { return nil }
        let missed = open.filter { $0.status == .missed }.count
        return (first.visit, missed, first.visit.windowCloses < asOf)
    }

    /// `week 18` when the offset is whole weeks, else `day 45`.
    static func offset(of date: CalendarDate, from anchor: CalendarDate) -> String {
        let days = date.days(since: anchor)
        return days % 7 == 0 ? "week \(days / 7)" : "day \(days)"
    }
}

/// Which of a protocol's calendars a worklist entry follows.
public enum ScheduleKind: String, Sendable, Hashable {
    case imaging
    case survival
}

extension Worklist {
    /// The calendar a patient follows: the trial's when the line is in a trial whose definition gives this
    /// calendar, else the site's default; nil with the reason when neither exists.
    public static func schedule(
        _ kind: ScheduleKind, trialNCT: String?, trialSchedules: [String: AssessmentSchedules], site: String,
        siteDefault: AssessmentSchedules?
    ) -> Result<(schedule: VisitSchedule, name: String), ScheduleUnavailable> {
        func pick(_ schedules: AssessmentSchedules?) -> VisitSchedule? {
            switch kind {
            case .imaging: schedules?.imaging
            case .survival: schedules?.survival
            }
        }
        if let trialNCT, let schedule = pick(trialSchedules[trialNCT]) { return .success((schedule, trialNCT)) }
        if let schedule = pick(siteDefault) { return .success((schedule, "site \(site)")) }
        return .failure(ScheduleUnavailable(kind: kind, trialNCT: trialNCT, site: site))
    }
}

/// No calendar applies to a patient: the trial (if any) gives none of this kind and the site has no default.
public struct ScheduleUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    public let kind: ScheduleKind
    public let trialNCT: String?
    public let site: String

    public var description: String {
        let trial = trialNCT.map { "trial \($0) defines no \(kind.rawValue) schedule and " } ?? ""
        return
            "no \(kind.rawValue) schedule: \(trial)site \(site) has no default \(kind.rawValue) schedule (sarcreg site schedule --site \(site) --file ...)"
    }
}
