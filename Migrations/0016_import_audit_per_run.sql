-- Rows an import inserts are audited per run; rows it updates or deletes stay audited row by row.
--
-- A nightly import inserts up to millions of rows, and writing each one's image into audit_log cost more than
-- writing the row itself (a 1,000,000-result import spent 5.5 s of its results' 20 s on their audit images).
-- Each inserted row's provenance (run, file, line, row hash) is already kept once, in sync_records, and the
-- run log keeps each file's SHA-256; the audit log now keeps one entry per run, table and operation with the
-- count of rows, the run id and the database user (the run log has the OS user). Updates and deletes made
-- by an import keep their per-row entries with old and new values, as every interactive write does.
--
-- Only a run of the current transaction, begun by a member of sarcreg_sync, is audited this way: a
-- coordinator who sets sarcreg.sync_run to any run id still writes per-row entries.

-- 1. The transaction a run was begun in, which the audit trigger compares with its own.
ALTER TABLE sync_runs ADD COLUMN transaction_id bigint;
ALTER TABLE sync_runs ALTER COLUMN transaction_id SET DEFAULT txid_current();

-- 2. Per-run entries: the run and the number of rows; such an entry has no row image and no patient.
ALTER TABLE audit_log ADD COLUMN sync_run bigint;
ALTER TABLE audit_log ADD COLUMN row_count bigint;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sync_run_fk FOREIGN KEY (sync_run) REFERENCES sync_runs (run_id);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_run_entry_counted CHECK ((sync_run IS NULL) = (row_count IS NULL));
CREATE INDEX audit_log_sync_run_idx ON audit_log (sync_run) WHERE sync_run IS NOT NULL;

-- 3. The counts of the current transaction's statements, summed per run, table and operation, and written to
-- audit_log as one entry each when the transaction commits. A statement undone by a rollback to a savepoint
-- (the import re-applies a run after quarantining a refused series) takes its count with it. Only the
-- owner's trigger functions write here.
CREATE TABLE audit_bulk_pending (
    transaction_id bigint NOT NULL DEFAULT txid_current(),
    sync_run bigint NOT NULL,
    table_name text NOT NULL,
    operation text NOT NULL,
    row_count bigint NOT NULL,
    CONSTRAINT audit_bulk_pending_pkey PRIMARY KEY (transaction_id, sync_run, table_name, operation)
);
REVOKE ALL ON audit_bulk_pending FROM PUBLIC;

CREATE FUNCTION audit_write_bulk_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    WITH written AS (
        DELETE FROM audit_bulk_pending
        WHERE transaction_id = NEW.transaction_id AND sync_run = NEW.sync_run AND table_name = NEW.table_name AND operation = NEW.operation
        RETURNING sync_run, table_name, operation, row_count)
    INSERT INTO audit_log (table_name, operation, sync_run, row_count)
    SELECT table_name, operation, sync_run, row_count FROM written;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_write_bulk_entry() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER audit_bulk_pending_written AFTER INSERT ON audit_bulk_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_write_bulk_entry();

-- 4. The import run of the current transaction, if the session is one that may run imports.
CREATE FUNCTION sarcreg_current_import_run() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.run_id FROM sync_runs r
    WHERE current_setting('sarcreg.sync_run', true) ~ '^[0-9]{1,18}$'
        AND r.run_id = current_setting('sarcreg.sync_run', true)::bigint
        AND r.transaction_id = txid_current()
        AND pg_has_role(session_user, 'sarcreg_sync', 'USAGE')
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_current_import_run() FROM PUBLIC;

-- 5. The 0014 body, with inserts of an import run counted instead of imaged.
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

-- 6. Provenance per record: the file and line a record was first read from (the run is first_run). Natural
-- keys compare byte by byte ("C"): they are ids joined by a separator, not words, and the collation's
-- comparisons made inserting a million of them into the key's index several seconds slower. In byte order a
-- subject's records are also one range of the index (its id, then the separator E'\x1f'), which is how
-- `sarcreg audit` finds a patient's records.
ALTER TABLE sync_records ALTER COLUMN natural_key TYPE text COLLATE "C";
ALTER TABLE sync_records ADD COLUMN first_file text;
ALTER TABLE sync_records ADD COLUMN first_line bigint;

-- 7. A patient's imported records with their run, for `sarcreg audit`: what the caller may see of the patient
-- (a coordinator: own sites only), without a grant on the sync tables, which hold every site's records.
CREATE FUNCTION sarcreg_import_provenance(p_patient_id bigint)
RETURNS TABLE (run_id bigint, started_at timestamptz, database_user text, os_user text, source text, domain text,
    natural_key text, file_name text, line_number bigint, row_hash text, last_changed_run bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.run_id, r.started_at, r.database_user, r.os_user, x.source, c.domain, c.natural_key, c.first_file, c.first_line,
        c.row_hash, c.last_changed_run
    FROM sync_subjects x
    -- The domains of sync_records_domain_known (0009), each one range of the key's index.
    JOIN sync_records c ON c.source = x.source AND c.domain = ANY (ARRAY['DM', 'EX', 'AE', 'TU', 'TR', 'RS', 'REDCAP'])
        AND c.natural_key >= x.usubjid AND c.natural_key < x.usubjid || E'\x20'
        AND (c.natural_key = x.usubjid OR substr(c.natural_key, length(x.usubjid) + 1, 1) = E'\x1f')
    JOIN sync_runs r ON r.run_id = c.first_run
    WHERE x.patient_id = p_patient_id
        AND (pg_has_role(session_user, 'sarcreg_investigator', 'USAGE') OR pg_has_role(session_user, 'sarcreg_admin', 'USAGE')
            OR pg_has_role(session_user, 'sarcreg_sync', 'USAGE')
            OR EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = p_patient_id AND p.site_code = ANY (sarcreg_current_sites())))
    ORDER BY r.run_id, c.first_file, c.first_line, c.natural_key
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_import_provenance(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sarcreg_import_provenance(bigint) TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;

-- 8. The runs a sync record names are checked once per statement, not once per row. The foreign keys to
-- sync_runs cost an index search and a row lock per record, 5.6 s of the 11 s a 1,140,000-record import spent
-- writing its records; an anti-join of a statement's distinct run ids against the run log checks the same
-- thing (last_changed_run too, which had no key). The run log keeps every run: no role deletes from it.
ALTER TABLE sync_records DROP CONSTRAINT sync_records_first_run_fk;
ALTER TABLE sync_records DROP CONSTRAINT sync_records_missing_run_fk;
REVOKE DELETE, TRUNCATE ON sync_runs FROM sarcreg_sync;

CREATE FUNCTION sync_records_name_logged_runs() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    unknown bigint;
BEGIN
    SELECT n.run_id INTO unknown
    FROM (SELECT DISTINCT v.run_id FROM sync_records_written t
          CROSS JOIN LATERAL (VALUES (t.first_run), (t.last_changed_run), (t.missing_since_run)) AS v (run_id)
          WHERE v.run_id IS NOT NULL) n
    WHERE NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.run_id = n.run_id)
    LIMIT 1;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'a sync record names run %, which is not in the run log', unknown
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'sync_records_runs_logged', TABLE = 'sync_records';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sync_records_runs_logged_insert AFTER INSERT ON sync_records REFERENCING NEW TABLE AS sync_records_written
    FOR EACH STATEMENT EXECUTE FUNCTION sync_records_name_logged_runs();
CREATE TRIGGER sync_records_runs_logged_update AFTER UPDATE ON sync_records REFERENCING NEW TABLE AS sync_records_written
    FOR EACH STATEMENT EXECUTE FUNCTION sync_records_name_logged_runs();

CREATE FUNCTION sync_runs_refuse_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the sync run log keeps every run; % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege', TABLE = 'sync_runs';
END
$$;

CREATE TRIGGER sync_runs_kept BEFORE DELETE ON sync_runs FOR EACH ROW EXECUTE FUNCTION sync_runs_refuse_delete();
CREATE TRIGGER sync_runs_not_truncated BEFORE TRUNCATE ON sync_runs FOR EACH STATEMENT EXECUTE FUNCTION sync_runs_refuse_delete();
