import Foundation
import RegistryDomain

/// The shipped trial definitions in `Trials/`, read against a vocabulary holding the registry's codes for them.
enum TrialFixtures {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    static func vocabulary() throws -> TrialVocabulary {
        let codes = try ["9581/3", "8890/3", "9040/3", "8858/3", "8851/3", "8852/3", "9252/0", "9252/1", "9252/3"]
            .map { try HistologyCode($0) }
        let tgct = HistologyEntityGroup(
            code: "tenosynovial_giant_cell_tumour",
            members: Set(try ["9252/0", "9252/1", "9252/3"].map { try HistologyCode($0) }))
        return TrialVocabulary(
            histologyCodes: Set(codes),
            histologyGroups: ["any": .anyHistology, "tenosynovial_giant_cell_tumour": .group(tgct)],
            genes: ["MDM2", "CDK4", "SS18", "SSX1", "CSF1"],
            agents: [
                "anlotinib", "dacarbazine", "doxorubicin", "ifosfamide", "vimseltinib", "pexidartinib", "milademetan",
                "trabectedin",
            ],
            drugClasses: [
                "anthracycline", "alkylating_agent", "tyrosine_kinase_inhibitor", "csf1r_inhibitor", "mdm2_inhibitor",
            ])
    }

    static func document(_ json: String) throws -> DefinitionValue {
        try JSONDecoder().decode(DefinitionValue.self, from: Data(json.utf8))
    }

    static func shipped(_ file: String) throws -> TrialDefinition {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Trials").appendingPathComponent(file))
        return try TrialDefinition(
            document: try JSONDecoder().decode(DefinitionValue.self, from: data), vocabulary: try vocabulary())
    }

    static func apromiss() throws -> TrialDefinition { try shipped("NCT03016819-apromiss.json") }
    static func motion() throws -> TrialDefinition { try shipped("NCT05059262-motion.json") }
    static func mantra() throws -> TrialDefinition { try shipped("NCT04979442-mantra.json") }

    static let screeningDay = CalendarDate(year: 2026, month: 11, day: 27)!

    /// A candidate with sensible defaults: 52 years old, ECOG 1, measurable metastatic disease, no prior therapy.
    static func candidate(
        _ histology: String, _ entity: String, setting: DiseaseSetting? = .metastatic,
        ages: ClosedRange<Int>? = 52...52,
        ecog: Int? = 1, agents: Set<String> = [], classes: Set<String> = [], lines: Int = 0,
        findings: [PatientProfile.MolecularFinding] = [],
        baseline: BaselineDiseaseStatus = .measurable(targetLesions: 2)
    ) throws -> TrialCandidate {
        TrialCandidate(
            profile: try PatientProfile(
                ageInYears: nil,
                diagnoses: [
                    .init(histologyCode: try HistologyCode(histology), entity: entity, diseaseSetting: setting)
                ],
                molecularFindings: findings,
                priorTherapy: try .init(agents: agents, classes: classes, lineCount: lines)),
            possibleAges: ages,
            ecog: ecog.map { ECOGObservation(score: $0, assessedOn: CalendarDate(year: 2026, month: 11, day: 2)!) },
            baselineDisease: baseline)
    }

    /// A synovial sarcoma patient after first-line doxorubicin, who fits APROMISS's synovial cohort.
    static func synovialAfterDoxorubicin(ecog: Int? = 1) throws -> TrialCandidate {
        try candidate(
            "9040/3", "Synovial sarcoma NOS", ecog: ecog, agents: ["doxorubicin"], classes: ["anthracycline"], lines: 1)
    }
}

extension TrialScreening {
    func evaluation(_ kind: TrialCriterionKind) -> TrialCriterionEvaluation? {
        criteria.last { $0.kind == kind }
    }
}
