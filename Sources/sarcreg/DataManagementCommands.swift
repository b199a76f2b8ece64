import ArgumentParser
import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync

/// One query as a table or CSV row; JSON carries the thread.
struct QueryLine: Encodable, TabularRow {
    static let columns = [
        "query", "registry id", "site", "record", "field", "status", "opened", "by", "age (days)", "last message",
    ]
    let query: DataQuery

    func encode(to encoder: any Encoder) throws { try query.encode(to: encoder) }

    var cells: [String] {
        [
            String(query.queryID), query.registryID, query.site, query.record.description, query.field ?? "",
            query.status.rawValue,
            query.openedAt.formatted(.iso8601), query.openedBy, String(query.ageDays), query.messages.last?.body ?? "",
        ]
    }
}

extension SiteQueryCounts: TabularRow {
    static var columns: [String] {
        [
            "site", "open", "answered", "reopened", "closed", "older than \(QueryAgeing.worklistDays) days",
            "oldest (days)",
        ]
    }
    var cells: [String] {
        [
            site, String(open), String(answered), String(reopened), String(closed), String(overdue),
            oldestUnresolvedDays.map(String.init) ?? "",
        ]
    }
}

extension VerificationItem: TabularRow {
    static var columns: [String] { ["registry id", "record", "verified", "by"] }
    var cells: [String] {
        [registryID, record.description, verifiedAt?.formatted(.iso8601) ?? "not yet", verifiedBy ?? ""]
    }
}

/// `--record KIND:REFERENCE` as the domain parses it.
enum RecordArgument {
    static let help = ArgumentHelp(
        "The record: KIND:REFERENCE, KIND one of \(DataRecordKind.allowedValues), e.g. assessment:investigator/2024-05-02, "
            + "lesion_result:investigator/2024-05-02/T1, adverse_event:12, therapy_line:1.",
        valueName: "kind:reference")

    static func parse(_ text: String) throws -> DataRecord {
        try DataRecord.parse(text, field: .record)
    }
}

extension Sarcreg {
    struct QueryCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract:
                "Queries on data: open on a record, answered by the site, closed or reopened by the opener or a monitor.",
            discussion: """
                A query is open, answered, closed or reopened. The site answers an open or reopened query; the person who \
                opened it, a monitor or an administrator closes it or reopens it. Each change adds a message to the query's \
                thread with who and when. The nightly sync runs `sarcreg query reconcile`, which opens a query for every \
                investigator response that disagrees with the computed one and closes it when a later night agrees.
                """,
            subcommands: [
                Open.self, Answer.self, Close.self, Reopen.self, List.self, Show.self, Counts.self, Reconcile.self,
            ],
            defaultSubcommand: List.self)
    }

    struct SDVCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sdv",
            abstract: "Source data verification: a monitor marks records verified; a change to one clears its mark.",
            subcommands: [Mark.self, Status.self])
    }
}

extension Sarcreg.QueryCommand {
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a query on one of a patient's records with the first message.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: RecordArgument.help, transform: RecordArgument.parse) var record: DataRecord
        @Option(help: "The field the query is about, e.g. \"diameter\".") var field: String?
        @Option(help: "What the site should check or answer.") var message: String

        func run() throws {
            let query = try DataQueryService(connection: database.connect()).open(
                registryID, record: record, field: field, message: message)
            say(
                "Opened query \(query.queryID) on \(query.registryID) \(query.record)\(query.field.map { " (\($0))" } ?? "")."
            )
        }
    }

    /// Answer, close and reopen differ only in their action.
    struct StateChange: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The query number `sarcreg query list` prints.") var id: Int
        @Option(help: "The message that goes with the change.") var message: String

        func apply(_ action: QueryAction) throws {
            let query = try DataQueryService(connection: database.connect()).act(action, queryID: id, message: message)
            say("Query \(query.queryID) on \(query.registryID) \(query.record) is \(query.status.rawValue).")
        }
    }

    struct Answer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer an open or reopened query (the site).")
        @OptionGroup var change: StateChange
        func run() throws { try change.apply(.answer) }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a query (its opener, a monitor or an administrator).")
        @OptionGroup var change: StateChange
        func run() throws { try change.apply(.close) }
    }

    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reopen an answered or closed query (its opener, a monitor or an administrator).")
        @OptionGroup var change: StateChange
        func run() throws { try change.apply(.reopen) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List queries, oldest first, with their age and last message.",
            discussion: "A coordinator or monitor sees the queries of their own sites' patients only.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code, e.g. MUC (default: every site your login sees).", transform: SiteCode.typed) var site:
            String?
        @Option(help: "Only queries with this status: \(QueryStatus.allowedValues).") var status: String?
        @Option(help: ArgumentHelp("Only queries opened more than this many days ago, e.g. 14d.", valueName: "days"))
        var olderThan: String?
        @OptionGroup var output: FormatOptions

        func validate() throws { _ = try statusFilter() }

        func run() throws {
            let status = try statusFilter()
            let days = try olderThan.map { text in
                let digits = text.hasSuffix("d") ? String(text.dropLast()) : text
                guard let days = Int(digits), days >= 0 else {
                    throw ValidationError("--older-than '\(text)' is not a number of days such as 14d")
                }
                return days
            }
            let queries = try DataQueryService(connection: database.connect()).list(
                QueryFilter(site: site, status: status, olderThanDays: days))
            if output.format == .table {
                say("\(queries.count) quer\(queries.count == 1 ? "y" : "ies")\(site.map { " at \($0)" } ?? "")")
            }
            try Output.print(queries.map(QueryLine.init), as: output.format)
        }

        private func statusFilter() throws(CommandLineRefusal) -> QueryStatus? {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try status.map { text throws(RegistryInputError) in try QueryStatus.parse(text, field: .status) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a query with its thread.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The query number.") var id: Int

        func run() throws {
            let query = try DataQueryService(connection: database.connect()).query(id)
            guard output.format == .table else { return try Output.print([QueryLine(query: query)], as: output.format) }
            say(
                "Query \(query.queryID) on \(query.registryID) (\(query.site)) \(query.record)\(query.field.map { ", field \($0)" } ?? ""): "
                    + "\(query.status.rawValue), opened \(query.openedAt.formatted(.iso8601)) by \(query.openedBy), \(query.ageDays) day(s) ago"
            )
            say(
                TextTable(header: ["#", "action", "written", "by", "message"]).render(
                    query.messages.map {
                        [
                            String($0.number), $0.action.rawValue, $0.writtenAt.formatted(.iso8601), $0.writtenBy,
                            $0.body,
                        ]
                    }), terminator: "")
        }
    }

    struct Counts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Queries per site by status, with how many have waited longer than 14 days and the oldest's age (for monitors)."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            try Output.print(try DataQueryService(connection: database.connect()).counts(), as: output.format)
        }
    }

    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Open a query for each response discrepancy, close those that now agree (the nightly sync runs it; sync or administrator login)."
        )

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let done = try SyncService(connection: database.connect()).reconcileDiscrepancyQueries()
            // One line: Scripts/nightly-sync logs it as the night's reconciliation.
            print(
                "Discrepancy queries: \(done.opened) opened, \(done.reopened) reopened, \(done.closed) closed, \(done.unchanged) unchanged."
            )
        }
    }
}

extension Sarcreg.SDVCommand {
    struct Mark: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a record verified against the source: a visit (assessment:EVALUATOR/DATE) or one record.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: RecordArgument.help, transform: RecordArgument.parse) var record: DataRecord

        func run() throws {
            let item = try SourceVerificationService(connection: database.connect()).mark(registryID, record: record)
            say("Verified \(item.registryID) \(item.record).")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What is verified and what is left at a site, by patient and record.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code, e.g. MUC.", transform: SiteCode.typed) var site: String
        @Flag(help: "Only the records not verified yet.") var left = false
        @OptionGroup var output: FormatOptions

        func run() throws {
            let items = try SourceVerificationService(connection: database.connect()).status(site: site)
            let shown = left ? items.filter { $0.verifiedAt == nil } : items
            if output.format == .table {
                say(
                    "\(site): \(items.count - items.filter { $0.verifiedAt == nil }.count) of \(items.count) record(s) verified"
                )
            }
            try Output.print(shown, as: output.format)
        }
    }
}

extension Sarcreg.PatientCommand {
    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Lock a patient: no entry, correction or import changes the patient's records until unlocked (monitor or administrator)."
        )

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String

        func run() throws {
            let lock = try PatientLockService(connection: database.connect()).lock(registryID)
            say("Locked \(lock.registryID) at \(lock.lockedAt.formatted(.iso8601)) by \(lock.lockedBy).")
        }
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock a patient with the reason (administrator); the audit trail keeps it.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "Why the patient is unlocked, e.g. \"monitor query 12: corrected lesion T1\".") var reason: String

        func run() throws {
            try PatientLockService(connection: database.connect()).unlock(registryID, reason: reason)
            say("Unlocked \(registryID.uppercased()): \(reason)")
        }
    }
}

extension Sarcreg.ResponseCommand {
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a line's responses as investigator, re-entering your database password.",
            discussion: """
                The password is read from the terminal without echo and checked by the server on a connection of its own \
                (libpq sends it as the server's authentication method asks; with scram-sha-256 the password itself never \
                leaves this process). The signature keeps your name, the time, the meaning and the SHA-256 of the series and \
                the responses computed from it; any later change to the patient's assessments voids it.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "The therapy line whose responses are signed.") var line: Int
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?
        @Option(help: "What the signature means, e.g. \"reviewed and approved\".") var meaning: String

        func run() throws {
            guard Prompt.isInteractive else {
                throw ValidationError("a signature needs your password typed at a terminal; run it there")
            }
            let connection = try database.connect()
            let password = try Prompt.secret("Password of your database login, to sign")
            let signer = try Connection(database.connectionString, password: password)
            let signature = try ResponseSignatureService(connection: connection).sign(
                registryID, line: line, evaluator: evaluator, meaning: meaning, signer: signer)
            say(
                "Signed \(signature.registryID) line \(signature.lineNumber) (\(signature.evaluator)) as \(signature.signerName) at "
                    + "\(signature.signedAt.formatted(.iso8601)): \(signature.meaning); SHA-256 \(signature.contentSHA256)"
            )
        }
    }
}
