import Foundation
import PostgresClient

/// What an administrator asks to import from a REDCap project built from the registry's dictionary.
public struct REDCapImportRequest: Sendable {
    /// The flat record export (`content=record&format=csv&type=flat`, raw values and raw headers).
    public var file: String
    /// The project's data dictionary exported in the same run: the export is validated against it.
    public var dictionary: String
    public var source: String
    public var wait: Bool
    /// Record ids the source renamed since the last run, old to new; identity is never inferred otherwise.
    public var renames: [(old: String, new: String)]
    /// Do everything but keep it, as ``SyncImportRequest/dryRun``.
    public var dryRun: Bool
    /// As ``SyncImportRequest/allowKnownIDs``.
    public var allowKnownIDs: Bool

    public init(
        file: String, dictionary: String, source: String, wait: Bool = false,
        renames: [(old: String, new: String)] = [], dryRun: Bool = false,
        allowKnownIDs: Bool = false
    ) {
        self.file = file
        self.dictionary = dictionary
        self.source = source
        self.wait = wait
        self.renames = renames
        self.dryRun = dryRun
        self.allowKnownIDs = allowKnownIDs
    }

    /// Parses `OLD=NEW`.
    public static func rename(_ text: String) throws(SyncError) -> (old: String, new: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != parts[1] else {
            throw .invalidRename(text)
        }
        return (parts[0], parts[1])
    }
}

extension SyncService {
    /// The run's dictionary as the import uses it: each field is the registry's definition of that field
    /// (form, type, label, required, minimum and maximum), with the run's validation where the registry
    /// accepts it (``REDCapField/acceptedValidations``, the registry's own spelling) and the run's choices,
    /// a subset of the registry's with the registry's labels. The record id field alone keeps the run's name.
    /// The import's SQL is generated from the result, so of the run's dictionary only that name reaches SQL
    /// text; everything else is compared here and dropped.
    ///
    /// Refused, naming the fields: an identifier-flagged field (the registry is pseudonymized), a field the
    /// registry has no place for, and every field that differs from the registry's (all of them listed).
    static func conformed(_ dictionary: REDCapDictionary, file: String) throws(SyncError) -> REDCapDictionary {
        let identifiers = dictionary.fields.filter(\.isIdentifier).map(\.name)
        guard identifiers.isEmpty else { throw .identifierFields(identifiers) }
        let registry = REDCapDictionary.registry.fields
        var outside: [String] = []
        var problems: [String] = []
        var seen: Set<String> = []
        var fields: [REDCapField] = []
        for (index, field) in dictionary.fields.enumerated() {
            guard let template = index == 0 ? registry.first : registry.first(where: { $0.name == field.name }) else {
                outside.append(field.name)
                continue
            }
            let name = SyncError.shown(field.name)
            guard seen.insert(field.name).inserted else {
                problems.append("\(name) is defined twice")
                continue
            }
            if index == 0, field.name != template.name {
                if field.name.utf8.count > 63 {
                    problems.append("record id field \(name) is longer than 63 characters")
                } else if REDCapRules.reservedColumns.contains(field.name) {
                    problems.append(
                        "record id field \(name) has the name of a field of the registry's dictionary; name it record_id"
                    )
                }
            }
            if field.form != template.form {
                problems.append(
                    "\(name) is in form '\(SyncError.shown(field.form))'; the registry puts it in form \(template.form)"
                )
            }
            if field.type != template.type {
                problems.append(
                    "\(name) has field type \(field.type.rawValue); the registry's is \(template.type.rawValue)")
            }
            let validation = template.acceptedValidations.first { $0 == field.validation }
            if validation == nil {
                let accepted = template.acceptedValidations.map { $0.isEmpty ? "none" : $0 }.joined(separator: ", ")
                problems.append(
                    "\(name) has validation '\(SyncError.shown(field.validation))'; the registry accepts \(accepted)")
            }
            let registryCodes = template.choiceCodes
            for code in field.choiceCodes where !registryCodes.contains(code) {
                problems.append(
                    "\(name) has choice '\(SyncError.shown(code))', which is not one of the registry's choices for it")
            }
            if !registryCodes.isEmpty, field.choiceCodes.isEmpty {
                problems.append("\(name) has no choices; the registry's are \(SyncError.list(registryCodes))")
            }
            for (bound, text) in [("minimum", field.minimum), ("maximum", field.maximum)] {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty, !(Double(trimmed)?.isFinite ?? false) {
                    problems.append("\(name) has \(bound) '\(SyncError.shown(text))', which is not a number")
                }
            }
            fields.append(
                REDCapField(
                    index == 0 ? field.name : template.name, template.form, template.type, template.label,
                    choices: template.choices(keeping: Set(field.choiceCodes)), note: template.note,
                    validation: validation ?? template.validation,
                    minimum: template.minimum, maximum: template.maximum, required: template.isRequired))
        }
        guard outside.isEmpty else { throw .fieldsOutsideRegistry(outside) }
        guard problems.isEmpty else { throw .dictionaryDiffers(file: file, problems: problems) }
        return REDCapDictionary(fields: fields)
    }

    /// The export's header: the record id column must be there; a column the dictionary does not define
    /// rejects the file and is named; a column the dictionary defines but the file lacks is empty.
    static func checkHeader(of path: String, against dictionary: REDCapDictionary) throws(SyncError) {
        let reader = try CSVRecordReader(path: path)
        var header: [String] = []
        do {
            _ = try reader.next { header = $0.map { $0.text.trimmingCharacters(in: .whitespaces) } }
        } catch {
            throw SyncError.wrap(error)
        }
        let file = (path as NSString).lastPathComponent
        guard header.contains(dictionary.recordIDField) else {
            throw .missingColumns(file: file, columns: [dictionary.recordIDField])
        }
        let allowed = Set(dictionary.exportColumns)
        let unknown = header.filter { !allowed.contains($0) }
        guard unknown.isEmpty else { throw .unknownColumns(file: file, columns: unknown) }
    }

    /// Imports one REDCap flat record export in a single transaction, with the same staging, quarantine,
    /// run log and source lock as the SDTM import. Each export row is one sync record, keyed by
    /// (source, record id, event, repeat instrument, repeat instance).
    public func importREDCap(
        _ request: REDCapImportRequest, progress: (SyncProgress) -> Void = { _ in }
    ) throws(SyncError) -> SyncRun {
        try runREDCapImport(request, progress: progress).run
    }

    /// Imports a REDCap export as ``importREDCap(_:progress:)`` describes; with ``REDCapImportRequest/dryRun``
    /// it keeps nothing and returns what would have been written, with the reasons.
    public func runREDCapImport(
        _ request: REDCapImportRequest, progress: (SyncProgress) -> Void = { _ in }
    ) throws(SyncError) -> SyncOutcome {
        let source = try SyncError.checkSource(request.source)
        let dictionaryFile = (request.dictionary as NSString).lastPathComponent
        let dictionary = try Self.conformed(REDCapDictionary.load(path: request.dictionary), file: dictionaryFile)
        try Self.checkHeader(of: request.file, against: dictionary)
        let fileName = (request.file as NSString).lastPathComponent
        let rules = REDCapRules(dictionary: dictionary)
        let logged = SyncImportRequest(
            directory: request.file, source: source, wait: request.wait, dryRun: request.dryRun)
        return try runImport(logged, source: source, format: "redcap") { tx, startedAt in
            let runID = try beginRun(
                source: source, format: "redcap", location: request.file, wait: request.wait, startedAt: startedAt,
                on: tx)
            try applyRenames(request.renames, source: source, runID: runID, on: tx)
            // The file's name as the run log shows it, for each new record's provenance: a setting, never SQL text.
            try tx.execute("SELECT set_config('sarcreg.sync_file', \(fileName), true)")
            let staged = try StagingLoader(connection: tx).stage(rules.file, path: request.file) { rows in
                progress(.reading(fileName, rows: rows))
            }
            try tx.execute(Query(unsafeSQL: "ANALYZE \(rules.file.stagingTable)"))
            try refuseKnownRegistryIDs(
                "SELECT btrim(\(REDCapRules.recordIDColumn)) AS subject FROM \(rules.file.stagingTable) WHERE \(REDCapRules.recordIDColumn) IS NOT NULL",
                allowed: request.allowKnownIDs, on: tx)
            // As in the SDTM import: the previous run's records, not yet analyzed, were planned as an empty
            // table, and the joins on natural keys became nested loops over every record.
            try tx.execute("ANALYZE sync_records")
            try ImportRules.stageTermSuggestions(
                submitted:
                    "SELECT \(rules.value("ae_term")) FROM \(rules.file.stagingTable) s WHERE \(rules.rowIs("adverse_event"))",
                on: tx)
            try applyKeepingSeriesScorable(touched: REDCapRules.touchedSeries, on: tx, progress: progress) {
                for (index, statement) in rules.apply.enumerated() {
                    progress(.step("checking and applying \(fileName)", index, of: rules.apply.count))
                    try tx.execute(Query(unsafeSQL: statement))
                }
            }
            progress(.step("writing the run log", 0, of: 1))
            let outcome = try fileOutcome(of: rules.file, staged: staged, shownAs: fileName, on: tx)
            // The checks name the record id by its staging column; the quarantine names it as the project does.
            if dictionary.recordIDField != REDCapRules.recordIDColumn {
                try tx.execute(
                    """
                    UPDATE sync_errors SET column_name = \(dictionary.recordIDField)
                    WHERE column_name IN (\(REDCapRules.recordIDColumn), \(REDCapRules.recordIDColumn.uppercased()))
                    """)
            }
            return try finishRun(runID, files: [outcome], renaming: [rules.file.fileName: fileName], on: tx)
        }
    }

    /// Moves a renamed record's crosswalk entry and sync records to its new id, inside the import's
    /// transaction. The old id must be known and the new one must not be.
    private func applyRenames(
        _ renames: [(old: String, new: String)], source: String, runID: Int, on tx: Connection
    ) throws {
        for rename in renames {
            guard
                try !tx.query("SELECT 1 FROM sync_subjects WHERE source = \(source) AND usubjid = \(rename.old)")
                    .isEmpty
            else {
                throw SyncError.invalidValue(
                    field: .rename, value: "\(rename.old)=\(rename.new)",
                    expected: "an old record id that an earlier run of \(source) imported")
            }
            guard
                try tx.query("SELECT 1 FROM sync_subjects WHERE source = \(source) AND usubjid = \(rename.new)").isEmpty
            else {
                throw SyncError.invalidValue(
                    field: .rename, value: "\(rename.old)=\(rename.new)",
                    expected: "a new record id that \(source) has not sent before")
            }
            try tx.execute(
                "UPDATE sync_subjects SET usubjid = \(rename.new) WHERE source = \(source) AND usubjid = \(rename.old)")
            try tx.execute(
                """
                UPDATE sync_records SET natural_key = \(rename.new) || substr(natural_key, length(\(rename.old)) + 1)
                WHERE source = \(source) AND domain = 'REDCAP' AND starts_with(natural_key, \(rename.old) || E'\\x1f')
                """)
            try tx.execute(
                "INSERT INTO sync_record_renames (run_id, source, old_record_id, new_record_id) VALUES (\(runID), \(source), \(rename.old), \(rename.new))"
            )
        }
    }
}
