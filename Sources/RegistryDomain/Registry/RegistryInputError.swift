/// A submitted value the registry refuses, with the field and the value named so a coordinator can
/// correct it.
public enum RegistryInputError: Error, Hashable, Sendable, WordedMessage {
    case missing(field: Field)
    /// None of the fields of a correction was given, where at least one is needed.
    case missingAny(fields: [Field])
    case notAllowed(field: Field, value: String, allowed: String)
    case malformed(field: Field, value: String, expected: String)
    case outOfRange(field: Field, value: String, range: String)
    case inFuture(field: Field, value: CalendarDate, today: CalendarDate)
    case beforeBirth(field: Field, value: CalendarDate, birthYear: Int)
    case beforeDate(field: Field, value: CalendarDate, otherField: Field, other: CalendarDate)
    /// A CTCAE "Other, specify" term without the text that says what the event was.
    case otherSpecifyWithoutText(field: Field, term: String)
    /// Text that specifies an event beside a term that is not an "Other, specify" term.
    case textWithoutOtherSpecify(field: Field, value: String, term: String)

    public func message(_ wording: Wording) -> String {
        switch self {
        case .missing(let field):
            "\(wording.field(field)) is required"
        case .missingAny(let fields):
            "\(wording.anyOf(fields)) is required"
        case .notAllowed(let field, let value, let allowed):
            "\(wording.field(field)) '\(value)' is not allowed; use one of: \(allowed)"
        case .malformed(let field, let value, let expected):
            "\(wording.field(field)) '\(value)' is malformed; expected \(expected)"
        case .outOfRange(let field, let value, let range):
            "\(wording.field(field)) \(value) is out of range; allowed \(range)"
        case .inFuture(let field, let value, let today):
            "\(wording.field(field)) \(value) is in the future (today is \(today))"
        case .beforeBirth(let field, let value, let birthYear):
            "\(wording.field(field)) \(value) is before the patient's birth (born \(birthYear))"
        case .beforeDate(let field, let value, let otherField, let other):
            "\(wording.field(field)) \(value) is before \(wording.field(otherField)) \(other)"
        case .otherSpecifyWithoutText(let field, let term):
            "'\(term)' records an event CTCAE has no term for: \(wording.field(field)) must say what the event was"
        case .textWithoutOtherSpecify(let field, let value, let term):
            "\(wording.field(field)) '\(value)' goes only with a '<SOC> - Other, specify' term; '\(term)' is a CTCAE term of its own"
        }
    }
}

/// Checks that apply to every clinical date a coordinator submits.
public enum ClinicalDateCheck {
    /// A clinical event happened on or before today and not before the patient was born.
    public static func validate(
        _ date: CalendarDate, field: Field, birthYear: Int?, birthDate: CalendarDate? = nil, today: CalendarDate
    ) throws(RegistryInputError) {
        if date > today { throw .inFuture(field: field, value: date, today: today) }
        if let birthDate, date < birthDate { throw .beforeBirth(field: field, value: date, birthYear: birthDate.year) }
        if let birthYear, date.year < birthYear { throw .beforeBirth(field: field, value: date, birthYear: birthYear) }
    }

    /// Parses `YYYY-MM-DD`, naming the field on failure.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> CalendarDate {
        do {
            return try CalendarDate(iso: text)
        } catch {
            throw .malformed(field: field, value: text, expected: "an existing calendar date as YYYY-MM-DD")
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, naming the field on failure.
    public static func parsePartial(_ text: String, field: Field) throws(RegistryInputError) -> PartialDate {
        do {
            return try PartialDate(iso: text)
        } catch {
            throw .malformed(field: field, value: text, expected: "an existing date as YYYY, YYYY-MM or YYYY-MM-DD")
        }
    }
}
