-- Histology vocabulary: the ICD-O-3 morphology codes the registry accepts and the entity groups
-- that therapy criteria refer to ("adipocytic", "any"). Seeded from
-- shared/domain/histology-icdo3.csv; every row of that file is here and its note is kept verbatim,
-- because several codes mean different things in different ICD-O versions.

CREATE TABLE histology_codes (
    code text NOT NULL,
    behaviour smallint NOT NULL,
    entity text NOT NULL,
    verified boolean NOT NULL,
    version_note text,
    CONSTRAINT histology_codes_pkey PRIMARY KEY (code),
    CONSTRAINT histology_codes_code_format CHECK (code ~ '^[0-9]{4}/[0-9]$'),
    CONSTRAINT histology_codes_behaviour_matches_code CHECK (behaviour::text = substr(code, 6, 1)),
    CONSTRAINT histology_codes_entity_not_blank CHECK (btrim(entity) <> '')
);

COMMENT ON TABLE histology_codes IS
    'ICD-O-3 morphology codes (morphology/behaviour) accepted for soft tissue tumour diagnoses.';
COMMENT ON COLUMN histology_codes.verified IS
    'true when the code was confirmed against an attributable ICD-O source; false for codes seen only in unattributed copies (''partial'' in the source list).';
COMMENT ON COLUMN histology_codes.version_note IS
    'How the code differs between ICD-O versions or registries; copied verbatim from the source list.';

INSERT INTO histology_codes (code, behaviour, entity, verified, version_note) VALUES
    ('8890/3', 3, 'Leiomyosarcoma', true, NULL),
    ('8858/3', 3, 'Dedifferentiated liposarcoma', true, NULL),
    ('8850/1', 1, 'Atypical lipomatous tumour', true, 'ICD-O-3.2 preferred term is ''Atypical lipomatous tumor''; SEER/ICD-O-3.0 preferred ''Atypical lipoma''. Not reportable to US central registries (behaviour /1).'),
    ('8851/3', 3, 'Liposarcoma, well-differentiated, NOS', true, 'Well-differentiated liposarcoma is 8851/3; 8850/3 is liposarcoma NOS and 8850/1 atypical lipomatous tumour.'),
    ('8850/3', 3, '(liposarcoma, not otherwise specified)', true, 'Use only when subtype unknown; expect sites to send this for unsubtyped liposarcoma.'),
    ('9040/3', 3, 'Synovial sarcoma NOS', true, 'Subtypes 9041/3 spindle cell (monophasic), 9042/3 epithelioid, 9043/3 biphasic also exist.'),
    ('8802/3', 3, 'Undifferentiated pleomorphic sarcoma', true, 'Legacy data may carry 8830/3 ''Malignant fibrous histiocytoma'' for UPS (ICD-O-3.0 era); map, do not reject.'),
    ('8804/3', 3, 'Epithelioid sarcoma', true, 'Classic and proximal/large-cell types share 8804/3 (SEER alternates flagged [2022+]).'),
    ('9581/3', 3, 'Alveolar soft part sarcoma', true, NULL),
    ('8714/3', 3, 'Malignant PEComa', true, 'Not in ICD-O-3.0 (absent from Morphenglish.txt); added in ICD-O-3.1. cBioPortal oncotree 2018 map instead maps PECOMA to 8990/1 (Mesenchymoma NOS) - do not use that map for PEComa.'),
    ('8714/0', 0, 'PEComa NOS / benign', false, 'Only in unattributed ICD-O-3.2 copies; benign, not reportable.'),
    ('9252/0', 0, 'Tenosynovial giant cell tumour, localized', true, 'In ICD-O-3.0 9252/0 covered both localized and diffuse TGCT.'),
    ('9252/1', 1, 'Tenosynovial giant cell tumour, diffuse', false, 'NOT verified from an attributable source: absent from the SEER lookup (non-reportable in US) and from ICD-O-3.0. Seen only in two stored ICD-O-3.2 copies whose repositories could not be identified (JS: ''9252/1 Tenosynovial giant cell tumor, diffuse''; SQL: ''Pigmented villonodular synovitis'' at 9252 behaviour /1). Confirm against IARC ICD-O-3.2 before shipping.'),
    ('9252/3', 3, 'Tenosynovial giant cell tumour, malignant', true, NULL),
    ('8832/1', 1, 'Dermatofibrosarcoma protuberans NOS', true, 'VERSION-DEPENDENT: ICD-O-3.0 (Morphenglish.txt) has DFSP NOS as 8832/3; 2021+ (ICD-O-3.2) it is 8832/1. Store the ICD-O version/diagnosis year with each code.'),
    ('8832/3', 3, 'Dermatofibrosarcoma protuberans, fibrosarcomatous', true, 'Pre-2021 data use 8832/3 for DFSP NOS; pathologyoutlines 2019 DFSP page also lists 8832/3 for DFSP NOS.'),
    ('8825/1', 1, 'Inflammatory myofibroblastic tumour', true, 'Low-grade myofibroblastic sarcoma is 8825/3.'),
    ('8821/1', 1, 'Desmoid fibromatosis', true, 'Abdominal fibromatosis is 8822/1 (also desmoid); accept both.'),
    ('8815/1', 1, 'Solitary fibrous tumour NOS', true, 'ICD-O-3.2 changed SFT NOS to /1. SEER lookup still labels 8815/0 ''Solitary fibrous tumor (C49._)'' and uses 8815/1 only for CNS SFT grade 2 - US-registry files may send 8815/0 for soft-tissue SFT NOS.'),
    ('8815/3', 3, 'Solitary fibrous tumour, malignant', true, 'SEER: ''Hemangiopericytoma, malignant'' moved from 9150/3 to 8815/3 for 2021+.'),
    ('8815/0', 0, 'Solitary fibrous tumour, benign', true, 'Meaning differs by version (SFT NOS in 3.0, benign SFT in 3.2).'),
    ('9120/3', 3, 'Angiosarcoma', true, 'Epithelioid angiosarcoma and post-radiation breast angiosarcoma also 9120/3 (SEER [2022+] alternates).'),
    ('9044/3', 3, 'Clear cell sarcoma of soft tissue', true, 'Clear cell sarcoma of kidney is 8964/3 - different entity.'),
    ('8814/3', 3, 'Infantile fibrosarcoma', true, 'NTRK-fusion-driven; larotrectinib/entrectinib relevant.'),
    ('8852/3', 3, 'Myxoid liposarcoma', true, NULL),
    ('8854/3', 3, 'Pleomorphic liposarcoma', true, NULL),
    ('8811/3', 3, 'Myxofibrosarcoma', true, NULL),
    ('9540/3', 3, 'Malignant peripheral nerve sheath tumour', true, NULL),
    ('9133/3', 3, 'Epithelioid haemangioendothelioma', true, NULL),
    ('8825/3', 3, 'Low-grade myofibroblastic sarcoma', true, NULL),
    ('8936/3', 3, 'Gastrointestinal stromal tumour', true, 'many STS registries exclude GIST - decide scope explicitly.'),
    ('8805/3', 3, 'Undifferentiated sarcoma', true, NULL),
    ('8830/3', 3, '(legacy term for UPS)', true, 'legacy code sites may still send for UPS; map to 8802/3 only with a recorded rule.'),
    ('8800/3', 3, '(sarcoma, not otherwise specified)', true, 'fallback when histology not subtyped.');

-- An entity group names a set of codes that a criterion can include or exclude as a whole.
-- A universal group ("any") matches every histology, including codes added later, so it has no
-- member rows; a non-universal group matches exactly its members.
CREATE TABLE histology_entity_groups (
    group_code text NOT NULL,
    description text NOT NULL,
    is_universal boolean NOT NULL DEFAULT false,
    CONSTRAINT histology_entity_groups_pkey PRIMARY KEY (group_code),
    CONSTRAINT histology_entity_groups_code_universality_key UNIQUE (group_code, is_universal),
    CONSTRAINT histology_entity_groups_code_format CHECK (group_code ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT histology_entity_groups_description_not_blank CHECK (btrim(description) <> '')
);

CREATE TABLE histology_entity_group_members (
    group_code text NOT NULL,
    code text NOT NULL,
    group_is_universal boolean NOT NULL DEFAULT false,
    CONSTRAINT histology_entity_group_members_pkey PRIMARY KEY (group_code, code),
    CONSTRAINT histology_entity_group_members_not_universal CHECK (NOT group_is_universal),
    CONSTRAINT histology_entity_group_members_group_fk FOREIGN KEY (group_code, group_is_universal)
        REFERENCES histology_entity_groups (group_code, is_universal),
    CONSTRAINT histology_entity_group_members_code_fk FOREIGN KEY (code)
        REFERENCES histology_codes (code)
);

CREATE INDEX histology_entity_group_members_code_idx ON histology_entity_group_members (code);

INSERT INTO histology_entity_groups (group_code, description, is_universal) VALUES
    ('any', 'Any histology (tumour-agnostic criteria such as NTRK fusion)', true),
    ('soft_tissue_sarcoma', 'Malignant soft tissue sarcoma (behaviour /3), excluding gastrointestinal stromal tumour', false),
    ('adipocytic', 'Adipocytic tumours: liposarcomas of every subtype and atypical lipomatous tumour', false),
    ('liposarcoma', 'Liposarcomas of every subtype (not atypical lipomatous tumour)', false),
    ('well_dedifferentiated_liposarcoma', 'Well-differentiated and dedifferentiated liposarcoma, with atypical lipomatous tumour', false),
    ('tenosynovial_giant_cell_tumour', 'Tenosynovial giant cell tumour, localized, diffuse or malignant', false),
    ('dermatofibrosarcoma_protuberans', 'Dermatofibrosarcoma protuberans under both ICD-O-3.0 (/3) and ICD-O-3.2 (/1) coding', false),
    ('desmoid_tumour', 'Desmoid tumour (desmoid-type fibromatosis)', false),
    ('solitary_fibrous_tumour', 'Solitary fibrous tumour; /0 included because US registry files send it for soft-tissue SFT NOS', false),
    ('undifferentiated_pleomorphic_sarcoma', 'Undifferentiated pleomorphic sarcoma, with the legacy malignant fibrous histiocytoma code', false);

INSERT INTO histology_entity_group_members (group_code, code)
SELECT 'soft_tissue_sarcoma', code FROM histology_codes WHERE behaviour = 3 AND code <> '8936/3';

INSERT INTO histology_entity_group_members (group_code, code) VALUES
    ('adipocytic', '8850/1'),
    ('adipocytic', '8850/3'),
    ('adipocytic', '8851/3'),
    ('adipocytic', '8852/3'),
    ('adipocytic', '8854/3'),
    ('adipocytic', '8858/3'),
    ('liposarcoma', '8850/3'),
    ('liposarcoma', '8851/3'),
    ('liposarcoma', '8852/3'),
    ('liposarcoma', '8854/3'),
    ('liposarcoma', '8858/3'),
    ('well_dedifferentiated_liposarcoma', '8850/1'),
    ('well_dedifferentiated_liposarcoma', '8851/3'),
    ('well_dedifferentiated_liposarcoma', '8858/3'),
    ('tenosynovial_giant_cell_tumour', '9252/0'),
    ('tenosynovial_giant_cell_tumour', '9252/1'),
    ('tenosynovial_giant_cell_tumour', '9252/3'),
    ('dermatofibrosarcoma_protuberans', '8832/1'),
    ('dermatofibrosarcoma_protuberans', '8832/3'),
    ('desmoid_tumour', '8821/1'),
    ('solitary_fibrous_tumour', '8815/0'),
    ('solitary_fibrous_tumour', '8815/1'),
    ('solitary_fibrous_tumour', '8815/3'),
    ('undifferentiated_pleomorphic_sarcoma', '8802/3'),
    ('undifferentiated_pleomorphic_sarcoma', '8830/3');
