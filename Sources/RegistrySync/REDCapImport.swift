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

    public init(
        file: String, dictionary: String, source: String, wait: Bool = false, renames: [(old: String, new: String)] = [], dryRun: Bool = false
    ) {
        self.file = file
        self.dictionary = dictionary
        self.source = source
        self.wait = wait
        self.renames = renames
        self.dryRun = dryRun
    }

    /// Parses `OLD=NEW`.
    public static func rename(_ text: String) throws(SyncError) -> (old: String, new: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != parts[1] else { throw .invalidRename(text) }
        return (parts[0], parts[1])
    }
}

extension SyncService {
    /// Checks the run's dictionary against the registry's: no identifier-flagged field (the registry is
    /// pseudonymized), and no field the registry has no place for. The first field is the record id, whatever its name.
    static func checkDictionary(_ dictionary: REDCapDictionary) throws(SyncError) {
        let identifiers = dictionary.fields.filter(\.isIdentifier).map(\.name)
        guard identifiers.isEmpty else { throw .identifierFields(identifiers) }
        let known = Set(REDCapDictionary.registry.fields.map(\.name))
        let outside = dictionary.fields.dropFirst().map(\.name).filter { !known.contains($0) }
        guard outside.isEmpty else { throw .fieldsOutsideRegistry(outside) }
        let unsafe = dictionary.fields.flatMap { field in
            field.choiceCodes.filter { $0.range(of: REDCapRules.safeCode, options: .regularExpression) == nil }.map { "\(field.name) choice '\($0)'" }
        }
        guard unsafe.isEmpty else { throw .fieldsOutsideRegistry(unsafe) }
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
        guard header.contains(dictionary.recordIDField) else { throw .missingColumns(file: file, columns: [dictionary.recordIDField]) }
        let allowed = Set(dictionary.exportColumns)
        let unknown = header.filter { !allowed.contains($0) }
        guard unknown.isEmpty else { throw .unknownColumns(file: file, columns: unknown) }
    }

    /// Imports one REDCap flat record export in a single transaction, with the same staging, quarantine,
    /// run log and source lock as the SDTM import. Each export row is one sync record, keyed by
    /// (source, record id, event, repeat instrument, repeat instance).
    public func importREDCap(_ request: REDCapImportRequest, progress: (SyncProgress) -> Void = { _ in }) throws(SyncError) -> SyncRun {
        try runREDCapImport(request, progress: progress).run
    }

    /// Imports a REDCap export as ``importREDCap(_:progress:)`` describes; with ``REDCapImportRequest/dryRun``
    /// it keeps nothing and returns what would have been written, with the reasons.
    public func runREDCapImport(_ request: REDCapImportRequest, progress: (SyncProgress) -> Void = { _ in }) throws(SyncError) -> SyncOutcome {
        let source = try SyncError.checkSource(request.source)
        let dictionary = try REDCapDictionary.load(path: request.dictionary)
        try Self.checkDictionary(dictionary)
        try Self.checkHeader(of: request.file, against: dictionary)
        let fileName = (request.file as NSString).lastPathComponent
        // The file name is written into the quarantine SQL as a literal; a quote has no place in an export's name.
        guard !fileName.contains("'") else { throw .invalidValue(field: "FILE", value: fileName, expected: "a file name without quotes") }
        let rules = REDCapRules(dictionary: dictionary, fileName: fileName)
        let logged = SyncImportRequest(directory: request.file, source: source, wait: request.wait, dryRun: request.dryRun)
        return try runImport(logged, source: source, format: "redcap") { tx, startedAt in
            let runID = try beginRun(
                source: source, format: "redcap", location: request.file, wait: request.wait, startedAt: startedAt, on: tx)
            try applyRenames(request.renames, source: source, runID: runID, on: tx)
            let staged = try StagingLoader(connection: tx).stage(rules.file, path: request.file) { rows in
                progress(SyncProgress(fileName: fileName, rowsRead: rows))
            }
            try tx.execute(Query(unsafeSQL: "ANALYZE \(rules.file.stagingTable)"))
            // As in the SDTM import: the previous run's records, not yet analyzed, were planned as an empty
            // table, and the joins on natural keys became nested loops over every record.
            try tx.execute("ANALYZE sync_records")
            for statement in rules.apply {
                try tx.execute(Query(unsafeSQL: statement))
            }
            let row = try tx.query(Query(unsafeSQL: SDTMRules.outcome(rules.file)))[0]
            try tx.execute(
                """
                INSERT INTO sync_run_files (run_id, file_name, sha256, size_bytes, rows_read, inserted, updated, unchanged, quarantined, missing_from_source)
                VALUES (\(runID), \(fileName), \(staged.sha256), \(staged.sizeBytes), \(try row.decode(Int.self, "rows_read")),
                    \(try row.decode(Int.self, "inserted")), \(try row.decode(Int.self, "updated")), \(try row.decode(Int.self, "unchanged")),
                    \(try row.decode(Int.self, "quarantined")), \(try row.decode(Int.self, "missing_from_source")))
                """)
            try tx.execute(
                """
                INSERT INTO sync_quarantine (run_id, file_name, line_number, column_name, value, reason)
                SELECT \(runID), file_name, line_number, column_name, value, reason FROM sync_errors ORDER BY file_name, line_number
                """)
            try tx.execute("UPDATE sync_runs SET finished_at = greatest(clock_timestamp(), started_at) WHERE run_id = \(runID)")
            guard let run = try loadRuns(where: "run_id = \(runID)", on: tx).first else { throw SyncError.runNotFound(runID) }
            return run
        }
    }

    /// Moves a renamed record's crosswalk entry and sync records to its new id, inside the import's
    /// transaction. The old id must be known and the new one must not be.
    private func applyRenames(_ renames: [(old: String, new: String)], source: String, runID: Int, on tx: Connection) throws {
        for rename in renames {
            guard try !tx.query("SELECT 1 FROM sync_subjects WHERE source = \(source) AND usubjid = \(rename.old)").isEmpty else {
                throw SyncError.invalidValue(field: "--rename", value: "\(rename.old)=\(rename.new)",
                                             expected: "an old record id that an earlier run of \(source) imported")
            }
            guard try tx.query("SELECT 1 FROM sync_subjects WHERE source = \(source) AND usubjid = \(rename.new)").isEmpty else {
                throw SyncError.invalidValue(field: "--rename", value: "\(rename.old)=\(rename.new)",
                                             expected: "a new record id that \(source) has not sent before")
            }
            try tx.execute("UPDATE sync_subjects SET usubjid = \(rename.new) WHERE source = \(source) AND usubjid = \(rename.old)")
            try tx.execute(
                """
                UPDATE sync_records SET natural_key = \(rename.new) || substr(natural_key, length(\(rename.old)) + 1)
                WHERE source = \(source) AND domain = 'REDCAP' AND starts_with(natural_key, \(rename.old) || E'\\x1f')
                """)
            try tx.execute(
                "INSERT INTO sync_record_renames (run_id, source, old_record_id, new_record_id) VALUES (\(runID), \(source), \(rename.old), \(rename.new))")
        }
    }
}
