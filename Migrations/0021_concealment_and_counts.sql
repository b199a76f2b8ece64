-- Allocation concealment and counts across sites (issue 15, items 3 and 4).
--
-- 4. Coordinators could read every unrevealed trial_allocation_slots.arm_code and trials.randomization_seed
--    (and the seed again inside trials.definition), and set trial_cohorts.places_taken to anything; none of
--    the three tables was audited. Now the arm, block number and block size of a slot, and a trial's seed, are
--    the owner's alone: the enrollment reveals a slot's arm by inserting the enrollment, whose BEFORE INSERT
--    trigger (SECURITY DEFINER) takes the cohort's next place under its row lock and the stratum's next slot.
--    No group may update places_taken or a slot any more, so a place is taken only with an enrollment, and the
--    three tables are audited with those columns left out of the row images.
-- 3. A coordinator read sites.next_patient_number of every site and could probe sync_subjects_pkey with
--    inserts of other sites' subject ids. The counter is now handed out by a function that numbers only the
--    caller's sites; only the sync writes sync_subjects. The statistics functions behind pg_stat_user_tables
--    and the relation size functions are closed to PUBLIC; what PostgreSQL still shows every login
--    (pg_class.reltuples, EXPLAIN's estimates, the gaps of the registry-wide patient_id) is in the README.

-- 4. Allocation concealment ------------------------------------------------------------------------------------

REVOKE SELECT ON trials FROM sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
GRANT SELECT (trial_nct, acronym, title, phase, status, sponsor, definition, block_sizes, added_at, added_by)
    ON trials TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;

-- A slot is written once, with its trial; deleting an unrevealed one would change the sequence.
REVOKE SELECT, UPDATE, DELETE ON trial_allocation_slots FROM sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
GRANT SELECT (cohort_id, stratum_key, position, trial_nct, enrollment_id, revealed_at)
    ON trial_allocation_slots TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;

-- `sarcreg audit verify` compares each row's version (xmin) with the log, also where a column is concealed.
GRANT SELECT (xmin) ON trials, trial_allocation_slots TO sarcreg_admin;

REVOKE UPDATE ON trial_cohorts FROM sarcreg_coordinator, sarcreg_admin;
GRANT UPDATE (label, capacity) ON trial_cohorts TO sarcreg_admin;

-- The definition keeps the shape its loader reads, with the seed as 0; the seed itself is randomization_seed.
CREATE FUNCTION trials_conceal_seed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.definition #> '{randomization,seed}' IS NOT NULL THEN
        NEW.definition := jsonb_set(NEW.definition, '{randomization,seed}', '0');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trials_seed_concealed BEFORE INSERT OR UPDATE OF definition ON trials
    FOR EACH ROW EXECUTE FUNCTION trials_conceal_seed();

-- The slot an enrollment revealed.
ALTER TABLE trial_enrollments ADD COLUMN allocation_position integer;

-- An enrollment takes the cohort's next place, and in a randomized cohort the stratum's next unrevealed slot,
-- whatever place and arm the inserting statement named. SECURITY DEFINER: no group reads an unrevealed slot
-- or updates a cohort. Row-level security on trial_enrollments still decides whose patient may be enrolled.
CREATE FUNCTION trial_enrollment_take_place() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    fixed_arm text;
    slot record;
BEGIN
    UPDATE trial_cohorts SET places_taken = places_taken + 1
    WHERE cohort_id = NEW.cohort_id AND trial_nct = NEW.trial_nct AND places_taken < capacity
    RETURNING places_taken, fixed_arm_code INTO NEW.place_number, fixed_arm;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the cohort has no place left'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trial_enrollments_place_available', TABLE = 'trial_enrollments';
    END IF;
    IF fixed_arm IS NOT NULL THEN
        NEW.arm_code := fixed_arm;
        NEW.allocation_position := NULL;
        RETURN NEW;
    END IF;
    SELECT position, arm_code INTO slot FROM trial_allocation_slots
    WHERE cohort_id = NEW.cohort_id AND stratum_key = NEW.stratum_key AND enrollment_id IS NULL
    ORDER BY position LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the stratum''s allocation sequence is used up'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'trial_enrollments_slot_available', TABLE = 'trial_enrollments';
    END IF;
    NEW.arm_code := slot.arm_code;
    NEW.allocation_position := slot.position;
    RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION trial_enrollment_take_place() FROM PUBLIC;

-- After the row exists (the slot's foreign key names it), the slot is marked revealed by this enrollment.
CREATE FUNCTION trial_enrollment_reveal_slot() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE trial_allocation_slots SET enrollment_id = NEW.enrollment_id, revealed_at = now()
    WHERE cohort_id = NEW.cohort_id AND stratum_key = NEW.stratum_key AND position = NEW.allocation_position;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION trial_enrollment_reveal_slot() FROM PUBLIC;

CREATE TRIGGER trial_enrollments_place_taken BEFORE INSERT ON trial_enrollments
    FOR EACH ROW EXECUTE FUNCTION trial_enrollment_take_place();
CREATE TRIGGER trial_enrollments_slot_revealed AFTER INSERT ON trial_enrollments
    FOR EACH ROW WHEN (NEW.allocation_position IS NOT NULL) EXECUTE FUNCTION trial_enrollment_reveal_slot();

-- The (sub)transactions audited statements ran in. `sarcreg audit verify` accepts a row's current version when
-- the transaction that wrote it (its xmin) is one that audited it. A row written under a savepoint (the sync
-- applies series under one) carries the savepoint's transaction id, not the top-level one that audit entries
-- name, so each audited statement leaves one small row here whose own xmin is the id its rows get: one row
-- per statement, never per changed row.
CREATE TABLE audit_statement_transactions (
    transaction_id bigint NOT NULL DEFAULT txid_current()
);
REVOKE ALL ON audit_statement_transactions FROM PUBLIC;
GRANT SELECT ON audit_statement_transactions TO sarcreg_admin;

-- The 0016 body, auditing the three trial tables too: trials and cohorts name no patient ('none'), a slot
-- names its enrollment's. Concealed columns stay out of every image, as the MRN hash always did.
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
    constants := format('%L::timestamptz, %s, %L, %L', clock_timestamp(), txid_current(), session_user,
        nullif(current_setting('sarcreg.app_user', true), ''));
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, table_name, operation, patient_id, new_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - %L::text[] FROM audit_new_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, concealed, patient_join);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, table_name, operation, patient_id, old_row)
             SELECT %s, %L, %L, %s, to_jsonb(t) - %L::text[] FROM audit_old_rows t %s',
            constants, TG_TABLE_NAME, TG_OP, patient, concealed, patient_join);
    ELSE
        SELECT string_agg(format('o.old_image -> %L = n.new_image -> %L', a.attname, a.attname), ' AND ')
        INTO key_match
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = TG_RELID AND i.indisprimary;
        EXECUTE format(
            'INSERT INTO audit_log (logged_at, transaction_id, database_user, app_user, table_name, operation, patient_id, old_row, new_row)
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
    arguments jsonb := jsonb_build_object(
        'trials', '''none''', 'trial_cohorts', '''none''', 'trial_allocation_slots', '''trial_enrollments'', ''enrollment_id''');
    audited text;
BEGIN
    FOREACH audited IN ARRAY ARRAY['trials', 'trial_cohorts', 'trial_allocation_slots'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_insert', audited, arguments ->> audited);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS audit_old_rows NEW TABLE AS audit_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_update', audited, arguments ->> audited);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS audit_old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_delete', audited, arguments ->> audited);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION audit_record_changes(%s)', audited || '_audit_truncate', audited, arguments ->> audited);
        -- One statement, so that the event trigger never sees a guard of the table left firing on ORIGIN only.
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I',
            audited, audited || '_audit_insert', audited || '_audit_update', audited || '_audit_delete', audited || '_audit_truncate');
    END LOOP;
END
$$;

-- The rows written before these tables were audited get their first image now (and the definitions lose
-- their seed), so verify finds every row's version audited.
UPDATE trials SET definition = definition;
UPDATE trial_cohorts SET places_taken = places_taken;
UPDATE trial_allocation_slots SET position = position;

-- 3. Counts across sites ---------------------------------------------------------------------------------------

-- Every column of sites but the counter; the counter is read and advanced only by the next function.
REVOKE SELECT ON sites FROM sarcreg_coordinator;
GRANT SELECT (site_code, name, created_at) ON sites TO sarcreg_coordinator;
REVOKE UPDATE ON sites FROM sarcreg_coordinator;
DROP POLICY sites_numbered_by_own_coordinators ON sites;

-- The next registry number of one of the caller's sites (any site for the sync and administrators), advanced
-- under the site row's lock; NULL for a site the caller does not work for, as for one that does not exist. A
-- superuser (the owner running migrations and tests) is a member of every role.
CREATE FUNCTION sarcreg_next_site_sequence(p_site_code text) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE sites SET next_patient_number = next_patient_number + 1
    WHERE site_code = p_site_code
        AND (p_site_code = ANY (sarcreg_current_sites()) OR pg_has_role(session_user, 'sarcreg_sync', 'USAGE')
            OR pg_has_role(session_user, 'sarcreg_admin', 'USAGE'))
    RETURNING next_patient_number - 1
$$;
REVOKE EXECUTE ON FUNCTION sarcreg_next_site_sequence(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sarcreg_next_site_sequence(text) TO sarcreg_coordinator, sarcreg_sync, sarcreg_admin;

-- The crosswalk from source subject ids is the sync's: a coordinator's insert of another site's subject id
-- answered with sync_subjects_pkey whether that subject exists.
REVOKE INSERT, UPDATE, DELETE ON sync_subjects FROM sarcreg_coordinator;

-- Table sizes: live, dead, inserted, updated and deleted tuples (pg_stat_user_tables and its kin) and the
-- relation size functions. Administrators keep them for monitoring; the owner and superusers are unaffected.
DO $$
DECLARE
    counter regprocedure;
BEGIN
    FOREACH counter IN ARRAY ARRAY[
        'pg_stat_get_live_tuples(oid)', 'pg_stat_get_dead_tuples(oid)', 'pg_stat_get_tuples_inserted(oid)',
        'pg_stat_get_tuples_updated(oid)', 'pg_stat_get_tuples_deleted(oid)', 'pg_stat_get_tuples_hot_updated(oid)',
        'pg_stat_get_mod_since_analyze(oid)', 'pg_stat_get_ins_since_vacuum(oid)', 'pg_stat_get_tuples_returned(oid)',
        'pg_stat_get_tuples_fetched(oid)', 'pg_stat_get_blocks_fetched(oid)', 'pg_stat_get_blocks_hit(oid)',
        'pg_relation_size(regclass)', 'pg_relation_size(regclass, text)', 'pg_total_relation_size(regclass)',
        'pg_table_size(regclass)', 'pg_indexes_size(regclass)']::regprocedure[] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', counter);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO sarcreg_admin', counter);
    END LOOP;
END
$$;

SELECT audit_record_guards();
