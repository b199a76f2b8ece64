import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

/// An adverse event names a CTCAE v5.0 term of the vocabulary migration 0028 loaded from the NCI's published list,
/// stored as CTCAE spells it with its MedDRA code; free text only beside an "Other, specify" term.
@Suite("AE terms from the CTCAE v5.0 vocabulary")
struct CTCAETermTests {
    let fixture: RegistryFixture
    let id: String

    init() throws {
        fixture = try RegistryFixture()
        id = try fixture.enroll(mrn: "CTCAE-1", birth: "1970").registryID
        _ = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-01-20")))
    }

    func record(_ term: String, specified: String? = nil) throws -> AdverseEventRecord {
        try fixture.treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: term, specified: specified, ctcaeVersion: .v5_0, grade: 2,
                onset: try CalendarDate(iso: "2024-02-10"),
                attribution: .possible, lineNumber: 1))
    }

    func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test("'nausea' in any case is stored as CTCAE spells it, Nausea, with its MedDRA code 10028813")
    func termInAnyCase() throws {
        let event = try record("  nAUSEA ")
        #expect(event.term == "Nausea")
        #expect(event.meddraCode == 10028813)
        #expect(event.specified == nil)
        #expect(try fixture.patients.show(id).adverseEvents == [event])
    }

    @Test("'Nausa' is refused with 'did you mean Nausea?', and nothing is written")
    func unknownTermWithSuggestion() throws {
        #expect(
            refusal { _ = try record("Nausa") }
                == "CTCAE term 'Nausa' is not a CTCAE v5.0 term; did you mean Nausea?; an event CTCAE has no term for is recorded as "
                + "'<SOC> - Other, specify' with specified event TEXT")
        #expect(
            refusal { _ = try record("Decreased appetite") }.hasPrefix(
                "CTCAE term 'Decreased appetite' is not a CTCAE v5.0 term; an event"))
        #expect(try fixture.patients.show(id).adverseEvents.isEmpty)
    }

    @Test(
        "an event CTCAE has no term for is 'Gastrointestinal disorders - Other, specify' with its text kept; without the text, or with text beside Nausea, it is refused"
    )
    func otherSpecify() throws {
        #expect(
            refusal { _ = try record("gastrointestinal disorders - other, specify") }
                == "'Gastrointestinal disorders - Other, specify' records an event CTCAE has no term for: specified event must say what the event was"
        )
        #expect(
            refusal { _ = try record("Nausea", specified: "after the second cycle") }
                == "specified event 'after the second cycle' goes only with a '<SOC> - Other, specify' term; 'Nausea' is a CTCAE term of its own"
        )
        let event = try record("gastrointestinal disorders - other, specify", specified: " Gastric volvulus ")
        #expect(event.term == "Gastrointestinal disorders - Other, specify")
        #expect(event.meddraCode == 10017947)
        #expect(event.specified == "Gastric volvulus")
        #expect(try fixture.patients.show(id).adverseEvents == [event])
    }

    @Test(
        "ae update --term: Nausea becomes Vomiting (10047700) with the reason; 'Vomitting' is refused with 'did you mean Vomiting?'"
    )
    func updateTerm() throws {
        let event = try record("Nausea")
        let corrections = CorrectionService(connection: fixture.connection, today: fixture.today)
        #expect(
            refusal {
                _ = try corrections.updateAdverseEvent(
                    id, id: event.id, AdverseEventUpdate(term: "Vomitting"), reason: "coded wrongly")
            }
            .hasPrefix("CTCAE term 'Vomitting' is not a CTCAE v5.0 term; did you mean Vomiting?"))
        let updated = try corrections.updateAdverseEvent(
            id, id: event.id, AdverseEventUpdate(term: "vomiting"), reason: "coded wrongly")
        #expect(updated.term == "Vomiting")
        #expect(updated.meddraCode == 10047700)
        #expect(updated.grade == 2)
        #expect(try fixture.patients.show(id).adverseEvents == [updated])
    }

    @Test(
        "db check lists an AE term stored before the vocabulary that it does not hold ('Decreased appetite'), and an 'Other, specify' term without its text"
    )
    func storedTermsOutsideTheVocabulary() throws {
        let patientID = try fixture.connection.query("SELECT patient_id FROM patients WHERE registry_id = \(id)")[0]
            .decode(Int.self, "patient_id")
        try fixture.connection.execute(
            """
            INSERT INTO adverse_events (patient_id, ctcae_term, ctcae_version, grade, onset_on, attribution)
            VALUES (\(patientID), 'Decreased appetite', '5.0', 1, '2024-03-01', 'possible'),
                   (\(patientID), 'Eye disorders - Other, specify', '5.0', 1, '2024-03-02', 'possible')
            """)
        let healthy = try record("Nausea")
        let results = try RegistryCheckService(connection: fixture.connection)
            .run([.ctcaeTermsKnown], context: RegistryCheckContext(migrations: []))
        let breaks = results[0].breaks
        #expect(breaks.count == 2)
        #expect(
            breaks[0].hasPrefix(
                "\(id) adverse event \(healthy.id - 2): 'Decreased appetite' is not a CTCAE v5.0 term; correct it with a correction of \(id) adverse event"
            ))
        #expect(
            breaks[1].hasPrefix(
                "\(id) adverse event \(healthy.id - 1): 'Eye disorders - Other, specify' has no text saying what the event was"
            ))
    }
}
