import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing
import TestSupport

/// Issue 23: what the 42 vignettes written from the review could not enter, now entered (or answered with the
/// right suggestion), in the suite of the recording services.
extension ClinicalRecordingTests {
    @Test(
        "the regimens a coordinator records start a line under their catalog codes",
        arguments: [
            (["paclitaxel"], ["paclitaxel"]),
            (["methotrexate", "vinblastine"], ["methotrexate", "vinblastine"]),
            (["everolimus"], ["everolimus"]),
            (["sirolimus"], ["sirolimus"]),
            (["lenvatinib", "pembrolizumab"], ["lenvatinib", "pembrolizumab"]),
            (
                ["vincristine", "dactinomycin", "cyclophosphamide"],
                ["cyclophosphamide", "dactinomycin", "vincristine"]
            ),
            (["etoposide", "ifosfamide"], ["etoposide", "ifosfamide"]),
            (["temozolomide", "irinotecan"], ["irinotecan", "temozolomide"]),
            (["gemcitabine", "docetaxel"], ["docetaxel", "gemcitabine"]),
            (["dacarbazine"], ["dacarbazine"]),
        ])
    func standardRegimens(agents: [String], stored: [String]) throws {
        let line = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: agents, intent: .palliative,
                startDate: try CalendarDate(iso: "2024-03-01")))
        #expect(line.agents == stored)
    }

    @Test(
        "a brand name or a spelling variant is stored as the agent's code: nab-sirolimus with its hyphen, Fyarro, Keytruda, Taxol, actinomycin D",
        arguments: [
            ("nab-sirolimus", "nab_sirolimus"), ("Nab-Sirolimus", "nab_sirolimus"), ("Fyarro", "nab_sirolimus"),
            ("Keytruda", "pembrolizumab"), ("Taxol", "paclitaxel"), ("actinomycin D", "dactinomycin"),
            ("Votrient", "pazopanib"), ("rapamycin", "sirolimus"), ("anlotinib (AL3818)", "anlotinib"),
        ])
    func aliases(submitted: String, code: String) throws {
        let line = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: [submitted], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-03-01")))
        #expect(line.agents == [code])
    }

    @Test(
        "every unknown agent of a line is named in one error and nothing is written: 'doxorubicine' and 'ifosfamid' beside a known paclitaxel"
    )
    func allUnknownAgentsInOneError() throws {
        let before = try fixture.counts()
        let error = #expect(throws: RegistryError.self) {
            try fixture.treatment.start(
                id,
                TherapyStart(
                    agents: ["doxorubicine", "paclitaxel", "ifosfamid"], intent: .palliative,
                    startDate: try CalendarDate(iso: "2024-03-01")))
        }
        guard case .unknownAgents(let names, _) = error else {
            Issue.record("not unknownAgents: \(String(describing: error))")
            return
        }
        #expect(names == ["doxorubicine", "ifosfamid"])
        #expect(
            error?.description
                == "unknown agents 'doxorubicine' (did you mean doxorubicin?), 'ifosfamid' (did you mean ifosfamide?); "
                + "nothing was recorded: see the therapy catalog for agent names")
        #expect(try fixture.counts() == before)
    }

    @Test(
        "histology codes the vignettes were refused are recorded with their WHO entity: 8822/1 abdominal fibromatosis, synovial sarcoma subtypes, spindle cell sarcoma",
        arguments: [
            ("8822/1", "Abdominal fibromatosis (desmoid tumour)"),
            ("9041/3", "Synovial sarcoma, spindle cell (monophasic)"),
            ("9043/3", "Synovial sarcoma, biphasic"), ("8801/3", "Undifferentiated spindle cell sarcoma"),
            ("9364/3", "Ewing sarcoma"), ("9220/3", "Chondrosarcoma, grade 2 or 3 (conventional chondrosarcoma NOS)"),
        ])
    func histology(code: String, entity: String) throws {
        let record = try fixture.diagnostics.recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode(code), icdoVersion: .v3_2, primarySite: "thigh",
                diagnosed: try PartialDate(iso: "2024-05"), diseaseSetting: .metastatic))
        #expect(record.icdo3Code == code)
        #expect(record.whoEntity == entity)
    }

    @Test(
        "fusion partners outside the old 80-gene list are accepted: LMNA::NTRK1, TPR::NTRK1, RANBP2::ALK, CLTC::ALK",
        arguments: [("NTRK1", "LMNA"), ("NTRK1", "TPR"), ("ALK", "RANBP2"), ("ALK", "CLTC")])
    func fusionPartners(gene: String, partner: String) throws {
        let record = try fixture.diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: gene, alterationKind: .fusion, partnerGene: partner, method: .ngsRNA, result: .positive,
                reportDate: try CalendarDate(iso: "2024-06-01")))
        #expect(FusionNotation.write(gene: record.gene, partnerGene: record.partnerGene) == "\(partner)::\(gene)")
    }

    @Test("a gene symbol is matched in any case and stored as approved: c1orf112 is C1orf112")
    func symbolCase() throws {
        let record = try fixture.diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "c1orf112", alterationKind: .mutation, method: .ngsDNA, result: .positive,
                reportDate: try CalendarDate(iso: "2024-06-01")))
        #expect(record.gene == "C1orf112")
    }

    @Test(
        "the alias INI1 is answered with 'did you mean SMARCB1 (INI1 is its alias)' and nothing is stored, as gene or as partner"
    )
    func aliasSuggestion() throws {
        let before = try fixture.counts()
        let asGene = #expect(throws: RegistryError.self) {
            try fixture.diagnostics.recordMolecular(
                id,
                MolecularSubmission(
                    gene: "INI1", alterationKind: .lossOfExpression, method: .ihc, result: .positive,
                    reportDate: try CalendarDate(iso: "2024-06-01")))
        }
        #expect(
            asGene?.description
                == "gene 'INI1' is not an approved HGNC symbol; did you mean SMARCB1 (INI1 is its alias)")
        let asPartner = #expect(throws: RegistryError.self) {
            try fixture.diagnostics.recordMolecular(
                id,
                MolecularSubmission(
                    gene: "EWSR1", alterationKind: .fusion, partnerGene: "INI1", method: .ngsRNA, result: .positive,
                    reportDate: try CalendarDate(iso: "2024-06-01")))
        }
        guard case .geneAlias(let field, let given, let symbols) = asPartner else {
            Issue.record("not geneAlias")
            return
        }
        #expect(field == .partner && given == "INI1" && symbols == [GeneSuggestion(symbol: "SMARCB1", kind: .alias)])
        #expect(try fixture.counts() == before)
    }

    @Test("a symbol that is neither approved nor an alias stays unknown: NTRK9")
    func unknownSymbol() throws {
        let error = #expect(throws: RegistryError.self) {
            try fixture.diagnostics.recordMolecular(
                id,
                MolecularSubmission(
                    gene: "NTRK9", alterationKind: .fusion, method: .fish, result: .positive,
                    reportDate: try CalendarDate(iso: "2024-06-01")))
        }
        guard case .unknownGene(let field, let symbol) = error else {
            Issue.record("not unknownGene")
            return
        }
        #expect(field == .gene && symbol == "NTRK9")
    }
}

@Suite(
    "What the matcher says with the completed vocabularies: reasons that name what is on file, evidence dated by publication"
)
struct VocabularyMatchTests {
    let registry: RegistryFixture

    init() throws {
        registry = try RegistryFixture()
    }

    @Test(
        "a desmoid coded 8822/1 (abdominal fibromatosis) fits nirogacestat and the pazopanib desmoid trial like one coded 8821/1",
        arguments: ["8821/1", "8822/1"])
    func desmoidCodes(code: String) throws {
        let id = try registry.patient(
            mrn: "DT\(code.filter(\.isNumber))", birth: "1990-01-01", icdo3: code,
            setting: .locallyAdvancedUnresectable)
        #expect(try registry.evaluation("nirogacestat_desmoid", of: id).isFullyMet)
        #expect(try registry.evaluation("pazopanib_desmoid", of: id).isFullyMet)
    }

    @Test(
        "a biphasic synovial sarcoma (9043/3) meets the synovial sarcoma histology of CFT8634, which named 9040/3 alone"
    )
    func synovialSubtype() throws {
        let id = try registry.patient(mrn: "SS-BI", birth: "1985-02-02", icdo3: "9043/3")
        let histology = try #require(try registry.evaluation("cft8634_synovial_sarcoma", of: id).criterion("histology"))
        #expect(histology.outcome == .met)
        #expect(histology.reason == "histology 9043/3 within synovial sarcoma")
    }

    @Test("weekly paclitaxel for angiosarcoma counts as prior chemotherapy: pazopanib's prior-therapy criterion is met")
    func paclitaxelIsChemotherapy() throws {
        let id = try registry.patient(mrn: "AS-1", birth: "1960-03-03", icdo3: "9120/3")
        _ = try registry.treatment.start(
            id,
            TherapyStart(
                agents: ["paclitaxel"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-11-01")))
        let prior = try #require(try registry.evaluation("pazopanib_advanced_sts", of: id).criterion("prior therapy"))
        #expect(prior.outcome == .met)
        #expect(prior.patientValue == "1 prior line: cytotoxic chemotherapy, taxane")
    }

    @Test(
        "a result that bears on a criterion without settling it is named with why: ALK immunohistochemistry in an IMT, NTRK3 break-apart FISH in an infantile fibrosarcoma",
        arguments: [
            (
                "IMT-IHC", "2015-05-05", "8825/1", "ALK", MolecularAlterationKind.overexpression, MolecularMethod.ihc,
                "crizotinib_alk_imt", "ALK rearrangement",
                "ALK overexpression positive by IHC",
                "ALK rearrangement: not settled by what is on file: ALK overexpression positive by IHC: protein expression is not a rearrangement and does not settle it"
            ),
            (
                "IFS-FISH", "2023-01-01", "8814/3", "NTRK3", MolecularAlterationKind.rearrangement,
                MolecularMethod.fish,
                "larotrectinib_ntrk_fusion", "NTRK fusion",
                "NTRK3 rearrangement positive by FISH",
                "NTRK fusion: not settled by what is on file: NTRK3 rearrangement positive by FISH: a break-apart FISH shows NTRK3 is "
                    + "rearranged, not that it is fused to a partner; a fusion needs RNA NGS or a fusion assay"
            ),
        ])
    func unsettlingResult(
        mrn: String, birth: String, icdo3: String, gene: String, kind: MolecularAlterationKind, method: MolecularMethod,
        indication: String,
        criterion: String, onFile: String, reason: String
    ) throws {
        let id = try registry.patient(mrn: mrn, birth: birth, icdo3: icdo3)
        try registry.finding(id, gene: gene, kind: kind, method: method)
        let evaluation = try #require(try registry.evaluation(indication, of: id).criterion(criterion))
        #expect(evaluation.outcome == .unknown)
        #expect(evaluation.patientValue == onFile)
        #expect(evaluation.reason == reason)
    }

    @Test("a fusion is written 5'::3' in match: ETV6::NTRK3 recorded as --gene NTRK3 --partner ETV6")
    func fusionNotation() throws {
        let id = try registry.patient(mrn: "IFS-NGS", birth: "2023-01-01", icdo3: "8814/3")
        try registry.finding(id, gene: "NTRK3", kind: .fusion, partner: "ETV6")
        let ntrk = try #require(try registry.evaluation("larotrectinib_ntrk_fusion", of: id).criterion("NTRK fusion"))
        #expect(ntrk.patientValue == "ETV6::NTRK3 fusion positive")
    }

    @Test(
        "studied uses are dated by their trial's publication: sorafenib in desmoid from 2018, pazopanib from 2019, none before",
        arguments: [
            ("sorafenib_desmoid", CalendarDate(year: 2017, month: 12, day: 31)!, nil as PartialDate?),
            ("sorafenib_desmoid", CalendarDate(year: 2018, month: 6, day: 1)!, PartialDate.year(2018)),
            ("sorafenib_desmoid", CalendarDate(year: 2026, month: 11, day: 27)!, PartialDate.year(2018)),
            ("pazopanib_desmoid", CalendarDate(year: 2018, month: 12, day: 31)!, nil),
            ("pazopanib_desmoid", CalendarDate(year: 2019, month: 3, day: 1)!, PartialDate.year(2019)),
            (
                "nirogacestat_desmoid", CalendarDate(year: 2020, month: 1, day: 1)!,
                PartialDate.yearMonth(year: 2017, month: 3)
            ),
        ])
    func evidenceDates(indication: String, asOf: CalendarDate, since: PartialDate?) throws {
        let id = try registry.patient(
            mrn: "DT-DATES", birth: "1980-01-01", icdo3: "8821/1", diagnosed: try PartialDate(iso: "2015-03"))
        let status = try registry.evaluation(indication, of: id, asOf: asOf).status
        #expect(status?.dated == since)
        #expect(
            status.map { $0.status }
                == (since == nil ? nil : indication == "nirogacestat_desmoid" ? .inDevelopment : .studiedSTS))
    }
}
