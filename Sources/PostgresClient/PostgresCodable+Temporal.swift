import Foundation

/// A `date` column: a day in the calendar, with no time and no time zone.
///
/// An assessment or enrollment date is a civil date; forcing it through `Date` would shift it by the
/// reader's time zone.
public struct PostgresDate: Hashable, Comparable, Sendable, PostgresCodable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static var postgresType: PostgresType { .date }
    public var postgresText: String? { description }

    public var description: String {
        let y = String(year).leftPadded(to: 4)
        return "\(y)-\(String(month).leftPadded(to: 2))-\(String(day).leftPadded(to: 2))"
    }

    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { throw PostgresDecodingFailure("not a YYYY-MM-DD date") }
        self.init(year: y, month: m, day: d)
    }

    public static func < (lhs: PostgresDate, rhs: PostgresDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// `timestamp with time zone` maps to `Date`. Every connection runs with `TimeZone=UTC` and ISO
/// output, so the text is `YYYY-MM-DD HH:MM:SS[.ffffff]+00`.
extension Date: PostgresCodable {
    public static var postgresType: PostgresType { .timestamptz }

    public var postgresText: String? {
        let seconds = timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        var components = Calendar.utc.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        components.nanosecond = 0
        let y = String(components.year!).leftPadded(to: 4)
        let date = "\(y)-\(String(components.month!).leftPadded(to: 2))-\(String(components.day!).leftPadded(to: 2))"
        let time = [components.hour!, components.minute!, components.second!]
            .map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        return "\(date) \(time).\(String(micros).leftPadded(to: 6))+00"
    }

    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        let failure = PostgresDecodingFailure("not a timestamp in ISO format with a UTC offset")
        let utf8 = Array(text.utf8)
        guard utf8.count >= 22, utf8[10] == UInt8(ascii: " ") else { throw failure }
        func number(_ range: Range<Int>) throws(PostgresDecodingFailure) -> Int {
            guard range.upperBound <= utf8.count, let n = Int(String(decoding: utf8[range], as: UTF8.self))
            else { throw failure }
            return n
        }
        let year = try number(0..<4), month = try number(5..<7), day = try number(8..<10)
        let hour = try number(11..<13), minute = try number(14..<16), second = try number(17..<19)
        var index = 19
        var fraction = 0.0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < utf8.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[index]) { index += 1 }
            fraction = Double("0." + String(decoding: utf8[start..<index], as: UTF8.self)) ?? 0
        }
        guard index < utf8.count, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-")
        else { throw failure }
        let sign = utf8[index] == UInt8(ascii: "+") ? 1 : -1
        let offsetText = String(decoding: utf8[(index + 1)...], as: UTF8.self).split(separator: ":")
        guard let offsetHours = offsetText.first.flatMap({ Int($0) }) else { throw failure }
        let offsetMinutes = offsetText.count > 1 ? Int(offsetText[1]) ?? 0 : 0
        let components = DateComponents(
            calendar: Calendar.utc, timeZone: TimeZone(identifier: "UTC"), year: year, month: month,
            day: day, hour: hour, minute: minute, second: second)
        guard let base = components.date else { throw failure }
        let offset = TimeInterval(sign * (offsetHours * 3600 + offsetMinutes * 60))
        self = Date(timeIntervalSince1970: base.timeIntervalSince1970 + fraction - offset)
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
