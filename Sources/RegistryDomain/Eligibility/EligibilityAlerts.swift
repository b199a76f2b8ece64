/// What a newly-eligible alert is about: an open trial cohort or a catalog indication approved on the day.
public struct EligibilityTarget: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case trialCohort = "trial_cohort"
        case therapy
    }

    public let kind: Kind
    /// `trial:NCT03016819/lms` or `therapy:larotrectinib_ntrk_fusion`, as `eligibility_targets.target_key` stores it.
    public let key: String
    /// How a coordinator reads it: "APROMISS (NCT03016819) cohort lms", "larotrectinib: NTRK fusion-positive solid tumours".
    public let label: String
    /// The criteria's names in the order the screener or matcher evaluates them.
    public let criteria: [String]

    public init(kind: Kind, key: String, label: String, criteria: [String]) {
        self.kind = kind
        self.key = key
        self.label = label
        self.criteria = criteria
    }

    public static func trialCohortKey(nct: String, cohort: String) -> String { "trial:\(nct)/\(cohort)" }
    public static func therapyKey(indication: String) -> String { "therapy:\(indication)" }
}

/// One target's criteria outcomes for one patient, in the target's order: the state a refresh compares with.
///
/// Stored as one letter per criterion (`m` met, `n` not met, `u` unknown), so a patient's state over every
/// open target is one short row.
public struct CriterionOutcomes: Hashable, Sendable {
    public let outcomes: [CriterionOutcome]

    public init(_ outcomes: [CriterionOutcome]) {
        self.outcomes = outcomes
    }

    /// `nil` for a letter that is not m, n or u.
    public init?(letters: String) {
        var outcomes: [CriterionOutcome] = []
        for letter in letters {
            switch letter {
            case "m": outcomes.append(.met)
            case "n": outcomes.append(.notMet)
            case "u": outcomes.append(.unknown)
            default: return nil
            }
        }
        self.outcomes = outcomes
    }

    public var letters: String {
        String(
            outcomes.map { outcome -> Character in
                switch outcome {
                case .met: "m"
                case .notMet: "n"
                case .unknown: "u"
                }
            })
    }

    /// Every criterion is met: nothing is left to test or record.
    public var allMet: Bool { outcomes.allSatisfy { $0 == .met } }
    /// No criterion is not met; unknown ones remain to be checked.
    public var fits: Bool { !outcomes.contains(.notMet) }
}

public enum EligibilityAlertKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// Every criterion of the target is met now, and was not at the last evaluation.
    case newlyEligible = "newly_eligible"
    /// A criterion moved from unknown to met, and no criterion is not met: one step nearer.
    case criterionMet = "criterion_met"
}

/// One change an evaluation found against the last one: what an alert says.
public struct EligibilityChange: Hashable, Sendable {
    public let kind: EligibilityAlertKind
    /// The criterion that changed; `nil` when the target was not evaluated for the patient before (a trial just
    /// added or opened, a patient with no state yet), so nothing can be said to have changed but the whole.
    public let criterion: String?
    public let from: CriterionOutcome?
    public let to: CriterionOutcome

    public init(kind: EligibilityAlertKind, criterion: String?, from: CriterionOutcome?, to: CriterionOutcome) {
        self.kind = kind
        self.criterion = criterion
        self.from = from
        self.to = to
    }
}

/// The alert rules: which changes between two evaluations of one target for one patient a coordinator is told of.
public enum EligibilityAlerts {
    /// The changes from `previous` (the last evaluation; `nil` when there was none or the target's criteria changed
    /// since) to `current`:
    /// - every criterion met now and not before: one ``EligibilityAlertKind/newlyEligible`` change per criterion that
    ///   was not met (unknown or not met), or one without a criterion when there was no previous evaluation;
    /// - otherwise, when nothing is not met now: one ``EligibilityAlertKind/criterionMet`` change per criterion that
    ///   moved from unknown to met. A target with a criterion not met raises nothing, whatever else moved.
    public static func changes(
        criteria: [String], previous: CriterionOutcomes?, current: CriterionOutcomes
    ) -> [EligibilityChange] {
        guard let previous, previous.outcomes.count == current.outcomes.count, criteria.count == current.outcomes.count
        else {
            return current.allMet ? [EligibilityChange(kind: .newlyEligible, criterion: nil, from: nil, to: .met)] : []
        }
        let moved = zip(criteria, zip(previous.outcomes, current.outcomes))
        if current.allMet {
            guard !previous.allMet else { return [] }
            return moved.filter { $0.1.0 != .met }.map {
                EligibilityChange(kind: .newlyEligible, criterion: $0.0, from: $0.1.0, to: .met)
            }
        }
        guard current.fits else { return [] }
        return moved.filter { $0.1.0 == .unknown && $0.1.1 == .met }
            .map { EligibilityChange(kind: .criterionMet, criterion: $0.0, from: .unknown, to: .met) }
    }
}
