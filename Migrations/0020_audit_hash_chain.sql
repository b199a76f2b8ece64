-- A tamper-evident audit log (issue 15, item 2).
--
-- The owner of the database can always destroy the log; what this migration adds is that it cannot do so
-- silently. `sarcreg audit verify` checks three things, none of which it asks the database to compute with a
-- function the owner could replace:
--   1. the chain: every entry carries the SHA-256 of the previous entry's hash and its own content, at a
--      position numbered without gaps; a deleted, altered, inserted or reordered entry breaks a link, and an
--      exported chain head (`sarcreg audit anchor`) proves that nothing up to it changed later;
--   2. the guards: every audit and append-only trigger exists, fires ALWAYS (so session_replication_role =
--      replica does not skip it) and calls its function, both event triggers fire ALWAYS, and each guard
--      function's source is the one last recorded in the chain by a migration (audit_record_guards());
--   3. the rows: each audited row's current version was written by a transaction (its xmin) that audited
--      it: an entry of that transaction for that row whose image is the row's, or that transaction's
--      per-run import count for the table. An UPDATE made while a trigger was off leaves a row version
--      whose transaction has no entry for it, however the triggers were put back afterwards.
--
-- A migration that replaces a guard function calls audit_record_guards() after it, which chains the new
-- sources; one that rewrites an audited table (ALTER COLUMN ... TYPE) follows it with an audited no-op
-- UPDATE of the table, as this one does for the trial tables it starts to audit.

-- The migrator sends this file as one query, and 0007's event function matched the whole query's text, so
-- every ALTER TABLE below would be logged as a DISABLE TRIGGER. It is off while this file runs (switching an
-- event trigger is no DDL an event trigger sees) and back on, ALWAYS, at the end; the GUARDS entry this file
-- writes last records the guards as they then are.
ALTER EVENT TRIGGER audit_trigger_disabling DISABLE;

-- 1. The chain -------------------------------------------------------------------------------------------------

ALTER TABLE audit_log ADD COLUMN chain_position bigint;
ALTER TABLE audit_log ADD COLUMN previous_hash bytea;
ALTER TABLE audit_log ADD COLUMN entry_hash bytea;

-- The position and hash of the last chained entry, one row. A transaction locks it with its first INSERT
-- statement on audit_log and keeps it until it commits, so entries chain one transaction after another; a REPEATABLE READ or SERIALIZABLE transaction
-- whose snapshot predates the last link fails with 40001 and is retried. It also remembers the head when the
-- tail of the log is deleted: the next entry then links to a hash no entry has.
CREATE TABLE audit_chain_head (
    singleton boolean NOT NULL DEFAULT true,
    chain_position bigint NOT NULL,
    entry_hash bytea NOT NULL,
    CONSTRAINT audit_chain_head_pkey PRIMARY KEY (singleton),
    CONSTRAINT audit_chain_head_single CHECK (singleton)
);
REVOKE ALL ON audit_chain_head FROM PUBLIC;
GRANT SELECT ON audit_chain_head TO sarcreg_admin;

-- The chain's state within one INSERT statement on audit_log: opened from the head under its lock before the
-- statement, advanced by each row, written back to the head after it. It lives in a transaction-local setting
-- rather than being read back from audit_log per row, which cost an index search per entry (about 100 us an
-- entry in all; with the setting the chain adds about a fifth of that). Only these functions run between the
-- opening and the closing of one statement, so a session that sets it between statements changes nothing.
CREATE FUNCTION audit_chain_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head record;
BEGIN
    SELECT chain_position, entry_hash INTO head FROM audit_chain_head FOR UPDATE;
    PERFORM set_config('sarcreg.audit_chain', head.chain_position || ':' || encode(head.entry_hash, 'hex'), true);
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_chain_open() FROM PUBLIC;

-- An entry's hash: SHA-256 over the previous hash and a canonical text of the entry. jsonb's text form is
-- deterministic and the time is taken as its epoch, so neither the session's TimeZone nor DateStyle changes it.
-- `sarcreg audit verify` recomputes the same expression in its own query.
CREATE FUNCTION audit_chain_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    state text := current_setting('sarcreg.audit_chain');
    split integer := strpos(state, ':');
BEGIN
    NEW.chain_position := left(state, split - 1)::bigint + 1;
    NEW.previous_hash := decode(substr(state, split + 1), 'hex');
    NEW.entry_hash := sha256(NEW.previous_hash || convert_to(jsonb_build_array(
        NEW.chain_position, NEW.audit_id, extract(epoch FROM NEW.logged_at), NEW.transaction_id, NEW.database_user,
        NEW.app_user, NEW.table_name, NEW.operation, NEW.patient_id, NEW.old_row, NEW.new_row, NEW.sync_run,
        NEW.row_count)::text, 'UTF8'));
    PERFORM set_config('sarcreg.audit_chain', NEW.chain_position || ':' || encode(NEW.entry_hash, 'hex'), true);
    RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_chain_link() FROM PUBLIC;

CREATE FUNCTION audit_chain_advance() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    state text := current_setting('sarcreg.audit_chain');
    split integer := strpos(state, ':');
BEGIN
    UPDATE audit_chain_head SET chain_position = left(state, split - 1)::bigint, entry_hash = decode(substr(state, split + 1), 'hex')
    WHERE chain_position < left(state, split - 1)::bigint;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_chain_advance() FROM PUBLIC;

-- The entries written so far, chained in the order they were written (the guard is off for this one UPDATE).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    entry record;
    previous bytea := '\x';
    position bigint := 0;
BEGIN
    FOR entry IN SELECT * FROM audit_log ORDER BY audit_id LOOP
        position := position + 1;
        UPDATE audit_log SET chain_position = position, previous_hash = previous,
            entry_hash = sha256(previous || convert_to(jsonb_build_array(
                position, entry.audit_id, extract(epoch FROM entry.logged_at), entry.transaction_id, entry.database_user,
                entry.app_user, entry.table_name, entry.operation, entry.patient_id, entry.old_row, entry.new_row,
                entry.sync_run, entry.row_count)::text, 'UTF8'))
        WHERE audit_id = entry.audit_id
        RETURNING entry_hash INTO previous;
    END LOOP;
    INSERT INTO audit_chain_head (chain_position, entry_hash) VALUES (position, previous);
END
$$;

CREATE TRIGGER audit_log_chain_opened BEFORE INSERT ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_open();
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain_link();
CREATE TRIGGER audit_log_chain_head_advanced AFTER INSERT ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_advance();
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE audit_log ALTER COLUMN chain_position SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN previous_hash SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN entry_hash SET NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_chain_position_key UNIQUE (chain_position);

-- 2. Switching a guard off is recorded, whatever the statement looks like ------------------------------------

-- The functions whose source, and the triggers whose presence and state, `sarcreg audit verify` checks.
CREATE FUNCTION audit_guard_functions() RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
RETURN ARRAY['audit_record_changes', 'audit_log_refuse_change', 'audit_chain_open', 'audit_chain_link', 'audit_chain_advance',
    'audit_write_bulk_entry', 'audit_record_trigger_disabling', 'audit_record_dropping', 'sarcreg_current_import_run',
    'audit_guard_functions'];
REVOKE EXECUTE ON FUNCTION audit_guard_functions() FROM PUBLIC;

-- A dropped trigger or function is recorded with the statement (an event trigger on sql_drop sees what went).
CREATE FUNCTION audit_record_dropping() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    dropped record;
BEGIN
    FOR dropped IN SELECT object_type, object_identity FROM pg_event_trigger_dropped_objects()
        WHERE object_type IN ('trigger', 'function', 'event trigger') LOOP
        INSERT INTO audit_log (table_name, operation, new_row)
        VALUES (dropped.object_identity, 'DROP', jsonb_build_object('statement', current_query(), 'object', dropped.object_type));
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_record_dropping() FROM PUBLIC;
CREATE EVENT TRIGGER audit_trigger_dropping ON sql_drop EXECUTE FUNCTION audit_record_dropping();

-- 3. Guards that fire ALWAYS, and their state recorded in the chain -------------------------------------------

-- session_replication_role = replica skips triggers enabled the ordinary way (ORIGIN); ALWAYS ones still fire,
-- so a replica session is audited and refused like any other.
DO $$
DECLARE
    guard record;
BEGIN
    FOR guard IN
        SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace AND p.proname = ANY (audit_guard_functions())
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', guard.relname, guard.tgname);
    END LOOP;
END
$$;
ALTER EVENT TRIGGER audit_trigger_disabling ENABLE ALWAYS;
ALTER EVENT TRIGGER audit_trigger_dropping ENABLE ALWAYS;

-- 0007 matched the statement text, so `DISABLE/**/TRIGGER` and `ENABLE REPLICA TRIGGER` went unrecorded. The
-- catalog decides now: after any ALTER TABLE, a guard trigger of the altered table that does not fire ALWAYS
-- is recorded with the statement and each such trigger's state (D disabled, O origin only, R replica only).
CREATE OR REPLACE FUNCTION audit_record_trigger_disabling() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    command record;
    weakened jsonb;
BEGIN
    FOR command IN SELECT objid, object_identity FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'ALTER TABLE' LOOP
        SELECT jsonb_object_agg(t.tgname, t.tgenabled) INTO weakened
        FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = command.objid AND NOT t.tgisinternal AND t.tgenabled <> 'A' AND p.proname = ANY (audit_guard_functions());
        IF weakened IS NOT NULL THEN
            INSERT INTO audit_log (table_name, operation, new_row)
            VALUES (command.object_identity, 'DISABLE TRIGGER',
                jsonb_build_object('statement', current_query(), 'triggers', weakened));
        END IF;
    END LOOP;
END
$$;

-- Entries of the two kinds above. After the new event function, so that the old one's text match does not
-- take the constraint's own words for a DISABLE TRIGGER.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_operation_known;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_operation_known
    CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'DISABLE TRIGGER', 'DROP', 'GUARDS'));

-- Chains the guards as they are now: each guard function's SHA-256 over its source, settings and SECURITY
-- DEFINER flag; each trigger that calls one, by table; each event trigger that calls one. The owner's alone: a
-- migration that changes a guard calls it afterwards, and verify compares the live state with the last record.
CREATE FUNCTION audit_record_guards() RETURNS void
LANGUAGE sql SET search_path = public, pg_temp
BEGIN ATOMIC
    INSERT INTO audit_log (table_name, operation, new_row)
    SELECT 'audit_log', 'GUARDS', jsonb_build_object(
        'functions', (SELECT jsonb_object_agg(p.proname, encode(sha256(convert_to(
                p.prosrc || '|' || coalesce(array_to_string(p.proconfig, ','), '') || '|' || p.prosecdef::text, 'UTF8')), 'hex'))
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname = ANY (audit_guard_functions())),
        'triggers', (SELECT jsonb_object_agg(c.relname || '.' || t.tgname, p.proname)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace AND p.proname = ANY (audit_guard_functions())),
        'event_triggers', (SELECT jsonb_agg(e.evtname ORDER BY e.evtname)
            FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid WHERE p.proname = ANY (audit_guard_functions())));
END;
REVOKE EXECUTE ON FUNCTION audit_record_guards() FROM PUBLIC;

SELECT audit_record_guards();
