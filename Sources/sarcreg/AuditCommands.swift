import ArgumentParser
import Foundation
import RegistryServices

extension AuditEntry: TabularRow {
    static var columns: [String] { ["audit id", "time", "transaction", "db user", "app user", "table", "operation", "reason", "changes"] }

    var cells: [String] {
        [String(auditID), loggedAt.formatted(.iso8601), String(transactionID), databaseUser, appUser ?? "", table, operation, reason ?? "", changes]
    }

    /// `column: old -> new` for an update, `column=value` for an insert or delete.
    private var changes: String {
        func text(_ value: String??) -> String { (value ?? nil) ?? "null" }
        return changedColumns.map { column in
            switch (oldRow, newRow) {
            case (let old?, let new?): "\(column): \(text(old[column])) -> \(text(new[column]))"
            case (let old?, nil): "\(column)=\(text(old[column]))"
            case (nil, let new?): "\(column)=\(text(new[column]))"
            case (nil, nil): column
            }
        }.joined(separator: "; ")
    }
}

extension ImportedRecord: TabularRow {
    static var columns: [String] { ["run", "time", "db user", "os user", "source", "file", "line", "record", "row hash", "last changed run"] }

    var cells: [String] {
        [String(runID), startedAt.formatted(.iso8601), databaseUser, osUser, source, file ?? "", line.cell, record, rowHash,
         String(lastChangedRun)]
    }
}

extension Sarcreg {
    struct AuditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show a patient's audit trail: every change to their rows, by whom, when and in which transaction.",
            discussion: """
                The database writes the trail itself, for every path (CLI, sync, SQL); it cannot be edited or \
                deleted. Coordinators see the trail of their own sites' patients only.

                Rows a sync import inserts are counted in the trail once per run, table and operation; each \
                imported record is listed with its provenance: the run, the file and line it was read from, \
                when and by whom. What an import updates or deletes is in the trail row by row, with old and \
                new values. The table shows both; JSON is an object with `changes` and `imports`; CSV prints \
                the changes, or with --imports the imported records.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Flag(help: "With --format csv: print the imported records instead of the changes.") var imports = false
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String

        func run() throws {
            let trail = try AuditTrailService(connection: database.connect()).history(of: registryID)
            switch output.format {
            case .json:
                try Output.printJSON(trail)
            case .csv:
                if imports { try Output.print(trail.imports, as: .csv) } else { try Output.print(trail.changes, as: .csv) }
            case .table:
                if trail.changes.isEmpty {
                    print("No audited change of this patient's rows beyond what imports inserted.")
                } else {
                    try Output.print(trail.changes, as: .table)
                }
                if !trail.imports.isEmpty {
                    print("\nImported records (inserted by sync runs; the trail counts them per run):")
                    try Output.print(trail.imports, as: .table)
                }
            }
        }
    }
}
