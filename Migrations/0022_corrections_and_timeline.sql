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

-- 4. The 0021 body (concealed columns, trials audited, each statement's transaction kept), with the change
-- reason stored; the per-run import branch is 0016's, unchanged.
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
        'trials', 'trial_cohorts', 'trial_allocation_slots'])
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

-- 5. The chain covers the reason: an entry's hash takes it after 0020's columns when it has one, so every entry
-- written before this migration (no reason) keeps its hash, and a reason edited afterwards breaks the chain.
-- `sarcreg audit verify` recomputes the same expression.
CREATE OR REPLACE FUNCTION audit_chain_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    state text := current_setting('sarcreg.audit_chain');
    split integer := strpos(state, ':');
BEGIN
    NEW.chain_position := left(state, split - 1)::bigint + 1;
    NEW.previous_hash := decode(substr(state, split + 1), 'hex');
    NEW.entry_hash := sha256(NEW.previous_hash || convert_to((jsonb_build_array(
        NEW.chain_position, NEW.audit_id, extract(epoch FROM NEW.logged_at), NEW.transaction_id, NEW.database_user,
        NEW.app_user, NEW.table_name, NEW.operation, NEW.patient_id, NEW.old_row, NEW.new_row, NEW.sync_run,
        NEW.row_count) || CASE WHEN NEW.change_reason IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(NEW.change_reason) END)::text,
        'UTF8'));
    PERFORM set_config('sarcreg.audit_chain', NEW.chain_position || ':' || encode(NEW.entry_hash, 'hex'), true);
    RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_chain_link() FROM PUBLIC;

-- The guards changed (the audit and chain functions): recorded, so `audit verify` knows the new ones.
SELECT audit_record_guards();
