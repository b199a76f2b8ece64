import ArgumentParser
import Foundation
import RegistryDomain
import RegistryReports
import RegistryServices

extension Sarcreg {
    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report", abstract: "Investigator summaries: responses, survival and adverse events.",
            discussion: """
                Reports only read. --database may name a read replica; with several hosts libpq picks one, e.g. \
                "host=primary,replica1 target_session_attrs=prefer-standby" (or any, read-only, standby).
                """,
            subcommands: [Response.self, AdverseEvents.self])
    }
}

/// The population filters every report takes.
struct PopulationOptions: ParsableArguments {
    @Option(help: "Lines that include this agent code, e.g. larotrectinib.") var agent: String?
    @Option(help: "ICD-O-3 code (9040/3) or WHO entity name (\"synovial sarcoma\") of the diagnosis.") var histology:
        String?
    @Option(help: "A positive molecular result, GENE or GENE:kind, e.g. NTRK3:fusion (either fusion partner).")
    var biomarker: String?
    @Option(help: "Lines given in this trial (NCT number).") var trial: String?
    @Option(help: "With --trial: lines of the patients enrolled in this arm (arm code, e.g. experimental).") var arm:
        String?
    @Option(help: "Patients of this site code.") var site: String?
    @Option(parsing: .number, help: "Line of therapy (1 to 30).") var line: Int?
    @Option(help: "Lines started on or after this date (YYYY-MM-DD).") var from: String?
    @Option(help: "Lines started on or before this date (YYYY-MM-DD).") var to: String?
    @Option(help: "Whose reads count: investigator (default) or an independent reader.") var evaluator: String?
    @Flag(help: "Only lines whose responses an investigator signed (response sign), the signature not void since.")
    var signedOnly = false

    func validate() throws { _ = try filter() }

    /// The filters as the report service takes them: the biomarker and the dates parsed by the domain's rules.
    func filter() throws(CommandLineRefusal) -> ReportFilter {
        try CommandLineRefusal.parsing { () throws(RegistryInputError) in
            ReportFilter(
                agent: agent, histology: histology,
                biomarker: try biomarker.map { text throws(RegistryInputError) in
                    try BiomarkerFilter.parse(text, field: .biomarker)
                },
                trial: trial, arm: arm, site: site, lineNumber: line,
                startedFrom: try from.map { text throws(RegistryInputError) in
                    try ClinicalDateCheck.parse(text, field: .from)
                },
                startedTo: try to.map { text throws(RegistryInputError) in try ClinicalDateCheck.parse(text, field: .to)
                },
                evaluator: evaluator, signedOnly: signedOnly)
        }
    }
}

extension SummaryRow: TabularRow {}

/// A command's output lists records a script must look at: it exits 3 with one line on stderr saying how many.
protocol RecordsListed: Error, CustomStringConvertible {}

/// A report was produced but left records out, each listed in its output with the reason: exit status 3
/// tells a script that the figures do not cover every record until those are corrected.
struct RecordsExcluded: RecordsListed {
    /// What was left out, e.g. `1 line`, `2 adverse events`.
    let counts: [String]

    /// nil when nothing was left out, so a command throws only when it must.
    init?(_ counts: [(count: Int, singular: String, plural: String)]) {
        let said = counts.filter { $0.count > 0 }.map { "\($0.count) \($0.count == 1 ? $0.singular : $0.plural)" }
        guard !said.isEmpty else { return nil }
        self.counts = said
    }

    var description: String {
        "\(counts.joined(separator: " and ")) left out of the report; each is listed in it with the reason (exit status 3)"
    }
}

struct AdverseEventLine: TabularRow, Encodable {
    static let columns = AdverseEventRow.columns
    let cells: [String]
}

extension Sarcreg.ReportCommand {
    struct Response: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Best overall responses, ORR and DCR with exact 95% intervals, Kaplan-Meier PFS, DoR and OS.",
            discussion: """
                Treated: therapy lines matching the filters. Evaluable: a baseline with at least one lesion and at \
                least one follow-up assessment of that line, read by the investigator unless --evaluator. ORR and \
                DCR are over the evaluable lines (Clopper-Pearson intervals). PFS runs from line start to the first \
                PD or death, censored at the last adequate assessment; OS from line start to death, censored at the \
                last contact or last known date; DoR over responding lines from the first CR/PR to PD or death. A line \
                whose stored assessments the RECIST engine refuses stays treated but is not evaluable: it is listed \
                as excluded with its registry id, line, evaluator and the engine's reason in every format (JSON \
                excludedLines, the HTML's "Excluded lines"); with --html, adverse events that cannot be counted are \
                listed the same way under the AE table. The exit status is 0 when nothing was left out and 3 when \
                the report was produced with excluded lines or events (a warning on stderr says how many). Medians \
                are Kaplan-Meier with Brookmeyer-Crowley log-log 95% intervals, by the conventions of R's survival \
                package (a flat 50% gives the midpoint; no interval where survival is 100% or 0%; no rate beyond \
                follow-up). --html writes one self-contained \
                page with the tables, waterfall, swimmer and Kaplan-Meier plots; --svg-dir writes the plots alone.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var population: PopulationOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Also write a self-contained HTML report (tables and plots) to this file.") var html: String?
        @Option(help: "Also write waterfall.svg, swimmer.svg and km-pfs/dor/os.svg into this folder.") var svgDir:
            String?

        func run() throws {
            let connection = try database.connect()
            let reports = ReportService(connection: connection)
            let summary = try reports.responseSummary(population.filter())
            switch output.format {
            case .json: try Output.printJSON(summary)
            case .csv: try Output.print(SummaryRow.rows(summary), as: .csv)
            case .table:
                say(summary.populationRule)
                say()
                try Output.print(
                    SummaryRow.rows(summary).filter { $0.section != SummaryRow.excludedSection }, as: .table)
                if let note = SummaryRow.exclusionNote(summary) {
                    say()
                    say(note)
                }
            }
            var excludedEvents = 0
            if let html {
                let events = try reports.adverseEvents(population.filter())
                excludedEvents = events.excludedEvents.count
                let title =
                    "Response summary" + (summary.filters.isEmpty ? "" : ": " + summary.filters.joined(separator: ", "))
                try write(
                    HTMLReport.render(title: title, summary: summary, adverseEvents: events),
                    to: URL(fileURLWithPath: html))
            }
            if let svgDir {
                let folder = URL(fileURLWithPath: svgDir, isDirectory: true)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try write(WaterfallPlot.svg(summary), to: folder.appendingPathComponent("waterfall.svg"))
                try write(SwimmerPlot.svg(summary), to: folder.appendingPathComponent("swimmer.svg"))
                for endpoint in summary.endpoints {
                    try write(
                        KaplanMeierPlot.svg(endpoint),
                        to: folder.appendingPathComponent("km-\(endpoint.endpoint.rawValue.lowercased()).svg"))
                }
            }
            if let excluded = RecordsExcluded([
                (summary.excludedLines.count, "line", "lines"), (excludedEvents, "adverse event", "adverse events"),
            ]) {
                throw excluded
            }
        }

        private func write(_ text: String, to url: URL) throws {
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw ValidationError("cannot write \(url.path): \(error.localizedDescription)")
            }
        }
    }

    struct AdverseEvents: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ae",
            abstract: "Patients with each CTCAE term on the chosen lines, any grade and grade 3 or worse.",
            discussion: """
                Counts each patient once per term at the worst grade, as a percentage of the treated patients \
                (patients with a line matching the filters); only events recorded on those lines count. \
                --min-percent 10 --basis grade-3 gives a publication's "most common (>= 10%) grade >= 3" table. \
                An event with its onset after the patient's death or before its line started is not counted: it is \
                listed as excluded with its registry id, line and reason (under the table, as `excluded:` rows in \
                CSV, as excludedEvents in JSON), and the exit status is 3 instead of 0.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var population: PopulationOptions
        @OptionGroup var output: FormatOptions
        @Option(parsing: .number, help: "Keep terms reaching this percentage of treated patients (0 to 100).")
        var minPercent: Double = 0
        @Option(help: "Column the threshold and the order use: any-grade or grade-3.") var basis: String = "any-grade"

        func run() throws {
            guard let basis = AdverseEventBasis(rawValue: basis.lowercased()) else {
                throw ValidationError("--basis must be any-grade or grade-3, got '\(basis)'")
            }
            let table = try ReportService(connection: database.connect()).adverseEvents(
                population.filter(), minimumPercent: minPercent, basis: basis)
            switch output.format {
            case .json: try Output.printJSON(table)
            case .csv:
                let rows = AdverseEventRow.rows(table) + AdverseEventRow.excludedRows(table)
                try Output.print(rows.map { AdverseEventLine(cells: $0.cells) }, as: .csv)
            case .table:
                say(AdverseEventRow.caption(table))
                say()
                try Output.print(AdverseEventRow.rows(table).map { AdverseEventLine(cells: $0.cells) }, as: .table)
                if let note = AdverseEventRow.exclusionNote(table) {
                    say()
                    say(note)
                }
            }
            if let excluded = RecordsExcluded([(table.excludedEvents.count, "adverse event", "adverse events")]) {
                throw excluded
            }
        }
    }
}
