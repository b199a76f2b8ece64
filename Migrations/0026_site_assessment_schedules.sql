-- A site's default assessment schedule (issue 18): the imaging and survival follow-up calendars its patients
-- follow outside a trial, or on a trial whose definition gives none. The document has the shape of a trial
-- definition's "schedule" and is validated by RegistryDomain.AssessmentSchedules before it is written.
CREATE TABLE site_assessment_schedules (
    site_code text NOT NULL,
    schedule jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT current_user,
    CONSTRAINT site_assessment_schedules_pkey PRIMARY KEY (site_code),
    CONSTRAINT site_assessment_schedules_site_fk FOREIGN KEY (site_code) REFERENCES sites (site_code),
    CONSTRAINT site_assessment_schedules_is_object CHECK (jsonb_typeof(schedule) = 'object')
);

-- Sites are administered (0007): an administrator sets the schedule; everyone who reads the worklist reads it.
GRANT SELECT, INSERT, UPDATE ON site_assessment_schedules TO sarcreg_admin;
GRANT SELECT ON site_assessment_schedules TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync;

-- The worklist reads each open line's follow-up dates.
CREATE INDEX assessments_line_idx ON assessments (therapy_line_id, assessed_on) WHERE NOT is_baseline;
