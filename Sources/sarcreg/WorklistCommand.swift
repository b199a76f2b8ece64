import ArgumentParser
import RegistryDomain
import RegistryServices

/// One line of the worklist as a table or CSV; a patient left out is a line of kind `excluded` with the reason.
struct WorklistLine: Encodable, TabularRow {
    static let columns = ["registry id", "kind", "what", "due since", "days late", "missed", "schedule"]
    let cells: [String]

    static func lines(_ report: WorklistReport) -> [WorklistLine] {
        report.items.map { item in
            WorklistLine(cells: [
                item.registryID, item.kind.rawValue, item.what, item.dueSince.description, String(item.daysLate),
                String(item.missedVisits),
                item.schedule,
            ])
        } + report.excluded.map { WorklistLine(cells: [$0.registryID, "excluded", $0.reason, "", "", "", ""]) }
    }

    /// The worklist as the table format prints it: its heading, then the table.
    static func table(_ report: WorklistReport) -> String {
        TerminalText.fitted("Worklist of site \(report.site) on \(report.asOf): \(report.items.count) to do") + "\n"
            + TextTable(header: columns).render(lines(report).map(\.cells))
    }
}

extension Sarcreg {
    struct WorklistCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "worklist",
            abstract: "What is overdue or due at a site: scans, survival contacts, lines with no assessment.",
            discussion: """
                Per open therapy line, the outstanding scan (the first scheduled after the last recorded one): overdue \
                once its window has closed, due when its window is open or its due date is within 14 days. Per patient \
                who progressed, the survival contact once overdue (counted from the first line stopped for progression, \
                against the last contact date). A line with no baseline and no follow-up is listed as no_assessment. \
                The trial's schedule applies to a line given in a trial whose definition has one, else the site's \
                default (sarcreg site schedule). Sorted by days late, latest first. A patient no schedule applies to is \
                listed as excluded with the reason and the exit status is 3.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code, e.g. MUC.", transform: SiteCode.typed) var site: String
        @OptionGroup var asOf: AsOfOption
        @OptionGroup var output: FormatOptions

        func run() throws {
            let report = try WorklistService(connection: database.connect()).worklist(site: site, asOf: asOf.date())
            switch output.format {
            case .json: try Output.printJSON(report)
            case .table: print(WorklistLine.table(report), terminator: "")
            case .csv: try Output.print(WorklistLine.lines(report), as: .csv)
            }
            if let excluded = RecordsExcluded([(report.excluded.count, "patient", "patients")]) { throw excluded }
        }
    }
}
