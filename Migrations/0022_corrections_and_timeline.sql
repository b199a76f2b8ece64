-- Corrections with a reason, void marks, and the timeline markers (issue 16).
--
-- A correction (`assess amend`, `ae update`, `therapy amend`, ...) sets the transaction-local setting
-- sarcreg.change_reason before it writes; the audit trigger stores it beside the old and new row, so the
-- audit log says why a value changed. A transaction-local setting ends with its transaction, so a reason
-- never leaks into a later write on the same connection.

-- 1. The reason a coordinator gave for a change; NULL for a first entry and for imports.
ALTER TABLE audit_log ADD COLUMN change_reason text;

-- 2. A voided assessment or molecular result stays in its table, marked with the reason it was voided;
-- reads and reports skip it. The reason is never blank, so "void" cannot be said without one.
ALTER TABLE assessments ADD COLUMN void_reason text;
ALTER TABLE assessments ADD CONSTRAINT assessments_void_reason_not_blank CHECK (btrim(void_reason) <> '');
ALTER TABLE assessments ADD CONSTRAINT assessments_baseline_not_void CHECK (NOT (is_baseline AND void_reason IS NOT NULL));
ALTER TABLE molecular_results ADD COLUMN void_reason text;
ALTER TABLE molecular_results ADD CONSTRAINT molecular_results_void_reason_not_blank CHECK (btrim(void_reason) <> '');

-- 3. The timeline's exceptions a coordinator states: a line given at the same time as another (a concurrent
-- radiotherapy-sensitizing line, a maintenance overlapping its induction), and an adverse event present
-- before the first line started (a baseline symptom graded for later comparison).
ALTER TABLE therapy_lines ADD COLUMN concurrent boolean NOT NULL DEFAULT false;
ALTER TABLE adverse_events ADD COLUMN baseline boolean NOT NULL DEFAULT false;

-- 4. The 0016 body, with the change reason stored; the per-run import branch is 0016's, unchanged.
CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- TG_ARGV: none when the row has its own patient_id; else the parent table and the key column it shares.
    patient_join text := '';
    patient text := 't.patient_id';
    constants text;
    key_match text;
    import_run bigint;
    inserted bigint;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR NOT TG_TABLE_NAME = ANY (ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments', 'sync_subjects'])
    THEN
        RAISE EXCEPTION 'audit_record_changes() records the registry''s audited tables only, not %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO audit_log (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);
        RETURN NULL;
    END IF;
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
    IF TG_NARGS = 2 THEN
        patient_join := format('LEFT JOIN %I p ON p.%I = t.%I', TG_ARGV[0], TG_ARGV[1], TG_ARGV[1]);
        patient := 'p.patient_id';
    END IF;
    constants := format('%L::timestamptz, %s, %L, %L, %L', clock_timestamp(), txid_current(), session_user,
        nullif(current_setting('sarcreg.app_user', true), ''), nullif(current_setting('sarcreg.change_reason', true), ''));
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, change_reason, table_name, operation, patient_id, new_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - ''mrn_hmac'' FROM audit_new_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, patient_join);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, change_reason, table_name, operation, patient_id, old_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - ''mrn_hmac'' FROM audit_old_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, patient_join);
    ELSE
        SELECT string_agg(format('o.old_image -> %L = n.new_image -> %L', a.attname, a.attname), ' AND ')
        INTO key_match
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = TG_RELID AND i.indisprimary;
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, change_reason, table_name, operation, patient_id, old_row, new_row)
             SELECT %s, %L, %L, coalesce(n.patient_id, o.patient_id), o.old_image - ''mrn_hmac'', n.new_image - ''mrn_hmac''
             FROM (SELECT to_jsonb(t) AS old_image, %s AS patient_id FROM audit_old_rows t %s) o
             FULL JOIN (SELECT to_jsonb(t) AS new_image, %s AS patient_id FROM audit_new_rows t %s) n ON %s',
            constants, TG_TABLE_NAME, TG_OP, patient, patient_join, patient, patient_join, key_match);
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_record_changes() FROM PUBLIC;
