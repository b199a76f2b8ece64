/// The kinds of a patient's record that a query can name and a monitor can verify against the source.
public enum DataRecordKind: String, Sendable, CaseIterable, Codable {
    case assessment
    case lesionResult = "lesion_result"
    case adverseEvent = "adverse_event"
    case therapyLine = "therapy_line"
    case diagnosis
    case molecularResult = "molecular_result"

    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// How the reference of a record of this kind is written.
    public var referenceForm: String {
        switch self {
        case .assessment: "EVALUATOR/YYYY-MM-DD (the visit)"
        case .lesionResult: "EVALUATOR/YYYY-MM-DD/LESION"
        case .adverseEvent: "the adverse event's id"
        case .therapyLine: "the line number"
        case .diagnosis: "the diagnosis's id"
        case .molecularResult: "the molecular result's id"
        }
    }
}

/// One record of a patient, as a query names it and a verification marks it: an assessment by its evaluator
/// and date (`investigator/2024-05-02`), a lesion result by its visit and lesion label
/// (`investigator/2024-05-02/T1`), an adverse event, diagnosis or molecular result by its id, a therapy line by
/// its number. The database's triggers build the same references (migration 0033).
public struct DataRecord: Sendable, Hashable, Codable, CustomStringConvertible {
    public let kind: DataRecordKind
    public let reference: String

    public var description: String { "\(kind.rawValue) \(reference)" }

    /// Parses `kind:reference`, e.g. `assessment:investigator/2024-05-02` or `adverse_event:12`.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> DataRecord {
        let parts = text.split(separator: ":", maxSplits: 1).map { String($0).trimmingWhitespace }
        let expected =
            "KIND:REFERENCE with KIND one of \(DataRecordKind.allowedValues), e.g. assessment:investigator/2024-05-02"
        guard parts.count == 2,
            let kind = DataRecordKind(rawValue: parts[0].lowercased().replacingOccurrences(of: "-", with: "_"))
        else {
            throw .malformed(field: field, value: text, expected: expected)
        }
        return try DataRecord(kind: kind, reference: parts[1], field: field)
    }

    /// A record as the registry stored it, whose reference was checked when it was written (or built by the
    /// registry itself, as a discrepancy's visit with a partial source date).
    public init(stored kind: DataRecordKind, reference: String) {
        self.kind = kind
        self.reference = reference
    }

    /// A record of `kind` whose reference has the kind's form; an evaluator is lower-cased, a date must be a day.
    public init(kind: DataRecordKind, reference: String, field: Field) throws(RegistryInputError) {
        let pieces = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func malformed() -> RegistryInputError {
            .malformed(
                field: field, value: "\(kind.rawValue):\(reference)", expected: "\(kind.rawValue):\(kind.referenceForm)"
            )
        }
        switch kind {
        case .assessment, .lesionResult:
            guard pieces.count == (kind == .assessment ? 2 : 3),
                pieces[0].wholeMatch(of: /[A-Za-z][A-Za-z0-9_-]{0,39}/) != nil,
                let date = try? CalendarDate(iso: pieces[1])
            else { throw malformed() }
            let visit = "\(pieces[0].lowercased())/\(date)"
            if kind == .lesionResult {
                guard !pieces[2].trimmingWhitespace.isEmpty else { throw malformed() }
                self.reference = "\(visit)/\(pieces[2].trimmingWhitespace.uppercased())"
            } else {
                self.reference = visit
            }
        case .adverseEvent, .therapyLine, .diagnosis, .molecularResult:
            guard let number = Int(reference), number >= 1 else { throw malformed() }
            self.reference = String(number)
        }
        self.kind = kind
    }
}

/// Where a query stands. Each change is one of ``transitions``; the database allows the same ones
/// (`data_query_transition_allowed`, migration 0033), and a test keeps the two equal.
public enum QueryStatus: String, RegistryVocabulary {
    case open, answered, closed, reopened

    public struct Transition: Sendable, Hashable {
        public let from: QueryStatus
        public let to: QueryStatus
    }

    /// A site answers an open or reopened query; the opener or a monitor closes it (answered or not) and
    /// reopens an answer that does not settle it, or a closed query.
    public static let transitions: Set<Transition> = [
        Transition(from: .open, to: .answered), Transition(from: .open, to: .closed),
        Transition(from: .answered, to: .closed), Transition(from: .answered, to: .reopened),
        Transition(from: .closed, to: .reopened),
        Transition(from: .reopened, to: .answered), Transition(from: .reopened, to: .closed),
    ]

    public func allows(_ next: QueryStatus) -> Bool { Self.transitions.contains(Transition(from: self, to: next)) }

    /// Whether the query still waits for someone: the site (open, reopened) or the opener (answered).
    public var isUnresolved: Bool { self != .closed }
}

/// What a message of a query's thread does.
public enum QueryAction: String, Sendable, CaseIterable, Codable {
    case open, answer, close, reopen

    /// The status the query has after the action.
    public var status: QueryStatus {
        switch self {
        case .open: .open
        case .answer: .answered
        case .close: .closed
        case .reopen: .reopened
        }
    }
}

/// Queries not closed that have waited longer than this appear on the site's worklist (issue 18).
public enum QueryAgeing {
    public static let worklistDays = 14
}
