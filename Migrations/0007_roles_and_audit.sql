-- Roles and site-scoped access, and the append-only audit trail.
--
-- Four NOLOGIN group roles carry the privileges; people log in as LOGIN roles that are members of one group
-- (`sarcreg user add`). Roles are cluster-wide while this file runs once per database, so they are created
-- only when missing, and a concurrent creation by another database's migration is tolerated.
--   sarcreg_coordinator  reads and writes the patients of their own sites (site_memberships) and nothing else
--   sarcreg_investigator reads all pseudonymized data, never the MRN hashes
--   sarcreg_sync         the nightly import: writes clinical and sync tables through its own grants
--   sarcreg_admin        sites, catalog, trials, users; reads everything
-- Row-level security binds every role except the table owner (the migrating superuser), which keeps its
-- unrestricted access for migrations and the test suite.
-- Every constraint is named: the services map SQLSTATE + constraint name to the error a coordinator reads.

DO $$
DECLARE
    group_role text;
BEGIN
    FOREACH group_role IN ARRAY ARRAY['sarcreg_coordinator', 'sarcreg_investigator', 'sarcreg_sync', 'sarcreg_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = group_role) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', group_role);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;

-- Which sites a login role works for. Role names are not rows of this database, so there is no foreign key
-- to them; a membership of a dropped role grants nothing because nobody can log in as it.
CREATE TABLE site_memberships (
    role_name text NOT NULL,
    site_code text NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT site_memberships_pkey PRIMARY KEY (role_name, site_code),
    CONSTRAINT site_memberships_site_fk FOREIGN KEY (site_code) REFERENCES sites (site_code),
    CONSTRAINT site_memberships_role_name_format CHECK (role_name ~ '^[a-z][a-z0-9_]{0,62}$')
);

-- The sites of the logged-in role. SECURITY DEFINER so coordinators need no access to site_memberships;
-- session_user (not current_user, which is the owner inside this function) is the role that logged in,
-- so SET ROLE cannot widen a coordinator's sites. Policies call it as `(SELECT sarcreg_current_sites())::text[]`,
-- an init plan evaluated once per statement rather than once per row.
CREATE FUNCTION sarcreg_current_sites() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(site_code ORDER BY site_code), '{}') FROM site_memberships WHERE role_name = session_user
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_current_sites() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sarcreg_current_sites() TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;

-- Schema and reference data: every group may read; only administrators change reference tables.
GRANT USAGE ON SCHEMA public TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
GRANT SELECT ON histology_codes, histology_entity_groups, histology_entity_group_members, genes, therapy_agents,
    therapy_indications, therapy_indication_histologies, therapy_indication_biomarkers, therapy_indication_status,
    trials, trial_arms, trial_cohorts, trial_strata_factors, trial_response_policies, trial_allocation_slots,
    sites, sync_site_map
    TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
GRANT INSERT, UPDATE, DELETE ON histology_codes, histology_entity_groups, histology_entity_group_members, genes,
    therapy_agents, therapy_indications, therapy_indication_histologies, therapy_indication_biomarkers,
    therapy_indication_status, trials, trial_arms, trial_cohorts, trial_strata_factors, trial_response_policies,
    trial_allocation_slots, sites, sync_site_map, site_memberships
    TO sarcreg_admin;
GRANT SELECT ON site_memberships TO sarcreg_admin;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO sarcreg_coordinator, sarcreg_sync, sarcreg_admin;

-- Enrollment hands out the next registry number under the site row's lock; a trial enrollment takes a place
-- in its cohort and reveals the next allocation slot. Only those columns, and (by policy) only own sites.
GRANT UPDATE (next_patient_number) ON sites TO sarcreg_coordinator, sarcreg_sync;
GRANT UPDATE (places_taken) ON trial_cohorts TO sarcreg_coordinator;
GRANT UPDATE (enrollment_id, revealed_at) ON trial_allocation_slots TO sarcreg_coordinator;

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
CREATE POLICY sites_readable ON sites FOR SELECT
    TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin USING (true);
CREATE POLICY sites_numbered_by_own_coordinators ON sites FOR UPDATE TO sarcreg_coordinator
    USING (site_code = ANY ((SELECT sarcreg_current_sites())::text[])) WITH CHECK (site_code = ANY ((SELECT sarcreg_current_sites())::text[]));
CREATE POLICY sites_numbered_by_sync ON sites FOR UPDATE TO sarcreg_sync USING (true) WITH CHECK (true);
CREATE POLICY sites_administered ON sites FOR ALL TO sarcreg_admin USING (true) WITH CHECK (true);

-- Clinical tables: patients, the tables that hang off a patient by patient_id, and the three that hang off
-- one of those. A coordinator's policy on patients compares the site; every other table asks whether its
-- patient (or parent row) is visible, and that subquery is itself filtered by the parent's policy, so the
-- site rule is written once. Investigators read all; sync and administrators read and write all.
DO $$
DECLARE
    clinical text[] := ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments', 'sync_subjects'];
    parent_rule jsonb := jsonb_build_object(
        'patients', 'site_code = ANY ((SELECT sarcreg_current_sites())::text[])',
        'therapy_line_agents',
            'EXISTS (SELECT 1 FROM therapy_lines p WHERE p.therapy_line_id = therapy_line_agents.therapy_line_id)',
        'assessment_results', 'EXISTS (SELECT 1 FROM assessments p WHERE p.assessment_id = assessment_results.assessment_id)',
        'trial_screening_criteria',
            'EXISTS (SELECT 1 FROM trial_screenings p WHERE p.screening_id = trial_screening_criteria.screening_id)');
    clinical_table text;
    rule text;
BEGIN
    FOREACH clinical_table IN ARRAY clinical LOOP
        rule := coalesce(parent_rule ->> clinical_table,
            format('EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = %I.patient_id)', clinical_table));
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', clinical_table);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO sarcreg_coordinator USING (%s) WITH CHECK (%s)',
            clinical_table || '_own_sites', clinical_table, rule, rule);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO sarcreg_investigator USING (true)',
            clinical_table || '_investigators_read', clinical_table);
        EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO sarcreg_sync, sarcreg_admin USING (true) WITH CHECK (true)',
            clinical_table || '_sync_and_admin', clinical_table);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sarcreg_coordinator, sarcreg_sync, sarcreg_admin',
            clinical_table);
        IF clinical_table <> 'patients' THEN
            EXECUTE format('GRANT SELECT ON %I TO sarcreg_investigator', clinical_table);
        END IF;
    END LOOP;
END
$$;

-- Investigators read every column of patients except the MRN hash: a column grant, so `SELECT *` and any
-- read of mrn_hmac are refused with 42501.
DO $$
BEGIN
    EXECUTE (
        SELECT format('GRANT SELECT (%s) ON patients TO sarcreg_investigator', string_agg(quote_ident(attname), ', ' ORDER BY attnum))
        FROM pg_attribute
        WHERE attrelid = 'patients'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'mrn_hmac');
END
$$;

-- The sync's own bookkeeping.
GRANT SELECT, INSERT, UPDATE, DELETE ON sync_runs, sync_run_files, sync_quarantine, sync_records TO sarcreg_sync;
GRANT SELECT ON sync_runs, sync_run_files, sync_quarantine, sync_records TO sarcreg_admin, sarcreg_investigator;

-- The audit trail: one row per changed row, written set-based by statement-level triggers from their
-- transition tables. The MRN hash is left out of the row images, so reading the trail never reveals it.
CREATE TABLE audit_log (
    audit_id bigint GENERATED ALWAYS AS IDENTITY,
    logged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    transaction_id bigint NOT NULL DEFAULT txid_current(),
    -- The role that logged in, and the person the CLI says it acts for (SET sarcreg.app_user).
    database_user text NOT NULL DEFAULT session_user,
    app_user text DEFAULT nullif(current_setting('sarcreg.app_user', true), ''),
    table_name text NOT NULL,
    operation text NOT NULL,
    patient_id bigint,
    old_row jsonb,
    new_row jsonb,
    CONSTRAINT audit_log_pkey PRIMARY KEY (audit_id),
    CONSTRAINT audit_log_operation_known CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'DISABLE TRIGGER'))
);

CREATE INDEX audit_log_patient_idx ON audit_log (patient_id, audit_id);

-- Append-only for every role. Privileges cover the groups; the owner (who holds every privilege) is stopped
-- by these triggers, and switching them off is itself logged by the event trigger below.
REVOKE ALL ON audit_log FROM PUBLIC;
GRANT SELECT ON audit_log TO sarcreg_investigator, sarcreg_admin, sarcreg_coordinator;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_own_sites ON audit_log FOR SELECT TO sarcreg_coordinator
    USING (EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = audit_log.patient_id));
CREATE POLICY audit_log_readers ON audit_log FOR SELECT TO sarcreg_investigator, sarcreg_admin USING (true);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege', HINT = 'audit rows are never updated, deleted or truncated';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Writes the changed rows of one statement. TG_ARGV[0] is an expression over `r`, the row image as jsonb,
-- that gives the row's patient. An UPDATE pairs each old row with its new one by the table's primary key;
-- a row whose key changed appears as an old row without a new one and a new row without an old one.
-- SECURITY DEFINER: the groups have no INSERT on audit_log, and the patient lookup must see every row.
CREATE FUNCTION audit_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    key_match text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO audit_log (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO audit_log (table_name, operation, patient_id, new_row)
             SELECT %L, %L, %s, r - ''mrn_hmac'' FROM (SELECT to_jsonb(t) AS r FROM audit_new_rows t) x',
            TG_TABLE_NAME, TG_OP, TG_ARGV[0]);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format(
            'INSERT INTO audit_log (table_name, operation, patient_id, old_row)
             SELECT %L, %L, %s, r - ''mrn_hmac'' FROM (SELECT to_jsonb(t) AS r FROM audit_old_rows t) x',
            TG_TABLE_NAME, TG_OP, TG_ARGV[0]);
    ELSE
        SELECT string_agg(format('o.old_image -> %L = n.new_image -> %L', a.attname, a.attname), ' AND ')
        INTO key_match
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = TG_RELID AND i.indisprimary;
        EXECUTE format(
            'INSERT INTO audit_log (table_name, operation, patient_id, old_row, new_row)
             SELECT %L, %L, %s, o.old_image - ''mrn_hmac'', n.new_image - ''mrn_hmac''
             FROM (SELECT to_jsonb(t) AS old_image FROM audit_old_rows t) o
             FULL JOIN (SELECT to_jsonb(t) AS new_image FROM audit_new_rows t) n ON %s
             CROSS JOIN LATERAL (SELECT coalesce(n.new_image, o.old_image) AS r) x',
            TG_TABLE_NAME, TG_OP, TG_ARGV[0], key_match);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    patient_of jsonb := jsonb_build_object(
        'therapy_line_agents',
            'SELECT patient_id FROM therapy_lines WHERE therapy_line_id = (r ->> ''therapy_line_id'')::bigint',
        'assessment_results', 'SELECT patient_id FROM assessments WHERE assessment_id = (r ->> ''assessment_id'')::bigint',
        'trial_screening_criteria',
            'SELECT patient_id FROM trial_screenings WHERE screening_id = (r ->> ''screening_id'')::bigint');
    audited text;
    patient_expression text;
BEGIN
    FOREACH audited IN ARRAY ARRAY[
        'patients', 'patient_ecog', 'diagnoses', 'molecular_results', 'therapy_lines', 'therapy_line_agents',
        'adverse_events', 'lesions', 'assessments', 'assessment_results', 'evaluator_reads', 'source_responses',
        'trial_screenings', 'trial_screening_criteria', 'trial_enrollments', 'sync_subjects'] LOOP
        patient_expression := coalesce('(' || (patient_of ->> audited) || ')', '(r ->> ''patient_id'')::bigint');
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%L)', audited || '_audit_insert', audited, patient_expression);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%L)', audited || '_audit_update', audited, patient_expression);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS audit_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%L)', audited || '_audit_delete', audited, patient_expression);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%L)', audited || '_audit_truncate', audited, patient_expression);
    END LOOP;
END
$$;

-- `ALTER TABLE ... DISABLE TRIGGER` on any table (the audit log's own guards included) is written to the
-- trail with the statement that did it. The command's subcommands are not visible from PL/pgSQL, so the
-- statement text decides.
CREATE FUNCTION audit_record_trigger_disabling() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    command record;
BEGIN
    IF current_query() !~* 'DISABLE\s+TRIGGER' THEN
        RETURN;
    END IF;
    FOR command IN SELECT object_identity FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'ALTER TABLE' LOOP
        INSERT INTO audit_log (table_name, operation, new_row)
        VALUES (command.object_identity, 'DISABLE TRIGGER', jsonb_build_object('statement', current_query()));
    END LOOP;
END
$$;

CREATE EVENT TRIGGER audit_trigger_disabling ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION audit_record_trigger_disabling();

-- `sarcreg user add`: an administrator creates a LOGIN role in one group with its sites. The client sends
-- only a SCRAM-SHA-256 verifier computed by libpq, so the password itself never reaches the server or its
-- statement log. SECURITY DEFINER because CREATEROLE is not inherited through the admin group.
CREATE FUNCTION sarcreg_add_user(user_name text, group_name text, password_verifier text, site_codes text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF user_name !~ '^[a-z][a-z0-9_]{0,62}$' OR user_name LIKE 'pg\_%' OR user_name LIKE 'sarcreg\_%' THEN
        RAISE EXCEPTION 'user name % is not allowed', user_name
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_name_format';
    END IF;
    IF group_name NOT IN ('coordinator', 'investigator', 'sync', 'admin') THEN
        RAISE EXCEPTION 'role % is not one of coordinator, investigator, sync, admin', group_name
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_role_known';
    END IF;
    IF password_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'a password must arrive as a SCRAM-SHA-256 verifier'
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_verifier_format';
    END IF;
    IF group_name = 'coordinator' AND coalesce(cardinality(site_codes), 0) = 0 THEN
        RAISE EXCEPTION 'a coordinator needs at least one site'
            USING ERRCODE = 'invalid_parameter_value', CONSTRAINT = 'sarcreg_add_user_coordinator_site';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', user_name, password_verifier, 'sarcreg_' || group_name);
    INSERT INTO site_memberships (role_name, site_code) SELECT user_name, unnest(site_codes);
END
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_add_user(text, text, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sarcreg_add_user(text, text, text, text[]) TO sarcreg_admin;
