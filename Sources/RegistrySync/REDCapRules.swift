import RegistryDomain

/// The SQL of one REDCap import, generated from the run's data dictionary as ``SyncService/conformed(_:file:)``
/// returns it: field checks (choices, yes/no, numbers with the field's decimal mark, dates in the field's order,
/// required fields of the row's form), checks against the registry, the valid rows with their natural key and
/// row hash, and the set-based apply.
///
/// Every identifier and literal in this SQL comes from the registry's dictionary or from this type: the
/// conformed dictionary holds the registry's forms, fields, choices and bounds, and a run's validation only
/// chooses among fragments written here (the date order, the decimal mark). The record id field, which a
/// project may name itself, is found in the header by its name and staged as `record_id`, so its name never
/// reaches SQL either. Values stay in the staging table; the source and run come
/// from transaction settings, and the export's file name is bound where the quarantine is written. The
/// staging table is aliased `s`, as in ``SDTMRules``, whose helpers build the checks.
struct REDCapRules {
    let dictionary: REDCapDictionary
    let file: SDTMFile
    let columns: Set<String>

    static let repeating = ["molecular_result", "therapy_line", "adverse_event", "ecog", "lesion"]
    static let source = SDTMRules.source
    /// The name the checks file their errors under in `sync_errors`; ``SDTMRules`` writes a file's name into
    /// its SQL, and the export's own name is data, so it is bound only where the quarantine is written.
    static let stagedFileName = "redcap-export.csv"
    /// The registry's own export columns: a record id field of one of these names would make the header ambiguous.
    static let reservedColumns = Set(REDCapDictionary.registry.exportColumns.dropFirst())
    /// The staging column and quarantine name of the record id, whatever the project calls its field.
    static let recordIDColumn = "record_id"

    init(dictionary: REDCapDictionary) {
        self.dictionary = dictionary
        let others =
            REDCapDictionary.systemColumns
            + dictionary.exportColumns.filter {
                $0 != dictionary.recordIDField && !REDCapDictionary.systemColumns.contains($0)
            }
        let columns = [Self.recordIDColumn] + others
        self.columns = Set(columns)
        file = SDTMFile(
            domain: "REDCAP", fileName: Self.stagedFileName, columns: columns.map { $0.uppercased() },
            headers: ([dictionary.recordIDField] + others).map { $0.uppercased() },
            required: [dictionary.recordIDField.uppercased()])
    }

    /// The staged text of a column, or NULL when the run's dictionary has no such column.
    func raw(_ name: String, alias: String = "s") -> String {
        columns.contains(name) ? "\(alias).\(name)" : "NULL::text"
    }

    var recordID: String { "btrim(s.\(Self.recordIDColumn))" }
    var event: String { "coalesce(s.redcap_event_name, '')" }
    var instrument: String { "s.redcap_repeat_instrument" }
    var naturalKey: String { SDTMRules.key([recordID, "s.redcap_event_name", instrument, "s.redcap_repeat_instance"]) }

    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Why a gene cell is refused, in the words `molecular record` uses: an alias or previous symbol names its
    /// approved symbols and what it is to each (GeneNameKind's description: underscores read as spaces).
    static func unknownGeneReason(_ gene: String) -> String {
        """
        coalesce('not an approved HGNC symbol; did you mean ' || (SELECT string_agg(c.symbol || ' (' || btrim(\(gene)) || ' is its '
                || replace(c.kind, '_', ' ') || ')', ' or ' ORDER BY c.symbol)
            FROM gene_alias_matches(\(gene)) AS c), 'not an HGNC symbol of the registry''s gene list')
        """
    }

    /// Whether the row is (an instance of) a form: repeating forms by `redcap_repeat_instrument`; on a
    /// non-repeating row, the tumor assessment when one of its fields is filled, else enrollment and diagnosis.
    func rowIs(_ form: String, alias: String = "s") -> String {
        let instrument = "\(alias).redcap_repeat_instrument"
        if Self.repeating.contains(form) { return "(\(instrument) IS NOT DISTINCT FROM \(Self.literal(form)))" }
        let assessment =
            "coalesce(\(fields(of: "tumor_assessment").map { raw($0.name, alias: alias) }.joined(separator: ", ")), NULL) IS NOT NULL"
        return form == "tumor_assessment"
            ? "(\(instrument) IS NULL AND \(assessment))" : "(\(instrument) IS NULL AND NOT (\(assessment)))"
    }

    /// The diagnosis is optional on an enrollment row; once one of its fields is filled, its required fields are.
    var hasDiagnosis: String {
        "coalesce(\(fields(of: "diagnosis").map { raw($0.name) }.joined(separator: ", ")), NULL) IS NOT NULL"
    }

    func fields(of form: String) -> [REDCapField] {
        REDCapDictionary.registry.fields.filter { $0.form == form }
    }

    func runField(_ name: String) -> REDCapField? { dictionary.fields.first { $0.name == name } }

    /// The value of a field as the registry stores it: a date, a number with a dot, or trimmed text; NULL
    /// when empty or not in the field's format.
    func value(_ name: String, alias: String = "s") -> String {
        let v = "nullif(btrim(\(raw(name, alias: alias))), '')"
        guard let field = runField(name) else {
            // A field the run's dictionary lacks is empty, typed as the registry's field, so that the checks
            // comparing it with a date or a number still plan (an older export has no ecog_date).
            let template = REDCapDictionary.registry.fields.first { $0.name == name }
            if template?.dateOrder != nil { return "NULL::date" }
            if template?.validation == "integer" { return "NULL::int" }
            return template?.isNumber == true ? "NULL::numeric" : "NULL::text"
        }
        switch field.dateOrder {
        case .ymd: return "sync_full_date(\(v))"
        case .dmy:
            return
                "sync_full_date(CASE WHEN \(v) ~ '^\\d{2}[-/.]\\d{2}[-/.]\\d{4}$' THEN substr(\(v), 7, 4) || '-' || substr(\(v), 4, 2) || '-' || substr(\(v), 1, 2) ELSE \(v) END)"
        case .mdy:
            return
                "sync_full_date(CASE WHEN \(v) ~ '^\\d{2}[-/.]\\d{2}[-/.]\\d{4}$' THEN substr(\(v), 7, 4) || '-' || substr(\(v), 1, 2) || '-' || substr(\(v), 4, 2) ELSE \(v) END)"
        case nil: break
        }
        if field.validation == "integer" { return "(CASE WHEN \(v) ~ '^-?[0-9]{1,9}$' THEN \(v)::int END)" }
        if field.hasCommaDecimal {
            return "(CASE WHEN \(v) ~ '^-?[0-9]{1,9}(,[0-9]+)?$' THEN replace(\(v), ',', '.')::numeric END)"
        }
        if field.isNumber { return "(CASE WHEN \(v) ~ '^-?[0-9]{1,9}(\\.[0-9]+)?$' THEN \(v)::numeric END)" }
        return v
    }

    func expected(_ field: REDCapField) -> String {
        switch field.dateOrder {
        case .ymd: return "a date YYYY-MM-DD (\(field.validation))"
        case .dmy: return "a date DD-MM-YYYY or YYYY-MM-DD (\(field.validation))"
        case .mdy: return "a date MM-DD-YYYY or YYYY-MM-DD (\(field.validation))"
        case nil: break
        }
        if field.validation == "integer" { return "a whole number" }
        if field.hasCommaDecimal { return "a number with a decimal comma (\(field.validation))" }
        return "a number with a decimal point (\(field.validation))"
    }

    /// The checks of one field on every row: filled only on rows of its form, required there, in format,
    /// one of its choices, within the dictionary's minimum and maximum.
    func fieldCheck(_ template: REDCapField) -> String? {
        guard let field = runField(template.name) else { return nil }
        let name = Self.literal(field.name)
        let inForm = rowIs(field.form)
        let required =
            template.isRequired
            ? (field.form == "diagnosis" ? "\(inForm) AND \(hasDiagnosis)" : inForm) : "false"
        if field.type == .checkbox {
            let columns = field.choiceCodes.map { "s.\(field.name)___\($0)" }
            let checked = columns.map { "\($0) = '1'" }.joined(separator: " OR ")
            let malformed = columns.map { "coalesce(\($0) NOT IN ('0', '1'), false)" }.joined(separator: " OR ")
            return """
                \(name), concat_ws(',', \(columns.joined(separator: ", "))), CASE
                    WHEN \(malformed) THEN 'a checkbox column holds 1 (checked) or 0 (unchecked)'
                    WHEN NOT \(inForm) AND (\(checked)) THEN 'belongs to form \(field.form), not to this row'
                    WHEN \(required) AND NOT coalesce(\(checked), false) THEN '\(field.name): at least one choice must be checked' END
                """
        }
        let v = "nullif(btrim(\(raw(field.name))), '')"
        var cases = [
            "WHEN NOT \(inForm) AND \(v) IS NOT NULL THEN 'belongs to form \(field.form), not to this row'",
            "WHEN \(required) AND \(v) IS NULL THEN '\(field.name) is required'",
        ]
        if let codes = field.allowedCodes {
            cases.append(
                "WHEN \(v) NOT IN (\(codes.map(Self.literal).joined(separator: ", "))) THEN 'not a choice of \(field.name); expected \(codes.joined(separator: ", "))'"
            )
        } else if field.dateOrder != nil || field.isNumber {
            cases.append("WHEN \(v) IS NOT NULL AND \(value(field.name)) IS NULL THEN 'expected \(expected(field))'")
            if field.isNumber, let minimum = Double(field.minimum) {
                cases.append(
                    "WHEN \(value(field.name)) < \(minimum) THEN 'below the minimum \(field.minimum) of \(field.name)'")
            }
            if field.isNumber, let maximum = Double(field.maximum) {
                cases.append(
                    "WHEN \(value(field.name)) > \(maximum) THEN 'above the maximum \(field.maximum) of \(field.name)'")
            }
        }
        return "\(name), \(raw(field.name)), CASE \(cases.joined(separator: " ")) END"
    }

    /// The key checks on every row; each form's field and status checks only on the rows of that form and
    /// on rows where one of its columns is filled (elsewhere every one of them passes). Evaluated on every
    /// row, the sixty checks of all forms cost more than the rest of the import's checks together.
    var rowChecks: String {
        let key = [
            """
            '\(Self.recordIDColumn)', s.\(Self.recordIDColumn), CASE WHEN nullif(\(recordID), '') IS NULL THEN 'the record id is required'
                WHEN s.copies > 1 THEN 'duplicate row for this record, event, repeat instrument and instance; every copy is quarantined' END
            """,
            """
            'redcap_repeat_instrument', \(instrument), CASE WHEN \(instrument) NOT IN (\(Self.repeating.map(Self.literal).joined(separator: ", ")))
                THEN 'not a repeating instrument of the registry; expected \(Self.repeating.joined(separator: ", "))' END
            """,
            """
            'redcap_repeat_instance', s.redcap_repeat_instance, CASE WHEN \(instrument) IS NULL AND s.redcap_repeat_instance IS NOT NULL THEN 'an instance without a repeat instrument'
                WHEN \(instrument) IS NOT NULL AND coalesce(s.redcap_repeat_instance !~ '^[1-9][0-9]{0,5}$', true) THEN 'a repeating row needs its instance number 1, 2, 3 ...' END
            """,
        ]
        // A field is checked as the registry defines it (required or not), in the form the run's dictionary puts it.
        let templates = REDCapDictionary.registry.fields.dropFirst()
        let forms = dictionary.forms.map { form in
            let inForm = templates.filter { runField($0.name)?.form == form }
            var checks = inForm.compactMap(fieldCheck)
            var filled = inForm.compactMap { runField($0.name) }.flatMap { field in
                field.type == .checkbox ? field.choiceCodes.map { "s.\(field.name)___\($0)" } : [raw(field.name)]
            }
            if columns.contains(form + "_complete") {
                checks.append(
                    """
                    '\(form)_complete', s.\(form)_complete, CASE WHEN s.\(form)_complete NOT IN ('0', '1', '2') THEN 'a form status is 0 (incomplete), 1 (unverified) or 2 (complete)' END
                    """)
                filled.append("s.\(form)_complete")
            }
            return (form: form, checks: checks, filled: filled)
        }.filter { !$0.checks.isEmpty }
        let arrays =
            [Self.checkArray(key)]
            + forms.map { form in
                "CASE WHEN \(rowIs(form.form)) OR coalesce(\(form.filled.joined(separator: ", ")), NULL) IS NOT NULL THEN \(Self.checkArray(form.checks)) END"
            }
        return """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT '\(file.fileName)', s.line_number, e.column_name, e.value, e.reason
            FROM (SELECT s.*, count(*) OVER (PARTITION BY \(naturalKey)) AS copies FROM \(file.stagingTable) s) s
            CROSS JOIN LATERAL unnest(\(arrays.joined(separator: "\n    || "))) AS e
            WHERE e.reason IS NOT NULL AND s.read_error IS NULL
            """
    }

    /// Checks as an array of `sync_check`, as ``SDTMRules/check(_:from:joins:checks:onlyClean:)`` unnests them.
    static func checkArray(_ checks: [String]) -> String {
        "ARRAY[\(checks.map { "(\($0))::sync_check" }.joined(separator: ",\n    "))]"
    }

    /// Rows of records with neither an enrollment row in this file nor one from an earlier run.
    var subjectJoin: String {
        "LEFT JOIN sync_subjects x ON x.source = \(Self.source) AND x.usubjid = \(recordID) LEFT JOIN patients p ON p.patient_id = x.patient_id"
    }

    /// A check evaluated only where it can fail: on rows of a form, or where one of the fields it reads is
    /// filled (with all of them empty, each of these checks passes). Most rows are lesions, and the checks
    /// of the other forms' fields cost more on them than the lesion checks.
    func guarded(_ check: String, when condition: String) -> String {
        "CASE WHEN \(condition) THEN (\(check))::sync_check END"
    }

    func guarded(_ check: String, whenFilled fields: [String]) -> String {
        guarded(check, when: "coalesce(\(fields.map { raw($0) }.joined(separator: ", ")), NULL) IS NOT NULL")
    }

    var registryChecks: [String] {
        let enrollment = rowIs("enrollment")
        return [
            SDTMRules.check(
                file,
                joins: """
                    LEFT JOIN sync_site_map m ON m.source = \(Self.source) AND m.source_site = s.redcap_data_access_group
                    LEFT JOIN sync_ctcae_suggestions d ON d.submitted = \(value("ae_term"))
                    """,
                checks: [
                    guarded(
                        """
                        'redcap_data_access_group', s.redcap_data_access_group, CASE WHEN NOT \(enrollment) THEN NULL
                            WHEN s.redcap_data_access_group IS NULL THEN 'the data access group (the site) is required on the enrollment row'
                            WHEN m.site_code IS NULL THEN 'data access group ' || s.redcap_data_access_group || ' of source ' || \(Self.source) || ' is not mapped to a registry site; map the source site to one first' END
                        """, when: rowIs("enrollment")),
                    guarded(
                        "'consent_date', s.consent_date, CASE WHEN \(enrollment) AND extract(year FROM \(value("consent_date"))) < \(value("birth_year")) THEN 'consent before the year of birth' END",
                        whenFilled: ["consent_date", "birth_year"]),
                    guarded(
                        "'death_date', s.death_date, CASE WHEN \(enrollment) AND extract(year FROM \(value("death_date"))) < \(value("birth_year")) THEN 'death before the year of birth' END",
                        whenFilled: ["death_date", "birth_year"]),
                    guarded(
                        "'histology_icdo3', \(raw("histology_icdo3")), CASE WHEN \(value("histology_icdo3")) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM histology_codes h WHERE h.code = \(value("histology_icdo3"))) THEN 'not an ICD-O-3 code the registry knows (expected NNNN/B, e.g. 9040/3)' END",
                        whenFilled: ["histology_icdo3"]),
                    guarded(
                        "'diagnosis_date', \(raw("diagnosis_date")), CASE WHEN \(value("diagnosis_date")) IS NOT NULL AND sync_date_part(\(value("diagnosis_date"))) IS NULL THEN 'expected YYYY, YYYY-MM or YYYY-MM-DD' END",
                        whenFilled: ["diagnosis_date"]),
                    guarded(
                        "'mol_gene', \(raw("mol_gene")), CASE WHEN \(value("mol_gene")) IS NOT NULL AND approved_gene_symbol(\(value("mol_gene"))) IS NULL THEN \(Self.unknownGeneReason(value("mol_gene"))) END",
                        whenFilled: ["mol_gene"]),
                    guarded(
                        """
                        'mol_partner_gene', \(raw("mol_partner_gene")), CASE WHEN \(value("mol_partner_gene")) IS NULL THEN NULL
                            WHEN approved_gene_symbol(\(value("mol_partner_gene"))) IS NULL THEN \(Self.unknownGeneReason(value("mol_partner_gene")))
                            WHEN \(value("mol_kind")) NOT IN ('fusion', 'rearrangement') THEN 'a partner gene is only for a fusion or rearrangement' END
                        """, whenFilled: ["mol_partner_gene"]),
                    guarded(
                        "'mol_report_date', \(raw("mol_report_date")), CASE WHEN \(value("mol_report_date")) < \(value("mol_specimen_date")) THEN 'the report is dated before the specimen' END",
                        whenFilled: ["mol_report_date", "mol_specimen_date"]),
                    guarded(
                        "'line_stop_date', \(raw("line_stop_date")), CASE WHEN \(value("line_stop_date")) < \(value("line_start_date")) THEN 'the line stops before it starts' WHEN (\(value("line_stop_date")) IS NULL) <> (\(value("line_stop_reason")) IS NULL) THEN 'a stop date goes with a stop reason, and a stop reason with a stop date' END",
                        whenFilled: ["line_stop_date", "line_start_date", "line_stop_reason"]),
                    guarded(
                        "'line_trial_nct', \(raw("line_trial_nct")), CASE WHEN upper(\(value("line_trial_nct"))) !~ '^NCT[0-9]{8}$' THEN 'expected an NCT number (NCT and 8 digits)' END",
                        whenFilled: ["line_trial_nct"]),
                    guarded(
                        "'ae_term', \(raw("ae_term")), "
                            + ImportRules.termReason(
                                term: value("ae_term"), specified: value("ae_term_specify"),
                                specifiedField: "ae_term_specify", textOnlyWithOther: true),
                        whenFilled: ["ae_term", "ae_term_specify"]),
                    guarded(
                        "'ae_resolved_date', \(raw("ae_resolved_date")), CASE WHEN \(value("ae_resolved_date")) < \(value("ae_onset_date")) THEN 'resolved before its onset' END",
                        whenFilled: ["ae_resolved_date", "ae_onset_date"]),
                    guarded(
                        "'assessment_evaluator', \(raw("assessment_evaluator")), CASE WHEN \(SDTMRules.breaksIdentifier("lower(\(value("assessment_evaluator")))", first: "[a-z]", rest: "[a-z0-9_-]", maximumLength: 40)) THEN 'the evaluator is investigator or a reader id of lower-case letters, digits, - and _' END",
                        whenFilled: ["assessment_evaluator"]),
                    guarded(
                        "'lesion_id', \(raw("lesion_id")), CASE WHEN \(SDTMRules.breaksIdentifier("upper(\(value("lesion_id")))", first: "[A-Z0-9]", rest: "[A-Z0-9_.-]", maximumLength: 20)) THEN 'a lesion id is up to 20 letters, digits, ., _ and -' END",
                        whenFilled: ["lesion_id"]),
                    guarded(
                        """
                        'lesion_state', \(raw("lesion_state")), CASE WHEN NOT \(rowIs("lesion")) THEN NULL
                            WHEN \(value("lesion_class")) = 'target' AND \(value("lesion_state")) NOT IN ('measured', 'too_small_to_measure', 'disappeared', 'not_done') THEN 'a target lesion is measured, too_small_to_measure, disappeared or not_done'
                            WHEN \(value("lesion_class")) = 'non_target' AND \(value("lesion_state")) NOT IN ('present', 'absent', 'unequivocal_progression', 'not_evaluable') THEN 'a non-target lesion is present, absent, unequivocal_progression or not_evaluable'
                            WHEN \(value("lesion_class")) = 'new' AND \(value("lesion_state")) NOT IN ('equivocal', 'unequivocal') THEN 'a new lesion is equivocal or unequivocal'
                            WHEN \(value("lesion_state")) = 'measured' AND \(value("lesion_diameter_mm")) IS NULL THEN 'a measured lesion needs lesion_diameter_mm'
                            WHEN \(value("lesion_state")) NOT IN ('measured', 'present') AND \(value("lesion_diameter_mm")) IS NOT NULL THEN 'a diameter goes only with measured (or present, for a node)'
                            WHEN \(value("lesion_class")) <> 'new' AND (\(value("lesion_organ")) IS NULL OR \(value("lesion_method")) IS NULL) THEN 'a target or non-target lesion needs its organ and imaging method' END
                        """, when: rowIs("lesion")),
                ], onlyClean: true),
            // Repeating rows and assessments need their record's patient: from this file's enrollment row or an earlier run.
            // After a withdrawal nothing new is recorded: a row the registry already holds from this source (its
            // record, event, instrument and instance) is not new, so a rerun of the same export keeps it.
            SDTMRules.check(
                file,
                joins: subjectJoin + " LEFT JOIN sync_redcap_enrolled n ON n.record_id = \(recordID) "
                    + SDTMRules.recordJoin(domain: "REDCAP", key: naturalKey),
                checks: [
                    """
                    '\(Self.recordIDColumn)', \(recordID), CASE
                        WHEN \(ImportRules.Reason.locked("x.patient_id")) THEN \(ImportRules.Reason.lockedReason("x.patient_id"))
                        WHEN \(enrollment) THEN NULL
                        WHEN x.patient_id IS NULL AND n.record_id IS NULL
                        THEN \(ImportRules.Reason.unknownSubject)
                        WHEN p.consent_withdrawn_on IS NOT NULL AND r.natural_key IS NULL
                        THEN \(ImportRules.Reason.consentWithdrawn("p.consent_withdrawn_on")) END
                    """
                ]
                    + [
                        "line_start_date", "line_stop_date", "ae_onset_date", "ae_resolved_date", "mol_specimen_date",
                        "mol_report_date",
                        "ecog_date", "assessment_date",
                    ].map { field in
                        // The record's enrollment row in this file has the birth year and death date the import is about to store.
                        guarded(
                            ImportRules.timelineCheck(
                                column: field, value: raw(field), date: value(field),
                                birthYear: "CASE WHEN n.record_id IS NOT NULL THEN n.birth_year ELSE p.birth_year END",
                                deathOn: "CASE WHEN n.record_id IS NOT NULL THEN n.death_on ELSE p.death_on END"),
                            whenFilled: [field])
                    }, onlyClean: true),
        ]
    }
}

extension REDCapRules {
    var kind: String {
        "(CASE WHEN \(rowIs("enrollment")) THEN 'enrollment' WHEN \(rowIs("tumor_assessment")) THEN 'tumor_assessment' ELSE \(instrument) END)"
    }

    /// The agents checked in a therapy line row, as catalog agent codes.
    var agents: String {
        guard let field = runField("line_agents"), field.type == .checkbox else { return "ARRAY[]::text[]" }
        return
            "array_remove(ARRAY[\(field.choiceCodes.map { "CASE WHEN s.line_agents___\($0) = '1' THEN \(Self.literal($0)) END" }.joined(separator: ", "))]::text[], NULL)"
    }

    /// The registry row a row became where the registry table has no natural key: the diagnosis of an
    /// enrollment row, a molecular result, an adverse event.
    var registryRow: String {
        """
        coalesce(r.registry_row, CASE
            WHEN \(rowIs("enrollment")) AND \(hasDiagnosis) THEN sarcreg_next_id('diagnoses')
            WHEN \(instrument) = 'molecular_result' THEN sarcreg_next_id('molecular_results')
            WHEN \(instrument) = 'adverse_event' THEN sarcreg_next_id('adverse_events') END)
        """
    }

    /// The row hash leaves the record id out, so that a renamed record's rows stay unchanged.
    var rowHash: String {
        "md5(ROW(\(file.columns.dropFirst().map { "s." + $0.lowercased() }.joined(separator: ", ")), m.site_code)::text)"
    }

    // What the checks ask of other rows of the file (the record's enrollment, its first therapy line, the
    // assessments of its events) is collected once per record into a table the check joins: asked inside a
    // check's CASE, each question was a subplan scanning the whole staging table again for every row, hours
    // at a million rows. Each table is built right before its check, so it sees the quarantine as it stands then.

    /// Records the crosswalk binds to a patient of another site than the one their data access group maps
    /// to now (a record moved to another group, or a crosswalk entry that names another site's patient),
    /// with the group, its site and the patient. A group on any row of the record counts, not only the
    /// enrollment row's: REDCap writes the record's group on each of its rows.
    var crossSiteRecords: String {
        """
        CREATE TEMP TABLE sync_redcap_cross_site ON COMMIT DROP AS
        SELECT DISTINCT ON (d.record_id) d.record_id, d.dag, m.site_code AS mapped_site, p.registry_id, p.site_code AS patient_site
        FROM (SELECT DISTINCT \(recordID) AS record_id, s.redcap_data_access_group AS dag FROM \(file.stagingTable) s
              WHERE s.redcap_data_access_group IS NOT NULL AND s.read_error IS NULL) d
        JOIN sync_site_map m ON m.source = \(Self.source) AND m.source_site = d.dag
        JOIN sync_subjects x ON x.source = \(Self.source) AND x.usubjid = d.record_id
        JOIN patients p ON p.patient_id = x.patient_id
        WHERE p.site_code <> m.site_code
        ORDER BY d.record_id, d.dag
        """
    }

    /// Every row of such a record is quarantined, already quarantined rows too: whatever else is wrong with
    /// a row, it cannot be applied until the record's site is settled.
    var crossSiteCheck: String {
        SDTMRules.check(
            file, joins: "JOIN sync_redcap_cross_site c ON c.record_id = \(recordID)",
            checks: [
                """
                'redcap_data_access_group', c.dag, 'data access group ' || c.dag || ' maps to site ' || c.mapped_site || ', but record '
                    || c.record_id || ' is bound to patient ' || c.registry_id || ' of site ' || c.patient_site
                    || '; none of its rows is applied: correct the record''s data access group in REDCap, or its site mapping'
                """
            ], onlyClean: false)
    }

    /// Where the registry holds one value and a file may send several: two ECOG rows of a record on one date (one
    /// score a day), and assessments of one evaluator that disagree on whether the read is accepted (one flag a
    /// read). Every row of such a group is quarantined, since nothing says which is right.
    var oneValueChecks: String {
        let evaluator = "coalesce(lower(\(value("assessment_evaluator"))), 'investigator')"
        let accepted = value("assessment_accepted")
        return """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT '\(file.fileName)', s.line_number, 'ecog_date', \(raw("ecog_date")),
                'another ECOG row of this record has the same date; the registry holds one score a day'
            FROM (SELECT s.*, count(*) OVER (PARTITION BY \(recordID), \(value("ecog_date"))) AS copies
                  FROM \(file.stagingTable) s WHERE \(rowIs("ecog")) AND \(SDTMRules.clean(file))) s
            WHERE s.copies > 1
            UNION ALL
            SELECT '\(file.fileName)', s.line_number, 'assessment_accepted', \(raw("assessment_accepted")),
                'another assessment of evaluator ' || s.evaluator || ' of this record gives the other accepted-read flag; a read is accepted or not on all its assessments'
            FROM (SELECT s.*, \(evaluator) AS evaluator, min(\(accepted)) OVER w AS lowest, max(\(accepted)) OVER w AS highest
                  FROM \(file.stagingTable) s WHERE \(rowIs("tumor_assessment")) AND \(SDTMRules.clean(file))
                  WINDOW w AS (PARTITION BY \(recordID), \(evaluator))) s
            WHERE s.lowest <> s.highest AND \(accepted) IS NOT NULL
            """
    }

    /// Records with a clean enrollment row in this file, with its birth year and date of death.
    var enrolledRecords: String {
        """
        CREATE TEMP TABLE sync_redcap_enrolled ON COMMIT DROP AS
        SELECT DISTINCT ON (\(recordID)) \(recordID) AS record_id, \(value("birth_year")) AS birth_year, \(value("death_date")) AS death_on
        FROM \(file.stagingTable) s WHERE \(rowIs("enrollment")) AND \(SDTMRules.clean(file))
        """
    }

    /// The clean therapy line rows of the file, for the timeline's overlap rule: the record, its patient where an
    /// earlier run enrolled it, the line and its dates, and whether it is marked concurrent (`line_concurrent`).
    var exportedLines: String {
        """
        CREATE TEMP TABLE sync_redcap_lines ON COMMIT DROP AS
        SELECT s.line_number AS row_line, \(raw("line_start_date")) AS start_value, \(recordID) AS subject, x.patient_id,
            \(value("line_of_therapy")) AS line_number, \(value("line_start_date")) AS started_on, \(value("line_stop_date")) AS stopped_on,
            coalesce(\(value("line_concurrent")) = '1', false) AS concurrent
        FROM \(file.stagingTable) s LEFT JOIN sync_subjects x ON x.source = \(Self.source) AND x.usubjid = \(recordID)
        WHERE \(instrument) = 'therapy_line' AND \(SDTMRules.clean(file))
        """
    }

    /// A line that overlaps another line of its patient while neither is marked concurrent is quarantined, in the
    /// domain's words (``ImportRules/overlappingLines(_:mark:)``).
    var overlapCheck: String {
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
        SELECT '\(file.fileName)', l.row_line, 'line_start_date', l.start_value, o.reason
        FROM sync_redcap_lines l
        JOIN (\(ImportRules.overlappingLines(
            "SELECT subject, patient_id, line_number, started_on, stopped_on, concurrent FROM sync_redcap_lines",
            mark: "line_concurrent = 1 (Yes)"))) o ON o.subject = l.subject AND o.line_number = l.line_number
        """
    }

    /// Per record, the earliest start of its therapy line rows in this file not quarantined so far: a line the
    /// timeline refused (a stop after the patient's death) is not there for its follow-ups to name.
    var firstLineStarts: String {
        """
        CREATE TEMP TABLE sync_redcap_first_lines ON COMMIT DROP AS
        SELECT \(recordID) AS record_id, min(\(value("line_start_date"))) AS started_on FROM \(file.stagingTable) s
        WHERE \(instrument) = 'therapy_line' AND \(SDTMRules.clean(file)) GROUP BY 1
        """
    }

    /// The events of each record that have a clean tumor assessment row; the event NULL as '' (the staging never holds '').
    var assessedEvents: String {
        """
        CREATE TEMP TABLE sync_redcap_assessed ON COMMIT DROP AS
        SELECT DISTINCT \(recordID) AS record_id, \(event) AS event FROM \(file.stagingTable) s
        WHERE \(rowIs("tumor_assessment")) AND \(SDTMRules.clean(file))
        """
    }

    /// The rows of the series the RECIST engine refused with this export applied
    /// (``SyncService/applyKeepingSeriesScorable(touched:on:_:)``): the faulty lesion's rows, or every lesion and
    /// tumor assessment row of a series refused as a whole. A row takes its evaluator from its event's assessment row.
    var refusedSeriesCheck: String {
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
        SELECT '\(file.fileName)', s.line_number, CASE WHEN \(rowIs("lesion")) THEN 'lesion_id' ELSE 'assessment_evaluator' END,
            CASE WHEN \(rowIs("lesion")) THEN \(raw("lesion_id")) ELSE \(raw("assessment_evaluator")) END, \(ImportRules.refusedSeriesReason)
        FROM \(file.stagingTable) s
        JOIN (SELECT \(recordID) AS record_id, \(event) AS event, coalesce(lower(\(value("assessment_evaluator"))), 'investigator') AS evaluator
            FROM \(file.stagingTable) s WHERE \(rowIs("tumor_assessment"))) a ON a.record_id = \(recordID) AND a.event = \(event)
        JOIN sync_refused_series z ON z.subject = \(recordID) AND z.evaluator = a.evaluator
        WHERE s.read_error IS NULL AND \(SDTMRules.clean(file))
            AND (\(rowIs("lesion")) AND (z.label IS NULL OR z.label = upper(\(value("lesion_id")))) OR \(rowIs("tumor_assessment")) AND z.label IS NULL)
        """
    }

    /// The readers' series whose assessments or lesions this run changes: the ones ``StoredSeriesCheck`` scores.
    static let touchedSeries = """
        SELECT l.patient_id, a.evaluator FROM sync_valid_redcap l
        JOIN sync_valid_redcap a ON a.kind = 'tumor_assessment' AND a.record_id = l.record_id AND coalesce(a.event, '') = coalesce(l.event, '')
        WHERE l.kind = 'lesion' AND l.old_hash IS DISTINCT FROM l.row_hash AND l.patient_id IS NOT NULL
        UNION SELECT patient_id, evaluator FROM sync_valid_redcap
        WHERE kind = 'tumor_assessment' AND old_hash IS DISTINCT FROM row_hash AND patient_id IS NOT NULL
        """

    var laterChecks: String {
        let joins =
            subjectJoin + """

                LEFT JOIN sync_redcap_first_lines f ON f.record_id = \(recordID)
                LEFT JOIN sync_redcap_assessed a ON a.record_id = \(recordID) AND a.event = \(event)
                """
        return SDTMRules.check(
            file, joins: joins,
            checks: [
                // The first line is this file's earliest clean line or a stored one, whichever started first.
                guarded(
                    ImportRules.baselineCheck(
                        column: "ae_onset_date", value: raw("ae_onset_date"), onset: value("ae_onset_date"),
                        baseline: "coalesce(\(value("ae_baseline")) = '1', false)",
                        firstStart:
                            "least(f.started_on, (SELECT min(t.started_on) FROM therapy_lines t WHERE t.patient_id = x.patient_id))",
                        mark: "ae_baseline = 1 (Yes)"), when: rowIs("adverse_event")),
                """
                'assessment_date', \(raw("assessment_date")), CASE WHEN NOT \(rowIs("tumor_assessment")) OR \(value("assessment_baseline")) = '1' THEN NULL
                    WHEN NOT EXISTS (SELECT 1 FROM therapy_lines t WHERE t.patient_id = x.patient_id AND t.started_on <= \(value("assessment_date")))
                        AND NOT coalesce(f.started_on <= \(value("assessment_date")), false)
                    THEN \(ImportRules.Reason.noLineBeforeFollowUp) END
                """,
                """
                'redcap_event_name', s.redcap_event_name, CASE WHEN \(rowIs("lesion")) AND a.record_id IS NULL
                    THEN 'a lesion row needs a valid tumor assessment row in the same event' END
                """,
            ], onlyClean: true)
    }

    /// The baseline lesion rows that break RECIST 1.1's rules for targets (``SDTMRules/baselineBreaches``),
    /// and the same lesion's rows in that evaluator's later events, which would otherwise be scored
    /// against a baseline that is not there. A lesion row takes its evaluator and baseline flag from the
    /// tumor assessment row of its event; the events compared as '' for NULL, an equality that hashes.
    /// The record's targets stored by earlier runs count toward the limits, so an export that sends only a
    /// new target is held to the whole baseline.
    var baselineChecks: String {
        let node = "coalesce(\(value("lesion_node")) = '1', false)"
        return """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            WITH lesion_rows AS (
                SELECT s.line_number, \(recordID) AS subject, a.evaluator, a.is_baseline, upper(\(value("lesion_id"))) AS label,
                    \(value("lesion_organ")) AS organ_name, \(node) AS is_lymph_node,
                    \(raw("lesion_id")) AS lesion_value, \(raw("lesion_organ")) AS organ_value
                FROM \(file.stagingTable) s
                JOIN (SELECT \(recordID) AS record_id, \(event) AS event,
                        coalesce(lower(\(value("assessment_evaluator"))), 'investigator') AS evaluator,
                        coalesce(\(value("assessment_baseline")) = '1', false) AS is_baseline
                    FROM \(file.stagingTable) s WHERE \(rowIs("tumor_assessment")) AND \(SDTMRules.clean(file))) a
                    ON a.record_id = \(recordID) AND a.event = \(event)
                WHERE \(rowIs("lesion")) AND \(value("lesion_class")) = 'target' AND \(SDTMRules.clean(file))),
            breach AS (\(SDTMRules.baselineBreaches(targets: """
                SELECT line_number, subject, evaluator, label,
                    CASE WHEN is_lymph_node THEN '\(AnatomicSite.lymphNodes)' ELSE organ_name END AS organ, is_lymph_node,
                    lesion_value, organ_value
                FROM lesion_rows WHERE is_baseline
                """, lesionColumn: "lesion_id", organColumn: "lesion_organ")))
            SELECT '\(file.fileName)', b.line_number, b.column_name, b.value, b.reason FROM breach b
            UNION ALL
            SELECT '\(file.fileName)', l.line_number, 'lesion_id', l.lesion_value,
                'the baseline of lesion ' || b.label || ' (line ' || b.line_number || ') is quarantined: ' || b.reason
            FROM lesion_rows l JOIN breach b ON b.subject = l.subject AND b.evaluator = l.evaluator AND b.label = l.label
            WHERE NOT l.is_baseline
            """
    }

    /// The valid rows with their natural key, hash, patient and the registry's values. A value is computed
    /// only where the apply reads it (NULL elsewhere): on the rows of its kind, and of those only the new or
    /// changed ones, except an assessment's, which its changed lesions read. Computed on every row, the values
    /// (the 31 agent checkboxes above all) cost more than the rest of the statement. OFFSET 0 keeps the kind
    /// and the hash computed once per row: flattened, the subquery's expressions would be copied into every CASE.
    var validRows: String {
        func only(_ kind: String, changed: Bool = true, _ columns: [(expression: String, name: String)]) -> String {
            let condition =
                "s.sync_kind = '\(kind)'" + (changed ? " AND s.sync_row_hash IS DISTINCT FROM r.row_hash" : "")
            return columns.map { "CASE WHEN \(condition) THEN \($0.expression) END AS \($0.name)" }.joined(
                separator: ",\n    ")
        }
        return """
            CREATE TEMP TABLE sync_valid_redcap ON COMMIT DROP AS
            SELECT s.line_number, \(naturalKey) AS natural_key, s.sync_row_hash AS row_hash, r.row_hash AS old_hash, \(registryRow) AS registry_row,
                \(recordID) AS record_id, s.redcap_event_name AS event, s.sync_kind AS kind, x.patient_id, s.sync_site_code AS site_code,
                \(only("enrollment", [
                    (value("birth_year"), "birth_year"), (value("sex"), "sex"), (value("consent_date"), "consent_date"),
                    (value("consent_withdrawn_date"), "consent_withdrawn_on"), (value("vital_status"), "vital_status"),
                    (value("death_date"), "death_on"), (value("last_contact_date"), "last_contact_on"),
                    (hasDiagnosis, "has_diagnosis"), (value("histology_icdo3"), "icdo3_code"), (value("icdo_version"), "icdo_version"),
                    (value("who_entity"), "who_entity"), (value("fnclcc_grade") + "::smallint", "fnclcc_grade"), (value("primary_site"), "primary_site"),
                    ("sync_date_part(\(value("diagnosis_date")))", "diagnosis_date"), (value("disease_setting"), "disease_setting"),
                ])),
                \(only("molecular_result", [
                    ("approved_gene_symbol(\(value("mol_gene")))", "gene"), (value("mol_kind"), "alteration_kind"),
                    ("approved_gene_symbol(\(value("mol_partner_gene")))", "partner_gene"),
                    (value("mol_hgvs"), "hgvs"), (value("mol_method"), "method"), (value("mol_result"), "result"),
                    ("coalesce(\(value("mol_acquired_resistance")) = '1', false)", "acquired_resistance"), (value("mol_specimen_date"), "specimen_date"),
                    (value("mol_report_date"), "report_date"), (value("mol_laboratory"), "laboratory"),
                ])),
                \(only("therapy_line", [
                    (value("line_of_therapy") + "::smallint", "line_of_therapy"), (agents, "agents"), (value("line_intent"), "intent"),
                    (value("line_start_date"), "started_on"), (value("line_stop_date"), "stopped_on"), (value("line_stop_reason"), "stop_reason"),
                    (value("line_dose"), "dose"), ("upper(\(value("line_trial_nct")))", "trial_nct"),
                    ("coalesce(\(value("line_concurrent")) = '1', false)", "concurrent"),
                ])),
                \(only("adverse_event", [
                    (value("ae_term"), "ctcae_term"), (value("ae_ctcae_version"), "ctcae_version"), (value("ae_grade") + "::smallint", "grade"),
                    (value("ae_onset_date"), "onset_on"), (value("ae_resolved_date"), "resolved_on"), (value("ae_attribution"), "attribution"),
                    ("coalesce(\(value("ae_serious")) = '1', false)", "serious"), (value("ae_line") + "::smallint", "ae_line"),
                    (value("ae_term_specify"), "term_specified"), ("coalesce(\(value("ae_baseline")) = '1', false)", "baseline"),
                ])),
                \(only("tumor_assessment", changed: false, [
                    (value("assessment_date"), "assessed_on"), ("coalesce(lower(\(value("assessment_evaluator"))), 'investigator')", "evaluator"),
                    ("coalesce(\(value("assessment_baseline")) = '1', false)", "is_baseline"), (value("assessment_accepted"), "accepted"),
                ])),
                \(only("ecog", [(value("ecog_date"), "ecog_on"), (value("ecog_score") + "::smallint", "ecog")])),
                \(only("lesion", [
                    ("upper(\(value("lesion_id")))", "label"), (value("lesion_class"), "lesion_class"), (value("lesion_organ"), "organ"),
                    ("coalesce(\(value("lesion_node")) = '1', false)", "is_lymph_node"), (value("lesion_method"), "imaging_method"),
                    (value("lesion_diameter_mm"), "diameter_mm"), (value("lesion_state"), "lesion_state"),
                ]))
            FROM (
                SELECT s.*, \(kind) AS sync_kind, \(rowHash) AS sync_row_hash, m.site_code AS sync_site_code FROM \(file.stagingTable) s
                LEFT JOIN sync_site_map m ON m.source = \(Self.source) AND m.source_site = s.redcap_data_access_group AND \(rowIs("enrollment"))
                OFFSET 0
            ) s
            LEFT JOIN sync_subjects x ON x.source = \(Self.source) AND x.usubjid = \(recordID)
            \(SDTMRules.recordJoin(domain: "REDCAP", key: naturalKey))
            WHERE \(SDTMRules.clean(file))
            """
    }

    var apply: [String] {
        let run = SDTMRules.run
        return [
            SDTMRules.readErrors(file),
            rowChecks,
            registryChecks[0],
            crossSiteRecords,
            crossSiteCheck,
            enrolledRecords,
            registryChecks[1],
            oneValueChecks,
            exportedLines,
            overlapCheck,
            firstLineStarts,
            assessedEvents,
            laterChecks,
            refusedSeriesCheck,
            baselineChecks,
            validRows,
        ]
            + ImportRules.enrollSubjects(
                """
                SELECT record_id AS subject, site_code, patient_id, old_hash IS DISTINCT FROM row_hash AS changed, birth_year, sex,
                    consent_date, death_on, vital_status, consent_withdrawn_on, last_contact_on
                FROM sync_valid_redcap WHERE kind = 'enrollment'
                """, carried: Set(ImportRules.CarriedPatientField.allCases)) + [
                // The run's own table of the subjects it enrolled, not sync_subjects: planned from the statistics of
                // sync_subjects before this run added them, the join became a nested loop over every valid row for
                // each new subject (53 s for 250,000 rows of 3,907 new records).
                """
                UPDATE sync_valid_redcap v SET patient_id = n.patient_id FROM sync_new_patients n
                WHERE v.patient_id IS NULL AND n.subject = v.record_id
                """,
                "CREATE INDEX ON sync_valid_redcap (kind, patient_id)",
                """
                INSERT INTO patient_ecog (patient_id, assessed_on, ecog)
                SELECT patient_id, ecog_on, ecog FROM sync_valid_redcap WHERE kind = 'ecog' AND old_hash IS DISTINCT FROM row_hash
                ON CONFLICT (patient_id, assessed_on) DO UPDATE SET ecog = EXCLUDED.ecog WHERE patient_ecog.ecog IS DISTINCT FROM EXCLUDED.ecog
                """,
                // A read's flag is written on each of its assessments (the conflicting ones are quarantined above); an
                // empty flag leaves the stored read as it is, so a file without the field does not unset it.
                """
                INSERT INTO evaluator_reads (patient_id, evaluator, accepted)
                SELECT patient_id, evaluator, bool_or(accepted = '1') FROM sync_valid_redcap
                WHERE kind = 'tumor_assessment' AND accepted IS NOT NULL AND patient_id IS NOT NULL GROUP BY patient_id, evaluator
                ON CONFLICT (patient_id, evaluator) DO UPDATE SET accepted = EXCLUDED.accepted
                WHERE evaluator_reads.accepted IS DISTINCT FROM EXCLUDED.accepted
                """,
                """
                INSERT INTO diagnoses (diagnosis_id, patient_id, icdo3_code, icdo_version, who_entity, fnclcc_grade, primary_site,
                    diagnosed_year, diagnosed_month, diagnosed_day, disease_setting)
                OVERRIDING SYSTEM VALUE
                SELECT registry_row, patient_id, icdo3_code, icdo_version, who_entity, fnclcc_grade, primary_site,
                    split_part(diagnosis_date, '-', 1)::smallint, nullif(split_part(diagnosis_date, '-', 2), '')::smallint,
                    nullif(split_part(diagnosis_date, '-', 3), '')::smallint, disease_setting
                FROM sync_valid_redcap WHERE kind = 'enrollment' AND has_diagnosis AND old_hash IS DISTINCT FROM row_hash
                ON CONFLICT (diagnosis_id) DO UPDATE SET icdo3_code = EXCLUDED.icdo3_code, icdo_version = EXCLUDED.icdo_version,
                    who_entity = EXCLUDED.who_entity, fnclcc_grade = EXCLUDED.fnclcc_grade, primary_site = EXCLUDED.primary_site,
                    diagnosed_year = EXCLUDED.diagnosed_year, diagnosed_month = EXCLUDED.diagnosed_month, diagnosed_day = EXCLUDED.diagnosed_day,
                    disease_setting = EXCLUDED.disease_setting
                """,
                """
                INSERT INTO molecular_results (molecular_result_id, patient_id, gene, alteration_kind, partner_gene, hgvs, method, result,
                    acquired_resistance, specimen_date, report_date, laboratory)
                OVERRIDING SYSTEM VALUE
                SELECT registry_row, patient_id, gene, alteration_kind, partner_gene, hgvs, method, result, acquired_resistance, specimen_date,
                    report_date, laboratory
                FROM sync_valid_redcap WHERE kind = 'molecular_result' AND old_hash IS DISTINCT FROM row_hash
                ON CONFLICT (molecular_result_id) DO UPDATE SET gene = EXCLUDED.gene, alteration_kind = EXCLUDED.alteration_kind,
                    partner_gene = EXCLUDED.partner_gene, hgvs = EXCLUDED.hgvs, method = EXCLUDED.method, result = EXCLUDED.result,
                    acquired_resistance = EXCLUDED.acquired_resistance, specimen_date = EXCLUDED.specimen_date,
                    report_date = EXCLUDED.report_date, laboratory = EXCLUDED.laboratory
                """,
            ]
            + ImportRules.applyTherapyLines(
                """
                SELECT patient_id, line_of_therapy AS line_number, intent, started_on, stopped_on, stop_reason, dose, trial_nct, concurrent
                FROM sync_valid_redcap WHERE kind = 'therapy_line' AND old_hash IS DISTINCT FROM row_hash
                """,
                agents: """
                    SELECT patient_id, line_of_therapy AS line_number, unnest(agents) AS agent_code
                    FROM sync_valid_redcap WHERE kind = 'therapy_line' AND old_hash IS DISTINCT FROM row_hash
                    """,
                replacingAgents: true) + [
                ImportRules.applyAdverseEvents(
                    """
                    SELECT registry_row, patient_id, ae_line AS line_number, ctcae_term, term_specified, ctcae_version, grade, onset_on,
                        resolved_on, attribution, serious, baseline
                    FROM sync_valid_redcap WHERE kind = 'adverse_event' AND old_hash IS DISTINCT FROM row_hash
                    """),
                // The events compared as '' for NULL (the staging never holds ''): an equality the join can hash,
                // where IS NOT DISTINCT FROM compared each lesion with every assessment of its record.
                """
                CREATE TEMP TABLE sync_redcap_lesions ON COMMIT DROP AS
                SELECT l.*, a.evaluator AS assessment_evaluator, a.assessed_on AS assessment_on
                FROM sync_valid_redcap l
                JOIN sync_valid_redcap a ON a.kind = 'tumor_assessment' AND a.record_id = l.record_id AND coalesce(a.event, '') = coalesce(l.event, '')
                WHERE l.kind = 'lesion' AND l.old_hash IS DISTINCT FROM l.row_hash
                """,
                "ANALYZE sync_redcap_lesions",
                ImportRules.applyLesions(
                    """
                    SELECT DISTINCT ON (patient_id, assessment_evaluator, label) patient_id, assessment_evaluator AS evaluator, label,
                        lesion_class, organ, is_lymph_node, imaging_method
                    FROM sync_redcap_lesions ORDER BY patient_id, assessment_evaluator, label, assessment_on
                    """),
            ]
            + ImportRules.applyAssessmentsAndResults(
                assessments: """
                    SELECT patient_id, evaluator, assessed_on, is_baseline FROM sync_valid_redcap
                    WHERE kind = 'tumor_assessment' AND old_hash IS DISTINCT FROM row_hash
                    """,
                results: """
                    SELECT v.patient_id, v.assessment_evaluator AS evaluator, v.assessment_on AS assessed_on, e.lesion_id, e.lesion_class,
                        v.lesion_state AS result, v.diameter_mm
                    FROM sync_redcap_lesions v
                    JOIN lesions e ON e.patient_id = v.patient_id AND e.evaluator = v.assessment_evaluator AND e.label = v.label
                    """) + [
                """
                INSERT INTO sync_records (source, domain, natural_key, row_hash, registry_row, first_run, last_changed_run, first_file, first_line)
                SELECT \(Self.source), 'REDCAP', natural_key, row_hash, registry_row, \(run), \(run), current_setting('sarcreg.sync_file'), line_number
                FROM sync_valid_redcap WHERE old_hash IS DISTINCT FROM row_hash
                ON CONFLICT (source, domain, natural_key) DO UPDATE SET row_hash = EXCLUDED.row_hash, registry_row = EXCLUDED.registry_row,
                    last_changed_run = EXCLUDED.last_changed_run, missing_since_run = NULL
                """,
                """
                UPDATE sync_records r SET missing_since_run = NULL FROM sync_valid_redcap v
                WHERE r.source = \(Self.source) AND r.domain = 'REDCAP' AND r.natural_key = v.natural_key AND r.missing_since_run IS NOT NULL
                """,
                """
                UPDATE sync_records r SET missing_since_run = \(run)
                WHERE r.source = \(Self.source) AND r.domain = 'REDCAP' AND r.missing_since_run IS NULL
                    AND NOT EXISTS (SELECT 1 FROM \(file.stagingTable) s WHERE \(naturalKey) = r.natural_key)
                """,
            ]
    }
}
