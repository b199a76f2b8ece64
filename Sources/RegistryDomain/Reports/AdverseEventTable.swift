/// One adverse event of a treated patient, as an AE table counts it, with the dates that decide whether
/// it can count as emerging on its line.
public struct ReportedAdverseEvent: Sendable, Hashable {
    public let registryID: String
    /// The therapy line it was recorded on.
    public let lineNumber: Int
    /// CTCAE term as recorded.
    public let term: String
    /// CTCAE grade, 1 to 5.
    public let grade: Int
    public let onset: CalendarDate
    public let lineStartedOn: CalendarDate
    /// The patient's death date, if recorded.
    public let deathOn: CalendarDate?

    public init(
        registryID: String, lineNumber: Int, term: String, grade: Int, onset: CalendarDate, lineStartedOn: CalendarDate,
        deathOn: CalendarDate?
    ) {
        self.registryID = registryID
        self.lineNumber = lineNumber
        self.term = term
        self.grade = grade
        self.onset = onset
        self.lineStartedOn = lineStartedOn
        self.deathOn = deathOn
    }

    /// Why the event cannot be counted as emerging on its line, or nil when it can: an onset after the
    /// patient's death, or before the line started, is a recording error that would put a wrong count
    /// in the table. The death rule is the timeline's (``TimelineRule/afterDeath``), which commands and imports
    /// also apply, so only rows stored before it was enforced reach this.
    public var exclusionReason: String? {
        if let deathOn, PatientTimeline.isAfterDeath(onset, deathOn: deathOn) {
            return "\(term) grade \(grade) has its onset on \(onset), after the patient's death on \(deathOn)"
        }
        if onset < lineStartedOn {
            return
                "\(term) grade \(grade) has its onset on \(onset), before line \(lineNumber) started on \(lineStartedOn)"
        }
        return nil
    }
}

/// An adverse event the table leaves out, with the reason, so that nobody takes the counts for all events.
public struct ExcludedAdverseEvent: Sendable, Hashable, Codable {
    public let registryID: String
    public let lineNumber: Int
    public let reason: String
}

/// Which column the percentage threshold and the sort order use.
public enum AdverseEventBasis: String, Sendable, Hashable, Codable, CaseIterable {
    case anyGrade = "any-grade"
    case grade3OrWorse = "grade-3"
}

/// Patients with a CTCAE term at any grade and at grade 3 or worse, as counts and percentages of the
/// treated patients.
public struct AdverseEventTermCount: Sendable, Hashable, Codable {
    public let term: String
    public let anyGrade: Int
    public let anyGradePercent: Double
    public let grade3OrWorse: Int
    public let grade3OrWorsePercent: Double
}

/// The adverse-event table of a report population, like a trial publication's "most common (>= 10 %)
/// grade >= 3 adverse events": a patient counts once per term, at their worst grade.
public struct AdverseEventTable: Sendable, Hashable, Codable {
    public let treatedPatients: Int
    public let basis: AdverseEventBasis
    public let minimumPercent: Double
    /// Terms reaching ``minimumPercent`` on ``basis``, most frequent first, then by the other column and term.
    public let terms: [AdverseEventTermCount]
    /// Events not counted (see ``ReportedAdverseEvent/exclusionReason``), by registry id and line; their
    /// patients still count as treated.
    public let excludedEvents: [ExcludedAdverseEvent]

    /// - Parameter treatedPatients: the denominator; events of patients outside it should not be passed.
    public init(
        events: [ReportedAdverseEvent], treatedPatients: Int, minimumPercent: Double = 0,
        basis: AdverseEventBasis = .anyGrade
    ) {
        self.treatedPatients = treatedPatients
        self.basis = basis
        self.minimumPercent = minimumPercent
        var worst: [String: [String: Int]] = [:]
        var excluded: [ExcludedAdverseEvent] = []
        for event in events {
            if let reason = event.exclusionReason {
                excluded.append(
                    ExcludedAdverseEvent(registryID: event.registryID, lineNumber: event.lineNumber, reason: reason))
                continue
            }
            worst[event.term, default: [:]][event.registryID] = max(
                worst[event.term]?[event.registryID] ?? 0, event.grade)
        }
        func percent(_ count: Int) -> Double {
            treatedPatients == 0 ? 0 : 100 * Double(count) / Double(treatedPatients)
        }
        let all = worst.map { term, grades in
            let severe = grades.values.filter { $0 >= 3 }.count
            return AdverseEventTermCount(
                term: term, anyGrade: grades.count, anyGradePercent: percent(grades.count), grade3OrWorse: severe,
                grade3OrWorsePercent: percent(severe))
        }
        func key(_ row: AdverseEventTermCount) -> (Int, Int) {
            basis == .anyGrade ? (row.anyGrade, row.grade3OrWorse) : (row.grade3OrWorse, row.anyGrade)
        }
        terms =
            all
            .filter { (basis == .anyGrade ? $0.anyGradePercent : $0.grade3OrWorsePercent) >= minimumPercent }
            .sorted { key($0) != key($1) ? key($0) > key($1) : $0.term < $1.term }
        excludedEvents = excluded.sorted {
            ($0.registryID, $0.lineNumber, $0.reason) < ($1.registryID, $1.lineNumber, $1.reason)
        }
    }
}
