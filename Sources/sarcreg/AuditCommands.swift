import ArgumentParser
import Foundation
import RegistryServices

extension AuditEntry: TabularRow {
    static var columns: [String] { ["audit id", "time", "transaction", "db user", "app user", "table", "operation", "changes"] }

    var cells: [String] {
        [String(auditID), loggedAt.formatted(.iso8601), String(transactionID), databaseUser, appUser ?? "", table, operation, changes]
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

extension Sarcreg {
    struct AuditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show a patient's audit trail: every change to their rows, by whom, when and in which transaction.",
            discussion: """
                The database writes the trail itself, for every path (CLI, sync, SQL); it cannot be edited or \
                deleted. Coordinators see the trail of their own sites' patients only.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String

        func run() throws {
            let history = try AuditTrailService(connection: database.connect()).history(of: registryID)
            try Output.print(history, as: output.format)
        }
    }
}
