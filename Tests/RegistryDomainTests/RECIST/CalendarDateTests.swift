import Foundation
import Testing

import RegistryDomain

@Suite("Calendar dates without time zones, and partial dates")
struct CalendarDateTests {
    @Test("rule: ISO YYYY-MM-DD parses and prints back unchanged, leap day 2024-02-29 included")
    func isoRoundTrip() throws {
        for text in ["2024-02-29", "1999-12-31", "2000-01-01", "1969-07-20", "2100-03-01"] {
            #expect(try CalendarDate(iso: text).description == text)
        }
        let leapDay = try CalendarDate(iso: "2024-02-29")
        #expect(leapDay.year == 2024 && leapDay.month == 2 && leapDay.day == 29)
    }

    @Test(
        "rule: days between dates cross month, leap-year and century boundaries (2023-12-31 to 2024-03-01 is 61 days)")
    func daysBetween() throws {
        #expect(try CalendarDate(iso: "2024-03-01").days(since: CalendarDate(iso: "2023-12-31")) == 61)
        #expect(try CalendarDate(iso: "2100-03-01").days(since: CalendarDate(iso: "2100-02-28")) == 1)
        #expect(try CalendarDate(iso: "2000-03-01").days(since: CalendarDate(iso: "2000-02-28")) == 2)
        #expect(try CalendarDate(iso: "1970-01-01").daysSinceEpoch == 0)
        #expect(try CalendarDate(iso: "2024-01-08").adding(days: 42) == CalendarDate(iso: "2024-02-19"))
        #expect(try CalendarDate(iso: "1969-12-31") < CalendarDate(iso: "1970-01-01"))
    }

    @Test("rule: every day from 1900 to 2100 converts to its day number and back")
    func everyDayRoundTrips() throws {
        var previous: Int?
        for year in 1900...2100 {
            for month in 1...12 {
                for day in 1...31 {
                    guard let date = CalendarDate(year: year, month: month, day: day) else { continue }
                    #expect(date.year == year && date.month == month && date.day == day)
                    if let previous { #expect(date.daysSinceEpoch == previous + 1) }
                    previous = date.daysSinceEpoch
                }
            }
        }
    }

    @Test(
        "rule: impossible or malformed dates are refused with the text quoted (2023-02-29, 2024-13-01, 24-1-8, ten characters that are not a date: 2024/01/08, 2024-0a-08)"
    )
    func invalidDates() {
        #expect(throws: CalendarDateError.nonexistentDate("2023-02-29")) { try CalendarDate(iso: "2023-02-29") }
        #expect(throws: CalendarDateError.nonexistentDate("2024-13-01")) { try CalendarDate(iso: "2024-13-01") }
        #expect(throws: CalendarDateError.malformed("24-1-8")) { try CalendarDate(iso: "24-1-8") }
        #expect(throws: CalendarDateError.malformed("2024-01-08T00:00")) { try CalendarDate(iso: "2024-01-08T00:00") }
        #expect(throws: CalendarDateError.malformed("2024/01/08")) { try CalendarDate(iso: "2024/01/08") }
        #expect(throws: CalendarDateError.malformed("2024-0a-08")) { try CalendarDate(iso: "2024-0a-08") }
        #expect(throws: CalendarDateError.malformed("-024-01-08")) { try CalendarDate(iso: "-024-01-08") }
        #expect(CalendarDateError.nonexistentDate("2023-02-29").description.contains("2023-02-29"))
    }

    @Test(
        "edge case 9: a partial date 2014-02 is rejected where a day is needed, or imputed to 2014-02-01 / 2014-02-28 by a stated rule"
    )
    func partialDates() throws {
        #expect(throws: CalendarDateError.incompleteDate("2014-02")) { try CalendarDate(iso: "2014-02") }
        let february = try PartialDate(iso: "2014-02")
        #expect(february == .yearMonth(year: 2014, month: 2))
        #expect(february.imputed(.firstDay) == CalendarDate(year: 2014, month: 2, day: 1))
        #expect(february.imputed(.lastDay) == CalendarDate(year: 2014, month: 2, day: 28))
        #expect(try PartialDate(iso: "2016-02").lastDay == CalendarDate(year: 2016, month: 2, day: 29))
        #expect(try PartialDate(iso: "2014").imputed(.lastDay) == CalendarDate(year: 2014, month: 12, day: 31))
        #expect(try PartialDate(iso: "2014-02-17") == .day(CalendarDate(year: 2014, month: 2, day: 17)!))
        #expect(february.description == "2014-02")
        #expect(throws: CalendarDateError.nonexistentDate("2014-00")) { try PartialDate(iso: "2014-00") }
    }

    @Test("rule: a calendar date encodes as its ISO text in JSON")
    func codable() throws {
        let date = try CalendarDate(iso: "2024-02-29")
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2024-02-29"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
    }
}
