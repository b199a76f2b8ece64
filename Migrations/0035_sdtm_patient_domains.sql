-- The SDTM import reads the patient's disposition (DS), primary diagnosis (MH) and molecular results (GF) as
-- records of their own, each keyed and flagged when missing like the other domains.

ALTER TABLE sync_records DROP CONSTRAINT sync_records_domain_known;
ALTER TABLE sync_records ADD CONSTRAINT sync_records_domain_known CHECK (
    domain IN ('DM', 'EX', 'AE', 'TU', 'TR', 'RS', 'MH', 'GF', 'DS', 'REDCAP'));

-- As in 0016, with the domains of sync_records_domain_known above, each one range of the key's index.
CREATE OR REPLACE FUNCTION sarcreg_import_provenance(p_patient_id bigint)
RETURNS TABLE (run_id bigint, started_at timestamptz, database_user text, os_user text, source text, domain text,
    natural_key text, file_name text, line_number bigint, row_hash text, last_changed_run bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.run_id, r.started_at, r.database_user, r.os_user, x.source, c.domain, c.natural_key, c.first_file, c.first_line,
        c.row_hash, c.last_changed_run
    FROM sync_subjects x
    JOIN sync_records c ON c.source = x.source AND c.domain = ANY (ARRAY['DM', 'EX', 'AE', 'TU', 'TR', 'RS', 'MH', 'GF', 'DS', 'REDCAP'])
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

-- The exact age at consent an SDTM import read (DM AGE) for a patient whose birth date the export did not
-- carry (BRTHDTC is the year alone): the year gives the age only to within one, and an export must give
-- the AGE it was given.
ALTER TABLE patients ADD COLUMN age_at_consent smallint;
