import PostgresClient

/// A write the database refused because it breaks one of the registry's rules, said as the rule.
///
/// Made from the constraint's name alone: the server's DETAIL (`Failing row contains (...)`, `Key
/// (mrn_hmac)=(...)`) quotes row values and is never part of it, so it can be shown and stored.
public struct ConstraintRefusal: Error, Sendable, Hashable, CustomStringConvertible, DatabaseFailure {
    /// The constraint's name, e.g. `adverse_events_grade_range`, for a developer to find the rule.
    public let constraint: String
    /// The rule in a coordinator's words, e.g. "an adverse event's grade is 1 to 5".
    public let rule: String
    /// The server's error, DETAIL included, for a verbose log only; two refusals of the same rule are equal
    /// whatever rows they quote.
    public let databaseError: PostgresError?

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.constraint == rhs.constraint && lhs.rule == rhs.rule }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(constraint)
        hasher.combine(rule)
    }

    public var description: String {
        "the registry refused the change: \(rule) (rule \(constraint)); nothing was written"
    }

    /// The refusal for a violated constraint (SQLSTATE class 23 with a constraint name) or a missing
    /// required value (NOT NULL, which has no constraint name: said from the column the server names);
    /// nil for any other error. A name missing from ``rules`` (the tests keep it complete) is still said
    /// without the server's text.
    public init?(_ error: PostgresError) {
        guard let state = error.sqlState, SQLState.integrityConstraintViolation ~= state else { return nil }
        databaseError = error
        if let name = error.constraint {
            constraint = name
            rule = Self.rules[name] ?? Self.raisedRules[name] ?? "the rule \(name) of \(error.table ?? "the registry")"
        } else if state == .notNullViolation, let column = error.column {
            constraint = "\(error.table ?? "registry").\(column) not null"
            rule = "\(column.replacingOccurrences(of: "_", with: " ")) is required"
        } else {
            return nil
        }
    }

    /// Rules a trigger enforces and raises under a name of its own (`RAISE ... USING CONSTRAINT`), which no
    /// table constraint carries; a test keeps each name equal to the one its trigger raises.
    public static let raisedRules: [String: String] = [
        "patient_records_locked":
            "a locked patient's records are frozen: no entry, correction or import changes them until an administrator unlocks the patient with a reason",
        "data_queries_transition_allowed":
            "a query moves open to answered or closed, answered to closed or reopened, closed to reopened, reopened to answered or closed",
        "data_queries_closed_by_opener_or_monitor":
            "a query is closed or reopened by the person who opened it, a monitor or an administrator",
    ]

    /// Every named constraint of the schema and the rule it enforces: the one table from a constraint
    /// to what a coordinator reads. A migration that adds a constraint adds its line here.
    public static let rules: [String: String] = [
        "adverse_events_attribution_known":
            "an adverse event's attribution is one of unrelated, unlikely, possible, probable, definite",
        "adverse_events_ctcae_version_known": "an adverse event's CTCAE version is one of 4.0, 4.03, 5.0, 6.0",
        "adverse_events_grade_range": "an adverse event's grade is 1 to 5",
        "adverse_events_line_fk": "the therapy line this adverse event refers to must be in the registry",
        "adverse_events_meddra_code_fk": "an adverse event's MedDRA code is the code of a CTCAE v5.0 term",
        "adverse_events_patient_fk": "the patient this adverse event refers to must be in the registry",
        "adverse_events_pkey": "this adverse event is already recorded",
        "adverse_events_resolved_after_onset": "an adverse event resolves on or after its onset",
        "adverse_events_term_not_blank": "an adverse event's CTCAE term is not blank",
        "adverse_events_term_specified_not_blank":
            "the text that specifies an 'Other, specify' adverse event is not blank",
        "assessment_results_assessment_fk": "the assessment this assessment result refers to must be in the registry",
        "assessment_results_diameter_range": "an assessment result's diameter mm is 0 to 1000",
        "assessment_results_diameter_when_measured":
            "a lesion result has a diameter exactly when it is measured (a present non-target lesion may have one)",
        "assessment_results_lesion_fk": "the lesion this assessment result refers to must be in the registry",
        "assessment_results_pkey": "this assessment result is already recorded",
        "assessment_results_result_fits_class":
            "a lesion result fits its class: a target lesion is measured, too small to measure, disappeared or not done; a non-target lesion present, absent, unequivocal progression or not evaluable; a new lesion equivocal or unequivocal",
        "assessments_baseline_not_void": "a baseline assessment is not voided: amend its results instead",
        "assessments_evaluator_format": "an assessment's evaluator has the form ^[a-z][a-z0-9_-]{0,39}$",
        "assessments_follow_up_has_line": "a follow-up assessment belongs to a therapy line",
        "assessments_line_fk": "the therapy line this assessment refers to must be in the registry",
        "assessments_one_baseline": "a patient has one baseline per evaluator",
        "assessments_patient_evaluator_date_key":
            "an assessment with the same patient id and evaluator and assessed on is already recorded",
        "assessments_patient_fk": "the patient this assessment refers to must be in the registry",
        "assessments_patient_id_key": "an assessment with the same patient id and assessment id is already recorded",
        "assessments_pkey": "this assessment is already recorded",
        "assessments_void_reason_not_blank": "an assessment is voided with a reason that is not blank",
        "audit_bulk_pending_pkey": "an import's pending count is kept once per transaction, run, table and operation",
        "audit_bulk_pending_written": "an import's counts are written to the audit log when it commits",
        "audit_chain_head_pkey": "the audit chain has one head",
        "audit_chain_head_single": "the audit chain has one head",
        "audit_log_chain_position_key": "each audit entry has its own place in the hash chain",
        "audit_log_operation_known":
            "an audit entry's operation is one of INSERT, UPDATE, DELETE, TRUNCATE, DISABLE TRIGGER, DROP, GUARDS",
        "audit_log_pkey": "this audit entry is already recorded",
        "audit_log_run_entry_counted": "an import's audit entry names its run exactly when it counts rows",
        "audit_log_sync_run_fk": "the sync run an audit entry counts rows of must be in the run log",
        "ctcae_terms_meddra_code_format": "a CTCAE term's MedDRA code is an eight-digit code from 10000000",
        "ctcae_terms_pkey": "this CTCAE term's MedDRA code is already recorded",
        "data_queries_discrepancy_key": "a response discrepancy has one query",
        "data_queries_field_not_blank": "a query's field is not blank",
        "data_queries_patient_fk": "the patient this query refers to must be in the registry",
        "data_queries_patient_id_key": "a query with the same patient id and query id is already recorded",
        "data_queries_pkey": "this query is already recorded",
        "data_queries_record_kind_known":
            "a query's record kind is one of assessment, lesion_result, adverse_event, therapy_line, diagnosis, molecular_result",
        "data_queries_record_reference_not_blank": "a query's record reference is not blank",
        "data_queries_status_known": "a query's status is one of open, answered, closed, reopened",
        "data_query_messages_action_known": "a query message's action is one of open, answer, close, reopen",
        "data_query_messages_body_not_blank": "a query message is not blank",
        "data_query_messages_number_positive": "a query message's number is 1 or more",
        "data_query_messages_pkey": "this query message is already recorded",
        "data_query_messages_query_fk": "the query this message refers to must be in the registry",
        "diagnoses_day_needs_month": "a diagnosis date with a day has a month",
        "diagnoses_day_range": "a diagnosis's diagnosed day is 1 to 31",
        "diagnoses_disease_setting_known":
            "a diagnosis's disease setting is one of localized, locally_advanced_unresectable, metastatic",
        "diagnoses_fnclcc_grade_range": "a diagnosis's fnclcc grade is 1 to 3",
        "diagnoses_icdo3_fk": "the histology code this diagnosis refers to must be in the registry",
        "diagnoses_icdo_version_known": "a diagnosis's ICD-O version is one of 3.0, 3.1, 3.2",
        "diagnoses_month_range": "a diagnosis's diagnosed month is 1 to 12",
        "diagnoses_patient_fk": "the patient this diagnosis refers to must be in the registry",
        "diagnoses_pkey": "this diagnosis is already recorded",
        "diagnoses_primary_site_not_blank": "a diagnosis's primary site is not blank",
        "diagnoses_who_entity_not_blank": "a diagnosis's who entity is not blank",
        "eligibility_alert_dismissals_alert_fk":
            "the eligibility alert this dismissal refers to must be one of the same patient's alerts",
        "eligibility_alert_dismissals_pkey": "this alert is already dismissed",
        "eligibility_alert_dismissals_reason_not_blank": "a dismissal's reason is not blank",
        "eligibility_alerts_first_evaluation":
            "an eligibility alert names the criterion and its previous outcome together, or neither for a first evaluation",
        "eligibility_alerts_kind_known": "an eligibility alert's kind is one of newly_eligible, criterion_met",
        "eligibility_alerts_outcomes_known": "an eligibility alert's outcomes are met, notMet or unknown",
        "eligibility_alerts_patient_fk": "the patient this eligibility alert refers to must be in the registry",
        "eligibility_alerts_patient_id_key": "this eligibility alert is already recorded for the patient",
        "eligibility_alerts_pkey": "this eligibility alert is already recorded",
        "eligibility_alerts_trigger_known":
            "an eligibility alert's trigger is one the registry queues (a diagnosis, molecular result, therapy line, ECOG or lesion recorded, corrected or imported; a trial added or opened; a catalog status changed; a target opened)",
        "eligibility_refresh_queue_one_subject":
            "an eligibility refresh queue entry names a patient or a target, not both",
        "eligibility_refresh_queue_pkey": "this eligibility refresh queue entry is already recorded",
        "eligibility_states_outcomes_object": "a patient's eligibility state is a JSON object",
        "eligibility_states_patient_fk": "the patient this eligibility state refers to must be in the registry",
        "eligibility_states_pkey": "this patient's eligibility state is already recorded",
        "eligibility_targets_key_format":
            "an eligibility target's key has the form trial:NCT…/cohort or therapy:indication",
        "eligibility_targets_kind_known": "an eligibility target's kind is one of trial_cohort, therapy",
        "eligibility_targets_pkey": "this eligibility target is already recorded",
        "evaluator_reads_evaluator_format": "an evaluator read's evaluator has the form ^[a-z][a-z0-9_-]{0,39}$",
        "evaluator_reads_patient_fk": "the patient this evaluator read refers to must be in the registry",
        "evaluator_reads_pkey": "this evaluator read is already recorded",
        "gene_aliases_alias_format":
            "a gene alias is letters, digits, '_', '.' and '-', starting with a letter or digit",
        "gene_aliases_kind_known": "a gene alias is an alias or a previous symbol",
        "gene_aliases_pkey": "this gene alias is already recorded for this gene",
        "gene_aliases_symbol_fk": "the gene this alias names must be in the registry's gene list",
        "genes_pkey": "this gene is already recorded",
        "genes_symbol_format": "a gene's symbol has the form ^[A-Z][A-Z0-9-]*$",
        "histology_codes_behaviour_matches_code": "a histology code's behaviour is the digit after its slash",
        "histology_codes_code_format": "a histology code's code has the form ^[0-9]{4}/[0-9]$",
        "histology_codes_entity_not_blank": "a histology code's entity is not blank",
        "histology_codes_pkey": "this histology code is already recorded",
        "histology_codes_verified_names_source":
            "a verified histology code names the source it was checked against, and an unverified one names none",
        "histology_entity_group_members_code_fk":
            "the histology code this histology group member refers to must be in the registry",
        "histology_entity_group_members_group_fk":
            "the histology group this histology group member refers to must be in the registry",
        "histology_entity_group_members_not_universal": "a group that covers every histology has no member list",
        "histology_entity_group_members_pkey": "this histology group member is already recorded",
        "histology_entity_groups_code_format": "a histology group's group code has the form ^[a-z][a-z0-9_]*$",
        "histology_entity_groups_code_universality_key":
            "a histology group with the same group code and universality is already recorded",
        "histology_entity_groups_description_not_blank": "a histology group's description is not blank",
        "histology_entity_groups_pkey": "this histology group is already recorded",
        "lesions_baseline_lesion_located": "a baseline lesion has an organ and an imaging method",
        "lesions_class_known": "a lesion's lesion class is one of target, non_target, new",
        "lesions_evaluator_format": "a lesion's evaluator has the form ^[a-z][a-z0-9_-]{0,39}$",
        "lesions_id_class_key": "a lesion with the same lesion id and lesion class is already recorded",
        "lesions_imaging_method_known":
            "a lesion's imaging method is one of ct, mri, pet_ct, x_ray, ultrasound, clinical",
        "lesions_label_format": "a lesion's label has the form ^[A-Z0-9][A-Z0-9_.-]{0,19}$",
        "lesions_organ_not_blank": "a lesion's organ is not blank",
        "lesions_patient_evaluator_label_key":
            "a lesion with the same patient id and evaluator and label is already recorded",
        "lesions_patient_fk": "the patient this lesion refers to must be in the registry",
        "lesions_patient_id_class_key":
            "a lesion with the same patient id and lesion id and lesion class is already recorded",
        "lesions_pkey": "this lesion is already recorded",
        "line_follow_up_dates_line_fk": "the therapy line whose latest follow-up date is kept must be in the registry",
        "line_follow_up_dates_pkey": "this therapy line's latest follow-up date is already recorded",
        "molecular_results_alteration_kind_known":
            "a molecular result's alteration kind is one of fusion, amplification, mutation, deletion, loss_of_expression, overexpression, rearrangement",
        "molecular_results_gene_fk": "the gene this molecular result refers to must be in the registry",
        "molecular_results_method_known": "a molecular result's method is one of ngs_dna, ngs_rna, fish, ihc, pcr",
        "molecular_results_partner_gene_fk": "the gene this molecular result refers to must be in the registry",
        "molecular_results_partner_only_for_fusions": "only a fusion or rearrangement has a partner gene",
        "molecular_results_patient_fk": "the patient this molecular result refers to must be in the registry",
        "molecular_results_pkey": "this molecular result is already recorded",
        "molecular_results_report_after_specimen": "a molecular report is dated on or after its specimen",
        "molecular_results_resistance_is_mutation": "only a mutation is marked as acquired resistance",
        "molecular_results_result_known": "a molecular result's result is one of positive, negative, equivocal, failed",
        "molecular_results_void_reason_not_blank": "a molecular result is voided with a reason that is not blank",
        "mrn_key_fingerprint_fingerprint_check": "a MRN key fingerprint's fingerprint has the form ^[0-9a-f]{64}$",
        "mrn_key_fingerprint_only_row_check": "the registry keeps one MRN key fingerprint",
        "mrn_key_fingerprint_pkey": "this MRN key fingerprint is already recorded",
        "patient_baseline_dates_patient_fk": "the patient whose first baseline date is kept must be in the registry",
        "patient_baseline_dates_pkey": "this patient's first baseline date is already recorded",
        "patient_ecog_patient_fk": "the patient this ECOG score refers to must be in the registry",
        "patient_ecog_pkey": "this ECOG score is already recorded",
        "patient_ecog_range": "an ECOG score is 0 to 5",
        "patient_locks_patient_fk": "the patient this lock refers to must be in the registry",
        "patient_locks_pkey": "this patient is already locked",
        "patients_birth_date_matches_year": "a patient's birth date falls in their birth year",
        "patients_birth_year_range": "a patient's birth year is 1900 to 2200",
        "patients_consent_after_birth": "a patient's consent is dated after their birth year",
        "patients_death_after_birth": "a patient's death is dated after their birth year",
        "patients_death_needs_dead_status": "a patient with a death date has vital status dead",
        "patients_last_contact_before_death": "a patient's last contact is on or before their death",
        "patients_mrn_hmac_format": "a patient's MRN hash has the form ^[0-9a-f]{64}$",
        "patients_mrn_unless_synced":
            "an enrolled patient has a medical record number hash (only synced patients come without one)",
        "patients_origin_known": "a patient's origin is one of enrolled, sync",
        "patients_pkey": "this patient is already recorded",
        "patients_registry_id_key": "a patient with the same registry id is already recorded",
        "patients_registry_id_matches_site":
            "a registry id is the site code, a hyphen and the site's number of the patient, at least four digits (MUC-0042, MUC-10000)",
        "patients_sex_known": "a patient's sex is one of female, male, other, unknown",
        "patients_site_fk": "the site this patient refers to must be in the registry",
        "patients_site_mrn_key": "a patient with the same site code and MRN hash is already recorded",
        "patients_site_sequence_key": "a patient with the same site code and site sequence is already recorded",
        "patients_vital_status_known": "a patient's vital status is one of alive, dead, unknown",
        "patients_withdrawal_after_consent": "a withdrawal of consent is dated on or after the consent",
        "response_signatures_meaning_not_blank": "a signature's meaning is not blank",
        "response_signatures_patient_fk": "the patient this signature refers to must be in the registry",
        "response_signatures_pkey": "this signature is already recorded",
        "response_signatures_sha256_format": "a signature's content hash is a SHA-256 in lower-case hex",
        "response_signatures_signer_not_blank": "a signature's signer name is not blank",
        "response_signatures_void_with_reason": "a signature is voided exactly when it has a void reason",
        "schema_migrations_pkey": "this migration is already recorded",
        "sdv_marks_patient_fk": "the patient this verification refers to must be in the registry",
        "sdv_marks_pkey": "this record is already marked verified",
        "sdv_marks_record_kind_known":
            "a verified record's kind is one of assessment, lesion_result, adverse_event, therapy_line, diagnosis, molecular_result",
        "site_assessment_schedules_is_object": "a site's default schedule is a JSON object",
        "site_assessment_schedules_pkey": "this site's default schedule is already recorded",
        "site_assessment_schedules_site_fk": "the site this default schedule refers to must be in the registry",
        "site_memberships_pkey": "this site membership is already recorded",
        "site_memberships_role_name_format": "a site membership's role name has the form ^[a-z][a-z0-9_]{0,62}$",
        "site_memberships_site_fk": "the site this site membership refers to must be in the registry",
        "sites_code_format": "a site's site code has the form ^[A-Z][A-Z0-9]{1,9}$",
        "sites_name_not_blank": "a site's name is not blank",
        "sites_next_patient_number_positive": "a site's next patient number is 1 or more",
        "sites_pkey": "this site is already recorded",
        "source_responses_date_format": "a source response's response date has the form ^\\d{4}(-\\d{2}(-\\d{2})?)?$",
        "source_responses_evaluator_format": "a source response's evaluator has the form ^[a-z][a-z0-9_-]{0,39}$",
        "source_responses_patient_fk": "the patient this source response refers to must be in the registry",
        "source_responses_pkey": "this source response is already recorded",
        "source_responses_test_code_known":
            "a source response's test code is one of OVRLRESP, TRGRESP, NTRGRESP, NEWLPROG",
        "sync_notes_run_fk": "the sync run this sync note refers to must be in the registry",
        "sync_quarantine_run_fk": "the sync run this quarantined row refers to must be in the registry",
        "sync_record_renames_differ": "a record id is renamed to a different id",
        "sync_record_renames_pkey": "this record id rename is already recorded",
        "sync_record_renames_run_fk": "the sync run this record id rename refers to must be in the registry",
        "sync_records_domain_known": "a sync record's domain is one of DM, EX, AE, TU, TR, RS, MH, GF, DS, REDCAP",
        "sync_records_pkey": "this sync record is already recorded",
        "sync_run_files_pkey": "this sync run file is already recorded",
        "sync_run_files_rows_reconcile":
            "a sync file's rows read are its rows inserted, updated, unchanged, quarantined and skipped",
        "sync_run_files_run_fk": "the sync run this sync run file refers to must be in the registry",
        "sync_run_files_sha256_format": "a sync run file's sha256 has the form ^[0-9a-f]{64}$",
        "sync_runs_error_when_failed": "a sync run has an error exactly when it failed",
        "sync_runs_finished_after_start": "a sync run finishes after it starts",
        "sync_runs_format_known": "a sync run's format is one of sdtm, redcap",
        "sync_runs_pkey": "this sync run is already recorded",
        "sync_runs_status_known": "a sync run's status is one of succeeded, failed",
        "sync_site_map_pkey": "this site mapping is already recorded",
        "sync_site_map_site_fk": "the site this site mapping refers to must be in the registry",
        "sync_site_map_source_format": "a site mapping's source has the form ^[a-z][a-z0-9_-]{0,39}$",
        "sync_site_map_source_site_not_blank": "a site mapping's source site is not blank",
        "sync_subjects_patient_fk": "the patient this sync subject refers to must be in the registry",
        "sync_subjects_patient_key": "a sync subject with the same patient id and source is already recorded",
        "sync_subjects_pkey": "this sync subject is already recorded",
        "therapy_agent_aliases_agent_fk": "the agent this alias names must be in the therapy catalog",
        "therapy_agent_aliases_kind_known": "an agent alias is a brand, a spelling or a development code",
        "therapy_agent_aliases_lower_case": "an agent alias is stored trimmed and in lower case, and is not blank",
        "therapy_agent_aliases_pkey": "this agent alias is already recorded",
        "therapy_agents_code_format": "a therapy agent's agent code has the form ^[a-z][a-z0-9_]*$",
        "therapy_agents_drug_class_format": "a therapy agent's drug class has the form ^[a-z][a-z0-9_]*$",
        "therapy_agents_drug_class_known": "an agent's drug class is one of the registry's drug classes",
        "therapy_agents_name_key": "a therapy agent with the same name is already recorded",
        "therapy_agents_pkey": "this therapy agent is already recorded",
        "therapy_agents_route_known": "a therapy agent's route is one of oral, intravenous",
        "therapy_agents_source_not_blank": "a therapy agent's source citation is not blank",
        "therapy_agents_targets_not_empty": "an agent other than a placebo has at least one target",
        "therapy_indication_biomarkers_alteration_kind_known":
            "an indication biomarker's alteration kind is one of fusion, amplification, mutation, deletion, loss_of_expression, overexpression, rearrangement",
        "therapy_indication_biomarkers_alternative_key":
            "an indication biomarker with the same indication id and requirement and criterion label and gene and alteration kind and partner gene is already recorded",
        "therapy_indication_biomarkers_gene_format": "an indication biomarker's gene has the form ^[A-Z0-9][A-Z0-9-]*$",
        "therapy_indication_biomarkers_indication_fk":
            "the therapy indication this indication biomarker refers to must be in the registry",
        "therapy_indication_biomarkers_label_not_blank": "an indication biomarker's criterion label is not blank",
        "therapy_indication_biomarkers_partner_format":
            "an indication biomarker's partner gene has the form ^[A-Z0-9][A-Z0-9-]*$",
        "therapy_indication_biomarkers_partner_needs_fusion":
            "only a fusion or rearrangement biomarker has a partner gene",
        "therapy_indication_biomarkers_pkey": "this indication biomarker is already recorded",
        "therapy_indication_biomarkers_requirement_known":
            "an indication biomarker's requirement is one of required, excluding",
        "therapy_indication_biomarkers_resistance_needs_mutation":
            "only a mutation biomarker is limited to acquired resistance",
        "therapy_indication_histologies_code_fk":
            "the histology code this indication histology refers to must be in the registry",
        "therapy_indication_histologies_group_fk":
            "the histology group this indication histology refers to must be in the registry",
        "therapy_indication_histologies_indication_fk":
            "the therapy indication this indication histology refers to must be in the registry",
        "therapy_indication_histologies_one_target": "an indication histology names either one code or one group",
        "therapy_indication_histologies_pkey": "this indication histology is already recorded",
        "therapy_indication_histologies_selection_known":
            "an indication histology's selection is one of include, exclude",
        "therapy_indication_histologies_target_key":
            "an indication histology with the same indication id and code and group code is already recorded",
        "therapy_indication_status_authority_known":
            "an indication status's authority is a regulator (FDA, EMA, NMPA, PMDA) or the evidence (trial_publication, review, guideline, trial_registry)",
        "therapy_indication_status_authority_sets_status":
            "an approval is set by a regulator, a studied or in-development use by its evidence (a trial publication, the review, a guideline, a trial registry)",
        "therapy_indication_status_dated_key":
            "an indication status with the same indication id and authority and effective date is already recorded",
        "therapy_indication_status_elsewhere_not_fda": "an approval elsewhere is not an FDA status",
        "therapy_indication_status_fda_status_needs_fda": "an FDA approval in soft tissue sarcoma comes from the FDA",
        "therapy_indication_status_indication_fk":
            "the therapy indication this indication status refers to must be in the registry",
        "therapy_indication_status_pkey": "this indication status is already recorded",
        "therapy_indication_status_precision_known":
            "an indication status's effective date precision is one of day, month, year",
        "therapy_indication_status_precision_matches_date":
            "a status dated to the month is on the 1st, and one dated to the year on 1 January",
        "therapy_indication_status_source_not_blank": "an indication status's source is not blank",
        "therapy_indication_status_status_known":
            "an indication status's status is one of fda_approved_sts, studied_sts, in_development, approved_elsewhere",
        "therapy_indication_status_supersessions_by_fk":
            "the status row that supersedes another must be in the registry",
        "therapy_indication_status_supersessions_not_itself": "a status row does not supersede itself",
        "therapy_indication_status_supersessions_pkey": "this status row is already superseded",
        "therapy_indication_status_supersessions_reason_not_blank": "a supersession names its reason",
        "therapy_indication_status_supersessions_status_fk": "the status row superseded must be in the registry",
        "therapy_indications_agent_fk": "the therapy agent this therapy indication refers to must be in the registry",
        "therapy_indications_boxed_warning_not_blank": "a therapy indication's boxed warning is not blank",
        "therapy_indications_code_format": "a therapy indication's indication code has the form ^[a-z][a-z0-9_]*$",
        "therapy_indications_code_key": "a therapy indication with the same indication code is already recorded",
        "therapy_indications_combined_agent_differs": "an agent is not combined with itself",
        "therapy_indications_combined_agent_fk":
            "the therapy agent this therapy indication refers to must be in the registry",
        "therapy_indications_disease_settings_known":
            "an indication has at least one disease setting, each localized, locally_advanced_unresectable or metastatic",
        "therapy_indications_label_not_blank": "a therapy indication's label is not blank",
        "therapy_indications_minimum_age_range": "a therapy indication's minimum age years is 0 to 120",
        "therapy_indications_minimum_prior_lines_range": "a therapy indication's minimum prior lines is 0 to 20",
        "therapy_indications_pkey": "this therapy indication is already recorded",
        "therapy_indications_prior_classes_format":
            "an indication's required prior therapy classes are lower-case codes",
        "therapy_indications_source_not_blank": "a therapy indication's source citation is not blank",
        "therapy_line_agents_agent_fk": "the therapy agent this therapy line agent refers to must be in the registry",
        "therapy_line_agents_line_fk": "the therapy line this therapy line agent refers to must be in the registry",
        "therapy_line_agents_pkey": "this therapy line agent is already recorded",
        "therapy_lines_intent_known":
            "a therapy line's intent is one of neoadjuvant, adjuvant, curative, palliative, maintenance, not_recorded",
        "therapy_lines_line_number_range": "a therapy line's line number is 1 to 30",
        "therapy_lines_patient_fk": "the patient this therapy line refers to must be in the registry",
        "therapy_lines_patient_id_key":
            "a therapy line with the same patient id and therapy line id is already recorded",
        "therapy_lines_patient_line_key": "a therapy line with the same patient id and line number is already recorded",
        "therapy_lines_pkey": "this therapy line is already recorded",
        "therapy_lines_stop_after_start": "a therapy line stops on or after its start",
        "therapy_lines_stop_reason_known":
            "a therapy line's stop reason is one of progression, toxicity, completed, patient_choice, death, other",
        "therapy_lines_stop_reason_with_stop": "a therapy line has a stop reason exactly when it has a stop date",
        "therapy_lines_trial_nct_format": "a therapy line's trial nct has the form ^NCT[0-9]{8}$",
        "trial_allocation_slots_arm_fk": "the trial arm this allocation slot refers to must be in the registry",
        "trial_allocation_slots_cohort_fk": "the trial cohort this allocation slot refers to must be in the registry",
        "trial_allocation_slots_enrollment_fk":
            "the trial enrollment this allocation slot refers to must be in the registry",
        "trial_allocation_slots_enrollment_once": "an allocation slot with the same enrollment id is already recorded",
        "trial_allocation_slots_pkey": "this allocation slot is already recorded",
        "trial_allocation_slots_position_positive": "an allocation slot's position is 1 or more",
        "trial_allocation_slots_revealed_with_enrollment":
            "an allocation slot is revealed exactly when it is used by an enrollment",
        "trial_arms_code_format": "a trial arm's arm code has the form ^[a-z][a-z0-9_]{0,39}$",
        "trial_arms_pkey": "this trial arm is already recorded",
        "trial_arms_ratio_range": "a trial arm's allocation ratio is 1 to 20",
        "trial_arms_trial_fk": "the trial this trial arm refers to must be in the registry",
        "trial_cohorts_capacity_range": "a trial cohort's capacity is 1 to 10000",
        "trial_cohorts_code_format": "a trial cohort's cohort code has the form ^[a-z][a-z0-9_]{0,39}$",
        "trial_cohorts_fixed_arm_fk": "the trial arm this trial cohort refers to must be in the registry",
        "trial_cohorts_pkey": "this trial cohort is already recorded",
        "trial_cohorts_places_within_capacity": "a cohort's places taken are 0 to its capacity",
        "trial_cohorts_trial_code_key": "a trial cohort with the same trial nct and cohort code is already recorded",
        "trial_cohorts_trial_fk": "the trial this trial cohort refers to must be in the registry",
        "trial_enrollments_arm_fk": "the trial arm this trial enrollment refers to must be in the registry",
        "trial_enrollments_cohort_fk": "the trial cohort this trial enrollment refers to must be in the registry",
        "trial_enrollments_patient_fk": "the patient this trial enrollment refers to must be in the registry",
        "trial_enrollments_patient_once":
            "a trial enrollment with the same trial nct and patient id is already recorded",
        "trial_enrollments_pkey": "this trial enrollment is already recorded",
        "trial_enrollments_place_once":
            "a trial enrollment with the same cohort id and place number is already recorded",
        "trial_enrollments_place_positive": "an enrollment's place number is 1 or more",
        "trial_enrollments_screening_fk": "the trial screening this trial enrollment refers to must be in the registry",
        "trial_enrollments_site_fk": "the site this trial enrollment refers to must be in the registry",
        "trial_enrollments_trial_fk": "the trial this trial enrollment refers to must be in the registry",
        "trial_response_policies_confirmation_interval_range":
            "a trial response policy's confirmation interval days is 1 to 365",
        "trial_response_policies_continuing_partial_response_known":
            "a trial response policy's continuing partial response is one of keep_once_established, reapply_thresholds",
        "trial_response_policies_pkey": "this trial response policy is already recorded",
        "trial_response_policies_reappearance_known":
            "a trial response policy's reappearance after complete response is one of progression, reclassify_as_partial_response",
        "trial_response_policies_sd_minimum_interval_range":
            "a trial response policy's SD minimum interval days is 0 to 365",
        "trial_response_policies_trial_nct_format": "a trial response policy's trial nct has the form ^NCT[0-9]{8}$",
        "trial_screening_criteria_kind_known":
            "a screening criterion's criterion kind is one of histology, required_finding, excluding_finding, age, maximum_ecog, prior_lines, required_prior_therapy, excluded_prior_therapy, measurable_disease, disease_setting",
        "trial_screening_criteria_outcome_known": "a screening criterion's outcome is one of met, notMet, unknown",
        "trial_screening_criteria_pkey": "this screening criterion is already recorded",
        "trial_screening_criteria_screening_fk":
            "the trial screening this screening criterion refers to must be in the registry",
        "trial_screenings_cohort_fk": "the trial cohort this trial screening refers to must be in the registry",
        "trial_screenings_outcome_known": "a trial screening's outcome is one of eligible, not_eligible, incomplete",
        "trial_screenings_patient_fk": "the patient this trial screening refers to must be in the registry",
        "trial_screenings_patient_id_key":
            "a trial screening with the same patient id and screening id is already recorded",
        "trial_screenings_pkey": "this trial screening is already recorded",
        "trial_screenings_trial_fk": "the trial this trial screening refers to must be in the registry",
        "trial_strata_factors_pkey": "this stratification factor is already recorded",
        "trial_strata_factors_trial_fk": "the trial this stratification factor refers to must be in the registry",
        "trial_strata_factors_two_levels": "a stratification factor has at least two levels",
        "trials_definition_is_object": "a trial definition is a JSON object",
        "trials_nct_format": "a trial's trial nct has the form ^NCT[0-9]{8}$",
        "trials_phase_known": "a trial's phase is one of 1, 1/2, 2, 2/3, 3, 4",
        "trials_pkey": "this trial is already recorded",
        "trials_randomization_complete": "a randomized trial has both a seed and block sizes",
        "trials_sponsor_not_blank": "a trial's sponsor is not blank",
        "trials_status_known":
            "a trial's status is one of not_yet_recruiting, recruiting, active_not_recruiting, suspended, completed, terminated, withdrawn",
        "trials_title_not_blank": "a trial's title is not blank",
    ]
}
