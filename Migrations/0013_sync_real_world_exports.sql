-- Imports take exports as real systems write them (issue 14).
--
-- A row an import reads but deliberately does not apply is "skipped" with a note, never quarantined and
-- never silently dropped: the other axis of a lesion (an LPERP row beside the LDIAM of a non-nodal target,
-- an LDIAM beside a node's LPERP) and a copy identical to an earlier row but for its --SEQ. The notes are
-- kept per run like the quarantine, and the file's counts reconcile with them.
ALTER TABLE sync_run_files ADD COLUMN skipped bigint NOT NULL DEFAULT 0;
ALTER TABLE sync_run_files DROP CONSTRAINT sync_run_files_rows_reconcile;
ALTER TABLE sync_run_files ADD CONSTRAINT sync_run_files_rows_reconcile
    CHECK (rows_read = inserted + updated + unchanged + quarantined + skipped);

CREATE TABLE sync_notes (
    run_id bigint NOT NULL,
    file_name text NOT NULL,
    line_number bigint NOT NULL,
    column_name text,
    value text,
    note text NOT NULL,
    CONSTRAINT sync_notes_run_fk FOREIGN KEY (run_id) REFERENCES sync_runs (run_id)
);

CREATE INDEX sync_notes_run_idx ON sync_notes (run_id, file_name, line_number);

GRANT SELECT, INSERT ON sync_notes TO sarcreg_sync;
GRANT SELECT ON sync_notes TO sarcreg_admin, sarcreg_investigator;

-- An EX record without an intent (no SUPPEX INTENT) is a line whose intent was not recorded, not a bad row:
-- most EDC exports carry no intent at all. RegistryDomain.TherapyIntent.notRecorded.
ALTER TABLE therapy_lines DROP CONSTRAINT therapy_lines_intent_known;
ALTER TABLE therapy_lines ADD CONSTRAINT therapy_lines_intent_known
    CHECK (intent IN ('neoadjuvant', 'adjuvant', 'curative', 'palliative', 'maintenance', 'not_recorded'));

-- The treatment of a placebo arm (EXTRT = PLACEBO in SDTM): a line of its own, so the patients of a
-- placebo arm have a start date for PFS. It has no target and no indication, so no match ever names it.
ALTER TABLE therapy_agents DROP CONSTRAINT therapy_agents_targets_not_empty;
ALTER TABLE therapy_agents ADD CONSTRAINT therapy_agents_targets_not_empty
    CHECK (cardinality(targets) > 0 OR drug_class = 'placebo');
INSERT INTO therapy_agents (agent_code, name, drug_class, targets, route, source_citation)
VALUES ('placebo', 'Placebo', 'placebo', '{}', NULL,
    'CDISC SDTMIG EX: EXTRT is PLACEBO for the treatment of a placebo arm');

-- Only the sync role binds a source's subject to a patient: a coordinator who could write the crosswalk could
-- file another site's subject under their own patient.
REVOKE INSERT, UPDATE, DELETE ON sync_subjects FROM sarcreg_coordinator, sarcreg_admin;
