-- Vocabulary sources and dated evidence (issue 23): the source that verified each histology code, and who
-- set each indication status. The FDA makes no finding that a drug was studied in sarcoma; the studied and
-- in-development rows of 0002 and 0017 named it all the same. Their authority is now the evidence itself
-- (a trial publication, the review, a guideline, a trial registry), the vocabulary RegistryDomain.StatusAuthority
-- holds, and the wrong rows are superseded, not rewritten: the status history stays append-only.

-- Histology -----------------------------------------------------------------------------------------
-- Every verified code names the published source it was checked against. The pubcan.org listing of the
-- WHO Classification of Tumours of Soft Tissue and Bone, 3rd edition (IARC 2002), gives ICD-O-3 codes for
-- bone tumours; it verifies the code, not the WHO 2020 name (9187/3 is listed as intraosseous well
-- differentiated osteosarcoma, WHO 2020's low-grade central osteosarcoma). Codes no readable source gave
-- stay unverified and keep saying so.
ALTER TABLE histology_codes ADD COLUMN verified_by text;

UPDATE histology_codes SET verified_by = 'shared histology list (shared/domain/histology-icdo3.csv)' WHERE verified;

UPDATE histology_codes
SET verified = true,
    verified_by = 'WHO Classification of Tumours of Soft Tissue and Bone, 3rd ed. (IARC 2002), ICD-O-3 codes as listed by pubcan.org (C40-C41)',
    version_note = replace(version_note, 'WHO 2020 classification; not yet checked against an attributable ICD-O-3.2 source.',
        'WHO 2020 classification; the code (not the WHO 2020 name) verified against the WHO 2002 listing.')
WHERE code IN ('9220/3', '9221/3', '9243/3', '9240/3', '9242/3', '9180/3', '9183/3', '9185/3', '9187/3', '9192/3',
    '9193/3', '9194/3', '8810/3')
    AND NOT verified;

ALTER TABLE histology_codes ADD CONSTRAINT histology_codes_verified_names_source CHECK (
    verified = (verified_by IS NOT NULL) AND btrim(verified_by) <> '');

COMMENT ON COLUMN histology_codes.verified_by IS
    'The published source a verified code was checked against; NULL exactly when the code is unverified.';

-- Status authority ------------------------------------------------------------------------------------
ALTER TABLE therapy_indication_status DROP CONSTRAINT therapy_indication_status_authority_known;
ALTER TABLE therapy_indication_status ADD CONSTRAINT therapy_indication_status_authority_known CHECK (authority IN (
    'FDA', 'EMA', 'NMPA', 'PMDA', 'trial_publication', 'review', 'guideline', 'trial_registry'));

-- StatusAuthority.sets. NOT VALID: the rows that broke it before this migration stay as history, superseded
-- below; every row from now on is checked.
ALTER TABLE therapy_indication_status ADD CONSTRAINT therapy_indication_status_authority_sets_status CHECK (
    (status = 'fda_approved_sts' AND authority = 'FDA')
    OR (status = 'approved_elsewhere' AND authority IN ('EMA', 'NMPA', 'PMDA'))
    OR (status = 'studied_sts' AND authority IN ('trial_publication', 'review', 'guideline'))
    OR (status = 'in_development' AND authority IN ('trial_publication', 'review', 'trial_registry'))) NOT VALID;

COMMENT ON COLUMN therapy_indication_status.authority IS
    'Who set the status: the regulator for an approval; for a studied or in-development use, the evidence (trial_publication, review, guideline, trial_registry).';

-- A row found wrong is answered by a later row that says it right; the wrong one stays, marked, and no
-- longer counts. Append-only like the history it annotates.
CREATE TABLE therapy_indication_status_supersessions (
    indication_status_id bigint NOT NULL,
    superseded_by bigint NOT NULL,
    reason text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT therapy_indication_status_supersessions_pkey PRIMARY KEY (indication_status_id),
    CONSTRAINT therapy_indication_status_supersessions_status_fk FOREIGN KEY (indication_status_id)
        REFERENCES therapy_indication_status (indication_status_id),
    CONSTRAINT therapy_indication_status_supersessions_by_fk FOREIGN KEY (superseded_by)
        REFERENCES therapy_indication_status (indication_status_id),
    CONSTRAINT therapy_indication_status_supersessions_not_itself CHECK (indication_status_id <> superseded_by),
    CONSTRAINT therapy_indication_status_supersessions_reason_not_blank CHECK (btrim(reason) <> '')
);

CREATE FUNCTION therapy_indication_status_supersession_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the supersession of therapy indication status % is history and cannot be changed',
        OLD.indication_status_id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'therapy_indication_status_supersessions_append_only';
END;
$$;

CREATE TRIGGER therapy_indication_status_supersessions_append_only
    BEFORE UPDATE OR DELETE ON therapy_indication_status_supersessions
    FOR EACH ROW EXECUTE FUNCTION therapy_indication_status_supersession_reject_change();

GRANT SELECT ON therapy_indication_status_supersessions
    TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
GRANT INSERT ON therapy_indication_status_supersessions TO sarcreg_admin;

-- A studied use the catalog lacked (review section 2.6): nab-sirolimus in malignant PEComa after a prior
-- mTOR inhibitor, the expansion cohort of [46] (4 of 16 partial responses). The approval [47] does not say
-- so; this row says what was studied.
INSERT INTO therapy_indications (indication_code, agent_code, combined_with_agent_code, label, minimum_age_years,
        disease_settings, required_prior_therapy_classes, minimum_prior_lines, boxed_warning, rems_required,
        evidence_summary, source_citation) VALUES
    ('nab_sirolimus_pecoma_prior_mtor', 'nab_sirolimus', NULL,
        'Malignant PEComa after a prior mTOR inhibitor (sirolimus, everolimus, temsirolimus or sapanisertib)', NULL,
        ARRAY['locally_advanced_unresectable', 'metastatic'], ARRAY['mtor_inhibitor'], 1,
        NULL, false,
        'expansion cohort after prior mTOR inhibitor: 4 of 16 (25%) partial response, 50% stable disease, no grade >= 4 adverse event [46]',
        '[46]');

INSERT INTO therapy_indication_histologies (indication_id, selection, code, group_code)
SELECT indication_id, 'include', '8714/3', NULL FROM therapy_indications WHERE indication_code = 'nab_sirolimus_pecoma_prior_mtor';

-- Each studied or in-development use, dated by the publication it cites where that date can be read: the
-- trial reports 0017 identified, and the meetings the review names (ESMO 2022 for [84] and [87]). The stored
-- review has no reference list, so where its text gives no date the review's own year is the evidence's
-- date and the review its authority. NCCN-named uses cite the guideline [1], whose version the review does
-- not give: dated to the review.
CREATE TEMPORARY TABLE status_evidence (
    indication_code text, status text, effective_date date, precision text, authority text, source text, note text
) ON COMMIT DROP;

INSERT INTO status_evidence VALUES
    ('pazopanib_desmoid', 'studied_sts', '2019-01-01', 'year', 'trial_publication', '[14]; Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)', NULL),
    ('pazopanib_asps', 'studied_sts', '2023-01-01', 'year', 'review', 'review section 2.1, [15]', 'The report [15] is not identified in the stored text.'),
    ('pazopanib_solitary_fibrous_tumour', 'studied_sts', '2023-01-01', 'year', 'review', 'review section 2.1', 'No reference number in the stored text.'),
    ('pazopanib_first_line_older_adults', 'studied_sts', '2020-01-01', 'year', 'trial_publication', '[16]; Grünwald et al., J Clin Oncol 2020 (EPAZ)', NULL),
    ('lenvatinib_pembrolizumab_sts', 'in_development', '2023-01-01', 'year', 'review', 'review section 3.5; NCT04784247', 'Recruiting at the time of the review.'),
    ('regorafenib_non_adipocytic_sts', 'studied_sts', '2016-01-01', 'year', 'trial_publication', '[61]; Mir et al., Lancet Oncol 2016 (REGOSARC)', NULL),
    ('regorafenib_angiosarcoma', 'studied_sts', '2023-01-01', 'year', 'guideline', '[1] NCCN soft tissue sarcoma guidelines (review section 3.1); trial [62]', 'The trial report [62] and the guideline version are not dated in the stored text.'),
    ('sorafenib_desmoid', 'studied_sts', '2018-01-01', 'year', 'trial_publication', '[64]; Gounder et al., N Engl J Med 2018', 'NCCN preferred.'),
    ('sorafenib_solitary_fibrous_tumour', 'studied_sts', '2023-01-01', 'year', 'guideline', '[1] NCCN soft tissue sarcoma guidelines, preferred (review section 3.2)', 'The guideline version is not dated in the stored text.'),
    ('sorafenib_angiosarcoma', 'studied_sts', '2023-01-01', 'year', 'review', 'review section 3.2, [63]', 'The report is not identified in the stored text.'),
    ('imatinib_tgct', 'studied_sts', '2012-01-01', 'year', 'trial_publication', '[65]; Cassier et al., Cancer 2012', 'Off label.'),
    ('sunitinib_solitary_fibrous_tumour', 'studied_sts', '2012-01-01', 'year', 'trial_publication', '[67]; Stacchiotti et al., Ann Oncol 2012', NULL),
    ('sunitinib_asps', 'studied_sts', '2011-01-01', 'year', 'trial_publication', '[68]; Stacchiotti et al., Ann Oncol 2011', NULL),
    ('lenvatinib_eribulin_lms_lps', 'studied_sts', '2023-01-01', 'year', 'review', 'review section 3.5, [75]', 'The report is not identified in the stored text.'),
    ('crizotinib_asps', 'studied_sts', '2017-12-01', 'month', 'trial_publication', '[76]; Schöffski et al., Ann Oncol, online December 2017 (EORTC 90101 CREATE, ASPS cohort)', NULL),
    ('palbociclib_wd_dd_liposarcoma', 'studied_sts', '2016-01-01', 'year', 'trial_publication', '[78]; Dickson et al., JAMA Oncol 2016', NULL),
    ('palbociclib_cdk4_high_sts', 'studied_sts', '2023-01-01', 'year', 'review', 'review section 3.7, [80] ("a recent phase II study")', 'The report is not identified in the stored text.'),
    ('abemaciclib_dd_liposarcoma', 'studied_sts', '2019-01-01', 'year', 'trial_publication', '[79]; Dickson et al., J Clin Oncol 2019 (ASCO abstract)', 'Phase III NCT04967521.'),
    ('nirogacestat_desmoid', 'in_development', '2017-03-01', 'month', 'trial_publication', '[83]; Kummar et al., J Clin Oncol, online March 2017 (phase II, n=17)', 'DeFi phase III [84] presented at ESMO 2022.'),
    ('al102_desmoid', 'in_development', '2022-01-01', 'year', 'trial_publication', '[87]; interim phase II results presented at ESMO 2022 (review section 4.1); NCT04871282', NULL),
    ('al101_desmoid', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.1, [85], [86]', 'The reports are not identified in the stored text.'),
    ('anlotinib_apromiss', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.2, [92]; APROMISS NCT03016819', 'Preliminary results; the report is not dated in the stored text.'),
    ('milademetan_wd_dd_liposarcoma', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.3, [95]', 'Phase III NCT04979442.'),
    ('bi_907828_liposarcoma', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.3, [97]; NCT03449381', 'Preliminary results; not dated in the stored text.'),
    ('vimseltinib_tgct', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.4, [100]; MOTION NCT05059262', 'The report is not dated in the stored text.'),
    ('cft8634_synovial_sarcoma', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.5, [108]; NCT05355753', 'Recruiting at the time of the review.'),
    ('cft8634_smarcb1_perturbed', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.5, [108]; NCT05355753', 'Recruiting at the time of the review.'),
    ('fhd_609_synovial_sarcoma', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.5, [109]; NCT04965753', 'Recruiting at the time of the review.'),
    ('fhd_609_smarcb1_loss', 'in_development', '2023-01-01', 'year', 'review', 'review section 4.5, [109]; NCT04965753', 'Recruiting at the time of the review.'),
    ('nab_sirolimus_pecoma_prior_mtor', 'studied_sts', '2023-01-01', 'year', 'review', 'review section 2.6, [46]', 'The report is not dated in the stored text.');

INSERT INTO therapy_indication_status (indication_id, status, effective_date, effective_date_precision, authority,
        source, note)
SELECT i.indication_id, e.status, e.effective_date, e.precision, e.authority, e.source, e.note
FROM status_evidence e JOIN therapy_indications i USING (indication_code);

-- Every studied or in-development row that named the FDA is superseded by the row above for the same
-- indication and status.
INSERT INTO therapy_indication_status_supersessions (indication_status_id, superseded_by, reason)
SELECT wrong.indication_status_id, evidence.indication_status_id,
    'the FDA made no finding that this use was studied or in development; the evidence that set the status is named instead (migration 0029)'
FROM therapy_indication_status wrong
JOIN therapy_indication_status evidence
    ON evidence.indication_id = wrong.indication_id AND evidence.status = wrong.status
    AND evidence.authority IN ('trial_publication', 'review', 'guideline', 'trial_registry')
WHERE wrong.status IN ('studied_sts', 'in_development') AND wrong.authority = 'FDA';

DO $$
DECLARE
    left_over integer;
BEGIN
    SELECT count(*) INTO left_over FROM therapy_indication_status s
    WHERE NOT (
        (s.status = 'fda_approved_sts' AND s.authority = 'FDA')
        OR (s.status = 'approved_elsewhere' AND s.authority IN ('EMA', 'NMPA', 'PMDA'))
        OR (s.status = 'studied_sts' AND s.authority IN ('trial_publication', 'review', 'guideline'))
        OR (s.status = 'in_development' AND s.authority IN ('trial_publication', 'review', 'trial_registry')))
      AND NOT EXISTS (SELECT 1 FROM therapy_indication_status_supersessions x WHERE x.indication_status_id = s.indication_status_id);
    IF left_over > 0 THEN
        RAISE EXCEPTION '% status rows name an authority that cannot set their status and are not superseded', left_over;
    END IF;
END
$$;

-- The status rows that count: every row no later row superseded. The matcher and the catalog read this.
CREATE VIEW standing_indication_status AS
SELECT s.* FROM therapy_indication_status s
WHERE NOT EXISTS (
    SELECT 1 FROM therapy_indication_status_supersessions x WHERE x.indication_status_id = s.indication_status_id);

GRANT SELECT ON standing_indication_status TO sarcreg_coordinator, sarcreg_investigator, sarcreg_sync, sarcreg_admin;
