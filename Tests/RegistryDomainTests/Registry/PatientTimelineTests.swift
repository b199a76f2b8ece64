import RegistryDomain
import Testing

@Suite("The timeline rules every dated record keeps")
struct PatientTimelineTests {
    let died = CalendarDate(year: 2024, month: 5, day: 1)!
    let lineOne = PatientTimeline.Line(
        number: 1, startedOn: CalendarDate(year: 2024, month: 1, day: 20)!, stoppedOn: nil, concurrent: false)

    func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso: text) }

    @Test(
        "an AE with onset 2024-08-10 of a patient who died on 2024-05-01 breaks after_death; the day of death itself does not"
    )
    func afterDeath() throws {
        let timeline = PatientTimeline(birthYear: 1975, deathOn: died, lines: [lineOne])
        let error = #expect(throws: TimelineViolation.self) {
            try timeline.check(adverseEventOnset: try date("2024-08-10"), baseline: false, field: .onsetDate)
        }
        #expect(error?.rule == .afterDeath)
        #expect(
            error?.description == "onset date 2024-08-10: the patient died on 2024-05-01; "
                + "nothing is dated after the patient's death except the death itself (rule after_death)")
        try timeline.check(adverseEventOnset: died, baseline: false, field: .onsetDate)
    }

    @Test(
        "a diagnosis dated 1974 for a patient born in 1975 breaks before_birth, as does a day before a known birth date"
    )
    func beforeBirth() throws {
        #expect(
            throws: TimelineViolation(
                rule: .beforeBirth, field: .diagnosisDate, value: try date("1974-12-31"),
                conflict: "the patient was born in 1975")
        ) {
            try PatientTimeline(birthYear: 1975).check(try date("1974-12-31"), field: .diagnosisDate)
        }
        let born = try date("1975-06-01")
        let error = #expect(throws: TimelineViolation.self) {
            try PatientTimeline(birthYear: 1975, birthDate: born).check(try date("1975-05-31"), field: .diagnosisDate)
        }
        #expect(error?.rule == .beforeBirth)
    }

    @Test(
        "line 2 started 2024-09-01 while line 1 (from 2024-01-20) is open overlaps it; marked concurrent it does not; started the day line 1 stopped it follows it"
    )
    func overlappingLines() throws {
        let timeline = PatientTimeline(birthYear: 1975, lines: [lineOne])
        let second = PatientTimeline.Line(
            number: 2, startedOn: try date("2024-09-01"), stoppedOn: try date("2024-10-01"), concurrent: false)
        let error = #expect(throws: TimelineViolation.self) {
            try timeline.check(line: second, startField: .startDate, stopField: .stopDate)
        }
        #expect(error?.rule == .overlappingLines)
        #expect(error?.conflict == "line 2 (2024-09-01 to 2024-10-01) overlaps line 1 (2024-01-20 to ongoing)")
        let concurrent = PatientTimeline.Line(
            number: 2, startedOn: second.startedOn, stoppedOn: second.stoppedOn, concurrent: true)
        try timeline.check(line: concurrent, startField: .startDate, stopField: .stopDate)
        let stopped = PatientTimeline(
            birthYear: 1975,
            lines: [
                PatientTimeline.Line(
                    number: 1, startedOn: lineOne.startedOn, stoppedOn: try date("2024-09-01"), concurrent: false)
            ])
        try stopped.check(line: second, startField: .startDate, stopField: .stopDate)
    }

    @Test(
        "nausea with onset 2024-01-10, before line 1 started on 2024-01-20, breaks adverse_event_before_first_line unless marked baseline"
    )
    func adverseEventBeforeFirstLine() throws {
        let timeline = PatientTimeline(birthYear: 1975, lines: [lineOne])
        let error = #expect(throws: TimelineViolation.self) {
            try timeline.check(adverseEventOnset: try date("2024-01-10"), baseline: false, field: .onsetDate)
        }
        #expect(error?.rule == .adverseEventBeforeFirstLine)
        try timeline.check(adverseEventOnset: try date("2024-01-10"), baseline: true, field: .onsetDate)
        try PatientTimeline(birthYear: 1975).check(
            adverseEventOnset: try date("2024-01-10"), baseline: false, field: .onsetDate)
    }

    @Test(
        "after a withdrawal on 2025-01-31 an ECOG of 2025-02-10 breaks after_withdrawal, a last contact of 2025-02-10 (vital status) does not"
    )
    func afterWithdrawal() throws {
        let timeline = PatientTimeline(birthYear: 1975, consentWithdrawnOn: try date("2025-01-31"))
        let error = #expect(throws: TimelineViolation.self) {
            try timeline.check(try date("2025-02-10"), field: .ecogDate)
        }
        #expect(error?.rule == .afterWithdrawal)
        try timeline.check(try date("2025-02-10"), field: .lastContact, kind: .vitalStatus)
        try timeline.check(try date("2025-01-30"), field: .ecogDate)
    }

    @Test(
        "a correction reason is one line of 1 to 500 characters: blank, a line break or 501 characters are refused naming --reason"
    )
    func changeReason() throws {
        #expect(
            try ChangeReason("  transcription error: 999 typed for 21 mm ").text
                == "transcription error: 999 typed for 21 mm")
        #expect(throws: RegistryInputError.missing(field: .reason)) { try ChangeReason(nil) }
        #expect(throws: RegistryInputError.missing(field: .reason)) { try ChangeReason("   ") }
        #expect(throws: RegistryInputError.self) { try ChangeReason("typo\nforged line") }
        #expect(throws: RegistryInputError.self) { try ChangeReason(String(repeating: "x", count: 501)) }
    }
}
