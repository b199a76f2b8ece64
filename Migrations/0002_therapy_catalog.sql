-- Therapy catalog: the targeted agents for soft tissue sarcoma, their indications with the
-- eligibility criteria as data, and each indication's dated regulatory status.
-- Source: shared/domain/therapies.md, i.e. the review in shared/seed (bracketed numbers are its
-- reference numbers) plus the later public facts listed there. The catalog is reference data:
-- criteria live in rows so that a new approval or a withdrawn indication is a data change, and a
-- status change is a new dated row in therapy_indication_status, never an update of an old one.

CREATE TABLE therapy_agents (
    agent_code text NOT NULL,
    name text NOT NULL,
    drug_class text NOT NULL,
    targets text[] NOT NULL,
    route text,
    source_citation text NOT NULL,
    CONSTRAINT therapy_agents_pkey PRIMARY KEY (agent_code),
    CONSTRAINT therapy_agents_code_format CHECK (agent_code ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT therapy_agents_name_key UNIQUE (name),
    CONSTRAINT therapy_agents_drug_class_format CHECK (drug_class ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT therapy_agents_targets_not_empty CHECK (cardinality(targets) > 0),
    CONSTRAINT therapy_agents_route_known CHECK (route IN ('oral', 'intravenous')),
    CONSTRAINT therapy_agents_source_not_blank CHECK (btrim(source_citation) <> '')
);

COMMENT ON COLUMN therapy_agents.route IS
    'NULL when the cited source does not state the route.';

CREATE TABLE therapy_indications (
    indication_id bigint GENERATED ALWAYS AS IDENTITY,
    indication_code text NOT NULL,
    agent_code text NOT NULL,
    combined_with_agent_code text,
    label text NOT NULL,
    minimum_age_years smallint,
    disease_settings text[] NOT NULL,
    required_prior_therapy_classes text[] NOT NULL DEFAULT '{}',
    minimum_prior_lines smallint NOT NULL DEFAULT 0,
    boxed_warning text,
    rems_required boolean NOT NULL DEFAULT false,
    evidence_summary text NOT NULL,
    source_citation text NOT NULL,
    CONSTRAINT therapy_indications_pkey PRIMARY KEY (indication_id),
    CONSTRAINT therapy_indications_code_key UNIQUE (indication_code),
    CONSTRAINT therapy_indications_code_format CHECK (indication_code ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT therapy_indications_agent_fk FOREIGN KEY (agent_code)
        REFERENCES therapy_agents (agent_code),
    CONSTRAINT therapy_indications_combined_agent_fk FOREIGN KEY (combined_with_agent_code)
        REFERENCES therapy_agents (agent_code),
    CONSTRAINT therapy_indications_combined_agent_differs CHECK (combined_with_agent_code <> agent_code),
    CONSTRAINT therapy_indications_label_not_blank CHECK (btrim(label) <> ''),
    CONSTRAINT therapy_indications_minimum_age_range CHECK (minimum_age_years BETWEEN 0 AND 120),
    CONSTRAINT therapy_indications_disease_settings_known CHECK (
        cardinality(disease_settings) > 0
        AND disease_settings <@ ARRAY['localized', 'locally_advanced_unresectable', 'metastatic']::text[]),
    CONSTRAINT therapy_indications_prior_classes_format CHECK (
        array_to_string(required_prior_therapy_classes, ',') ~ '^([a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*)?$'),
    CONSTRAINT therapy_indications_minimum_prior_lines_range CHECK (minimum_prior_lines BETWEEN 0 AND 20),
    CONSTRAINT therapy_indications_boxed_warning_not_blank CHECK (btrim(boxed_warning) <> ''),
    CONSTRAINT therapy_indications_source_not_blank CHECK (btrim(source_citation) <> '')
);

CREATE INDEX therapy_indications_agent_idx ON therapy_indications (agent_code);

COMMENT ON COLUMN therapy_indications.minimum_age_years IS
    'NULL when the indication sets no lower age limit (e.g. larotrectinib: adult and pediatric).';
COMMENT ON COLUMN therapy_indications.required_prior_therapy_classes IS
    'The patient must have received at least one of these therapy classes; empty means no requirement.';

-- Which histologies an indication covers: included codes or groups, minus excluded ones.
CREATE TABLE therapy_indication_histologies (
    indication_histology_id bigint GENERATED ALWAYS AS IDENTITY,
    indication_id bigint NOT NULL,
    selection text NOT NULL,
    code text,
    group_code text,
    CONSTRAINT therapy_indication_histologies_pkey PRIMARY KEY (indication_histology_id),
    CONSTRAINT therapy_indication_histologies_indication_fk FOREIGN KEY (indication_id)
        REFERENCES therapy_indications (indication_id),
    CONSTRAINT therapy_indication_histologies_code_fk FOREIGN KEY (code)
        REFERENCES histology_codes (code),
    CONSTRAINT therapy_indication_histologies_group_fk FOREIGN KEY (group_code)
        REFERENCES histology_entity_groups (group_code),
    CONSTRAINT therapy_indication_histologies_selection_known CHECK (selection IN ('include', 'exclude')),
    CONSTRAINT therapy_indication_histologies_one_target CHECK (num_nonnulls(code, group_code) = 1),
    CONSTRAINT therapy_indication_histologies_target_key UNIQUE NULLS NOT DISTINCT (indication_id, code, group_code)
);

-- Molecular criteria. Rows of one indication with the same requirement and criterion_label are
-- alternatives (NTRK1, NTRK2 or NTRK3 fusion); distinct labels must each be satisfied.
-- 'required': a positive finding must be recorded. 'excluding': a known positive finding rules
-- the indication out (e.g. a known acquired resistance mutation).
CREATE TABLE therapy_indication_biomarkers (
    indication_biomarker_id bigint GENERATED ALWAYS AS IDENTITY,
    indication_id bigint NOT NULL,
    requirement text NOT NULL,
    criterion_label text NOT NULL,
    gene text NOT NULL,
    alteration_kind text NOT NULL,
    partner_gene text,
    acquired_resistance_only boolean NOT NULL DEFAULT false,
    CONSTRAINT therapy_indication_biomarkers_pkey PRIMARY KEY (indication_biomarker_id),
    CONSTRAINT therapy_indication_biomarkers_indication_fk FOREIGN KEY (indication_id)
        REFERENCES therapy_indications (indication_id),
    CONSTRAINT therapy_indication_biomarkers_requirement_known CHECK (requirement IN ('required', 'excluding')),
    CONSTRAINT therapy_indication_biomarkers_label_not_blank CHECK (btrim(criterion_label) <> ''),
    CONSTRAINT therapy_indication_biomarkers_gene_format CHECK (gene ~ '^[A-Z0-9][A-Z0-9-]*$'),
    CONSTRAINT therapy_indication_biomarkers_partner_format CHECK (partner_gene ~ '^[A-Z0-9][A-Z0-9-]*$'),
    CONSTRAINT therapy_indication_biomarkers_alteration_kind_known CHECK (alteration_kind IN (
        'fusion', 'amplification', 'mutation', 'deletion', 'loss_of_expression', 'overexpression',
        'rearrangement')),
    CONSTRAINT therapy_indication_biomarkers_partner_needs_fusion CHECK (
        partner_gene IS NULL OR alteration_kind IN ('fusion', 'rearrangement')),
    CONSTRAINT therapy_indication_biomarkers_resistance_needs_mutation CHECK (
        NOT acquired_resistance_only OR alteration_kind = 'mutation'),
    CONSTRAINT therapy_indication_biomarkers_alternative_key
        UNIQUE NULLS NOT DISTINCT (indication_id, requirement, criterion_label, gene, alteration_kind, partner_gene)
);

CREATE TABLE therapy_indication_status (
    indication_status_id bigint GENERATED ALWAYS AS IDENTITY,
    indication_id bigint NOT NULL,
    status text NOT NULL,
    effective_date date NOT NULL,
    effective_date_precision text NOT NULL DEFAULT 'day',
    authority text NOT NULL,
    source text NOT NULL,
    note text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT therapy_indication_status_pkey PRIMARY KEY (indication_status_id),
    CONSTRAINT therapy_indication_status_indication_fk FOREIGN KEY (indication_id)
        REFERENCES therapy_indications (indication_id),
    CONSTRAINT therapy_indication_status_status_known CHECK (status IN (
        'fda_approved_sts', 'studied_sts', 'in_development', 'approved_elsewhere')),
    CONSTRAINT therapy_indication_status_authority_known CHECK (authority IN ('FDA', 'EMA', 'NMPA', 'PMDA')),
    CONSTRAINT therapy_indication_status_fda_status_needs_fda CHECK (
        status <> 'fda_approved_sts' OR authority = 'FDA'),
    CONSTRAINT therapy_indication_status_elsewhere_not_fda CHECK (
        status <> 'approved_elsewhere' OR authority <> 'FDA'),
    CONSTRAINT therapy_indication_status_precision_known CHECK (
        effective_date_precision IN ('day', 'month', 'year')),
    CONSTRAINT therapy_indication_status_precision_matches_date CHECK (
        effective_date_precision = 'day'
        OR (effective_date_precision = 'month' AND extract(day FROM effective_date) = 1)
        OR (effective_date_precision = 'year' AND extract(day FROM effective_date) = 1
            AND extract(month FROM effective_date) = 1)),
    CONSTRAINT therapy_indication_status_source_not_blank CHECK (btrim(source) <> ''),
    CONSTRAINT therapy_indication_status_dated_key UNIQUE (indication_id, authority, effective_date)
);

COMMENT ON TABLE therapy_indication_status IS
    'Append-only status history. The status of an indication on a date is, per authority, the latest row effective on or before that date.';
COMMENT ON COLUMN therapy_indication_status.effective_date_precision IS
    'How precisely the source dates the change: month or year precision stores the first day of that period.';

CREATE FUNCTION therapy_indication_status_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'therapy indication status % is history and cannot be changed; record a new dated status instead',
        OLD.indication_status_id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'therapy_indication_status_append_only';
END;
$$;

CREATE TRIGGER therapy_indication_status_append_only
    BEFORE UPDATE OR DELETE ON therapy_indication_status
    FOR EACH ROW EXECUTE FUNCTION therapy_indication_status_reject_change();

-- Agents ------------------------------------------------------------------------------------------

INSERT INTO therapy_agents (agent_code, name, drug_class, targets, route, source_citation) VALUES
    ('pazopanib', 'pazopanib', 'tyrosine_kinase_inhibitor',
        ARRAY['VEGFR1', 'VEGFR2', 'VEGFR3', 'PDGFRA', 'PDGFRB', 'KIT', 'FGFR1', 'FGFR3', 'CSF1R'], 'oral', '[11]'),
    ('pexidartinib', 'pexidartinib', 'tyrosine_kinase_inhibitor', ARRAY['CSF1R', 'KIT'], 'oral', '[22]'),
    ('imatinib', 'imatinib', 'tyrosine_kinase_inhibitor', ARRAY['ABL1', 'PDGFRA', 'PDGFRB', 'KIT', 'CSF1R'], 'oral', '[25]'),
    ('crizotinib', 'crizotinib', 'tyrosine_kinase_inhibitor', ARRAY['ALK', 'MET', 'ROS1'], 'oral', '[31]'),
    ('tazemetostat', 'tazemetostat', 'ezh2_inhibitor', ARRAY['EZH2'], 'oral', '[36]'),
    ('nab_sirolimus', 'nab-sirolimus', 'mtor_inhibitor', ARRAY['MTOR'], 'intravenous', '[45]'),
    ('larotrectinib', 'larotrectinib', 'trk_inhibitor', ARRAY['NTRK1', 'NTRK2', 'NTRK3'], 'oral', '[50]'),
    ('entrectinib', 'entrectinib', 'trk_inhibitor', ARRAY['NTRK1', 'NTRK2', 'NTRK3'], 'oral', '[53]'),
    ('regorafenib', 'regorafenib', 'tyrosine_kinase_inhibitor',
        ARRAY['VEGFR1', 'VEGFR2', 'VEGFR3', 'TIE2', 'KIT'], 'oral', '[56]'),
    ('sorafenib', 'sorafenib', 'tyrosine_kinase_inhibitor', ARRAY['RAF', 'VEGFR2', 'VEGFR3', 'PDGFRB'], 'oral', '[63]'),
    ('sunitinib', 'sunitinib', 'tyrosine_kinase_inhibitor', ARRAY['VEGFR2', 'PDGFRB'], 'oral', '[66]'),
    ('lenvatinib', 'lenvatinib', 'tyrosine_kinase_inhibitor',
        ARRAY['VEGFR1', 'VEGFR2', 'VEGFR3', 'FGFR1', 'FGFR2', 'FGFR3', 'FGFR4', 'PDGFRA', 'KIT', 'RET'], 'oral', '[69]'),
    ('eribulin', 'eribulin', 'microtubule_inhibitor', ARRAY['tubulin'], NULL, '[75]'),
    ('palbociclib', 'palbociclib', 'cdk4_6_inhibitor', ARRAY['CDK4', 'CDK6'], NULL, '[77]'),
    ('abemaciclib', 'abemaciclib', 'cdk4_6_inhibitor', ARRAY['CDK4', 'CDK6'], NULL, '[77]'),
    ('nirogacestat', 'nirogacestat', 'gamma_secretase_inhibitor', ARRAY['gamma-secretase (Notch)'], NULL, '[83]'),
    ('al102', 'AL102', 'gamma_secretase_inhibitor', ARRAY['gamma-secretase (Notch)'], NULL, '[85], [86]'),
    ('al101', 'AL101', 'gamma_secretase_inhibitor', ARRAY['gamma-secretase (Notch)'], NULL, '[85], [86]'),
    ('anlotinib', 'anlotinib (AL3818)', 'tyrosine_kinase_inhibitor',
        ARRAY['VEGFR2', 'VEGFR3', 'FGFR1', 'FGFR2', 'FGFR3', 'FGFR4', 'PDGFRA', 'PDGFRB', 'KIT', 'RET'], 'oral', '[88]'),
    ('milademetan', 'milademetan', 'mdm2_inhibitor', ARRAY['MDM2'], 'oral', '[95]'),
    ('bi_907828', 'BI 907828', 'mdm2_inhibitor', ARRAY['MDM2'], NULL, '[96]'),
    ('vimseltinib', 'vimseltinib', 'csf1r_inhibitor', ARRAY['CSF1R'], 'oral', '[98]'),
    ('cft8634', 'CFT8634', 'brd9_degrader', ARRAY['BRD9'], 'oral', '[108]'),
    ('fhd_609', 'FHD-609', 'brd9_degrader', ARRAY['BRD9'], 'intravenous', '[109]');

-- Indications -------------------------------------------------------------------------------------

INSERT INTO therapy_indications (indication_code, agent_code, combined_with_agent_code, label, minimum_age_years,
        disease_settings, required_prior_therapy_classes, minimum_prior_lines, boxed_warning, rems_required,
        evidence_summary, source_citation) VALUES
    ('pazopanib_advanced_sts', 'pazopanib', NULL,
        'Adults with advanced non-adipocytic soft tissue sarcoma after prior chemotherapy', 18,
        ARRAY['locally_advanced_unresectable', 'metastatic'], ARRAY['cytotoxic_chemotherapy'], 1,
        'hepatotoxicity', false,
        'PALETTE phase III n=372: mPFS 4.6 vs 1.6 mo, HR 0.31; OS 12.5 vs 10.7 mo, not significant [12]; G>=3 fatigue 13%',
        '[13]; FDA label (Votrient): adults, limitation of use adipocytic STS and GIST, boxed warning hepatotoxicity'),
    ('pexidartinib_tgct', 'pexidartinib', NULL,
        'Adults with symptomatic TGCT with severe morbidity or functional limitation, not amenable to improvement with surgery', 18,
        ARRAY['locally_advanced_unresectable'], '{}', 0,
        'hepatotoxicity', true,
        'ENLIVEN phase III n=120: ORR 39% vs 0% [23]; G>=3 AST 10%, ALT 10%',
        '[24]'),
    ('imatinib_dfsp', 'imatinib', NULL,
        'Adults with unresectable, recurrent and/or metastatic dermatofibrosarcoma protuberans', 18,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase II ORR ~50% [28]; 5-y PFS 58%, OS 64% (n=31) [29]; n=152: CR 5.2%, PR 55.2%, SD 27.6% [30]',
        '[26]'),
    ('crizotinib_alk_imt', 'crizotinib', NULL,
        'Pediatric (1 year and older) and adult patients with unresectable, recurrent or refractory ALK-positive inflammatory myofibroblastic tumour', 1,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'adult phase Ib: 9 IMT, ORR 67% (95% CI 30-93) [34]; pediatric phase I: 7 IMT, 3 PR 4 SD [33]; label: pediatric ORR 86% (12/14), adults 5 of 7',
        '[33], [34]; FDA approval 2022-07-14 (Xalkori, ALK-positive IMT)'),
    ('tazemetostat_epithelioid_sarcoma', 'tazemetostat', NULL,
        'Patients 16 years and older with metastatic or locally advanced epithelioid sarcoma not eligible for complete resection', 16,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase II basket ES cohort n=62 (INI1 loss required for enrolment): ORR 15%, DCR at 32 wk 26% [38]; G>=3 anemia 13%',
        '[38], [39]'),
    ('nab_sirolimus_pecoma', 'nab_sirolimus', NULL,
        'Adults with locally advanced unresectable or metastatic malignant PEComa', 18,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'AMPECT n=31: ORR 39% (12/31, 95% CI 22-58), SD 52%; TSC2-mutant 8/9 respond vs 2/16 [45]',
        '[47]'),
    ('larotrectinib_ntrk_fusion', 'larotrectinib', NULL,
        'Adult and pediatric solid tumours with an NTRK gene fusion without a known acquired resistance mutation, metastatic or where resection would cause severe morbidity, with no satisfactory alternative', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'basket n=55: ORR 75% (95% CI 61-85), 7 CR 34 PR 7 SD; median time to response 1.8 mo [50]',
        '[51]'),
    ('entrectinib_ntrk_fusion', 'entrectinib', NULL,
        'Patients 12 years and older with solid tumours with an NTRK gene fusion without a known acquired resistance mutation, metastatic or where resection would cause severe morbidity, with no satisfactory alternative', 12,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'n=150: ORR 61.3%, sarcoma 19/32 (59.4%); mDoR 20 mo [53]; sarcoma n=26: 2 CR 12 PR 4 SD [54]',
        '[55]'),
    ('regorafenib_non_adipocytic_sts', 'regorafenib', NULL,
        'Advanced non-adipocytic soft tissue sarcoma after anthracycline', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], ARRAY['anthracycline'], 1,
        NULL, false,
        'REGOSARC n=182: mPFS 4 vs 1 mo, HR 0.36 [61]',
        '[61]'),
    ('regorafenib_angiosarcoma', 'regorafenib', NULL,
        'Chemotherapy-refractory metastatic or locally advanced unresectable angiosarcoma (NCCN)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], ARRAY['cytotoxic_chemotherapy'], 1,
        NULL, false,
        'phase II ORR 17.4% (4/23) [62]',
        '[62]'),
    ('sorafenib_desmoid', 'sorafenib', NULL,
        'Progressive, symptomatic or recurrent desmoid tumour', NULL,
        ARRAY['localized', 'locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase III n=87: 2-y PFS 81% vs 36%; ORR 33% (95% CI 20-48) [64]',
        '[64]'),
    ('sorafenib_solitary_fibrous_tumour', 'sorafenib', NULL,
        'Solitary fibrous tumour (NCCN preferred)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'NCCN preferred regimen for solitary fibrous tumour [1]',
        '[1]'),
    ('sorafenib_angiosarcoma', 'sorafenib', NULL,
        'Angiosarcoma', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'studied in angiosarcoma (review section on sorafenib)',
        '[63]'),
    ('imatinib_tgct', 'imatinib', NULL,
        'Tenosynovial giant cell tumour (off label)', NULL,
        ARRAY['locally_advanced_unresectable'], '{}', 0,
        NULL, false,
        'retrospective n=27: ORR 19% (1 CR 4 PR), SD 74% [65]',
        '[65]'),
    ('sunitinib_solitary_fibrous_tumour', 'sunitinib', NULL,
        'Advanced solitary fibrous tumour', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'SFT n=31: 2 PR 16 SD 13 PD, mPFS 6 mo [67]',
        '[67]'),
    ('sunitinib_asps', 'sunitinib', NULL,
        'Advanced alveolar soft part sarcoma', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'ASPS n=9: 5 PR 3 SD 1 PD, mPFS 17 mo [68]',
        '[68]'),
    ('lenvatinib_eribulin_lms_lps', 'lenvatinib', 'eribulin',
        'Lenvatinib plus eribulin in leiomyosarcoma and liposarcoma', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase Ib/II n=30: ORR 19% LMS, 20% LPS, mPFS 8.56 mo [75]',
        '[75]'),
    ('crizotinib_asps', 'crizotinib', NULL,
        'Advanced or metastatic alveolar soft part sarcoma (ASPSCR1-TFE3, MET overexpression)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'n=45: MET+ 1 PR 35 SD of 40, 1-y PFS 37.5% [76]',
        '[76]'),
    ('palbociclib_wd_dd_liposarcoma', 'palbociclib', NULL,
        'Well-differentiated or dedifferentiated liposarcoma with CDK4 amplification', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'WD/DD LPS n=60: mPFS 17.9 wk, 1 CR [78]',
        '[78]'),
    ('palbociclib_cdk4_high_sts', 'palbociclib', NULL,
        'Other soft tissue sarcoma with high CDK4 expression and low CDKN2A expression', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'n=22: mPFS 4.2 mo [80]',
        '[80]'),
    ('abemaciclib_dd_liposarcoma', 'abemaciclib', NULL,
        'Dedifferentiated liposarcoma (phase III NCT04967521)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase II n=29: mPFS 30.4 wk, 12-wk PFS 76% [79]',
        '[79]'),
    ('nirogacestat_desmoid', 'nirogacestat', NULL,
        'Adults with progressing desmoid tumours who require systemic treatment', 18,
        ARRAY['localized', 'locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'DeFi n=142: PFS HR 0.29 (0.15-0.55), ORR 41% vs 8% [84]; ovarian dysfunction 75%',
        '[84]; FDA approval 2023-11-27 (Ogsiveo, DeFi NCT03785964)'),
    ('al102_desmoid', 'al102', NULL,
        'Desmoid tumour (NCT04871282)', NULL,
        ARRAY['localized', 'locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase II n=31 interim [87]',
        '[87]'),
    ('al101_desmoid', 'al101', NULL,
        'Desmoid tumour', NULL,
        ARRAY['localized', 'locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'early studies showed regression of desmoid tumour [85], [86]',
        '[85], [86]'),
    ('anlotinib_apromiss', 'anlotinib', NULL,
        'Alveolar soft part sarcoma, synovial sarcoma, leiomyosarcoma or clear cell sarcoma (APROMISS, NCT03016819, randomized 2:1 vs dacarbazine)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'synovial: mPFS 2.89 vs 1.64 mo, HR 0.449 [92]',
        '[92]'),
    ('anlotinib_sts_china', 'anlotinib', NULL,
        'Second-line clear cell sarcoma, alveolar soft part sarcoma and other soft tissue sarcoma after first-line anthracycline (China)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], ARRAY['anthracycline'], 1,
        NULL, false,
        'phase II n=166 after anthracycline [91]',
        '[90]'),
    ('milademetan_wd_dd_liposarcoma', 'milademetan', NULL,
        'Well-differentiated or dedifferentiated liposarcoma (MDM2 amplification; phase III NCT04979442 vs trabectedin)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase I n=107: PR 3.8%, SD 64.2% in WD/DD LPS [95]',
        '[95]'),
    ('bi_907828_liposarcoma', 'bi_907828', NULL,
        'Dedifferentiated or well-differentiated liposarcoma (NCT03449381)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'DD LPS 24/27 PR or SD, WD LPS 13/14 [97]',
        '[97]'),
    ('vimseltinib_tgct', 'vimseltinib', NULL,
        'Adults with symptomatic TGCT for whom surgical resection would potentially cause worsening functional limitation or severe morbidity', 18,
        ARRAY['locally_advanced_unresectable'], '{}', 0,
        NULL, false,
        'phase II: PR 44% and 49% in two cohorts [100]; MOTION NCT05059262: ORR 40% (95% CI 29-51) at week 25',
        '[100]; FDA approval 2025-02-14 (Romvimza, MOTION NCT05059262)'),
    ('cft8634_synovial_sarcoma', 'cft8634', NULL,
        'Synovial sarcoma (SS18-SSX), phase I NCT05355753', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false, 'phase I', '[108]; NCT05355753'),
    ('cft8634_smarcb1_perturbed', 'cft8634', NULL,
        'SMARCB1-perturbed tumours, phase I NCT05355753', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false, 'phase I', '[108]; NCT05355753'),
    ('fhd_609_synovial_sarcoma', 'fhd_609', NULL,
        'Advanced synovial sarcoma, phase I NCT04965753', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false, 'phase I', '[109]; NCT04965753'),
    ('fhd_609_smarcb1_loss', 'fhd_609', NULL,
        'Advanced SMARCB1-loss tumours, phase I NCT04965753', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false, 'phase I', '[109]; NCT04965753');

-- Histology criteria ------------------------------------------------------------------------------

INSERT INTO therapy_indication_histologies (indication_id, selection, code, group_code)
SELECT i.indication_id, h.selection, h.code, h.group_code
FROM (VALUES
    ('pazopanib_advanced_sts', 'include', NULL, 'soft_tissue_sarcoma'),
    ('pazopanib_advanced_sts', 'exclude', NULL, 'adipocytic'),
    ('pexidartinib_tgct', 'include', NULL, 'tenosynovial_giant_cell_tumour'),
    ('imatinib_dfsp', 'include', NULL, 'dermatofibrosarcoma_protuberans'),
    ('crizotinib_alk_imt', 'include', '8825/1', NULL),
    ('tazemetostat_epithelioid_sarcoma', 'include', '8804/3', NULL),
    ('nab_sirolimus_pecoma', 'include', '8714/3', NULL),
    ('larotrectinib_ntrk_fusion', 'include', NULL, 'any'),
    ('entrectinib_ntrk_fusion', 'include', NULL, 'any'),
    ('regorafenib_non_adipocytic_sts', 'include', NULL, 'soft_tissue_sarcoma'),
    ('regorafenib_non_adipocytic_sts', 'exclude', NULL, 'adipocytic'),
    ('regorafenib_angiosarcoma', 'include', '9120/3', NULL),
    ('sorafenib_desmoid', 'include', NULL, 'desmoid_tumour'),
    ('sorafenib_solitary_fibrous_tumour', 'include', NULL, 'solitary_fibrous_tumour'),
    ('sorafenib_angiosarcoma', 'include', '9120/3', NULL),
    ('imatinib_tgct', 'include', NULL, 'tenosynovial_giant_cell_tumour'),
    ('sunitinib_solitary_fibrous_tumour', 'include', NULL, 'solitary_fibrous_tumour'),
    ('sunitinib_asps', 'include', '9581/3', NULL),
    ('lenvatinib_eribulin_lms_lps', 'include', '8890/3', NULL),
    ('lenvatinib_eribulin_lms_lps', 'include', NULL, 'liposarcoma'),
    ('crizotinib_asps', 'include', '9581/3', NULL),
    ('palbociclib_wd_dd_liposarcoma', 'include', NULL, 'well_dedifferentiated_liposarcoma'),
    ('palbociclib_cdk4_high_sts', 'include', NULL, 'soft_tissue_sarcoma'),
    ('abemaciclib_dd_liposarcoma', 'include', '8858/3', NULL),
    ('nirogacestat_desmoid', 'include', NULL, 'desmoid_tumour'),
    ('al102_desmoid', 'include', NULL, 'desmoid_tumour'),
    ('al101_desmoid', 'include', NULL, 'desmoid_tumour'),
    ('anlotinib_apromiss', 'include', '9581/3', NULL),
    ('anlotinib_apromiss', 'include', '9040/3', NULL),
    ('anlotinib_apromiss', 'include', '8890/3', NULL),
    ('anlotinib_apromiss', 'include', '9044/3', NULL),
    ('anlotinib_sts_china', 'include', NULL, 'soft_tissue_sarcoma'),
    ('milademetan_wd_dd_liposarcoma', 'include', NULL, 'well_dedifferentiated_liposarcoma'),
    ('bi_907828_liposarcoma', 'include', NULL, 'well_dedifferentiated_liposarcoma'),
    ('vimseltinib_tgct', 'include', NULL, 'tenosynovial_giant_cell_tumour'),
    ('cft8634_synovial_sarcoma', 'include', '9040/3', NULL),
    ('cft8634_smarcb1_perturbed', 'include', NULL, 'any'),
    ('fhd_609_synovial_sarcoma', 'include', '9040/3', NULL),
    ('fhd_609_smarcb1_loss', 'include', NULL, 'any')
) AS h (indication_code, selection, code, group_code)
JOIN therapy_indications i USING (indication_code);

-- Molecular criteria ------------------------------------------------------------------------------

INSERT INTO therapy_indication_biomarkers (indication_id, requirement, criterion_label, gene, alteration_kind,
        partner_gene, acquired_resistance_only)
SELECT i.indication_id, b.requirement, b.criterion_label, b.gene, b.alteration_kind, b.partner_gene,
    b.acquired_resistance_only
FROM (VALUES
    ('crizotinib_alk_imt', 'required', 'ALK rearrangement', 'ALK', 'rearrangement', NULL, false),
    ('larotrectinib_ntrk_fusion', 'required', 'NTRK fusion', 'NTRK1', 'fusion', NULL, false),
    ('larotrectinib_ntrk_fusion', 'required', 'NTRK fusion', 'NTRK2', 'fusion', NULL, false),
    ('larotrectinib_ntrk_fusion', 'required', 'NTRK fusion', 'NTRK3', 'fusion', NULL, false),
    ('larotrectinib_ntrk_fusion', 'excluding', 'known acquired resistance mutation', 'NTRK1', 'mutation', NULL, true),
    ('larotrectinib_ntrk_fusion', 'excluding', 'known acquired resistance mutation', 'NTRK2', 'mutation', NULL, true),
    ('larotrectinib_ntrk_fusion', 'excluding', 'known acquired resistance mutation', 'NTRK3', 'mutation', NULL, true),
    ('entrectinib_ntrk_fusion', 'required', 'NTRK fusion', 'NTRK1', 'fusion', NULL, false),
    ('entrectinib_ntrk_fusion', 'required', 'NTRK fusion', 'NTRK2', 'fusion', NULL, false),
    ('entrectinib_ntrk_fusion', 'required', 'NTRK fusion', 'NTRK3', 'fusion', NULL, false),
    ('entrectinib_ntrk_fusion', 'excluding', 'known acquired resistance mutation', 'NTRK1', 'mutation', NULL, true),
    ('entrectinib_ntrk_fusion', 'excluding', 'known acquired resistance mutation', 'NTRK2', 'mutation', NULL, true),
    ('entrectinib_ntrk_fusion', 'excluding', 'known acquired resistance mutation', 'NTRK3', 'mutation', NULL, true),
    ('palbociclib_wd_dd_liposarcoma', 'required', 'CDK4 amplification', 'CDK4', 'amplification', NULL, false),
    ('palbociclib_cdk4_high_sts', 'required', 'high CDK4 expression', 'CDK4', 'overexpression', NULL, false),
    ('palbociclib_cdk4_high_sts', 'required', 'low CDKN2A expression', 'CDKN2A', 'loss_of_expression', NULL, false),
    ('cft8634_smarcb1_perturbed', 'required', 'SMARCB1 loss', 'SMARCB1', 'loss_of_expression', NULL, false),
    ('fhd_609_smarcb1_loss', 'required', 'SMARCB1 loss', 'SMARCB1', 'loss_of_expression', NULL, false)
) AS b (indication_code, requirement, criterion_label, gene, alteration_kind, partner_gene, acquired_resistance_only)
JOIN therapy_indications i USING (indication_code);

-- Status history ----------------------------------------------------------------------------------
-- 'studied_sts' and 'in_development' rows carry the review's classification, dated to the
-- review (early 2023, year precision). Approvals carry the date given by their source.

INSERT INTO therapy_indication_status (indication_id, status, effective_date, effective_date_precision, authority,
        source, note)
SELECT i.indication_id, s.status, s.effective_date::date, s.effective_date_precision, s.authority, s.source, s.note
FROM (VALUES
    ('pazopanib_advanced_sts', 'fda_approved_sts', '2012-04-26', 'day', 'FDA',
        '[13]; FDA approval 2012-04-26 (Votrient)', 'The review gives the year only.'),
    ('pexidartinib_tgct', 'fda_approved_sts', '2019-08-01', 'month', 'FDA', '[24]', NULL),
    ('imatinib_dfsp', 'fda_approved_sts', '2006-01-01', 'year', 'FDA', '[26]', NULL),
    ('crizotinib_alk_imt', 'fda_approved_sts', '2022-07-14', 'day', 'FDA',
        'FDA approval 2022-07-14 (Xalkori, ALK-positive IMT)', 'The review dates this approval January 2022.'),
    ('tazemetostat_epithelioid_sarcoma', 'fda_approved_sts', '2020-01-23', 'day', 'FDA',
        '[39]; FDA accelerated approval 2020-01-23 (Tazverik)', 'Accelerated approval. The review dates it June 2020.'),
    ('nab_sirolimus_pecoma', 'fda_approved_sts', '2021-11-01', 'month', 'FDA', '[47]', NULL),
    ('larotrectinib_ntrk_fusion', 'fda_approved_sts', '2018-11-01', 'month', 'FDA', '[51]', 'Accelerated approval.'),
    ('entrectinib_ntrk_fusion', 'fda_approved_sts', '2019-08-01', 'month', 'FDA', '[55]', 'Accelerated approval.'),
    ('regorafenib_non_adipocytic_sts', 'studied_sts', '2023-01-01', 'year', 'FDA', '[61]', NULL),
    ('regorafenib_angiosarcoma', 'studied_sts', '2023-01-01', 'year', 'FDA', '[62]', 'Included in NCCN guidelines.'),
    ('sorafenib_desmoid', 'studied_sts', '2023-01-01', 'year', 'FDA', '[64]', 'NCCN preferred.'),
    ('sorafenib_solitary_fibrous_tumour', 'studied_sts', '2023-01-01', 'year', 'FDA', '[1]', 'NCCN preferred.'),
    ('sorafenib_angiosarcoma', 'studied_sts', '2023-01-01', 'year', 'FDA', '[63]', NULL),
    ('imatinib_tgct', 'studied_sts', '2023-01-01', 'year', 'FDA', '[65]', 'Off label.'),
    ('sunitinib_solitary_fibrous_tumour', 'studied_sts', '2023-01-01', 'year', 'FDA', '[67]', NULL),
    ('sunitinib_asps', 'studied_sts', '2023-01-01', 'year', 'FDA', '[68]', NULL),
    ('lenvatinib_eribulin_lms_lps', 'studied_sts', '2023-01-01', 'year', 'FDA', '[75]', 'With pembrolizumab: NCT04784247.'),
    ('crizotinib_asps', 'studied_sts', '2023-01-01', 'year', 'FDA', '[76]', NULL),
    ('palbociclib_wd_dd_liposarcoma', 'studied_sts', '2023-01-01', 'year', 'FDA', '[78]', NULL),
    ('palbociclib_cdk4_high_sts', 'studied_sts', '2023-01-01', 'year', 'FDA', '[80]', NULL),
    ('abemaciclib_dd_liposarcoma', 'studied_sts', '2023-01-01', 'year', 'FDA', '[79]', 'Phase III NCT04967521.'),
    ('nirogacestat_desmoid', 'in_development', '2023-01-01', 'year', 'FDA', '[84]', 'DeFi phase III.'),
    ('nirogacestat_desmoid', 'fda_approved_sts', '2023-11-27', 'day', 'FDA',
        'FDA approval 2023-11-27 (Ogsiveo, DeFi NCT03785964)', NULL),
    ('al102_desmoid', 'in_development', '2023-01-01', 'year', 'FDA', '[87]', 'NCT04871282.'),
    ('al101_desmoid', 'in_development', '2023-01-01', 'year', 'FDA', '[85], [86]', NULL),
    ('anlotinib_apromiss', 'in_development', '2023-01-01', 'year', 'FDA', '[92]', 'APROMISS, NCT03016819.'),
    ('anlotinib_sts_china', 'approved_elsewhere', '2019-06-01', 'month', 'NMPA', '[90]', 'Approved in China.'),
    ('milademetan_wd_dd_liposarcoma', 'in_development', '2023-01-01', 'year', 'FDA', '[95]', 'Phase III NCT04979442.'),
    ('bi_907828_liposarcoma', 'in_development', '2023-01-01', 'year', 'FDA', '[97]', 'NCT03449381.'),
    ('vimseltinib_tgct', 'in_development', '2023-01-01', 'year', 'FDA', '[100]', 'MOTION NCT05059262.'),
    ('vimseltinib_tgct', 'fda_approved_sts', '2025-02-14', 'day', 'FDA',
        'FDA approval 2025-02-14 (Romvimza, MOTION NCT05059262)', NULL),
    ('cft8634_synovial_sarcoma', 'in_development', '2023-01-01', 'year', 'FDA', '[108]; NCT05355753', NULL),
    ('cft8634_smarcb1_perturbed', 'in_development', '2023-01-01', 'year', 'FDA', '[108]; NCT05355753', NULL),
    ('fhd_609_synovial_sarcoma', 'in_development', '2023-01-01', 'year', 'FDA', '[109]; NCT04965753', NULL),
    ('fhd_609_smarcb1_loss', 'in_development', '2023-01-01', 'year', 'FDA', '[109]; NCT04965753', NULL)
) AS s (indication_code, status, effective_date, effective_date_precision, authority, source, note)
JOIN therapy_indications i USING (indication_code);
