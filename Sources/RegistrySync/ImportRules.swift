import PostgresClient
import RegistryDomain
import RegistryServices
/// What every import format shares, written once: the statements that write the registry from an adapter's
/// queries of its valid records (subjects, therapy lines, adverse events, lesions, assessments and results),
/// the rules those writes apply, and the reasons every format gives in the same words. An adapter hands its
/// records over as SQL queries of format-neutral columns, text from its own code, never from data.
enum ImportRules {
    /// The therapy line in progress when an adverse event began: started on or before its onset and not
    /// stopped before it; of overlapping lines, the latest started. An AE is counted against the line the
    /// patient was on (`report ae`), and exports rarely say which that was.
    static func lineInProgress(patient: String, onset: String) -> String {
        """
        (SELECT t.therapy_line_id FROM therapy_lines t
         WHERE t.patient_id = \(patient) AND t.started_on <= \(onset) AND (t.stopped_on IS NULL OR t.stopped_on >= \(onset))
         ORDER BY t.started_on DESC, t.line_number DESC LIMIT 1)
        """
    }

    /// Why a row of a reader's series is quarantined when the series as it would stand is refused (`z` is the
    /// series' row of `sync_refused_series`): the engine's own words, as `response show` would give them.
    static let refusedSeriesReason = """
        'RECIST 1.1 refuses the series of ' || z.evaluator || ' with this export applied: ' || z.reason
            || CASE WHEN z.label IS NULL THEN '; none of the series'' rows in this export is applied'
                ELSE '; none of the rows of lesion ' || z.label || ' in this export is applied' END
        """

    /// Patient fields an export may carry beyond the ones every format has (birth year, sex, consent, death).
    enum CarriedPatientField: String, CaseIterable {
        case vitalStatus = "vital_status"
        case consentWithdrawnOn = "consent_withdrawn_on"
        case lastContactOn = "last_contact_on"
    }

    /// Enrolls an export's new subjects and updates the changed ones, the same way for every format. `subjects`
    /// is the adapter's query of its valid subject rows, one per subject, with the columns `subject`, `site_code`,
    /// `patient_id` (the crosswalk's, NULL for a new subject), `changed`, `birth_year`, `sex`, `consent_date`,
    /// `death_on` and every ``CarriedPatientField`` (NULL where the format does not carry it). Only the
    /// fields in `carried` are updated on a known patient, so a format that does not carry one never erases it.
    /// New subjects are numbered per site in subject order, under the sites' row locks taken in code order as
    /// enrollment takes them, so registry ids stay gapless under concurrent enrollment. With `ageAtConsent` the
    /// query has an `age_at_consent` column too (the exact age a format gives beside the birth year alone),
    /// written with the patient and on every change.
    static func enrollSubjects(
        _ subjects: String, carried: Set<CarriedPatientField>, ageAtConsent: Bool = false
    ) -> [String] {
        let vitalStatus = "coalesce(v.vital_status, CASE WHEN v.death_on IS NULL THEN 'alive' ELSE 'dead' END)"
        // Without a stated status a death date makes the patient dead, and a death date taken back makes a
        // dead patient's status unknown rather than alive.
        let updatedVitalStatus = """
            coalesce(v.vital_status, CASE WHEN v.death_on IS NOT NULL THEN 'dead' WHEN p.vital_status = 'dead' THEN 'unknown' ELSE p.vital_status END)
            """
        let updates =
            [
                "birth_year = v.birth_year", "sex = v.sex", "consent_date = v.consent_date", "death_on = v.death_on",
                "vital_status = \(updatedVitalStatus)",
            ]
            + CarriedPatientField.allCases.filter { carried.contains($0) && $0 != .vitalStatus }.map {
                "\($0.rawValue) = v.\($0.rawValue)"
            }
            + (ageAtConsent ? ["age_at_consent = v.age_at_consent"] : [])
        return [
            "CREATE TEMP TABLE sync_in_subjects ON COMMIT DROP AS \(subjects)",
            """
            SELECT 1 FROM sites WHERE site_code IN (SELECT site_code FROM sync_in_subjects WHERE patient_id IS NULL)
            ORDER BY site_code FOR UPDATE
            """,
            """
            CREATE TEMP TABLE sync_new_patients ON COMMIT DROP AS
            SELECT v.subject, v.site_code, sarcreg_next_id('patients') AS patient_id,
                t.next_patient_number + row_number() OVER (PARTITION BY v.site_code ORDER BY v.subject) - 1 AS site_sequence
            FROM sync_in_subjects v JOIN sites t ON t.site_code = v.site_code
            WHERE v.patient_id IS NULL
            """,
            // What a format joins the run's new patients from afterwards is planned from these statistics.
            "ANALYZE sync_new_patients",
            """
            INSERT INTO patients (patient_id, registry_id, site_code, site_sequence, mrn_hmac, birth_year, sex, consent_date,
                consent_withdrawn_on, vital_status, death_on, last_contact_on, origin, age_at_consent)
            OVERRIDING SYSTEM VALUE
            SELECT n.patient_id, sarcreg_registry_id(n.site_code, n.site_sequence), n.site_code, n.site_sequence, NULL,
                v.birth_year, v.sex, v.consent_date, v.consent_withdrawn_on, \(vitalStatus), v.death_on, v.last_contact_on, 'sync',
                \(ageAtConsent ? "v.age_at_consent" : "NULL")
            FROM sync_new_patients n JOIN sync_in_subjects v ON v.subject = n.subject
            """,
            """
            UPDATE sites t SET next_patient_number = t.next_patient_number + n.added
            FROM (SELECT site_code, count(*) AS added FROM sync_new_patients GROUP BY site_code) n
            WHERE t.site_code = n.site_code
            """,
            """
            INSERT INTO sync_subjects (source, usubjid, patient_id)
            SELECT current_setting('sarcreg.sync_source'), subject, patient_id FROM sync_new_patients
            """,
            """
            UPDATE patients p SET \(updates.joined(separator: ", "))
            FROM sync_in_subjects v
            WHERE p.patient_id = v.patient_id AND v.changed
            """,
        ]
    }

    /// Writes an export's new and changed adverse events, the same way for every format. `events` is the
    /// adapter's query of its valid AE rows that are new or changed, with the columns `registry_row` (the AE's
    /// id, drawn for a new one), `patient_id`, `line_number` (the line the source attributes it to, NULL when
    /// it does not say: then the line in progress at onset), `ctcae_term` (as submitted: it is stored as CTCAE spells
    /// it, with its MedDRA code, the adapter having checked it names a term), `term_specified` (the text of an
    /// "Other, specify" term), `ctcae_version`, `grade`, `onset_on`, `resolved_on`, `attribution`, `serious` and
    /// `baseline`.
    static func applyAdverseEvents(_ events: String) -> String {
        """
        INSERT INTO adverse_events (adverse_event_id, patient_id, therapy_line_id, ctcae_term, meddra_code, term_specified, ctcae_version,
            grade, onset_on, resolved_on, attribution, serious, baseline)
        OVERRIDING SYSTEM VALUE
        SELECT v.registry_row, v.patient_id,
            CASE WHEN v.line_number IS NULL THEN \(lineInProgress(patient: "v.patient_id", onset: "v.onset_on")) ELSE t.therapy_line_id END,
            c.term, c.meddra_code, v.term_specified, v.ctcae_version, v.grade, v.onset_on, v.resolved_on, v.attribution, v.serious, v.baseline
        FROM (\(events)) v JOIN ctcae_terms c ON c.meddra_code = ctcae_term_code(v.ctcae_term)
        LEFT JOIN therapy_lines t ON t.patient_id = v.patient_id AND t.line_number = v.line_number
        ON CONFLICT (adverse_event_id) DO UPDATE SET therapy_line_id = EXCLUDED.therapy_line_id, ctcae_term = EXCLUDED.ctcae_term,
            meddra_code = EXCLUDED.meddra_code, term_specified = EXCLUDED.term_specified, ctcae_version = EXCLUDED.ctcae_version,
            grade = EXCLUDED.grade, onset_on = EXCLUDED.onset_on, resolved_on = EXCLUDED.resolved_on, attribution = EXCLUDED.attribution,
            serious = EXCLUDED.serious, baseline = EXCLUDED.baseline
        """
    }

    /// The reason a submitted AE term (`term`, an SQL expression) is refused, or NULL: not a CTCAE term (with the
    /// closest term ``stageTermSuggestions(submitted:on:)`` found, joined as `d`), or an "Other, specify" term
    /// without the text that specifies it (`specified`), or, where the format has a field for that text alone
    /// (`textOnlyWithOther`), the text beside a term of its own.
    static func termReason(term: String, specified: String, specifiedField: String, textOnlyWithOther: Bool) -> String {
        let textBesideTerm = """
            WHEN NOT \(isOtherSpecify(term)) AND \(specified) IS NOT NULL
                THEN '\(specifiedField) goes only with a ''<SOC> - Other, specify'' term; this is a CTCAE term of its own'
            """
        return """
            CASE WHEN \(term) IS NULL THEN NULL
                WHEN ctcae_term_code(\(term)) IS NULL THEN \(REDCapRules.literal(CTCAETerm.unknownReason)) || coalesce('; did you mean ' || d.suggestion || '?', '')
                WHEN \(isOtherSpecify(term)) AND \(specified) IS NULL THEN 'an ''Other, specify'' term needs \(specifiedField) to say what the event was'
                \(textOnlyWithOther ? textBesideTerm : "") END
            """
    }

    /// Whether a submitted term (an SQL expression) names a SOC's "Other, specify" term.
    static func isOtherSpecify(_ term: String) -> String {
        "coalesce((SELECT other_specify FROM ctcae_terms WHERE meddra_code = ctcae_term_code(\(term))), false)"
    }

    /// The closest CTCAE term of each distinct term of `submitted` (a query of one text column) that names none,
    /// where one is a slip away (``SpellingSuggestion``), in `sync_ctcae_suggestions (submitted, suggestion)`, for
    /// ``termReason(term:specified:specifiedField:)``'s did-you-mean. Few terms are misspelt, so few are compared.
    static func stageTermSuggestions(submitted: String, on tx: Connection) throws {
        try tx.execute(
            "CREATE TEMP TABLE sync_ctcae_suggestions (submitted text PRIMARY KEY, suggestion text NOT NULL) ON COMMIT DROP"
        )
        let unknown = try tx.query(
            Query(
                unsafeSQL: """
                    SELECT DISTINCT u.term FROM (\(submitted)) u(term) WHERE u.term IS NOT NULL AND ctcae_term_code(u.term) IS NULL
                    """)
        ).map { try $0.decode(String.self, "term") }
        guard !unknown.isEmpty else { return }
        let terms = try tx.query("SELECT term FROM ctcae_terms").map { try $0.decode(String.self, "term") }
        for term in unknown {
            guard let suggestion = SpellingSuggestion.closest(to: term, among: terms) else { continue }
            try tx.execute("INSERT INTO sync_ctcae_suggestions (submitted, suggestion) VALUES (\(term), \(suggestion))")
        }
    }

    /// The therapy lines of an export that overlap another line of their patient while neither is marked
    /// concurrent (``TimelineRule/overlappingLines``), as `subject`, `line_number` and the `reason` in the domain's
    /// words with the format's `mark`. `lines` is the adapter's query of its valid lines, one row per (`subject`,
    /// `line_number`), with `patient_id` (NULL for a subject this run enrolls), `started_on`, `stopped_on` and
    /// `concurrent`. The other line is one of the export or a stored line the export does not send again; of two
    /// overlapping lines of the export the later started is refused, so the earlier is applied.
    static func overlappingLines(_ lines: String, mark: String) -> String {
        let span = { (line: String) in "\(line).started_on || ' to ' || coalesce(\(line).stopped_on::text, 'ongoing')" }
        let conflict =
            "'line ' || a.line_number || ' (' || \(span("a")) || ') overlaps line ' || b.line_number || ' (' || \(span("b")) || ')'"
        return """
            SELECT DISTINCT ON (a.subject, a.line_number) a.subject, a.line_number,
                \(Reason.timeline(.overlappingLines, conflict: conflict, mark: mark)) AS reason
            FROM (\(lines)) a
            JOIN (SELECT subject, line_number, started_on, stopped_on, concurrent, true AS exported FROM (\(lines)) e
                  UNION ALL
                  SELECT e.subject, t.line_number, t.started_on, t.stopped_on, t.concurrent, false
                  FROM (SELECT DISTINCT subject, patient_id FROM (\(lines)) e WHERE patient_id IS NOT NULL) e
                  JOIN therapy_lines t ON t.patient_id = e.patient_id
                  WHERE NOT EXISTS (SELECT 1 FROM (\(lines)) x WHERE x.subject = e.subject AND x.line_number = t.line_number)) b
                ON b.subject = a.subject AND b.line_number <> a.line_number
            WHERE NOT a.concurrent AND NOT b.concurrent
                AND NOT coalesce(a.stopped_on <= b.started_on, false) AND NOT coalesce(b.stopped_on <= a.started_on, false)
                AND (NOT b.exported OR (a.started_on, a.line_number) > (b.started_on, b.line_number))
            ORDER BY a.subject, a.line_number, b.started_on, b.line_number
            """
    }

    /// The AE check of ``TimelineRule/adverseEventBeforeFirstLine``: an onset (`onset`, a date expression) before
    /// `firstStart` (the patient's first line, an expression) is refused unless `baseline` holds.
    static func baselineCheck(
        column: String, value: String, onset: String, baseline: String, firstStart: String, mark: String
    ) -> String {
        """
        '\(column)', \(value), CASE WHEN NOT \(baseline) AND \(onset) < \(firstStart)
            THEN \(Reason.timeline(.adverseEventBeforeFirstLine, conflict: "'the first therapy line started on ' || \(firstStart)", mark: mark)) END
        """
    }

    /// Writes an export's new and changed lesions, the same way for every format. `lesions` is the adapter's
    /// query of them, one row per (`patient_id`, `evaluator`, `label`), with `lesion_class`, `organ`,
    /// `is_lymph_node` and `imaging_method`; an organ or method the row leaves empty keeps the stored one.
    static func applyLesions(_ lesions: String) -> String {
        """
        INSERT INTO lesions (patient_id, evaluator, label, lesion_class, organ, is_lymph_node, imaging_method)
        SELECT patient_id, evaluator, label, lesion_class, organ, is_lymph_node, imaging_method FROM (\(lesions)) v
        ON CONFLICT (patient_id, evaluator, label) DO UPDATE SET organ = coalesce(EXCLUDED.organ, lesions.organ),
            is_lymph_node = EXCLUDED.is_lymph_node, imaging_method = coalesce(EXCLUDED.imaging_method, lesions.imaging_method)
        """
    }

    /// Writes an export's new and changed assessments and their lesion results, the same way for every format.
    /// `assessments` is the adapter's query of them, one row per (`patient_id`, `evaluator`, `assessed_on`) with
    /// `is_baseline`; a follow-up assesses the line latest started on or before it. `results` is its query of
    /// new and changed results: `patient_id`, `evaluator`, `assessed_on` (an assessment of `assessments` or a
    /// stored one), the stored lesion's `lesion_id` and `lesion_class`, `result` and `diameter_mm`. The adapter
    /// finds the lesion: one that kept it from its own checks passes it on, where joining the lesions again
    /// here was planned, with the statistics of a table this transaction just filled, as a nested loop
    /// (minutes at 200,000 results).
    static func applyAssessmentsAndResults(assessments: String, results: String) -> [String] {
        [
            """
            CREATE TEMP TABLE sync_new_assessments (assessment_id bigint, patient_id bigint, evaluator text, assessed_on date)
            ON COMMIT DROP
            """,
            // The line by one join of the distinct follow-up visits with their patients' lines, where a subquery
            // per assessment searched and sorted the patient's lines each time. The assessments this statement
            // inserts (xmax 0, where an updated row carries the updating transaction) are kept with their keys:
            // their results cannot exist yet, so they are a plain insert below.
            """
            WITH written AS (
                INSERT INTO assessments (patient_id, evaluator, assessed_on, is_baseline, therapy_line_id)
                SELECT v.patient_id, v.evaluator, v.assessed_on, v.is_baseline, t.therapy_line_id
                FROM (\(assessments)) v
                LEFT JOIN (SELECT DISTINCT ON (d.patient_id, d.assessed_on) d.patient_id, d.assessed_on, t.therapy_line_id
                        FROM (SELECT DISTINCT patient_id, assessed_on FROM (\(assessments)) a WHERE NOT is_baseline) d
                        JOIN therapy_lines t ON t.patient_id = d.patient_id AND t.started_on <= d.assessed_on
                        ORDER BY d.patient_id, d.assessed_on, t.started_on DESC, t.line_number DESC) t
                    ON NOT v.is_baseline AND t.patient_id = v.patient_id AND t.assessed_on = v.assessed_on
                ON CONFLICT (patient_id, evaluator, assessed_on) DO UPDATE SET is_baseline = EXCLUDED.is_baseline,
                    therapy_line_id = EXCLUDED.therapy_line_id
                WHERE (assessments.is_baseline, assessments.therapy_line_id) IS DISTINCT FROM (EXCLUDED.is_baseline, EXCLUDED.therapy_line_id)
                RETURNING assessment_id, patient_id, evaluator, assessed_on, xmax = 0 AS inserted)
            INSERT INTO sync_new_assessments SELECT assessment_id, patient_id, evaluator, assessed_on FROM written WHERE inserted
            """,
            // The results of new assessments join the run's own table of them, never `assessments`: its
            // statistics describe the registry before this run, and planned from them the join became a nested
            // loop (26 s for 50,000 results into a registry that held the demo export, 4 s into an empty one).
            "ANALYZE sync_new_assessments",
            """
            INSERT INTO assessment_results (patient_id, assessment_id, lesion_id, lesion_class, result, diameter_mm)
            SELECT n.patient_id, n.assessment_id, v.lesion_id, v.lesion_class, v.result, v.diameter_mm
            FROM (\(results)) v
            JOIN sync_new_assessments n ON n.patient_id = v.patient_id AND n.evaluator = v.evaluator AND n.assessed_on = v.assessed_on
            """,
            """
            INSERT INTO assessment_results (patient_id, assessment_id, lesion_id, lesion_class, result, diameter_mm)
            SELECT a.patient_id, a.assessment_id, v.lesion_id, v.lesion_class, v.result, v.diameter_mm
            FROM (SELECT v.* FROM (\(results)) v
                  LEFT JOIN sync_new_assessments n ON n.patient_id = v.patient_id AND n.evaluator = v.evaluator AND n.assessed_on = v.assessed_on
                  WHERE n.assessment_id IS NULL) v
            JOIN assessments a ON a.patient_id = v.patient_id AND a.evaluator = v.evaluator AND a.assessed_on = v.assessed_on
            ON CONFLICT (assessment_id, lesion_id) DO UPDATE SET result = EXCLUDED.result, diameter_mm = EXCLUDED.diameter_mm
            """,
        ]
    }

    /// Writes an export's new and changed therapy lines and their agents, the same way for every format. `lines`
    /// is the adapter's query of them, one row per (`patient_id`, `line_number`), with `intent`, `started_on`,
    /// `stopped_on`, `stop_reason`, `dose`, `trial_nct` and `concurrent`; `agents` its query of their agents (`patient_id`,
    /// `line_number`, `agent_code`). With `replacingAgents` the format sends a line's whole set of agents, so an
    /// agent no longer in it is removed (a REDCap checkbox unticked); without, each record adds its agent and
    /// one missing from a later export is flagged like any record, never deleted (an SDTM EX record).
    static func applyTherapyLines(_ lines: String, agents: String, replacingAgents: Bool) -> [String] {
        let replacement = """
            DELETE FROM therapy_line_agents a USING (\(lines)) v, therapy_lines t
            WHERE t.patient_id = v.patient_id AND t.line_number = v.line_number AND a.therapy_line_id = t.therapy_line_id
                AND NOT EXISTS (SELECT 1 FROM (\(agents)) g
                    WHERE g.patient_id = v.patient_id AND g.line_number = v.line_number AND g.agent_code = a.agent_code)
            """
        return [
            """
            INSERT INTO therapy_lines (patient_id, line_number, intent, started_on, stopped_on, stop_reason, dose, trial_nct, concurrent)
            SELECT patient_id, line_number, intent, started_on, stopped_on, stop_reason, dose, trial_nct, concurrent FROM (\(lines)) v
            ON CONFLICT (patient_id, line_number) DO UPDATE SET intent = EXCLUDED.intent, started_on = EXCLUDED.started_on,
                stopped_on = EXCLUDED.stopped_on, stop_reason = EXCLUDED.stop_reason, dose = EXCLUDED.dose, trial_nct = EXCLUDED.trial_nct,
                concurrent = EXCLUDED.concurrent
            """
        ] + (replacingAgents ? [replacement] : []) + [
            """
            INSERT INTO therapy_line_agents (therapy_line_id, agent_code)
            SELECT DISTINCT t.therapy_line_id, g.agent_code
            FROM (\(agents)) g JOIN therapy_lines t ON t.patient_id = g.patient_id AND t.line_number = g.line_number
            ON CONFLICT DO NOTHING
            """
        ]
    }

    /// The domain's timeline rules (``PatientTimeline``) over one dated column of the staged rows, as a check
    /// of the column's value: not after the patient's death (the day of death itself is allowed, as
    /// ``PatientTimeline/isAfterDeath(_:deathOn:)`` says), not before the year of birth. `date` is the column's
    /// date expression, `birthYear` and `deathOn` expressions of values already joined to the row, so the
    /// check is two comparisons in the same pass as the format's other checks, with no subquery per row.
    static func timelineCheck(column: String, value: String, date: String, birthYear: String, deathOn: String) -> String
    {
        """
        '\(column)', \(value), CASE
            WHEN \(date) > \(deathOn) THEN \(Reason.timeline(.afterDeath, conflict: "'the patient died on ' || \(deathOn)"))
            WHEN extract(year FROM \(date)) < \(birthYear) THEN \(Reason.timeline(.beforeBirth, conflict: "'the patient was born in ' || \(birthYear)"))
            END
        """
    }

    /// The reasons the subject and timeline checks of every format give, in the same words whatever the format.
    enum Reason {
        /// A ``TimelineViolation``'s words after the value: the conflict (an SQL expression), the rule's
        /// statement and name from the domain.
        /// `mark` is how the format marks an exception to the rule, where it has one.
        static func timeline(_ rule: TimelineRule, conflict: String, mark: String = "") -> String {
            "\(conflict) || " + REDCapRules.literal("; \(rule.statement(marked: mark)) (rule \(rule.rawValue))")
        }

        static let unknownSubject =
            "'the subject has no enrollment (a DM row or an enrollment form) in this or an earlier run of this source'"
        static let noLineBeforeFollowUp = "'a follow-up needs a therapy line started on or before its date'"

        /// Whether the patient (an SQL expression of its id) is locked, and the reason its rows are quarantined: the
        /// rule the database enforces on every write (ConstraintRefusal's `patient_records_locked`).
        static func locked(_ patientID: String) -> String {
            "EXISTS (SELECT 1 FROM patient_locks l WHERE l.patient_id = \(patientID))"
        }

        static func lockedReason(_ patientID: String) -> String {
            "'patient ' || (SELECT registry_id FROM patients WHERE patient_id = \(patientID)) || "
                + REDCapRules.literal(" is locked; " + (ConstraintRefusal.raisedRules["patient_records_locked"] ?? ""))
        }

        /// `withdrawnOn` is the SQL expression of the patient's withdrawal date.
        static func consentWithdrawn(_ withdrawnOn: String) -> String {
            "'the patient withdrew consent on ' || \(withdrawnOn) || '; nothing new may be recorded'"
        }
    }
}
