-- Trials: definitions as data (arms with allocation ratios, cohorts with capacities, eligibility criteria),
-- allocation sequences generated ahead, the screening log and enrollments.
-- Every constraint is named: the services map SQLSTATE + constraint name to the error a coordinator reads.

-- The definition is kept as submitted (jsonb): the criteria are read back from it and checked against the
-- current vocabulary at every screening, so a histology group that gains a member applies at once.
CREATE TABLE trials (
    trial_nct text NOT NULL,
    acronym text,
    title text NOT NULL,
    phase text NOT NULL,
    status text NOT NULL,
    sponsor text NOT NULL,
    definition jsonb NOT NULL,
    randomization_seed bigint,
    block_sizes integer[],
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by text NOT NULL DEFAULT current_user,
    CONSTRAINT trials_pkey PRIMARY KEY (trial_nct),
    CONSTRAINT trials_nct_format CHECK (trial_nct ~ '^NCT[0-9]{8}$'),
    CONSTRAINT trials_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT trials_sponsor_not_blank CHECK (btrim(sponsor) <> ''),
    CONSTRAINT trials_phase_known CHECK (phase IN ('1', '1/2', '2', '2/3', '3', '4')),
    CONSTRAINT trials_status_known CHECK (status IN (
        'not_yet_recruiting', 'recruiting', 'active_not_recruiting', 'suspended', 'completed', 'terminated', 'withdrawn')),
    CONSTRAINT trials_definition_is_object CHECK (jsonb_typeof(definition) = 'object'),
    CONSTRAINT trials_randomization_complete CHECK ((randomization_seed IS NULL) = (block_sizes IS NULL))
);

CREATE TABLE trial_arms (
    trial_nct text NOT NULL,
    arm_code text NOT NULL,
    label text NOT NULL,
    allocation_ratio smallint NOT NULL,
    agents text[] NOT NULL DEFAULT '{}',
    position smallint NOT NULL,
    CONSTRAINT trial_arms_pkey PRIMARY KEY (trial_nct, arm_code),
    CONSTRAINT trial_arms_trial_fk FOREIGN KEY (trial_nct) REFERENCES trials (trial_nct),
    CONSTRAINT trial_arms_code_format CHECK (arm_code ~ '^[a-z][a-z0-9_]{0,39}$'),
    CONSTRAINT trial_arms_ratio_range CHECK (allocation_ratio BETWEEN 1 AND 20)
);

-- places_taken is incremented in the enrolling transaction under the row lock, and can never pass the
-- capacity: concurrent enrollments queue on the row, and the last place is handed out once.
CREATE TABLE trial_cohorts (
    cohort_id bigint GENERATED ALWAYS AS IDENTITY,
    trial_nct text NOT NULL,
    cohort_code text NOT NULL,
    label text NOT NULL,
    capacity integer NOT NULL,
    places_taken integer NOT NULL DEFAULT 0,
    -- NULL: randomized over the trial's arms; otherwise every patient receives this arm.
    fixed_arm_code text,
    position smallint NOT NULL,
    CONSTRAINT trial_cohorts_pkey PRIMARY KEY (cohort_id),
    CONSTRAINT trial_cohorts_trial_code_key UNIQUE (trial_nct, cohort_code),
    CONSTRAINT trial_cohorts_trial_fk FOREIGN KEY (trial_nct) REFERENCES trials (trial_nct),
    CONSTRAINT trial_cohorts_fixed_arm_fk FOREIGN KEY (trial_nct, fixed_arm_code) REFERENCES trial_arms (trial_nct, arm_code),
    CONSTRAINT trial_cohorts_code_format CHECK (cohort_code ~ '^[a-z][a-z0-9_]{0,39}$'),
    CONSTRAINT trial_cohorts_capacity_range CHECK (capacity BETWEEN 1 AND 10000),
    CONSTRAINT trial_cohorts_places_within_capacity CHECK (places_taken BETWEEN 0 AND capacity)
);

CREATE TABLE trial_strata_factors (
    trial_nct text NOT NULL,
    factor_code text NOT NULL,
    levels text[] NOT NULL,
    position smallint NOT NULL,
    CONSTRAINT trial_strata_factors_pkey PRIMARY KEY (trial_nct, factor_code),
    CONSTRAINT trial_strata_factors_trial_fk FOREIGN KEY (trial_nct) REFERENCES trials (trial_nct),
    CONSTRAINT trial_strata_factors_two_levels CHECK (cardinality(levels) >= 2)
);

-- Every screening is kept with its outcome and, per criterion, the patient's value and the reason,
-- so screen failures can be counted by reason.
CREATE TABLE trial_screenings (
    screening_id bigint GENERATED ALWAYS AS IDENTITY,
    trial_nct text NOT NULL,
    patient_id bigint NOT NULL,
    cohort_code text,
    screened_on date NOT NULL,
    outcome text NOT NULL,
    screened_at timestamptz NOT NULL DEFAULT now(),
    screened_by text NOT NULL DEFAULT current_user,
    screened_by_name text,
    CONSTRAINT trial_screenings_pkey PRIMARY KEY (screening_id),
    CONSTRAINT trial_screenings_trial_fk FOREIGN KEY (trial_nct) REFERENCES trials (trial_nct),
    CONSTRAINT trial_screenings_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT trial_screenings_cohort_fk FOREIGN KEY (trial_nct, cohort_code) REFERENCES trial_cohorts (trial_nct, cohort_code),
    CONSTRAINT trial_screenings_outcome_known CHECK (outcome IN ('eligible', 'not_eligible', 'incomplete'))
);

CREATE INDEX trial_screenings_trial_idx ON trial_screenings (trial_nct, patient_id);

CREATE TABLE trial_screening_criteria (
    screening_id bigint NOT NULL,
    position smallint NOT NULL,
    criterion_kind text NOT NULL,
    criterion text NOT NULL,
    outcome text NOT NULL,
    patient_value text NOT NULL,
    reason text NOT NULL,
    CONSTRAINT trial_screening_criteria_pkey PRIMARY KEY (screening_id, position),
    CONSTRAINT trial_screening_criteria_screening_fk FOREIGN KEY (screening_id) REFERENCES trial_screenings (screening_id),
    CONSTRAINT trial_screening_criteria_kind_known CHECK (criterion_kind IN (
        'histology', 'required_finding', 'excluding_finding', 'age', 'maximum_ecog', 'prior_lines',
        'required_prior_therapy', 'excluded_prior_therapy', 'measurable_disease', 'disease_setting')),
    CONSTRAINT trial_screening_criteria_outcome_known CHECK (outcome IN ('met', 'notMet', 'unknown'))
);

-- Who enrolled: the database user, and the name given with --by.
CREATE TABLE trial_enrollments (
    enrollment_id bigint GENERATED ALWAYS AS IDENTITY,
    trial_nct text NOT NULL,
    cohort_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    site_code text NOT NULL,
    place_number integer NOT NULL,
    arm_code text NOT NULL,
    -- Canonical 'factor=level;factor=level' in the trial's factor order; '' when not stratified.
    stratum_key text NOT NULL DEFAULT '',
    screening_id bigint NOT NULL,
    enrolled_on date NOT NULL,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    enrolled_by text NOT NULL DEFAULT current_user,
    enrolled_by_name text,
    CONSTRAINT trial_enrollments_pkey PRIMARY KEY (enrollment_id),
    CONSTRAINT trial_enrollments_patient_once UNIQUE (trial_nct, patient_id),
    CONSTRAINT trial_enrollments_place_once UNIQUE (cohort_id, place_number),
    CONSTRAINT trial_enrollments_trial_fk FOREIGN KEY (trial_nct) REFERENCES trials (trial_nct),
    CONSTRAINT trial_enrollments_cohort_fk FOREIGN KEY (cohort_id) REFERENCES trial_cohorts (cohort_id),
    CONSTRAINT trial_enrollments_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT trial_enrollments_site_fk FOREIGN KEY (site_code) REFERENCES sites (site_code),
    CONSTRAINT trial_enrollments_arm_fk FOREIGN KEY (trial_nct, arm_code) REFERENCES trial_arms (trial_nct, arm_code),
    CONSTRAINT trial_enrollments_screening_fk FOREIGN KEY (screening_id) REFERENCES trial_screenings (screening_id),
    CONSTRAINT trial_enrollments_place_positive CHECK (place_number >= 1)
);

CREATE INDEX trial_enrollments_cohort_idx ON trial_enrollments (cohort_id);

-- The allocation sequence of each randomized cohort and stratum, generated when the trial is added
-- (seeded, so it can be regenerated and checked) and revealed one slot at a time, in order, at enrollment.
CREATE TABLE trial_allocation_slots (
    cohort_id bigint NOT NULL,
    stratum_key text NOT NULL,
    position integer NOT NULL,
    block_number integer NOT NULL,
    block_size smallint NOT NULL,
    trial_nct text NOT NULL,
    arm_code text NOT NULL,
    enrollment_id bigint,
    revealed_at timestamptz,
    CONSTRAINT trial_allocation_slots_pkey PRIMARY KEY (cohort_id, stratum_key, position),
    CONSTRAINT trial_allocation_slots_cohort_fk FOREIGN KEY (cohort_id) REFERENCES trial_cohorts (cohort_id),
    CONSTRAINT trial_allocation_slots_arm_fk FOREIGN KEY (trial_nct, arm_code) REFERENCES trial_arms (trial_nct, arm_code),
    CONSTRAINT trial_allocation_slots_enrollment_fk FOREIGN KEY (enrollment_id) REFERENCES trial_enrollments (enrollment_id),
    CONSTRAINT trial_allocation_slots_enrollment_once UNIQUE (enrollment_id),
    CONSTRAINT trial_allocation_slots_revealed_with_enrollment CHECK ((enrollment_id IS NULL) = (revealed_at IS NULL)),
    CONSTRAINT trial_allocation_slots_position_positive CHECK (position >= 1)
);
