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
    public var unknownCriteria: [CriterionEvaluation] { criteria.filter { $0.outcome == .unknown } }
}
