import PostgresClient
import RegistryServices
import Testing

@Suite("Every named constraint maps to a rule a coordinator can read", .serialized)
struct ConstraintMapTests {
    @Test(
        "every constraint of the migrated schema (patients_registry_id_matches_site, adverse_events_grade_range, ...) has its rule in the one constraint map, and the map names no constraint the schema lacks"
    )
    func mapCoversTheSchema() throws {
        let fixture = try RegistryFixture()
        let names = try fixture.connection.query(
            """
            SELECT c.conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public' ORDER BY c.conname
            """
        ).map { try $0.decode(String.self, "conname") }
        #expect(names.count > 200)
        #expect(Set(names).subtracting(ConstraintRefusal.rules.keys).sorted() == [])
        #expect(Set(ConstraintRefusal.rules.keys).subtracting(names).sorted() == [])
    }

    @Test(
        "a therapy line stopped before it started, written in SQL past the service, is refused as 'a therapy line stops on or after its start', without SQLSTATE, DETAIL or the row's values"
    )
    func checkViolationIsTheRule() throws {
        let fixture = try RegistryFixture()
        let patient = try fixture.enroll(mrn: "CONSTRAINT-1")
        let postgresError = #expect(throws: PostgresError.self) {
            try fixture.connection.execute(
                """
                INSERT INTO therapy_lines (patient_id, line_number, intent, started_on, stopped_on, stop_reason)
                SELECT patient_id, 1, 'palliative', DATE '2024-03-01', DATE '2024-02-01', 'toxicity' FROM patients
                WHERE registry_id = \(patient.registryID)
                """)
        }
        let error = try #require(postgresError)
        #expect(error.detail?.contains("2024-02-01") == true)
        let refusal = try #require(ConstraintRefusal(error))
        #expect(refusal.constraint == "therapy_lines_stop_after_start")
        #expect(
            refusal.description
                == "the registry refused the change: a therapy line stops on or after its start (rule therapy_lines_stop_after_start); nothing was written"
        )
        #expect(!refusal.description.contains("SQLSTATE") && !refusal.description.contains("2024-02-01"))
        let report = try #require(
            refusal.databaseError?.debugDescription, "a refusal keeps the server's error for --verbose")
        #expect(report.contains("DETAIL: Failing row contains") && report.contains("2024-02-01"), "\(report)")
        #expect(report.contains("CONSTRAINT: therapy_lines_stop_after_start\nTABLE: therapy_lines"), "\(report)")
    }

    @Test(
        "a second patient MUC-0001, written in SQL past the service, is refused as a duplicate registry id, not as raw SQLSTATE 23505 with the key in DETAIL"
    )
    func uniqueViolationIsTheRule() throws {
        let fixture = try RegistryFixture()
        _ = try fixture.enroll(mrn: "CONSTRAINT-2")
        let postgresError = #expect(throws: PostgresError.self) {
            try fixture.connection.execute(
                """
                INSERT INTO patients (registry_id, site_code, site_sequence, mrn_hmac, birth_year, sex, consent_date)
                VALUES ('MUC-0001', 'MUC', 1, repeat('b', 64), 1970, 'female', DATE '2024-01-10')
                """)
        }
        let error = try #require(postgresError)
        let refusal = try #require(ConstraintRefusal(error))
        #expect(["patients_registry_id_key", "patients_site_sequence_key"].contains(refusal.constraint))
        #expect(refusal.rule.hasPrefix("a patient with the same"))
        #expect(!refusal.description.contains("MUC-0001") && !refusal.description.contains("23505"))
    }

    @Test("an error outside SQLSTATE class 23 (a serialization failure) is no constraint refusal")
    func otherErrorsAreNotRefusals() {
        #expect(
            ConstraintRefusal(
                PostgresError(kind: .server, sqlState: .serializationFailure, message: "could not serialize access"))
                == nil)
    }
}
