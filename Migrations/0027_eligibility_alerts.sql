-- Newly eligible alerts (issue 18, item 3): which patients newly meet every known criterion of an open trial
-- cohort or an approved catalog therapy, and which moved from unknown to met on one criterion.
--
-- What changes eligibility is queued as it commits, in the same transaction, by the triggers below: a
-- patient's own data (a diagnosis, a molecular result, a therapy line, an ECOG, a baseline lesion; recorded,
-- corrected or imported) queues that patient; a trial added or opened and a catalog status row queue the
-- target. `sarcreg alerts refresh` (run by the nightly sync after its imports, or by hand) takes the queue,
-- evaluates with the domain's own matcher and screener (RegistryDomain Eligibility, Trials) the queued
-- patients against every open target and every patient against each target newly open, compares with the
-- last evaluated state and writes the alerts. Nothing here evaluates a criterion: the rules stay in Swift.

-- The open targets evaluated so far, each with its criteria in order: a trial cohort ('trial:NCT03016819/lms')
-- or a catalog indication ('therapy:larotrectinib_ntrk_fusion'). A target that closes is removed, so one that
-- opens again is evaluated afresh.
CREATE TABLE eligibility_targets (
    target_key text NOT NULL,
    target_kind text NOT NULL,
    label text NOT NULL,
    criteria text[] NOT NULL,
    first_evaluated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT eligibility_targets_pkey PRIMARY KEY (target_key),
    CONSTRAINT eligibility_targets_kind_known CHECK (target_kind IN ('trial_cohort', 'therapy')),
    CONSTRAINT eligibility_targets_key_format CHECK (target_key ~ '^(trial|therapy):.+$')
);

-- The last evaluated state of one patient: per target key, one letter per criterion of the target in its
-- order (m met, n not met, u unknown), e.g. {"trial:NCT03016819/lms": "mmmunm"}. One row per patient, so a
-- refresh rewrites only the patients whose outcomes changed.
CREATE TABLE eligibility_states (
    patient_id bigint NOT NULL,
    outcomes jsonb NOT NULL,
    evaluated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT eligibility_states_pkey PRIMARY KEY (patient_id),
    CONSTRAINT eligibility_states_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT eligibility_states_outcomes_object CHECK (jsonb_typeof(outcomes) = 'object')
);

-- One alert per criterion that changed: kind newly_eligible when every criterion of the target is now met,
-- criterion_met when one moved from unknown to met and nothing is not met. A target evaluated for the first time
-- for the patient (a trial added, a new patient) has no criterion: it was not evaluated before.
CREATE TABLE eligibility_alerts (
    alert_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    target_key text NOT NULL,
    target_label text NOT NULL,
    kind text NOT NULL,
    criterion text,
    from_outcome text,
    to_outcome text NOT NULL,
    trigger text NOT NULL,
    trigger_detail text,
    raised_at timestamptz NOT NULL DEFAULT now(),
    raised_by text NOT NULL DEFAULT session_user,
    CONSTRAINT eligibility_alerts_pkey PRIMARY KEY (alert_id),
    CONSTRAINT eligibility_alerts_patient_id_key UNIQUE (patient_id, alert_id),
    CONSTRAINT eligibility_alerts_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT eligibility_alerts_kind_known CHECK (kind IN ('newly_eligible', 'criterion_met')),
    CONSTRAINT eligibility_alerts_outcomes_known CHECK (
        (from_outcome IS NULL OR from_outcome IN ('met', 'notMet', 'unknown')) AND to_outcome IN ('met', 'notMet', 'unknown')),
    CONSTRAINT eligibility_alerts_first_evaluation CHECK ((criterion IS NULL) = (from_outcome IS NULL)),
    CONSTRAINT eligibility_alerts_trigger_known CHECK (trigger IN (
        'diagnosis_recorded', 'diagnosis_corrected', 'diagnosis_imported',
        'molecular_result_recorded', 'molecular_result_corrected', 'molecular_result_imported',
        'therapy_line_recorded', 'therapy_line_corrected', 'therapy_line_imported',
        'ecog_recorded', 'ecog_corrected', 'ecog_imported',
        'lesion_recorded', 'lesion_corrected', 'lesion_imported',
        'trial_added', 'trial_opened', 'catalog_status_changed', 'target_opened'))
);

CREATE INDEX eligibility_alerts_raised_idx ON eligibility_alerts (raised_at);

-- A dismissal says who, when and why; the reason is required. An alert is dismissed once, and a dismissal is
-- never changed or taken back (no group may update or delete one); it is audited like a clinical row.
CREATE TABLE eligibility_alert_dismissals (
    alert_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    reason text NOT NULL,
    dismissed_at timestamptz NOT NULL DEFAULT now(),
    dismissed_by text NOT NULL DEFAULT session_user,
    dismissed_by_name text,
    CONSTRAINT eligibility_alert_dismissals_pkey PRIMARY KEY (alert_id),
    CONSTRAINT eligibility_alert_dismissals_alert_fk FOREIGN KEY (patient_id, alert_id)
        REFERENCES eligibility_alerts (patient_id, alert_id),
    CONSTRAINT eligibility_alert_dismissals_reason_not_blank CHECK (btrim(reason) <> '')
);

-- What changed since the last refresh: a patient (patient_id) or a target (target_key, 'trial:NCT…' for every
-- cohort of a trial), with the trigger an alert names.
CREATE TABLE eligibility_refresh_queue (
    queue_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint,
    target_key text,
    trigger text NOT NULL,
    trigger_detail text,
    queued_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT eligibility_refresh_queue_pkey PRIMARY KEY (queue_id),
    CONSTRAINT eligibility_refresh_queue_one_subject CHECK ((patient_id IS NULL) <> (target_key IS NULL))
);

-- Queues the patients of one statement's changed rows (transition table eligibility_changed_rows); TG_ARGV[0]
-- names the data ('diagnosis'). An import run's rows are 'imported', an UPDATE 'corrected'. SECURITY DEFINER:
-- no group writes the queue itself.
CREATE FUNCTION eligibility_queue_patients() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    import_run bigint := sarcreg_current_import_run();
BEGIN
    INSERT INTO eligibility_refresh_queue (patient_id, trigger, trigger_detail)
    SELECT DISTINCT t.patient_id,
        TG_ARGV[0] || CASE WHEN import_run IS NOT NULL THEN '_imported' WHEN TG_OP = 'INSERT' THEN '_recorded' ELSE '_corrected' END,
        CASE WHEN import_run IS NOT NULL THEN 'sync run ' || import_run END
    FROM eligibility_changed_rows t;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION eligibility_queue_patients() FROM PUBLIC;

DO $$
DECLARE
    queued jsonb := jsonb_build_object(
        'diagnoses', 'diagnosis', 'molecular_results', 'molecular_result', 'therapy_lines', 'therapy_line',
        'patient_ecog', 'ecog', 'lesions', 'lesion');
    source_table text;
BEGIN
    FOR source_table IN SELECT jsonb_object_keys(queued) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS eligibility_changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION eligibility_queue_patients(%L)', source_table || '_eligibility_insert', source_table,
            queued ->> source_table);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS eligibility_changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION eligibility_queue_patients(%L)', source_table || '_eligibility_update', source_table,
            queued ->> source_table);
    END LOOP;
END
$$;

-- A trial added, or moved to recruiting (its cohorts open), queues the trial.
CREATE FUNCTION eligibility_queue_trials() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO eligibility_refresh_queue (target_key, trigger, trigger_detail)
        SELECT 'trial:' || n.trial_nct, 'trial_added', n.trial_nct || ' added as ' || n.status FROM eligibility_new_trials n;
    ELSE
        INSERT INTO eligibility_refresh_queue (target_key, trigger, trigger_detail)
        SELECT 'trial:' || n.trial_nct, 'trial_opened', n.trial_nct || ' ' || o.status || ' -> ' || n.status
        FROM eligibility_new_trials n JOIN eligibility_old_trials o USING (trial_nct)
        WHERE n.status = 'recruiting' AND o.status <> 'recruiting';
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION eligibility_queue_trials() FROM PUBLIC;
CREATE TRIGGER trials_eligibility_insert AFTER INSERT ON trials REFERENCING NEW TABLE AS eligibility_new_trials
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_queue_trials();
CREATE TRIGGER trials_eligibility_update AFTER UPDATE ON trials
    REFERENCING OLD TABLE AS eligibility_old_trials NEW TABLE AS eligibility_new_trials
    FOR EACH STATEMENT EXECUTE FUNCTION eligibility_queue_trials();

-- A catalog status row (an approval, a withdrawal) queues its indication.
CREATE FUNCTION eligibility_queue_catalog() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO eligibility_refresh_queue (target_key, trigger, trigger_detail)
    SELECT 'therapy:' || i.indication_code, 'catalog_status_changed',
        i.indication_code || ' ' || n.status || ' from ' || n.effective_date || ' (' || n.authority || ')'
    FROM eligibility_new_status n JOIN therapy_indications i USING (indication_id);
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION eligibility_queue_catalog() FROM PUBLIC;
CREATE TRIGGER therapy_indication_status_eligibility_insert AFTER INSERT ON therapy_indication_status
    REFERENCING NEW TABLE AS eligibility_new_status FOR EACH STATEMENT EXECUTE FUNCTION eligibility_queue_catalog();

-- Privileges (least privilege, after 0007/0014). The refresh runs as the nightly sync or an administrator, who
-- see every patient; a coordinator reads the alerts of their own sites' patients and dismisses them, and never
-- reads the states or the queue; investigators read alerts and dismissals.
GRANT SELECT, INSERT, UPDATE, DELETE ON eligibility_targets, eligibility_states TO sarcreg_sync, sarcreg_admin;
GRANT SELECT, DELETE ON eligibility_refresh_queue TO sarcreg_sync, sarcreg_admin;
GRANT SELECT, INSERT ON eligibility_alerts TO sarcreg_sync, sarcreg_admin;
GRANT SELECT ON eligibility_alerts, eligibility_alert_dismissals TO sarcreg_coordinator, sarcreg_investigator;
GRANT SELECT, INSERT ON eligibility_alert_dismissals TO sarcreg_coordinator, sarcreg_admin;
GRANT SELECT ON eligibility_alert_dismissals TO sarcreg_sync;

-- Row-level security as 0007 has it for clinical rows: a coordinator's row is one whose patient they see.
ALTER TABLE eligibility_states ENABLE ROW LEVEL SECURITY;
CREATE POLICY eligibility_states_sync_and_admin ON eligibility_states FOR ALL TO sarcreg_sync, sarcreg_admin
    USING (true) WITH CHECK (true);
ALTER TABLE eligibility_alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY eligibility_alerts_own_sites ON eligibility_alerts FOR SELECT TO sarcreg_coordinator
    USING (EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = eligibility_alerts.patient_id));
CREATE POLICY eligibility_alerts_investigators_read ON eligibility_alerts FOR SELECT TO sarcreg_investigator USING (true);
CREATE POLICY eligibility_alerts_sync_and_admin ON eligibility_alerts FOR ALL TO sarcreg_sync, sarcreg_admin
    USING (true) WITH CHECK (true);
ALTER TABLE eligibility_alert_dismissals ENABLE ROW LEVEL SECURITY;
CREATE POLICY eligibility_alert_dismissals_own_sites ON eligibility_alert_dismissals FOR ALL TO sarcreg_coordinator
    USING (EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = eligibility_alert_dismissals.patient_id))
    WITH CHECK (EXISTS (SELECT 1 FROM eligibility_alerts a
        WHERE a.alert_id = eligibility_alert_dismissals.alert_id AND a.patient_id = eligibility_alert_dismissals.patient_id));
CREATE POLICY eligibility_alert_dismissals_investigators_read ON eligibility_alert_dismissals FOR SELECT
    TO sarcreg_investigator, sarcreg_sync USING (true);
CREATE POLICY eligibility_alert_dismissals_admin ON eligibility_alert_dismissals FOR ALL TO sarcreg_admin
    USING (true) WITH CHECK (true);

-- Identity values are the registry's to hand out (0014): an alert inserted with a chosen id is refused.
DO $$
BEGIN
    EXECUTE format('CREATE TRIGGER eligibility_alerts_identity_chosen BEFORE INSERT ON eligibility_alerts FOR EACH ROW
        WHEN (current_user <> %L AND NOT pg_has_role(''sarcreg_sync'', ''MEMBER''))
        EXECUTE FUNCTION sarcreg_refuse_chosen_identity(%L, %L)', current_user, 'alert_id', 'eligibility_alerts_alert_id_seq');
    EXECUTE format('CREATE TRIGGER eligibility_alerts_identity_issued AFTER INSERT ON eligibility_alerts
        REFERENCING NEW TABLE AS identity_new_rows FOR EACH STATEMENT
        WHEN (current_user <> %L AND NOT pg_has_role(%L, ''MEMBER''))
        EXECUTE FUNCTION sarcreg_refuse_unissued_identity(%L, %L)', current_user, current_user, 'alert_id', 'eligibility_alerts_alert_id_seq');
END
$$;

-- The 0022 body, auditing dismissals too (each names its own patient); the guards are chained again below.
CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- TG_ARGV: none when the row has its own patient_id; 'none' when it has no patient; else the parent
    -- table and the key column it shares.
    patient_join text := '';
    patient text := 't.patient_id';
    concealed text[] := CASE TG_TABLE_NAME
        WHEN 'patients' THEN ARRAY['mrn_hmac']
        WHEN 'trials' THEN ARRAY['randomization_seed']
        WHEN 'trial_allocation_slots' THEN ARRAY['arm_code', 'block_number', 'block_size']
        ELSE ARRAY[]::text[] END;
    constants text;
    key_match text;
    import_run bigint;
    inserted bigint;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR NOT TG_TABLE_NAME = ANY (ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments', 'sync_subjects',
        'trials', 'trial_cohorts', 'trial_allocation_slots', 'eligibility_alert_dismissals'])
    THEN
        RAISE EXCEPTION 'audit_record_changes() records the registry''s audited tables only, not %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO audit_log (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);
        RETURN NULL;
    END IF;
    INSERT INTO audit_statement_transactions DEFAULT VALUES;
    IF TG_OP = 'INSERT' THEN
        import_run := sarcreg_current_import_run();
        IF import_run IS NOT NULL THEN
            SELECT count(*) INTO inserted FROM audit_new_rows;
            IF inserted > 0 THEN
                INSERT INTO audit_bulk_pending (sync_run, table_name, operation, row_count)
                VALUES (import_run, TG_TABLE_NAME, TG_OP, inserted)
                ON CONFLICT (transaction_id, sync_run, table_name, operation)
                DO UPDATE SET row_count = audit_bulk_pending.row_count + EXCLUDED.row_count;
            END IF;
            RETURN NULL;
        END IF;
    END IF;
    IF TG_NARGS = 1 THEN
        patient := 'NULL::bigint';
    ELSIF TG_NARGS = 2 THEN
        patient_join := format('LEFT JOIN %I p ON p.%I = t.%I', TG_ARGV[0], TG_ARGV[1], TG_ARGV[1]);
        patient := 'p.patient_id';
    END IF;
    constants := format('%L::timestamptz, %s, %L, %L, %L', clock_timestamp(), txid_current(), session_user,
        nullif(current_setting('sarcreg.app_user', true), ''), nullif(current_setting('sarcreg.change_reason', true), ''));
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, change_reason, table_name, operation, patient_id, new_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - %L::text[] FROM audit_new_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, concealed, patient_join);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, change_reason, table_name, operation, patient_id, old_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - %L::text[] FROM audit_old_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, concealed, patient_join);
    ELSE
        SELECT string_agg(format('o.old_image -> %L = n.new_image -> %L', a.attname, a.attname), ' AND ')
        INTO key_match
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = TG_RELID AND i.indisprimary;
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, change_reason, table_name, operation, patient_id, old_row, new_row)
             SELECT %s, %L, %L, coalesce(n.patient_id, o.patient_id), o.old_image - %L::text[], n.new_image - %L::text[]
             FROM (SELECT to_jsonb(t) AS old_image, %s AS patient_id FROM audit_old_rows t %s) o
             FULL JOIN (SELECT to_jsonb(t) AS new_image, %s AS patient_id FROM audit_new_rows t %s) n ON %s',
            constants, TG_TABLE_NAME, TG_OP, concealed, concealed, patient, patient_join, patient, patient_join, key_match);
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_record_changes() FROM PUBLIC;

CREATE TRIGGER eligibility_alert_dismissals_audit_insert AFTER INSERT ON eligibility_alert_dismissals
    REFERENCING NEW TABLE AS audit_new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
CREATE TRIGGER eligibility_alert_dismissals_audit_update AFTER UPDATE ON eligibility_alert_dismissals
    REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
CREATE TRIGGER eligibility_alert_dismissals_audit_delete AFTER DELETE ON eligibility_alert_dismissals
    REFERENCING OLD TABLE AS audit_old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
CREATE TRIGGER eligibility_alert_dismissals_audit_truncate AFTER TRUNCATE ON eligibility_alert_dismissals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
-- One statement, so that the event trigger never sees a guard of the table left firing on ORIGIN only.
ALTER TABLE eligibility_alert_dismissals ENABLE ALWAYS TRIGGER eligibility_alert_dismissals_audit_insert,
    ENABLE ALWAYS TRIGGER eligibility_alert_dismissals_audit_update, ENABLE ALWAYS TRIGGER eligibility_alert_dismissals_audit_delete,
    ENABLE ALWAYS TRIGGER eligibility_alert_dismissals_audit_truncate;

-- The guards changed (the audit function and the dismissals' triggers): recorded, so `audit verify` knows them.
SELECT audit_record_guards();
