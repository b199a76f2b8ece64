-- Sync of REDCap projects built from the registry's published data dictionary (REDCap/): the flat record
-- export is a format of its own in the run log, each export row is one sync record keyed by
-- (record, event, repeat instrument, repeat instance), and an administrator's rename of a record id
-- between two nights is kept with the run that applied it.

ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_format_known;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_format_known CHECK (format IN ('sdtm', 'redcap'));

ALTER TABLE sync_records DROP CONSTRAINT sync_records_domain_known;
ALTER TABLE sync_records ADD CONSTRAINT sync_records_domain_known CHECK (
    domain IN ('DM', 'EX', 'AE', 'TU', 'TR', 'RS', 'REDCAP'));

-- A record id the source renamed (REDCap renames are write-new + delete-old). Identity follows only an
-- explicit mapping given to the import, never demographics.
CREATE TABLE sync_record_renames (
    run_id bigint NOT NULL,
    source text NOT NULL,
    old_record_id text NOT NULL,
    new_record_id text NOT NULL,
    CONSTRAINT sync_record_renames_pkey PRIMARY KEY (run_id, old_record_id),
    CONSTRAINT sync_record_renames_run_fk FOREIGN KEY (run_id) REFERENCES sync_runs (run_id),
    CONSTRAINT sync_record_renames_differ CHECK (old_record_id <> new_record_id)
);

GRANT SELECT, INSERT ON sync_record_renames TO sarcreg_sync;
GRANT SELECT ON sync_record_renames TO sarcreg_admin, sarcreg_investigator;
