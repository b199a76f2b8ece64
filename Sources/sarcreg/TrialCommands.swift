import ArgumentParser
import Foundation
import RegistryDomain
import RegistryServices

extension TrialSummary: TabularRow {
    static var columns: [String] { ["nct", "acronym", "phase", "status", "enrolled", "capacity", "title"] }
    var cells: [String] { [nct, acronym.cell, phase, status, String(enrolled), String(capacity), title] }
}

extension TrialCriterionEvaluation: TabularRow {
    static var columns: [String] { ["criterion", "outcome", "patient value", "reason"] }
    var cells: [String] {
        let shown =
            switch outcome {
            case .met: "met"
            case .notMet: "NOT MET"
            case .unknown: "unknown"
            }
        return [criterion, shown, patientValue, reason]
    }
}

/// One line of `trial status` as a table or CSV: a section (arm, cohort, site, stratum, screening,
/// screen failure), the key within it, the count and, for cohorts, the capacity.
struct TrialStatusLine: Encodable, TabularRow {
    let section: String
    let key: String
    let count: Int
    let capacity: Int?

    static var columns: [String] { ["section", "key", "count", "capacity"] }
    var cells: [String] { [section, key, String(count), capacity.cell] }

    /// Every section, then one `excluded` line per enrollment left out of the strata (its key says the
    /// registry id, cohort and reason).
    static func lines(_ report: TrialStatusReport) -> [TrialStatusLine] {
        let sections: [(String, [TrialStatusReport.Accrual])] = [
            ("arm", report.arms), ("cohort", report.cohorts), ("site", report.sites), ("stratum", report.strata),
            ("screening", report.screeningOutcomes), ("screen failure", report.screenFailureReasons),
        ]
        return sections.flatMap { section, rows in
            rows.map { TrialStatusLine(section: section, key: $0.key, count: $0.count, capacity: $0.capacity) }
        }
            + report.excludedEnrollments.map {
                TrialStatusLine(
                    section: "excluded", key: "\($0.registryID) cohort \($0.cohort): \($0.reason)", count: 1,
                    capacity: nil)
            }
    }
}

extension Sarcreg {
    struct TrialCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trial", abstract: "Trials: definitions, eligibility screening, enrollment and accrual.",
            subcommands: [Add.self, List.self, SetStatus.self, Screen.self, Enroll.self, Status.self])
    }
}

extension Sarcreg.TrialCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a trial from a JSON definition file (see Trials/ for examples).",
            discussion: "The definition is checked against the registry's vocabulary; a refused file writes nothing.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Trial definition file (JSON).") var file: String

        func run() throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("FILE '\(file)' cannot be read: \(error.localizedDescription)")
            }
            let trial = try TrialService(connection: database.connect()).add(definition: data)
            say("Added \(trial.nct)\(trial.acronym.map { " (\($0))" } ?? ""): \(trial.capacity) places.")
        }
    }

    struct SetStatus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-status", abstract: "Change a trial's recruitment status (administrators).",
            discussion:
                "A trial moved to recruiting opens its cohorts: the next `sarcreg alerts refresh` evaluates every patient against them."
        )

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "NCT number, e.g. NCT03016819.") var trial: String
        @Option(help: "The new status: \(TrialRecruitmentStatus.allowedValues).") var status: String

        func validate() throws { _ = try newStatus() }

        func run() throws {
            let status = try newStatus()
            let (nct, previous) = try TrialService(connection: database.connect()).setStatus(trial, status)
            say("\(nct): \(previous.rawValue) -> \(status.rawValue)")
        }

        private func newStatus() throws(CommandLineRefusal) -> TrialRecruitmentStatus {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try TrialRecruitmentStatus.parse(status, field: .status)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List trials with accrual against capacity.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            try Output.print(try TrialService(connection: database.connect()).list(), as: output.format)
        }
    }

    struct Screen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Screen a patient against a trial: every criterion met, not met or unknown, with the patient's value.",
            discussion: "Every screening is logged with its outcome and reasons. Exit status 0 whatever the outcome.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String
        @Option(help: "Trial NCT number, e.g. NCT03016819.") var trial: String
        @Option(help: "Cohort code (default: the cohort the patient comes closest to fitting).") var cohort: String?

        /// The screener logged is the person the command acts for (`--as`, or the OS user), as in the audit trail.
        func run() throws {
            let result = try TrialService(connection: database.connect()).screen(
                registryID, trial: trial, cohort: cohort, by: database.actingFor)
            if output.format == .json {
                try Output.printJSON(result)
                return
            }
            if output.format == .table {
                let cohortText = result.cohort.map { " cohort \($0)" } ?? ""
                say(
                    "\(result.registryID) for \(result.trialNCT)\(cohortText) on \(result.screenedOn): \(result.outcome.rawValue.replacingOccurrences(of: "_", with: " "))"
                )
            }
            try Output.print(result.criteria, as: output.format)
        }
    }

    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Enroll an eligible patient; in a randomized cohort the arm is revealed from the allocation sequence.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String
        @Option(help: "Trial NCT number.") var trial: String
        @Option(help: "Cohort code (required when the trial has several).") var cohort: String?
        @Option(name: .customLong("stratum"), help: "Stratification factor as factor=level; repeat for each factor.")
        var strata: [String] = []

        /// The person enrolling is the one the command acts for (`--as`, or the OS user), as in the audit trail.
        func run() throws {
            let record = try TrialService(connection: database.connect()).enroll(
                registryID,
                TrialEnrollmentRequest(trialNCT: trial, cohort: cohort, strata: strata, enrolledBy: database.actingFor))
            let stratum = record.stratum.isEmpty ? "" : ", stratum \(record.stratum)"
            say(
                "Enrolled \(record.registryID) in \(record.trialNCT) cohort \(record.cohort), place \(record.placeNumber) of \(record.capacity)\(stratum): arm \(record.armCode) (\(record.armLabel))."
            )
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accrual by arm, cohort, site and stratum, and screen failures by reason.",
            discussion: """
                An enrollment whose stored stratum is not one of the trial's strata still counts by arm, cohort and \
                site, is left out of the strata and listed as excluded with its registry id, cohort and reason \
                (section `excluded`, JSON excludedEnrollments); the exit status is then 3 instead of 0.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Trial NCT number.") var trial: String

        func run() throws {
            let report = try TrialService(connection: database.connect()).status(trial)
            if output.format == .json {
                try Output.printJSON(report)
            } else {
                if output.format == .table {
                    let summary = report.trial
                    say(
                        "\(summary.nct)\(summary.acronym.map { " (\($0))" } ?? ""), \(summary.status): \(summary.enrolled) of \(summary.capacity) places"
                    )
                }
                try Output.print(TrialStatusLine.lines(report), as: output.format)
            }
            if let excluded = RecordsExcluded([(report.excludedEnrollments.count, "enrollment", "enrollments")]) {
                throw excluded
            }
        }
    }
}
