/// A day in the proleptic Gregorian calendar, with no time of day and no time zone.
///
/// A date of assessment, of birth or of diagnosis is a calendar day wherever it was recorded;
/// `Foundation.Date` is an instant and would shift such a day across a time-zone boundary.
/// The value is stored as a count of days since 1970-01-01, so comparing two dates and
/// counting the days between them (RECIST's 28-day confirmation, 42-day SD minimum) are
/// single integer operations on the response engine's hot path.
public struct CalendarDate: Sendable, Hashable, Comparable {
    /// Days since 1970-01-01 (negative before it).
    public let daysSinceEpoch: Int

    /// The earliest and latest year accepted; registry dates outside this range are typing errors.
    public static let supportedYears: ClosedRange<Int> = 1800...2200

    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// A date from its parts, or `nil` when the day does not exist (2023-02-29) or the year is out of range.
    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month),
            day >= 1, day <= Self.numberOfDays(inMonth: month, year: year)
        else { return nil }
        daysSinceEpoch = Self.dayNumber(year: year, month: month, day: day)
    }

    /// Parses an ISO 8601 calendar date, exactly `YYYY-MM-DD`.
    ///
    /// Partial dates (`2014-02`) are refused here on purpose: RECIST arithmetic needs a day, and the
    /// choice of which day to impute belongs to the caller (see ``PartialDate/imputed(_:)``).
    public init(iso text: String) throws(CalendarDateError) {
        // A well-formed date is read in place: a registry's worklist reads hundreds of thousands of them.
        if let date = text.utf8.withContiguousStorageIfAvailable(Self.wellFormedDay) ?? nil {
            self = date
            return
        }
        let parts = try PartialDate.numericParts(of: text)
        guard parts.count == 3 else { throw .incompleteDate(text) }
        guard let date = CalendarDate(year: parts[0], month: parts[1], day: parts[2]) else {
            throw .nonexistentDate(text)
        }
        self = date
    }

    /// `YYYY-MM-DD` in ASCII digits naming a day that exists, else nil (and the caller says why).
    private static func wellFormedDay(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    public var year: Int { civil.year }
    public var month: Int { civil.month }
    public var day: Int { civil.day }

    /// Whole days from `earlier` to this date; negative when `earlier` is later.
    public func days(since earlier: CalendarDate) -> Int {
        daysSinceEpoch - earlier.daysSinceEpoch
    }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func numberOfDays(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Counts days in 400-year eras that start on 1 March, so the leap day is the last day of a
    /// shifted year and month lengths repeat in a fixed 5-month pattern of 153 days.
    private static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private var civil: (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension CalendarDate: CustomStringConvertible {
    /// The ISO 8601 form, `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = civil
        return "\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(day))"
    }

    public static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension CalendarDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try CalendarDate(iso: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A date known to the year, the month or the day, as diagnoses and histories are often recorded
/// (`2014`, `2014-02`, `2014-02-17`).
public enum PartialDate: Sendable, Hashable {
    case year(Int)
    case yearMonth(year: Int, month: Int)
    case day(CalendarDate)

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    public init(iso text: String) throws(CalendarDateError) {
        let parts = try Self.numericParts(of: text)
        switch parts.count {
        case 1:
            guard CalendarDate.supportedYears.contains(parts[0]) else { throw .nonexistentDate(text) }
            self = .year(parts[0])
        case 2:
            guard CalendarDate.supportedYears.contains(parts[0]), (1...12).contains(parts[1]) else {
                throw .nonexistentDate(text)
            }
            self = .yearMonth(year: parts[0], month: parts[1])
        default:
            guard let date = CalendarDate(year: parts[0], month: parts[1], day: parts[2]) else {
                throw .nonexistentDate(text)
            }
            self = .day(date)
        }
    }

    /// The first day the partial date can mean (1 January, or the 1st of the month).
    public var firstDay: CalendarDate {
        switch self {
        case .year(let year): CalendarDate(year: year, month: 1, day: 1)!
        case .yearMonth(let year, let month): CalendarDate(year: year, month: month, day: 1)!
        case .day(let date): date
        }
    }

    /// The last day the partial date can mean (31 December, or the last day of the month).
    public var lastDay: CalendarDate {
        switch self {
        case .year(let year):
            CalendarDate(year: year, month: 12, day: 31)!
        case .yearMonth(let year, let month):
            CalendarDate(year: year, month: month, day: CalendarDate.numberOfDays(inMonth: month, year: year))!
        case .day(let date):
            date
        }
    }

    /// A full date chosen by a stated rule, so every partial date in an analysis is imputed the same way.
    ///
    /// The admiral convention imputes the last day for response dates (a response cannot be claimed
    /// before it could have been seen) and the first day for measurements and diagnoses.
    public func imputed(_ rule: DateImputation) -> CalendarDate {
        switch rule {
        case .firstDay: firstDay
        case .lastDay: lastDay
        }
    }

    /// Splits `YYYY[-MM[-DD]]` into numbers, checking the digit counts without a date formatter.
    static func numericParts(of text: String) throws(CalendarDateError) -> [Int] {
        let fields = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        let expectedWidths = [4, 2, 2]
        guard (1...3).contains(fields.count) else { throw .malformed(text) }
        var numbers: [Int] = []
        for (index, field) in fields.enumerated() {
            guard field.count == expectedWidths[index] else { throw .malformed(text) }
            var value = 0
            for byte in field {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .malformed(text) }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            numbers.append(value)
        }
        return numbers
    }
}

extension PartialDate: CustomStringConvertible {
    public var description: String {
        switch self {
        case .year(let year): "\(year)"
        case .yearMonth(let year, let month): "\(year)-\(CalendarDate.twoDigits(month))"
        case .day(let date): date.description
        }
    }
}

/// Which day stands in for an unknown day or month.
public enum DateImputation: String, Sendable, Hashable, Codable {
    case firstDay
    case lastDay
}

public enum CalendarDateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    case malformed(String)
    /// The parts are well formed but name no day, e.g. `2023-02-29` or month 13.
    case nonexistentDate(String)
    /// A day is required but only the year or month was given.
    case incompleteDate(String)

    public var description: String {
        switch self {
        case .malformed(let text):
            "date \"\(text)\" is not in the form YYYY-MM-DD (e.g. 2021-03-09)"
        case .nonexistentDate(let text):
            "date \"\(text)\" does not exist in the calendar (check the month and the day; years "
                + "\(CalendarDate.supportedYears.lowerBound)-\(CalendarDate.supportedYears.upperBound) are accepted)"
        case .incompleteDate(let text):
            "date \"\(text)\" lacks a day; enter the full date YYYY-MM-DD, or record it as a partial date "
                + "and impute the first or last day explicitly"
        }
    }
}
