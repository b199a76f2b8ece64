-- Least privilege in the database itself (issue 15): what a login could do with psql that the README says
-- it cannot.
--
-- 1. SECURITY DEFINER functions. audit_record_changes() was executable by PUBLIC, so any login could attach it
--    to a temp table of its own named `patients` and write audit rows of any patient as the owner. Every
--    SECURITY DEFINER function is now revoked from PUBLIC with its search_path pinned, the trigger and event
--    trigger functions are executable by nobody but the owner (a trigger runs its function without an EXECUTE
--    check on the firing role), and the audit function refuses any table but the registry's audited ones.
-- 2. Identity values. Every group had USAGE and UPDATE on every sequence: one `setval` on
--    patients_patient_id_seq, or one insert with OVERRIDING SYSTEM VALUE ahead of it, made every later
--    enrollment collide. Sequences are now the owner's alone (an identity default draws without a sequence
--    privilege); the sync, which must know a row's id before it inserts it, draws through sarcreg_next_id();
--    an insert by any other login must leave the identity to its default, and no login may insert an id the
--    sequence has not handed out.
-- 3. Child rows of one patient. A foreign key on a therapy line's id let a coordinator attach an adverse event
--    of their own patient to another site's line, and told them whether that line existed. Links between
--    clinical rows are now composite keys that include patient_id, so a row can only name rows of its own
--    patient and a wrong patient looks the same as no row at all. Diagnoses, molecular results and lesions
--    reference nothing but their patient.

-- 1. SECURITY DEFINER functions --------------------------------------------------------------------------------

-- The 0012 body, refusing first any table that is not one of the registry's audited tables: a temp table
-- lives in pg_temp_N, never in public, so a trigger an ordinary login attaches to its own table cannot write
-- the trail even if EXECUTE is granted again by mistake.
CREATE OR REPLACE FUNCTION audit_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- TG_ARGV: none when the row has its own patient_id; else the parent table and the key column it shares.
    patient_join text := '';
    patient text := 't.patient_id';
    constants text;
    key_match text;
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

REVOKE EXECUTE ON FUNCTION audit_record_changes() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit_record_trigger_disabling() FROM PUBLIC;
-- sarcreg_current_sites() and sarcreg_add_user() were revoked from PUBLIC in 0007 and keep their grants.
ALTER FUNCTION audit_record_changes() SET search_path = public, pg_temp;
ALTER FUNCTION audit_record_trigger_disabling() SET search_path = public, pg_temp;
ALTER FUNCTION sarcreg_current_sites() SET search_path = public, pg_temp;
ALTER FUNCTION sarcreg_add_user(text, text, text, text[]) SET search_path = public, pg_temp;

-- 2. Sequences and identity values ----------------------------------------------------------------------------

REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;

-- The sync writes a new row's id into its crosswalk (sync_records, sync_subjects) and reads it back in the same
-- statement chain, so it draws ids before it inserts; this hands out the next value of one of the tables it
-- imports into and nothing else: no setval, no other sequence, no reading of a sequence's position.
CREATE FUNCTION sarcreg_next_id(table_name text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    CASE table_name
        WHEN 'patients' THEN RETURN nextval('patients_patient_id_seq');
        WHEN 'diagnoses' THEN RETURN nextval('diagnoses_diagnosis_id_seq');
        WHEN 'molecular_results' THEN RETURN nextval('molecular_results_molecular_result_id_seq');
        WHEN 'adverse_events' THEN RETURN nextval('adverse_events_adverse_event_id_seq');
        ELSE RAISE EXCEPTION 'sarcreg_next_id() hands out no ids for %', table_name
            USING ERRCODE = 'invalid_parameter_value';
    END CASE;
END
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_next_id(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sarcreg_next_id(text) TO sarcreg_sync;

-- A row inserted by a login other than the owner and the sync must carry the id its identity default just
-- drew in this session (currval), which an id chosen with OVERRIDING SYSTEM VALUE is not. SECURITY DEFINER
-- because the logins hold no privilege on the sequence; currval is per session, so it is still theirs.
CREATE FUNCTION sarcreg_refuse_chosen_identity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- TG_ARGV: the identity column and its sequence.
    chosen bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    drawn bigint;
BEGIN
    BEGIN
        drawn := currval(TG_ARGV[1]::regclass);
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        -- Nothing drawn in this session: the id was chosen.
        drawn := NULL;
    END;
    IF chosen IS DISTINCT FROM drawn THEN
        RAISE EXCEPTION 'permission denied to choose % for table %', TG_ARGV[0], TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege', HINT = 'the registry hands out ids; leave the column to its default';
    END IF;
    RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_refuse_chosen_identity() FROM PUBLIC;

-- Whoever inserts (the sync included), an id the sequence has not handed out yet would be drawn again later
-- and collide: refused, once per statement over its transition table.
CREATE FUNCTION sarcreg_refuse_unissued_identity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- TG_ARGV: the identity column and its sequence.
    lowest bigint;
    highest bigint;
BEGIN
    EXECUTE format('SELECT min(%I), max(%I) FROM identity_new_rows', TG_ARGV[0], TG_ARGV[0]) INTO lowest, highest;
    IF lowest < 1 OR highest > coalesce(pg_sequence_last_value(TG_ARGV[1]::regclass), 0) THEN
        RAISE EXCEPTION 'permission denied to insert % values the registry has not handed out for table %', TG_ARGV[0], TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege', HINT = 'draw ids with sarcreg_next_id() or leave the column to its default';
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_refuse_unissued_identity() FROM PUBLIC;

-- On every table with an identity column that a group may insert into (audit_log is written by the owner's
-- trigger function only). The owner is the role running this migration; a superuser counts as a member of
-- every role, so neither guard fires for the owner, nor for migrations and the test suite running as it.
DO $$
DECLARE
    identity record;
BEGIN
    FOR identity IN
        SELECT c.relname AS table_name, a.attname AS column_name, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence_name
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attidentity <> '' AND c.relname <> 'audit_log'
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW
            WHEN (current_user <> %L AND NOT pg_has_role(''sarcreg_sync'', ''MEMBER''))
            EXECUTE FUNCTION sarcreg_refuse_chosen_identity(%L, %L)',
            identity.table_name || '_identity_chosen', identity.table_name, current_user, identity.column_name, identity.sequence_name);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS identity_new_rows FOR EACH STATEMENT
            WHEN (current_user <> %L AND NOT pg_has_role(%L, ''MEMBER''))
            EXECUTE FUNCTION sarcreg_refuse_unissued_identity(%L, %L)',
            identity.table_name || '_identity_issued', identity.table_name, current_user, current_user,
            identity.column_name, identity.sequence_name);
    END LOOP;
END
$$;

-- 3. Child rows of one patient ---------------------------------------------------------------------------------

-- The keys the composite foreign keys point at.
ALTER TABLE therapy_lines ADD CONSTRAINT therapy_lines_patient_id_key UNIQUE (patient_id, therapy_line_id);
ALTER TABLE assessments ADD CONSTRAINT assessments_patient_id_key UNIQUE (patient_id, assessment_id);
ALTER TABLE lesions ADD CONSTRAINT lesions_patient_id_class_key UNIQUE (patient_id, lesion_id, lesion_class);
ALTER TABLE trial_screenings ADD CONSTRAINT trial_screenings_patient_id_key UNIQUE (patient_id, screening_id);

-- A result names its patient, so that both its assessment and its lesion must be that patient's. The backfill
-- is an audited UPDATE like any other change of a clinical row.
ALTER TABLE assessment_results ADD COLUMN patient_id bigint;
UPDATE assessment_results r SET patient_id = a.patient_id FROM assessments a WHERE a.assessment_id = r.assessment_id;
ALTER TABLE assessment_results ALTER COLUMN patient_id SET NOT NULL;

-- Rows that already name another patient's row are not guessed at: the migration stops and says which.
DO $$
DECLARE
    crossing text;
BEGIN
    SELECT string_agg(link, '; ') INTO crossing FROM (
        SELECT format('%s adverse events name another patient''s therapy line', count(*)) AS link
        FROM adverse_events e JOIN therapy_lines t USING (therapy_line_id) WHERE t.patient_id <> e.patient_id HAVING count(*) > 0
        UNION ALL
        SELECT format('%s assessments name another patient''s therapy line', count(*))
        FROM assessments a JOIN therapy_lines t USING (therapy_line_id) WHERE t.patient_id <> a.patient_id HAVING count(*) > 0
        UNION ALL
        SELECT format('%s assessment results name another patient''s lesion', count(*))
        FROM assessment_results r JOIN lesions l USING (lesion_id) WHERE l.patient_id <> r.patient_id HAVING count(*) > 0
        UNION ALL
        SELECT format('%s trial enrollments name another patient''s screening', count(*))
        FROM trial_enrollments e JOIN trial_screenings s USING (screening_id) WHERE s.patient_id <> e.patient_id HAVING count(*) > 0
    ) links;
    IF crossing IS NOT NULL THEN
        RAISE EXCEPTION 'clinical rows link across patients: %', crossing
            USING HINT = 'correct or remove those links (the audit trail shows who made them), then migrate again';
    END IF;
END
$$;

-- The same names as the single-column keys they replace: the services map constraint names to messages.
ALTER TABLE adverse_events DROP CONSTRAINT adverse_events_line_fk;
ALTER TABLE adverse_events ADD CONSTRAINT adverse_events_line_fk
    FOREIGN KEY (patient_id, therapy_line_id) REFERENCES therapy_lines (patient_id, therapy_line_id);
ALTER TABLE assessments DROP CONSTRAINT assessments_line_fk;
ALTER TABLE assessments ADD CONSTRAINT assessments_line_fk
    FOREIGN KEY (patient_id, therapy_line_id) REFERENCES therapy_lines (patient_id, therapy_line_id);
ALTER TABLE assessment_results DROP CONSTRAINT assessment_results_assessment_fk;
ALTER TABLE assessment_results ADD CONSTRAINT assessment_results_assessment_fk
    FOREIGN KEY (patient_id, assessment_id) REFERENCES assessments (patient_id, assessment_id);
ALTER TABLE assessment_results DROP CONSTRAINT assessment_results_lesion_fk;
ALTER TABLE assessment_results ADD CONSTRAINT assessment_results_lesion_fk
    FOREIGN KEY (patient_id, lesion_id, lesion_class) REFERENCES lesions (patient_id, lesion_id, lesion_class);
ALTER TABLE trial_enrollments DROP CONSTRAINT trial_enrollments_screening_fk;
ALTER TABLE trial_enrollments ADD CONSTRAINT trial_enrollments_screening_fk
    FOREIGN KEY (patient_id, screening_id) REFERENCES trial_screenings (patient_id, screening_id);

-- With its own patient_id a result's audit rows need no join to its assessment (0012).
DROP TRIGGER assessment_results_audit_insert ON assessment_results;
DROP TRIGGER assessment_results_audit_update ON assessment_results;
DROP TRIGGER assessment_results_audit_delete ON assessment_results;
DROP TRIGGER assessment_results_audit_truncate ON assessment_results;
CREATE TRIGGER assessment_results_audit_insert AFTER INSERT ON assessment_results REFERENCING NEW TABLE AS audit_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
CREATE TRIGGER assessment_results_audit_update AFTER UPDATE ON assessment_results
    REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
CREATE TRIGGER assessment_results_audit_delete AFTER DELETE ON assessment_results REFERENCING OLD TABLE AS audit_old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
CREATE TRIGGER assessment_results_audit_truncate AFTER TRUNCATE ON assessment_results
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes();
