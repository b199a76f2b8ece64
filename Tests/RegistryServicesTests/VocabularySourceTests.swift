import Foundation
import PostgresClient
import RegistryDomain
import Testing
import TestSupport

/// The seeded vocabularies held to their sources: the shared histology list and the counts the README states.
@Suite("Seeded vocabularies agree with the shared histology list and the README")
struct VocabularySourceTests {
    let fixture: RegistryFixture

    init() throws {
        fixture = try RegistryFixture()
    }

    func count(_ query: Query) throws -> Int {
        try fixture.connection.query(query)[0].decode(Int.self, "n")
    }

    /// The rows of the shared histology list (`../shared/domain/histology-icdo3.csv`), as committed in this suite's
    /// fixtures so a clone alone runs the check: code, behaviour, verified ("verified" or "partial"). Where the
    /// shared folder is beside the checkout, the committed copy must still be identical to it.
    static func sharedHistologyRows() throws -> [(code: String, behaviour: Int, verified: Bool)] {
        let copy = try String(
            contentsOfFile: TestDatabase.repositoryRoot + "/Tests/RegistryServicesTests/Fixtures/histology-icdo3.csv",
            encoding: .utf8)
        if let shared = try? String(
            contentsOfFile: TestDatabase.repositoryRoot + "/../shared/domain/histology-icdo3.csv", encoding: .utf8)
        {
            #expect(
                copy == shared,
                "the committed copy of the shared histology list differs from ../shared/domain/histology-icdo3.csv")
        }
        let lines = copy.split(whereSeparator: \.isNewline).dropFirst()
        return try lines.map { line in
            // The first two fields never hold a comma; the entity may be quoted, so read `verified` from the end.
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let verified = try #require(line.range(of: #",(verified|partial),"#, options: .regularExpression))
            return (String(fields[0]), try #require(Int(fields[1])), line[verified].contains("verified"))
        }
    }

    @Test(
        "every code of the shared histology list is in the vocabulary with its behaviour and verification: 8821/1 and 8822/1 both desmoid"
    )
    func sharedHistologyList() throws {
        let rows = try Self.sharedHistologyRows()
        #expect(rows.count == 34)
        for row in rows {
            let stored = try fixture.connection.query(
                "SELECT behaviour, verified FROM histology_codes WHERE code = \(row.code)")
            #expect(stored.count == 1, "\(row.code)")
            guard let first = stored.first else { continue }
            #expect(try first.decode(Int.self, "behaviour") == row.behaviour, "\(row.code)")
            #expect(try first.decode(Bool.self, "verified") == row.verified, "\(row.code)")
        }
        let desmoid = try fixture.connection.query(
            "SELECT code FROM histology_entity_group_members WHERE group_code = 'desmoid_tumour' ORDER BY code"
        ).map { try $0.decode(String.self, "code") }
        #expect(desmoid == ["8821/1", "8822/1"])
    }

    @Test("the README states the seeded counts: genes, gene aliases, histology codes, agents and agent aliases")
    func readmeCounts() throws {
        let readme = try String(contentsOfFile: TestDatabase.repositoryRoot + "/README.md", encoding: .utf8)
        let counts: [(String, Query)] = [
            ("protein-coding genes", "SELECT count(*) AS n FROM genes"),
            ("gene aliases", "SELECT count(*) AS n FROM gene_aliases"),
            ("ICD-O-3 histology codes", "SELECT count(*) AS n FROM histology_codes"),
            ("systemic agents", "SELECT count(*) AS n FROM therapy_agents WHERE drug_class <> 'placebo'"),
            ("agent aliases", "SELECT count(*) AS n FROM therapy_agent_aliases"),
        ]
        for (noun, query) in counts {
            let n = try count(query)
            #expect(readme.contains("\(n) \(noun)"), "\(n) \(noun)")
        }
    }

    @Test("every gene the catalog's criteria name is an approved symbol of the gene list, none an alias")
    func catalogGenesApproved() throws {
        let unknown = try count(
            """
            SELECT count(*) AS n FROM therapy_indication_biomarkers b
            WHERE NOT EXISTS (SELECT 1 FROM genes g WHERE g.symbol = b.gene)
               OR (b.partner_gene IS NOT NULL AND NOT EXISTS (SELECT 1 FROM genes g WHERE g.symbol = b.partner_gene))
            """)
        #expect(unknown == 0)
    }
}
