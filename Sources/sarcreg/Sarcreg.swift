import ArgumentParser
import Foundation
import PostgresClient

#if canImport(Glibc)
import Glibc
#endif

@main
struct Sarcreg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sarcreg",
        abstract: "The soft tissue sarcoma trial and case registry: enrollment, RECIST responses, sync and reports.",
        discussion: """
            Exit status: 0 done (also --help and --version); 1 not done: input refused, by the command line (an \
            unknown, missing or malformed option) or by the registry (a value it does not accept), with one line \
            naming the option and the value and nothing written, or the database not reached; 128 + the signal \
            when interrupted (130 SIGINT, 143 SIGTERM).
            """,
        version: version,
        subcommands: [
            Database.self, SiteCommand.self, PatientCommand.self, DiagnosisCommand.self, MolecularCommand.self,
            TherapyCommand.self, AdverseEventCommand.self,
            TrialCommand.self,
            LesionCommand.self, AssessCommand.self, ResponseCommand.self,
            MatchCommand.self, WorklistCommand.self, AlertsCommand.self,
            ReportCommand.self,
            SyncCommand.self,
            AuditCommand.self, UserCommand.self,
        ]
    )

    /// The release of this tool, printed by `sarcreg --version`.
    static let version = "0.1.0"

    /// ArgumentParser's `main`, with SIGINT and SIGTERM cancelling the command's database work instead of
    /// killing the process mid-statement (see `Interruption`): the command then ends with one line saying
    /// what became of its work and exit status 128 + the signal, as a shell reports a death by signal.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitRefusing(error, of: commandPath(CommandLine.arguments.dropFirst()))
        }
        let outcome = (command as? any InterruptionOutcome)?.interruptedOutcome ?? "any transaction in progress was rolled back"
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
            exitRefusing(error, of: commandPath(CommandLine.arguments.dropFirst()))
        }
    }

    /// The one exit rule of every command: help and the version go to stdout with status 0; a report that
    /// left records out (all listed in its output) says how many on stderr and exits 3; an audit log found
    /// tampered with (each finding on stdout) says so on stderr and exits 4; any other error
    /// is its message on stderr (one line for a refused option or value) and status 1, whether ArgumentParser
    /// or the registry refused the input.
    /// ArgumentParser's own rule (64 and the whole usage) would tell a script nothing the message does not,
    /// and after `run()` it only knows the top-level usage.
    private static func exitRefusing(_ error: any Error, of command: String) -> Never {
        if exitCode(for: error) == .success { exit(withError: error) }
        if let listed = error as? any RecordsListed {
            FileHandle.standardError.write(Data("Warning: \(listed)\n".utf8))
            exit(withError: ExitCode(3))
        }
        if let tampered = error as? AuditTampered {
            FileHandle.standardError.write(Data("Error: \(tampered)\n".utf8))
            exit(withError: AuditTampered.exitCode)
        }
        var line = message(for: error)
        if exitCode(for: error) == .validationFailure { line += " (see '\(command) --help')" }
        if !line.isEmpty { FileHandle.standardError.write(Data("Error: \(line)\n".utf8)) }
        exit(withError: ExitCode.failure)
    }

    /// The subcommand the arguments name, e.g. `sarcreg therapy start`, for the pointer to its help.
    private static func commandPath(_ arguments: ArraySlice<String>) -> String {
        var names = [_commandName]
        var command: any ParsableCommand.Type = Sarcreg.self
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            names.append(argument)
            command = next
        }
        return names.joined(separator: " ")
    }

    private static func reportInterruption(_ signal: Int32, _ outcome: String) {
        FileHandle.standardError.write(Data("Error: interrupted by \(Interruption.name(of: signal)); \(outcome)\n".utf8))
    }
}

/// A command that can say exactly what an interruption leaves behind, e.g. an import in one transaction.
protocol InterruptionOutcome {
    var interruptedOutcome: String { get }
}
