import Foundation
import PostgresClient
import RegistrySync
import TestSupport
import Testing

@Suite("A failed sync run is logged without row values")
struct SyncFailureLogTests {
    @Test(
        "an import refused by the server with a DETAIL quoting the row logs the message in sync_runs.error, never the DETAIL's values"
    )
    func noDetailInRunLog() throws {
        let fixture = try SyncFixture()
        // A server error whose DETAIL quotes the row, as a check constraint's "Failing row contains (...)" does.
        try fixture.connection.execute(
            """
            CREATE FUNCTION refuse_patient() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'patient refused by the test' USING ERRCODE = 'check_violation',
                    DETAIL = 'Failing row contains (' || NEW.registry_id || ', MRN-4711-SECRET).';
            END $$
            """)
        try fixture.connection.execute(
            "CREATE TRIGGER refuse_patient BEFORE INSERT ON patients FOR EACH ROW EXECUTE FUNCTION refuse_patient()")
        let error = #expect(throws: SyncError.self) { try fixture.importFixture("clean") }
        #expect(error?.description.contains("patient refused by the test") == true)
        #expect(error?.description.contains("MRN-4711-SECRET") == false)
        let logged = try fixture.connection.query("SELECT error FROM sync_runs WHERE status = 'failed'")
        try #require(logged.count == 1)
        let text = try logged[0].decode(String.self, "error")
        #expect(text.contains("patient refused by the test"))
        #expect(!text.contains("MRN-4711-SECRET") && !text.contains("Failing row") && !text.contains("DETAIL"))
    }
}
