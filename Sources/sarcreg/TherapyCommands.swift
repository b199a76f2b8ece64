import ArgumentParser
import RegistryDomain
import RegistryServices

extension Sarcreg {
    struct TherapyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "therapy", abstract: "The therapy catalog and patients' therapy lines.",
            subcommands: [Start.self, Stop.self, Amend.self, Catalog.self])
    }
}

extension Sarcreg.TherapyCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a therapy line with one or more agents.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(name: .customLong("agent"), help: "Agent code from the catalog; repeat for combinations.") var agents:
            [String] = []
        @Option(parsing: .number, help: "Line number (default: the patient's next line).") var line: Int?
        @Option(help: "Intent: \(TherapyIntent.allowedValues).") var intent: String
        @Option(help: "Start date (YYYY-MM-DD).") var start: String
        @Option(help: "Dose and schedule as given, e.g. '800 mg daily'.") var dose: String?
        @Option(help: "Trial the line is given in (NCT number).") var trial: String?
        @Flag(help: "Given at the same time as another line; only then may the lines overlap.") var concurrent = false

        func validate() throws {
            if agents.isEmpty {
                throw ValidationError("missing --agent (the line's agent; repeat it for a combination)")
            }
            _ = try request()
        }

        func run() throws {
            let record = try TreatmentService(connection: database.connect()).start(registryID, request())
            say(
                "Started line \(record.lineNumber) (\(record.agents.joined(separator: " + "))) for \(registryID.uppercased()) on \(record.startedOn)."
            )
        }

        private func request() throws(CommandLineRefusal) -> TherapyStart {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                let intent = try TherapyIntent.parse(self.intent, field: .intent)
                return TherapyStart(
                    agents: agents, lineNumber: line, intent: intent,
                    startDate: try ClinicalDateCheck.parse(start, field: .startDate),
                    dose: dose, trialNCT: trial, concurrent: concurrent)
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a therapy line with the date and reason.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(parsing: .number, help: "Line number.") var line: Int
        @Option(help: "Stop date (YYYY-MM-DD).") var stop: String
        @Option(help: "Reason: \(StopReason.allowedValues).") var reason: String

        func validate() throws { _ = try stopping() }

        func run() throws {
            let (stopped, stopReason) = try stopping()
            let record = try TreatmentService(connection: database.connect()).stop(
                registryID, line: line, on: stopped, reason: stopReason)
            say(
                "Stopped line \(record.lineNumber) for \(registryID.uppercased()) on \(record.stoppedOn.cell) (\(record.stopReason.cell))."
            )
        }

        private func stopping() throws(CommandLineRefusal) -> (CalendarDate, StopReason) {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                (try ClinicalDateCheck.parse(stop, field: .stopDate), try StopReason.parse(reason, field: .reason))
            }
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Correct a therapy line's dates, stop reason or concurrent mark; the reason is kept in the audit trail."
        )

        @OptionGroup var correction: CorrectionOptions
        @Option(parsing: .number, help: "Line number.") var line: Int
        @Option(help: "Start date (YYYY-MM-DD).") var start: String?
        @Option(help: "Stop date (YYYY-MM-DD).") var stop: String?
        @Option(help: "Stop reason: \(StopReason.allowedValues).") var stopReason: String?
        @Option(help: "Given at the same time as another line: yes or no.", transform: YesNo.parse) var concurrent:
            Bool?

        func validate() throws { _ = try amendment() }

        func run() throws {
            let record = try CorrectionService(connection: correction.database.connect()).amendTherapyLine(
                correction.registryID, line: line, amendment(), reason: correction.reason)
            say(
                "Amended line \(record.lineNumber) of \(correction.registryID.uppercased()): \(record.startedOn) to \(record.stoppedOn.cell)"
                    + "\(record.stopReason.map { " (\($0))" } ?? "").")
        }

        private func amendment() throws(CommandLineRefusal) -> TherapyAmendment {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                let start = try self.start.map { text throws(RegistryInputError) in
                    try ClinicalDateCheck.parse(text, field: .startDate)
                }
                let stop = try self.stop.map { text throws(RegistryInputError) in
                    try ClinicalDateCheck.parse(text, field: .stopDate)
                }
                return TherapyAmendment(
                    start: start, stop: stop,
                    stopReason: try stopReason.map { text throws(RegistryInputError) in
                        try StopReason.parse(text, field: .stopReason)
                    },
                    concurrent: concurrent)
            }
        }
    }
}
