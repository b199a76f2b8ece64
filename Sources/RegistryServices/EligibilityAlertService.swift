import Foundation
import PostgresClient
import RegistryDomain

/// An alert as listed: the patient, the target, the criterion that changed and what triggered the evaluation.
public struct EligibilityAlert: Codable, Sendable, Hashable {
    public let alertID: Int
    public let registryID: String
    public let site: String
    public let targetKey: String
    public let target: String
    public let kind: EligibilityAlertKind
    /// `nil` when the target was evaluated for the patient for the first time.
    public let criterion: String?
    public let from: CriterionOutcome?
    public let to: CriterionOutcome
    public let trigger: String
    public let triggerDetail: String?
    public let raisedAt: String
}

/// What one refresh did.
public struct AlertRefreshSummary: Codable, Sendable, Hashable {
    /// Queue entries taken: patients whose data changed and targets added or opened.
    public let queueEntries: Int
    public let patientsEvaluated: Int
    public let openTargets: Int
    /// Targets open now and not at the last refresh (or whose criteria changed), evaluated for every patient.
    public let newTargets: Int
    public let closedTargets: Int
    public let alertsRaised: Int
}

/// A dismissal as recorded.
public struct AlertDismissal: Codable, Sendable, Hashable {
    public let alertID: Int
    public let registryID: String
    public let reason: String
    public let dismissedBy: String
    public let dismissedByName: String?
}

/// Newly-eligible alerts: works out, from the queue the database fills as eligibility data commits, which patients
/// newly meet every criterion of an open trial cohort or an approved catalog therapy, or one more criterion of one.
///
/// The decisions are the domain's: ``TrialScreener`` for cohorts, ``EligibilityMatcher`` for the catalog, and
/// ``EligibilityAlerts`` for what counts as a change. Open means a recruiting trial's cohort with a place left, or
/// an indication whose status on the day is an approval (FDA for soft tissue sarcoma, or elsewhere).
public struct EligibilityAlertService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    static let approved: Set<TherapyStatus> = [.fdaApprovedSTS, .approvedElsewhere]

    /// Takes the queue and evaluates: queued patients against every open target, every patient against each target
    /// newly open; stores the states and raises the alerts, in one transaction. The first refresh of a registry (no
    /// target evaluated before) only records the states.
    ///
    /// Runs as the sync or an administrator, who see every patient; a second refresh waits for the first.
    public func refresh() throws(RegistryError) -> AlertRefreshSummary {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in try refresh(on: tx) }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    private struct Evaluated {
        var patientID: Int
        var states: [String: String]
        var replace: Bool
    }

    private struct AlertRow {
        var patientID: Int
        var target: EligibilityTarget
        var change: EligibilityChange
        var trigger: String
        var detail: String?
    }

    private func refresh(on tx: Connection) throws -> AlertRefreshSummary {
        // Before the snapshot: LOCK TABLE does not take it, so a waiting refresh sees what the one before wrote.
        try tx.execute("LOCK TABLE eligibility_states IN SHARE ROW EXCLUSIVE MODE")
        let queue = try tx.query(
            "SELECT queue_id, patient_id, target_key, trigger, trigger_detail FROM eligibility_refresh_queue ORDER BY queue_id"
        )
        var patientTriggers: [Int: (trigger: String, detail: String?)] = [:]
        var targetTriggers: [(prefix: String, trigger: String, detail: String?)] = []
        for row in queue {
            let trigger = try row.decode(String.self, "trigger"),
                detail = try row.decode(String?.self, "trigger_detail")
            if let patientID = try row.decode(Int?.self, "patient_id") {
                // The latest entry names the trigger: the change that queued the patient last.
                patientTriggers[patientID] = (trigger, detail)
            } else if let key = try row.decode(String?.self, "target_key") {
                targetTriggers.append((key, trigger, detail))
            }
        }
        let (targets, evaluate) = try openTargets(on: tx)
        var known: [String: [String]] = [:]
        for row in try tx.query("SELECT target_key, criteria FROM eligibility_targets") {
            known[try row.decode(String.self, "target_key")] = try row.decode([String].self, "criteria")
        }
        // The registry's first refresh records the states and raises nothing: who is eligible then is no news.
        let establishing = known.isEmpty
        let newTargets = targets.filter { known[$0.key] != $0.criteria }
        let newKeys = Set(newTargets.map(\.key))
        let closed = Set(known.keys).subtracting(targets.map(\.key))
        let dirty = Array(patientTriggers.keys).sorted()

        let evidence = try EligibilityEvidence(patientIDs: newTargets.isEmpty ? dirty : nil, asOf: today, on: tx)
        var previous: [Int: [String: String]] = [:]
        if !dirty.isEmpty {
            for row in try tx.query(
                "SELECT patient_id, outcomes::text AS outcomes FROM eligibility_states WHERE patient_id = ANY (\(dirty)::bigint[])"
            ) {
                previous[try row.decode(Int.self, "patient_id")] = try JSONDecoder().decode(
                    [String: String].self, from: Data(try row.decode(String.self, "outcomes").utf8))
            }
        }
        var alerts: [AlertRow] = []
        var evaluated: [Evaluated] = []
        for patient in evidence.patients {
            let patientTrigger = patientTriggers[patient.id]
            let scope = patientTrigger == nil ? newTargets : targets
            guard !scope.isEmpty else { continue }
            let outcomes = try evaluate(patient, evidence, Set(scope.map(\.key)))
            var states: [String: String] = [:]
            for target in scope {
                guard let current = outcomes[target.key] else { continue }
                states[target.key] = current.letters
                let isNew = newKeys.contains(target.key)
                let before = isNew ? nil : previous[patient.id]?[target.key].flatMap(CriterionOutcomes.init(letters:))
                let changes = EligibilityAlerts.changes(criteria: target.criteria, previous: before, current: current)
                guard !changes.isEmpty, !establishing else { continue }
                let cause =
                    isNew
                    ? targetTriggers.last { target.key == $0.prefix || target.key.hasPrefix($0.prefix + "/") }.map {
                        ($0.trigger, $0.detail)
                    }
                        ?? ("target_opened", "\(target.key) open on \(today)")
                    : patientTrigger ?? ("target_opened", nil)
                alerts += changes.map {
                    AlertRow(patientID: patient.id, target: target, change: $0, trigger: cause.0, detail: cause.1)
                }
            }
            evaluated.append(Evaluated(patientID: patient.id, states: states, replace: patientTrigger != nil))
        }
        try store(
            evaluated, alerts: alerts, newTargets: newTargets, closed: closed,
            queue: try queue.map { try $0.decode(Int.self, "queue_id") }, on: tx)
        return AlertRefreshSummary(
            queueEntries: queue.count, patientsEvaluated: evaluated.count, openTargets: targets.count,
            newTargets: newTargets.count,
            closedTargets: closed.count, alertsRaised: alerts.count)
    }

    /// Outcomes already worked out in this refresh, by what they were worked out from.
    private final class EvaluationMemo {
        var therapy: [EligibilityEvidence.TherapyInput: [String: CriterionOutcomes]] = [:]
        var trials: [String: [TrialCandidate: CriterionOutcomes]] = [:]
    }

    private typealias Evaluation = (PatientRow, EligibilityEvidence, Set<String>) throws -> [String: CriterionOutcomes]

    /// The targets open on the day, and how one patient is evaluated against those asked for.
    private func openTargets(on tx: Connection) throws -> ([EligibilityTarget], Evaluation) {
        var targets: [EligibilityTarget] = []
        var cohorts: [String: (trial: TrialDefinition, cohort: String)] = [:]
        let open = try tx.query(
            """
            SELECT c.trial_nct, c.cohort_code FROM trial_cohorts c JOIN trials t USING (trial_nct)
            WHERE t.status = 'recruiting' AND c.places_taken < c.capacity ORDER BY c.trial_nct, c.position
            """)
        if !open.isEmpty {
            let vocabulary = try TrialService.vocabulary(on: tx)
            var trials: [String: TrialDefinition] = [:]
            for row in open {
                let (nct, code) = try row.decode((String, String).self)
                if trials[nct] == nil {
                    trials[nct] = try TrialService.loadTrial(nct, on: tx, vocabulary: vocabulary).0
                }
                guard let trial = trials[nct], let cohort = trial.cohort(code) else { continue }
                let key = EligibilityTarget.trialCohortKey(nct: nct, cohort: code)
                cohorts[key] = (trial, code)
                targets.append(
                    EligibilityTarget(
                        kind: .trialCohort, key: key,
                        label: "\(trial.acronym.map { "\($0) (\(nct))" } ?? nct) cohort \(code)",
                        criteria: (trial.eligibility + cohort.eligibility).map(\.label)))
            }
        }
        let approved = try TherapyCatalogService.loadIndications(on: tx).filter { indication in
            indication.status(asOf: today).map { Self.approved.contains($0.status) } ?? false
        }
        for indication in approved {
            targets.append(
                EligibilityTarget(
                    kind: .therapy, key: EligibilityTarget.therapyKey(indication: indication.code),
                    label: "\(indication.agentCode): \(indication.label)",
                    criteria: indication.criteria.map(\.name)))
        }
        let matcher = EligibilityMatcher(catalog: approved)
        let date = today
        // Patients with the same evidence are evaluated once: the matcher and the screener are pure.
        let memo = EvaluationMemo()
        let evaluate: Evaluation = { patient, evidence, keys in
            var outcomes: [String: CriterionOutcomes] = [:]
            if approved.contains(where: { keys.contains(EligibilityTarget.therapyKey(indication: $0.code)) }) {
                let input = try evidence.therapyInput(patient)
                if let known = memo.therapy[input] {
                    outcomes = known
                } else {
                    for evaluation in try evidence.therapyReport(input, matcher: matcher).evaluations {
                        outcomes[EligibilityTarget.therapyKey(indication: evaluation.indication.code)] =
                            CriterionOutcomes(evaluation.criteria.map(\.outcome))
                    }
                    memo.therapy[input] = outcomes
                }
            }
            let asked = keys.filter { cohorts[$0] != nil }
            if !asked.isEmpty {
                let candidate = try evidence.candidate(patient)
                let key = TrialScreener.outcomeKey(candidate)
                for target in asked {
                    guard let (trial, cohort) = cohorts[target] else { continue }
                    if let known = memo.trials[target]?[key] {
                        outcomes[target] = known
                        continue
                    }
                    let screened = CriterionOutcomes(
                        TrialScreener.screen(candidate, for: trial, cohort: cohort, on: date).criteria.map(\.outcome))
                    memo.trials[target, default: [:]][key] = screened
                    outcomes[target] = screened
                }
            }
            return outcomes
        }
        return (targets, evaluate)
    }

    private func store(
        _ evaluated: [Evaluated], alerts: [AlertRow], newTargets: [EligibilityTarget], closed: Set<String>,
        queue: [Int], on tx: Connection
    ) throws {
        func json(_ states: [String: String]) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(states), as: UTF8.self)
        }
        // A queued patient's state is replaced whole (every open target was evaluated); a new target is merged in.
        for replace in [true, false] {
            let rows = evaluated.filter { $0.replace == replace && !$0.states.isEmpty }
            guard !rows.isEmpty else { continue }
            let merged: Query =
                replace
                ? "EXCLUDED.outcomes" : "(eligibility_states.outcomes - \(Array(closed))::text[]) || EXCLUDED.outcomes"
            try tx.execute(
                """
                INSERT INTO eligibility_states (patient_id, outcomes)
                SELECT s.patient_id, s.outcomes::jsonb FROM unnest(\(rows.map(\.patientID))::bigint[], \(try rows.map { try json($0.states) })::text[])
                    AS s(patient_id, outcomes)
                ON CONFLICT (patient_id) DO UPDATE SET outcomes = \(merged), evaluated_at = now()
                """)
        }
        if !alerts.isEmpty {
            try tx.execute(
                """
                INSERT INTO eligibility_alerts (patient_id, target_key, target_label, kind, criterion, from_outcome, to_outcome, trigger, trigger_detail)
                SELECT a.patient_id, a.target_key, a.target_label, a.kind, nullif(a.criterion, ''), nullif(a.from_outcome, ''), a.to_outcome,
                       a.trigger, nullif(a.trigger_detail, '')
                FROM unnest(\(alerts.map(\.patientID))::bigint[], \(alerts.map(\.target.key))::text[], \(alerts.map(\.target.label))::text[],
                            \(alerts.map(\.change.kind.rawValue))::text[], \(alerts.map { $0.change.criterion ?? "" })::text[],
                            \(alerts.map { $0.change.from?.rawValue ?? "" })::text[], \(alerts.map(\.change.to.rawValue))::text[],
                            \(alerts.map(\.trigger))::text[], \(alerts.map { $0.detail ?? "" })::text[])
                     AS a(patient_id, target_key, target_label, kind, criterion, from_outcome, to_outcome, trigger, trigger_detail)
                ORDER BY a.patient_id
                """)
        }
        if !closed.isEmpty {
            try tx.execute("DELETE FROM eligibility_targets WHERE target_key = ANY (\(Array(closed))::text[])")
        }
        for target in newTargets {
            try tx.execute(
                """
                INSERT INTO eligibility_targets (target_key, target_kind, label, criteria)
                VALUES (\(target.key), \(target.kind.rawValue), \(target.label), \(target.criteria)::text[])
                ON CONFLICT (target_key) DO UPDATE SET label = EXCLUDED.label, criteria = EXCLUDED.criteria, first_evaluated_at = now()
                """)
        }
        if !queue.isEmpty {
            try tx.execute("DELETE FROM eligibility_refresh_queue WHERE queue_id = ANY (\(queue)::bigint[])")
        }
    }

    // MARK: - Listing and dismissing

    /// The alerts not dismissed, of `site` (or every site the login sees), raised on or after `since`, newest first.
    public func alerts(site: String? = nil, since: CalendarDate? = nil) throws(RegistryError) -> [EligibilityAlert] {
        do {
            if let site { try SiteService.requireSite(site, on: connection) }
            return try connection.query(
                """
                SELECT a.alert_id, p.registry_id, p.site_code, a.target_key, a.target_label, a.kind, a.criterion, a.from_outcome, a.to_outcome,
                       a.trigger, a.trigger_detail, to_char(a.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS raised_at
                FROM eligibility_alerts a JOIN patients p USING (patient_id)
                WHERE NOT EXISTS (SELECT 1 FROM eligibility_alert_dismissals d WHERE d.alert_id = a.alert_id)
                  AND (\(site)::text IS NULL OR p.site_code = \(site))
                  AND (\(since)::date IS NULL OR a.raised_at >= \(since)::date)
                ORDER BY a.raised_at DESC, a.alert_id DESC
                """
            ).map { row in
                let kindText = try row.decode(String.self, "kind"), toText = try row.decode(String.self, "to_outcome")
                guard let kind = EligibilityAlertKind(rawValue: kindText), let to = CriterionOutcome(rawValue: toText)
                else {
                    throw RegistryError.database(
                        PostgresError(
                            kind: .client,
                            message:
                                "eligibility alert of kind \(kindText) to \(toText) is not in the registry's vocabulary"
                        ))
                }
                return EligibilityAlert(
                    alertID: try row.decode(Int.self, "alert_id"),
                    registryID: try row.decode(String.self, "registry_id"),
                    site: try row.decode(String.self, "site_code"),
                    targetKey: try row.decode(String.self, "target_key"),
                    target: try row.decode(String.self, "target_label"), kind: kind,
                    criterion: try row.decode(String?.self, "criterion"),
                    from: try row.decode(String?.self, "from_outcome").flatMap(CriterionOutcome.init(rawValue:)),
                    to: to,
                    trigger: try row.decode(String.self, "trigger"),
                    triggerDetail: try row.decode(String?.self, "trigger_detail"),
                    raisedAt: try row.decode(String.self, "raised_at"))
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Dismisses an alert with the reason, which is required; the dismissal is audited and the alert is not listed again.
    ///
    /// - Throws: a blank reason; an alert the login cannot see (another site's) as not found; one already dismissed.
    public func dismiss(_ alertID: Int, reason: String, by name: String? = nil) throws(RegistryError) -> AlertDismissal
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .input(.missing(field: .reason)) }
        do {
            return try connection.withTransaction { tx in
                let rows = try tx.query(
                    """
                    SELECT a.patient_id, p.registry_id, d.dismissed_at IS NOT NULL AS dismissed
                    FROM eligibility_alerts a JOIN patients p USING (patient_id)
                    LEFT JOIN eligibility_alert_dismissals d USING (alert_id)
                    WHERE a.alert_id = \(alertID)
                    """)
                guard let row = rows.first else { throw RegistryError.alertNotFound(alertID) }
                let (patientID, registryID, dismissed) = try row.decode((Int, String, Bool).self)
                if dismissed { throw RegistryError.alertAlreadyDismissed(alertID) }
                let inserted = try tx.query(
                    """
                    INSERT INTO eligibility_alert_dismissals (alert_id, patient_id, reason, dismissed_by_name)
                    VALUES (\(alertID), \(patientID), \(reason), \(name?.nonEmpty)) RETURNING dismissed_by
                    """)
                return AlertDismissal(
                    alertID: alertID, registryID: registryID, reason: reason,
                    dismissedBy: try inserted[0].decode(String.self, "dismissed_by"),
                    dismissedByName: name?.nonEmpty)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
