import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

extension RegistryFixture {
    var matching: TherapyMatchService { TherapyMatchService(connection: connection, today: today) }
    var catalog: TherapyCatalogService { TherapyCatalogService(connection: connection, today: today) }

    /// Enrolls a patient with one diagnosis (late 2024) and returns the registry id.
    func patient(
        mrn: String, birth: String, icdo3: String, version: ICDOVersion = .v3_2,
        setting: DiseaseSetting = .metastatic, diagnosed: PartialDate = .yearMonth(year: 2024, month: 10)
    ) throws -> String {
        let enrolled = try patients.enroll(
            EnrollmentRequest(
                site: "MUC", mrn: mrn, birth: try PartialDate(iso: birth), sex: .female,
                consentDate: try CalendarDate(iso: "2024-07-01")), key: key)
        _ = try diagnostics.recordDiagnosis(
            enrolled.registryID,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode(icdo3), icdoVersion: version, primarySite: "thigh", diagnosed: diagnosed,
                diseaseSetting: setting))
        return enrolled.registryID
    }

    func finding(
        _ registryID: String, gene: String, kind: MolecularAlterationKind, partner: String? = nil, hgvs: String? = nil,
        result: PatientProfile.TestResult = .positive, resistance: Bool = false,
        reported: CalendarDate = CalendarDate(year: 2024, month: 11, day: 4)!, method: MolecularMethod = .ngsRNA
    ) throws {
        _ = try diagnostics.recordMolecular(
            registryID,
            MolecularSubmission(
                gene: gene, alterationKind: kind, partnerGene: partner, hgvs: hgvs, method: method, result: result,
                acquiredResistance: resistance, reportDate: reported))
    }

    func evaluation(
        _ indication: String, of registryID: String, asOf date: CalendarDate? = nil
    ) throws -> IndicationEvaluation {
        try #require(try matching.match(registryID, asOf: date).report.evaluation(forIndication: indication))
    }
}

extension IndicationEvaluation {
    func criterion(_ name: String) -> CriterionEvaluation? {
        criteria.first { $0.criterion.name == name }
    }
}

@Suite("Matching enrolled patients against the seeded therapy catalog")
struct TherapyMatchTests {
    @Test(
        "epithelioid sarcoma with INI1 (SMARCB1) loss: tazemetostat from the 16th birthday, completed years from the birth date",
        arguments: [
            ("2009-03-01", 17, CriterionOutcome.met),
            ("2010-11-27", 16, .met),
            ("2010-11-28", 15, .notMet),
            ("2011-03-01", 15, .notMet),
        ])
    func tazemetostatAge(birth: String, age: Int, outcome: CriterionOutcome) throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "ES-\(birth)", birth: birth, icdo3: "8804/3")
        try registry.finding(id, gene: "SMARCB1", kind: .lossOfExpression)
        let match = try registry.matching.match(id, asOf: registry.today)
        #expect(match.age == .exact(years: age))
        let tazemetostat = try #require(match.report.evaluation(forIndication: "tazemetostat_epithelioid_sarcoma"))
        #expect(tazemetostat.status?.status == .fdaApprovedSTS)
        let ageCriterion = try #require(tazemetostat.criterion("minimum age 16"))
        #expect(ageCriterion.outcome == outcome)
        #expect(ageCriterion.patientValue == "\(age) years")
        #expect(tazemetostat.isFullyMet == (outcome == .met))
        if outcome == .notMet { #expect(ageCriterion.reason == "age \(age) < minimum 16") }
        // The SMARCB1 loss is what the BRD9 degraders in development ask for, in any histology.
        #expect(match.report.evaluation(forIndication: "fhd_609_smarcb1_loss")?.isFullyMet == true)
    }

    @Test("with only a birth year (2010) the patient is 15 or 16 on 2026-11-27: minimum 16 unknown, 12 met, 18 not met")
    func birthYearOnly() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "ES-2010", birth: "2010", icdo3: "8804/3")
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        let match = try registry.matching.match(id)
        #expect(match.age == .birthYearOnly(birthYear: 2010, lower: 15, upper: 16))
        let tazemetostat = try #require(
            match.report.evaluation(forIndication: "tazemetostat_epithelioid_sarcoma")?.criterion("minimum age 16"))
        #expect(tazemetostat.outcome == .unknown)
        #expect(tazemetostat.patientValue.contains("15 or 16 years"))
        #expect(try registry.evaluation("entrectinib_ntrk_fusion", of: id).criterion("minimum age 12")?.outcome == .met)
        #expect(
            try registry.evaluation("pazopanib_advanced_sts", of: id).criterion("minimum age 18")?.outcome == .notMet)
    }

    @Test("crizotinib fits an ALK-positive inflammatory myofibroblastic tumour (ALK rearrangement by FISH) at 2 years")
    func crizotinibIMT() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(
            mrn: "IMT-1", birth: "2024-06-01", icdo3: "8825/1", setting: .locallyAdvancedUnresectable)
        try registry.finding(id, gene: "ALK", kind: .rearrangement)
        let match = try registry.matching.match(id)
        #expect(match.age == .exact(years: 2))
        let crizotinib = try #require(match.report.evaluation(forIndication: "crizotinib_alk_imt"))
        #expect(crizotinib.isFullyMet)
        #expect(crizotinib.status?.status == .fdaApprovedSTS)
        #expect(
            match.report.fitting(withStatus: .fdaApprovedSTS).filter(\.isFullyMet).map(\.indication.code) == [
                "crizotinib_alk_imt"
            ])
    }

    @Test(
        "an ETV6-NTRK3 fusion in any histology fits larotrectinib and entrectinib in an adult",
        arguments: ["8814/3", "8890/3", "9540/3"])
    func ntrkAnyHistology(icdo3: String) throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "NTRK" + icdo3.filter(\.isNumber), birth: "1990-02-02", icdo3: icdo3)
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        let report = try registry.matching.match(id).report
        let fullyMet = report.fitting(withStatus: .fdaApprovedSTS).filter(\.isFullyMet).map(\.indication.code)
        #expect(fullyMet.contains("larotrectinib_ntrk_fusion"))
        #expect(fullyMet.contains("entrectinib_ntrk_fusion"))
        #expect(
            report.evaluation(forIndication: "larotrectinib_ntrk_fusion")?.criterion("NTRK fusion")?.patientValue
                == "ETV6::NTRK3 fusion positive")
    }

    @Test("infantile fibrosarcoma with an NTRK3 fusion at 8 years: larotrectinib fits, entrectinib needs 12 years")
    func ntrkChild() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "IFS-1", birth: "2018-05-05", icdo3: "8814/3")
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        #expect(try registry.evaluation("larotrectinib_ntrk_fusion", of: id).isFullyMet)
        let entrectinib = try registry.evaluation("entrectinib_ntrk_fusion", of: id)
        #expect(entrectinib.unmetCriteria.map(\.reason) == ["age 8 < minimum 12"])
    }

    @Test(
        "a known acquired NTRK3 resistance mutation (G623R) recorded after the fusion rules out larotrectinib and entrectinib"
    )
    func ntrkResistance() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "NTRK-R", birth: "1985-01-01", icdo3: "8890/3")
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        try registry.finding(
            id, gene: "NTRK3", kind: .mutation, hgvs: "p.G623R", resistance: true,
            reported: try CalendarDate(iso: "2025-09-01"))
        for indication in ["larotrectinib_ntrk_fusion", "entrectinib_ntrk_fusion"] {
            let evaluation = try registry.evaluation(indication, of: id)
            #expect(!evaluation.fits)
            let resistance = try #require(evaluation.unmetCriteria.first)
            #expect(evaluation.unmetCriteria.count == 1)
            #expect(resistance.criterion.name == "no known acquired resistance mutation")
            #expect(resistance.patientValue == "NTRK3 mutation p.G623R positive")
            // Before the mutation was reported the fusion alone decided.
            #expect(
                try registry.evaluation(indication, of: id, asOf: CalendarDate(year: 2025, month: 8, day: 31))
                    .isFullyMet)
        }
    }

    @Test("an untested NTRK fusion is unknown, not a rejection: 'NTRK fusion: not tested'")
    func ntrkNotTested() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "LMS-1", birth: "1970-01-01", icdo3: "8890/3")
        let larotrectinib = try registry.evaluation("larotrectinib_ntrk_fusion", of: id)
        let ntrk = try #require(larotrectinib.criterion("NTRK fusion"))
        #expect(ntrk.outcome == .unknown)
        #expect(ntrk.patientValue == "not tested")
        #expect(ntrk.reason == "NTRK fusion: not tested")
        #expect(larotrectinib.fits && !larotrectinib.isFullyMet)
    }

    @Test(
        "imatinib fits unresectable DFSP with a COL1A1-PDGFB fusion, coded 8832/1 (ICD-O-3.2) or 8832/3 (ICD-O-3.0)",
        arguments: [("8832/1", ICDOVersion.v3_2), ("8832/3", ICDOVersion.v3_0)])
    func imatinibDFSP(icdo3: String, version: ICDOVersion) throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(
            mrn: "DFSP" + icdo3.filter(\.isNumber), birth: "1968-07-07", icdo3: icdo3, version: version,
            setting: .locallyAdvancedUnresectable)
        try registry.finding(id, gene: "COL1A1", kind: .fusion, partner: "PDGFB")
        let imatinib = try registry.evaluation("imatinib_dfsp", of: id)
        #expect(imatinib.isFullyMet)
        #expect(imatinib.status?.status == .fdaApprovedSTS)
    }

    @Test(
        "well-differentiated liposarcoma: pazopanib not met (adipocytic); with CDK4 amplification palbociclib and abemaciclib listed as studied"
    )
    func liposarcoma() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "WDLPS-1", birth: "1966-04-04", icdo3: "8851/3")
        let pazopanib = try registry.evaluation("pazopanib_advanced_sts", of: id)
        #expect(pazopanib.criterion("histology")?.outcome == .notMet)
        #expect(pazopanib.criterion("histology")?.reason == "adipocytic histology excluded")
        #expect(
            try registry.evaluation("palbociclib_wd_dd_liposarcoma", of: id).criterion("CDK4 amplification")?.outcome
                == .unknown)

        try registry.finding(id, gene: "CDK4", kind: .amplification)
        let report = try registry.matching.match(id).report
        let studied = report.evaluations(withStatus: .studiedSTS).map(\.indication.code)
        #expect(studied.contains("palbociclib_wd_dd_liposarcoma"))
        #expect(studied.contains("abemaciclib_dd_liposarcoma"))
        #expect(report.evaluation(forIndication: "palbociclib_wd_dd_liposarcoma")?.isFullyMet == true)
        #expect(
            report.evaluation(forIndication: "abemaciclib_dd_liposarcoma")?.unmetCriteria.map(\.reason)
                == ["histology 8851/3 not covered; requires 8858/3"])
    }

    @Test("nab-sirolimus fits an adult with metastatic malignant PEComa (8714/3), not benign PEComa (8714/0)")
    func pecoma() throws {
        let registry = try RegistryFixture()
        let malignant = try registry.patient(mrn: "PEC-1", birth: "1975-03-03", icdo3: "8714/3")
        let benign = try registry.patient(mrn: "PEC-2", birth: "1975-03-03", icdo3: "8714/0")
        #expect(try registry.evaluation("nab_sirolimus_pecoma", of: malignant).isFullyMet)
        #expect(try !registry.evaluation("nab_sirolimus_pecoma", of: benign).fits)
    }

    @Test("diffuse TGCT: pexidartinib approved; vimseltinib in development until its approval on 2025-02-14")
    func tgct() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(
            mrn: "TGCT-1", birth: "1987-09-09", icdo3: "9252/1", setting: .locallyAdvancedUnresectable)
        let now = try registry.matching.match(id).report
        #expect(
            now.fitting(withStatus: .fdaApprovedSTS).filter(\.isFullyMet).map(\.indication.code) == [
                "pexidartinib_tgct", "vimseltinib_tgct",
            ])
        #expect(
            now.evaluation(forIndication: "vimseltinib_tgct")?.status?.effectiveDate
                == CalendarDate(year: 2025, month: 2, day: 14))
        let before = try registry.matching.match(id, asOf: CalendarDate(year: 2025, month: 2, day: 13)).report
        #expect(before.evaluation(forIndication: "vimseltinib_tgct")?.status?.status == .inDevelopment)
        #expect(
            before.fitting(withStatus: .fdaApprovedSTS).filter(\.isFullyMet).map(\.indication.code) == [
                "pexidartinib_tgct"
            ])
    }

    @Test(
        "desmoid tumour: nirogacestat approved (2023-11-27), sorafenib and pazopanib studied, the gamma-secretase inhibitors in development"
    )
    func desmoid() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(
            mrn: "DT-1", birth: "1992-12-12", icdo3: "8821/1", setting: .locallyAdvancedUnresectable)
        let report = try registry.matching.match(id).report
        let nirogacestat = try #require(report.evaluation(forIndication: "nirogacestat_desmoid"))
        #expect(nirogacestat.isFullyMet)
        #expect(nirogacestat.status?.status == .fdaApprovedSTS)
        #expect(nirogacestat.status?.effectiveDate == CalendarDate(year: 2023, month: 11, day: 27))
        #expect(
            report.fitting(withStatus: .studiedSTS).filter(\.isFullyMet).map(\.indication.code) == [
                "sorafenib_desmoid", "pazopanib_desmoid",
            ])
        #expect(
            report.fitting(withStatus: .inDevelopment).filter(\.isFullyMet).map(\.indication.code) == [
                "al102_desmoid", "al101_desmoid",
            ])
    }

    @Test("pazopanib needs prior chemotherapy: unknown with no line recorded, met after doxorubicin (an anthracycline)")
    func pazopanibPriorChemotherapy() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "LMS-2", birth: "1960-01-01", icdo3: "8890/3")
        #expect(
            try registry.evaluation("pazopanib_advanced_sts", of: id).criterion("prior therapy")?.outcome == .unknown)
        _ = try registry.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-11-15")))
        let pazopanib = try registry.evaluation("pazopanib_advanced_sts", of: id)
        #expect(pazopanib.isFullyMet)
        #expect(
            pazopanib.criterion("prior therapy")?.patientValue == "1 prior line: anthracycline, cytotoxic chemotherapy")
        #expect(
            try registry.evaluation("regorafenib_non_adipocytic_sts", of: id).criterion("prior therapy")?.outcome
                == .met)
    }

    @Test("a match before the patient's birth is refused naming --as-of")
    func beforeBirth() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "ES-X", birth: "2009-03-01", icdo3: "8804/3")
        #expect {
            try registry.matching.match(id, asOf: CalendarDate(year: 2009, month: 2, day: 28))
        } throws: { error in
            guard case RegistryError.input(.beforeBirth(let field, _, _)) = error else { return false }
            return field == .asOf && "\(error)".contains("2009-02-28")
        }
    }

    @Test("an unknown registry id is refused naming the id")
    func unknownPatient() throws {
        let registry = try RegistryFixture()
        #expect {
            try registry.matching.match("MUC-0999")
        } throws: { error in
            guard case RegistryError.patientNotFound(let id) = error else { return false }
            return id == "MUC-0999"
        }
    }
}
