import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

@Suite("Full registry fixture")
struct FullRegistryFixtureTests {
    @Test("the round-trip fixture fills every clinical table, and the comparison names every table of the schema")
    func fillsEveryTable() throws {
        let fixture = try FullRegistryFixture()
        let unlisted = try RegistryContents.unlisted(in: fixture.connection)
        #expect(unlisted.isEmpty, "tables neither compared nor set aside: \(unlisted)")
        let contents = try RegistryContents(of: fixture.connection)
        for table in [
            "sites", "patients", "patient_ecog", "diagnoses", "molecular_results", "therapy_lines",
            "therapy_line_agents",
            "adverse_events", "lesions", "assessments", "assessment_results", "evaluator_reads", "source_responses",
        ] {
            #expect(contents.tables[table]?.isEmpty == false, "\(table) is empty")
        }
        // MUC-0002 withdrew consent; BER-0001 died on the day line 1 stopped.
        let patients = try fixture.connection.query(
            "SELECT registry_id, consent_withdrawn_on IS NOT NULL AS withdrawn, vital_status FROM patients ORDER BY registry_id"
        )
        #expect(
            try patients.map {
                "\(try $0.decode(String.self, "registry_id")) \(try $0.decode(Bool.self, "withdrawn")) \(try $0.decode(String.self, "vital_status"))"
            }
                == ["BER-0001 false dead", "MUC-0001 false alive", "MUC-0002 true alive"])
        for (registryID, evaluators) in FullRegistryFixture.readers {
            for evaluator in evaluators {
                _ = try ResponseService(connection: fixture.connection).response(
                    registryID,
                    evaluator: Evaluator(evaluator ?? "investigator"))
            }
        }
    }
}
