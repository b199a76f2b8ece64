/// A submitted value the registry refuses, with the field and the value named so a coordinator can
/// correct it.
public enum RegistryInputError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing(field: String)
    case notAllowed(field: String, value: String, allowed: String)
    case malformed(field: String, value: String, expected: String)
    case outOfRange(field: String, value: String, range: String)
    case inFuture(field: String, value: CalendarDate, today: CalendarDate)
    case beforeBirth(field: String, value: CalendarDate, birthYear: Int)
    case beforeDate(field: String, value: CalendarDate, otherField: String, other: CalendarDate)
    /// A CTCAE "Other, specify" term without the text that says what the event was.
    case otherSpecifyWithoutText(field: String, term: String)
    /// Text that specifies an event beside a term that is not an "Other, specify" term.
    case textWithoutOtherSpecify(field: String, value: String, term: String)

    public var description: String {
        switch self {
        case .missing(let field):
            "\(field) is required"
        case .notAllowed(let field, let value, let allowed):
            "\(field) '\(value)' is not allowed; use one of: \(allowed)"
        case .malformed(let field, let value, let expected):
            "\(field) '\(value)' is malformed; expected \(expected)"
        case .outOfRange(let field, let value, let range):
            "\(field) \(value) is out of range; allowed \(range)"
        case .inFuture(let field, let value, let today):
            "\(field) \(value) is in the future (today is \(today))"
        case .beforeBirth(let field, let value, let birthYear):
            "\(field) \(value) is before the patient's birth (born \(birthYear))"
        case .beforeDate(let field, let value, let otherField, let other):
            "\(field) \(value) is before \(otherField) \(other)"
        case .otherSpecifyWithoutText(let field, let term):
            "'\(term)' records an event CTCAE has no term for: \(field) must say what the event was"
        case .textWithoutOtherSpecify(let field, let value, let term):
            "\(field) '\(value)' goes only with a '<SOC> - Other, specify' term; '\(term)' is a CTCAE term of its own"
        }
    }
}

/// Checks that apply to every clinical date a coordinator submits.
public enum ClinicalDateCheck {
    /// A clinical event happened on or before today and not before the patient was born.
    public static func validate(
        _ date: CalendarDate, field: String, birthYear: Int?, birthDate: CalendarDate? = nil, today: CalendarDate
    ) throws(RegistryInputError) {
        if date > today { throw .inFuture(field: field, value: date, today: today) }
        if let birthDate, date < birthDate { throw .beforeBirth(field: field, value: date, birthYear: birthDate.year) }
        if let birthYear, date.year < birthYear { throw .beforeBirth(field: field, value: date, birthYear: birthYear) }
    }

    /// Parses `YYYY-MM-DD`, naming the field on failure.
    public static func parse(_ text: String, field: String) throws(RegistryInputError) -> CalendarDate {
        do {
            return try CalendarDate(iso: text)
        } catch {
            throw .malformed(field: field, value: text, expected: "an existing calendar date as YYYY-MM-DD")
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, naming the field on failure.
    public static func parsePartial(_ text: String, field: String) throws(RegistryInputError) -> PartialDate {
        do {
            return try PartialDate(iso: text)
        } catch {
            throw .malformed(field: field, value: text, expected: "an existing date as YYYY, YYYY-MM or YYYY-MM-DD")
        }
    }
}
