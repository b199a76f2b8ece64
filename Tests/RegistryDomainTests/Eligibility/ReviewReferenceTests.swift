import RegistryDomain
import Testing

@Suite("The review's numbered references as the catalog cites them")
struct ReviewReferenceTests {
    @Test(
        "[14] is identified as Toulmonde et al. (DESMOPAZ) where the catalog names it, and cited by both entries that cite it"
    )
    func referenceIdentifiedBesideItsNumber() {
        let references = CitedReference.cited(in: [
            ("pazopanib", "[11]"),
            ("pazopanib_desmoid", "[14]"),
            ("pazopanib_desmoid", "[14]; Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)"),
            ("crizotinib_alk_imt", "[33], [34]; FDA approval 2022-07-14 (Xalkori, ALK-positive IMT)"),
            ("lenvatinib_pembrolizumab_sts", "review section 3.5; NCT04784247"),
        ])
        #expect(references.map(\.number) == [11, 14, 33, 34])
        #expect(references[0] == CitedReference(number: 11, citedBy: ["pazopanib"], identifiedAs: []))
        #expect(
            references[1]
                == CitedReference(
                    number: 14, citedBy: ["pazopanib_desmoid"],
                    identifiedAs: ["Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)"]))
        #expect(references[2].identifiedAs == ["FDA approval 2022-07-14 (Xalkori, ALK-positive IMT)"])
        #expect(references[3].citedBy == ["crizotinib_alk_imt"])
    }

    @Test("a section pointer is not a report: 'review section 2.6, [46]' cites 46 and identifies nothing")
    func sectionPointerIsNotAReport() {
        let references = CitedReference.cited(in: [("nab_sirolimus_pecoma", "review section 2.6, [46]")])
        #expect(references == [CitedReference(number: 46, citedBy: ["nab_sirolimus_pecoma"], identifiedAs: [])])
    }

    @Test("the review is cited with its DOI and PMID")
    func reviewCitation() {
        #expect(
            CatalogReview.citation
                == "Fuchs JW, Schulte BC, Fuchs JR, Agulnik M. Targeted therapies for the treatment of soft tissue sarcoma. Front Oncol. 2023;13:1122508. doi:10.3389/fonc.2023.1122508. PMID 36969064."
        )
    }
}
