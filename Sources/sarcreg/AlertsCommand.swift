import ArgumentParser
import RegistryDomain
import RegistryServices

/// One alert as a table or CSV row: the criterion that changed, from and to, and what triggered the evaluation.
struct AlertLine: Encodable, TabularRow {
    static let columns = ["alert", "raised", "registry id", "kind", "target", "criterion", "from", "to", "trigger"]
    let cells: [String]

    init(_ alert: EligibilityAlert) {
        let trigger = alert.triggerDetail.map { "\(alert.trigger) (\($0))" } ?? alert.trigger
        cells = [
            String(alert.alertID), alert.raisedAt, alert.registryID, alert.kind.rawValue, alert.target,
            alert.criterion ?? "every criterion (first evaluated)", alert.from?.rawValue ?? "not evaluated",
            alert.to.rawValue, trigger,
        ]
    }

    /// The alerts as the table format prints them: how many (and where), then the table.
    static func table(_ alerts: [EligibilityAlert], site: String?) -> String {
        TerminalText.fitted("\(alerts.count) alert\(alerts.count == 1 ? "" : "s")\(site.map { " at \($0)" } ?? "")")
            + "\n"
            + TextTable(header: columns).render(alerts.map { AlertLine($0).cells })
    }
}

extension Sarcreg {
    struct AlertsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alerts",
            abstract: "Patients newly eligible for an open trial cohort or an approved therapy, and dismissals.",
            discussion: """
                A diagnosis, molecular result, therapy line, ECOG or baseline lesion recorded, corrected or imported, a trial \
                added or opened and a catalog status row are queued by the database as they commit. `sarcreg alerts refresh` \
                (the nightly sync runs it after its imports) evaluates the queued patients against every open target and \
                every patient against a target newly open, and raises an alert per criterion that changed: newly_eligible \
                when every criterion is now met, criterion_met when one moved from unknown to met and none is not met.
                """,
            subcommands: [List.self, Dismiss.self, Refresh.self], defaultSubcommand: List.self)
    }
}

extension Sarcreg.AlertsCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the alerts not dismissed, newest first, with the criterion that changed.",
            discussion: "A coordinator sees their own sites' patients only.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code, e.g. MUC (default: every site your login sees).", transform: SiteCode.typed) var site:
            String?
        @Option(help: "Only alerts raised on or after this day (YYYY-MM-DD).") var since: String?
        @OptionGroup var output: FormatOptions

        func validate() throws { _ = try sinceDate() }

        func run() throws {
            let alerts = try EligibilityAlertService(connection: database.connect()).alerts(
                site: site, since: sinceDate())
            switch output.format {
            case .json: try Output.printJSON(alerts)
            case .table: print(AlertLine.table(alerts, site: site), terminator: "")
            case .csv: try Output.print(alerts.map(AlertLine.init), as: .csv)
            }
        }

        private func sinceDate() throws(CommandLineRefusal) -> CalendarDate? {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try since.map { text throws(RegistryInputError) in try ClinicalDateCheck.parse(text, field: .since) }
            }
        }
    }

    struct Dismiss: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dismiss an alert with the reason; it is not listed again.",
            discussion:
                "The reason is required; the dismissal is audited with your login and the --as name, and is final.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The alert number `sarcreg alerts` prints.") var id: Int
        @Option(help: "Why the alert needs no action, e.g. \"patient declined trial participation\".") var reason:
            String

        func run() throws {
            let dismissal = try EligibilityAlertService(connection: database.connect()).dismiss(
                id, reason: reason, by: database.actingFor)
            say("Dismissed alert \(dismissal.alertID) of \(dismissal.registryID): \(dismissal.reason)")
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Evaluate what the queue holds and raise the alerts (the nightly sync runs it; sync or administrator login)."
        )

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let summary = try EligibilityAlertService(connection: database.connect()).refresh()
            // One line whatever its length: Scripts/nightly-sync logs it as the night's refresh.
            print(
                "Alerts refreshed: \(summary.queueEntries) queued change(s), \(summary.patientsEvaluated) patient(s) evaluated against "
                    + "\(summary.openTargets) open target(s) (\(summary.newTargets) new, \(summary.closedTargets) closed): "
                    + "\(summary.alertsRaised) alert(s) raised.")
        }
    }
}
