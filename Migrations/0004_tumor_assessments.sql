-- Tumor assessments for RECIST 1.1: the lesions chosen at baseline, the assessments of each evaluator
-- with one result per lesion, and the RECIST choices each trial makes.
-- Every constraint is named: the services map SQLSTATE + constraint name to the error a coordinator reads.
-- The RECIST rules themselves (target limits, measurability, sizes against the baseline) are checked by the
-- pure engine before anything is written; the constraints here keep the stored shape consistent.

-- RECIST leaves some choices to the protocol ([E09] §4.4.3, §4.6; RECIST FAQ). One row per trial, keyed by
-- its NCT id until a trials table exists; a therapy line given in a trial (therapy_lines.trial_nct) is scored
-- under that trial's row, and every other line under the defaults below, which are RECIST's own:
--   confirmation_required                 true: CR/PR count as best response only when confirmed by a later
--                                         assessment (non-randomised trials with response as the endpoint);
--                                         false for randomised trials.
--   confirmation_interval_days            28: least number of days between a CR/PR and its confirmation (4 weeks).
--   sd_minimum_interval_days              42: least number of days after the start of therapy at which SD
--                                         (or NON-CR/NON-PD) can be the best response (protocols use 6-8 weeks).
--   continuing_partial_response           'keep_once_established': once a PR is established, a sum drifting
--                                         back above 70 % of baseline stays PR until PD (RECIST FAQ);
--                                         'reapply_thresholds': every visit is scored on its own sum.
--   reappearance_after_complete_response  'progression': disease seen again after an overall CR is PD
--                                         (Table 3 footnote a); 'reclassify_as_partial_response': the earlier
--                                         CR becomes PR and the visit is scored by the arithmetic.
CREATE TABLE trial_response_policies (
    trial_nct text NOT NULL,
    confirmation_required boolean NOT NULL DEFAULT true,
    confirmation_interval_days smallint NOT NULL DEFAULT 28,
    sd_minimum_interval_days smallint NOT NULL DEFAULT 42,
    continuing_partial_response text NOT NULL DEFAULT 'keep_once_established',
    reappearance_after_complete_response text NOT NULL DEFAULT 'progression',
    CONSTRAINT trial_response_policies_pkey PRIMARY KEY (trial_nct),
    CONSTRAINT trial_response_policies_trial_nct_format CHECK (trial_nct ~ '^NCT[0-9]{8}$'),
    CONSTRAINT trial_response_policies_confirmation_interval_range CHECK (confirmation_interval_days BETWEEN 1 AND 365),
    CONSTRAINT trial_response_policies_sd_minimum_interval_range CHECK (sd_minimum_interval_days BETWEEN 0 AND 365),
    CONSTRAINT trial_response_policies_continuing_partial_response_known CHECK (
        continuing_partial_response IN ('keep_once_established', 'reapply_thresholds')),
    CONSTRAINT trial_response_policies_reappearance_known CHECK (
        reappearance_after_complete_response IN ('progression', 'reclassify_as_partial_response'))
);

-- A lesion followed by one evaluator: the investigator or an independent reader each choose and name
-- their own lesions, so nadir and best response never mix readers. Target and non-target lesions are
-- chosen at baseline; a new lesion gets its row when it is first reported, without organ or method.
-- The class never changes: results carry it and reference (lesion_id, lesion_class).
CREATE TABLE lesions (
    lesion_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    evaluator text NOT NULL,
    -- The identifier the reader uses throughout ("T1", "NT2", "NEW1").
    label text NOT NULL,
    lesion_class text NOT NULL,
    organ text,
    -- A node is measured by its short axis, and all nodes together count as one organ for target limits.
    is_lymph_node boolean NOT NULL DEFAULT false,
    imaging_method text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lesions_pkey PRIMARY KEY (lesion_id),
    CONSTRAINT lesions_id_class_key UNIQUE (lesion_id, lesion_class),
    CONSTRAINT lesions_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT lesions_patient_evaluator_label_key UNIQUE (patient_id, evaluator, label),
    CONSTRAINT lesions_evaluator_format CHECK (evaluator ~ '^[a-z][a-z0-9_-]{0,39}$'),
    CONSTRAINT lesions_label_format CHECK (label ~ '^[A-Z0-9][A-Z0-9_.-]{0,19}$'),
    CONSTRAINT lesions_class_known CHECK (lesion_class IN ('target', 'non_target', 'new')),
    CONSTRAINT lesions_organ_not_blank CHECK (btrim(organ) <> ''),
    CONSTRAINT lesions_imaging_method_known CHECK (imaging_method IN ('ct', 'mri', 'pet_ct', 'x_ray', 'ultrasound', 'clinical')),
    CONSTRAINT lesions_baseline_lesion_located CHECK (
        lesion_class = 'new' OR (organ IS NOT NULL AND imaging_method IS NOT NULL))
);

CREATE INDEX lesions_patient_idx ON lesions (patient_id, evaluator);

-- One evaluator's reading of one time point. The baseline assessment (one per patient and evaluator)
-- holds the baseline measurements; follow-ups name the therapy line they assess, whose start date the
-- SD minimum interval and progression-free survival count from.
CREATE TABLE assessments (
    assessment_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    evaluator text NOT NULL,
    assessed_on date NOT NULL,
    is_baseline boolean NOT NULL DEFAULT false,
    therapy_line_id bigint,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assessments_pkey PRIMARY KEY (assessment_id),
    CONSTRAINT assessments_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT assessments_line_fk FOREIGN KEY (therapy_line_id) REFERENCES therapy_lines (therapy_line_id),
    CONSTRAINT assessments_patient_evaluator_date_key UNIQUE (patient_id, evaluator, assessed_on),
    CONSTRAINT assessments_one_baseline EXCLUDE USING btree (patient_id WITH =, evaluator WITH =) WHERE (is_baseline),
    CONSTRAINT assessments_evaluator_format CHECK (evaluator ~ '^[a-z][a-z0-9_-]{0,39}$'),
    CONSTRAINT assessments_follow_up_has_line CHECK (is_baseline OR therapy_line_id IS NOT NULL)
);

-- One lesion's result at one assessment. A target has a diameter in mm (longest diameter, short axis for a
-- node), or is too small to measure (scored 5 mm), disappeared (0 mm) or not done; a non-target has a state
-- (a non-target node may keep its baseline short axis); a new lesion is equivocal or unequivocal.
CREATE TABLE assessment_results (
    assessment_id bigint NOT NULL,
    lesion_id bigint NOT NULL,
    lesion_class text NOT NULL,
    result text NOT NULL,
    diameter_mm numeric(6,2),
    CONSTRAINT assessment_results_pkey PRIMARY KEY (assessment_id, lesion_id),
    CONSTRAINT assessment_results_assessment_fk FOREIGN KEY (assessment_id) REFERENCES assessments (assessment_id),
    CONSTRAINT assessment_results_lesion_fk FOREIGN KEY (lesion_id, lesion_class) REFERENCES lesions (lesion_id, lesion_class),
    CONSTRAINT assessment_results_result_fits_class CHECK (CASE lesion_class
        WHEN 'target' THEN result IN ('measured', 'too_small_to_measure', 'disappeared', 'not_done')
        WHEN 'non_target' THEN result IN ('present', 'absent', 'unequivocal_progression', 'not_evaluable')
        ELSE result IN ('equivocal', 'unequivocal') END),
    CONSTRAINT assessment_results_diameter_when_measured CHECK (CASE result
        WHEN 'measured' THEN diameter_mm IS NOT NULL
        WHEN 'present' THEN true
        ELSE diameter_mm IS NULL END),
    CONSTRAINT assessment_results_diameter_range CHECK (diameter_mm BETWEEN 0 AND 1000)
);

CREATE INDEX assessment_results_lesion_idx ON assessment_results (lesion_id);
