-- Data management as trial teams run it (issue 17): a monitor role, queries on data with their threads,
-- patient locks, investigator signatures of a line's responses, and source data verification.
--
-- The rules a state change obeys are enforced here, so that the CLI, a correction, an import and psql all meet
-- them: a locked patient's clinical rows refuse every write; a change to a signed patient's assessments voids
-- the signature (kept, never deleted); a change to a verified record clears its verification. Every new table
-- is audited like a clinical row.

-- 1. The monitor ---------------------------------------------------------------------------------------------

-- sarcreg_monitor reads the patients of the sites it is assigned (site_memberships, as a coordinator's), opens
-- and closes queries, marks source data verified and locks patients; it writes no clinical data.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sarcreg_monitor') THEN
        BEGIN
            CREATE ROLE sarcreg_monitor NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO sarcreg_monitor;
GRANT EXECUTE ON FUNCTION sarcreg_current_sites() TO sarcreg_monitor;

-- Reference tables and sites: the monitor reads the columns a coordinator reads (so not a trial's seed, an
-- unrevealed slot's arm or a site's next patient number).
DO $$
DECLARE
    reference record;
BEGIN
    FOR reference IN
        SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS columns
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND (NOT c.relrowsecurity OR c.relname = 'sites')
          AND has_column_privilege('sarcreg_coordinator', c.oid, a.attnum, 'SELECT')
        GROUP BY c.relname
    LOOP
        EXECUTE format('GRANT SELECT (%s) ON %I TO sarcreg_monitor', reference.columns, reference.relname);
    END LOOP;
END
$$;
CREATE POLICY sites_monitor_read ON sites FOR SELECT TO sarcreg_monitor USING (true);

-- Clinical tables: read-only, the patients of the monitor's sites, as 0007 has it for coordinators. Patients
-- without the MRN hash, as investigators read them.
DO $$
DECLARE
    clinical_table text;
    rule text;
BEGIN
    FOREACH clinical_table IN ARRAY ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments', 'eligibility_alerts',
        'eligibility_alert_dismissals'] LOOP
        rule := CASE clinical_table
            WHEN 'patients' THEN 'site_code = ANY ((SELECT sarcreg_current_sites())::text[])'
            WHEN 'therapy_line_agents' THEN
                'EXISTS (SELECT 1 FROM therapy_lines p WHERE p.therapy_line_id = therapy_line_agents.therapy_line_id)'
            WHEN 'trial_screening_criteria' THEN
                'EXISTS (SELECT 1 FROM trial_screenings p WHERE p.screening_id = trial_screening_criteria.screening_id)'
            ELSE format('EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = %I.patient_id)', clinical_table) END;
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO sarcreg_monitor USING (%s)',
            clinical_table || '_monitor_read', clinical_table, rule);
        IF clinical_table <> 'patients' THEN
            EXECUTE format('GRANT SELECT ON %I TO sarcreg_monitor', clinical_table);
        END IF;
    END LOOP;
    EXECUTE (
        SELECT format('GRANT SELECT (%s) ON patients TO sarcreg_monitor', string_agg(quote_ident(attname), ', ' ORDER BY attnum))
        FROM pg_attribute
        WHERE attrelid = 'patients'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'mrn_hmac');
END
$$;

GRANT SELECT ON audit_log TO sarcreg_monitor;
CREATE POLICY audit_log_monitor_read ON audit_log FOR SELECT TO sarcreg_monitor
    USING (EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = audit_log.patient_id));

-- `sarcreg user add --role monitor`: the 0007 function with the monitor, who like a coordinator needs a site.
CREATE OR REPLACE FUNCTION sarcreg_add_user(user_name text, group_name text, password_verifier text, site_codes text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF user_name !~ '^[a-z][a-z0-9_]{0,62}$' OR user_name LIKE 'pg\_%' OR user_name LIKE 'sarcreg\_%' THEN
        RAISE EXCEPTION 'user name % is not allowed', user_name
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_name_format';
    END IF;
    IF group_name NOT IN ('coordinator', 'investigator', 'sync', 'admin', 'monitor') THEN
        RAISE EXCEPTION 'role % is not one of coordinator, investigator, sync, admin, monitor', group_name
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_role_known';
    END IF;
    IF password_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'a password must arrive as a SCRAM-SHA-256 verifier'
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_verifier_format';
    END IF;
    IF group_name IN ('coordinator', 'monitor') AND coalesce(cardinality(site_codes), 0) = 0 THEN
        RAISE EXCEPTION 'a % needs at least one site', group_name
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_coordinator_site';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', user_name, password_verifier, 'sarcreg_' || group_name);
    INSERT INTO site_memberships (role_name, site_code) SELECT user_name, unnest(site_codes);
END
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_add_user(text, text, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sarcreg_add_user(text, text, text, text[]) TO sarcreg_admin;

-- 2. Patient locks --------------------------------------------------------------------------------------------

-- A locked patient's clinical rows are frozen. Monitors and administrators lock; only administrators unlock
-- (delete the row), with the reason in the audit entry (sarcreg.change_reason).
CREATE TABLE patient_locks (
    patient_id bigint NOT NULL,
    locked_at timestamptz NOT NULL DEFAULT now(),
    locked_by text NOT NULL DEFAULT session_user,
    locked_by_name text DEFAULT nullif(current_setting('sarcreg.app_user', true), ''),
    CONSTRAINT patient_locks_pkey PRIMARY KEY (patient_id),
    CONSTRAINT patient_locks_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id)
);

-- Refuses a statement that wrote a locked patient's rows (transition tables lock_new_rows, lock_old_rows).
-- TG_ARGV: none when the row has its own patient_id; else the parent table and the key column it shares.
-- SECURITY DEFINER: the lock must be seen whatever the writer may read. The rule's words are
-- ConstraintRefusal.raisedRules['patient_records_locked'].
CREATE FUNCTION patient_records_lock_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    patient text := 't.patient_id';
    patient_join text := '';
    rows_of text;
    locked text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM patient_locks) THEN
        RETURN NULL;
    END IF;
    IF TG_NARGS = 2 THEN
        patient_join := format('JOIN %I p ON p.%I = t.%I', TG_ARGV[0], TG_ARGV[1], TG_ARGV[1]);
        patient := 'p.patient_id';
    END IF;
    rows_of := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s AS patient_id FROM lock_new_rows t %s', patient, patient_join)
        WHEN 'DELETE' THEN format('SELECT %s AS patient_id FROM lock_old_rows t %s', patient, patient_join)
        ELSE format('SELECT %s AS patient_id FROM lock_new_rows t %s UNION ALL SELECT %s FROM lock_old_rows t %s',
            patient, patient_join, patient, patient_join) END;
    EXECUTE format('SELECT min(x.registry_id) FROM patients x JOIN patient_locks l USING (patient_id) WHERE x.patient_id IN (%s)', rows_of)
        INTO locked;
    IF locked IS NOT NULL THEN
        RAISE EXCEPTION 'patient % is locked: % refused on %', locked, TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'patient_records_locked', TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION patient_records_lock_guard() FROM PUBLIC;

DO $$
DECLARE
    parent jsonb := jsonb_build_object(
        'therapy_line_agents', ARRAY['therapy_lines', 'therapy_line_id'],
        'trial_screening_criteria', ARRAY['trial_screenings', 'screening_id']);
    locked_table text;
    arguments text;
BEGIN
    FOREACH locked_table IN ARRAY ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments'] LOOP
        arguments := coalesce((SELECT string_agg(quote_literal(a), ', ') FROM jsonb_array_elements_text(parent -> locked_table) a), '');
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS lock_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION patient_records_lock_guard(%s)', locked_table || '_lock_insert', locked_table, arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS lock_old_rows NEW TABLE AS lock_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION patient_records_lock_guard(%s)', locked_table || '_lock_update', locked_table, arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS lock_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION patient_records_lock_guard(%s)', locked_table || '_lock_delete', locked_table, arguments);
    END LOOP;
END
$$;

-- 3. Queries on data ------------------------------------------------------------------------------------------

-- A query names a patient's record (RegistryDomain DataRecord: its kind and reference, e.g. assessment
-- 'investigator/2024-05-02'), optionally a field, and carries a thread (data_query_messages). Its status moves
-- only along RegistryDomain QueryStatus.transitions (data_query_transition_allowed, kept equal by a test). A
-- query the nightly reconciliation opened for a response discrepancy has the discrepancy's key, one query per key.
CREATE TABLE data_queries (
    query_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    record_kind text NOT NULL,
    record_reference text NOT NULL,
    field text,
    status text NOT NULL DEFAULT 'open',
    discrepancy_key text,
    opened_at timestamptz NOT NULL DEFAULT now(),
    opened_by text NOT NULL DEFAULT session_user,
    opened_by_name text DEFAULT nullif(current_setting('sarcreg.app_user', true), ''),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT data_queries_pkey PRIMARY KEY (query_id),
    CONSTRAINT data_queries_patient_id_key UNIQUE (patient_id, query_id),
    CONSTRAINT data_queries_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT data_queries_record_kind_known CHECK (record_kind IN (
        'assessment', 'lesion_result', 'adverse_event', 'therapy_line', 'diagnosis', 'molecular_result')),
    CONSTRAINT data_queries_record_reference_not_blank CHECK (btrim(record_reference) <> ''),
    CONSTRAINT data_queries_field_not_blank CHECK (btrim(field) <> ''),
    CONSTRAINT data_queries_status_known CHECK (status IN ('open', 'answered', 'closed', 'reopened')),
    CONSTRAINT data_queries_discrepancy_key UNIQUE (discrepancy_key)
);
CREATE INDEX data_queries_status_idx ON data_queries (status, opened_at);

CREATE TABLE data_query_messages (
    query_id bigint NOT NULL,
    message_number integer NOT NULL,
    patient_id bigint NOT NULL,
    action text NOT NULL,
    body text NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    written_by text NOT NULL DEFAULT session_user,
    written_by_name text DEFAULT nullif(current_setting('sarcreg.app_user', true), ''),
    CONSTRAINT data_query_messages_pkey PRIMARY KEY (query_id, message_number),
    CONSTRAINT data_query_messages_query_fk FOREIGN KEY (patient_id, query_id) REFERENCES data_queries (patient_id, query_id),
    CONSTRAINT data_query_messages_action_known CHECK (action IN ('open', 'answer', 'close', 'reopen')),
    CONSTRAINT data_query_messages_body_not_blank CHECK (btrim(body) <> ''),
    CONSTRAINT data_query_messages_number_positive CHECK (message_number >= 1)
);

-- The state changes RegistryDomain QueryStatus.transitions allows.
CREATE FUNCTION data_query_transition_allowed(from_status text, to_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
RETURN (from_status, to_status) IN (
    ('open', 'answered'), ('open', 'closed'), ('answered', 'closed'), ('answered', 'reopened'),
    ('closed', 'reopened'), ('reopened', 'answered'), ('reopened', 'closed'));

-- A status change must be allowed, and closing or reopening is the opener's, a monitor's, an administrator's
-- or (for the queries it opens) the sync's. The words are ConstraintRefusal.raisedRules.
CREATE FUNCTION data_query_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF NOT data_query_transition_allowed(OLD.status, NEW.status) THEN
        RAISE EXCEPTION 'a query % cannot become %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'data_queries_transition_allowed', TABLE = 'data_queries';
    END IF;
    IF NEW.status IN ('closed', 'reopened') AND session_user <> OLD.opened_by
        AND NOT pg_has_role(session_user, 'sarcreg_monitor', 'MEMBER') AND NOT pg_has_role(session_user, 'sarcreg_admin', 'MEMBER')
        AND NOT (OLD.discrepancy_key IS NOT NULL AND pg_has_role(session_user, 'sarcreg_sync', 'MEMBER'))
    THEN
        RAISE EXCEPTION 'query % was opened by %', OLD.query_id, OLD.opened_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'data_queries_closed_by_opener_or_monitor', TABLE = 'data_queries';
    END IF;
    NEW.status_changed_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER data_queries_status_guarded BEFORE UPDATE ON data_queries FOR EACH ROW EXECUTE FUNCTION data_query_status_guard();

-- 4. Investigator signatures ----------------------------------------------------------------------------------

-- A signature of one line's responses by one evaluator's series: who (the login that re-authenticated with its
-- password, and the person's name), when, what it means, and the SHA-256 of exactly what was signed (the series
-- and the computed responses, as RegistryServices ResponseSignature computes it). A later change voids it.
CREATE TABLE response_signatures (
    signature_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    line_number integer NOT NULL,
    evaluator text NOT NULL,
    meaning text NOT NULL,
    content_sha256 text NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT now(),
    signed_by text NOT NULL DEFAULT session_user,
    signer_name text NOT NULL,
    voided_at timestamptz,
    void_reason text,
    CONSTRAINT response_signatures_pkey PRIMARY KEY (signature_id),
    CONSTRAINT response_signatures_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT response_signatures_meaning_not_blank CHECK (btrim(meaning) <> ''),
    CONSTRAINT response_signatures_signer_not_blank CHECK (btrim(signer_name) <> ''),
    CONSTRAINT response_signatures_sha256_format CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT response_signatures_void_with_reason CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);

-- A change to a patient's lesions, assessments, results or accepted reads voids the patient's signatures: a
-- baseline or a lesion belongs to every line's series, so no line is spared. SECURITY DEFINER: the writer (a
-- coordinator correcting a result) may not update signatures itself.
CREATE FUNCTION response_signatures_void() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed text := CASE TG_OP WHEN 'DELETE' THEN 'SELECT patient_id FROM signature_old_rows'
        WHEN 'INSERT' THEN 'SELECT patient_id FROM signature_new_rows'
        ELSE 'SELECT patient_id FROM signature_new_rows UNION SELECT patient_id FROM signature_old_rows' END;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM response_signatures WHERE voided_at IS NULL) THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'UPDATE response_signatures SET voided_at = clock_timestamp(),
             void_reason = %L || to_char(clock_timestamp() AT TIME ZONE ''UTC'', ''YYYY-MM-DD'') || %L
         WHERE voided_at IS NULL AND patient_id IN (%s)',
        'changed after signing on ', format(' (%s %s)', lower(TG_OP), TG_TABLE_NAME), changed);
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION response_signatures_void() FROM PUBLIC;

DO $$
DECLARE
    signed_table text;
BEGIN
    FOREACH signed_table IN ARRAY ARRAY['lesions', 'assessments', 'assessment_results', 'evaluator_reads'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS signature_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION response_signatures_void()', signed_table || '_signature_insert', signed_table);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS signature_old_rows NEW TABLE AS signature_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION response_signatures_void()', signed_table || '_signature_update', signed_table);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS signature_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION response_signatures_void()', signed_table || '_signature_delete', signed_table);
    END LOOP;
END
$$;

-- 5. Source data verification ---------------------------------------------------------------------------------

-- A record a monitor verified against the source (a visit is its assessment). A change to the record deletes
-- the mark, audited with the reason 'verification cleared: the record changed'.
CREATE TABLE sdv_marks (
    patient_id bigint NOT NULL,
    record_kind text NOT NULL,
    record_reference text NOT NULL,
    verified_at timestamptz NOT NULL DEFAULT now(),
    verified_by text NOT NULL DEFAULT session_user,
    verified_by_name text DEFAULT nullif(current_setting('sarcreg.app_user', true), ''),
    CONSTRAINT sdv_marks_pkey PRIMARY KEY (patient_id, record_kind, record_reference),
    CONSTRAINT sdv_marks_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT sdv_marks_record_kind_known CHECK (record_kind IN (
        'assessment', 'lesion_result', 'adverse_event', 'therapy_line', 'diagnosis', 'molecular_result'))
);

-- The records (kind, reference) of one statement's changed rows, as RegistryDomain DataRecord references them.
-- Transition tables sdv_old_rows and sdv_new_rows; a result's change clears its visit and the result itself.
CREATE FUNCTION sdv_marks_clear() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed text := CASE TG_OP WHEN 'DELETE' THEN 'SELECT * FROM sdv_old_rows'
        WHEN 'INSERT' THEN 'SELECT * FROM sdv_new_rows'
        ELSE 'SELECT * FROM sdv_old_rows UNION ALL SELECT * FROM sdv_new_rows' END;
    records text := CASE TG_TABLE_NAME
        WHEN 'assessments' THEN 'SELECT t.patient_id, ''assessment'' AS kind, t.evaluator || ''/'' || t.assessed_on AS reference FROM (%s) t'
        WHEN 'assessment_results' THEN
            'SELECT t.patient_id, k.kind, a.evaluator || ''/'' || a.assessed_on || CASE k.kind WHEN ''lesion_result'' THEN ''/'' || l.label ELSE '''' END
             FROM (%s) t JOIN assessments a ON a.assessment_id = t.assessment_id JOIN lesions l ON l.lesion_id = t.lesion_id
             CROSS JOIN (VALUES (''assessment''), (''lesion_result'')) k (kind)'
        WHEN 'adverse_events' THEN 'SELECT t.patient_id, ''adverse_event'', t.adverse_event_id::text FROM (%s) t'
        WHEN 'therapy_lines' THEN 'SELECT t.patient_id, ''therapy_line'', t.line_number::text FROM (%s) t'
        WHEN 'diagnoses' THEN 'SELECT t.patient_id, ''diagnosis'', t.diagnosis_id::text FROM (%s) t'
        ELSE 'SELECT t.patient_id, ''molecular_result'', t.molecular_result_id::text FROM (%s) t' END;
    reason text := current_setting('sarcreg.change_reason', true);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sdv_marks) THEN
        RETURN NULL;
    END IF;
    -- The clearing's own audit entry says why; the writer's reason is restored for the rest of its transaction.
    PERFORM set_config('sarcreg.change_reason', 'verification cleared: the record changed', true);
    EXECUTE format('DELETE FROM sdv_marks m USING (%s) r (patient_id, kind, reference)
        WHERE m.patient_id = r.patient_id AND m.record_kind = r.kind AND m.record_reference = r.reference',
        format(records, changed));
    PERFORM set_config('sarcreg.change_reason', coalesce(reason, ''), true);
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION sdv_marks_clear() FROM PUBLIC;

DO $$
DECLARE
    verified_table text;
BEGIN
    FOREACH verified_table IN ARRAY ARRAY['assessments', 'assessment_results', 'adverse_events', 'therapy_lines', 'diagnoses',
        'molecular_results'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS sdv_old_rows NEW TABLE AS sdv_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION sdv_marks_clear()', verified_table || '_sdv_update', verified_table);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS sdv_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION sdv_marks_clear()', verified_table || '_sdv_delete', verified_table);
    END LOOP;
END
$$;
-- A result added to a verified visit changes the visit.
CREATE TRIGGER assessment_results_sdv_insert AFTER INSERT ON assessment_results REFERENCING NEW TABLE AS sdv_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sdv_marks_clear();

-- 6. Privileges and row-level security of the new tables ------------------------------------------------------

GRANT SELECT ON patient_locks, data_queries, data_query_messages, response_signatures, sdv_marks
    TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin, sarcreg_monitor;
GRANT INSERT ON patient_locks TO sarcreg_monitor, sarcreg_admin;
GRANT DELETE ON patient_locks TO sarcreg_admin;
GRANT INSERT ON data_queries, data_query_messages TO sarcreg_coordinator, sarcreg_sync, sarcreg_admin, sarcreg_monitor;
GRANT UPDATE (status) ON data_queries TO sarcreg_coordinator, sarcreg_sync, sarcreg_admin, sarcreg_monitor;
GRANT INSERT ON response_signatures TO sarcreg_investigator, sarcreg_admin;
GRANT INSERT ON sdv_marks TO sarcreg_monitor, sarcreg_admin;

DO $$
DECLARE
    managed text;
    own text;
BEGIN
    FOREACH managed IN ARRAY ARRAY['patient_locks', 'data_queries', 'data_query_messages', 'response_signatures', 'sdv_marks'] LOOP
        own := format('EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = %I.patient_id)', managed);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', managed);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO sarcreg_coordinator, sarcreg_monitor USING (%s) WITH CHECK (%s)',
            managed || '_own_sites', managed, own, own);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO sarcreg_investigator, sarcreg_sync, sarcreg_admin USING (true) WITH CHECK (true)',
            managed || '_readers_and_writers', managed);
    END LOOP;
END
$$;

-- Ids are the registry's to hand out (0014).
DO $$
DECLARE
    identity record;
BEGIN
    FOR identity IN SELECT * FROM (VALUES ('data_queries', 'query_id'), ('response_signatures', 'signature_id')) v (table_name, column_name) LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW
            WHEN (current_user <> %L AND NOT pg_has_role(''sarcreg_sync'', ''MEMBER''))
            EXECUTE FUNCTION sarcreg_refuse_chosen_identity(%L, %L)',
            identity.table_name || '_identity_chosen', identity.table_name, current_user, identity.column_name,
            pg_get_serial_sequence(identity.table_name, identity.column_name));
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS identity_new_rows FOR EACH STATEMENT
            WHEN (current_user <> %L AND NOT pg_has_role(%L, ''MEMBER''))
            EXECUTE FUNCTION sarcreg_refuse_unissued_identity(%L, %L)',
            identity.table_name || '_identity_issued', identity.table_name, current_user, current_user,
            identity.column_name, pg_get_serial_sequence(identity.table_name, identity.column_name));
    END LOOP;
END
$$;

-- 7. The audit trail ------------------------------------------------------------------------------------------

-- The 0016 function cast the setting inside the index condition, which the executor evaluates before the
-- regular-expression test: on a connection that had run an import, the setting is '' afterwards and the next
-- audited write (a query the nightly reconciliation opens) failed with "invalid input syntax for type bigint".
CREATE OR REPLACE FUNCTION sarcreg_current_import_run() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.run_id FROM sync_runs r
    WHERE r.run_id = CASE WHEN current_setting('sarcreg.sync_run', true) ~ '^[0-9]{1,18}$'
            THEN current_setting('sarcreg.sync_run', true)::bigint END
        AND r.transaction_id = txid_current()
        AND pg_has_role(session_user, 'sarcreg_sync', 'USAGE')
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_current_import_run() FROM PUBLIC;

-- The 0027 body, auditing the five new tables too (each names its own patient); the guards are chained below.
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
        'trials', 'trial_cohorts', 'trial_allocation_slots', 'eligibility_alert_dismissals',
        'patient_locks', 'data_queries', 'data_query_messages', 'response_signatures', 'sdv_marks'])
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

DO $$
DECLARE
    audited text;
BEGIN
    FOREACH audited IN ARRAY ARRAY['patient_locks', 'data_queries', 'data_query_messages', 'response_signatures', 'sdv_marks'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes()', audited || '_audit_insert', audited);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes()', audited || '_audit_update', audited);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS audit_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes()', audited || '_audit_delete', audited);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes()', audited || '_audit_truncate', audited);
        -- One statement, so that the event trigger never sees a guard of the table left firing on ORIGIN only.
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I',
            audited, audited || '_audit_insert', audited || '_audit_update', audited || '_audit_delete', audited || '_audit_truncate');
    END LOOP;
END
$$;

-- The guards changed (the audit function, the import run's function and the new tables' triggers): recorded, so `audit verify` knows them.
SELECT audit_record_guards();
