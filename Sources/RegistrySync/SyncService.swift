import Foundation
import Logging
import PostgresClient
import RegistryDomain
import RegistryServices

#if canImport(Glibc)
    import Glibc
#endif

/// What an administrator asks to import.
public struct SyncImportRequest: Sendable {
    public var directory: String
    public var source: String
    /// Queue behind a running sync of the same source instead of refusing.
    public var wait: Bool
    /// The CTCAE version of the source's AETOXGR grades (SDTM carries it in define metadata, not in AE).
    public var ctcaeVersion: CTCAEVersion
    /// Do everything but keep it: the run is checked and applied in its transaction, read back, and rolled back.
    public var dryRun: Bool
    /// Import subjects new to the source whose ids are registry ids this registry holds (see
    /// ``SyncService/refuseKnownRegistryIDs(_:allowed:on:)``).
    public var allowKnownIDs: Bool

    public init(
        directory: String, source: String, wait: Bool = false, ctcaeVersion: CTCAEVersion = .v5_0, dryRun: Bool = false,
        allowKnownIDs: Bool = false
    ) {
        self.directory = directory
        self.source = source
        self.wait = wait
        self.ctcaeVersion = ctcaeVersion
        self.dryRun = dryRun
        self.allowKnownIDs = allowKnownIDs
    }
}

/// What an import did, or in a dry run would have done: the run with its counts, and for a dry run the
/// quarantined and skipped rows, which are not kept (`sync rejects` and `sync notes` read kept runs only).
public struct SyncOutcome: Sendable {
    public let run: SyncRun
    public let isDryRun: Bool
    public let quarantined: [QuarantinedValue]
    public let notes: [QuarantinedValue]
}

/// Carries a dry run's outcome out of its transaction, which it rolls back.
private struct DryRunRollback: Error {
    let outcome: SyncOutcome
}

/// One file of a run and what became of its rows.
public struct SyncFileOutcome: Codable, Sendable, Hashable {
    public let fileName: String
    public let sha256: String
    public let sizeBytes: Int
    public let rowsRead: Int
    public let inserted: Int
    public let updated: Int
    public let unchanged: Int
    public let quarantined: Int
    /// Rows read and deliberately not applied, each with a note (``SyncService/notes(run:)``): a copy identical
    /// to an earlier row but for its --SEQ, the axis of a target that does not score it.
    public let skipped: Int
    /// Records of the file's domain from earlier runs that this export no longer has (never deleted).
    public let missingFromSource: Int
}

/// A run of the log.
public struct SyncRun: Codable, Sendable, Hashable {
    public let runID: Int
    public let source: String
    public let status: String
    public let directory: String
    public let startedAt: Date
    public let finishedAt: Date
    public let databaseUser: String
    public let osUser: String
    public let error: String?
    public let files: [SyncFileOutcome]

    /// Whether the run wrote nothing: every row unchanged or skipped as before, none quarantined.
    public var changedNothing: Bool {
        files.allSatisfy { $0.inserted == 0 && $0.updated == 0 && $0.quarantined == 0 }
    }
}

/// A quarantined value with its reason.
public struct QuarantinedValue: Codable, Sendable, Hashable {
    public let fileName: String
    public let lineNumber: Int
    public let column: String?
    public let value: String?
    public let reason: String
}

extension QuarantinedValue {
    init(row: Row) throws {
        self.init(
            fileName: try row.decode(String.self, "file_name"), lineNumber: try row.decode(Int.self, "line_number"),
            column: try row.decode(String?.self, "column_name"), value: try row.decode(String?.self, "value"),
            reason: try row.decode(String.self, "reason"))
    }
}

/// What an import is doing and how far it has come, for a progress display.
public struct SyncProgress: Sendable, Hashable {
    /// The phase in words: `reading tr.csv`, `checking and applying tr.csv`, `scoring readers' series`.
    public let phase: String
    /// How far the phase has come, in `unit`s: rows read, steps run, series scored.
    public let done: Int
    /// The phase's total where it is known in advance (steps, series); nil while rows are read.
    public let total: Int?
    public let unit: String

    public static func reading(_ file: String, rows: Int) -> SyncProgress {
        SyncProgress(phase: "reading \(file)", done: rows, total: nil, unit: "rows")
    }

    public static func step(_ phase: String, _ done: Int, of total: Int) -> SyncProgress {
        SyncProgress(phase: phase, done: done, total: total, unit: "steps")
    }
}

/// Nightly imports of source exports, the run log, the site mapping, and SDTM export.
public struct SyncService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Maps a source's site id (DM.SITEID) to a registry site; remapping replaces the earlier mapping.
    public func mapSite(source: String, sourceSite: String, site: String) throws(SyncError) {
        let source = try SyncError.checkSource(source)
        let sourceSite = sourceSite.trimmingCharacters(in: .whitespaces)
        guard !sourceSite.isEmpty else {
            throw .invalidValue(field: .sourceSite, value: sourceSite, expected: "a site id as DM.SITEID has it")
        }
        let site = site.trimmingCharacters(in: .whitespaces).uppercased()
        do {
            guard try !connection.query("SELECT 1 FROM sites WHERE site_code = \(site)").isEmpty else {
                let codes = try connection.query("SELECT site_code FROM sites").map {
                    try $0.decode(String.self, "site_code")
                }
                throw SyncError.unknownSite(site, didYouMean: SpellingSuggestion.closest(to: site, among: codes))
            }
            try connection.execute(
                """
                INSERT INTO sync_site_map (source, source_site, site_code) VALUES (\(source), \(sourceSite), \(site))
                ON CONFLICT (source, source_site) DO UPDATE SET site_code = EXCLUDED.site_code, mapped_at = now()
                """)
        } catch {
            throw SyncError.wrap(error)
        }
    }

    /// Imports one SDTM export folder in a single transaction: stage every file with COPY, quarantine the
    /// bad rows, apply the rest, and log the run. A failed run rolls everything back and logs a `failed` row.
    public func importSDTM(
        _ request: SyncImportRequest, progress: (SyncProgress) -> Void = { _ in }
    ) throws(SyncError) -> SyncRun {
        try runSDTMImport(request, progress: progress).run
    }

    /// Imports an SDTM export folder as ``importSDTM(_:progress:)`` describes; with ``SyncImportRequest/dryRun``
    /// it keeps nothing and returns what would have been written, with the reasons.
    public func runSDTMImport(
        _ request: SyncImportRequest, progress: (SyncProgress) -> Void = { _ in }
    ) throws(SyncError) -> SyncOutcome {
        let source = try SyncError.checkSource(request.source)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.directory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw .notADirectory(request.directory)
        }
        let present = SDTMFile.all.filter {
            FileManager.default.fileExists(atPath: path(of: $0, in: request.directory))
        }
        guard !present.isEmpty else {
            throw .noExportFiles(directory: request.directory, expected: SDTMFile.all.map(\.fileName))
        }
        return try runImport(request, source: source, format: "sdtm") { tx, startedAt in
            try apply(request, source: source, present: present, startedAt: startedAt, on: tx, progress: progress)
        }
    }

    /// One import's transaction, the same for every format: the body stages, checks and applies and returns
    /// the run; a failure rolls everything back and logs a failed run; a dry run reads back what the run
    /// quarantined and skipped, then rolls back as if it had failed, without logging anything.
    func runImport(
        _ request: SyncImportRequest, source: String, format: String, _ body: (Connection, Date) throws -> SyncRun
    ) throws(SyncError) -> SyncOutcome {
        let startedAt = Date()
        do {
            let run = try connection.withTransaction { tx in
                let run = try body(tx, startedAt)
                if request.dryRun {
                    throw DryRunRollback(
                        outcome: SyncOutcome(
                            run: run, isDryRun: true, quarantined: try rejects(run: run.runID, on: tx),
                            notes: try notes(run: run.runID, on: tx)))
                }
                return run
            }
            return SyncOutcome(run: run, isDryRun: false, quarantined: [], notes: [])
        } catch let rollback as DryRunRollback {
            return rollback.outcome
        } catch {
            let failure = SyncError.wrap(error)
            if case .sourceBusy = failure { throw failure }
            // An interrupted process sends nothing more but rollbacks (see Interruption): logging the run would
            // only be refused, and nothing of it is written, as a killed import's is not.
            if !request.dryRun, Interruption.signal == nil {
                recordFailure(request, source: source, startedAt: startedAt, error: failure, format: format)
            }
            throw failure
        }
    }

    /// Opens a run inside the import's transaction, the same way for every format: the source's lock
    /// (waiting, or refusing at once), the run id that the checks and the audit trail read from
    /// `sarcreg.sync_run`, the run row (kept only if the transaction commits), and the errors table.
    func beginRun(
        source: String, format: String, location: String, wait: Bool, startedAt: Date, on tx: Connection
    ) throws -> Int {
        try tx.execute("SELECT set_config('sarcreg.sync_source', \(source), true)")
        // The checks sort and hash whole staging tables: with the default 4 MB those spill to disk, and JIT
        // compiles every large statement anew, costing more than it saves on a single pass.
        try tx.execute("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
        // Two syncs of one source never interleave; the lock is released with the transaction.
        if wait {
            try tx.execute("SELECT pg_advisory_xact_lock(hashtext('sarcreg.sync'), hashtext(\(source)))")
        } else {
            let locked = try tx.query(
                "SELECT pg_try_advisory_xact_lock(hashtext('sarcreg.sync'), hashtext(\(source))) AS locked")
            guard try locked[0].decode(Bool.self, "locked") else { throw SyncError.sourceBusy(source) }
        }
        let runID = try tx.query(
            """
            INSERT INTO sync_runs (source, format, directory, status, started_at, finished_at, database_user, os_user)
            VALUES (\(source), \(format), \(location), 'succeeded', \(startedAt), \(startedAt), current_user, \(Self.osUser))
            RETURNING run_id
            """)[0].decode(Int.self, "run_id")
        try tx.execute("SELECT set_config('sarcreg.sync_run', \(String(runID)), true)")
        try tx.execute(
            """
            CREATE TEMP TABLE sync_errors (file_name text, line_number bigint, column_name text, value text, reason text,
                skipped boolean NOT NULL DEFAULT false)
            ON COMMIT DROP
            """)
        return runID
    }

    /// Refuses an export whose subjects new to its source carry registry ids this registry holds (`subjects`
    /// yields them as `subject`): the registry's own export imported back under another source name would
    /// enroll every one of its patients a second time. The subject ids are named, ten at most.
    func refuseKnownRegistryIDs(_ subjects: String, allowed: Bool, on tx: Connection) throws {
        guard !allowed else { return }
        let known = try tx.query(
            Query(
                unsafeSQL: """
                    SELECT DISTINCT s.subject FROM (\(subjects)) s
                    JOIN patients p ON p.registry_id = upper(btrim(s.subject))
                    WHERE NOT EXISTS (SELECT 1 FROM sync_subjects x WHERE x.source = current_setting('sarcreg.sync_source') AND x.usubjid = s.subject)
                    ORDER BY 1 LIMIT 11
                    """)
        ).map { try $0.decode(String.self, "subject") }
        guard known.isEmpty else {
            throw SyncError.knownRegistryIDs(
                source: try tx.query("SELECT current_setting('sarcreg.sync_source') AS s")[0].decode(String.self, "s"),
                ids: known)
        }
    }

    private func path(of file: SDTMFile, in directory: String) -> String {
        (directory as NSString).appendingPathComponent(file.fileName)
    }

    private func apply(
        _ request: SyncImportRequest, source: String, present: [SDTMFile], startedAt: Date, on tx: Connection,
        progress: (SyncProgress) -> Void
    ) throws -> SyncRun {
        try tx.execute("SELECT set_config('sarcreg.sync_ctcae', \(request.ctcaeVersion.rawValue), true)")
        let runID = try beginRun(
            source: source, format: "sdtm", location: request.directory, wait: request.wait, startedAt: startedAt,
            on: tx)
        let loader = StagingLoader(connection: tx)
        var staged: [SDTMFile: StagedFile] = [:]
        for file in SDTMFile.all {
            if present.contains(file) {
                staged[file] = try loader.stage(file, path: path(of: file, in: request.directory)) { rows in
                    progress(.reading(file.fileName, rows: rows))
                }
                try tx.execute(Query(unsafeSQL: "ANALYZE \(file.stagingTable)"))
            } else {
                try loader.createEmpty(file)
            }
        }
        try refuseKnownRegistryIDs(
            "SELECT usubjid AS subject FROM sync_stage_dm WHERE usubjid IS NOT NULL", allowed: request.allowKnownIDs,
            on: tx)
        // The previous run's records are usually not yet analyzed: planned as an empty table, the joins on
        // natural keys became nested loops over every record, minutes at a million rows.
        try tx.execute("ANALYZE sync_records")
        func applyDomains(_ domains: [(SDTMFile, [String])]) throws {
            for (file, statements) in domains {
                for (index, statement) in statements.enumerated() {
                    progress(.step("checking and applying \(file.fileName)", index, of: statements.count))
                    try tx.execute(Query(unsafeSQL: statement))
                }
                // Before the domain's new records are written: only records of earlier runs can be missing, and the
                // statistics of sync_records (taken at the start) still describe them. Afterwards, a first import
                // planned the check as a nested loop over rows the statistics did not know, 28 s for 20,000 DM rows.
                if present.contains(file) { try tx.execute(Query(unsafeSQL: SDTMRules.missing(file))) }
                for statement in SDTMRules.records(file) {
                    try tx.execute(Query(unsafeSQL: statement))
                }
            }
        }
        try applyDomains([(.dm, SDTMRules.dm), (.ex, SDTMRules.ex)])
        try ImportRules.stageTermSuggestions(submitted: "SELECT \(SDTMRules.aeTerm) FROM sync_stage_ae s", on: tx)
        try applyDomains([(.ae, SDTMRules.ae), (.mh, SDTMRules.mh), (.gf, SDTMRules.gf)])
        try applyKeepingSeriesScorable(touched: SDTMRules.touchedSeries, on: tx, progress: progress) {
            try applyDomains([(.tu, SDTMRules.tu), (.tr, SDTMRules.tr)])
        }
        try applyDomains([(.rs, SDTMRules.rs), (.ds, SDTMRules.ds)])
        progress(.step("writing the run log", 0, of: 1))
        let outcomes = try SDTMFile.all.compactMap { file in
            try staged[file].map { try fileOutcome(of: file, staged: $0, shownAs: file.fileName, on: tx) }
        }
        return try finishRun(runID, files: outcomes, on: tx)
    }

    /// A staged file's counts by outcome, under the name the run log shows for it.
    func fileOutcome(
        of file: SDTMFile, staged: StagedFile, shownAs name: String, on tx: Connection
    ) throws -> SyncFileOutcome {
        let row = try tx.query(Query(unsafeSQL: SDTMRules.outcome(file)))[0]
        return SyncFileOutcome(
            fileName: name, sha256: staged.sha256, sizeBytes: staged.sizeBytes,
            rowsRead: try row.decode(Int.self, "rows_read"), inserted: try row.decode(Int.self, "inserted"),
            updated: try row.decode(Int.self, "updated"), unchanged: try row.decode(Int.self, "unchanged"),
            quarantined: try row.decode(Int.self, "quarantined"), skipped: try row.decode(Int.self, "skipped"),
            missingFromSource: try row.decode(Int.self, "missing_from_source"))
    }

    /// Ends a run the same way for every format: each file's counts, the quarantined and the skipped rows
    /// (under the names the run log shows, `renaming` the names the checks used), and the finish time.
    func finishRun(
        _ runID: Int, files: [SyncFileOutcome], renaming names: [String: String] = [:], on tx: Connection
    ) throws -> SyncRun {
        for outcome in files {
            try tx.execute(
                """
                INSERT INTO sync_run_files (run_id, file_name, sha256, size_bytes, rows_read, inserted, updated, unchanged, quarantined,
                    skipped, missing_from_source)
                VALUES (\(runID), \(outcome.fileName), \(outcome.sha256), \(outcome.sizeBytes), \(outcome.rowsRead), \(outcome.inserted),
                    \(outcome.updated), \(outcome.unchanged), \(outcome.quarantined), \(outcome.skipped), \(outcome.missingFromSource))
                """)
        }
        for (used, shown) in names where used != shown {
            try tx.execute("UPDATE sync_errors SET file_name = \(shown) WHERE file_name = \(used)")
        }
        try tx.execute(
            """
            INSERT INTO sync_quarantine (run_id, file_name, line_number, column_name, value, reason)
            SELECT \(runID), file_name, line_number, column_name, value, reason FROM sync_errors WHERE NOT skipped ORDER BY file_name, line_number
            """)
        try tx.execute(
            """
            INSERT INTO sync_notes (run_id, file_name, line_number, column_name, value, note)
            SELECT \(runID), file_name, line_number, column_name, value, reason FROM sync_errors WHERE skipped ORDER BY file_name, line_number
            """)
        try tx.execute(
            "UPDATE sync_runs SET finished_at = greatest(clock_timestamp(), started_at) WHERE run_id = \(runID)")
        guard let run = try loadRuns(where: "run_id = \(runID)", on: tx).first else {
            throw SyncError.runNotFound(runID)
        }
        return run
    }

    /// Applies a run's lesions and results so that every reader's series they touch stays one the RECIST
    /// engine scores: applied under a savepoint, the touched series are scored as `response show` scores them
    /// (``StoredSeriesCheck``); when one is refused, everything since the savepoint is undone and applied again
    /// with that series' rows quarantined, naming the engine's reason. `touched` selects the series
    /// (`patient_id`, `evaluator`) the run changed; the statements `apply` runs quarantine the rows of the
    /// series in `sync_refused_series`.
    func applyKeepingSeriesScorable(
        touched: String, on tx: Connection, progress: (SyncProgress) -> Void, _ apply: () throws -> Void
    ) throws {
        func scored(_ done: Int, _ total: Int) {
            progress(SyncProgress(phase: "scoring readers' series", done: done, total: total, unit: "series"))
        }
        try tx.execute(
            "CREATE TEMP TABLE sync_refused_series (subject text, evaluator text, label text, reason text) ON COMMIT DROP"
        )
        try tx.execute("SAVEPOINT sync_series")
        try apply()
        // Each round quarantines what the engine refused. A faulty lesion goes alone and the rest of its series
        // is scored again, so a series with several faulty lesions takes a round each; a few rounds suffice
        // for any real export, and what is still refused after them fails the run rather than being stored.
        // The refusals are kept here, not only in the table: a rollback to the savepoint undoes the rows that
        // earlier rounds wrote into it.
        var quarantined: [(subject: String?, series: RefusedSeries)] = []
        for _ in 1...Self.seriesRounds {
            let refused = try StoredSeriesCheck.refused(pairs: touched, on: tx, progress: scored)
            if refused.isEmpty {
                try tx.execute("RELEASE SAVEPOINT sync_series")
                return
            }
            // By the source's subject id, which the rollback keeps: a patient this run enrolled gets another id
            // when the run is applied again.
            for series in refused {
                let subject = try tx.query(
                    """
                    SELECT usubjid FROM sync_subjects WHERE source = current_setting('sarcreg.sync_source') AND patient_id = \(series.patientID)
                    """
                ).first?.decode(String.self, "usubjid")
                quarantined.append((subject, series))
            }
            try tx.execute("ROLLBACK TO SAVEPOINT sync_series")
            for (subject, series) in quarantined {
                try tx.execute(
                    "INSERT INTO sync_refused_series VALUES (\(subject), \(series.evaluator), \(series.lesion), \(series.reason))"
                )
            }
            try apply()
        }
        let still = try StoredSeriesCheck.refused(pairs: touched, on: tx, progress: scored)
        guard still.isEmpty else {
            throw SyncError.seriesStillRefused(still.map { "\($0.registryID) \($0.evaluator): \($0.reason)" })
        }
        try tx.execute("RELEASE SAVEPOINT sync_series")
    }

    static let seriesRounds = 4

    /// Logs a failed run in its own transaction, after the import's rollback; the failure it reports
    /// matters more than a failure to log it, so that one is only logged.
    func recordFailure(
        _ request: SyncImportRequest, source: String, startedAt: Date, error: SyncError, format: String = "sdtm"
    ) {
        do {
            try connection.execute(
                """
                INSERT INTO sync_runs (source, format, directory, status, started_at, finished_at, database_user, os_user, error)
                VALUES (\(source), \(format), \(request.directory), 'failed', \(startedAt), greatest(clock_timestamp(), \(startedAt)),
                    current_user, \(Self.osUser), \(error.description))
                """)
        } catch {
            connection.logger.warning(
                "could not log the failed sync run", metadata: ["sync.source": "\(source)", "error": "\(error)"])
        }
    }

    static var osUser: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
    }

    /// The run log, newest first.
    public func runs(source: String? = nil, limit: Int = 50) throws(SyncError) -> [SyncRun] {
        do {
            if let source {
                return try loadRuns(
                    where: "source = \(try SyncError.checkSource(source))", limit: limit, on: connection)
            }
            return try loadRuns(where: "true", limit: limit, on: connection)
        } catch {
            throw SyncError.wrap(error)
        }
    }

    func loadRuns(where condition: Query, limit: Int = 50, on connection: Connection) throws -> [SyncRun] {
        let rows = try connection.query(
            """
            SELECT run_id, source, status, directory, started_at, finished_at, database_user, os_user, error
            FROM sync_runs WHERE \(condition) ORDER BY run_id DESC LIMIT \(limit)
            """)
        return try rows.map { row in
            let runID = try row.decode(Int.self, "run_id")
            let files = try connection.query(
                """
                SELECT file_name, sha256, size_bytes, rows_read, inserted, updated, unchanged, quarantined, skipped, missing_from_source
                FROM sync_run_files WHERE run_id = \(runID) ORDER BY file_name
                """
            ).map { file in
                SyncFileOutcome(
                    fileName: try file.decode(String.self, "file_name"), sha256: try file.decode(String.self, "sha256"),
                    sizeBytes: try file.decode(Int.self, "size_bytes"),
                    rowsRead: try file.decode(Int.self, "rows_read"),
                    inserted: try file.decode(Int.self, "inserted"), updated: try file.decode(Int.self, "updated"),
                    unchanged: try file.decode(Int.self, "unchanged"),
                    quarantined: try file.decode(Int.self, "quarantined"),
                    skipped: try file.decode(Int.self, "skipped"),
                    missingFromSource: try file.decode(Int.self, "missing_from_source"))
            }
            return SyncRun(
                runID: runID, source: try row.decode(String.self, "source"),
                status: try row.decode(String.self, "status"),
                directory: try row.decode(String.self, "directory"), startedAt: try row.decode(Date.self, "started_at"),
                finishedAt: try row.decode(Date.self, "finished_at"),
                databaseUser: try row.decode(String.self, "database_user"),
                osUser: try row.decode(String.self, "os_user"), error: try row.decode(String?.self, "error"),
                files: files)
        }
    }

    /// The rows a run read and did not apply on purpose, each with its note, in file and line order.
    public func notes(run runID: Int) throws(SyncError) -> [QuarantinedValue] {
        do {
            guard try !connection.query("SELECT 1 FROM sync_runs WHERE run_id = \(runID)").isEmpty else {
                throw SyncError.runNotFound(runID)
            }
            return try notes(run: runID, on: connection)
        } catch {
            throw SyncError.wrap(error)
        }
    }

    func notes(run runID: Int, on connection: Connection) throws -> [QuarantinedValue] {
        try connection.query(
            """
            SELECT file_name, line_number, column_name, value, note AS reason FROM sync_notes
            WHERE run_id = \(runID) ORDER BY file_name, line_number
            """
        ).map(QuarantinedValue.init(row:))
    }

    /// The quarantined values of a run, in file and line order.
    public func rejects(run runID: Int) throws(SyncError) -> [QuarantinedValue] {
        do {
            guard try !connection.query("SELECT 1 FROM sync_runs WHERE run_id = \(runID)").isEmpty else {
                throw SyncError.runNotFound(runID)
            }
            return try rejects(run: runID, on: connection)
        } catch {
            throw SyncError.wrap(error)
        }
    }

    func rejects(run runID: Int, on connection: Connection) throws -> [QuarantinedValue] {
        try connection.query(
            """
            SELECT file_name, line_number, column_name, value, reason FROM sync_quarantine
            WHERE run_id = \(runID) ORDER BY file_name, line_number, column_name
            """
        ).map(QuarantinedValue.init(row:))
    }
}

extension StagingLoader {
    /// A file absent from the export still gets its (empty) staging table, so every domain's SQL runs alike.
    func createEmpty(_ file: SDTMFile) throws {
        let columns =
            ["line_number bigint", "read_error_column text", "read_error text"]
            + file.columns.map { "\($0.lowercased()) text" }
        try connection.execute(
            Query(
                unsafeSQL: "CREATE TEMP TABLE \(file.stagingTable) (\(columns.joined(separator: ", "))) ON COMMIT DROP")
        )
    }
}
