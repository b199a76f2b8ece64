import PostgresClient
import RegistryDomain

/// What the registry knows on one day about many patients that bears on eligibility, read set-wise: six
/// statements whatever the number of patients, where `match` and `trial screen` read one patient at a time.
///
/// It reads what those two read and hands the domain the same values, so the matcher and the screener decide
/// exactly as they do for one patient: the catalog profile as ``TherapyMatchService`` builds it (diagnoses made by
/// the day, no therapy line meaning an unknown history, the cytotoxic umbrella class) and the trial candidate as
/// ``TrialService`` builds it (every diagnosis, no line meaning none, the ECOG and the baseline lesions).
struct EligibilityEvidence {
    struct TherapyHistory {
        var lines = 0
        var agents: Set<String> = []
        var drugClasses: Set<String> = []
    }

    let date: CalendarDate
    /// Living patients who have not withdrawn consent by the day, in patient id order.
    private(set) var patients: [PatientRow] = []
    private var diagnoses: [Int: [(diagnosis: PatientProfile.Diagnosis, madeByDate: Bool)]] = [:]
    private var findings: [Int: [PatientProfile.MolecularFinding]] = [:]
    private var histories: [Int: TherapyHistory] = [:]
    private var ecog: [Int: ECOGObservation] = [:]
    private var baselineLesions: [Int: (targets: Int, nonTargets: Int)] = [:]

    /// Reads the evidence of `patientIDs`, or of every patient the login sees when `nil`.
    init(patientIDs: [Int]?, asOf date: CalendarDate, on connection: Connection) throws {
        self.date = date
        func scoped(_ query: Query, column: String = "patient_id") -> Query {
            guard let patientIDs else { return query }
            var scoped = query
            scoped.append(unsafeSQL: " AND \(column) = ANY (")
            scoped.append("\(patientIDs)::bigint[])")
            return scoped
        }
        patients = try connection.query(
            scoped(
                """
                SELECT \(unsafeSQL: PatientRow.columns) FROM patients
                WHERE (consent_withdrawn_on IS NULL OR consent_withdrawn_on > \(date))
                  AND NOT (vital_status = 'dead' AND (death_on IS NULL OR death_on <= \(date)))
                """)
        ).map(PatientRow.decodeRow).sorted { $0.id < $1.id }
        for row in try connection.query(
            scoped(
                """
                SELECT patient_id, icdo3_code, who_entity, disease_setting,
                       make_date(diagnosed_year, coalesce(diagnosed_month, 1), coalesce(diagnosed_day, 1)) <= \(date) AS made_by_date
                FROM diagnoses WHERE true
                """
            ).appending(" ORDER BY patient_id, diagnosis_id"))
        {
            let code = try row.decode(String.self, "icdo3_code")
            let diagnosis = PatientProfile.Diagnosis(
                histologyCode: try TherapyCatalogService.catalogValue { () throws(EligibilityInputError) in
                    try HistologyCode(code)
                },
                entity: try row.decode(String.self, "who_entity"),
                diseaseSetting: DiseaseSetting(rawValue: try row.decode(String.self, "disease_setting")))
            diagnoses[try row.decode(Int.self, "patient_id"), default: []].append(
                (diagnosis, try row.decode(Bool.self, "made_by_date")))
        }
        for row in try connection.query(
            scoped(
                """
                SELECT patient_id, gene, alteration_kind, partner_gene, hgvs, method, result, acquired_resistance FROM molecular_results
                WHERE report_date <= \(date) AND void_reason IS NULL
                """
            ).appending(" ORDER BY patient_id, report_date, molecular_result_id"))
        {
            let kindText = try row.decode(String.self, "alteration_kind")
            let resultText = try row.decode(String.self, "result")
            guard let kind = MolecularAlterationKind(rawValue: kindText),
                let result = PatientProfile.TestResult(rawValue: resultText)
            else {
                throw TherapyCatalogService.catalogDataError(
                    "molecular result \(kindText) \(resultText) is not in the registry's vocabulary")
            }
            findings[try row.decode(Int.self, "patient_id"), default: []].append(
                PatientProfile.MolecularFinding(
                    gene: try row.decode(String.self, "gene"), kind: kind,
                    partnerGene: try row.decode(String?.self, "partner_gene"),
                    result: result, variant: try row.decode(String?.self, "hgvs"),
                    isAcquiredResistanceMutation: try row.decode(Bool.self, "acquired_resistance"),
                    method: MolecularMethod(rawValue: try row.decode(String.self, "method"))))
        }
        for row in try connection.query(
            scoped(
                """
                SELECT l.patient_id, count(DISTINCT l.therapy_line_id)::bigint AS lines,
                       coalesce(array_agg(DISTINCT a.agent_code) FILTER (WHERE a.agent_code IS NOT NULL), '{}') AS agents,
                       coalesce(array_agg(DISTINCT g.drug_class) FILTER (WHERE g.drug_class IS NOT NULL), '{}') AS drug_classes
                FROM therapy_lines l
                LEFT JOIN therapy_line_agents a USING (therapy_line_id)
                LEFT JOIN therapy_agents g USING (agent_code)
                WHERE l.started_on <= \(date)
                """, column: "l.patient_id"
            ).appending(" GROUP BY l.patient_id"))
        {
            histories[try row.decode(Int.self, "patient_id")] = TherapyHistory(
                lines: try row.decode(Int.self, "lines"), agents: Set(try row.decode([String].self, "agents")),
                drugClasses: Set(try row.decode([String].self, "drug_classes")))
        }
        for row in try connection.query(
            scoped(
                "SELECT DISTINCT ON (patient_id) patient_id, ecog, assessed_on FROM patient_ecog WHERE assessed_on <= \(date)"
            ).appending(" ORDER BY patient_id, assessed_on DESC"))
        {
            let (patientID, score, assessedOn) = try row.decode((Int, Int, CalendarDate).self)
            ecog[patientID] = ECOGObservation(score: score, assessedOn: assessedOn)
        }
        for row in try connection.query(
            scoped(
                """
                SELECT patient_id, count(*) FILTER (WHERE lesion_class = 'target')::bigint AS targets,
                       count(*) FILTER (WHERE lesion_class = 'non_target')::bigint AS non_targets
                FROM lesions WHERE true
                """
            ).appending(" GROUP BY patient_id"))
        {
            let (patientID, targets, nonTargets) = try row.decode((Int, Int, Int).self)
            baselineLesions[patientID] = (targets, nonTargets)
        }
    }

    /// What the catalog matcher reads of one patient: equal inputs match to equal reports.
    struct TherapyInput: Hashable {
        let age: AgeAtEvaluation
        let diagnoses: [PatientProfile.Diagnosis]
        let findings: [PatientProfile.MolecularFinding]
        let history: PatientProfile.PriorTherapyHistory?
    }

    /// The catalog profile of `patient`, as the catalog match builds it on the day.
    func therapyInput(_ patient: PatientRow) throws -> TherapyInput {
        let history = try histories[patient.id].map { recorded in
            try PatientProfile.PriorTherapyHistory(
                agents: recorded.agents, classes: PriorTherapyClasses.classes(ofDrugClasses: recorded.drugClasses),
                lineCount: recorded.lines)
        }
        return TherapyInput(
            age: try TherapyMatchService.age(of: patient, on: date),
            diagnoses: (diagnoses[patient.id] ?? []).filter(\.madeByDate).map(\.diagnosis),
            findings: findings[patient.id] ?? [], history: history)
    }

    /// The catalog report for one input, as the catalog match makes it: both possible ages when only the birth year is known.
    func therapyReport(_ input: TherapyInput, matcher: EligibilityMatcher) throws -> EligibilityReport {
        func profile(_ years: Int) throws -> PatientProfile {
            try PatientProfile(
                ageInYears: years, diagnoses: input.diagnoses, molecularFindings: input.findings,
                priorTherapy: input.history)
        }
        switch input.age {
        case .exact(let years):
            return matcher.evaluate(try profile(years), asOf: date)
        case .birthYearOnly(_, let lower, let upper):
            return TherapyMatchService.combine(
                matcher.evaluate(try profile(lower), asOf: date), matcher.evaluate(try profile(upper), asOf: date),
                age: input.age)
        }
    }

    /// The trial candidate for `patient`, as the trial screening reads it on the day.
    func candidate(_ patient: PatientRow) throws -> TrialCandidate {
        let recorded = histories[patient.id] ?? TherapyHistory()
        let lesions = baselineLesions[patient.id] ?? (0, 0)
        return TrialCandidate(
            profile: try PatientProfile(
                ageInYears: nil, diagnoses: (diagnoses[patient.id] ?? []).map(\.diagnosis),
                molecularFindings: findings[patient.id] ?? [],
                priorTherapy: try PatientProfile.PriorTherapyHistory(
                    agents: recorded.agents, classes: recorded.drugClasses, lineCount: recorded.lines)),
            possibleAges: TrialCandidate.possibleAges(
                birthYear: patient.summary.birthYear, birthDate: patient.birthDate, on: date),
            ecog: ecog[patient.id],
            baselineDisease: RecordedBaselineLesions.status(targets: lesions.targets, nonTargets: lesions.nonTargets))
    }
}

extension Query {
    func appending(_ text: String) -> Query {
        var query = self
        query.append(unsafeSQL: text)
        return query
    }
}
