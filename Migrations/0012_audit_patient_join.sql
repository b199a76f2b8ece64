-- The audit trail finds a row's patient with one join per statement instead of a subquery per row.
--
-- 0007 evaluated a patient expression for every audited row; for the tables without a patient_id column
-- (assessment_results, therapy_line_agents, trial_screening_criteria) that was an index search per row,
-- 3.3 s of a 1,000,000-result import. The trigger now names the parent table and key column instead,
-- and the rows of a statement are joined to it once. The values that are the same for every row of a
-- statement (time, transaction, database and application user) are computed once and not per row.
CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- TG_ARGV: none when the row has its own patient_id; else the parent table and the key column it shares.
    patient_join text := '';
    patient text := 't.patient_id';
    constants text;
    key_match text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO audit_log (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);
        RETURN NULL;
    END IF;
    IF TG_NARGS = 2 THEN
        patient_join := format('LEFT JOIN %I p ON p.%I = t.%I', TG_ARGV[0], TG_ARGV[1], TG_ARGV[1]);
        patient := 'p.patient_id';
    END IF;
    constants := format('%L::timestamptz, %s, %L, %L', clock_timestamp(), txid_current(), session_user,
        nullif(current_setting('sarcreg.app_user', true), ''));
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, table_name, operation, patient_id, new_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - ''mrn_hmac'' FROM audit_new_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, patient_join);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, table_name, operation, patient_id, old_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - ''mrn_hmac'' FROM audit_old_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, patient_join);
    ELSE
        SELECT string_agg(format('o.old_image -> %L = n.new_image -> %L', a.attname, a.attname), ' AND ')
        INTO key_match
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = TG_RELID AND i.indisprimary;
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, table_name, operation, patient_id, old_row, new_row)
             SELECT %s, %L, %L, coalesce(n.patient_id, o.patient_id), o.old_image - ''mrn_hmac'', n.new_image - ''mrn_hmac''
             FROM (SELECT to_jsonb(t) AS old_image, %s AS patient_id FROM audit_old_rows t %s) o
             FULL JOIN (SELECT to_jsonb(t) AS new_image, %s AS patient_id FROM audit_new_rows t %s) n ON %s',
            constants, TG_TABLE_NAME, TG_OP, patient, patient_join, patient, patient_join, key_match);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    parent_of jsonb := jsonb_build_object(
        'therapy_line_agents', ARRAY['therapy_lines', 'therapy_line_id'],
        'assessment_results', ARRAY['assessments', 'assessment_id'],
        'trial_screening_criteria', ARRAY['trial_screenings', 'screening_id']);
    audited text;
    arguments text;
BEGIN
    FOREACH audited IN ARRAY ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments', 'sync_subjects'] LOOP
        arguments := CASE WHEN parent_of ? audited THEN format('%L, %L', parent_of -> audited ->> 0, parent_of -> audited ->> 1) ELSE '' END;
        EXECUTE format('DROP TRIGGER %I ON %I', audited || '_audit_insert', audited);
        EXECUTE format('DROP TRIGGER %I ON %I', audited || '_audit_update', audited);
        EXECUTE format('DROP TRIGGER %I ON %I', audited || '_audit_delete', audited);
        EXECUTE format('DROP TRIGGER %I ON %I', audited || '_audit_truncate', audited);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_insert', audited, arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_update', audited, arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS audit_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_delete', audited, arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_truncate', audited, arguments);
    END LOOP;
END
$$;
