import ArgumentParser
import RegistryDomain
import RegistryServices

extension Sarcreg {
    struct MatchCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "match",
            abstract: "Which catalog therapies a patient fits on a date, grouped by status, with every criterion.",
            discussion: """
                Each criterion is met, not met or unknown, with the patient's value and the reason \
                ("NTRK fusion: not tested"). A therapy fits when no criterion is not met; unknown criteria \
                name the test or record that is missing. The table shows the therapies that fit and the near \
                misses (one criterion not met, other than the histology); --all shows every one. JSON and CSV always hold every one.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var asOf: AsOfOption
        @Option(help: "Output format: table, json, or csv (one row per criterion).") var format: OutputFormat = .table
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String
        @Flag(
            help: "Show every catalog therapy in the table, also those the histology or two or more criteria rule out.")
        var all = false

        func run() throws {
            let match = try TherapyMatchService(connection: database.connect()).match(registryID, asOf: asOf.date())
            switch format {
            case .json: try Output.printJSON(match)
            case .table: say(MatchText.render(match, all: all), terminator: "")
            case .csv: print(MatchText.csv(match), terminator: "")
            }
        }
    }
}

/// The plain-text page of `match`.
enum MatchText {
    /// The therapies that fit and the near misses, or with `all` every therapy of the catalog.
    static func render(_ match: TherapyMatch, all: Bool) -> String {
        let report = match.report
        var text = "\(match.registryID) on \(report.evaluationDate), age \(match.age)\n"
        let fitting = report.evaluations.filter(\.fits).count
        let nearMisses = report.evaluations.filter(\.isNearMiss).count
        text += "\(fitting) of \(report.evaluations.count) catalog indications fit (no criterion not met); "
        text +=
            "\(nearMisses) \(nearMisses == 1 ? "is a near miss" : "are near misses") (one criterion not met, not the histology).\n"
        let shown = { (evaluation: IndicationEvaluation) in all || evaluation.fits || evaluation.isNearMiss }
        for group in report.statusGroups where group.evaluations.contains(where: shown) {
            text += "\n== \(group.status?.description ?? "no status yet on this date")"
            text += group.status.map { " (\($0.rawValue))" } ?? ""
            text += " ==\n"
            for evaluation in group.evaluations where shown(evaluation) {
                text += "\n\(evaluation.indication.agentCode) - \(evaluation.indication.code): \(verdict(evaluation))\n"
                text += "  \(evaluation.indication.label)\n"
                if let status = evaluation.status {
                    text += "  \(status.status) since \(status.dated); evidence: \(status.evidence)\n"
                }
                let rows = evaluation.criteria.map { criterion in
                    [outcome(criterion.outcome), criterion.criterion.name, criterion.patientValue, criterion.reason]
                }
                text += TextTable(
                    header: ["outcome", "criterion", "patient value", "reason"], width: TextTable.outputWidth - 2
                ).render(rows)
                    .split(separator: "\n").map { "  \($0)\n" }.joined()
            }
        }
        let hidden = report.evaluations.count(where: { !shown($0) })
        if hidden > 0 {
            text +=
                "\n\(hidden) more \(hidden == 1 ? "indication is" : "indications are") ruled out by the histology or by two or more criteria; "
            text += "--all shows \(hidden == 1 ? "it" : "them").\n"
        }
        return text
    }

    /// One row per criterion, so a spreadsheet can filter by therapy, status or outcome.
    static func csv(_ match: TherapyMatch) -> String {
        let header = [
            "registry id", "as of", "status", "agent", "indication", "verdict", "outcome", "criterion", "patient value",
            "reason",
        ]
        var rows: [[String]] = []
        for group in match.report.statusGroups {
            for evaluation in group.evaluations {
                for criterion in evaluation.criteria {
                    rows.append([
                        match.registryID, match.report.evaluationDate.description, group.status?.rawValue ?? "",
                        evaluation.indication.agentCode, evaluation.indication.code, verdict(evaluation),
                        outcome(criterion.outcome), criterion.criterion.name, criterion.patientValue, criterion.reason,
                    ])
                }
            }
        }
        return Output.csv(header: header, rows: rows)
    }

    static func verdict(_ evaluation: IndicationEvaluation) -> String {
        if evaluation.isFullyMet { return "FITS" }
        if evaluation.fits {
            let count = evaluation.unknownCriteria.count
            return "fits if confirmed (\(count) unknown \(count == 1 ? "criterion" : "criteria"))"
        }
        if let missed = evaluation.unmetCriteria.first, evaluation.isNearMiss {
            return "near miss: \(missed.criterion.name) not met"
        }
        return "does not fit"
    }

    static func outcome(_ outcome: CriterionOutcome) -> String {
        switch outcome {
        case .met: "met"
        case .notMet: "not met"
        case .unknown: "unknown"
        }
    }
}
