import ArgumentParser
import Synchronization
import Foundation
import RegistryDomain
import RegistrySync

#if canImport(Glibc)
    import Glibc
#endif

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case sdtm
    case redcap
    case fhir
}

/// What `sync import` reads; FHIR is written only, so `--format fhir` is refused by the parser with the allowed values.
enum ImportFormat: String, ExpressibleByArgument, CaseIterable {
    case sdtm
    case redcap
}

/// A run as one table row: its totals over all files.
struct SyncRunRow: Encodable, TabularRow {
    let run: SyncRun

    func encode(to encoder: any Encoder) throws { try run.encode(to: encoder) }

    static var columns: [String] {
        [
            "run", "source", "status", "started", "seconds", "files", "read", "inserted", "updated", "unchanged",
            "quarantined", "skipped", "missing",
            "db user", "os user", "error",
        ]
    }

    var cells: [String] {
        func total(_ value: (SyncFileOutcome) -> Int) -> String { String(run.files.map(value).reduce(0, +)) }
        return [
            String(run.runID), run.source, run.status, run.startedAt.formatted(.iso8601),
            String(format: "%.1f", run.finishedAt.timeIntervalSince(run.startedAt)), String(run.files.count),
            total(\.rowsRead), total(\.inserted), total(\.updated), total(\.unchanged), total(\.quarantined),
            total(\.skipped),
            total(\.missingFromSource),
            run.databaseUser, run.osUser, run.error ?? "",
        ]
    }
}

extension QuarantinedValue: TabularRow {
    static var columns: [String] { ["file", "line", "column", "value", "reason"] }
    var cells: [String] { [fileName, String(lineNumber), column ?? "", value ?? "", reason] }
}

extension ResponseDiscrepancy: TabularRow {
    static var columns: [String] { ["patient", "evaluator", "visit", "date", "source", "engine", "rule"] }
    var cells: [String] { [registryID, evaluator, visit, date ?? "", sourceResponse, engineResponse ?? "", rule] }
}

extension Sarcreg {
    struct SyncCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract:
                "Import source registries' SDTM or REDCap exports with a run log and quarantine; export the registry as SDTM, REDCap or FHIR.",
            subcommands: [
                Import.self, MapSite.self, Runs.self, Rejects.self, Notes.self, Discrepancies.self, Export.self,
            ])
    }
}

extension Sarcreg.SyncCommand {
    struct Import: ParsableCommand, InterruptionOutcome {
        static let configuration = CommandConfiguration(
            abstract:
                "Import one SDTM export folder (dm, ds, mh, gf, ex, ae, tu, tr, rs and SUPP-- CSV files) or one REDCap record export, in one transaction."
        )

        @OptionGroup var database: DatabaseOptions
        @Argument(
            help: ArgumentHelp(
                "With --format sdtm: the folder holding the export's CSV files; with --format redcap: the record export CSV file.",
                valueName: "folder-or-file"))
        var directory: String
        @Option(help: "Format of the export: sdtm (a folder) or redcap (a record file, with --dictionary).") var format:
            ImportFormat = .sdtm
        @Option(help: "Name of the source (lower-case letters, digits, - and _).") var source: String
        @Option(help: "CTCAE version of the source's AETOXGR grades: \(CTCAEVersion.allowedValues).") var ctcaeVersion =
            "5.0"
        @Flag(help: "Wait for a running sync of the same source instead of exiting.") var wait = false
        @Flag(
            help:
                "Check and apply everything, print what would be inserted, updated, unchanged, quarantined and skipped with the reasons, and keep nothing."
        )
        var dryRun = false
        @Flag(
            help:
                "Import subjects new to the source even where their ids are registry ids this registry already holds (refused by default: the registry's own export imported back would enroll its patients twice)."
        )
        var allowKnownIds = false
        @OptionGroup var redcap: REDCapImportOptions

        /// The whole import is one transaction, committed last.
        var interruptedOutcome: String { "the import was rolled back, nothing was written" }

        func validate() throws { _ = try gradesVersion() }

        func run() throws {
            let service = SyncService(connection: try database.connect())
            let bar = ProgressBar()
            let outcome =
                format == .redcap
                ? try redcap.importFile(
                    directory, source: source, wait: wait, dryRun: dryRun, allowKnownIDs: allowKnownIds,
                    service: service, progress: bar.update)
                : try service.runSDTMImport(
                    SyncImportRequest(
                        directory: directory, source: source, wait: wait, ctcaeVersion: gradesVersion(), dryRun: dryRun,
                        allowKnownIDs: allowKnownIds),
                    progress: bar.update)
            bar.finish()
            let run = outcome.run
            say(
                TextTable(header: [
                    "file", "read", "inserted", "updated", "unchanged", "quarantined", "skipped", "missing",
                    "sha256 (first 16)",
                ]).render(
                    run.files.map {
                        [
                            $0.fileName, String($0.rowsRead), String($0.inserted), String($0.updated),
                            String($0.unchanged), String($0.quarantined),
                            String($0.skipped), String($0.missingFromSource), String($0.sha256.prefix(16)),
                        ]
                    }), terminator: "")
            let quarantined = run.files.map(\.quarantined).reduce(0, +)
            let skipped = run.files.map(\.skipped).reduce(0, +)
            let summary =
                run.changedNothing
                ? "nothing changed: every row is unchanged" + (skipped > 0 ? " or skipped as before" : "")
                : "\(run.files.map(\.inserted).reduce(0, +)) inserted, \(run.files.map(\.updated).reduce(0, +)) updated, "
                    + "\(run.files.map(\.unchanged).reduce(0, +)) unchanged, \(quarantined) quarantined, \(skipped) skipped"
            let pointers =
                (quarantined > 0 ? ["`sarcreg sync rejects \(run.runID)`"] : [])
                + (skipped > 0 ? ["`sarcreg sync notes \(run.runID)`"] : [])
            guard outcome.isDryRun else {
                // One line whatever its length: Scripts/nightly-sync reads the run's counts from it.
                print(
                    "Run \(run.runID) of \(run.source): \(summary)"
                        + (pointers.isEmpty ? "" : " (see \(pointers.joined(separator: " and ")))") + ".")
                return
            }
            for (title, rows) in [("Would be quarantined", outcome.quarantined), ("Would be skipped", outcome.notes)]
            where !rows.isEmpty {
                say("\n\(title):")
                say(TextTable(header: QuarantinedValue.columns).render(rows.map(\.cells)), terminator: "")
            }
            say("Dry run of \(run.source): \(summary). Nothing was written.")
        }

        private func gradesVersion() throws(CommandLineRefusal) -> CTCAEVersion {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try CTCAEVersion.parse(ctcaeVersion, field: .ctcaeVersion)
            }
        }
    }

    struct MapSite: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "map-site", abstract: "Map a source's site id (DM.SITEID) to a registry site.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Name of the source.") var source: String
        @Option(help: "The site id as the source's DM.SITEID has it.") var sourceSite: String
        @Option(help: "Registry site code.") var site: String

        func run() throws {
            try SyncService(connection: database.connect()).mapSite(source: source, sourceSite: sourceSite, site: site)
            say("Site \(sourceSite) of \(source) maps to \(site.uppercased()).")
        }
    }

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List sync runs, newest first, with their row counts.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this source's runs.") var source: String?
        @Option(parsing: .number, help: "How many runs.") var limit = 50

        func run() throws {
            let runs = try SyncService(connection: database.connect()).runs(source: source, limit: limit)
            try Output.print(runs.map(SyncRunRow.init), as: output.format)
        }
    }

    struct Rejects: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the quarantined rows of a run with their reasons.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Run number (see `sarcreg sync runs`).") var runID: Int

        func run() throws {
            try Output.print(SyncService(connection: database.connect()).rejects(run: runID), as: output.format)
        }
    }

    struct Notes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show the rows of a run that were read and skipped on purpose, with their notes (identical copies, a target's other axis)."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Run number (see `sarcreg sync runs`).") var runID: Int

        func run() throws {
            try Output.print(SyncService(connection: database.connect()).notes(run: runID), as: output.format)
        }
    }

    struct Discrepancies: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Visits where a source's overall response differs from the registry's RECIST engine, per evaluator.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(name: .customLong("patient"), help: "Only this registry id.") var registryID: String?

        func run() throws {
            try Output.print(
                SyncService(connection: database.connect()).discrepancies(registryID: registryID), as: output.format)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write the registry as SDTM CSV files or mCODE FHIR bundles (NDJSON) into a folder, or as one REDCap record file."
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Format: sdtm, redcap or fhir.") var format: ExportFormat = .sdtm
        @Option(
            help: ArgumentHelp(
                "With sdtm or fhir: the folder to write (created if absent; must not hold export files). With redcap: the file to write.",
                valueName: "folder-or-file"))
        var out: String?
        @Option(
            name: .customLong("patient"),
            help: "With --format fhir: print this registry id's bundle as JSON instead of writing a folder.")
        var registryID: String?

        func validate() throws {
            if registryID != nil, format != .fhir { throw ValidationError("--patient is for --format fhir only") }
            if registryID != nil, out != nil { throw ValidationError("--patient prints one bundle; drop --out") }
        }

        func run() throws {
            if let registryID {
                print(
                    String(
                        decoding: try SyncService(connection: database.connect()).fhirBundle(registryID: registryID),
                        as: UTF8.self))
                return
            }
            guard let out else {
                throw ValidationError("missing --out: the folder to write (the file, with --format redcap)")
            }
            let service = SyncService(connection: try database.connect())
            if format == .fhir {
                let written = try service.exportFHIR(to: out)
                say("\(written.file): \(written.bundles) bundles")
                Self.sayLeftOut(try service.fhirOmissions(), format: "FHIR")
                return
            }
            if format == .redcap {
                let rows = try service.exportREDCap(to: out)
                say("\(out): \(rows) rows")
                Self.sayLeftOut(try service.redcapOmissions(), format: "REDCap")
                return
            }
            let files = try service.exportSDTM(to: out)
            for file in files { say("\(file.file): \(file.rows) rows") }
            Self.sayLeftOut(try service.sdtmOmissions(), format: "SDTM")
        }

        /// What the format could not carry, counted, one line each (the README lists them per format).
        static func sayLeftOut(_ omissions: [ExportOmission], format: String) {
            guard !omissions.isEmpty else { return }
            say("left out (\(format) does not carry them):")
            for omission in omissions { say("  \(omission.count) \(omission.what)") }
        }
    }
}

/// Rows, rows per second and elapsed time on stderr, redrawn in place, only when stderr is a terminal
/// (under cron there is no terminal and nothing is drawn).
/// The import's progress on a terminal (stderr), for every phase: reading, checking and applying, scoring the
/// readers' series, writing the run log, with how far each has come where it is countable and the time since
/// the start. A statement can run for many seconds without a callback, so a thread redraws the elapsed time
/// every second meanwhile. Nothing is drawn when stderr is not a terminal (cron, tests).
final class ProgressBar: Sendable {
    private struct State {
        var latest: SyncProgress?
        var drawnPhase = ""
        var lastDrawn = Date.distantPast
        var finished = false
    }

    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private let state = Mutex(State())
    init() {
        guard isTerminal else { return }
        Thread.detachNewThread { [weak self] in
            while let self, !self.state.withLock({ $0.finished }) {
                self.redraw(force: true)
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    func update(_ progress: SyncProgress) {
        guard isTerminal else { return }
        state.withLock { $0.latest = progress }
        redraw(force: false)
    }

    private func redraw(force: Bool) {
        let line: String? = state.withLock { state in
            guard !state.finished, let progress = state.latest else { return nil }
            let now = Date()
            let newPhase = progress.phase != state.drawnPhase
            guard force || newPhase || now.timeIntervalSince(state.lastDrawn) >= 0.2 else { return nil }
            state.lastDrawn = now
            state.drawnPhase = progress.phase
            let elapsed = Int(now.timeIntervalSince(started))
            let count =
                progress.total.map { "\(progress.done) of \($0) \(progress.unit)" }
                ?? "\(progress.done) \(progress.unit)"
            // \u{1B}[K clears what a longer earlier line left on the terminal.
            return String(format: "\r%@: %@  %02d:%02d\u{1B}[K", progress.phase, count, elapsed / 60, elapsed % 60)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        let drawn = state.withLock { state in
            state.finished = true
            return state.lastDrawn != .distantPast
        }
        guard isTerminal, drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
