import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

/// Issue 23, second part: each histology code names what verified it, previous symbols are told apart from
/// aliases, and every indication status names the authority or evidence that set it (migrations 0029, 0032).
extension ClinicalRecordingTests {
    @Test(
        "a previous symbol is answered as one, an alias as one: MLL2 is KMT2D's previous symbol, SNF5L1 SMARCB1's, INI1 SMARCB1's alias",
        arguments: [
            (
                "MLL2",
                "gene 'MLL2' is not an approved HGNC symbol; did you mean KMT2B (MLL2 is its alias) or KMT2D (MLL2 is its previous symbol)"
            ),
            (
                "SNF5L1",
                "gene 'SNF5L1' is not an approved HGNC symbol; did you mean SMARCB1 (SNF5L1 is its previous symbol)"
            ),
            ("INI1", "gene 'INI1' is not an approved HGNC symbol; did you mean SMARCB1 (INI1 is its alias)"),
            ("SSXT", "gene 'SSXT' is not an approved HGNC symbol; did you mean SS18 (SSXT is its previous symbol)"),
        ])
    func previousSymbolOrAlias(given: String, message: String) throws {
        let before = try fixture.counts()
        let error = #expect(throws: RegistryError.self) {
            try fixture.diagnostics.recordMolecular(
                id,
                MolecularSubmission(
                    gene: given, alterationKind: .mutation, method: .ngsDNA, result: .positive,
                    reportDate: try CalendarDate(iso: "2024-06-01")))
        }
        #expect(error?.description == message)
        #expect(try fixture.counts() == before)
    }
}

@Suite("Vocabulary sources and status evidence", .serialized)
struct VocabularySourceEvidenceTests {
    let registry: RegistryFixture

    init() throws {
        registry = try RegistryFixture()
    }

    @Test(
        "every verified histology code names its source and no unverified one does: 50 of 106, 13 bone codes from the WHO 2002 listing"
    )
    func histologySources() throws {
        let rows = try registry.connection.query(
            "SELECT code, verified, verified_by FROM histology_codes ORDER BY code")
        let verified = try rows.filter { try $0.decode(Bool.self, "verified") }
        #expect(rows.count == 106)
        #expect(verified.count == 50)
        for row in rows {
            let (code, isVerified) = try row.decode((String, Bool).self)
            let named = try row.decode(String?.self, "verified_by") != nil
            #expect(named == isVerified, "\(code)")
        }
        let who2002 = try registry.connection.query(
            "SELECT code FROM histology_codes WHERE verified_by LIKE 'WHO Classification of Tumours of Soft Tissue and Bone, 3rd ed.%' ORDER BY code"
        ).map { try $0.decode(String.self, "code") }
        #expect(
            who2002 == [
                "8810/3", "9180/3", "9183/3", "9185/3", "9187/3", "9192/3", "9193/3", "9194/3", "9220/3", "9221/3",
                "9240/3", "9242/3", "9243/3",
            ])
    }

    @Test(
        "every standing status row names an authority that can set its status (StatusAuthority.sets); the 38 studied and in-development rows that named the FDA are superseded, not rewritten"
    )
    func statusAuthorities() throws {
        let standing = try registry.connection.query("SELECT status, authority FROM standing_indication_status")
        for row in standing {
            let status = try #require(TherapyStatus(rawValue: try row.decode(String.self, "status")))
            let authority = try #require(StatusAuthority(rawValue: try row.decode(String.self, "authority")))
            #expect(authority.sets.contains(status), "\(authority.rawValue) \(status.rawValue)")
        }
        let superseded = try registry.connection.query(
            """
            SELECT s.status, s.authority FROM therapy_indication_status s
            JOIN therapy_indication_status_supersessions x USING (indication_status_id)
            """)
        #expect(superseded.count == 38)
        #expect(
            try superseded.allSatisfy {
                try $0.decode(String.self, "authority") == "FDA"
                    && $0.decode(String.self, "status") != "fda_approved_sts"
            })
        #expect {
            try registry.connection.execute("DELETE FROM therapy_indication_status_supersessions")
        } throws: { error in
            (error as? PostgresError)?.constraint == "therapy_indication_status_supersessions_append_only"
        }
    }

    @Test(
        "catalog show names the evidence and keeps the superseded row: regorafenib in non-adipocytic STS studied since 2016 by REGOSARC, the FDA row marked superseded"
    )
    func catalogShowsEvidence() throws {
        let detail = try registry.catalog.show(agent: "regorafenib", asOf: try CalendarDate(iso: "2024-01-01"))
        let regosarc = try #require(detail.indications.first { $0.code == "regorafenib_non_adipocytic_sts" })
        let current = try #require(regosarc.currentStatus)
        #expect(current.status == .studiedSTS && current.dated == .year(2016))
        #expect(current.evidence == "trial publication: [61]; Mir et al., Lancet Oncol 2016 (REGOSARC)")
        let fda = regosarc.statusHistory.filter { $0.authority == "FDA" }
        #expect(fda.count == 2 && fda.allSatisfy { $0.supersededBecause != nil })
        #expect(regosarc.statusHistory.filter { $0.supersededBecause == nil }.map(\.authority) == ["trial_publication"])
    }

    @Test(
        "the review's studied use the catalog lacked is added: nab-sirolimus in PEComa after a prior mTOR inhibitor, from the review"
    )
    func addedStudiedUse() throws {
        let detail = try registry.catalog.show(agent: "nab-sirolimus", asOf: try CalendarDate(iso: "2024-01-01"))
        let prior = try #require(detail.indications.first { $0.code == "nab_sirolimus_pecoma_prior_mtor" })
        #expect(prior.currentStatus?.status == .studiedSTS)
        #expect(prior.currentStatus?.authority == "review")
        #expect(prior.source == "[46]")
    }
}
