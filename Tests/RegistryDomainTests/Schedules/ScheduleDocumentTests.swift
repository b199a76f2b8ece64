import RegistryDomain
import Testing

@Suite("Schedules as data: read from a trial definition or a site default, refused naming the field and the value")
struct ScheduleDocumentTests {
    static func read(_ json: String) throws -> AssessmentSchedules {
        try AssessmentSchedules(document: try TrialFixtures.document(json), path: "schedule")
    }

    static func refusal(_ json: String) throws -> RegistryInputError? {
        let document = try TrialFixtures.document(json)
        do {
            _ = try AssessmentSchedules(document: document, path: "schedule")
            return nil
        } catch {
            return error
        }
    }

    @Test("APROMISS's definition carries its imaging and survival calendars")
    func apromissSchedule() throws {
        let schedule = try #require(try TrialFixtures.apromiss().schedule)
        #expect(schedule.imaging == ScheduleFixtures.imaging)
        #expect(schedule.survival == ScheduleFixtures.survival)
        #expect(try TrialFixtures.motion().schedule == nil)
    }

    @Test("days, weeks and months: 10 weeks is 70 days, a site's survival calendar alone is enough")
    func units() throws {
        let schedule = try Self.read(
            #"{"imaging": [{"every": {"weeks": 10}, "windowDays": 7}], "survival": [{"every": {"days": 90}, "windowDays": 0}]}"#
        )
        #expect(schedule.imaging?.phases.first?.every == .days(70))
        #expect(schedule.survival?.phases.first?.every == .days(90))
        #expect(try Self.read(#"{"survival": [{"every": {"months": 6}, "windowDays": 30}]}"#).imaging == nil)
    }

    @Test("a window of 21 days around 6-weekly scans is refused: neighbouring windows would meet")
    func windowTooWide() throws {
        let error = try Self.refusal(#"{"imaging": [{"every": {"weeks": 6}, "windowDays": 21}]}"#)
        guard case .outOfRange(let field, let value, _)? = error else {
            Issue.record("expected outOfRange, got \(String(describing: error))")
            return
        }
        #expect(field == "schedule.imaging[0].windowDays")
        #expect(value == "21")
    }

    @Test("imaging every 6 weeks with no 'for' followed by a 12-weekly phase is refused: the first phase never ends")
    func openPhaseBeforeAnother() throws {
        let error = try Self.refusal(
            #"{"imaging": [{"every": {"weeks": 6}, "windowDays": 7}, {"every": {"weeks": 12}, "windowDays": 7}]}"#)
        #expect(error == .missing(field: "schedule.imaging[0].for"))
    }

    @Test("a phase of 4 weeks with scans every 6 weeks is refused: it would hold no visit")
    func phaseShorterThanInterval() throws {
        let error = try Self.refusal(
            #"{"imaging": [{"every": {"weeks": 6}, "windowDays": 7, "for": {"weeks": 4}}, {"every": {"weeks": 12}, "windowDays": 7}]}"#
        )
        guard case .outOfRange(let field, let value, _)? = error else {
            Issue.record("expected outOfRange, got \(String(describing: error))")
            return
        }
        #expect(field == "schedule.imaging[0].for")
        #expect(value == "4 weeks")
    }

    @Test(
        "an interval in weeks and months at once, an unknown unit, an unknown assessment and an empty schedule are refused"
    )
    func malformed() throws {
        #expect(
            try Self.refusal(#"{"imaging": [{"every": {"weeks": 6, "months": 1}, "windowDays": 7}]}"#)
                == .notAllowed(
                    field: "schedule.imaging[0].every", value: "{…}", allowed: "exactly one of days, weeks, months"))
        #expect(
            try Self.refusal(#"{"imaging": [{"every": {"cycles": 2}, "windowDays": 7}]}"#)
                == .notAllowed(
                    field: "schedule.imaging[0].every.cycles", value: "2", allowed: "fields days, weeks, months"))
        #expect(
            try Self.refusal(#"{"labs": []}"#)
                == .notAllowed(field: "schedule.labs", value: "[…]", allowed: "fields imaging, survival"))
        #expect(try Self.refusal(#"{}"#) == .missing(field: "schedule.imaging"))
        #expect(try Self.refusal(#"{"imaging": []}"#) == .missing(field: "schedule.imaging[0]"))
        #expect(
            try Self.refusal(#"{"imaging": [{"every": {"weeks": 0}, "windowDays": 0}]}"#)
                == .outOfRange(field: "schedule.imaging[0].every.weeks", value: "0", range: "1 to 104"))
        #expect(
            try Self.refusal(#"{"imaging": [{"every": {"weeks": 6}}]}"#)
                == .missing(field: "schedule.imaging[0].windowDays"))
    }

    @Test("a trial definition with a malformed schedule is refused naming schedule.survival[0].every")
    func trialDefinitionRefusal() throws {
        let data = try String(
            contentsOf: TrialFixtures.repositoryRoot.appendingPathComponent("Trials/NCT03016819-apromiss.json"),
            encoding: .utf8)
        let replaced = data.replacingOccurrences(
            of: #""survival": [{"every": {"months": 3}, "windowDays": 14}]"#, with: #""survival": [{"windowDays": 14}]"#
        )
        #expect(replaced != data, "fixture drifted")
        let document = try TrialFixtures.document(replaced)
        let vocabulary = try TrialFixtures.vocabulary()
        #expect(throws: RegistryInputError.missing(field: "schedule.survival[0].every")) {
            try TrialDefinition(document: document, vocabulary: vocabulary)
        }
    }
}
