import Testing
@testable import PostgresClient

@Suite("Query building binds values instead of splicing them")
struct QueryTests {
    @Test("an interpolated patient pseudonym becomes $1, never SQL text")
    func interpolationBinds() {
        let pseudonym = "STS-0042'; DROP TABLE patients; --"
        let query: Query = "SELECT * FROM patients WHERE registry_id = \(pseudonym) AND site_code = \("MUC")"
        #expect(query.sql == "SELECT * FROM patients WHERE registry_id = $1 AND site_code = $2")
        #expect(query.bindings.map(\.text) == [pseudonym, "MUC"])
        #expect(!query.description.contains("DROP"))
    }

    @Test("an embedded sub-query's placeholders are renumbered after the outer ones, quoted $1 untouched")
    func subqueryRenumbering() {
        let inner: Query = "site_code = \("MUC") AND note <> '$1'"
        let outer: Query = "SELECT 1 WHERE grade = \(3) AND \(inner)"
        #expect(outer.sql == "SELECT 1 WHERE grade = $1 AND site_code = $2 AND note <> '$1'")
        #expect(outer.bindings.map(\.text) == ["3", "MUC"])
    }

    @Test("a NULL optional binds no text")
    func optionalNull() {
        let deathDate: PostgresDate? = nil
        let query: Query = "UPDATE patients SET death_date = \(deathDate)"
        #expect(query.bindings.count == 1)
        #expect(query.bindings[0].text == nil)
        #expect(query.bindings[0].type == .date)
    }
}
