-- Registry ids grow past 9,999 per site (issue 16): MUC-9999 is followed by MUC-10000. Before, the
-- site's counter was checked against 9,999 on the increment, so the 9,999th patient of a site could not
-- be enrolled and the coordinator saw a raw check violation instead of a registry message.
--
-- The id is made in one place, this function, which the enrollment, the imports and the check on
-- patients all use: four digits at least, so every id given so far stays as it is, and more when the
-- number needs them (lpad alone would cut 10000 to 1000).
CREATE FUNCTION sarcreg_registry_id(site_code text, site_sequence bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp
RETURN site_code || '-' || lpad(site_sequence::text, greatest(4, length(site_sequence::text)), '0');

ALTER TABLE sites DROP CONSTRAINT sites_next_patient_number_positive;
ALTER TABLE sites ADD CONSTRAINT sites_next_patient_number_positive CHECK (next_patient_number >= 1);

ALTER TABLE patients DROP CONSTRAINT patients_registry_id_matches_site;
ALTER TABLE patients ADD CONSTRAINT patients_registry_id_matches_site
    CHECK (registry_id = sarcreg_registry_id(site_code, site_sequence));
