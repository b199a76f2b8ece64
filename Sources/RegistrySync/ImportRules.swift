/// SQL fragments every import format shares, so that a rule the imports apply is written once.
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
    /// enrollment takes them, so registry ids stay gapless under concurrent enrollment.
    static func enrollSubjects(_ subjects: String, carried: Set<CarriedPatientField>) -> [String] {
        let vitalStatus = "coalesce(v.vital_status, CASE WHEN v.death_on IS NULL THEN 'alive' ELSE 'dead' END)"
        // Without a stated status a death date makes the patient dead, and a death date taken back makes a
        // dead patient's status unknown rather than alive.
        let updatedVitalStatus = """
            coalesce(v.vital_status, CASE WHEN v.death_on IS NOT NULL THEN 'dead' WHEN p.vital_status = 'dead' THEN 'unknown' ELSE p.vital_status END)
            """
        let updates = ["birth_year = v.birth_year", "sex = v.sex", "consent_date = v.consent_date", "death_on = v.death_on",
                       "vital_status = \(updatedVitalStatus)"]
            + CarriedPatientField.allCases.filter { carried.contains($0) && $0 != .vitalStatus }.map { "\($0.rawValue) = v.\($0.rawValue)" }
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
            """
            INSERT INTO patients (patient_id, registry_id, site_code, site_sequence, mrn_hmac, birth_year, sex, consent_date,
                consent_withdrawn_on, vital_status, death_on, last_contact_on, origin)
            OVERRIDING SYSTEM VALUE
            SELECT n.patient_id, n.site_code || '-' || lpad(n.site_sequence::text, 4, '0'), n.site_code, n.site_sequence, NULL,
                v.birth_year, v.sex, v.consent_date, v.consent_withdrawn_on, \(vitalStatus), v.death_on, v.last_contact_on, 'sync'
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
    /// it does not say: then the line in progress at onset), `ctcae_term`, `ctcae_version`, `grade`, `onset_on`,
    /// `resolved_on`, `attribution` and `serious`.
    static func applyAdverseEvents(_ events: String) -> String {
        """
        INSERT INTO adverse_events (adverse_event_id, patient_id, therapy_line_id, ctcae_term, ctcae_version, grade, onset_on, resolved_on,
            attribution, serious)
        OVERRIDING SYSTEM VALUE
        SELECT v.registry_row, v.patient_id,
            CASE WHEN v.line_number IS NULL THEN \(lineInProgress(patient: "v.patient_id", onset: "v.onset_on")) ELSE t.therapy_line_id END,
            v.ctcae_term, v.ctcae_version, v.grade, v.onset_on, v.resolved_on, v.attribution, v.serious
        FROM (\(events)) v LEFT JOIN therapy_lines t ON t.patient_id = v.patient_id AND t.line_number = v.line_number
        ON CONFLICT (adverse_event_id) DO UPDATE SET therapy_line_id = EXCLUDED.therapy_line_id, ctcae_term = EXCLUDED.ctcae_term,
            ctcae_version = EXCLUDED.ctcae_version, grade = EXCLUDED.grade, onset_on = EXCLUDED.onset_on,
            resolved_on = EXCLUDED.resolved_on, attribution = EXCLUDED.attribution, serious = EXCLUDED.serious
        """
    }
}
