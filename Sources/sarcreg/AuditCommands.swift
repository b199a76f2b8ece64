import ArgumentParser
import Foundation
import RegistryServices

extension AuditEntry: TabularRow {
    static var columns: [String] {
        ["audit id", "time", "transaction", "db user", "app user", "table", "operation", "reason", "changes"]
    }

    var cells: [String] {
        [
            String(auditID), loggedAt.formatted(.iso8601), String(transactionID), databaseUser, appUser ?? "", table,
            operation, reason ?? "", changes,
        ]
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
    static var columns: [String] {
        ["run", "time", "db user", "os user", "source", "file", "line", "record", "row hash", "last changed run"]
    }

    var cells: [String] {
        [
            String(runID), startedAt.formatted(.iso8601), databaseUser, osUser, source, file ?? "", line.cell, record,
            rowHash,
            String(lastChangedRun),
        ]
    }
}

extension Sarcreg {
    struct AuditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show a patient's audit trail; verify that the audit log is whole, or export its chain head.",
            discussion: """
                `sarcreg audit MUC-0001` is `sarcreg audit show MUC-0001`.
                """,
            subcommands: [Show.self, Verify.self, Anchor.self],
            defaultSubcommand: Show.self)
    }
}

extension Sarcreg.AuditCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show a patient's audit trail: every change to their rows, by whom, when and in which transaction.",
            discussion: """
                The database writes the trail itself, for every path (CLI, sync, SQL); it cannot be edited or \
                deleted unnoticed (`sarcreg audit verify`). Coordinators see the trail of their own sites' \
                patients only.

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
                if imports {
                    try Output.print(trail.imports, as: .csv)
                } else {
                    try Output.print(trail.changes, as: .csv)
                }
            case .table:
                if trail.changes.isEmpty {
                    say("No audited change of this patient's rows beyond what imports inserted.")
                } else {
                    try Output.print(trail.changes, as: .table)
                }
                if !trail.imports.isEmpty {
                    say("\nImported records (inserted by sync runs; the trail counts them per run):")
                    try Output.print(trail.imports, as: .table)
                }
            }
        }
    }

    /// Anchor files are JSON with the time in ISO 8601, readable and diffable by whoever keeps them.
    static func anchorEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    struct Anchor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the audit log's chain head as JSON, to keep where the database's owner cannot write.",
            discussion: """
                A copy kept elsewhere (another machine, a signed mail, a ticket) proves later, with \
                `sarcreg audit verify --anchor FILE`, that no entry up to it was changed or deleted. Needs an \
                administrator's login.
                """)

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard let anchor = try AuditChainService(connection: database.connect()).anchor() else {
                say("The audit log is empty: there is no chain head to anchor yet.")
                return
            }
            print(String(decoding: try Sarcreg.AuditCommand.anchorEncoder().encode(anchor), as: UTF8.self))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the audit log is whole; exit 4 when it is not.",
            discussion: """
                Walks the hash chain and reports its first broken link, a gap, a reordered entry or a cut tail; \
                with --anchor, that the anchored entry is still there unchanged; that every audit trigger and \
                guard is in place, fires ALWAYS and runs the function last recorded in the chain; and that each \
                audited row's current version is its last audited one, written by a transaction that audited \
                it. Needs an administrator's login. Exit status 0 when everything holds, 4 when anything does not.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "A chain head exported earlier with `sarcreg audit anchor`.") var anchor: String?

        func run() throws {
            let anchored = try anchor.map(Self.readAnchor)
            let result = try AuditChainService(connection: database.connect()).verify(against: anchored)
            let head = result.head.map { "entry \($0.position), hash \($0.hash)" } ?? "none"
            say(
                "\(result.entries) audit entries; chain head: \(head); rows of \(result.tablesChecked) audited tables compared"
            )
            if let anchored { say("anchor: entry \(anchored.position) of \(anchored.loggedAt.formatted(.iso8601))") }
            guard !result.intact else {
                say("The audit log is whole.")
                return
            }
            say("The audit log was tampered with:")
            for finding in result.findings { say("  - \(finding)") }
            throw AuditTampered(findings: result.findings.count)
        }

        static func readAnchor(_ path: String) throws -> AuditAnchor {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do {
                return try decoder.decode(AuditAnchor.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw ValidationError(
                    "--anchor \(path) is not an anchor written by `sarcreg audit anchor` (\(error.localizedDescription))"
                )
            }
        }
    }
}

/// `sarcreg audit verify` found the log tampered with, each finding printed on stdout: exit status 4, so a
/// scheduled check can alert on it.
struct AuditTampered: Error, CustomStringConvertible {
    static let exitCode = ExitCode(4)

    let findings: Int

    var description: String {
        "the audit log was tampered with: \(findings) finding\(findings == 1 ? "" : "s") listed above"
    }
}
