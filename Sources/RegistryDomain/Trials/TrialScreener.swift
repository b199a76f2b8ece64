/// One trial criterion as evaluated for one patient, with the patient's value beside it.
public struct TrialCriterionEvaluation: Hashable, Sendable, Codable {
    public let kind: TrialCriterionKind
    /// The criterion as the protocol states it, e.g. "ECOG ≤ 1".
    public let criterion: String
    public let outcome: CriterionOutcome
    /// The patient's value, e.g. "ECOG 2 on 2026-10-01", "unknown".
    public let patientValue: String
    public let reason: String

    public init(
        kind: TrialCriterionKind, criterion: String, outcome: CriterionOutcome, patientValue: String, reason: String
    ) {
        self.kind = kind
        self.criterion = criterion
        self.outcome = outcome
        self.patientValue = patientValue
        self.reason = reason
    }
}

/// The verdict of a screening: eligible only when every criterion is met.
public enum ScreeningOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    case eligible
    /// At least one criterion is not met: a screen failure.
    case notEligible = "not_eligible"
    /// Nothing is not met, but something is unknown and must be recorded before enrollment.
    case incomplete
}

/// A patient screened against a trial (and one of its cohorts) on one date.
public struct TrialScreening: Hashable, Sendable, Codable {
    public let trialNCT: String
    /// The cohort whose criteria were added to the trial's; `nil` for a trial without cohort criteria.
    public let cohortCode: String?
    public let screenedOn: CalendarDate
    public let criteria: [TrialCriterionEvaluation]

    public var outcome: ScreeningOutcome {
        if criteria.contains(where: { $0.outcome == .notMet }) { return .notEligible }
        if criteria.contains(where: { $0.outcome == .unknown }) { return .incomplete }
        return .eligible
    }

    public var unmetCriteria: [TrialCriterionEvaluation] { criteria.filter { $0.outcome == .notMet } }
    public var unknownCriteria: [TrialCriterionEvaluation] { criteria.filter { $0.outcome == .unknown } }
}

/// Screens a candidate against a trial's criteria. Pure: the trial and the candidate are values.
public enum TrialScreener {
    /// Evaluates every criterion of the trial and of `cohortCode` (or, without one, of each cohort, reporting
    /// the cohort that comes closest to fitting). Each diagnosis is tried whole, as the therapy matcher does.
    public static func screen(
        _ candidate: TrialCandidate, for trial: TrialDefinition, cohort cohortCode: String? = nil, on date: CalendarDate
    ) -> TrialScreening {
        let cohorts: [TrialCohort?] =
            if let cohortCode {
                trial.cohorts.filter { $0.code == cohortCode }
            } else if trial.cohorts.contains(where: { !$0.eligibility.isEmpty }) { trial.cohorts } else { [nil] }
        let diagnoses: [PatientProfile.Diagnosis?] =
            candidate.profile.diagnoses.isEmpty ? [nil] : candidate.profile.diagnoses
        var best: TrialScreening?
        for cohort in cohorts.isEmpty ? [nil] : cohorts {
            let criteria = trial.eligibility + (cohort?.eligibility ?? [])
            for diagnosis in diagnoses {
                let screening = TrialScreening(
                    trialNCT: trial.nct, cohortCode: cohort?.code ?? cohortCode, screenedOn: date,
                    criteria: criteria.map { evaluate($0, candidate: candidate, diagnosis: diagnosis) })
                if let current = best,
                    (current.unmetCriteria.count, current.unknownCriteria.count)
                        <= (screening.unmetCriteria.count, screening.unknownCriteria.count)
                {
                    continue
                }
                best = screening
            }
        }
        return best!
    }

    /// The candidate as far as outcomes go: the ECOG's date decides no outcome (only the words beside it), so
    /// candidates with equal keys screen to equal outcomes, and a refresh over many patients screens each key once.
    public static func outcomeKey(_ candidate: TrialCandidate) -> TrialCandidate {
        TrialCandidate(
            profile: candidate.profile, possibleAges: candidate.possibleAges,
            ecog: candidate.ecog.map {
                ECOGObservation(score: $0.score, assessedOn: CalendarDate(year: 2000, month: 1, day: 1)!)
            },
            baselineDisease: candidate.baselineDisease)
    }

    static func evaluate(
        _ criterion: TrialCriterion, candidate: TrialCandidate, diagnosis: PatientProfile.Diagnosis?
    ) -> TrialCriterionEvaluation {
        let findings = candidate.profile.molecularFindings
        let (outcome, value, reason): (CriterionOutcome, String, String) =
            switch criterion {
            case .histology(let histology): EligibilityMatcher.evaluate(histology, diagnosis: diagnosis)
            case .requiredFinding(let finding): EligibilityMatcher.evaluateRequired(finding, findings: findings)
            case .excludingFinding(let finding): EligibilityMatcher.evaluateExcluding(finding, findings: findings)
            case .diseaseSetting(let allowed): EligibilityMatcher.evaluate(allowed, diagnosis: diagnosis)
            case .age(let minimum, let maximum): evaluateAge(candidate.possibleAges, minimum: minimum, maximum: maximum)
            case .maximumECOG(let maximum): evaluateECOG(candidate.ecog, maximum: maximum)
            case .priorLines(let minimum, let maximum):
                evaluateLines(candidate.profile.priorTherapy, minimum: minimum, maximum: maximum)
            case .requiredPriorTherapy(let rule): evaluateRequired(rule, history: candidate.profile.priorTherapy)
            case .excludedPriorTherapy(let rule): evaluateExcluded(rule, history: candidate.profile.priorTherapy)
            case .measurableDisease: evaluateBaseline(candidate.baselineDisease)
            }
        return TrialCriterionEvaluation(
            kind: criterion.kind, criterion: criterion.label, outcome: outcome, patientValue: value, reason: reason)
    }

    static func evaluateAge(_ ages: ClosedRange<Int>?, minimum: Int?, maximum: Int?) -> EligibilityMatcher.Verdict {
        let required = TrialCriterion.range(minimum, maximum)
        guard let ages else { return (.unknown, "unknown", "age not recorded; requires \(required)") }
        let value = ages.count == 1 ? "\(ages.lowerBound) years" : "\(ages.lowerBound) or \(ages.upperBound) years"
        let fits = { (age: Int) in (minimum.map { age >= $0 } ?? true) && (maximum.map { age <= $0 } ?? true) }
        switch (fits(ages.lowerBound), fits(ages.upperBound)) {
        case (true, true): return (.met, value, "age \(value) within \(required)")
        case (false, false): return (.notMet, value, "age \(value) outside \(required)")
        default:
            return (
                .unknown, value, "age \(value) from the birth year alone; record the birth date (requires \(required))"
            )
        }
    }

    static func evaluateECOG(_ ecog: ECOGObservation?, maximum: Int) -> EligibilityMatcher.Verdict {
        guard let ecog else { return (.unknown, "unknown", "ECOG not recorded; requires ≤ \(maximum)") }
        let value = "ECOG \(ecog.score) on \(ecog.assessedOn)"
        return ecog.score <= maximum
            ? (.met, value, "ECOG \(ecog.score) ≤ \(maximum)")
            : (.notMet, value, "ECOG \(ecog.score) > maximum \(maximum)")
    }

    static func lineText(_ count: Int) -> String { count == 1 ? "1 prior line" : "\(count) prior lines" }

    static func evaluateLines(
        _ history: PatientProfile.PriorTherapyHistory?, minimum: Int?, maximum: Int?
    )
        -> EligibilityMatcher.Verdict
    {
        let required = TrialCriterion.range(minimum, maximum)
        guard let history else { return (.unknown, "unknown", "prior therapy not recorded; requires \(required)") }
        let value = lineText(history.lineCount)
        if let minimum, history.lineCount < minimum { return (.notMet, value, "\(value) < minimum \(minimum)") }
        if let maximum, history.lineCount > maximum { return (.notMet, value, "\(value) > maximum \(maximum)") }
        return (.met, value, "\(value) within \(required)")
    }

    static func historyText(_ history: PatientProfile.PriorTherapyHistory) -> String {
        history.agents.isEmpty ? "no prior therapy recorded" : history.agents.sorted().joined(separator: ", ")
    }

    static func evaluateRequired(
        _ rule: PriorTherapyRule, history: PatientProfile.PriorTherapyHistory?
    )
        -> EligibilityMatcher.Verdict
    {
        guard let history else {
            return (.unknown, "unknown", "prior therapy not recorded; requires prior \(rule.description)")
        }
        let matches = rule.matches(in: history)
        return matches.isEmpty
            ? (.notMet, historyText(history), "no prior \(rule.description) recorded")
            : (.met, historyText(history), "prior \(matches.joined(separator: ", ")) recorded")
    }

    static func evaluateExcluded(
        _ rule: PriorTherapyRule, history: PatientProfile.PriorTherapyHistory?
    )
        -> EligibilityMatcher.Verdict
    {
        guard let history else {
            return (.unknown, "unknown", "prior therapy not recorded; excludes prior \(rule.description)")
        }
        let matches = rule.matches(in: history)
        return matches.isEmpty
            ? (.met, historyText(history), "no prior \(rule.description)")
            : (.notMet, historyText(history), "prior \(matches.joined(separator: ", ")) excluded")
    }

    static func evaluateBaseline(_ status: BaselineDiseaseStatus) -> EligibilityMatcher.Verdict {
        switch status {
        case .measurable(let count):
            let value = count == 1 ? "1 target lesion" : "\(count) target lesions"
            return (.met, value, "\(value) at baseline")
        case .notMeasurable:
            return (.notMet, "non-target lesions only", "no measurable (target) lesion at baseline")
        case .unknown(let reason):
            return (.unknown, "unknown", reason)
        }
    }
}
