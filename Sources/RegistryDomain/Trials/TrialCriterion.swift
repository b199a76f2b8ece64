/// Prior systemic therapy named by agent or by class, e.g. "an anthracycline" or "pexidartinib".
public struct PriorTherapyRule: Hashable, Sendable {
    /// Agent codes from `therapy_agents`, e.g. `pexidartinib`.
    public let agents: Set<String>
    /// Drug classes from `therapy_agents.drug_class`, e.g. `anthracycline`.
    public let classes: Set<String>

    public init(agents: Set<String>, classes: Set<String>) {
        self.agents = agents
        self.classes = classes
    }

    /// "anthracycline", "pexidartinib or csf1r inhibitor": how a coordinator reads the rule.
    public var description: String {
        (agents.sorted() + classes.sorted().map(\.replacingUnderscoresWithSpaces)).joined(separator: " or ")
    }

    /// The agents and classes of `history` this rule names.
    func matches(in history: PatientProfile.PriorTherapyHistory) -> [String] {
        agents.intersection(history.agents).sorted()
            + classes.intersection(history.classes).sorted().map(\.replacingUnderscoresWithSpaces)
    }
}

/// The kind of a trial criterion, as the screening log stores it (`trial_screening_criteria.criterion_kind`).
public enum TrialCriterionKind: String, CaseIterable, Hashable, Sendable, Codable {
    case histology
    case requiredFinding = "required_finding"
    case excludingFinding = "excluding_finding"
    case age
    case maximumECOG = "maximum_ecog"
    case priorLines = "prior_lines"
    case requiredPriorTherapy = "required_prior_therapy"
    case excludedPriorTherapy = "excluded_prior_therapy"
    case measurableDisease = "measurable_disease"
    case diseaseSetting = "disease_setting"
}

/// One eligibility rule of a trial or cohort. Trials add to the therapy catalog's criteria the limits
/// protocols set on age, performance status, the number and kind of prior lines, and measurable disease.
public enum TrialCriterion: Hashable, Sendable {
    case histology(HistologyCriterion)
    case requiredFinding(BiomarkerCriterion)
    /// Rules the patient out when a matching positive finding is known.
    case excludingFinding(BiomarkerCriterion)
    /// Completed years at screening; either bound may be open.
    case age(minimum: Int?, maximum: Int?)
    case maximumECOG(Int)
    case priorLines(minimum: Int?, maximum: Int?)
    /// At least one of the named agents or classes was received before.
    case requiredPriorTherapy(PriorTherapyRule)
    /// None of the named agents or classes was received before.
    case excludedPriorTherapy(PriorTherapyRule)
    /// At least one measurable (target) lesion at baseline per RECIST 1.1.
    case measurableDisease
    case diseaseSetting(allowed: Set<DiseaseSetting>)

    public var kind: TrialCriterionKind {
        switch self {
        case .histology: .histology
        case .requiredFinding: .requiredFinding
        case .excludingFinding: .excludingFinding
        case .age: .age
        case .maximumECOG: .maximumECOG
        case .priorLines: .priorLines
        case .requiredPriorTherapy: .requiredPriorTherapy
        case .excludedPriorTherapy: .excludedPriorTherapy
        case .measurableDisease: .measurableDisease
        case .diseaseSetting: .diseaseSetting
        }
    }

    /// The criterion as the protocol states it: "ECOG ≤ 1", "prior anthracycline". Screen failures are
    /// counted by this label, so it carries no patient value.
    public var label: String {
        switch self {
        case .histology(let criterion):
            let included = criterion.included.map(\.description).joined(separator: ", ")
            let excluded = criterion.excluded.map(\.description).joined(separator: ", ")
            return excluded.isEmpty ? "histology \(included)" : "histology \(included), not \(excluded)"
        case .requiredFinding(let criterion): return criterion.label
        case .excludingFinding(let criterion): return "no \(criterion.label)"
        case .age(let minimum, let maximum): return "age \(Self.range(minimum, maximum))"
        case .maximumECOG(let maximum): return "ECOG ≤ \(maximum)"
        case .priorLines(let minimum, let maximum): return "prior lines \(Self.range(minimum, maximum))"
        case .requiredPriorTherapy(let rule): return "prior \(rule.description)"
        case .excludedPriorTherapy(let rule): return "no prior \(rule.description)"
        case .measurableDisease: return "measurable disease at baseline (RECIST 1.1)"
        case .diseaseSetting(let allowed):
            return "disease setting " + allowed.sorted().map(\.description).joined(separator: " or ")
        }
    }

    static func range(_ minimum: Int?, _ maximum: Int?) -> String {
        switch (minimum, maximum) {
        case (let low?, let high?): "\(low) to \(high)"
        case (let low?, nil): "≥ \(low)"
        case (nil, let high?): "≤ \(high)"
        case (nil, nil): "any"
        }
    }
}
