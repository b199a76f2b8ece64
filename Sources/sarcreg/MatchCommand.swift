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
                name the test or record that is missing.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var asOf: AsOfOption
        @Option(help: "Output format: table, json, or csv (one row per criterion).") var format: OutputFormat = .table
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String

        func run() throws {
            let match = try TherapyMatchService(connection: database.connect()).match(registryID, asOf: asOf.date())
            switch format {
            case .json: try Output.printJSON(match)
            case .table: print(MatchText.render(match), terminator: "")
            case .csv: print(MatchText.csv(match), terminator: "")
            }
        }
    }
}

/// The plain-text page of `match`.
enum MatchText {
    static func render(_ match: TherapyMatch) -> String {
        let report = match.report
        var text = "\(match.registryID) on \(report.evaluationDate), age \(match.age)\n"
        let fitting = report.evaluations.filter(\.fits).count
        text += "\(fitting) of \(report.evaluations.count) catalog indications fit (no criterion not met).\n"
        for group in report.statusGroups {
            text += "\n== \(group.status?.description ?? "no status yet on this date")"
            text += group.status.map { " (\($0.rawValue))" } ?? ""
            text += " ==\n"
            for evaluation in group.evaluations {
                text += "\n\(evaluation.indication.agentCode) - \(evaluation.indication.code): \(verdict(evaluation))\n"
                text += "  \(evaluation.indication.label)\n"
                if let status = evaluation.status {
                    text += "  \(status.status) since \(status.dated); evidence: \(status.evidence)\n"
                }
                let rows = evaluation.criteria.map { criterion in
                    [outcome(criterion.outcome), criterion.criterion.name, criterion.patientValue, criterion.reason]
                }
                text += TextTable(header: ["outcome", "criterion", "patient value", "reason"]).render(rows)
                    .split(separator: "\n").map { "  \($0)\n" }.joined()
            }
        }
        return text
    }

    /// One row per criterion, so a spreadsheet can filter by therapy, status or outcome.
    static func csv(_ match: TherapyMatch) -> String {
        let header = ["registry id", "as of", "status", "agent", "indication", "verdict", "outcome", "criterion", "patient value", "reason"]
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
