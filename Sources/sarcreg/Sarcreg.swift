import ArgumentParser
import Foundation
import PostgresClient
import RegistryDomain

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Sarcreg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sarcreg",
        abstract: "The soft tissue sarcoma trial and case registry: enrollment, RECIST responses, sync and reports.",
        discussion: """
            Exit status: 0 done (also --help and --version); 1 refused by the registry (a value it does not \
            accept), with one line naming the field and the value and nothing written; 3 a population report \
            left records out (each listed in it); 4 the audit log was found tampered with; 64 wrong usage (an \
            unknown, missing or malformed option), with the command's usage; 69 the database could not be \
            reached (no server, wrong port or database, a malformed URL, a login refused); 128 + the signal \
            when interrupted (130 SIGINT, 143 SIGTERM).
            """,
        version: version,
        subcommands: [
            Database.self, SiteCommand.self, PatientCommand.self, DiagnosisCommand.self, MolecularCommand.self,
            TherapyCommand.self, AdverseEventCommand.self,
            TrialCommand.self,
            LesionCommand.self, AssessCommand.self, ResponseCommand.self,
            MatchCommand.self, WorklistCommand.self, AlertsCommand.self,
            QueryCommand.self, SDVCommand.self,
            ReportCommand.self,
            SyncCommand.self,
            AuditCommand.self, UserCommand.self,
        ]
    )

    /// The release of this tool and the schema it was built for (the number of the last migration in
    /// `Migrations/`, which a test keeps equal), printed by `sarcreg --version`: `db status` says whether a
    /// database has it.
    static let release = "0.1.0"
    static let schemaVersion = 36
    static let version = "\(release) (schema \(String(format: "%04d", schemaVersion)))"

    /// ArgumentParser's `main`, with SIGINT and SIGTERM cancelling the command's database work instead of
    /// killing the process mid-statement (see `Interruption`): the command then ends with one line saying
    /// what became of its work and exit status 128 + the signal, as a shell reports a death by signal.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitRefusing(error, of: CommandLine.arguments.dropFirst())
        }
        let outcome =
            (command as? any InterruptionOutcome)?.interruptedOutcome ?? "any transaction in progress was rolled back"
        // Runs on the signal queue when the command has not ended by itself; the main thread may be inside libpq,
        // so no cleanup, and the server rolls back an open transaction when the connection closes with the process.
        Interruption.install { signal in
            reportInterruption(signal, outcome)
            _exit(128 + signal)
        }
        do {
            try command.run()
        } catch {
            if let signal = Interruption.signal {
                reportInterruption(signal, outcome)
                exit(withError: ExitCode(128 + signal))
            }
            exitRefusing(error, of: CommandLine.arguments.dropFirst())
        }
    }

    /// The one exit rule of every command: help and the version go to stdout with status 0; a report that
    /// left records out (all listed in its output) says how many on stderr and exits 3; an audit log found
    /// tampered with (each finding on stdout) says so on stderr and exits 4; wrong usage (ArgumentParser's
    /// refusal, or a command's own `ValidationError`) is one line naming the option, then the command's own
    /// usage, status 64; a database that could not be reached is status 69, so a nightly job can tell "try
    /// again later" from "fix the data"; any other error is its message on stderr and status 1. Under
    /// `--verbose` an error from the server is followed by everything the server said, DETAIL included.
    private static func exitRefusing(_ error: any Error, of arguments: ArraySlice<String>) -> Never {
        if exitCode(for: error) == .success { exit(withError: error) }
        if let listed = error as? any RecordsListed {
            FileHandle.standardError.write(Data("Warning: \(listed)\n".utf8))
            exit(withError: ExitCode(3))
        }
        if let tampered = error as? AuditTampered {
            FileHandle.standardError.write(Data("Error: \(tampered)\n".utf8))
            exit(withError: AuditTampered.exitCode)
        }
        let line = (error as? any WordedMessage)?.message(.commandLine) ?? message(for: error)
        if exitCode(for: error) == .validationFailure {
            let (name, command) = subcommand(named: arguments)
            FileHandle.standardError.write(
                Data("Error: \(line) (see '\(name) --help')\nUsage: \(usageString(for: command))\n".utf8))
            exit(withError: ExitCode.validationFailure)
        }
        if !line.isEmpty { FileHandle.standardError.write(Data("Error: \(line)\n".utf8)) }
        if arguments.contains("--verbose"), let server = (error as? any DatabaseFailure)?.databaseError {
            FileHandle.standardError.write(
                Data("The server's report (--verbose; it may quote row values):\n\(server.debugDescription)\n".utf8))
        }
        if let database = error as? PostgresError, database.kind == .connection || database.kind == .passwordRequired {
            exit(withError: ExitCode(EX_UNAVAILABLE))
        }
        exit(withError: ExitCode.failure)
    }

    /// The subcommand the arguments name, e.g. `sarcreg therapy start`, for its usage and the pointer to its help.
    private static func subcommand(
        named arguments: ArraySlice<String>
    ) -> (name: String, type: any ParsableCommand.Type) {
        var names = [_commandName]
        var command: any ParsableCommand.Type = Sarcreg.self
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else {
                break
            }
            names.append(argument)
            command = next
        }
        return (names.joined(separator: " "), command)
    }

    private static func reportInterruption(_ signal: Int32, _ outcome: String) {
        FileHandle.standardError.write(
            Data("Error: interrupted by \(Interruption.name(of: signal)); \(outcome)\n".utf8))
    }
}

/// A command that can say exactly what an interruption leaves behind, e.g. an import in one transaction.
protocol InterruptionOutcome {
    var interruptedOutcome: String { get }
}
