import PostgresClient
import RegistryDomain

/// Accrual of one trial by arm, cohort, site and stratum, and its screen failures by reason.
public struct TrialStatusReport: Codable, Sendable {
    public let trial: TrialSummary
    public let arms: [Accrual]
    public let cohorts: [Accrual]
    public let sites: [Accrual]
    /// Per cohort and stratum; the key is `cohort` or `cohort: factor=level;factor=level`.
    public let strata: [Accrual]
    /// Patients screened, by the outcome of their latest screening.
    public let screeningOutcomes: [Accrual]
    /// Patients whose latest screening failed, by each criterion not met (a patient may fail several).
    public let screenFailureReasons: [Accrual]
    /// Enrollments whose stored stratum is not one of the trial's strata: counted by arm, cohort and site,
    /// left out of ``strata`` and listed, by registry id.
    public let excludedEnrollments: [ExcludedEnrollment]

    public struct ExcludedEnrollment: Codable, Sendable, Hashable {
        public let registryID: String
        public let cohort: String
        public let reason: String
    }

    public struct Accrual: Codable, Sendable, Hashable {
        public let key: String
        public let count: Int
        /// The places of a cohort; `nil` where no capacity applies.
        public let capacity: Int?
    }
}

extension TrialService {
    public func status(_ nctText: String) throws(TrialError) -> TrialStatusReport {
        let nct = try Self.validateNCT(nctText)
        do {
            let summaries = try connection.query(
                """
                SELECT t.trial_nct, t.acronym, t.title, t.phase, t.status, t.sponsor,
                       coalesce(sum(c.places_taken), 0)::bigint AS enrolled, coalesce(sum(c.capacity), 0)::bigint AS capacity
                FROM trials t LEFT JOIN trial_cohorts c USING (trial_nct)
                WHERE t.trial_nct = \(nct) GROUP BY t.trial_nct
                """)
            guard let summary = summaries.first else { throw TrialError.trialNotFound(nct) }
            let factors = try connection.query(
                "SELECT factor_code, levels FROM trial_strata_factors WHERE trial_nct = \(nct) ORDER BY position"
            ).map { row in
                let (code, levels) = try row.decode((String, [String]).self)
                return StratificationFactor(code: code, levels: levels)
            }
            // The domain decides which stored strata count; the counts stay one query, bound to that list.
            let strataKeys = [""] + StratificationFactor.strataKeys(factors)
            let excluded = try connection.query(
                """
                SELECT p.registry_id, c.cohort_code, e.stratum_key
                FROM trial_enrollments e JOIN trial_cohorts c USING (cohort_id) JOIN patients p USING (patient_id)
                WHERE e.trial_nct = \(nct) AND NOT (e.stratum_key = ANY (\(strataKeys)))
                ORDER BY p.registry_id, c.cohort_code
                """
            ).compactMap { row in
                let (registryID, cohort, key) = try row.decode((String, String, String).self)
                return StratificationFactor.stratumProblem(key, factors: factors).map {
                    TrialStatusReport.ExcludedEnrollment(registryID: registryID, cohort: cohort, reason: $0)
                }
            }
            func accrual(_ query: Query) throws -> [TrialStatusReport.Accrual] {
                try connection.query(query).map { row in
                    TrialStatusReport.Accrual(
                        key: try row.decode(String.self, "key"), count: try row.decode(Int.self, "n"),
                        capacity: try row.decode(Int?.self, "capacity"))
                }
            }
            return TrialStatusReport(
                trial: try Self.summary(summary),
                arms: try accrual(
                    """
                    SELECT a.arm_code AS key, count(e.enrollment_id)::bigint AS n, NULL::bigint AS capacity
                    FROM trial_arms a LEFT JOIN trial_enrollments e USING (trial_nct, arm_code)
                    WHERE a.trial_nct = \(nct) GROUP BY a.arm_code, a.position ORDER BY a.position
                    """),
                cohorts: try accrual(
                    """
                    SELECT cohort_code AS key, places_taken::bigint AS n, capacity::bigint AS capacity
                    FROM trial_cohorts WHERE trial_nct = \(nct) ORDER BY position
                    """),
                sites: try accrual(
                    """
                    SELECT site_code AS key, count(*)::bigint AS n, NULL::bigint AS capacity
                    FROM trial_enrollments WHERE trial_nct = \(nct) GROUP BY site_code ORDER BY site_code
                    """),
                strata: try accrual(
                    """
                    SELECT c.cohort_code || CASE WHEN e.stratum_key = '' THEN '' ELSE ': ' || e.stratum_key END AS key,
                           count(*)::bigint AS n, NULL::bigint AS capacity
                    FROM trial_enrollments e JOIN trial_cohorts c USING (cohort_id)
                    WHERE e.trial_nct = \(nct) AND e.stratum_key = ANY (\(strataKeys))
                    GROUP BY c.cohort_code, c.position, e.stratum_key ORDER BY c.position, e.stratum_key
                    """),
                screeningOutcomes: try accrual(
                    """
                    SELECT outcome AS key, count(*)::bigint AS n, NULL::bigint AS capacity FROM (
                        SELECT DISTINCT ON (patient_id) outcome FROM trial_screenings WHERE trial_nct = \(nct)
                        ORDER BY patient_id, screening_id DESC) latest
                    GROUP BY outcome ORDER BY outcome
                    """),
                screenFailureReasons: try accrual(
                    """
                    SELECT k.criterion AS key, count(DISTINCT latest.patient_id)::bigint AS n, NULL::bigint AS capacity
                    FROM (SELECT DISTINCT ON (patient_id) screening_id, patient_id, outcome FROM trial_screenings
                          WHERE trial_nct = \(nct) ORDER BY patient_id, screening_id DESC) latest
                    JOIN trial_screening_criteria k USING (screening_id)
                    WHERE latest.outcome = 'not_eligible' AND k.outcome = 'notMet'
                    GROUP BY k.criterion ORDER BY n DESC, k.criterion
                    """),
                excludedEnrollments: excluded)
        } catch {
            throw TrialError.wrap(error)
        }
    }
}
