import RegistryDomain
import Testing

/// Issue 23: a biomarker criterion's reason lists every result on file for the genes it names and what each
/// does to it (meets it, rules an alternative out, or why it does not settle it), whether the criterion is
/// met, not met or unknown.
extension EligibilityMatcherTests {
    func reason(
        _ code: String, histology: String, entity: String, findings: [PatientProfile.MolecularFinding]
    ) throws
        -> CriterionEvaluation
    {
        try outcome(
            try evaluation(code, for: try patient(age: 40, histology, entity, findings: findings)),
            where: Self.isRequiredBiomarker)
    }

    @Test(
        "a positive ALK IHC in an IMT does not settle an ALK rearrangement criterion: protein expression is not a rearrangement"
    )
    func alkImmunohistochemistry() throws {
        let ihc = PatientProfile.MolecularFinding(gene: "ALK", kind: .overexpression, result: .positive, method: .ihc)
        let alk = try reason(
            "crizotinib_alk_imt", histology: "8825/1", entity: "Inflammatory myofibroblastic tumour", findings: [ihc])
        #expect(alk.outcome == .unknown)
        #expect(
            alk.reason == "ALK rearrangement: not settled by what is on file: ALK overexpression positive by IHC: "
                + "protein expression is not a rearrangement and does not settle it")
    }

    @Test(
        "an NTRK3 break-apart FISH does not settle an NTRK fusion criterion: it shows NTRK3 is broken, not its partner")
    func ntrk3BreakApart() throws {
        let fish = PatientProfile.MolecularFinding(
            gene: "NTRK3", kind: .rearrangement, result: .positive, method: .fish)
        let ntrk = try reason(
            "larotrectinib_ntrk_fusion", histology: "8814/3", entity: "Infantile fibrosarcoma", findings: [fish])
        #expect(ntrk.outcome == .unknown)
        #expect(
            ntrk.reason
                == "NTRK fusion: not settled by what is on file: NTRK3 rearrangement positive by FISH: a break-apart FISH "
                + "shows NTRK3 is rearranged, not that it is fused to a partner; a fusion needs RNA NGS or a fusion assay"
        )
    }

    @Test(
        "a met criterion lists the result that met it with its method, and the IHC beside it that did not: ALK rearrangement by RNA NGS"
    )
    func metListsItsResult() throws {
        let ngs = PatientProfile.MolecularFinding(
            gene: "ALK", kind: .fusion, partnerGene: "TPM3", result: .positive, method: .ngsRNA)
        let ihc = PatientProfile.MolecularFinding(gene: "ALK", kind: .overexpression, result: .positive, method: .ihc)
        let alk = try reason(
            "crizotinib_alk_imt", histology: "8825/1", entity: "Inflammatory myofibroblastic tumour",
            findings: [ihc, ngs])
        #expect(alk.outcome == .met)
        #expect(
            alk.reason == "ALK rearrangement: TPM3::ALK fusion positive; on file: "
                + "ALK overexpression positive by IHC: protein expression is not a rearrangement and does not settle it; "
                + "TPM3::ALK fusion positive by RNA NGS: meets ALK rearrangement")
    }

    @Test(
        "a criterion not met lists each negative result with the alternative it rules out: NTRK1, NTRK2, NTRK3 negative by RNA NGS"
    )
    func notMetListsWhatRuledItOut() throws {
        let negatives = ["NTRK1", "NTRK2", "NTRK3"].map {
            PatientProfile.MolecularFinding(gene: $0, kind: .fusion, result: .negative, method: .ngsRNA)
        }
        let ntrk = try reason(
            "larotrectinib_ntrk_fusion", histology: "8890/3", entity: "Leiomyosarcoma", findings: negatives)
        #expect(ntrk.outcome == .notMet)
        #expect(
            ntrk.reason == "NTRK fusion: negative (NTRK1 fusion, NTRK2 fusion, NTRK3 fusion); on file: "
                + "NTRK1 fusion negative by RNA NGS: rules out NTRK1 fusion; NTRK2 fusion negative by RNA NGS: rules out NTRK2 fusion; "
                + "NTRK3 fusion negative by RNA NGS: rules out NTRK3 fusion")
    }

    @Test("a negative ETV6::NTRK3 assay is listed as not ruling out an NTRK3 fusion with another partner")
    func partnerSpecificNegativeIsListed() throws {
        let narrow = PatientProfile.MolecularFinding(
            gene: "NTRK3", kind: .fusion, partnerGene: "ETV6", result: .negative, method: .pcr)
        let ntrk = try reason(
            "larotrectinib_ntrk_fusion", histology: "8814/3", entity: "Infantile fibrosarcoma", findings: [narrow])
        #expect(ntrk.outcome == .unknown)
        #expect(
            ntrk.reason == "NTRK fusion: not settled by what is on file: ETV6::NTRK3 fusion negative by PCR: "
                + "a negative ETV6::NTRK3 fusion assay does not rule out NTRK3 fusion with another partner")
    }

    @Test("a result on a gene the criterion does not name is not listed: a KIT mutation beside an untested NTRK fusion")
    func otherGenesAreNotListed() throws {
        let kit = PatientProfile.MolecularFinding(gene: "KIT", kind: .mutation, result: .positive, method: .ngsDNA)
        let ntrk = try reason(
            "larotrectinib_ntrk_fusion", histology: "8890/3", entity: "Leiomyosarcoma", findings: [kit])
        #expect(ntrk.reason == "NTRK fusion: not tested")
    }
}
