-- Complete vocabularies (issue 23): the systemic agents a coordinator records, with their brand names and
-- spellings; every WHO 2020 soft tissue and bone sarcoma entity with its ICD-O-3 codes; the review's
-- studied uses the catalog lacked; and studied/in-development statuses dated by the publication of their
-- evidence. Drug classes are RegistryDomain.DrugClass, held to this file by VocabularyConformanceTests.

-- Agents ------------------------------------------------------------------------------------------

ALTER TABLE therapy_agents ADD CONSTRAINT therapy_agents_drug_class_known CHECK (drug_class IN (
    'alkylating_agent', 'anthracycline', 'antimetabolite', 'antitumor_antibiotic', 'brd9_degrader',
    'cdk4_6_inhibitor', 'csf1r_inhibitor', 'ezh2_inhibitor', 'gamma_secretase_inhibitor', 'hormonal_therapy',
    'immune_checkpoint_inhibitor', 'mdm2_inhibitor', 'microtubule_inhibitor', 'mtor_inhibitor', 'nsaid', 'placebo',
    'platinum_compound', 'taxane', 'topoisomerase_inhibitor', 'trk_inhibitor', 'tyrosine_kinase_inhibitor',
    'vinca_alkaloid'));

-- Vincristine and vinblastine were recorded as no agent at all; they are vinca alkaloids, which also
-- makes them prior chemotherapy. Eribulin stays a microtubule inhibitor (a halichondrin, not a vinca).
INSERT INTO therapy_agents (agent_code, name, drug_class, targets, route, source_citation) VALUES
    ('paclitaxel', 'paclitaxel', 'taxane', ARRAY['microtubules'], 'intravenous', 'standard therapy: weekly paclitaxel in angiosarcoma'),
    ('nab_paclitaxel', 'nab-paclitaxel', 'taxane', ARRAY['microtubules'], 'intravenous', 'standard therapy: albumin-bound paclitaxel'),
    ('methotrexate', 'methotrexate', 'antimetabolite', ARRAY['DHFR'], 'intravenous', 'standard therapy: methotrexate with vinblastine or vinorelbine in desmoid tumour; osteosarcoma (MAP)'),
    ('vinblastine', 'vinblastine', 'vinca_alkaloid', ARRAY['microtubules'], 'intravenous', 'standard therapy: methotrexate with vinblastine in desmoid tumour'),
    ('vinorelbine', 'vinorelbine', 'vinca_alkaloid', ARRAY['microtubules'], 'intravenous', 'standard therapy: desmoid tumour, rhabdomyosarcoma maintenance'),
    ('vincristine', 'vincristine', 'vinca_alkaloid', ARRAY['microtubules'], 'intravenous', 'standard therapy: VAC/VDC in rhabdomyosarcoma and Ewing sarcoma'),
    ('dactinomycin', 'dactinomycin', 'antitumor_antibiotic', ARRAY['DNA'], 'intravenous', 'standard therapy: VAC in rhabdomyosarcoma'),
    ('cyclophosphamide', 'cyclophosphamide', 'alkylating_agent', ARRAY['DNA'], 'intravenous', 'standard therapy: VAC/VDC in rhabdomyosarcoma and Ewing sarcoma'),
    ('etoposide', 'etoposide', 'topoisomerase_inhibitor', ARRAY['TOP2A'], 'intravenous', 'standard therapy: IE in Ewing sarcoma'),
    ('irinotecan', 'irinotecan', 'topoisomerase_inhibitor', ARRAY['TOP1'], 'intravenous', 'standard therapy: irinotecan with temozolomide in rhabdomyosarcoma and Ewing sarcoma'),
    ('topotecan', 'topotecan', 'topoisomerase_inhibitor', ARRAY['TOP1'], 'intravenous', 'standard therapy: topotecan with cyclophosphamide in Ewing sarcoma'),
    ('temozolomide', 'temozolomide', 'alkylating_agent', ARRAY['DNA'], 'oral', 'standard therapy: temozolomide in solitary fibrous tumour and with irinotecan'),
    ('cisplatin', 'cisplatin', 'platinum_compound', ARRAY['DNA'], 'intravenous', 'standard therapy: MAP in osteosarcoma'),
    ('carboplatin', 'carboplatin', 'platinum_compound', ARRAY['DNA'], 'intravenous', 'standard therapy: carboplatin with etoposide in sarcoma'),
    ('pegylated_liposomal_doxorubicin', 'pegylated liposomal doxorubicin', 'anthracycline', ARRAY['TOP2A'], 'intravenous', 'standard therapy: desmoid tumour, angiosarcoma'),
    ('everolimus', 'everolimus', 'mtor_inhibitor', ARRAY['MTOR'], 'oral', 'review [46]: prior mTOR inhibitor in the nab-sirolimus PEComa expansion'),
    ('sirolimus', 'sirolimus', 'mtor_inhibitor', ARRAY['MTOR'], 'oral', 'review [46]: prior mTOR inhibitor in the nab-sirolimus PEComa expansion'),
    ('temsirolimus', 'temsirolimus', 'mtor_inhibitor', ARRAY['MTOR'], 'intravenous', 'review [46]: prior mTOR inhibitor in the nab-sirolimus PEComa expansion'),
    ('sapanisertib', 'sapanisertib', 'mtor_inhibitor', ARRAY['MTOR'], 'oral', 'review [46]: prior mTOR inhibitor in the nab-sirolimus PEComa expansion'),
    ('pembrolizumab', 'pembrolizumab', 'immune_checkpoint_inhibitor', ARRAY['PDCD1'], 'intravenous', 'review: lenvatinib plus pembrolizumab, NCT04784247'),
    ('nivolumab', 'nivolumab', 'immune_checkpoint_inhibitor', ARRAY['PDCD1'], 'intravenous', 'standard therapy: with ipilimumab in sarcoma'),
    ('ipilimumab', 'ipilimumab', 'immune_checkpoint_inhibitor', ARRAY['CTLA4'], 'intravenous', 'standard therapy: with nivolumab in sarcoma'),
    ('atezolizumab', 'atezolizumab', 'immune_checkpoint_inhibitor', ARRAY['CD274'], 'intravenous', 'FDA approval 2022-12-09 (Tecentriq, alveolar soft part sarcoma)'),
    ('tamoxifen', 'tamoxifen', 'hormonal_therapy', ARRAY['ESR1'], 'oral', 'standard therapy: desmoid tumour'),
    ('sulindac', 'sulindac', 'nsaid', ARRAY['PTGS1', 'PTGS2'], 'oral', 'standard therapy: desmoid tumour');

-- Another name a coordinator may type for an agent: a brand, a spelling with spaces or hyphens, a
-- development code. Stored lower-case; the agent's code and its catalog name are matched without a row here.
CREATE TABLE therapy_agent_aliases (
    alias text NOT NULL,
    agent_code text NOT NULL,
    kind text NOT NULL,
    CONSTRAINT therapy_agent_aliases_pkey PRIMARY KEY (alias),
    CONSTRAINT therapy_agent_aliases_agent_fk FOREIGN KEY (agent_code) REFERENCES therapy_agents (agent_code),
    CONSTRAINT therapy_agent_aliases_lower_case CHECK (alias = lower(btrim(alias)) AND alias <> ''),
    CONSTRAINT therapy_agent_aliases_kind_known CHECK (kind IN ('brand', 'spelling', 'development_code'))
);

CREATE INDEX therapy_agent_aliases_agent_idx ON therapy_agent_aliases (agent_code);

GRANT SELECT ON therapy_agent_aliases TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
GRANT INSERT, UPDATE, DELETE ON therapy_agent_aliases TO sarcreg_admin;

INSERT INTO therapy_agent_aliases (alias, agent_code, kind) VALUES
    ('votrient', 'pazopanib', 'brand'),
    ('turalio', 'pexidartinib', 'brand'),
    ('gleevec', 'imatinib', 'brand'),
    ('glivec', 'imatinib', 'brand'),
    ('xalkori', 'crizotinib', 'brand'),
    ('tazverik', 'tazemetostat', 'brand'),
    ('fyarro', 'nab_sirolimus', 'brand'),
    ('abi-009', 'nab_sirolimus', 'development_code'),
    ('nabsirolimus', 'nab_sirolimus', 'spelling'),
    ('vitrakvi', 'larotrectinib', 'brand'),
    ('rozlytrek', 'entrectinib', 'brand'),
    ('stivarga', 'regorafenib', 'brand'),
    ('nexavar', 'sorafenib', 'brand'),
    ('sutent', 'sunitinib', 'brand'),
    ('lenvima', 'lenvatinib', 'brand'),
    ('halaven', 'eribulin', 'brand'),
    ('ibrance', 'palbociclib', 'brand'),
    ('verzenio', 'abemaciclib', 'brand'),
    ('verzenios', 'abemaciclib', 'brand'),
    ('ogsiveo', 'nirogacestat', 'brand'),
    ('pf-03084014', 'nirogacestat', 'development_code'),
    ('al3818', 'anlotinib', 'development_code'),
    ('romvimza', 'vimseltinib', 'brand'),
    ('dcc-3014', 'vimseltinib', 'development_code'),
    ('brigimadlin', 'bi_907828', 'spelling'),
    ('ds-3032b', 'milademetan', 'development_code'),
    ('adriamycin', 'doxorubicin', 'brand'),
    ('doxorubicin hydrochloride', 'doxorubicin', 'spelling'),
    ('ellence', 'epirubicin', 'brand'),
    ('ifex', 'ifosfamide', 'brand'),
    ('dtic', 'dacarbazine', 'spelling'),
    ('dtic-dome', 'dacarbazine', 'brand'),
    ('gemzar', 'gemcitabine', 'brand'),
    ('taxotere', 'docetaxel', 'brand'),
    ('yondelis', 'trabectedin', 'brand'),
    ('et-743', 'trabectedin', 'development_code'),
    ('taxol', 'paclitaxel', 'brand'),
    ('abraxane', 'nab_paclitaxel', 'brand'),
    ('trexall', 'methotrexate', 'brand'),
    ('mtx', 'methotrexate', 'spelling'),
    ('velban', 'vinblastine', 'brand'),
    ('navelbine', 'vinorelbine', 'brand'),
    ('oncovin', 'vincristine', 'brand'),
    ('actinomycin d', 'dactinomycin', 'spelling'),
    ('actinomycin-d', 'dactinomycin', 'spelling'),
    ('cosmegen', 'dactinomycin', 'brand'),
    ('cytoxan', 'cyclophosphamide', 'brand'),
    ('endoxan', 'cyclophosphamide', 'brand'),
    ('vepesid', 'etoposide', 'brand'),
    ('vp-16', 'etoposide', 'development_code'),
    ('camptosar', 'irinotecan', 'brand'),
    ('hycamtin', 'topotecan', 'brand'),
    ('temodar', 'temozolomide', 'brand'),
    ('temodal', 'temozolomide', 'brand'),
    ('platinol', 'cisplatin', 'brand'),
    ('paraplatin', 'carboplatin', 'brand'),
    ('doxil', 'pegylated_liposomal_doxorubicin', 'brand'),
    ('caelyx', 'pegylated_liposomal_doxorubicin', 'brand'),
    ('liposomal doxorubicin', 'pegylated_liposomal_doxorubicin', 'spelling'),
    ('pld', 'pegylated_liposomal_doxorubicin', 'spelling'),
    ('afinitor', 'everolimus', 'brand'),
    ('rapamune', 'sirolimus', 'brand'),
    ('rapamycin', 'sirolimus', 'spelling'),
    ('torisel', 'temsirolimus', 'brand'),
    ('keytruda', 'pembrolizumab', 'brand'),
    ('opdivo', 'nivolumab', 'brand'),
    ('yervoy', 'ipilimumab', 'brand'),
    ('tecentriq', 'atezolizumab', 'brand'),
    ('nolvadex', 'tamoxifen', 'brand'),
    ('clinoril', 'sulindac', 'brand');

-- The one rule that reads a submitted agent name, for every path (therapy start, SDTM EX): its code, with
-- hyphens and spaces read as underscores (nab-sirolimus); its catalog name; or an alias. NULL when unknown.
CREATE FUNCTION therapy_agent_code(submitted text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT agent_code FROM (
        SELECT a.agent_code, 1 AS rank FROM therapy_agents a
        WHERE a.agent_code = translate(lower(btrim(submitted)), '- ', '__')
        UNION ALL SELECT a.agent_code, 2 FROM therapy_agents a WHERE lower(a.name) = lower(btrim(submitted))
        UNION ALL SELECT s.agent_code, 3 FROM therapy_agent_aliases s WHERE s.alias = lower(btrim(submitted))
    ) AS matches
    ORDER BY rank, agent_code
    LIMIT 1
$$;

-- Histology -----------------------------------------------------------------------------------------
-- Every soft tissue and bone sarcoma entity of the WHO 2020 classification (5th edition), malignant and
-- intermediate, with its ICD-O-3.2 code. Codes the shared histology list names (8822/1, the synovial
-- sarcoma subtypes, the legacy haemangiopericytoma code) are verified from it; the rest are taken from the
-- WHO 2020 tables and marked unverified until checked against an attributable IARC ICD-O-3.2 copy.
-- `site` only decides group membership: a bone sarcoma is not a soft tissue sarcoma for STS criteria.

CREATE TEMPORARY TABLE new_histology_codes (
    code text, entity text, verified boolean, version_note text, site text
) ON COMMIT DROP;

INSERT INTO new_histology_codes (code, entity, verified, version_note, site) VALUES
    ('8822/1', 'Abdominal fibromatosis (desmoid tumour)', true, 'Desmoid tumour beside 8821/1; the shared histology list says to accept both.', 'soft_tissue'),
    ('9041/3', 'Synovial sarcoma, spindle cell (monophasic)', true, NULL, 'soft_tissue'),
    ('9042/3', 'Synovial sarcoma, epithelioid cell', true, NULL, 'soft_tissue'),
    ('9043/3', 'Synovial sarcoma, biphasic', true, NULL, 'soft_tissue'),
    ('9150/3', '(legacy term: haemangiopericytoma, malignant)', true, 'SEER moved malignant haemangiopericytoma from 9150/3 to 8815/3 for 2021+; pre-2021 data may carry 9150/3 for malignant solitary fibrous tumour.', 'soft_tissue'),
    ('8859/3', 'Myxoid pleomorphic liposarcoma', false, 'New entity in WHO 2020; ICD-O-3.2 code.', 'soft_tissue'),
    ('8833/1', 'Pigmented dermatofibrosarcoma protuberans', false, 'ICD-O-3.0 coded pigmented DFSP (Bednar tumour) 8833/3; ICD-O-3.2 codes it /1 like DFSP NOS.', 'soft_tissue'),
    ('8834/1', 'Giant cell fibroblastoma', false, NULL, 'soft_tissue'),
    ('8811/1', 'Myxoinflammatory fibroblastic sarcoma', false, NULL, 'soft_tissue'),
    ('8810/1', 'Superficial CD34-positive fibroblastic tumour', false, 'New entity in WHO 2020.', 'soft_tissue'),
    ('8810/3', 'Adult fibrosarcoma', false, NULL, 'soft_tissue'),
    ('8840/3', 'Low-grade fibromyxoid sarcoma; sclerosing epithelioid fibrosarcoma', false, 'Both entities share 8840/3.', 'soft_tissue'),
    ('8835/1', 'Plexiform fibrohistiocytic tumour', false, NULL, 'soft_tissue'),
    ('9251/1', 'Giant cell tumour of soft tissue', false, NULL, 'soft_tissue'),
    ('9130/1', 'Kaposiform haemangioendothelioma', false, NULL, 'soft_tissue'),
    ('9136/1', 'Retiform or composite haemangioendothelioma', false, NULL, 'soft_tissue'),
    ('9135/1', 'Papillary intralymphatic angioendothelioma', false, NULL, 'soft_tissue'),
    ('9138/1', 'Pseudomyogenic haemangioendothelioma', false, NULL, 'soft_tissue'),
    ('9140/3', 'Kaposi sarcoma', false, NULL, 'soft_tissue'),
    ('8711/3', 'Malignant glomus tumour', false, NULL, 'soft_tissue'),
    ('8897/1', 'Smooth muscle tumour of uncertain malignant potential', false, NULL, 'soft_tissue'),
    ('8900/3', 'Rhabdomyosarcoma NOS', false, NULL, 'soft_tissue'),
    ('8901/3', 'Pleomorphic rhabdomyosarcoma', false, NULL, 'soft_tissue'),
    ('8910/3', 'Embryonal rhabdomyosarcoma', false, NULL, 'soft_tissue'),
    ('8912/3', 'Spindle cell / sclerosing rhabdomyosarcoma', false, NULL, 'soft_tissue'),
    ('8920/3', 'Alveolar rhabdomyosarcoma', false, NULL, 'soft_tissue'),
    ('8921/3', 'Ectomesenchymoma', false, NULL, 'soft_tissue'),
    ('9542/3', 'Epithelioid malignant peripheral nerve sheath tumour', false, NULL, 'soft_tissue'),
    ('9571/3', 'Malignant perineurioma', false, NULL, 'soft_tissue'),
    ('9580/3', 'Malignant granular cell tumour', false, NULL, 'soft_tissue'),
    ('8830/1', 'Atypical fibroxanthoma', false, NULL, 'soft_tissue'),
    ('8836/1', 'Angiomatoid fibrous histiocytoma', false, NULL, 'soft_tissue'),
    ('8842/3', 'Ossifying fibromyxoid tumour, malignant', false, NULL, 'soft_tissue'),
    ('8940/3', 'Mixed tumour, malignant NOS', false, NULL, 'soft_tissue'),
    ('8982/3', 'Myoepithelial carcinoma', false, NULL, 'soft_tissue'),
    ('8990/3', 'Phosphaturic mesenchymal tumour, malignant', false, NULL, 'soft_tissue'),
    ('9231/3', 'Extraskeletal myxoid chondrosarcoma', false, NULL, 'soft_tissue'),
    ('8806/3', 'Desmoplastic small round cell tumour', false, NULL, 'soft_tissue'),
    ('8963/3', 'Extrarenal rhabdoid tumour', false, NULL, 'soft_tissue'),
    ('9137/3', 'Intimal sarcoma', false, NULL, 'soft_tissue'),
    ('8801/3', 'Undifferentiated spindle cell sarcoma', false, NULL, 'soft_tissue'),
    ('8803/3', 'Undifferentiated round cell sarcoma', false, NULL, 'soft_tissue'),
    ('9364/3', 'Ewing sarcoma', false, 'ICD-O-3.2 code; ICD-O-3.0 coded Ewing sarcoma 9260/3 (9364/3 was peripheral neuroectodermal tumour).', 'round_cell'),
    ('9260/3', '(legacy term: Ewing sarcoma)', false, 'ICD-O-3.0 code of Ewing sarcoma; ICD-O-3.2 uses 9364/3.', 'round_cell'),
    ('9366/3', 'Round cell sarcoma with EWSR1-non-ETS fusions', false, 'New entity in WHO 2020.', 'round_cell'),
    ('9367/3', 'CIC-rearranged sarcoma', false, 'New entity in WHO 2020.', 'round_cell'),
    ('9368/3', 'Sarcoma with BCOR genetic alterations', false, 'New entity in WHO 2020.', 'round_cell'),
    ('9222/1', 'Atypical cartilaginous tumour', false, 'Appendicular grade 1 cartilaginous tumour; axial grade 1 is chondrosarcoma 9222/3.', 'bone'),
    ('9222/3', 'Chondrosarcoma, grade 1', false, NULL, 'bone'),
    ('9220/3', 'Chondrosarcoma, grade 2 or 3 (conventional chondrosarcoma NOS)', false, NULL, 'bone'),
    ('9221/3', 'Periosteal chondrosarcoma', false, NULL, 'bone'),
    ('9240/3', 'Mesenchymal chondrosarcoma', false, 'Arises in bone or soft tissue.', 'bone'),
    ('9242/3', 'Clear cell chondrosarcoma', false, NULL, 'bone'),
    ('9243/3', 'Dedifferentiated chondrosarcoma', false, NULL, 'bone'),
    ('9180/3', 'Osteosarcoma NOS (conventional; extraskeletal osteosarcoma)', false, 'Extraskeletal osteosarcoma of soft tissue shares 9180/3.', 'bone'),
    ('9181/3', 'Chondroblastic osteosarcoma', false, NULL, 'bone'),
    ('9182/3', 'Fibroblastic osteosarcoma', false, NULL, 'bone'),
    ('9183/3', 'Telangiectatic osteosarcoma', false, NULL, 'bone'),
    ('9184/3', 'Secondary osteosarcoma', false, NULL, 'bone'),
    ('9185/3', 'Small cell osteosarcoma', false, NULL, 'bone'),
    ('9187/3', 'Low-grade central osteosarcoma', false, NULL, 'bone'),
    ('9192/3', 'Parosteal osteosarcoma', false, NULL, 'bone'),
    ('9193/3', 'Periosteal osteosarcoma', false, NULL, 'bone'),
    ('9194/3', 'High-grade surface osteosarcoma', false, NULL, 'bone'),
    ('9250/1', 'Giant cell tumour of bone', false, NULL, 'bone'),
    ('9250/3', 'Giant cell tumour of bone, malignant', false, NULL, 'bone'),
    ('9370/3', 'Chordoma NOS (conventional; poorly differentiated)', false, NULL, 'bone'),
    ('9371/3', 'Chondroid chordoma', false, NULL, 'bone'),
    ('9372/3', 'Dedifferentiated chordoma', false, NULL, 'bone'),
    ('9261/3', 'Adamantinoma of long bones', false, NULL, 'bone'),
    ('9261/1', 'Osteofibrous dysplasia-like adamantinoma', false, NULL, 'bone'),
    ('8823/1', 'Desmoplastic fibroma of bone', false, NULL, 'bone');

INSERT INTO histology_codes (code, behaviour, entity, verified, version_note)
SELECT code, substr(code, 6, 1)::smallint, entity, verified,
    coalesce(version_note || ' ', '') || CASE WHEN verified THEN 'Named by the shared histology list.'
        ELSE 'WHO 2020 classification; not yet checked against an attributable ICD-O-3.2 source.' END
FROM new_histology_codes;

INSERT INTO histology_entity_groups (group_code, description, is_universal) VALUES
    ('synovial_sarcoma', 'Synovial sarcoma NOS and its spindle cell, epithelioid and biphasic subtypes', false),
    ('rhabdomyosarcoma', 'Rhabdomyosarcoma of every subtype', false),
    ('undifferentiated_small_round_cell_sarcoma', 'Ewing sarcoma and the undifferentiated small round cell sarcomas of bone and soft tissue', false),
    ('bone_sarcoma', 'Malignant bone sarcomas: chondrosarcoma, osteosarcoma, chordoma, adamantinoma, malignant giant cell tumour of bone', false);

INSERT INTO histology_entity_group_members (group_code, code)
SELECT 'soft_tissue_sarcoma', code FROM new_histology_codes WHERE site = 'soft_tissue' AND code LIKE '%/3'
UNION ALL SELECT 'bone_sarcoma', code FROM new_histology_codes WHERE site = 'bone' AND code LIKE '%/3'
UNION ALL SELECT 'undifferentiated_small_round_cell_sarcoma', code FROM new_histology_codes WHERE site = 'round_cell'
UNION ALL SELECT 'synovial_sarcoma', code FROM histology_codes WHERE code IN ('9040/3', '9041/3', '9042/3', '9043/3')
UNION ALL SELECT 'rhabdomyosarcoma', code FROM histology_codes WHERE code IN ('8900/3', '8901/3', '8910/3', '8912/3', '8920/3')
UNION ALL VALUES
    ('adipocytic', '8859/3'),
    ('liposarcoma', '8859/3'),
    ('desmoid_tumour', '8822/1'),
    ('dermatofibrosarcoma_protuberans', '8833/1'),
    ('solitary_fibrous_tumour', '9150/3');

-- Criteria written for synovial sarcoma named 9040/3 alone, which left the subtype codes out.
INSERT INTO therapy_indication_histologies (indication_id, selection, code, group_code)
SELECT indication_id, 'include', NULL, 'synovial_sarcoma'
FROM therapy_indications
WHERE indication_code IN ('anlotinib_apromiss', 'cft8634_synovial_sarcoma', 'fhd_609_synovial_sarcoma');

-- Catalog evidence ------------------------------------------------------------------------------------
-- The review's studied uses the catalog lacked (section 2.1 pazopanib; section 3.5 lenvatinib with
-- pembrolizumab), and a dated status for each studied or in-development use from the publication year
-- of the trial report the review cites, so that a match as of an earlier date sees it. The 2023 rows of
-- 0002 stay: the status history is append-only, and a repeated status stands from its first row.

INSERT INTO therapy_indications (indication_code, agent_code, combined_with_agent_code, label, minimum_age_years,
        disease_settings, required_prior_therapy_classes, minimum_prior_lines, boxed_warning, rems_required,
        evidence_summary, source_citation) VALUES
    ('pazopanib_desmoid', 'pazopanib', NULL,
        'Progressive desmoid tumour (DESMOPAZ, randomized phase 2 vs methotrexate-vinblastine)', NULL,
        ARRAY['localized', 'locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase 2 n=72: 6-month PFS 83.7% (95% CI 69.3-93.2) in the 43 patients of the pazopanib group [14]',
        '[14]'),
    ('pazopanib_asps', 'pazopanib', NULL,
        'Metastatic alveolar soft part sarcoma', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'phase II n=6: 1 PR 5 SD, mPFS 5.5 mo (95% CI 3.4-7.6) [15]',
        '[15]'),
    ('pazopanib_solitary_fibrous_tumour', 'pazopanib', NULL,
        'Metastatic or unresectable typical solitary fibrous tumour', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false,
        'single-arm phase II n=34, 31 evaluable: 18 (58%) PR, 12 (39%) SD (review, section 2.1)',
        'review section 2.1'),
    ('pazopanib_first_line_older_adults', 'pazopanib', NULL,
        'First-line advanced or metastatic soft tissue sarcoma in patients 60 years or older (EPAZ, vs doxorubicin)', 60,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        'hepatotoxicity', false,
        'randomized phase II vs doxorubicin, age >= 60, ECOG 0-2: pazopanib non-inferior [16]',
        '[16]'),
    ('lenvatinib_pembrolizumab_sts', 'lenvatinib', 'pembrolizumab',
        'Metastatic and/or unresectable soft tissue sarcoma (phase II pilot NCT04784247)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], '{}', 0,
        NULL, false, 'recruiting at the time of the review', 'review section 3.5; NCT04784247');

INSERT INTO therapy_indication_histologies (indication_id, selection, code, group_code)
SELECT i.indication_id, h.selection, h.code, h.group_code
FROM (VALUES
    ('pazopanib_desmoid', 'include', NULL, 'desmoid_tumour'),
    ('pazopanib_asps', 'include', '9581/3', NULL),
    ('pazopanib_solitary_fibrous_tumour', 'include', NULL, 'solitary_fibrous_tumour'),
    ('pazopanib_first_line_older_adults', 'include', NULL, 'soft_tissue_sarcoma'),
    ('pazopanib_first_line_older_adults', 'exclude', NULL, 'adipocytic'),
    ('lenvatinib_pembrolizumab_sts', 'include', NULL, 'soft_tissue_sarcoma')
) AS h (indication_code, selection, code, group_code)
JOIN therapy_indications i USING (indication_code);

-- Dates are those of the cited trial reports (first publication, or the meeting abstract where the review
-- cites one), to the year unless the month was checked. Where the stored review text does not let the
-- report be identified, the review's own year (2023) remains the only dated evidence.
INSERT INTO therapy_indication_status (indication_id, status, effective_date, effective_date_precision, authority,
        source, note)
SELECT i.indication_id, s.status, s.effective_date::date, s.precision, 'FDA', s.source, s.note
FROM (VALUES
    ('pazopanib_desmoid', 'studied_sts', '2019-01-01', 'year', '[14]; Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)', NULL),
    ('pazopanib_asps', 'studied_sts', '2023-01-01', 'year', '[15]', 'Dated to the review: the report is not identified in the stored text.'),
    ('pazopanib_solitary_fibrous_tumour', 'studied_sts', '2023-01-01', 'year', 'review section 2.1', 'Dated to the review: no reference number in the stored text.'),
    ('pazopanib_first_line_older_adults', 'studied_sts', '2020-01-01', 'year', '[16]; Grünwald et al., J Clin Oncol 2020 (EPAZ)', NULL),
    ('lenvatinib_pembrolizumab_sts', 'in_development', '2023-01-01', 'year', 'review section 3.5; NCT04784247', 'Recruiting at the time of the review.'),
    ('regorafenib_non_adipocytic_sts', 'studied_sts', '2016-01-01', 'year', '[61]; Mir et al., Lancet Oncol 2016 (REGOSARC)', NULL),
    ('sorafenib_desmoid', 'studied_sts', '2018-01-01', 'year', '[64]; Gounder et al., N Engl J Med 2018', NULL),
    ('imatinib_tgct', 'studied_sts', '2012-01-01', 'year', '[65]; Cassier et al., Cancer 2012', NULL),
    ('sunitinib_solitary_fibrous_tumour', 'studied_sts', '2012-01-01', 'year', '[67]; Stacchiotti et al., Ann Oncol 2012', NULL),
    ('sunitinib_asps', 'studied_sts', '2011-01-01', 'year', '[68]; Stacchiotti et al., Ann Oncol 2011', NULL),
    ('crizotinib_asps', 'studied_sts', '2017-12-01', 'month', '[76]; Schöffski et al., Ann Oncol, online December 2017 (EORTC 90101 CREATE, ASPS cohort)', NULL),
    ('palbociclib_wd_dd_liposarcoma', 'studied_sts', '2016-01-01', 'year', '[78]; Dickson et al., JAMA Oncol 2016', NULL),
    ('abemaciclib_dd_liposarcoma', 'studied_sts', '2019-01-01', 'year', '[79]; Dickson et al., J Clin Oncol 2019 (ASCO abstract)', NULL),
    ('nirogacestat_desmoid', 'in_development', '2017-03-01', 'month', '[83]; Kummar et al., J Clin Oncol, online March 2017 (phase II, n=17)', 'DeFi phase III followed [84].')
) AS s (indication_code, status, effective_date, precision, source, note)
JOIN therapy_indications i USING (indication_code);
