-- Sync: nightly imports of source exports (CDISC SDTM CSV) with a run log, per-row quarantine, a crosswalk
-- from each source's subjects to registry patients, the administrator's site mapping, and the evaluator
-- reads and time-point responses a source reports.
-- Every constraint is named: the services map SQLSTATE + constraint name to the error a coordinator reads.

-- A patient created by a sync has no medical record number: the source sends a pseudonymous USUBJID,
-- which the crosswalk below keeps. Only such patients may lack the MRN hash.
ALTER TABLE patients ADD COLUMN origin text NOT NULL DEFAULT 'enrolled';
ALTER TABLE patients ALTER COLUMN mrn_hmac DROP NOT NULL;
ALTER TABLE patients ADD CONSTRAINT patients_origin_known CHECK (origin IN ('enrolled', 'sync'));
ALTER TABLE patients ADD CONSTRAINT patients_mrn_unless_synced CHECK (origin = 'sync' OR mrn_hmac IS NOT NULL);

-- The administrator's mapping of a source's site ids (DM.SITEID) to registry sites.
CREATE TABLE sync_site_map (
    source text NOT NULL,
    source_site text NOT NULL,
    site_code text NOT NULL,
    mapped_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sync_site_map_pkey PRIMARY KEY (source, source_site),
    CONSTRAINT sync_site_map_site_fk FOREIGN KEY (site_code) REFERENCES sites (site_code),
    CONSTRAINT sync_site_map_source_format CHECK (source ~ '^[a-z][a-z0-9_-]{0,39}$'),
    CONSTRAINT sync_site_map_source_site_not_blank CHECK (btrim(source_site) <> '')
);

-- One import of one source's export: written in the import's own transaction when it succeeds, and in a
-- separate transaction after the rollback when it fails, so a failed run leaves only this row.
CREATE TABLE sync_runs (
    run_id bigint GENERATED ALWAYS AS IDENTITY,
    source text NOT NULL,
    format text NOT NULL,
    directory text NOT NULL,
    status text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    database_user text NOT NULL,
    os_user text NOT NULL,
    error text,
    CONSTRAINT sync_runs_pkey PRIMARY KEY (run_id),
    CONSTRAINT sync_runs_format_known CHECK (format IN ('sdtm')),
    CONSTRAINT sync_runs_status_known CHECK (status IN ('succeeded', 'failed')),
    CONSTRAINT sync_runs_error_when_failed CHECK ((status = 'failed') = (error IS NOT NULL)),
    CONSTRAINT sync_runs_finished_after_start CHECK (finished_at >= started_at)
);

CREATE INDEX sync_runs_source_idx ON sync_runs (source, run_id);

-- Each file of a run, its digest and what became of its rows:
-- rows_read = inserted + updated + unchanged + quarantined.
CREATE TABLE sync_run_files (
    run_id bigint NOT NULL,
    file_name text NOT NULL,
    sha256 text NOT NULL,
    size_bytes bigint NOT NULL,
    rows_read bigint NOT NULL,
    inserted bigint NOT NULL,
    updated bigint NOT NULL,
    unchanged bigint NOT NULL,
    quarantined bigint NOT NULL,
    -- Records of this file's domain seen in an earlier run and absent from this one.
    missing_from_source bigint NOT NULL,
    CONSTRAINT sync_run_files_pkey PRIMARY KEY (run_id, file_name),
    CONSTRAINT sync_run_files_run_fk FOREIGN KEY (run_id) REFERENCES sync_runs (run_id),
    CONSTRAINT sync_run_files_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT sync_run_files_rows_reconcile CHECK (rows_read = inserted + updated + unchanged + quarantined)
);

-- Every refused row with the reason, so the source can fix it; a row may have several reasons.
CREATE TABLE sync_quarantine (
    run_id bigint NOT NULL,
    file_name text NOT NULL,
    line_number bigint NOT NULL,
    column_name text,
    value text,
    reason text NOT NULL,
    CONSTRAINT sync_quarantine_run_fk FOREIGN KEY (run_id) REFERENCES sync_runs (run_id)
);

CREATE INDEX sync_quarantine_run_idx ON sync_quarantine (run_id, file_name, line_number);

-- The crosswalk: a source's subject is the registry patient it was first imported as. Identity is never
-- inferred from demographics.
CREATE TABLE sync_subjects (
    source text NOT NULL,
    usubjid text NOT NULL,
    patient_id bigint NOT NULL,
    CONSTRAINT sync_subjects_pkey PRIMARY KEY (source, usubjid),
    CONSTRAINT sync_subjects_patient_key UNIQUE (patient_id, source),
    CONSTRAINT sync_subjects_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id)
);

-- Every source record by its natural key, with the hash of its row as last applied: an equal hash is
-- "unchanged" and writes nothing. A record absent from a later export of its file is flagged, never deleted.
CREATE TABLE sync_records (
    source text NOT NULL,
    domain text NOT NULL,
    natural_key text NOT NULL,
    row_hash text NOT NULL,
    -- The registry row the record became, where the registry table has no natural key of its own.
    registry_row bigint,
    first_run bigint NOT NULL,
    last_changed_run bigint NOT NULL,
    missing_since_run bigint,
    CONSTRAINT sync_records_pkey PRIMARY KEY (source, domain, natural_key),
    CONSTRAINT sync_records_domain_known CHECK (domain IN ('DM', 'EX', 'AE', 'TU', 'TR', 'RS')),
    CONSTRAINT sync_records_first_run_fk FOREIGN KEY (first_run) REFERENCES sync_runs (run_id),
    CONSTRAINT sync_records_missing_run_fk FOREIGN KEY (missing_since_run) REFERENCES sync_runs (run_id)
);

CREATE INDEX sync_records_missing_idx ON sync_records (source, domain) WHERE missing_since_run IS NOT NULL;

-- Whether an evaluator's read of a patient is the accepted one (TUACPTFL); reads are kept apart and
-- reports use the investigator's unless told otherwise.
CREATE TABLE evaluator_reads (
    patient_id bigint NOT NULL,
    evaluator text NOT NULL,
    accepted boolean NOT NULL,
    CONSTRAINT evaluator_reads_pkey PRIMARY KEY (patient_id, evaluator),
    CONSTRAINT evaluator_reads_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT evaluator_reads_evaluator_format CHECK (evaluator ~ '^[a-z][a-z0-9_-]{0,39}$')
);

-- A response an evaluator of a source reported (SDTM RS), kept as that evaluator's record beside the
-- responses the registry computes; the date may be partial, as sources send it.
CREATE TABLE source_responses (
    patient_id bigint NOT NULL,
    evaluator text NOT NULL,
    visit_key text NOT NULL,
    test_code text NOT NULL,
    visit_number numeric,
    visit text,
    response text NOT NULL,
    response_date text,
    accepted boolean,
    CONSTRAINT source_responses_pkey PRIMARY KEY (patient_id, evaluator, visit_key, test_code),
    CONSTRAINT source_responses_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT source_responses_evaluator_format CHECK (evaluator ~ '^[a-z][a-z0-9_-]{0,39}$'),
    CONSTRAINT source_responses_test_code_known CHECK (test_code IN ('OVRLRESP', 'TRGRESP', 'NTRGRESP', 'NEWLPROG')),
    CONSTRAINT source_responses_date_format CHECK (response_date ~ '^\d{4}(-\d{2}(-\d{2})?)?$')
);

-- ISO 8601 dates as sources send them: the date part of a full or partial date (a time part is dropped),
-- or NULL when the text is not one; and the full date, or NULL when it is partial or not a date.
CREATE FUNCTION sync_date_part(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value !~ '^[12]\d{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?(T[0-9:.]*)?$' THEN NULL
        WHEN length(split_part(value, 'T', 1)) < 10 THEN split_part(value, 'T', 1)
        WHEN substr(value, 9, 2)::int
            <= extract(day FROM (substr(value, 1, 7) || '-01')::date + interval '1 month - 1 day') THEN substr(value, 1, 10)
    END
$$;

CREATE FUNCTION sync_full_date(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(sync_date_part(value)) = 10 THEN sync_date_part(value)::date END
$$;
