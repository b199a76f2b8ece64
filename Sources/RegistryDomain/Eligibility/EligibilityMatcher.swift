/// Matches a patient against the therapy catalog.
///
/// Pure: the catalog is handed in as values (loaded by the services layer from the
/// `therapy_*` tables), so the rules are data and a catalog update needs no code change.
/// Every criterion of every indication is evaluated, so the report shows why an indication does
/// not fit, or what remains to be tested, as well as which ones fit.
public struct EligibilityMatcher: Sendable {
    public let catalog: [TherapyIndication]

    public init(catalog: [TherapyIndication]) {
        self.catalog = catalog
    }

    public func evaluate(_ patient: PatientProfile, asOf date: CalendarDate) -> EligibilityReport {
        EligibilityReport(
            evaluationDate: date,
            evaluations: catalog.map { evaluate(patient, against: $0, asOf: date) }
        )
    }

    public func evaluate(
        _ patient: PatientProfile, against indication: TherapyIndication, asOf date: CalendarDate
    ) -> IndicationEvaluation {
        let status = indication.status(asOf: date)
        // A patient can carry several diagnoses (a second primary, a re-classified recurrence);
        // histology and disease setting belong together, so each diagnosis is tried whole and the
        // one that comes closest to fitting is reported.
        let candidates: [PatientProfile.Diagnosis?] = patient.diagnoses.isEmpty ? [nil] : patient.diagnoses
        let evaluations = candidates.map { diagnosis in
            IndicationEvaluation(
                indication: indication, status: status, diagnosis: diagnosis,
                criteria: indication.criteria.map { evaluate($0, patient: patient, diagnosis: diagnosis) }
            )
        }
        return evaluations.min { lhs, rhs in
            (lhs.unmetCriteria.count, lhs.unknownCriteria.count) < (rhs.unmetCriteria.count, rhs.unknownCriteria.count)
        }!
    }

    func evaluate(
        _ criterion: EligibilityCriterion, patient: PatientProfile, diagnosis: PatientProfile.Diagnosis?
    ) -> CriterionEvaluation {
        let (outcome, value, reason): (CriterionOutcome, String, String) =
            switch criterion {
            case .histology(let histology): Self.evaluate(histology, diagnosis: diagnosis)
            case .requiredBiomarker(let biomarker):
                Self.evaluateRequired(biomarker, findings: patient.molecularFindings)
            case .excludingBiomarker(let biomarker):
                Self.evaluateExcluding(biomarker, findings: patient.molecularFindings)
            case .minimumAge(let years): Self.evaluateMinimumAge(years, age: patient.ageInYears)
            case .diseaseSetting(let allowed): Self.evaluate(allowed, diagnosis: diagnosis)
            case .priorTherapy(let prior): Self.evaluate(prior, history: patient.priorTherapy)
            }
        return CriterionEvaluation(criterion: criterion, outcome: outcome, patientValue: value, reason: reason)
    }
}
