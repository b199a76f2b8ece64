import ArgumentParser
import Foundation
import RegistryDomain
import RegistryServices

/// One indication of the catalog as a table or CSV row; an agent without indications gets one row.
struct CatalogRow: Encodable, TabularRow {
    let agent: String
    let drugClass: String
    let indication: String
    let status: String
    let since: String
    let authority: String
    let label: String

    static var columns: [String] { ["agent", "class", "indication", "status", "since", "authority", "label"] }
    var cells: [String] { [agent, drugClass, indication, status, since, authority, label] }

    static func rows(_ listing: CatalogListing) -> [CatalogRow] {
        guard !listing.indications.isEmpty else {
            return [
                CatalogRow(
                    agent: listing.agent.name, drugClass: listing.agent.drugClass, indication: "", status: "",
                    since: "", authority: "", label: "")
            ]
        }
        return listing.indications.map { indication in
            CatalogRow(
                agent: listing.agent.name, drugClass: listing.agent.drugClass, indication: indication.code,
                status: indication.status?.status.rawValue ?? "no status yet",
                since: indication.status?.effectiveDate.description ?? "",
                authority: indication.status?.authority ?? "", label: indication.label)
        }
    }
}

extension CatalogStatusRecord: TabularRow {
    static var columns: [String] {
        ["indication", "status", "effective", "precision", "authority", "source", "note", "superseded because"]
    }
    var cells: [String] {
        [
            indication, status.rawValue, effectiveDate.description, precision, authority, source, note.cell,
            supersededBecause.cell,
        ]
    }
}

/// `--as-of`, parsed the way every registry date is, naming the option when it is malformed.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "Evaluation date (YYYY-MM-DD). Default: today.")
    var text: String?

    func validate() throws { _ = try date() }

    func date() throws(CommandLineRefusal) -> CalendarDate {
        guard let text else { return .today }
        return try CommandLineRefusal.parsing { () throws(RegistryInputError) in
            try ClinicalDateCheck.parse(text, field: .asOf)
        }
    }
}

extension Sarcreg.TherapyCommand {
    struct Catalog: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The targeted-therapy catalog: agents, indications, criteria and dated status.",
            subcommands: [List.self, Show.self, Sources.self, AddStatus.self, AddIndication.self])
    }
}

extension Sarcreg.TherapyCommand.Catalog {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List agents with their indications and the status of each on a date.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var asOf: AsOfOption
        @Option(help: "Only indications with this status: \(TherapyStatus.allowedValues).") var status: String?

        func validate() throws { _ = try statusFilter() }

        func run() throws {
            let listings = try TherapyCatalogService(connection: database.connect()).list(
                asOf: asOf.date(), status: statusFilter())
            switch output.format {
            case .json: try Output.printJSON(listings)
            case .table, .csv: try Output.print(listings.flatMap(CatalogRow.rows), as: output.format)
            }
        }

        private func statusFilter() throws(CommandLineRefusal) -> TherapyStatus? {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try status.map { text throws(RegistryInputError) in try TherapyStatus.parse(text, field: .status) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an agent: each indication's criteria in words, warnings, evidence and status history.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var asOf: AsOfOption
        @Argument(help: "Agent code, e.g. tazemetostat.") var agent: String

        func run() throws {
            let detail = try TherapyCatalogService(connection: database.connect()).show(agent: agent, asOf: asOf.date())
            switch output.format {
            case .json: try Output.printJSON(detail)
            case .csv: try Output.print(detail.indications.flatMap(\.statusHistory), as: .csv)
            case .table: say(CatalogText.render(detail), terminator: "")
            }
        }
    }

    struct Sources: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The review the catalog comes from, and each of its numbered references the catalog cites.",
            discussion: """
                A source such as "[50]" is reference 50 of the review. The stored review text has no reference list, \
                so each number is shown with the catalog entries citing it and the report the catalog names beside \
                it, where it names one; the others are looked up in the published review (its DOI is printed).
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let references = try TherapyCatalogService(connection: database.connect()).citedReferences()
            switch output.format {
            case .json: try Output.printJSON(references)
            case .table:
                say("Review: \(CatalogReview.citation)")
                say(
                    "Its reference list is not in the stored review text: where the catalog names no report, look the number up there.\n"
                )
                try Output.print(references, as: .table)
            case .csv: try Output.print(references, as: .csv)
            }
        }
    }

    struct AddStatus: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a change of an indication's status as a new dated row (administrators).",
            discussion: "Earlier rows are kept: the status on a date is the latest row effective on or before it.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Indication code, e.g. vimseltinib_tgct (see `therapy catalog show AGENT`).") var indication:
            String
        @Option(help: "New status: \(TherapyStatus.allowedValues).") var status: String
        @Option(help: "Date the status took effect (YYYY-MM-DD), not in the future.") var date: String
        @Option(
            help:
                "Who set the status, a regulator or the evidence: \(TherapyCatalogService.authorities.joined(separator: ", "))."
        ) var authority: String
        @Option(help: "Citation for the change, e.g. 'FDA approval 2025-02-14 (Romvimza)'.") var source: String
        @Option(help: "Optional note.") var note: String?

        func validate() throws { _ = try submission() }

        func run() throws {
            let record = try TherapyCatalogService(connection: database.connect()).addStatus(submission())
            say(
                "Recorded \(record.indication): \(record.status.rawValue) (\(record.authority)) effective \(record.effectiveDate)."
            )
        }

        private func submission() throws(CommandLineRefusal) -> StatusChangeSubmission {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                StatusChangeSubmission(
                    indication: indication, status: try TherapyStatus.parse(status, field: .status),
                    effectiveDate: try ClinicalDateCheck.parse(
                        date.trimmingCharacters(in: .whitespacesAndNewlines), field: .date),
                    authority: try StatusAuthority.parse(authority, field: .authority), source: source, note: note)
            }
        }
    }

    struct AddIndication: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an indication with its criteria and first status from a JSON file (administrators).",
            discussion: """
                Keys: agent, combined_with, code, label, histology {include, exclude} (ICD-O-3 codes or entity \
                groups), biomarkers [{requirement, label, gene, kind, partner, acquired_resistance_only}], \
                minimum_age_years, disease_settings, prior_therapy_classes, minimum_prior_lines, boxed_warning, \
                rems_required, evidence_summary, source, initial_status {status, effective_date, authority, source, note}.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The indication as a JSON file.") var file: String

        func run() throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("--file '\(file)' cannot be read")
            }
            let added = try TherapyCatalogService(connection: database.connect()).addIndication(json: data)
            say(
                "Added \(added.code) with \(added.criteria.count) criteria; status \(added.currentStatus?.status.rawValue ?? "none")."
            )
        }
    }
}

/// The plain-text page of `therapy catalog show`.
enum CatalogText {
    static func render(_ detail: CatalogAgentDetail) -> String {
        let agent = detail.agent
        var text = "\(agent.name) (\(agent.code)): \(agent.drugClass.replacingOccurrences(of: "_", with: " "))"
        text += "; targets \(agent.targets.joined(separator: ", "))"
        if let route = agent.route { text += "; \(route)" }
        text += "; source \(agent.source)\n"
        if detail.indications.isEmpty { text += "\nNo indication in the catalog.\n" }
        for indication in detail.indications {
            text += "\n\(indication.code): \(indication.label)\n"
            if let partner = indication.combinedWith { text += "  combined with \(partner)\n" }
            let status = indication.currentStatus.map {
                "\($0.status) (\($0.status.rawValue)) since \($0.dated); evidence: \($0.evidence)"
            }
            text += "  status on \(detail.asOf): \(status ?? "none yet")\n"
            text += "  boxed warning: \(indication.boxedWarning ?? "none")\n"
            text += "  REMS: \(indication.remsRequired ? "required" : "not required")\n"
            text += "  evidence: \(indication.evidenceSummary)\n"
            text += "  source: \(indication.source)\n"
            text += "  criteria:\n" + indication.criteria.map { "    - \($0)\n" }.joined()
            text += "  status history:\n"
            text += TextTable(
                header: ["effective", "precision", "status", "authority", "source", "note", "superseded because"],
                width: TextTable.outputWidth - 4
            )
            .render(
                indication.statusHistory.map {
                    [
                        $0.effectiveDate.description, $0.precision, $0.status.rawValue, $0.authority, $0.source,
                        $0.note.cell,
                        $0.supersededBecause.cell,
                    ]
                }
            )
            .split(separator: "\n").map { "    \($0)\n" }.joined()
        }
        return text
    }
}

extension CitedReference: TabularRow {
    static let columns = ["ref", "cited by", "identified in the catalog as"]
    var cells: [String] {
        [
            "[\(number)]", citedBy.joined(separator: ", "),
            identifiedAs.isEmpty ? "(see the review)" : identifiedAs.joined(separator: "; "),
        ]
    }
}
