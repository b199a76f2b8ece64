import ArgumentParser
import Foundation
import RegistryDomain
import RegistryServices

extension Sarcreg {
    struct LesionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lesion", abstract: "Lesions chosen at baseline for RECIST 1.1.",
            subcommands: [Add.self, Amend.self])
    }

    struct AssessCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assess", abstract: "Tumor assessments: every lesion result of one time point.",
            subcommands: [Record.self, Amend.self, Void.self])
    }

    struct ResponseCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "response",
            abstract: "RECIST 1.1 responses computed from the recorded assessments, and their sign-off.",
            subcommands: [Show.self, Sign.self])
    }
}

extension Sarcreg.LesionCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a target or non-target lesion to a reader's baseline, with its baseline measurement.",
            discussion: """
                The first lesion creates the reader's baseline assessment on --date; later lesions must use the same \
                date. RECIST 1.1 limits apply: at most 5 targets, 2 per organ (all lymph nodes count as one organ), \
                targets of at least 10 mm (nodes: 15 mm short axis).
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "Lesion identifier kept for the whole study, e.g. T1, NT1.") var lesion: String
        @Option(name: .customLong("class"), help: "target or non-target.") var lesionClass: String
        @Option(help: "Organ or location, e.g. liver, lung, retroperitoneum.") var organ: String
        @Flag(help: "The lesion is a lymph node (measured by its short axis).") var node = false
        @Option(help: "Imaging method: \(ImagingMethod.allowedValues).") var method: String
        @Option(parsing: .number, help: "Longest diameter in mm (short axis for a node); required for a target.")
        var diameter: String?
        @Option(help: "Baseline scan date (YYYY-MM-DD).") var date: String
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?

        func validate() throws { _ = try submission() }

        func run() throws {
            let update = try AssessmentService(connection: database.connect()).addLesion(registryID, submission())
            let baseline = update.baseline
            say(
                "Added lesion \(update.lesion) to the \(update.evaluator) baseline of \(update.registryID) on \(baseline.date): "
                    + "\(baseline.targets.count) target(s), sum \(baseline.sumOfDiameters) mm; \(baseline.nonTargets.count) non-target(s)."
            )
        }

        private func submission() throws(CommandLineRefusal) -> LesionSubmission {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                let lesion = try LesionID.parse(self.lesion, field: .lesion)
                let lesionClass = try LesionClass.parseBaseline(self.lesionClass)
                let method = try ImagingMethod.parse(self.method, field: .method)
                let date = try ClinicalDateCheck.parse(self.date, field: .date)
                return LesionSubmission(
                    lesion: lesion, lesionClass: lesionClass, organ: organ, isLymphNode: node, method: method,
                    diameter: try diameter.map { text throws(RegistryInputError) in
                        try Millimetres.parseDiameter(text, field: .diameter)
                    },
                    date: date, evaluator: try reader(evaluator))
            }
        }
    }
}

extension Sarcreg.LesionCommand {
    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a baseline lesion's organ, imaging method or baseline diameter, with the reason.",
            discussion: """
                The reader's baseline is rebuilt with the correction and every follow-up scored again by the RECIST \
                engine before anything is written; a correction the engine refuses changes nothing.
                """)

        @OptionGroup var correction: CorrectionOptions
        @Option(help: "Lesion identifier, e.g. T1.") var lesion: String
        @Option(help: "Organ or location, e.g. liver.") var organ: String?
        @Option(help: "Imaging method: \(ImagingMethod.allowedValues).") var method: String?
        @Option(parsing: .number, help: "Baseline diameter in mm (short axis for a node).") var diameter: String?
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?

        func validate() throws { _ = try request() }

        func run() throws {
            let (label, reader, amendment) = try request()
            let update = try AssessmentService(connection: correction.database.connect()).amendLesion(
                correction.registryID, lesion: label, evaluator: reader, amendment, reason: correction.reason)
            say(
                "Amended lesion \(update.lesion) of the \(update.evaluator) baseline of \(update.registryID): "
                    + "\(update.baseline.targets.count) target(s), sum \(update.baseline.sumOfDiameters) mm.")
        }

        private func request() throws(CommandLineRefusal) -> (LesionID, Evaluator, LesionAmendment) {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                let label = try LesionID.parse(lesion, field: .lesion)
                let evaluator = try reader(self.evaluator)
                let method = try self.method.map { text throws(RegistryInputError) in
                    try ImagingMethod.parse(text, field: .method)
                }
                let diameter = try self.diameter.map { text throws(RegistryInputError) in
                    try Millimetres.parseDiameter(text, field: .diameter)
                }
                return (label, evaluator, LesionAmendment(organ: organ, method: method, diameter: diameter))
            }
        }
    }
}

extension Sarcreg.AssessCommand {
    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Correct lesion results of a recorded follow-up, with the reason; the series is scored again first.",
            discussion: """
                Each --result LESION=VALUE replaces that lesion's result at --date (values as for `assess record`). \
                The reader's whole series is scored by the RECIST engine with the correction before anything is \
                written; the reason is kept in the audit trail with the old and new values.
                """)

        @OptionGroup var correction: CorrectionOptions
        @Option(help: "Date of the recorded assessment (YYYY-MM-DD).") var date: String
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?
        @Option(name: .customLong("result"), help: "LESION=VALUE; repeat for every lesion corrected.") var results:
            [String] = []

        func validate() throws {
            _ = try results.map(Record.entry)
            _ = try timePoint()
        }

        func run() throws {
            let entries = try results.map(Record.entry)
            let (date, reader) = try timePoint()
            let recorded = try AssessmentService(connection: correction.database.connect()).amend(
                correction.registryID, date: date, evaluator: reader, results: entries, reason: correction.reason)
            let evaluation = recorded.evaluation
            say(
                "Amended \(entries.count) result(s) of \(recorded.registryID) on \(evaluation.date) (\(recorded.evaluator), "
                    + "line \(recorded.lineNumber)): \(evaluation.overall) - \(evaluation.rule)")
        }

        private func timePoint() throws(CommandLineRefusal) -> (CalendarDate, Evaluator) {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                (try ClinicalDateCheck.parse(date, field: .date), try reader(evaluator))
            }
        }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a recorded follow-up void: it stays stored with the reason; responses and reports skip it.")

        @OptionGroup var correction: CorrectionOptions
        @Option(help: "Date of the recorded assessment (YYYY-MM-DD).") var date: String
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?

        func validate() throws { _ = try timePoint() }

        func run() throws {
            let (date, reader) = try timePoint()
            let voided = try AssessmentService(connection: correction.database.connect()).void(
                correction.registryID, date: date, evaluator: reader, reason: correction.reason)
            say("Voided the assessment of \(voided.registryID) on \(voided.date) (\(voided.evaluator)).")
        }

        private func timePoint() throws(CommandLineRefusal) -> (CalendarDate, Evaluator) {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                (try ClinicalDateCheck.parse(date, field: .date), try reader(evaluator))
            }
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record every lesion result of one time point at once; a bad value refuses the whole assessment.",
            discussion: """
                Results are LESION=VALUE: a diameter in mm (25, 4.95), too-small (scored 5 mm), disappeared (0 mm) \
                or not-done for a target; present, absent, unequivocal-progression or not-evaluable for a non-target; \
                equivocal or unequivocal for a lesion first seen now (e.g. NEW1=unequivocal). A CSV file with the \
                header lesion,result and one LESION,VALUE per line may be given instead.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "Assessment date (YYYY-MM-DD), the earliest scan date of the time point.") var date: String
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?
        @Option(parsing: .number, help: "Therapy line assessed (default: the line in progress on --date).") var line:
            Int?
        @Option(name: .customLong("result"), help: "LESION=VALUE; repeat for every lesion.") var results: [String] = []
        @Option(name: .customLong("from-csv"), help: "CSV file of lesion,result lines with a header.") var csvFile:
            String?

        func validate() throws { _ = try submission(results.map(Self.entry)) }

        func run() throws {
            var entries = try results.map(Self.entry)
            if let csvFile { entries += try ResultSheet.entries(fromFile: csvFile) }
            let recorded = try AssessmentService(connection: database.connect()).record(registryID, submission(entries))
            let evaluation = recorded.evaluation
            say(
                "Recorded \(entries.count) result(s) for \(recorded.registryID) on \(evaluation.date) (\(recorded.evaluator), "
                    + "line \(recorded.lineNumber)): \(evaluation.overall) - \(evaluation.rule)")
        }

        private func submission(_ entries: [LesionResultEntry]) throws(CommandLineRefusal) -> AssessmentSubmission {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                AssessmentSubmission(
                    date: try ClinicalDateCheck.parse(date, field: .date), evaluator: try reader(evaluator),
                    lineNumber: line,
                    results: entries)
            }
        }

        static func entry(_ text: String) throws -> LesionResultEntry {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError(
                    "--result '\(text)' is malformed; expected LESION=VALUE such as T1=25 or NT1=present")
            }
            return try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try LesionResultEntry.parse(lesion: String(parts[0]), value: String(parts[1]))
            }
        }
    }
}

/// The reader an `--evaluator` names; without one, the investigator.
private func reader(_ text: String?) throws(RegistryInputError) -> Evaluator {
    try text.map { text throws(RegistryInputError) in try Evaluator.parse(text) } ?? .investigator
}

/// The small CSV a reader's results arrive in: a `lesion,result` header, then one lesion per line.
enum ResultSheet {
    static func entries(fromFile path: String) throws -> [LesionResultEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--from-csv \(path): the file cannot be read")
        }
        return try entries(String(decoding: data, as: UTF8.self), file: path)
    }

    static func entries(_ text: String, file: String) throws -> [LesionResultEntry] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let header = lines.first, fields(header).map({ $0.lowercased() }) == ["lesion", "result"] else {
            throw ValidationError("--from-csv \(file) line 1: expected the header lesion,result")
        }
        var entries: [LesionResultEntry] = []
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let cells = fields(line)
            guard cells.count == 2, !cells[0].isEmpty, !cells[1].isEmpty else {
                throw ValidationError("--from-csv \(file) line \(index + 1): expected LESION,RESULT, got '\(line)'")
            }
            entries.append(
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    try LesionResultEntry.parse(lesion: cells[0], value: cells[1])
                })
        }
        return entries
    }

    /// Splits on commas; a cell may be wrapped in double quotes (spreadsheets quote freely).
    private static func fields(_ line: String) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
            var text = cell.trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast())
            }
            return text
        }
    }
}

/// One time point of the timeline as `response show` prints it.
struct TimelineRow: Encodable, TabularRow {
    let date: CalendarDate
    /// nil without target disease; the measured part when a target was not measured.
    let sumMM: Decimal?
    let allTargetsMeasured: Bool
    let percentFromBaseline: Decimal?
    let percentFromNadir: Decimal?
    let target: String?
    let nonTarget: String?
    let newLesion: String?
    let overall: String
    let countsForBestResponse: Bool
    let rule: String

    init(_ evaluation: TimePointEvaluation) {
        date = evaluation.date
        sumMM = evaluation.sumOfDiameters?.decimalValue
        allTargetsMeasured = evaluation.allTargetsMeasured
        percentFromBaseline = evaluation.percentChangeFromBaseline?.decimalValue
        percentFromNadir = evaluation.percentChangeFromNadir?.decimalValue
        target = evaluation.target?.response.rawValue
        nonTarget = evaluation.nonTarget?.response.rawValue
        newLesion = evaluation.newLesion?.rawValue
        overall = evaluation.overall.rawValue
        countsForBestResponse = !evaluation.isAfterProgression
        rule = evaluation.rule.description
        cells = [
            date.description,
            evaluation.sumOfDiameters.map { $0.description + (evaluation.allTargetsMeasured ? "" : " (partial)") }
                ?? "",
            evaluation.percentChangeFromBaseline.cell, evaluation.percentChangeFromNadir.cell,
            target ?? "", nonTarget ?? "", newLesion ?? "",
            overall + (evaluation.isAfterProgression ? " (after PD)" : ""), rule,
        ]
    }

    static var columns: [String] {
        ["date", "sum mm", "vs baseline", "vs nadir", "target", "non-target", "new", "overall", "rule"]
    }
    let cells: [String]

    private enum CodingKeys: String, CodingKey {
        case date, sumMM, allTargetsMeasured, percentFromBaseline, percentFromNadir, target, nonTarget, newLesion,
            overall,
            countsForBestResponse, rule
    }
}

/// A best-overall-response figure for JSON output.
struct BestResponseReport: Encodable {
    let response: String
    let date: CalendarDate?
    let rule: String

    init(_ determination: BestResponseDetermination) {
        response = determination.response.rawValue
        date = determination.date
        rule = determination.rule.description
    }
}

/// Everything `response show --format json` prints.
struct ResponseReport: Encodable {
    let registryID: String
    let evaluator: String
    let therapyLine: Int
    let trial: String?
    let therapyStart: CalendarDate
    let baselineDate: CalendarDate
    let baselineSumMM: Decimal
    let confirmationRequired: Bool
    let timePoints: [TimelineRow]
    let bestOverallResponse: BestResponseReport
    let confirmedBestOverallResponse: BestResponseReport
    let firstProgression: CalendarDate?
    let progressionFreeSurvival: String

    init(_ response: PatientResponse) {
        let series = response.series
        registryID = response.registryID
        evaluator = response.evaluator.rawValue
        therapyLine = response.lineNumber
        trial = response.trialNCT
        therapyStart = response.timeline.therapyStart
        baselineDate = response.baseline.date
        baselineSumMM = response.baseline.sumOfDiameters.decimalValue
        confirmationRequired = response.timeline.policy.confirmationRequired
        timePoints = series.evaluations.map(TimelineRow.init)
        bestOverallResponse = BestResponseReport(series.bestOverallResponse.unconfirmed)
        confirmedBestOverallResponse = BestResponseReport(series.bestOverallResponse.confirmed)
        firstProgression = series.progression.firstProgression
        progressionFreeSurvival = series.progression.progressionFreeSurvival.description
    }
}

extension Sarcreg.ResponseCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show a reader's RECIST timeline, best overall response (unconfirmed and confirmed) and first progression."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "investigator (default) or an independent reader's name.") var evaluator: String?

        func validate() throws {
            _ = try CommandLineRefusal.parsing { () throws(RegistryInputError) in try reader(evaluator) }
        }

        func run() throws {
            let evaluator = try CommandLineRefusal.parsing { () throws(RegistryInputError) in try reader(self.evaluator)
            }
            let connection = try database.connect()
            let response = try ResponseService(connection: connection).response(registryID, evaluator: evaluator)
            let report = ResponseReport(response)
            switch output.format {
            case .json: try Output.printJSON(report)
            case .csv: try Output.print(report.timePoints, as: .csv)
            case .table:
                let signatures = try ResponseSignatureService(connection: connection).signatures(registryID).filter {
                    $0.lineNumber == response.lineNumber && $0.evaluator == response.evaluator.rawValue
                }
                say(
                    Self.text(report) + Self.text(signatures, current: ResponseSignatureService.sha256(of: response)),
                    terminator: "")
            }
        }

        /// Each signature of the line, newest first; one whose hash no longer matches the responses shown is said
        /// to be so even before the database voided it.
        static func text(_ signatures: [ResponseSignature], current: String) -> String {
            signatures.map { signature in
                let state =
                    if let reason = signature.voidReason {
                        "VOID: \(reason)"
                    } else if signature.contentSHA256 != current {
                        "VOID: what was signed differs from the responses shown"
                    } else { "valid" }
                return
                    "Signed:        \(signature.signerName) (\(signature.signedBy)) at \(signature.signedAt.formatted(.iso8601)), "
                    + "\"\(signature.meaning)\", SHA-256 \(signature.contentSHA256.prefix(16)); \(state)\n"
            }.joined()
        }

        static func text(_ report: ResponseReport) -> String {
            let primary = report.confirmationRequired ? "confirmed" : "unconfirmed"
            var text =
                "\(report.registryID), \(report.evaluator): baseline \(report.baselineDate) (sum \(report.baselineSumMM) mm), "
                + "therapy line \(report.therapyLine) from \(report.therapyStart)"
                + (report.trial.map { " in \($0)" } ?? "") + "\n\n"
            text += TextTable(header: TimelineRow.columns).render(report.timePoints.map(\.cells)) + "\n"
            text += "BOR:           \(report.bestOverallResponse.response) - \(report.bestOverallResponse.rule)\n"
            text +=
                "Confirmed BOR: \(report.confirmedBestOverallResponse.response) - \(report.confirmedBestOverallResponse.rule)\n"
            text += "Primary BOR:   \(primary) (trial policy)\n"
            text +=
                "First PD:      \(report.firstProgression.map(\.description) ?? "none") (PFS \(report.progressionFreeSurvival))\n"
            return text
        }
    }
}
