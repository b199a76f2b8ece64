import Foundation
import PostgresClient

/// The registry as one REDCap flat record export conforming to the published dictionary
/// (``REDCapDictionary/registry``), for a consortium registry that lives in REDCap to import with the API.
///
/// The record id is the registry id (the pseudonym) and the data access group the site code in lower case.
/// Enrollment, diagnosis, molecular results, therapy lines, adverse events and ECOG scores are in the event
/// `enrollment_arm_1`; each tumor assessment of a patient is an event `assessment_N_arm_1`, numbered by date
/// and evaluator, with its lesions as the repeating `lesion` instrument and the evaluator's accepted-read flag
/// (table `evaluator_reads`; empty when no read was chosen). Instances are numbered in a fixed order (molecular
/// results by report date, lines by number, adverse events by onset, ECOG scores by date, lesions by id).
enum REDCapExport {
    /// Every row kind's values by export column; the columns a kind leaves out are empty.
    static let kinds: [(form: String, from: String, values: [String: String])] = [
        (
            "enrollment",
            """
            patients p LEFT JOIN LATERAL (SELECT * FROM diagnoses d WHERE d.patient_id = p.patient_id ORDER BY d.diagnosis_id LIMIT 1) d ON true
            """,
            [
                "redcap_event_name": "'enrollment_arm_1'", "birth_year": "p.birth_year::text", "sex": "p.sex",
                "consent_date": "p.consent_date::text",
                "consent_withdrawn_date": "p.consent_withdrawn_on::text", "vital_status": "p.vital_status",
                "death_date": "p.death_on::text",
                "last_contact_date": "p.last_contact_on::text", "enrollment_complete": "'2'",
                "histology_icdo3": "d.icdo3_code", "icdo_version": "d.icdo_version", "who_entity": "d.who_entity",
                "fnclcc_grade": "d.fnclcc_grade::text", "primary_site": "d.primary_site",
                "diagnosis_date":
                    "d.diagnosed_year || coalesce('-' || lpad(d.diagnosed_month::text, 2, '0'), '') || coalesce('-' || lpad(d.diagnosed_day::text, 2, '0'), '')",
                "disease_setting": "d.disease_setting",
                "diagnosis_complete": "CASE WHEN d.diagnosis_id IS NOT NULL THEN '2' END",
                "sort_event": "0", "sort_instance": "0",
            ]
        ),
        (
            "molecular_result",
            "patients p JOIN molecular_results m ON m.patient_id = p.patient_id AND m.void_reason IS NULL",
            [
                "redcap_event_name": "'enrollment_arm_1'", "redcap_repeat_instrument": "'molecular_result'",
                "instance":
                    "row_number() OVER (PARTITION BY p.patient_id ORDER BY m.report_date, m.molecular_result_id)",
                "mol_gene": "m.gene", "mol_kind": "m.alteration_kind", "mol_partner_gene": "m.partner_gene",
                "mol_hgvs": "m.hgvs",
                "mol_method": "m.method", "mol_result": "m.result",
                "mol_acquired_resistance": "CASE WHEN m.acquired_resistance THEN '1' ELSE '0' END",
                "mol_specimen_date": "m.specimen_date::text", "mol_report_date": "m.report_date::text",
                "mol_laboratory": "m.laboratory",
                "molecular_result_complete": "'2'", "sort_event": "0", "sort_instance": "1",
            ]
        ),
        (
            "therapy_line", "patients p JOIN therapy_lines t ON t.patient_id = p.patient_id",
            [
                "redcap_event_name": "'enrollment_arm_1'", "redcap_repeat_instrument": "'therapy_line'",
                "instance": "row_number() OVER (PARTITION BY p.patient_id ORDER BY t.line_number)",
                "line_of_therapy": "t.line_number::text", "line_intent": "t.intent",
                "line_start_date": "t.started_on::text",
                "line_stop_date": "t.stopped_on::text", "line_stop_reason": "t.stop_reason", "line_dose": "t.dose",
                "line_trial_nct": "t.trial_nct",
                "line_concurrent": "CASE WHEN t.concurrent THEN '1' ELSE '0' END",
                "therapy_line_complete": "'2'", "sort_event": "0", "sort_instance": "2",
            ]
        ),
        (
            "adverse_event",
            "patients p JOIN adverse_events a ON a.patient_id = p.patient_id LEFT JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id",
            [
                "redcap_event_name": "'enrollment_arm_1'", "redcap_repeat_instrument": "'adverse_event'",
                "instance": "row_number() OVER (PARTITION BY p.patient_id ORDER BY a.onset_on, a.adverse_event_id)",
                "ae_term": "a.ctcae_term", "ae_term_specify": "a.term_specified",
                "ae_baseline": "CASE WHEN a.baseline THEN '1' ELSE '0' END", "ae_ctcae_version": "a.ctcae_version",
                "ae_grade": "a.grade::text", "ae_onset_date": "a.onset_on::text",
                "ae_resolved_date": "a.resolved_on::text", "ae_attribution": "a.attribution",
                "ae_serious": "CASE WHEN a.serious THEN '1' ELSE '0' END",
                "ae_line": "t.line_number::text", "adverse_event_complete": "'2'", "sort_event": "0",
                "sort_instance": "3",
            ]
        ),
        (
            "ecog", "patients p JOIN patient_ecog g ON g.patient_id = p.patient_id",
            [
                "redcap_event_name": "'enrollment_arm_1'", "redcap_repeat_instrument": "'ecog'",
                "instance": "row_number() OVER (PARTITION BY p.patient_id ORDER BY g.assessed_on)",
                "ecog_date": "g.assessed_on::text", "ecog_score": "g.ecog::text", "ecog_complete": "'2'",
                "sort_event": "0", "sort_instance": "4",
            ]
        ),
        (
            "tumor_assessment",
            """
            patients p JOIN sync_export_events e ON e.patient_id = p.patient_id
            LEFT JOIN evaluator_reads r ON r.patient_id = e.patient_id AND r.evaluator = e.evaluator
            """,
            [
                "redcap_event_name": "e.event", "assessment_date": "e.assessed_on::text",
                "assessment_evaluator": "e.evaluator",
                "assessment_baseline": "CASE WHEN e.is_baseline THEN '1' ELSE '0' END",
                "assessment_accepted": "CASE r.accepted WHEN true THEN '1' WHEN false THEN '0' END",
                "tumor_assessment_complete": "'2'",
                "sort_event": "e.number", "sort_instance": "0",
            ]
        ),
        (
            "lesion",
            """
            patients p JOIN sync_export_events e ON e.patient_id = p.patient_id
            JOIN assessment_results r ON r.assessment_id = e.assessment_id JOIN lesions l ON l.lesion_id = r.lesion_id
            """,
            [
                "redcap_event_name": "e.event", "redcap_repeat_instrument": "'lesion'",
                "instance": "row_number() OVER (PARTITION BY e.assessment_id ORDER BY l.label)",
                "lesion_id": "l.label", "lesion_class": "l.lesion_class", "lesion_organ": "l.organ",
                "lesion_node": "CASE WHEN l.is_lymph_node THEN '1' ELSE '0' END", "lesion_method": "l.imaging_method",
                "lesion_diameter_mm": "trim_scale(r.diameter_mm)::text", "lesion_state": "r.result",
                "lesion_complete": "'2'",
                "sort_event": "e.number", "sort_instance": "1",
            ]
        ),
    ]

    static var query: String {
        let dictionary = REDCapDictionary.registry
        let agents = dictionary.fields.first { $0.name == "line_agents" }?.choiceCodes ?? []
        let selects = kinds.map { kind in
            var values = kind.values
            values[dictionary.recordIDField] = "p.registry_id"
            values["redcap_data_access_group"] = kind.form == "enrollment" ? "lower(p.site_code)" : nil
            values["redcap_repeat_instance"] = values["instance"].map { "(\($0))::text" }
            if kind.form == "therapy_line" {
                for code in agents {
                    values["line_agents___\(code)"] = """
                        CASE WHEN EXISTS (SELECT 1 FROM therapy_line_agents g WHERE g.therapy_line_id = t.therapy_line_id AND g.agent_code = '\(code)') THEN '1' ELSE '0' END
                        """
                }
            }
            let columns = dictionary.exportColumns.map { "\(values[$0] ?? "NULL::text") AS \"\($0)\"" }
            return
                "SELECT \(columns.joined(separator: ", ")), \(values["sort_event"] ?? "0") AS sort_event, \(values["sort_instance"] ?? "0") AS sort_instance FROM \(kind.from)"
        }
        let columns = dictionary.exportColumns.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            SELECT \(columns) FROM (\(selects.joined(separator: "\nUNION ALL\n"))) x
            ORDER BY "\(dictionary.recordIDField)", sort_event, sort_instance, "redcap_repeat_instance"::int NULLS FIRST
            """
    }
}

extension SyncService {
    /// Writes the registry as one REDCap flat CSV at `path` (it must not exist), streamed with COPY from one
    /// snapshot. Returns the number of rows.
    public func exportREDCap(to path: String) throws(SyncError) -> Int {
        guard !FileManager.default.fileExists(atPath: path) else { throw .outputExists(path) }
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                try tx.execute(
                    """
                    CREATE TEMP TABLE sync_export_events ON COMMIT DROP AS
                    SELECT a.assessment_id, a.patient_id, a.evaluator, a.assessed_on, a.is_baseline,
                        row_number() OVER (PARTITION BY a.patient_id ORDER BY a.assessed_on, a.evaluator) AS number,
                        'assessment_' || row_number() OVER (PARTITION BY a.patient_id ORDER BY a.assessed_on, a.evaluator) || '_arm_1' AS event
                    FROM assessments a
                    WHERE a.void_reason IS NULL
                    """)
                guard FileManager.default.createFile(atPath: path, contents: nil),
                    let handle = FileHandle(forWritingAtPath: path)
                else {
                    throw SyncError.unreadableFile(path)
                }
                defer { try? handle.close() }
                return try tx.copyOut(
                    Query(unsafeSQL: "COPY (\(REDCapExport.query)) TO STDOUT (FORMAT csv, HEADER true)")
                ) { bytes in
                    try handle.write(contentsOf: Data(bytes))
                }
            }
        } catch {
            throw SyncError.wrap(error)
        }
    }
}
