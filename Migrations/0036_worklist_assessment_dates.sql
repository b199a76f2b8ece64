-- The dates the worklist reads per open line (issue 18): each therapy line's latest follow-up assessment and each
-- patient's first baseline, kept by statement triggers on assessments. The worklist rule needs no more than these
-- two dates per line (RegistryDomain.Worklist: the outstanding visit follows from the latest recorded one;
-- WorklistLatestVisitTests checks that against every recorded date), and reading them from one row per line
-- replaces two index searches per open line, which took most of a 100,000-patient registry's worklist.
-- Derived data, like the eligibility states: not audited, written only by the trigger function below.
CREATE TABLE line_follow_up_dates (
    therapy_line_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    last_assessed_on date NOT NULL,
    CONSTRAINT line_follow_up_dates_pkey PRIMARY KEY (therapy_line_id),
    CONSTRAINT line_follow_up_dates_line_fk FOREIGN KEY (patient_id, therapy_line_id)
        REFERENCES therapy_lines (patient_id, therapy_line_id) ON DELETE CASCADE
);

CREATE TABLE patient_baseline_dates (
    patient_id bigint NOT NULL,
    first_baseline_on date NOT NULL,
    CONSTRAINT patient_baseline_dates_pkey PRIMARY KEY (patient_id),
    CONSTRAINT patient_baseline_dates_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id)
        ON DELETE CASCADE
);

-- Recomputes the dates of the lines and patients one statement touched (transition tables worklist_new_rows and
-- worklist_old_rows). An INSERT can only move a date outward, so it is folded in from the new rows alone, which keeps
-- a bulk COPY of assessments from reading them back; an UPDATE or DELETE recomputes from the assessments that remain.
-- SECURITY DEFINER: no group writes the dates itself.
CREATE FUNCTION worklist_dates_follow_assessments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    lines bigint[];
    baseline_patients bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM line_follow_up_dates;
        DELETE FROM patient_baseline_dates;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO line_follow_up_dates (therapy_line_id, patient_id, last_assessed_on)
        SELECT therapy_line_id, patient_id, max(assessed_on) FROM worklist_new_rows
        WHERE NOT is_baseline AND therapy_line_id IS NOT NULL GROUP BY therapy_line_id, patient_id
        ON CONFLICT (therapy_line_id) DO UPDATE
            SET last_assessed_on = greatest(line_follow_up_dates.last_assessed_on, EXCLUDED.last_assessed_on);
        INSERT INTO patient_baseline_dates (patient_id, first_baseline_on)
        SELECT patient_id, min(assessed_on) FROM worklist_new_rows WHERE is_baseline GROUP BY patient_id
        ON CONFLICT (patient_id) DO UPDATE
            SET first_baseline_on = least(patient_baseline_dates.first_baseline_on, EXCLUDED.first_baseline_on);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT therapy_line_id) FILTER (WHERE therapy_line_id IS NOT NULL),
               array_agg(DISTINCT patient_id)
        INTO lines, baseline_patients
        FROM (SELECT therapy_line_id, patient_id FROM worklist_old_rows
              UNION ALL SELECT therapy_line_id, patient_id FROM worklist_new_rows) AS changed;
    ELSE
        SELECT array_agg(DISTINCT therapy_line_id) FILTER (WHERE therapy_line_id IS NOT NULL),
               array_agg(DISTINCT patient_id)
        INTO lines, baseline_patients
        FROM worklist_old_rows;
    END IF;
    DELETE FROM line_follow_up_dates WHERE therapy_line_id = ANY (lines);
    INSERT INTO line_follow_up_dates (therapy_line_id, patient_id, last_assessed_on)
    SELECT therapy_line_id, patient_id, max(assessed_on) FROM assessments
    WHERE therapy_line_id = ANY (lines) AND NOT is_baseline GROUP BY therapy_line_id, patient_id;
    DELETE FROM patient_baseline_dates WHERE patient_id = ANY (baseline_patients);
    INSERT INTO patient_baseline_dates (patient_id, first_baseline_on)
    SELECT patient_id, min(assessed_on) FROM assessments
    WHERE patient_id = ANY (baseline_patients) AND is_baseline GROUP BY patient_id;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION worklist_dates_follow_assessments() FROM PUBLIC;

CREATE TRIGGER assessments_worklist_dates_insert AFTER INSERT ON assessments
    REFERENCING NEW TABLE AS worklist_new_rows FOR EACH STATEMENT EXECUTE FUNCTION worklist_dates_follow_assessments();
CREATE TRIGGER assessments_worklist_dates_update AFTER UPDATE ON assessments
    REFERENCING OLD TABLE AS worklist_old_rows NEW TABLE AS worklist_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worklist_dates_follow_assessments();
CREATE TRIGGER assessments_worklist_dates_delete AFTER DELETE ON assessments
    REFERENCING OLD TABLE AS worklist_old_rows FOR EACH STATEMENT EXECUTE FUNCTION worklist_dates_follow_assessments();
CREATE TRIGGER assessments_worklist_dates_truncate AFTER TRUNCATE ON assessments
    FOR EACH STATEMENT EXECUTE FUNCTION worklist_dates_follow_assessments();

-- The registry's assessments so far.
INSERT INTO line_follow_up_dates (therapy_line_id, patient_id, last_assessed_on)
SELECT therapy_line_id, patient_id, max(assessed_on) FROM assessments
WHERE NOT is_baseline AND therapy_line_id IS NOT NULL GROUP BY therapy_line_id, patient_id;
INSERT INTO patient_baseline_dates (patient_id, first_baseline_on)
SELECT patient_id, min(assessed_on) FROM assessments WHERE is_baseline GROUP BY patient_id;

-- Read as the worklist is: a coordinator sees the dates of the own sites' patients, as with the assessments.
ALTER TABLE line_follow_up_dates ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_baseline_dates ENABLE ROW LEVEL SECURITY;
CREATE POLICY line_follow_up_dates_own_sites ON line_follow_up_dates FOR SELECT TO sarcreg_coordinator
    USING (EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = line_follow_up_dates.patient_id));
CREATE POLICY patient_baseline_dates_own_sites ON patient_baseline_dates FOR SELECT TO sarcreg_coordinator
    USING (EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = patient_baseline_dates.patient_id));
CREATE POLICY line_follow_up_dates_readers ON line_follow_up_dates FOR SELECT
    TO sarcreg_investigator, sarcreg_sync, sarcreg_admin USING (true);
CREATE POLICY patient_baseline_dates_readers ON patient_baseline_dates FOR SELECT
    TO sarcreg_investigator, sarcreg_sync, sarcreg_admin USING (true);
GRANT SELECT ON line_follow_up_dates, patient_baseline_dates
    TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
