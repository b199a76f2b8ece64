import Foundation
import PostgresClient
import TestSupport

/// Every table of a registry as rows of text with the generated ids aside, so two registries built apart (one
/// entered, one imported from its export) can be compared table by table.
///
/// A generated id differs between two registries holding the same records, so each row names what it refers
/// to by the record's natural key instead: a patient by registry id, a line by patient and line number, a
/// lesion by patient, reader and label, an assessment by patient, reader and date. Entry times (`recorded_at`,
/// `enrolled_at`, ...) are when a row was written, not what it says, and are left out too.
struct RegistryContents: Equatable {
    /// Table name to its rows, each row one JSON object, sorted.
    let tables: [String: [String]]

    /// The query of each registry table, its rows with ids replaced by natural keys. Tables are named here
    /// and nowhere else: ``tablesNotCompared`` and this list together must name every table of the schema.
    static let registryTables: [(table: String, rows: String)] = [
        ("sites", "SELECT site_code, name, next_patient_number FROM sites"),
        (
            "patients",
            """
            SELECT registry_id, site_code, site_sequence, mrn_hmac, birth_year, birth_date, sex, consent_date, consent_withdrawn_on,
                vital_status, last_contact_on, death_on, origin, age_at_consent
            FROM patients
            """
        ),
        (
            "patient_ecog",
            "SELECT p.registry_id, e.assessed_on, e.ecog FROM patient_ecog e JOIN patients p USING (patient_id)"
        ),
        (
            "diagnoses",
            """
            SELECT p.registry_id, d.icdo3_code, d.icdo_version, d.who_entity, d.fnclcc_grade, d.primary_site, d.diagnosed_year,
                d.diagnosed_month, d.diagnosed_day, d.disease_setting
            FROM diagnoses d JOIN patients p USING (patient_id)
            """
        ),
        (
            "molecular_results",
            """
            SELECT p.registry_id, m.gene, m.alteration_kind, m.partner_gene, m.hgvs, m.method, m.result, m.acquired_resistance,
                m.specimen_date, m.report_date, m.laboratory, m.void_reason
            FROM molecular_results m JOIN patients p USING (patient_id)
            """
        ),
        (
            "therapy_lines",
            """
            SELECT p.registry_id, t.line_number, t.intent, t.started_on, t.stopped_on, t.stop_reason, t.dose, t.trial_nct, t.concurrent
            FROM therapy_lines t JOIN patients p USING (patient_id)
            """
        ),
        (
            "therapy_line_agents",
            """
            SELECT p.registry_id, t.line_number, a.agent_code
            FROM therapy_line_agents a JOIN therapy_lines t USING (therapy_line_id) JOIN patients p ON p.patient_id = t.patient_id
            """
        ),
        (
            "adverse_events",
            """
            SELECT p.registry_id, t.line_number, a.ctcae_term, a.term_specified, a.meddra_code, a.ctcae_version, a.grade, a.onset_on,
                a.resolved_on, a.attribution, a.serious, a.baseline
            FROM adverse_events a JOIN patients p USING (patient_id) LEFT JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
            """
        ),
        (
            "lesions",
            """
            SELECT p.registry_id, l.evaluator, l.label, l.lesion_class, l.organ, l.is_lymph_node, l.imaging_method
            FROM lesions l JOIN patients p USING (patient_id)
            """
        ),
        (
            "assessments",
            """
            SELECT p.registry_id, a.evaluator, a.assessed_on, a.is_baseline, t.line_number, a.void_reason
            FROM assessments a JOIN patients p USING (patient_id) LEFT JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
            """
        ),
        (
            "assessment_results",
            """
            SELECT p.registry_id, a.evaluator, a.assessed_on, l.label, r.lesion_class, r.result, r.diameter_mm
            FROM assessment_results r JOIN assessments a USING (assessment_id) JOIN lesions l ON l.lesion_id = r.lesion_id
            JOIN patients p ON p.patient_id = a.patient_id
            """
        ),
        (
            "evaluator_reads",
            "SELECT p.registry_id, r.evaluator, r.accepted FROM evaluator_reads r JOIN patients p USING (patient_id)"
        ),
        (
            "source_responses",
            """
            SELECT p.registry_id, s.evaluator, s.visit_key, s.test_code, s.visit_number, s.visit, s.response, s.response_date, s.accepted
            FROM source_responses s JOIN patients p USING (patient_id)
            """
        ),
        (
            "trials",
            "SELECT trial_nct, acronym, title, phase, status, sponsor, definition, randomization_seed, block_sizes FROM trials"
        ),
        ("trial_arms", "SELECT * FROM trial_arms"),
        (
            "trial_cohorts",
            """
            SELECT trial_nct, cohort_code, label, capacity, places_taken, fixed_arm_code, position FROM trial_cohorts
            """
        ),
        ("trial_strata_factors", "SELECT * FROM trial_strata_factors"),
        ("trial_response_policies", "SELECT * FROM trial_response_policies"),
        (
            "trial_screenings",
            """
            SELECT p.registry_id, s.trial_nct, s.cohort_code, s.screened_on, s.outcome, s.screened_by, s.screened_by_name
            FROM trial_screenings s JOIN patients p USING (patient_id)
            """
        ),
        (
            "trial_screening_criteria",
            """
            SELECT p.registry_id, s.trial_nct, s.screened_on, c.position, c.criterion_kind, c.criterion, c.outcome, c.patient_value, c.reason
            FROM trial_screening_criteria c JOIN trial_screenings s USING (screening_id) JOIN patients p ON p.patient_id = s.patient_id
            """
        ),
        (
            "trial_enrollments",
            """
            SELECT p.registry_id, e.trial_nct, c.cohort_code, e.site_code, e.place_number, e.arm_code, e.stratum_key, e.enrolled_on,
                e.enrolled_by, e.enrolled_by_name, e.allocation_position
            FROM trial_enrollments e JOIN trial_cohorts c USING (cohort_id) JOIN patients p ON p.patient_id = e.patient_id
            """
        ),
        (
            "trial_allocation_slots",
            """
            SELECT c.trial_nct, c.cohort_code, s.stratum_key, s.position, s.block_number, s.block_size, s.arm_code,
                s.enrollment_id IS NOT NULL AS taken, s.revealed_at IS NOT NULL AS revealed
            FROM trial_allocation_slots s JOIN trial_cohorts c USING (cohort_id)
            """
        ),
        ("site_assessment_schedules", "SELECT site_code, schedule FROM site_assessment_schedules"),
    ]

    /// Tables that hold no registry content of their own, each with why a round trip need not keep them.
    static let tablesNotCompared: [String: String] = {
        var reasons: [String: String] = [:]
        for table in [
            "histology_codes", "histology_entity_groups", "histology_entity_group_members", "therapy_agents",
            "therapy_agent_aliases", "therapy_indications", "therapy_indication_histologies",
            "therapy_indication_biomarkers",
            "therapy_indication_status", "therapy_indication_status_supersessions", "genes", "gene_aliases",
            "ctcae_terms",
        ] {
            reasons[table] = "a vocabulary the migrations load, the same in every registry"
        }
        for table in [
            "sync_runs", "sync_run_files", "sync_quarantine", "sync_notes", "sync_subjects", "sync_records",
            "sync_record_renames",
        ] {
            reasons[table] = "the import's own bookkeeping: which runs read which files, not the patients' records"
        }
        for table in ["audit_log", "audit_chain_head", "audit_bulk_pending", "audit_statement_transactions"] {
            reasons[table] = "the audit trail of who wrote what when, which a new registry starts afresh"
        }
        for table in [
            "eligibility_targets", "eligibility_states", "eligibility_alerts", "eligibility_alert_dismissals",
            "eligibility_refresh_queue",
        ] {
            reasons[table] = "eligibility alerts the registry derives from the records and raises in its own time"
        }
        for table in ["data_queries", "data_query_messages", "patient_locks", "response_signatures", "sdv_marks"] {
            reasons[table] =
                "data management of this registry (queries, locks, sign-off, verification), which no exchange format carries"
        }
        for table in ["line_follow_up_dates", "patient_baseline_dates"] {
            reasons[table] = "dates the worklist reads, which the database derives from the assessments"
        }
        reasons["sync_site_map"] = "how a source's sites map to the registry's, set up by the registry that imports"
        reasons["site_memberships"] = "database roles granted to sites, not data"
        reasons["mrn_key_fingerprint"] = "the fingerprint of the registry's own MRN key"
        reasons["schema_migrations"] = "the migrations applied to the schema, the same in every registry of one version"
        return reasons
    }()

    /// Reads every registry table of `connection`.
    init(of connection: Connection) throws {
        var tables: [String: [String]] = [:]
        for (table, rows) in Self.registryTables {
            tables[table] = try connection.query(
                Query(unsafeSQL: "SELECT to_jsonb(r)::text AS row FROM (\(rows)) r ORDER BY 1")
            )
            .map { try $0.decode(String.self, "row") }
        }
        self.tables = tables
    }

    /// The tables of the schema that neither ``registryTables`` nor ``tablesNotCompared`` names: a new table
    /// must be added to one of them before a round trip can claim to compare every table.
    static func unlisted(in connection: Connection) throws -> [String] {
        let listed = Set(registryTables.map(\.table)).union(tablesNotCompared.keys)
        return try connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).map { try $0.decode(String.self, "table_name") }.filter { !listed.contains($0) }
    }

    /// The rows of each table that one registry holds and the other does not, as "table: - row" (only in
    /// `self`) and "table: + row" (only in `other`); empty when the registries hold the same records.
    func differences(from other: RegistryContents) -> [String] {
        var lines: [String] = []
        for (table, _) in Self.registryTables {
            let mine = tables[table] ?? [], theirs = other.tables[table] ?? []
            lines += mine.filter { !theirs.contains($0) }.map { "\(table): - \($0)" }
            lines += theirs.filter { !mine.contains($0) }.map { "\(table): + \($0)" }
        }
        return lines
    }

    /// These contents with `columns` of `table` dropped from every row, for what a format declares it cannot carry.
    func without(_ columns: Set<String>, of table: String) throws -> RegistryContents {
        var tables = self.tables
        tables[table] = try (tables[table] ?? []).map { row in
            var object = try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any] ?? [:]
            for column in columns { object.removeValue(forKey: column) }
            return String(
                decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
        return RegistryContents(tables: tables)
    }

    private init(tables: [String: [String]]) {
        self.tables = tables
    }
}
