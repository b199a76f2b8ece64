import ArgumentParser
import RegistrySync

/// The options `sync import --format redcap` adds: the run's dictionary and explicit record renames.
struct REDCapImportOptions: ParsableArguments {
    @Option(help: "With --format redcap: the project's data dictionary CSV, exported with the records.") var dictionary:
        String?
    @Option(help: "With --format redcap: a record the source renamed since the last run, OLD=NEW (repeatable).")
    var rename: [String] = []

    func importFile(
        _ file: String, source: String, wait: Bool, dryRun: Bool, allowKnownIDs: Bool, service: SyncService,
        progress: (SyncProgress) -> Void
    ) throws -> SyncOutcome {
        guard let dictionary else {
            throw ValidationError(
                "--format redcap needs --dictionary FILE, the data dictionary exported with the records")
        }
        let renames = try rename.map { text throws(SyncError) in try REDCapImportRequest.rename(text) }
        return try service.runREDCapImport(
            REDCapImportRequest(
                file: file, dictionary: dictionary, source: source, wait: wait, renames: renames, dryRun: dryRun,
                allowKnownIDs: allowKnownIDs),
            progress: progress)
    }
}
