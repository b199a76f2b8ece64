import Foundation
import PostgresClient
import RegistryDomain

/// The fields of a status change where they were submitted: a request of its own, or an indication file's
/// `initial_status`, for error messages.
struct StatusChangeFields {
    let status: Field
    let date: Field
    let authority: Field
    let source: Field

    static let request = StatusChangeFields(status: .status, date: .date, authority: .authority, source: .source)
    static let initialStatus = StatusChangeFields(
        status: Field(path: "initial_status.status"), date: Field(path: "initial_status.effective_date"),
        authority: Field(path: "initial_status.authority"), source: Field(path: "initial_status.source"))
}

/// A validated status change: one new dated row of `therapy_indication_status`.
struct StatusChange {
    let status: TherapyStatus
    let effectiveDate: CalendarDate
    let authority: String
    let source: String
    let note: String?

    static func validate(
        _ submission: StatusChangeSubmission, fields: StatusChangeFields, today: CalendarDate
    ) throws(RegistryInputError) -> StatusChange {
        let status = submission.status
        let date = submission.effectiveDate
        if date > today { throw .inFuture(field: fields.date, value: date, today: today) }
        let authority = submission.authority
        // The same rule as the table's check, so the administrator reads the field, not a constraint name.
        guard authority.sets.contains(status) else {
            let able = StatusAuthority.allCases.filter { $0.sets.contains(status) }.map(\.rawValue).joined(
                separator: ", ")
            throw .notAllowed(
                field: fields.authority, value: authority.rawValue, allowed: "\(able) (for status \(status.rawValue))")
        }
        let source = submission.source.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !source.isEmpty else { throw .missing(field: fields.source) }
        let note = submission.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        return StatusChange(
            status: status, effectiveDate: date, authority: authority.rawValue, source: source,
            note: note?.isEmpty == false ? note : nil)
    }

    /// Appends the row; a second row for the same indication, authority and date is refused by name.
    func insert(indicationID: Int, indicationCode: String, fields: StatusChangeFields, on connection: Connection) throws
    {
        let existing = try connection.query(
            """
            SELECT status FROM therapy_indication_status
            WHERE indication_id = \(indicationID) AND authority = \(authority) AND effective_date = \(effectiveDate)
            """)
        if let recorded = try existing.first?.decode(String.self, "status") {
            throw RegistryError.input(
                .notAllowed(
                    field: fields.date, value: effectiveDate.description,
                    allowed:
                        "a date without a \(authority) status for \(indicationCode) (\(recorded) is recorded on \(effectiveDate))"
                ))
        }
        try connection.execute(
            """
            INSERT INTO therapy_indication_status (indication_id, status, effective_date, effective_date_precision, authority, source, note)
            VALUES (\(indicationID), \(status.rawValue), \(effectiveDate), 'day', \(authority), \(source), \(note))
            """)
    }

    func record(indication: String) -> CatalogStatusRecord {
        CatalogStatusRecord(
            indication: indication, status: status, effectiveDate: effectiveDate, precision: "day",
            authority: authority,
            source: source, note: note, supersededBecause: nil)
    }
}

/// A new catalog indication read from a JSON document, checked field by field.
///
/// The document is one object with these keys (optional ones may be left out):
/// ```json
/// {
///   "agent": "palbociclib",
///   "combined_with": null,
///   "code": "palbociclib_intimal_sarcoma",
///   "label": "Intimal sarcoma with CDK4 amplification",
///   "histology": { "include": ["8800/3", "soft_tissue_sarcoma"], "exclude": ["adipocytic"] },
///   "biomarkers": [
///     { "requirement": "required", "label": "CDK4 amplification", "gene": "CDK4", "kind": "amplification",
///       "partner": null, "acquired_resistance_only": false }
///   ],
///   "minimum_age_years": 18,
///   "disease_settings": ["locally_advanced_unresectable", "metastatic"],
///   "prior_therapy_classes": ["anthracycline"],
///   "minimum_prior_lines": 1,
///   "boxed_warning": null,
///   "rems_required": false,
///   "evidence_summary": "phase II n=20: mPFS 5 mo",
///   "source": "doi:...",
///   "initial_status": { "status": "studied_sts", "effective_date": "2025-03-01", "authority": "trial_publication",
///                       "source": "doi:...", "note": null }
/// }
/// ```
/// Histology entries are ICD-O-3 codes (`8804/3`) or entity group codes (`adipocytic`, `any`).
/// Biomarkers with the same requirement and label are alternatives of one criterion.
struct IndicationSubmission {
    struct Biomarker {
        let field: String
        let requirement: String
        let label: String
        let gene: String
        let kind: MolecularAlterationKind
        let partnerGene: String?
        let acquiredResistanceOnly: Bool
    }

    let agent: String
    let combinedWith: String?
    let code: String
    let label: String
    let histologyInclude: [(field: String, value: String)]
    let histologyExclude: [(field: String, value: String)]
    let biomarkers: [Biomarker]
    let minimumAgeYears: Int?
    let diseaseSettings: [DiseaseSetting]
    let priorTherapyClasses: [(field: String, value: String)]
    let minimumPriorLines: Int
    let boxedWarning: String?
    let remsRequired: Bool
    let evidenceSummary: String
    let source: String
    let initialStatus: StatusChange

    static let keys = [
        "agent", "combined_with", "code", "label", "histology", "biomarkers", "minimum_age_years", "disease_settings",
        "prior_therapy_classes", "minimum_prior_lines", "boxed_warning", "rems_required", "evidence_summary", "source",
        "initial_status",
    ]

    init(json data: Data, today: CalendarDate) throws(RegistryInputError) {
        let document: DefinitionValue
        do {
            document = try JSONDecoder().decode(DefinitionValue.self, from: data)
        } catch {
            throw .malformed(
                field: Field(path: "indication file"), value: String(decoding: data.prefix(60), as: UTF8.self),
                expected: "a JSON object with the keys \(Self.keys.joined(separator: ", "))")
        }
        let object = try document.object(field: "indication file")
        try object.refuseUnknownKeys(Self.keys, field: "indication file")
        agent = try object.text("agent").lowercased()
        combinedWith = try object.optionalText("combined_with")?.lowercased()
        code = try object.text("code")
        guard code.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
            throw .malformed(
                field: Field(path: "code"), value: code,
                expected:
                    "lower-case letters, digits and underscores starting with a letter, e.g. pazopanib_advanced_sts")
        }
        label = try object.text("label")
        let histology = try object.required("histology").object(field: "histology")
        try histology.refuseUnknownKeys(["include", "exclude"], field: "histology")
        histologyInclude = try histology.textList("include").map { ($0.field, Self.histologyEntry($0.value)) }
        guard !histologyInclude.isEmpty else { throw .missing(field: Field(path: "histology.include")) }
        histologyExclude = try histology.textList("exclude").map { ($0.field, Self.histologyEntry($0.value)) }
        biomarkers = try object.objectList("biomarkers").map(Self.biomarker)
        var seen: Set<String> = []
        for biomarker in biomarkers {
            let identity = [
                biomarker.requirement, biomarker.label, biomarker.gene, biomarker.kind.rawValue,
                biomarker.partnerGene ?? "",
            ]
            .joined(separator: "|")
            guard seen.insert(identity).inserted else {
                throw .notAllowed(
                    field: Field(path: biomarker.field),
                    value: "\(biomarker.label): \(biomarker.gene) \(biomarker.kind)",
                    allowed: "each alternative of a criterion once")
            }
        }
        minimumAgeYears = try object.optionalInteger("minimum_age_years", range: 0...120)
        diseaseSettings = try object.textList("disease_settings").map { entry throws(RegistryInputError) in
            try DiseaseSetting.parse(entry.value, field: Field(path: entry.field))
        }
        guard !diseaseSettings.isEmpty else { throw .missing(field: Field(path: "disease_settings")) }
        priorTherapyClasses = try object.textList("prior_therapy_classes").map { ($0.field, $0.value.lowercased()) }
        minimumPriorLines = try object.optionalInteger("minimum_prior_lines", range: 0...20) ?? 0
        boxedWarning = try object.optionalText("boxed_warning")
        remsRequired = try object.optionalBool("rems_required") ?? false
        evidenceSummary = try object.text("evidence_summary")
        source = try object.text("source")
        let status = try object.required("initial_status").object(field: "initial_status")
        try status.refuseUnknownKeys(
            ["status", "effective_date", "authority", "source", "note"], field: "initial_status")
        let fields = StatusChangeFields.initialStatus
        initialStatus = try StatusChange.validate(
            StatusChangeSubmission(
                indication: code, status: try TherapyStatus.parse(try status.text("status"), field: fields.status),
                effectiveDate: try ClinicalDateCheck.parse(
                    try status.text("effective_date").trimmingCharacters(in: .whitespacesAndNewlines),
                    field: fields.date),
                authority: try StatusAuthority.parse(try status.text("authority"), field: fields.authority),
                source: try status.optionalText("source") ?? "",
                note: try status.optionalText("note")),
            fields: .initialStatus, today: today)
    }

    /// ICD-O-3 codes are kept as written; group codes are matched in lower case.
    static func histologyEntry(_ text: String) -> String {
        text.range(of: "^[0-9]{4}/[0-9]$", options: .regularExpression) != nil ? text : text.lowercased()
    }

    private static func biomarker(_ entry: (field: String, object: JSONObject)) throws(RegistryInputError) -> Biomarker
    {
        let prefix = entry.field + "."
        let object = entry.object
        try object.refuseUnknownKeys(
            ["requirement", "label", "gene", "kind", "partner", "acquired_resistance_only"], field: entry.field)
        let requirement = try object.optionalText("requirement")?.lowercased() ?? "required"
        guard requirement == "required" || requirement == "excluding" else {
            throw .notAllowed(
                field: Field(path: prefix + "requirement"), value: requirement, allowed: "required, excluding")
        }
        let geneFormat = "^[A-Z0-9][A-Z0-9-]*$"
        let gene = try object.text("gene").uppercased()
        guard gene.range(of: geneFormat, options: .regularExpression) != nil else {
            throw .malformed(
                field: Field(path: prefix + "gene"), value: gene, expected: "an HGNC gene symbol such as NTRK3")
        }
        let kind = try MolecularAlterationKind.parse(try object.text("kind"), field: Field(path: prefix + "kind"))
        let partner = try object.optionalText("partner")?.uppercased()
        if let partner {
            guard partner.range(of: geneFormat, options: .regularExpression) != nil else {
                throw .malformed(
                    field: Field(path: prefix + "partner"), value: partner, expected: "an HGNC gene symbol such as ETV6"
                )
            }
            guard kind == .fusion || kind == .rearrangement else {
                throw .notAllowed(
                    field: Field(path: prefix + "partner"), value: partner,
                    allowed: "a partner gene only with kind fusion or rearrangement")
            }
        }
        let resistance = try object.optionalBool("acquired_resistance_only") ?? false
        if resistance && kind != .mutation {
            throw .notAllowed(
                field: Field(path: prefix + "acquired_resistance_only"), value: "true",
                allowed: "true only with kind mutation")
        }
        return Biomarker(
            field: entry.field, requirement: requirement, label: try object.text("label"), gene: gene, kind: kind,
            partnerGene: partner, acquiredResistanceOnly: resistance)
    }

    /// Checks every name against the registry's vocabulary tables; run inside the adding transaction.
    func checkVocabulary(on connection: Connection) throws {
        let agents = try connection.query("SELECT agent_code FROM therapy_agents ORDER BY agent_code").map {
            try $0.decode(String.self, "agent_code")
        }
        for (field, value) in [("agent", agent), ("combined_with", combinedWith)] {
            guard let value, !agents.contains(value) else { continue }
            throw RegistryError.input(
                .notAllowed(field: Field(path: field), value: value, allowed: agents.joined(separator: ", ")))
        }
        if let combinedWith, combinedWith == agent {
            throw RegistryError.input(
                .notAllowed(
                    field: Field(path: "combined_with"), value: combinedWith, allowed: "an agent other than \(agent)"))
        }
        if try !connection.query("SELECT 1 FROM therapy_indications WHERE indication_code = \(code)").isEmpty {
            throw RegistryError.input(
                .notAllowed(field: Field(path: "code"), value: code, allowed: "a code not already in the catalog"))
        }
        let codes = Set(
            try connection.query("SELECT code FROM histology_codes").map { try $0.decode(String.self, "code") })
        let groups = try connection.query("SELECT group_code FROM histology_entity_groups ORDER BY group_code")
            .map { try $0.decode(String.self, "group_code") }
        for (field, value) in histologyInclude + histologyExclude {
            let known = value.contains("/") ? codes.contains(value) : groups.contains(value)
            guard !known else { continue }
            throw RegistryError.input(
                .notAllowed(
                    field: Field(path: field), value: value,
                    allowed:
                        "an ICD-O-3 code of the histology vocabulary (e.g. 8804/3) or a group: \(groups.joined(separator: ", "))"
                ))
        }
        let genes = Set(try connection.query("SELECT symbol FROM genes").map { try $0.decode(String.self, "symbol") })
        for biomarker in biomarkers {
            for (field, symbol) in [("gene", biomarker.gene), ("partner", biomarker.partnerGene)] {
                guard let symbol, !genes.contains(symbol) else { continue }
                throw RegistryError.unknownGene(field: Field(path: "\(biomarker.field).\(field)"), symbol: symbol)
            }
        }
        let classes = try PriorTherapyClasses.known(on: connection)
        for (field, value) in priorTherapyClasses where !classes.contains(value) {
            throw RegistryError.input(
                .notAllowed(field: Field(path: field), value: value, allowed: classes.sorted().joined(separator: ", ")))
        }
    }

    func insert(on connection: Connection) throws {
        let rows = try connection.query(
            """
            INSERT INTO therapy_indications (indication_code, agent_code, combined_with_agent_code, label, minimum_age_years,
                disease_settings, required_prior_therapy_classes, minimum_prior_lines, boxed_warning, rems_required,
                evidence_summary, source_citation)
            VALUES (\(code), \(agent), \(combinedWith), \(label), \(minimumAgeYears), \(diseaseSettings.map(\.rawValue)),
                \(priorTherapyClasses.map(\.value)), \(minimumPriorLines), \(boxedWarning), \(remsRequired),
                \(evidenceSummary), \(source))
            RETURNING indication_id
            """)
        let id = try rows[0].decode(Int.self, "indication_id")
        for (selection, entries) in [("include", histologyInclude), ("exclude", histologyExclude)] {
            for (_, value) in entries {
                let isCode = value.contains("/")
                try connection.execute(
                    """
                    INSERT INTO therapy_indication_histologies (indication_id, selection, code, group_code)
                    VALUES (\(id), \(selection), \(isCode ? value : nil), \(isCode ? nil : value))
                    """)
            }
        }
        for biomarker in biomarkers {
            try connection.execute(
                """
                INSERT INTO therapy_indication_biomarkers (indication_id, requirement, criterion_label, gene, alteration_kind,
                    partner_gene, acquired_resistance_only)
                VALUES (\(id), \(biomarker.requirement), \(biomarker.label), \(biomarker.gene), \(biomarker.kind.rawValue),
                    \(biomarker.partnerGene), \(biomarker.acquiredResistanceOnly))
                """)
        }
        try initialStatus.insert(indicationID: id, indicationCode: code, fields: .initialStatus, on: connection)
    }
}

// MARK: - Reading JSON with field names

/// Indication files are read into the same value tree as trial definitions, so that a wrong type is
/// reported with the value the administrator wrote.
fileprivate extension DefinitionValue {
    func object(field: String) throws(RegistryInputError) -> JSONObject {
        guard case .object(let members) = self else {
            throw .malformed(field: Field(path: field), value: description, expected: "a JSON object")
        }
        return JSONObject(members: members, prefix: field == "indication file" ? "" : field + ".")
    }
}

private struct JSONObject {
    let members: [String: DefinitionValue]
    let prefix: String

    func refuseUnknownKeys(_ keys: [String], field: String) throws(RegistryInputError) {
        if let unknown = members.keys.sorted().first(where: { !keys.contains($0) }) {
            throw .notAllowed(field: Field(path: field), value: unknown, allowed: keys.joined(separator: ", "))
        }
    }

    /// The value under `key`; an explicit `null` counts as absent.
    func value(_ key: String) -> DefinitionValue? {
        if case .null? = members[key] { return nil }
        return members[key]
    }

    func required(_ key: String) throws(RegistryInputError) -> DefinitionValue {
        guard let value = value(key) else { throw .missing(field: Field(path: prefix + key)) }
        return value
    }

    func optionalText(_ key: String) throws(RegistryInputError) -> String? {
        let field = prefix + key
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw .malformed(field: Field(path: field), value: value.description, expected: "text in quotes")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    func text(_ key: String) throws(RegistryInputError) -> String {
        guard let text = try optionalText(key) else { throw .missing(field: Field(path: prefix + key)) }
        return text
    }

    func optionalBool(_ key: String) throws(RegistryInputError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            throw .malformed(field: Field(path: prefix + key), value: value.description, expected: "true or false")
        }
        return flag
    }

    func optionalInteger(_ key: String, range: ClosedRange<Int>) throws(RegistryInputError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e9 else {
            throw .malformed(field: Field(path: prefix + key), value: value.description, expected: "a whole number")
        }
        guard range.contains(Int(number)) else {
            throw .outOfRange(
                field: Field(path: prefix + key), value: value.description,
                range: "\(range.lowerBound) to \(range.upperBound)")
        }
        return Int(number)
    }

    func list(_ key: String) throws(RegistryInputError) -> [(field: String, value: DefinitionValue)] {
        let field = prefix + key
        guard let value = value(key) else { return [] }
        guard case .array(let items) = value else {
            throw .malformed(field: Field(path: field), value: value.description, expected: "a JSON list [...]")
        }
        return items.enumerated().map { ("\(field)[\($0.offset)]", $0.element) }
    }

    func textList(_ key: String) throws(RegistryInputError) -> [(field: String, value: String)] {
        try list(key).map { entry throws(RegistryInputError) in
            guard case .string(let text) = entry.value, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else {
                throw .malformed(
                    field: Field(path: entry.field), value: entry.value.description,
                    expected: "non-blank text in quotes")
            }
            return (entry.field, text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    func objectList(_ key: String) throws(RegistryInputError) -> [(field: String, object: JSONObject)] {
        try list(key).map { entry throws(RegistryInputError) in
            guard case .object(let members) = entry.value else {
                throw .malformed(
                    field: Field(path: entry.field), value: entry.value.description, expected: "a JSON object {...}")
            }
            return (entry.field, JSONObject(members: members, prefix: entry.field + "."))
        }
    }
}
