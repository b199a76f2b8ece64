-- Registry core: sites, pseudonymized patients with their ECOG history, primary diagnoses,
-- molecular results, therapy lines with their agents, and adverse events.
-- Every constraint is named: the services map SQLSTATE + constraint name to the error a coordinator reads.

CREATE TABLE sites (
    site_code text NOT NULL,
    name text NOT NULL,
    -- The next number handed out for this site's registry ids. It is incremented in the enrolling
    -- transaction under the row lock, so concurrent enrollments queue and a rollback leaves no gap.
    next_patient_number integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sites_pkey PRIMARY KEY (site_code),
    CONSTRAINT sites_code_format CHECK (site_code ~ '^[A-Z][A-Z0-9]{1,9}$'),
    CONSTRAINT sites_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT sites_next_patient_number_positive CHECK (next_patient_number BETWEEN 1 AND 9999)
);

CREATE TABLE patients (
    patient_id bigint GENERATED ALWAYS AS IDENTITY,
    registry_id text NOT NULL,
    site_code text NOT NULL,
    site_sequence integer NOT NULL,
    -- HMAC-SHA-256 of the normalized medical record number, keyed by a secret the server never sees.
    mrn_hmac text NOT NULL,
    birth_year smallint NOT NULL,
    birth_date date,
    sex text NOT NULL,
    consent_date date NOT NULL,
    consent_withdrawn_on date,
    vital_status text NOT NULL DEFAULT 'alive',
    last_contact_on date,
    death_on date,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT patients_pkey PRIMARY KEY (patient_id),
    CONSTRAINT patients_registry_id_key UNIQUE (registry_id),
    CONSTRAINT patients_site_fk FOREIGN KEY (site_code) REFERENCES sites (site_code),
    CONSTRAINT patients_site_sequence_key UNIQUE (site_code, site_sequence),
    CONSTRAINT patients_site_mrn_key UNIQUE (site_code, mrn_hmac),
    CONSTRAINT patients_registry_id_matches_site CHECK (registry_id = site_code || '-' || lpad(site_sequence::text, 4, '0')),
    CONSTRAINT patients_mrn_hmac_format CHECK (mrn_hmac ~ '^[0-9a-f]{64}$'),
    CONSTRAINT patients_birth_year_range CHECK (birth_year BETWEEN 1900 AND 2200),
    CONSTRAINT patients_birth_date_matches_year CHECK (birth_date IS NULL OR extract(year FROM birth_date) = birth_year),
    CONSTRAINT patients_sex_known CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    CONSTRAINT patients_consent_after_birth CHECK (extract(year FROM consent_date) >= birth_year),
    CONSTRAINT patients_withdrawal_after_consent CHECK (consent_withdrawn_on IS NULL OR consent_withdrawn_on >= consent_date),
    CONSTRAINT patients_vital_status_known CHECK (vital_status IN ('alive', 'dead', 'unknown')),
    CONSTRAINT patients_death_needs_dead_status CHECK ((death_on IS NULL) OR vital_status = 'dead'),
    CONSTRAINT patients_death_after_birth CHECK (death_on IS NULL OR extract(year FROM death_on) >= birth_year),
    CONSTRAINT patients_last_contact_before_death CHECK (death_on IS NULL OR last_contact_on IS NULL OR last_contact_on <= death_on)
);

CREATE INDEX patients_site_idx ON patients (site_code);

-- ECOG performance status is a history: each assessment is a dated row.
CREATE TABLE patient_ecog (
    patient_id bigint NOT NULL,
    assessed_on date NOT NULL,
    ecog smallint NOT NULL,
    CONSTRAINT patient_ecog_pkey PRIMARY KEY (patient_id, assessed_on),
    CONSTRAINT patient_ecog_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT patient_ecog_range CHECK (ecog BETWEEN 0 AND 5)
);

-- HGNC gene symbols the registry accepts in molecular results and criteria.
CREATE TABLE genes (
    symbol text NOT NULL,
    CONSTRAINT genes_pkey PRIMARY KEY (symbol),
    CONSTRAINT genes_symbol_format CHECK (symbol ~ '^[A-Z][A-Z0-9-]*$')
);

INSERT INTO genes (symbol) VALUES
    ('ABL1'), ('ALK'), ('APC'), ('ASPSCR1'), ('ATRX'), ('BCOR'), ('BRAF'), ('CAMTA1'), ('CCNB3'),
    ('CDK4'), ('CDKN2A'), ('CIC'), ('COL1A1'), ('COL6A3'), ('CSF1'), ('CSF1R'), ('CTNNB1'), ('DDIT3'),
    ('DUX4'), ('EGFR'), ('ERBB2'), ('ERG'), ('ETV6'), ('EWSR1'), ('EZH2'), ('FGFR1'), ('FGFR2'),
    ('FGFR3'), ('FGFR4'), ('FLI1'), ('FOXO1'), ('FUS'), ('GLI1'), ('HMGA2'), ('HRAS'), ('IDH1'), ('IDH2'),
    ('KIT'), ('KRAS'), ('MDM2'), ('MET'), ('MYC'), ('MYOD1'), ('NAB2'), ('NF1'), ('NOTCH1'), ('NR4A3'),
    ('NRAS'), ('NTRK1'), ('NTRK2'), ('NTRK3'), ('PAX3'), ('PAX7'), ('PDGFB'), ('PDGFRA'), ('PDGFRB'),
    ('PIK3CA'), ('PTEN'), ('RB1'), ('RET'), ('ROS1'), ('SDHA'), ('SDHB'), ('SMARCA4'), ('SMARCB1'),
    ('SS18'), ('SSX1'), ('SSX2'), ('SSX4'), ('STAT6'), ('TFE3'), ('TFEB'), ('TP53'), ('TPM3'),
    ('TPM4'), ('TSC1'), ('TSC2'), ('VGLL2'), ('WT1'), ('YAP1'), ('WWTR1');

-- Every gene the catalog's biomarker rules name is a known gene.
INSERT INTO genes (symbol)
SELECT DISTINCT gene FROM therapy_indication_biomarkers
UNION SELECT DISTINCT partner_gene FROM therapy_indication_biomarkers WHERE partner_gene IS NOT NULL
ON CONFLICT (symbol) DO NOTHING;

CREATE TABLE diagnoses (
    diagnosis_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    icdo3_code text NOT NULL,
    -- The ICD-O edition the code was coded in; the code is stored as submitted, never recoded.
    icdo_version text NOT NULL,
    who_entity text NOT NULL,
    fnclcc_grade smallint,
    primary_site text NOT NULL,
    diagnosed_year smallint NOT NULL,
    diagnosed_month smallint,
    diagnosed_day smallint,
    disease_setting text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT diagnoses_pkey PRIMARY KEY (diagnosis_id),
    CONSTRAINT diagnoses_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT diagnoses_icdo3_fk FOREIGN KEY (icdo3_code) REFERENCES histology_codes (code),
    CONSTRAINT diagnoses_icdo_version_known CHECK (icdo_version IN ('3.0', '3.1', '3.2')),
    CONSTRAINT diagnoses_who_entity_not_blank CHECK (btrim(who_entity) <> ''),
    CONSTRAINT diagnoses_fnclcc_grade_range CHECK (fnclcc_grade BETWEEN 1 AND 3),
    CONSTRAINT diagnoses_primary_site_not_blank CHECK (btrim(primary_site) <> ''),
    CONSTRAINT diagnoses_month_range CHECK (diagnosed_month BETWEEN 1 AND 12),
    CONSTRAINT diagnoses_day_needs_month CHECK (diagnosed_day IS NULL OR diagnosed_month IS NOT NULL),
    CONSTRAINT diagnoses_day_range CHECK (diagnosed_day BETWEEN 1 AND 31),
    CONSTRAINT diagnoses_disease_setting_known CHECK (
        disease_setting IN ('localized', 'locally_advanced_unresectable', 'metastatic'))
);

CREATE INDEX diagnoses_patient_idx ON diagnoses (patient_id);

CREATE TABLE molecular_results (
    molecular_result_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    gene text NOT NULL,
    alteration_kind text NOT NULL,
    partner_gene text,
    hgvs text,
    method text NOT NULL,
    result text NOT NULL,
    -- A mutation known to confer acquired resistance (e.g. an NTRK solvent-front mutation).
    acquired_resistance boolean NOT NULL DEFAULT false,
    specimen_date date,
    report_date date NOT NULL,
    laboratory text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT molecular_results_pkey PRIMARY KEY (molecular_result_id),
    CONSTRAINT molecular_results_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT molecular_results_gene_fk FOREIGN KEY (gene) REFERENCES genes (symbol),
    CONSTRAINT molecular_results_partner_gene_fk FOREIGN KEY (partner_gene) REFERENCES genes (symbol),
    CONSTRAINT molecular_results_alteration_kind_known CHECK (alteration_kind IN (
        'fusion', 'amplification', 'mutation', 'deletion', 'loss_of_expression', 'overexpression', 'rearrangement')),
    CONSTRAINT molecular_results_partner_only_for_fusions CHECK (
        partner_gene IS NULL OR alteration_kind IN ('fusion', 'rearrangement')),
    CONSTRAINT molecular_results_method_known CHECK (method IN ('ngs_dna', 'ngs_rna', 'fish', 'ihc', 'pcr')),
    CONSTRAINT molecular_results_result_known CHECK (result IN ('positive', 'negative', 'equivocal', 'failed')),
    CONSTRAINT molecular_results_resistance_is_mutation CHECK (NOT acquired_resistance OR alteration_kind = 'mutation'),
    CONSTRAINT molecular_results_report_after_specimen CHECK (specimen_date IS NULL OR report_date >= specimen_date)
);

CREATE INDEX molecular_results_patient_idx ON molecular_results (patient_id);

-- Standard cytotoxic agents, so that therapy lines and prior-therapy rules ("after an anthracycline")
-- can name them. The review mentions them as first-line and comparator therapy.
INSERT INTO therapy_agents (agent_code, name, drug_class, targets, route, source_citation) VALUES
    ('doxorubicin', 'doxorubicin', 'anthracycline', ARRAY['TOP2A'], 'intravenous', 'review: first-line anthracycline-based chemotherapy'),
    ('epirubicin', 'epirubicin', 'anthracycline', ARRAY['TOP2A'], 'intravenous', 'review: anthracycline-based regimens'),
    ('ifosfamide', 'ifosfamide', 'alkylating_agent', ARRAY['DNA'], 'intravenous', 'review: anthracycline-based regimens'),
    ('dacarbazine', 'dacarbazine', 'alkylating_agent', ARRAY['DNA'], 'intravenous', 'review [92]: APROMISS comparator'),
    ('gemcitabine', 'gemcitabine', 'antimetabolite', ARRAY['DNA synthesis'], 'intravenous', 'review: second-line chemotherapy'),
    ('docetaxel', 'docetaxel', 'taxane', ARRAY['microtubules'], 'intravenous', 'review: second-line chemotherapy'),
    ('eribulin', 'eribulin', 'microtubule_inhibitor', ARRAY['microtubules'], 'intravenous', 'review: approved in liposarcoma'),
    ('trabectedin', 'trabectedin', 'alkylating_agent', ARRAY['DNA minor groove'], 'intravenous', 'review: approved in L-sarcoma')
ON CONFLICT (agent_code) DO NOTHING;

CREATE TABLE therapy_lines (
    therapy_line_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    line_number smallint NOT NULL,
    intent text NOT NULL,
    started_on date NOT NULL,
    stopped_on date,
    stop_reason text,
    dose text,
    trial_nct text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT therapy_lines_pkey PRIMARY KEY (therapy_line_id),
    CONSTRAINT therapy_lines_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT therapy_lines_patient_line_key UNIQUE (patient_id, line_number),
    CONSTRAINT therapy_lines_line_number_range CHECK (line_number BETWEEN 1 AND 30),
    CONSTRAINT therapy_lines_intent_known CHECK (intent IN ('neoadjuvant', 'adjuvant', 'curative', 'palliative', 'maintenance')),
    CONSTRAINT therapy_lines_stop_after_start CHECK (stopped_on IS NULL OR stopped_on >= started_on),
    CONSTRAINT therapy_lines_stop_reason_known CHECK (stop_reason IN (
        'progression', 'toxicity', 'completed', 'patient_choice', 'death', 'other')),
    CONSTRAINT therapy_lines_stop_reason_with_stop CHECK ((stopped_on IS NULL) = (stop_reason IS NULL)),
    CONSTRAINT therapy_lines_trial_nct_format CHECK (trial_nct ~ '^NCT[0-9]{8}$')
);

CREATE INDEX therapy_lines_patient_idx ON therapy_lines (patient_id);

CREATE TABLE therapy_line_agents (
    therapy_line_id bigint NOT NULL,
    agent_code text NOT NULL,
    CONSTRAINT therapy_line_agents_pkey PRIMARY KEY (therapy_line_id, agent_code),
    CONSTRAINT therapy_line_agents_line_fk FOREIGN KEY (therapy_line_id) REFERENCES therapy_lines (therapy_line_id),
    CONSTRAINT therapy_line_agents_agent_fk FOREIGN KEY (agent_code) REFERENCES therapy_agents (agent_code)
);

CREATE INDEX therapy_line_agents_agent_idx ON therapy_line_agents (agent_code);

CREATE TABLE adverse_events (
    adverse_event_id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    therapy_line_id bigint,
    ctcae_term text NOT NULL,
    ctcae_version text NOT NULL,
    grade smallint NOT NULL,
    onset_on date NOT NULL,
    resolved_on date,
    attribution text NOT NULL,
    serious boolean NOT NULL DEFAULT false,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT adverse_events_pkey PRIMARY KEY (adverse_event_id),
    CONSTRAINT adverse_events_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (patient_id),
    CONSTRAINT adverse_events_line_fk FOREIGN KEY (therapy_line_id) REFERENCES therapy_lines (therapy_line_id),
    CONSTRAINT adverse_events_term_not_blank CHECK (btrim(ctcae_term) <> ''),
    CONSTRAINT adverse_events_ctcae_version_known CHECK (ctcae_version IN ('4.0', '4.03', '5.0', '6.0')),
    CONSTRAINT adverse_events_grade_range CHECK (grade BETWEEN 1 AND 5),
    CONSTRAINT adverse_events_resolved_after_onset CHECK (resolved_on IS NULL OR resolved_on >= onset_on),
    CONSTRAINT adverse_events_attribution_known CHECK (attribution IN (
        'unrelated', 'unlikely', 'possible', 'probable', 'definite'))
);

CREATE INDEX adverse_events_patient_idx ON adverse_events (patient_id);
CREATE INDEX adverse_events_line_idx ON adverse_events (therapy_line_id);
