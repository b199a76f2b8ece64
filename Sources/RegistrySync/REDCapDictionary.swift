import Foundation

/// One field of a REDCap data dictionary (one row of REDCap's 18-column metadata CSV).
public struct REDCapField: Sendable, Hashable {
    public enum FieldType: String, Sendable, CaseIterable {
        case text, notes, radio, dropdown, checkbox, yesno, truefalse, calc, file, descriptive, slider, sql
    }

    public let name: String
    public let form: String
    public let type: FieldType
    public let label: String
    /// The raw "Choices, Calculations, OR Slider Labels" cell: `code, label | code, label`.
    public let choicesText: String
    public let note: String
    /// "Text Validation Type OR Show Slider Number": `date_ymd`, `number_comma_decimal`, `integer`, ...
    public let validation: String
    public let minimum: String
    public let maximum: String
    /// REDCap's "Identifier?" flag: the field holds protected health information.
    public let isIdentifier: Bool
    public let isRequired: Bool

    public init(
        _ name: String, _ form: String, _ type: FieldType, _ label: String, choices: String = "", note: String = "",
        validation: String = "", minimum: String = "", maximum: String = "", identifier: Bool = false,
        required: Bool = false
    ) {
        self.name = name
        self.form = form
        self.type = type
        self.label = label
        self.choicesText = choices
        self.note = note
        self.validation = validation
        self.minimum = minimum
        self.maximum = maximum
        self.isIdentifier = identifier
        self.isRequired = required
    }

    /// The choice codes, in order. A label may hold commas, so each choice splits on its first comma only.
    public var choiceCodes: [String] {
        guard !choicesText.isEmpty else { return [] }
        return choicesText.split(separator: "|").map { choice in
            let code = choice.split(separator: ",", maxSplits: 1).first ?? ""
            return code.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The codes a value of the field may take: its choices, or REDCap's fixed codes for yes/no fields.
    public var allowedCodes: [String]? {
        switch type {
        case .radio, .dropdown: choiceCodes
        case .yesno, .truefalse: ["1", "0"]
        default: nil
        }
    }

    /// How the export writes a value of the field: REDCap exports dates as YYYY-MM-DD whatever the
    /// display format, but a file saved from the display (or by a spreadsheet) keeps the declared order.
    public var dateOrder: DateOrder? {
        switch validation {
        case "date_ymd": .ymd
        case "date_dmy": .dmy
        case "date_mdy": .mdy
        default: nil
        }
    }

    public enum DateOrder: Sendable { case ymd, dmy, mdy }

    /// The validations a site's dictionary may give this registry field: the registry's own, or a REDCap
    /// spelling of the same kind of value whose export the import reads per field (the date order of a
    /// date, the decimal places and decimal mark of a number). A whole number stays a whole number.
    public var acceptedValidations: [String] {
        switch validation {
        case "date_ymd": ["date_ymd", "date_dmy", "date_mdy"]
        case "number":
            ["number", "number_comma_decimal"] + (1...4).flatMap { ["number_\($0)dp", "number_\($0)dp_comma_decimal"] }
        default: [validation]
        }
    }

    /// The choices whose code is in `codes`, in this field's order and with its labels.
    func choices(keeping codes: Set<String>) -> String {
        choicesText.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter {
                codes.contains(
                    String($0.split(separator: ",", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces))
            }
            .joined(separator: " | ")
    }

    public var isNumber: Bool { validation == "integer" || validation.hasPrefix("number") }
    /// `number_comma_decimal` and `number_1dp_comma_decimal` ... export `1,54`; the mark is per field, not per file.
    public var hasCommaDecimal: Bool { validation.hasPrefix("number") && validation.hasSuffix("comma_decimal") }
}

/// A REDCap project's data dictionary: the fields in order, the first being the record id field.
public struct REDCapDictionary: Sendable {
    public let fields: [REDCapField]

    public init(fields: [REDCapField]) {
        self.fields = fields
    }

    /// The record id field: the dictionary's first row, whatever its name (`record_id`, `study_id`, ...).
    public var recordIDField: String { fields.first?.name ?? "record_id" }

    /// The forms (instruments) in the order their first field appears.
    public var forms: [String] {
        var seen: [String] = []
        for field in fields where !seen.contains(field.form) { seen.append(field.form) }
        return seen
    }

    /// The columns of a flat record export, in REDCap's order: the record id, the event, repeat and data
    /// access group columns, then each form's fields (a checkbox as one `field___code` column per choice)
    /// followed by its `<form>_complete` column.
    public var exportColumns: [String] {
        var columns = [recordIDField] + REDCapDictionary.systemColumns
        for form in forms {
            for field in fields where field.form == form && field.name != recordIDField && field.type != .descriptive {
                if field.type == .checkbox {
                    columns += field.choiceCodes.map { field.name + "___" + $0 }
                } else {
                    columns.append(field.name)
                }
            }
            columns.append(form + "_complete")
        }
        return columns
    }

    public static let systemColumns = [
        "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group",
    ]

    /// The 18 header names of the dictionary as exported from REDCap's user interface.
    public static let interfaceHeader = [
        "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
        "Choices, Calculations, OR Slider Labels",
        "Field Note", "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
        "Identifier?",
        "Branching Logic (Show field only if...)", "Required Field?", "Custom Alignment",
        "Question Number (surveys only)",
        "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
    ]

    /// The same 18 columns as the API's `content=metadata` names them.
    public static let apiHeader = [
        "field_name", "form_name", "section_header", "field_type", "field_label", "select_choices_or_calculations",
        "field_note",
        "text_validation_type_or_show_slider_number", "text_validation_min", "text_validation_max", "identifier",
        "branching_logic",
        "required_field", "custom_alignment", "question_number", "matrix_group_name", "matrix_ranking",
        "field_annotation",
    ]

    /// Reads a dictionary CSV with either header (a leading byte order mark is dropped by the reader).
    public static func load(path: String) throws(SyncError) -> REDCapDictionary {
        let reader = try CSVRecordReader(path: path)
        var header: [String] = []
        var fields: [REDCapField] = []
        let file = (path as NSString).lastPathComponent
        do {
            _ = try reader.next { header = $0.map { $0.text.trimmingCharacters(in: .whitespaces) } }
            let isInterface = header.count >= 18 && Array(header.prefix(18)) == interfaceHeader
            let isAPI = header.count >= 18 && Array(header.prefix(18)).map { $0.lowercased() } == apiHeader
            guard isInterface || isAPI else {
                throw SyncError.invalidDictionary(
                    file: file, line: 1,
                    reason: "the header is neither REDCap's data dictionary header nor the API's metadata header")
            }
            while try reader.next({ cells in
                let values = cells.map(\.text)
                guard values.count >= 18 else {
                    throw SyncError.invalidDictionary(
                        file: file, line: reader.line, reason: "\(values.count) columns; a data dictionary row has 18")
                }
                let name = values[0].trimmingCharacters(in: .whitespaces)
                guard name.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
                    throw SyncError.invalidDictionary(
                        file: file, line: reader.line, reason: "field name '\(name)' is not a REDCap variable name")
                }
                guard let type = REDCapField.FieldType(rawValue: values[3].trimmingCharacters(in: .whitespaces)) else {
                    throw SyncError.invalidDictionary(
                        file: file, line: reader.line,
                        reason: "field type '\(values[3])' of \(name) is not a REDCap field type")
                }
                fields.append(
                    REDCapField(
                        name, values[1].trimmingCharacters(in: .whitespaces), type, values[4], choices: values[5],
                        note: values[6],
                        validation: values[7].trimmingCharacters(in: .whitespaces), minimum: values[8],
                        maximum: values[9],
                        identifier: values[10].trimmingCharacters(in: .whitespaces).lowercased() == "y",
                        required: values[12].trimmingCharacters(in: .whitespaces).lowercased() == "y"))
            }) {}
        } catch {
            throw SyncError.wrap(error)
        }
        guard !fields.isEmpty else {
            throw .invalidDictionary(file: file, line: 1, reason: "the dictionary has no fields")
        }
        return REDCapDictionary(fields: fields)
    }

    /// The dictionary as REDCap's interface exports it (RFC 4180, every field quoted where needed).
    public var csv: String {
        func cell(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [Self.interfaceHeader.map(cell).joined(separator: ",")]
        for field in fields {
            lines.append(
                [
                    field.name, field.form, "", field.type.rawValue, field.label, field.choicesText, field.note,
                    field.validation,
                    field.minimum, field.maximum, field.isIdentifier ? "y" : "", "", field.isRequired ? "y" : "", "",
                    "", "", "", "",
                ]
                .map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension REDCapDictionary {
    /// The registry's published dictionary (`REDCap/sarcreg_data_dictionary.csv` is this, written out):
    /// the fields the REDCap import maps to registry tables and the REDCap export writes.
    public static let registry = REDCapDictionary(fields: [
        .init("record_id", "enrollment", .text, "Record ID (pseudonym, never a medical record number)", required: true),
        .init(
            "birth_year", "enrollment", .text, "Year of birth", note: "YYYY", validation: "integer", minimum: "1900",
            maximum: "2200", required: true),
        .init(
            "sex", "enrollment", .radio, "Sex",
            choices: "female, Female | male, Male | other, Other | unknown, Unknown", required: true),
        .init("consent_date", "enrollment", .text, "Date of consent", validation: "date_ymd", required: true),
        .init("consent_withdrawn_date", "enrollment", .text, "Date consent was withdrawn", validation: "date_ymd"),
        .init(
            "vital_status", "enrollment", .radio, "Vital status",
            choices: "alive, Alive | dead, Dead | unknown, Unknown"),
        .init("death_date", "enrollment", .text, "Date of death", validation: "date_ymd"),
        .init("last_contact_date", "enrollment", .text, "Date of last contact", validation: "date_ymd"),
        .init(
            "histology_icdo3", "diagnosis", .text, "Histology (ICD-O-3 morphology/behaviour)",
            note: "e.g. 9040/3; pattern ^\\d{4}/[0-3,6,9]$", required: true),
        .init(
            "icdo_version", "diagnosis", .dropdown, "ICD-O edition",
            choices: "3.0, ICD-O-3 | 3.1, ICD-O-3.1 | 3.2, ICD-O-3.2", required: true),
        .init("who_entity", "diagnosis", .text, "WHO 2020 entity", required: true),
        .init("fnclcc_grade", "diagnosis", .radio, "FNCLCC grade", choices: "1, Grade 1 | 2, Grade 2 | 3, Grade 3"),
        .init("primary_site", "diagnosis", .text, "Primary site", required: true),
        .init(
            "diagnosis_date", "diagnosis", .text, "Date of diagnosis", note: "YYYY, YYYY-MM or YYYY-MM-DD",
            required: true),
        .init(
            "disease_setting", "diagnosis", .radio, "Disease setting",
            choices:
                "localized, Localized | locally_advanced_unresectable, Locally advanced, unresectable | metastatic, Metastatic",
            required: true),
        .init("mol_gene", "molecular_result", .text, "Gene (HGNC symbol)", required: true),
        .init(
            "mol_kind", "molecular_result", .dropdown, "Alteration",
            choices:
                "fusion, Fusion | amplification, Amplification | mutation, Mutation | deletion, Deletion | loss_of_expression, Loss of expression | overexpression, Overexpression | rearrangement, Rearrangement",
            required: true),
        .init("mol_partner_gene", "molecular_result", .text, "Fusion partner gene (HGNC symbol)"),
        .init("mol_hgvs", "molecular_result", .text, "HGVS"),
        .init(
            "mol_method", "molecular_result", .dropdown, "Method",
            choices: "ngs_dna, NGS (DNA) | ngs_rna, NGS (RNA) | fish, FISH | ihc, IHC | pcr, PCR", required: true),
        .init(
            "mol_result", "molecular_result", .radio, "Result",
            choices: "positive, Positive | negative, Negative | equivocal, Equivocal | failed, Failed", required: true),
        .init("mol_acquired_resistance", "molecular_result", .yesno, "Known acquired-resistance mutation"),
        .init("mol_specimen_date", "molecular_result", .text, "Specimen date", validation: "date_ymd"),
        .init("mol_report_date", "molecular_result", .text, "Report date", validation: "date_ymd", required: true),
        .init("mol_laboratory", "molecular_result", .text, "Laboratory"),
        .init(
            "line_of_therapy", "therapy_line", .text, "Line of therapy", validation: "integer", minimum: "1",
            maximum: "30", required: true),
        .init(
            "line_agents", "therapy_line", .checkbox, "Agents",
            choices:
                "abemaciclib, abemaciclib | al101, al101 | al102, al102 | anlotinib, anlotinib | atezolizumab, atezolizumab | bi_907828, bi 907828 | carboplatin, carboplatin | cft8634, cft8634 | cisplatin, cisplatin | crizotinib, crizotinib | cyclophosphamide, cyclophosphamide | dacarbazine, dacarbazine | dactinomycin, dactinomycin | docetaxel, docetaxel | doxorubicin, doxorubicin | entrectinib, entrectinib | epirubicin, epirubicin | eribulin, eribulin | etoposide, etoposide | everolimus, everolimus | fhd_609, fhd 609 | gemcitabine, gemcitabine | ifosfamide, ifosfamide | imatinib, imatinib | ipilimumab, ipilimumab | irinotecan, irinotecan | larotrectinib, larotrectinib | lenvatinib, lenvatinib | methotrexate, methotrexate | milademetan, milademetan | nab_paclitaxel, nab paclitaxel | nab_sirolimus, nab sirolimus | nirogacestat, nirogacestat | nivolumab, nivolumab | paclitaxel, paclitaxel | palbociclib, palbociclib | pazopanib, pazopanib | pegylated_liposomal_doxorubicin, pegylated liposomal doxorubicin | pembrolizumab, pembrolizumab | pexidartinib, pexidartinib | placebo, placebo | regorafenib, regorafenib | sapanisertib, sapanisertib | sirolimus, sirolimus | sorafenib, sorafenib | sulindac, sulindac | sunitinib, sunitinib | tamoxifen, tamoxifen | tazemetostat, tazemetostat | temozolomide, temozolomide | temsirolimus, temsirolimus | topotecan, topotecan | trabectedin, trabectedin | vimseltinib, vimseltinib | vinblastine, vinblastine | vincristine, vincristine | vinorelbine, vinorelbine",
            required: true),
        .init(
            "line_intent", "therapy_line", .radio, "Intent",
            choices:
                "neoadjuvant, Neoadjuvant | adjuvant, Adjuvant | curative, Curative | palliative, Palliative | maintenance, Maintenance",
            required: true),
        .init("line_start_date", "therapy_line", .text, "Start date", validation: "date_ymd", required: true),
        .init("line_stop_date", "therapy_line", .text, "Stop date", validation: "date_ymd"),
        .init(
            "line_stop_reason", "therapy_line", .dropdown, "Reason stopped",
            choices:
                "progression, Progression | toxicity, Toxicity | completed, Completed | patient_choice, Patient choice | death, Death | other, Other"
        ),
        .init("line_dose", "therapy_line", .text, "Dose and schedule"),
        .init("line_trial_nct", "therapy_line", .text, "Trial (NCT number)", note: "NCT followed by 8 digits"),
        .init(
            "line_concurrent", "therapy_line", .yesno, "Given at the same time as another line (concurrent)",
            note: "Only a concurrent line may overlap another line"),
        .init(
            "ae_term", "adverse_event", .text, "CTCAE term",
            note: "A CTCAE v5.0 term; for an event CTCAE has no term for, its SOC's 'Other, specify' term",
            required: true),
        .init("ae_term_specify", "adverse_event", .text, "What the event was (with an 'Other, specify' term only)"),
        .init(
            "ae_ctcae_version", "adverse_event", .dropdown, "CTCAE version",
            choices: "4.0, 4.0 | 4.03, 4.03 | 5.0, 5.0 | 6.0, 6.0", required: true),
        .init(
            "ae_grade", "adverse_event", .radio, "CTCAE grade",
            choices: "1, Grade 1 | 2, Grade 2 | 3, Grade 3 | 4, Grade 4 | 5, Grade 5", required: true),
        .init("ae_onset_date", "adverse_event", .text, "Onset date", validation: "date_ymd", required: true),
        .init("ae_resolved_date", "adverse_event", .text, "Resolution date", validation: "date_ymd"),
        .init(
            "ae_attribution", "adverse_event", .dropdown, "Attribution to therapy",
            choices:
                "unrelated, Unrelated | unlikely, Unlikely | possible, Possible | probable, Probable | definite, Definite",
            required: true),
        .init("ae_serious", "adverse_event", .yesno, "Serious adverse event"),
        .init(
            "ae_line", "adverse_event", .text, "Line of therapy it is attributed to", validation: "integer",
            minimum: "1", maximum: "30"),
        .init(
            "ae_baseline", "adverse_event", .yesno, "Present before the first therapy line started (baseline)",
            note: "Only a baseline event may start before the first line"),
        .init("ecog_date", "ecog", .text, "Date of the ECOG assessment", validation: "date_ymd", required: true),
        .init(
            "ecog_score", "ecog", .radio, "ECOG performance status",
            choices:
                "0, 0 Fully active | 1, 1 Restricted in strenuous activity | 2, 2 Ambulatory, up more than half the day | 3, 3 Limited self-care, in bed or chair more than half the day | 4, 4 Completely disabled | 5, 5 Dead",
            required: true),
        .init("assessment_date", "tumor_assessment", .text, "Assessment date", validation: "date_ymd", required: true),
        .init(
            "assessment_evaluator", "tumor_assessment", .text, "Evaluator",
            note: "investigator, or a reader id (lower-case letters, digits, - and _)"),
        .init("assessment_baseline", "tumor_assessment", .yesno, "Baseline assessment", required: true),
        .init(
            "assessment_accepted", "tumor_assessment", .yesno, "This evaluator's read is the accepted one",
            note: "The same on every assessment of the evaluator; empty when no read was chosen"),
        .init("lesion_id", "lesion", .text, "Lesion id", note: "e.g. T1, NT2, NEW1", required: true),
        .init(
            "lesion_class", "lesion", .radio, "Lesion class",
            choices: "target, Target | non_target, Non-target | new, New", required: true),
        .init("lesion_organ", "lesion", .text, "Organ"),
        .init("lesion_node", "lesion", .yesno, "Lymph node"),
        .init(
            "lesion_method", "lesion", .dropdown, "Imaging method",
            choices: "ct, CT | mri, MRI | pet_ct, PET/CT | x_ray, X-ray | ultrasound, Ultrasound | clinical, Clinical"),
        .init(
            "lesion_diameter_mm", "lesion", .text, "Diameter (mm; short axis for a node)", validation: "number",
            minimum: "0", maximum: "1000"),
        .init(
            "lesion_state", "lesion", .dropdown, "State",
            choices:
                "measured, Measured | too_small_to_measure, Too small to measure | disappeared, Disappeared | not_done, Not done | present, Present | absent, Absent | unequivocal_progression, Unequivocal progression | not_evaluable, Not evaluable | equivocal, Equivocal (new) | unequivocal, Unequivocal (new)",
            required: true),
    ])
}
