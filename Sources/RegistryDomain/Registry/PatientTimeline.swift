/// The rules every dated record of a patient keeps, whichever path writes it (a command, an import, a
/// correction) and whichever reads it back (`sarcreg db check`, the AE table).
public enum TimelineRule: String, CaseIterable, Sendable, Hashable, Codable {
    /// Nothing is dated after the patient's death except the death itself (and the vital status that says so).
    case afterDeath = "after_death"
    /// Nothing is dated before the patient's year of birth (or the birth date, where it is known).
    case beforeBirth = "before_birth"
    /// Two therapy lines of a patient do not overlap unless one of them is marked concurrent.
    case overlappingLines = "overlapping_lines"
    /// An adverse event does not start before the patient's first line unless it is marked baseline.
    case adverseEventBeforeFirstLine = "adverse_event_before_first_line"
    /// After the withdrawal of consent nothing new is recorded except vital status: the vital status, the
    /// date of death and the last contact.
    case afterWithdrawal = "after_withdrawal"

    /// The rule in a coordinator's words, with the field that marks an exception as the front end names it.
    public func statement(_ wording: Wording) -> String {
        switch self {
        case .overlappingLines: statement(marked: wording.field(.concurrent))
        case .adverseEventBeforeFirstLine: statement(marked: wording.field(.baseline))
        case .afterDeath, .beforeBirth, .afterWithdrawal: statement(marked: "")
        }
    }

    /// The rule in a coordinator's words, with how the path that writes the record marks an exception
    /// (`SUPPEX QNAM CONCURNT = Y` in an SDTM export); a rule without exceptions ignores `mark`.
    public func statement(marked mark: String) -> String {
        switch self {
        case .afterDeath: "nothing is dated after the patient's death except the death itself"
        case .beforeBirth: "nothing is dated before the patient's birth"
        case .overlappingLines: "therapy lines of a patient do not overlap unless marked concurrent (\(mark))"
        case .adverseEventBeforeFirstLine:
            "an adverse event starts on or after the first line's start unless marked baseline (\(mark))"
        case .afterWithdrawal:
            "after the withdrawal of consent only vital status, date of death and last contact are recorded"
        }
    }
}

/// A dated value that breaks a ``TimelineRule``, naming the field, the value and what it conflicts with.
public struct TimelineViolation: Error, Sendable, Hashable, WordedMessage {
    public let rule: TimelineRule
    public let field: Field
    public let value: CalendarDate
    /// What the value conflicts with: `the patient died on 2024-05-01`.
    public let conflict: String

    public init(rule: TimelineRule, field: Field, value: CalendarDate, conflict: String) {
        self.rule = rule
        self.field = field
        self.value = value
        self.conflict = conflict
    }

    public func message(_ wording: Wording) -> String {
        "\(wording.field(field)) \(value): \(conflict); \(rule.statement(wording)) (rule \(rule.rawValue))"
    }
}

/// The dates of one patient that bound every other record: birth, death, withdrawal of consent, and the
/// therapy lines.
public struct PatientTimeline: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public let number: Int
        public let startedOn: CalendarDate
        public let stoppedOn: CalendarDate?
        public let concurrent: Bool

        public init(number: Int, startedOn: CalendarDate, stoppedOn: CalendarDate?, concurrent: Bool) {
            self.number = number
            self.startedOn = startedOn
            self.stoppedOn = stoppedOn
            self.concurrent = concurrent
        }
    }

    /// What a dated value records: vital status (the status, the date of death, the last contact) is the one
    /// kind admitted after the withdrawal of consent.
    public enum RecordKind: Sendable, Hashable {
        case clinical
        case vitalStatus
    }

    /// The years a birth year may take, as the schema's `patients_birth_year_range` and the imports check it.
    public static let birthYears = 1900...2200

    public let birthYear: Int
    public let birthDate: CalendarDate?
    public let deathOn: CalendarDate?
    public let consentWithdrawnOn: CalendarDate?
    public let lines: [Line]

    public init(
        birthYear: Int, birthDate: CalendarDate? = nil, deathOn: CalendarDate? = nil,
        consentWithdrawnOn: CalendarDate? = nil,
        lines: [Line] = []
    ) {
        self.birthYear = birthYear
        self.birthDate = birthDate
        self.deathOn = deathOn
        self.consentWithdrawnOn = consentWithdrawnOn
        self.lines = lines
    }

    /// The first line's start, from which adverse events count as emerging on treatment.
    public var firstLineStart: CalendarDate? { lines.map(\.startedOn).min() }

    /// Checks a dated value: not before birth, not after death, not after the withdrawal of consent unless it
    /// is vital status.
    public func check(_ date: CalendarDate, field: Field, kind: RecordKind = .clinical) throws(TimelineViolation) {
        if let birthDate, date < birthDate {
            throw TimelineViolation(
                rule: .beforeBirth, field: field, value: date, conflict: "the patient was born on \(birthDate)")
        }
        if date.year < birthYear {
            throw TimelineViolation(
                rule: .beforeBirth, field: field, value: date, conflict: "the patient was born in \(birthYear)")
        }
        if let deathOn, Self.isAfterDeath(date, deathOn: deathOn) {
            throw TimelineViolation(
                rule: .afterDeath, field: field, value: date, conflict: "the patient died on \(deathOn)")
        }
        if kind == .clinical, let consentWithdrawnOn, date > consentWithdrawnOn {
            throw TimelineViolation(
                rule: .afterWithdrawal, field: field, value: date,
                conflict: "the patient withdrew consent on \(consentWithdrawnOn)")
        }
    }

    /// Checks a therapy line as it would be stored (a new line, or a stored line with new dates): its dates,
    /// and no overlap with another line of the patient unless either is concurrent.
    public func check(line: Line, startField: Field, stopField: Field) throws(TimelineViolation) {
        try check(line.startedOn, field: startField)
        if let stop = line.stoppedOn { try check(stop, field: stopField) }
        guard !line.concurrent else { return }
        for other in lines where other.number != line.number && !other.concurrent && Self.overlap(line, other) {
            let otherSpan = "\(other.startedOn) to \(other.stoppedOn.map(\.description) ?? "ongoing")"
            throw TimelineViolation(
                rule: .overlappingLines, field: startField, value: line.startedOn,
                conflict:
                    "line \(line.number) (\(line.startedOn) to \(line.stoppedOn.map(\.description) ?? "ongoing")) "
                    + "overlaps line \(other.number) (\(otherSpan))")
        }
    }

    /// Checks an adverse event's onset: its date, and not before the first line's start unless baseline.
    public func check(adverseEventOnset onset: CalendarDate, baseline: Bool, field: Field) throws(TimelineViolation) {
        try check(onset, field: field)
        if !baseline, let first = firstLineStart, onset < first {
            throw TimelineViolation(
                rule: .adverseEventBeforeFirstLine, field: field, value: onset,
                conflict: "the first therapy line started on \(first)")
        }
    }

    /// A line stopped on the day the next one starts does not overlap it: switching therapy on one day is
    /// the usual change of line.
    static func overlap(_ a: Line, _ b: Line) -> Bool {
        let aEndsBeforeB = a.stoppedOn.map { $0 <= b.startedOn } ?? false
        let bEndsBeforeA = b.stoppedOn.map { $0 <= a.startedOn } ?? false
        return !aEndsBeforeB && !bEndsBeforeA
    }

    /// Whether a date breaks ``TimelineRule/afterDeath``; the day of death itself does not.
    public static func isAfterDeath(_ date: CalendarDate, deathOn: CalendarDate?) -> Bool {
        deathOn.map { date > $0 } ?? false
    }
}
