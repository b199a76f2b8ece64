import RegistryDomain
import Testing

@Suite("Therapy eligibility matcher")
struct EligibilityMatcherTests {
    let matcher: EligibilityMatcher
    let today: CalendarDate

    init() throws {
        matcher = EligibilityMatcher(catalog: try SeedCatalog.indications())
        today = try SeedCatalog.day("2025-06-01")
    }

    func patient(
        age: Int?, _ histology: String, _ entity: String, setting: DiseaseSetting? = .metastatic,
        findings: [PatientProfile.MolecularFinding] = [], prior: PatientProfile.PriorTherapyHistory? = nil
    ) throws -> PatientProfile {
        try PatientProfile(
            ageInYears: age,
            diagnoses: [.init(histologyCode: try HistologyCode(histology), entity: entity, diseaseSetting: setting)],
            molecularFindings: findings, priorTherapy: prior)
    }

    func evaluation(
        _ code: String, for patient: PatientProfile, on date: CalendarDate? = nil
    ) throws
        -> IndicationEvaluation
    {
        try #require(matcher.evaluate(patient, asOf: date ?? today).evaluation(forIndication: code))
    }

    func outcome(
        _ evaluation: IndicationEvaluation, where kind: (EligibilityCriterion) -> Bool
    ) throws
        -> CriterionEvaluation
    {
        try #require(evaluation.criteria.first { kind($0.criterion) })
    }

    /// Indications under `status` with every criterion met, i.e. nothing left to test.
    func fullyMet(_ report: EligibilityReport, _ status: TherapyStatus) -> [String] {
        report.fitting(withStatus: status).filter(\.isFullyMet).map(\.indication.code)
    }

    static func isAge(_ criterion: EligibilityCriterion) -> Bool {
        if case .minimumAge = criterion { true } else { false }
    }

    static func isHistology(_ criterion: EligibilityCriterion) -> Bool {
        if case .histology = criterion { true } else { false }
    }

    static func isRequiredBiomarker(_ criterion: EligibilityCriterion) -> Bool {
        if case .requiredBiomarker = criterion { true } else { false }
    }

    static func isExcludingBiomarker(_ criterion: EligibilityCriterion) -> Bool {
        if case .excludingBiomarker = criterion { true } else { false }
    }

    static let smarcb1Loss = PatientProfile.MolecularFinding(
        gene: "SMARCB1", kind: .lossOfExpression, result: .positive)
    static let etv6Ntrk3 = PatientProfile.MolecularFinding(
        gene: "ETV6", kind: .fusion, partnerGene: "NTRK3", result: .positive)

    @Test("tazemetostat fits metastatic epithelioid sarcoma with INI1 loss at 17 years (minimum 16)")
    func tazemetostatAt17() throws {
        let result = try evaluation(
            "tazemetostat_epithelioid_sarcoma",
            for: try patient(age: 17, "8804/3", "Epithelioid sarcoma", findings: [Self.smarcb1Loss]))
        #expect(result.fits)
        #expect(result.isFullyMet)
        #expect(result.status?.status == .fdaApprovedSTS)
    }

    @Test("tazemetostat does not fit epithelioid sarcoma at 15 years: age 15 < minimum 16")
    func tazemetostatAt15() throws {
        let result = try evaluation(
            "tazemetostat_epithelioid_sarcoma",
            for: try patient(age: 15, "8804/3", "Epithelioid sarcoma", findings: [Self.smarcb1Loss]))
        #expect(!result.fits)
        let age = try outcome(result, where: Self.isAge)
        #expect(age.outcome == .notMet)
        #expect(age.reason == "age 15 < minimum 16")
        #expect(result.unmetCriteria.count == 1)
    }

    @Test("the minimum age is inclusive: entrectinib fits an NTRK3-fusion sarcoma on the 12th birthday year")
    func minimumAgeInclusive() throws {
        let result = try evaluation(
            "entrectinib_ntrk_fusion",
            for: try patient(age: 12, "8814/3", "Infantile fibrosarcoma", findings: [Self.etv6Ntrk3]))
        #expect(try outcome(result, where: Self.isAge).reason == "age 12 ≥ minimum 12")
        #expect(result.isFullyMet)
    }

    @Test("an unrecorded age is unknown, not a rejection: epithelioid sarcoma without birth date")
    func unknownAge() throws {
        let result = try evaluation(
            "tazemetostat_epithelioid_sarcoma", for: try patient(age: nil, "8804/3", "Epithelioid sarcoma"))
        #expect(result.fits)
        #expect(!result.isFullyMet)
        #expect(try outcome(result, where: Self.isAge).outcome == .unknown)
    }

    @Test("crizotinib fits an ALK-positive IMT (TPM3-ALK fusion) in a 2-year-old")
    func crizotinibToddler() throws {
        let alk = PatientProfile.MolecularFinding(gene: "ALK", kind: .fusion, partnerGene: "TPM3", result: .positive)
        let result = try evaluation(
            "crizotinib_alk_imt",
            for: try patient(
                age: 2, "8825/1", "Inflammatory myofibroblastic tumour", setting: .locallyAdvancedUnresectable,
                findings: [alk]))
        #expect(result.isFullyMet)
        #expect(try outcome(result, where: Self.isRequiredBiomarker).patientValue == "TPM3::ALK fusion positive")
    }

    @Test("crizotinib does not fit an IMT whose ALK rearrangement test is negative")
    func crizotinibAlkNegative() throws {
        let alk = PatientProfile.MolecularFinding(gene: "ALK", kind: .rearrangement, result: .negative)
        let result = try evaluation(
            "crizotinib_alk_imt",
            for: try patient(age: 40, "8825/1", "Inflammatory myofibroblastic tumour", findings: [alk]))
        let biomarker = try outcome(result, where: Self.isRequiredBiomarker)
        #expect(biomarker.outcome == .notMet)
        #expect(
            biomarker.reason
                == "ALK rearrangement: negative (ALK rearrangement); on file: ALK rearrangement negative: rules out ALK rearrangement"
        )
        #expect(!result.fits)
    }

    @Test("an untested NTRK fusion keeps larotrectinib and entrectinib listed as fitting, pending the test: desmoid")
    func pendingTestStillListed() throws {
        let desmoid = try patient(age: 34, "8821/1", "Desmoid fibromatosis", setting: .locallyAdvancedUnresectable)
        let report = matcher.evaluate(desmoid, asOf: today)
        let pending = report.fitting(withStatus: .fdaApprovedSTS).filter { !$0.isFullyMet }
        #expect(pending.map(\.indication.code) == ["larotrectinib_ntrk_fusion", "entrectinib_ntrk_fusion"])
        #expect(pending.allSatisfy { $0.unknownCriteria.map(\.reason) == ["NTRK fusion: not tested"] })
    }

    @Test("an NTRK3 fusion in any histology (MPNST, 30 years) fits larotrectinib and entrectinib")
    func ntrkFusionAnyHistology() throws {
        let mpnst = try patient(
            age: 30, "9540/3", "Malignant peripheral nerve sheath tumour", findings: [Self.etv6Ntrk3])
        for code in ["larotrectinib_ntrk_fusion", "entrectinib_ntrk_fusion"] {
            let result = try evaluation(code, for: mpnst)
            #expect(result.isFullyMet, "\(code)")
            #expect(try outcome(result, where: Self.isHistology).reason == "histology 9540/3 within any histology")
        }
    }

    @Test("infantile fibrosarcoma with NTRK3 fusion at 8 years: larotrectinib fits, entrectinib needs 12 years")
    func entrectinibMinimumAge() throws {
        let child = try patient(age: 8, "8814/3", "Infantile fibrosarcoma", findings: [Self.etv6Ntrk3])
        #expect(try evaluation("larotrectinib_ntrk_fusion", for: child).fits)
        let entrectinib = try evaluation("entrectinib_ntrk_fusion", for: child)
        #expect(!entrectinib.fits)
        #expect(try outcome(entrectinib, where: Self.isAge).reason == "age 8 < minimum 12")
    }

    @Test("a known acquired NTRK3 resistance mutation (G623R) rules out larotrectinib and entrectinib")
    func acquiredResistance() throws {
        let resistance = PatientProfile.MolecularFinding(
            gene: "NTRK3", kind: .mutation, result: .positive, variant: "G623R", isAcquiredResistanceMutation: true)
        let pretreated = try patient(
            age: 30, "8800/3", "Sarcoma NOS", findings: [Self.etv6Ntrk3, resistance])
        for code in ["larotrectinib_ntrk_fusion", "entrectinib_ntrk_fusion"] {
            let result = try evaluation(code, for: pretreated)
            #expect(!result.fits, "\(code)")
            let exclusion = try outcome(result, where: Self.isExcludingBiomarker)
            #expect(exclusion.outcome == .notMet)
            #expect(exclusion.patientValue == "NTRK3 mutation G623R positive")
        }
    }

    @Test("an NTRK3 mutation not flagged as acquired resistance does not exclude larotrectinib")
    func unflaggedMutationDoesNotExclude() throws {
        let passenger = PatientProfile.MolecularFinding(gene: "NTRK3", kind: .mutation, result: .positive)
        let result = try evaluation(
            "larotrectinib_ntrk_fusion",
            for: try patient(age: 30, "8800/3", "Sarcoma NOS", findings: [Self.etv6Ntrk3, passenger]))
        #expect(try outcome(result, where: Self.isExcludingBiomarker).outcome == .met)
        #expect(result.isFullyMet)
    }

    @Test("an untested NTRK fusion is unknown, not met: leiomyosarcoma without molecular testing")
    func untestedBiomarker() throws {
        let result = try evaluation("larotrectinib_ntrk_fusion", for: try patient(age: 55, "8890/3", "Leiomyosarcoma"))
        let fusion = try outcome(result, where: Self.isRequiredBiomarker)
        #expect(fusion.outcome == .unknown)
        #expect(fusion.reason == "NTRK fusion: not tested")
        #expect(result.fits)
        #expect(!result.isFullyMet)
    }

    @Test("NTRK fusion is not met only when NTRK1, NTRK2 and NTRK3 are all negative")
    func negativeBiomarker() throws {
        let negatives = ["NTRK1", "NTRK2", "NTRK3"].map {
            PatientProfile.MolecularFinding(gene: $0, kind: .fusion, result: .negative)
        }
        let partly = try evaluation(
            "larotrectinib_ntrk_fusion",
            for: try patient(age: 55, "8890/3", "Leiomyosarcoma", findings: [negatives[2]]))
        #expect(try outcome(partly, where: Self.isRequiredBiomarker).outcome == .unknown)
        #expect(
            try outcome(partly, where: Self.isRequiredBiomarker).reason
                == "NTRK fusion: NTRK1 fusion, NTRK2 fusion not tested; on file: NTRK3 fusion negative: rules out NTRK3 fusion"
        )

        let all = try evaluation(
            "larotrectinib_ntrk_fusion", for: try patient(age: 55, "8890/3", "Leiomyosarcoma", findings: negatives))
        #expect(try outcome(all, where: Self.isRequiredBiomarker).outcome == .notMet)
        #expect(!all.fits)
    }

    @Test("a failed NTRK3 assay leaves the NTRK fusion criterion unknown")
    func failedAssay() throws {
        let failed = PatientProfile.MolecularFinding(gene: "NTRK3", kind: .fusion, result: .failed)
        let result = try evaluation(
            "larotrectinib_ntrk_fusion", for: try patient(age: 55, "8890/3", "Leiomyosarcoma", findings: [failed]))
        #expect(try outcome(result, where: Self.isRequiredBiomarker).outcome == .unknown)
    }

    @Test("a negative ETV6-NTRK3 assay does not rule out an NTRK3 fusion with another partner")
    func partnerSpecificNegative() throws {
        let narrow = PatientProfile.MolecularFinding(
            gene: "NTRK3", kind: .fusion, partnerGene: "ETV6", result: .negative)
        let others = ["NTRK1", "NTRK2"].map {
            PatientProfile.MolecularFinding(gene: $0, kind: .fusion, result: .negative)
        }
        let result = try evaluation(
            "larotrectinib_ntrk_fusion",
            for: try patient(age: 55, "8890/3", "Leiomyosarcoma", findings: others + [narrow]))
        #expect(
            try outcome(result, where: Self.isRequiredBiomarker).reason
                == "NTRK fusion: NTRK3 fusion not tested; on file: "
                + "NTRK1 fusion negative: rules out NTRK1 fusion; NTRK2 fusion negative: rules out NTRK2 fusion; "
                + "ETV6::NTRK3 fusion negative: a negative ETV6::NTRK3 fusion assay does not rule out NTRK3 fusion with another partner"
        )
    }

    @Test("imatinib fits unresectable DFSP with COL1A1-PDGFB fusion, coded 8832/1 (ICD-O-3.2) or 8832/3 (3.0)")
    func imatinibDFSP() throws {
        let fusion = PatientProfile.MolecularFinding(
            gene: "COL1A1", kind: .fusion, partnerGene: "PDGFB", result: .positive)
        for code in ["8832/1", "8832/3"] {
            let result = try evaluation(
                "imatinib_dfsp",
                for: try patient(
                    age: 44, code, "Dermatofibrosarcoma protuberans", setting: .locallyAdvancedUnresectable,
                    findings: [fusion]))
            #expect(result.isFullyMet, "\(code)")
        }
    }

    @Test("pazopanib does not fit well-differentiated liposarcoma: adipocytic histology excluded")
    func pazopanibAdipocytic() throws {
        let prior = try PatientProfile.PriorTherapyHistory(
            agents: ["doxorubicin"], classes: ["cytotoxic_chemotherapy", "anthracycline"], lineCount: 1)
        let result = try evaluation(
            "pazopanib_advanced_sts",
            for: try patient(age: 62, "8851/3", "Liposarcoma, well-differentiated, NOS", prior: prior))
        let histology = try outcome(result, where: Self.isHistology)
        #expect(histology.outcome == .notMet)
        #expect(histology.reason == "adipocytic histology excluded")
        #expect(!result.fits)
    }

    @Test("pazopanib fits leiomyosarcoma after doxorubicin, and not before any chemotherapy")
    func pazopanibPriorChemotherapy() throws {
        let afterDoxorubicin = try PatientProfile.PriorTherapyHistory(
            agents: ["doxorubicin"], classes: ["cytotoxic_chemotherapy", "anthracycline"], lineCount: 1)
        #expect(
            try evaluation(
                "pazopanib_advanced_sts", for: try patient(age: 62, "8890/3", "Leiomyosarcoma", prior: afterDoxorubicin)
            ).isFullyMet)

        let untreated = try PatientProfile.PriorTherapyHistory(agents: [], classes: [], lineCount: 0)
        let firstLine = try evaluation(
            "pazopanib_advanced_sts", for: try patient(age: 62, "8890/3", "Leiomyosarcoma", prior: untreated))
        #expect(firstLine.unmetCriteria.map(\.reason) == ["no prior cytotoxic chemotherapy recorded"])
    }

    @Test("well-differentiated liposarcoma with CDK4 amplification lists palbociclib and abemaciclib as studied")
    func cdk4Liposarcoma() throws {
        let cdk4 = PatientProfile.MolecularFinding(gene: "CDK4", kind: .amplification, result: .positive)
        let wd = try patient(age: 58, "8851/3", "Liposarcoma, well-differentiated, NOS", findings: [cdk4])
        let report = matcher.evaluate(wd, asOf: today)
        let studied = report.evaluations(withStatus: .studiedSTS).map(\.indication.code)
        #expect(studied.contains("palbociclib_wd_dd_liposarcoma"))
        #expect(studied.contains("abemaciclib_dd_liposarcoma"))
        #expect(report.fitting(withStatus: .studiedSTS).map(\.indication.code) == ["palbociclib_wd_dd_liposarcoma"])
        let abemaciclib = try #require(report.evaluation(forIndication: "abemaciclib_dd_liposarcoma"))
        #expect(abemaciclib.unmetCriteria.map(\.reason) == ["histology 8851/3 not covered; requires 8858/3"])

        let dd = try patient(age: 58, "8858/3", "Dedifferentiated liposarcoma", findings: [cdk4])
        let ddFitting = matcher.evaluate(dd, asOf: today).fitting(withStatus: .studiedSTS).map(\.indication.code)
        #expect(ddFitting == ["palbociclib_wd_dd_liposarcoma", "abemaciclib_dd_liposarcoma"])
    }

    @Test("nab-sirolimus fits an adult with metastatic malignant PEComa (8714/3) but not benign PEComa (8714/0)")
    func nabSirolimusPEComa() throws {
        #expect(
            try evaluation("nab_sirolimus_pecoma", for: try patient(age: 51, "8714/3", "Malignant PEComa"))
                .isFullyMet)
        #expect(!(try evaluation("nab_sirolimus_pecoma", for: try patient(age: 51, "8714/0", "PEComa NOS")).fits))
    }

    @Test("diffuse TGCT: pexidartinib approved; vimseltinib in development before 2025-02-14, approved from then")
    func tgctStatusOverTime() throws {
        let tgct = try patient(
            age: 39, "9252/1", "Tenosynovial giant cell tumour, diffuse", setting: .locallyAdvancedUnresectable)
        let before = matcher.evaluate(tgct, asOf: try SeedCatalog.day("2025-02-13"))
        #expect(fullyMet(before, .fdaApprovedSTS) == ["pexidartinib_tgct"])
        #expect(before.fitting(withStatus: .inDevelopment).map(\.indication.code) == ["vimseltinib_tgct"])

        let onApproval = matcher.evaluate(tgct, asOf: try SeedCatalog.day("2025-02-14"))
        #expect(fullyMet(onApproval, .fdaApprovedSTS) == ["pexidartinib_tgct", "vimseltinib_tgct"])
        #expect(onApproval.evaluations(withStatus: .inDevelopment).isEmpty)
    }

    @Test("desmoid tumour: nirogacestat approved from 2023-11-27 (in development before), sorafenib studied")
    func desmoid() throws {
        let desmoid = try patient(
            age: 34, "8821/1", "Desmoid fibromatosis", setting: .locallyAdvancedUnresectable)
        let report = matcher.evaluate(desmoid, asOf: today)
        #expect(fullyMet(report, .fdaApprovedSTS) == ["nirogacestat_desmoid"])
        #expect(report.fitting(withStatus: .studiedSTS).map(\.indication.code) == ["sorafenib_desmoid"])

        let inMid2023 = matcher.evaluate(desmoid, asOf: try SeedCatalog.day("2023-06-30"))
        #expect(inMid2023.fitting(withStatus: .inDevelopment).map(\.indication.code) == ["nirogacestat_desmoid"])
        #expect(inMid2023.evaluation(forIndication: "nirogacestat_desmoid")?.status?.source == "[84]")
    }

    @Test("an indication has no status before its first dated entry: vimseltinib in 2022")
    func noStatusBeforeHistory() throws {
        let tgct = try patient(age: 39, "9252/0", "TGCT, localized", setting: .locallyAdvancedUnresectable)
        let report = matcher.evaluate(tgct, asOf: try SeedCatalog.day("2022-12-31"))
        #expect(report.evaluation(forIndication: "vimseltinib_tgct")?.status == nil)
        #expect(report.statusGroups.last?.status == nil)
        #expect(report.statusGroups.last?.evaluations.map(\.indication.code).contains("vimseltinib_tgct") == true)
    }

    @Test("status groups run from FDA approved to in development: synovial sarcoma after doxorubicin")
    func groupOrder() throws {
        let prior = try PatientProfile.PriorTherapyHistory(
            agents: ["doxorubicin"], classes: ["cytotoxic_chemotherapy", "anthracycline"], lineCount: 1)
        let report = matcher.evaluate(
            try patient(age: 30, "9040/3", "Synovial sarcoma NOS", prior: prior), asOf: today)
        #expect(report.statusGroups.map(\.status) == [.fdaApprovedSTS, .approvedElsewhere, .studiedSTS])
        #expect(report.fitting(withStatus: .approvedElsewhere).map(\.indication.code) == ["anlotinib_sts_china"])
        #expect(fullyMet(report, .fdaApprovedSTS) == ["pazopanib_advanced_sts"])
    }

    @Test("a localized epithelioid sarcoma does not meet tazemetostat's disease setting")
    func localizedDisease() throws {
        let result = try evaluation(
            "tazemetostat_epithelioid_sarcoma",
            for: try patient(age: 30, "8804/3", "Epithelioid sarcoma", setting: .localized))
        #expect(
            result.unmetCriteria.map(\.reason)
                == ["localized disease; requires locally advanced unresectable or metastatic"])
    }

    @Test("with two diagnoses the one that fits is reported: leiomyosarcoma and a later epithelioid sarcoma")
    func twoDiagnoses() throws {
        let profile = try PatientProfile(
            ageInYears: 40,
            diagnoses: [
                .init(histologyCode: try HistologyCode("8890/3"), entity: "Leiomyosarcoma", diseaseSetting: .localized),
                .init(
                    histologyCode: try HistologyCode("8804/3"), entity: "Epithelioid sarcoma",
                    diseaseSetting: .metastatic),
            ])
        let result = try evaluation("tazemetostat_epithelioid_sarcoma", for: profile)
        #expect(result.isFullyMet)
        #expect(result.diagnosis?.histologyCode.rawValue == "8804/3")
    }

    @Test(
        "a near miss is one criterion not met other than the histology: epithelioid sarcoma at 15 for tazemetostat (age), not imatinib for DFSP (histology)"
    )
    func nearMissIsOneChangeableCriterion() throws {
        let young = try patient(age: 15, "8804/3", "Epithelioid sarcoma", findings: [Self.smarcb1Loss])
        let tazemetostat = try evaluation("tazemetostat_epithelioid_sarcoma", for: young)
        #expect(tazemetostat.unmetCriteria.count == 1)
        #expect(tazemetostat.isNearMiss)
        let imatinib = try evaluation("imatinib_dfsp", for: try patient(age: 40, "8804/3", "Epithelioid sarcoma"))
        #expect(imatinib.unmetCriteria.count == 1 && Self.isHistology(imatinib.unmetCriteria[0].criterion))
        #expect(!imatinib.isNearMiss)
        let fitting = try evaluation(
            "tazemetostat_epithelioid_sarcoma",
            for: try patient(age: 17, "8804/3", "Epithelioid sarcoma", findings: [Self.smarcb1Loss]))
        #expect(fitting.fits && !fitting.isNearMiss)
    }
}
