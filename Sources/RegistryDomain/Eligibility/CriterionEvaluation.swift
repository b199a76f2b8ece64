/// The answer to one criterion for one patient.
public enum CriterionOutcome: String, Hashable, Sendable, Codable {
    case met
    case notMet
    /// The record lacks what the criterion needs (untested biomarker, missing age); not a rejection.
    case unknown
}

/// One criterion as evaluated, with the patient's value and a reason a coordinator can act on.
public struct CriterionEvaluation: Hashable, Sendable, Codable {
    public let criterion: EligibilityCriterion
    public let outcome: CriterionOutcome
    /// The patient's value that decided the outcome, e.g. "15 years", "NTRK3 fusion not tested".
    public let patientValue: String
    /// Why, in a coordinator's words: "age 15 < minimum 16", "adipocytic histology excluded".
    public let reason: String

    public init(criterion: EligibilityCriterion, outcome: CriterionOutcome, patientValue: String, reason: String) {
        self.criterion = criterion
        self.outcome = outcome
        self.patientValue = patientValue
        self.reason = reason
    }
}

/// One indication evaluated for one patient on one date.
public struct IndicationEvaluation: Hashable, Sendable, Codable {
    public let indication: TherapyIndication
    /// The status in force on the evaluation date; `nil` when none was effective yet.
    public let status: TherapyStatusEntry?
    /// The diagnosis the histology and disease-setting criteria were evaluated against.
    public let diagnosis: PatientProfile.Diagnosis?
    public let criteria: [CriterionEvaluation]

    public init(
        indication: TherapyIndication, status: TherapyStatusEntry?, diagnosis: PatientProfile.Diagnosis?,
        criteria: [CriterionEvaluation]
    ) {
        self.indication = indication
        self.status = status
        self.diagnosis = diagnosis
        self.criteria = criteria
    }

    /// The indication fits when no criterion is not met; unknown criteria remain to be checked.
    public var fits: Bool { !criteria.contains { $0.outcome == .notMet } }

    /// Every criterion is met: nothing is left to test or record.
    public var isFullyMet: Bool { criteria.allSatisfy { $0.outcome == .met } }

    public var unmetCriteria: [CriterionEvaluation] { criteria.filter { $0.outcome == .notMet } }

    /// Exactly one criterion is not met and it is not the histology: a test to order, a prior line, a change
    /// of setting or a birthday can still make the patient fit, while the tumour's histology will not change.
    public var isNearMiss: Bool {
        let unmet = unmetCriteria
        guard unmet.count == 1 else { return false }
        if case .histology = unmet[0].criterion { return false }
        return true
    }
    public var unknownCriteria: [CriterionEvaluation] { criteria.filter { $0.outcome == .unknown } }
}
