import RegistryDomain
import Testing

@Suite("Eligibility input validation")
struct EligibilityInputTests {
    @Test("ICD-O-3 codes need four digits, a slash and a behaviour digit: 8890/3 accepted, 889/3 and 8890-3 refused")
    func histologyCodeFormat() throws {
        #expect(try HistologyCode("8890/3").behaviour == 3)
        #expect(try HistologyCode("9252/1").behaviour == 1)
        for text in ["889/3", "8890-3", "8890/", "88903", "8890/33", "٨٨٩٠/٣"] {
            #expect(throws: EligibilityInputError.malformedHistologyCode(text)) { try HistologyCode(text) }
        }
    }

    /// The recording services take a parsed code: text a coordinator typed is refused here, before any service sees it.
    @Test("a submitted ICD-O-3 code is read with blanks around it, and 88903 is refused naming the field and value")
    func submittedHistologyCode() throws {
        #expect(try HistologyCode.parse(" 8832/1 ", field: .icdo3) == HistologyCode("8832/1"))
        let error = #expect(throws: RegistryInputError.self) { try HistologyCode.parse("88903", field: .icdo3) }
        #expect(
            error?.description
                == "ICD-O-3 code '88903' is malformed; expected an ICD-O-3 morphology code such as 8890/3")
    }

    @Test("a negative age is refused with a message naming the value")
    func negativeAge() {
        #expect(throws: EligibilityInputError.negativeAge(-2)) {
            try PatientProfile(ageInYears: -2, diagnoses: [])
        }
        #expect(EligibilityInputError.negativeAge(-2).description.contains("-2"))
    }

    @Test("a histology criterion must include something; tumour-agnostic indications say 'any histology'")
    func emptyHistologyCriterion() {
        #expect(throws: EligibilityInputError.histologyCriterionWithoutInclusion) {
            try HistologyCriterion(included: [])
        }
    }

    @Test("a biomarker criterion must list at least one gene alteration")
    func emptyBiomarkerCriterion() {
        #expect(throws: EligibilityInputError.biomarkerCriterionWithoutAlternatives(label: "NTRK fusion")) {
            try BiomarkerCriterion(label: "NTRK fusion", alternatives: [])
        }
    }

    @Test("a fusion satisfies a rearrangement criterion, a rearrangement does not satisfy a fusion criterion")
    func alterationKinds() {
        #expect(MolecularAlterationKind.fusion.satisfies(.rearrangement))
        #expect(!MolecularAlterationKind.rearrangement.satisfies(.fusion))
        #expect(!MolecularAlterationKind.amplification.satisfies(.overexpression))
    }

    @Test("a PDGFB fusion reported without its partner leaves a COL1A1-PDGFB criterion unknown, not met")
    func unreportedFusionPartner() throws {
        let criterion = EligibilityCriterion.requiredBiomarker(
            try BiomarkerCriterion(
                label: "COL1A1-PDGFB fusion",
                alternatives: [BiomarkerSpecification(gene: "PDGFB", kind: .fusion, partnerGene: "COL1A1")]))
        let indication = TherapyIndication(
            code: "dfsp_fusion_example", agentCode: "imatinib", label: "example", criteria: [criterion],
            statusHistory: [])
        let dfsp = PatientProfile.Diagnosis(
            histologyCode: try HistologyCode("8832/1"), entity: "DFSP", diseaseSetting: .metastatic)
        let matcher = EligibilityMatcher(catalog: [indication])
        let date = try CalendarDate(iso: "2025-01-01")

        let unreported = try PatientProfile(
            ageInYears: 40, diagnoses: [dfsp],
            molecularFindings: [.init(gene: "PDGFB", kind: .fusion, result: .positive)])
        let pending = matcher.evaluate(unreported, against: indication, asOf: date).criteria[0]
        #expect(pending.outcome == .unknown)
        #expect(
            pending.reason == "COL1A1-PDGFB fusion: PDGFB fusion positive, fusion partner not reported; "
                + "on file: PDGFB fusion positive: reports no fusion partner; the criterion asks for COL1A1::PDGFB fusion"
        )

        let reversed = try PatientProfile(
            ageInYears: 40, diagnoses: [dfsp],
            molecularFindings: [.init(gene: "PDGFB", kind: .fusion, partnerGene: "COL1A1", result: .positive)])
        #expect(matcher.evaluate(reversed, against: indication, asOf: date).criteria[0].outcome == .met)
    }

    @Test("the status on a date takes each authority's latest entry and ranks approvals first")
    func statusPerAuthority() throws {
        let indication = TherapyIndication(
            code: "anlotinib_example", agentCode: "anlotinib", label: "example", criteria: [],
            statusHistory: [
                TherapyStatusEntry(
                    status: .approvedElsewhere, effectiveDate: try CalendarDate(iso: "2019-06-01"), authority: "NMPA",
                    source: "[90]"),
                TherapyStatusEntry(
                    status: .inDevelopment, effectiveDate: try CalendarDate(iso: "2023-01-01"), authority: "FDA",
                    source: "[92]"),
                TherapyStatusEntry(
                    status: .studiedSTS, effectiveDate: try CalendarDate(iso: "2018-01-01"), authority: "FDA",
                    source: "older"),
            ])
        #expect(indication.status(asOf: try CalendarDate(iso: "2017-12-31")) == nil)
        #expect(indication.status(asOf: try CalendarDate(iso: "2018-06-01"))?.source == "older")
        #expect(indication.status(asOf: try CalendarDate(iso: "2024-01-01"))?.status == .approvedElsewhere)
    }
}
