/// Trial phase as registered on ClinicalTrials.gov.
public enum TrialPhase: String, RegistryVocabulary {
    case phase1 = "1"
    case phase1And2 = "1/2"
    case phase2 = "2"
    case phase2And3 = "2/3"
    case phase3 = "3"
    case phase4 = "4"
}

/// Recruitment status; only a recruiting trial enrolls.
public enum TrialRecruitmentStatus: String, RegistryVocabulary {
    case notYetRecruiting = "not_yet_recruiting"
    case recruiting
    case activeNotRecruiting = "active_not_recruiting"
    case suspended
    case completed
    case terminated
    case withdrawn
}

/// A treatment arm and its share of the allocation: a 2:1 trial has arms with ratios 2 and 1.
public struct TrialArm: Hashable, Sendable, Codable {
    public let code: String
    public let label: String
    public let ratio: Int
    /// Agent codes from `therapy_agents`; empty for placebo or observation.
    public let agents: [String]

    public init(code: String, label: String, ratio: Int, agents: [String]) {
        self.code = code
        self.label = label
        self.ratio = ratio
        self.agents = agents
    }
}

/// How a cohort assigns its patients to arms.
public enum CohortAssignment: Hashable, Sendable {
    /// Stratified permuted blocks over every arm of the trial.
    case randomized
    /// Every patient receives this arm (an open-label or single-arm cohort).
    case fixed(armCode: String)
}

/// A group of places with its own capacity and, optionally, criteria added to the trial's.
public struct TrialCohort: Hashable, Sendable {
    public let code: String
    public let label: String
    public let capacity: Int
    public let assignment: CohortAssignment
    public let eligibility: [TrialCriterion]

    public init(code: String, label: String, capacity: Int, assignment: CohortAssignment, eligibility: [TrialCriterion])
    {
        self.code = code
        self.label = label
        self.capacity = capacity
        self.assignment = assignment
        self.eligibility = eligibility
    }
}

/// A stratification factor and its levels, e.g. `region`: `us`, `non_us`.
public struct StratificationFactor: Hashable, Sendable, Codable {
    public let code: String
    public let levels: [String]

    public init(code: String, levels: [String]) {
        self.code = code
        self.levels = levels
    }

    /// Every stratum of `factors`, as canonical keys in factor order ("tumor_location=lower_limb;region=us");
    /// one empty key when there is no factor.
    public static func strataKeys(_ factors: [StratificationFactor]) -> [String] {
        factors.reduce([""]) { keys, factor in
            keys.flatMap { key in
                factor.levels.map { level in (key.isEmpty ? "" : key + ";") + "\(factor.code)=\(level)" }
            }
        }
    }

    /// Why an enrollment's stored stratum cannot be counted under the trial's `factors`, or nil when it
    /// can: the empty key of a cohort enrolled without stratification, or one of ``strataKeys(_:)``.
    public static func stratumProblem(_ key: String, factors: [StratificationFactor]) -> String? {
        let keys = strataKeys(factors)
        guard !key.isEmpty, !keys.contains(key) else { return nil }
        return factors.isEmpty
            ? "its stratum '\(key)' belongs to no stratification factor: the trial has none"
            : "its stratum '\(key)' is not one of the trial's strata (\(keys.joined(separator: ", ")))"
    }
}

/// The randomization plan: permuted blocks of the allowed sizes, one sequence per cohort and stratum,
/// generated ahead from the seed.
public struct RandomizationScheme: Hashable, Sendable {
    public let blockSizes: [Int]
    public let seed: UInt64
    public let strata: [StratificationFactor]

    public init(blockSizes: [Int], seed: UInt64, strata: [StratificationFactor]) {
        self.blockSizes = blockSizes
        self.seed = seed
        self.strata = strata
    }

    /// Every stratum, as canonical keys in factor order ("tumor_location=lower_limb;region=us");
    /// one empty key when the trial is not stratified.
    public var strataKeys: [String] { StratificationFactor.strataKeys(strata) }

    /// The canonical key of the stratum named by `key=value` pairs, or an error naming `field` and the value.
    public func stratumKey(_ pairs: [String], field: Field) throws(RegistryInputError) -> String {
        var values: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformed(field: field, value: pair, expected: "factor=level, e.g. region=us")
            }
            guard let factor = strata.first(where: { $0.code == parts[0] }) else {
                let allowed =
                    strata.isEmpty ? "none: the trial is not stratified" : strata.map(\.code).joined(separator: ", ")
                throw .notAllowed(field: field, value: pair, allowed: "factors \(allowed)")
            }
            guard factor.levels.contains(parts[1]) else {
                throw .notAllowed(
                    field: field.item(factor.code), value: parts[1], allowed: factor.levels.joined(separator: ", "))
            }
            guard values.updateValue(parts[1], forKey: factor.code) == nil else {
                throw .notAllowed(field: field, value: pair, allowed: "each factor once")
            }
        }
        return try strata.map { factor throws(RegistryInputError) in
            guard let level = values[factor.code] else { throw .missing(field: field.item("\(factor.code)=…")) }
            return "\(factor.code)=\(level)"
        }.joined(separator: ";")
    }
}

/// A trial as data: identification, arms, cohorts with capacities, criteria and the randomization plan.
public struct TrialDefinition: Hashable, Sendable {
    public let nct: String
    public let acronym: String?
    public let title: String
    public let phase: TrialPhase
    public let status: TrialRecruitmentStatus
    public let sponsor: String
    public let arms: [TrialArm]
    public let cohorts: [TrialCohort]
    /// Criteria every patient must meet; a cohort's criteria are added to these.
    public let eligibility: [TrialCriterion]
    /// `nil` when no cohort is randomized.
    public let randomization: RandomizationScheme?
    /// The protocol's imaging and survival follow-up calendars; `nil` when the definition gives none, and the
    /// site's default schedule applies to its patients.
    public let schedule: AssessmentSchedules?

    public init(
        nct: String, acronym: String?, title: String, phase: TrialPhase, status: TrialRecruitmentStatus,
        sponsor: String, arms: [TrialArm], cohorts: [TrialCohort], eligibility: [TrialCriterion],
        randomization: RandomizationScheme?, schedule: AssessmentSchedules? = nil
    ) {
        self.nct = nct
        self.acronym = acronym
        self.title = title
        self.phase = phase
        self.status = status
        self.sponsor = sponsor
        self.arms = arms
        self.cohorts = cohorts
        self.eligibility = eligibility
        self.randomization = randomization
        self.schedule = schedule
    }

    public func cohort(_ code: String) -> TrialCohort? { cohorts.first { $0.code == code } }
}
