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
        subcommands: [
            Database.self, SiteCommand.self, PatientCommand.self, DiagnosisCommand.self, MolecularCommand.self,
            TherapyCommand.self, AdverseEventCommand.self,
            TrialCommand.self,
            LesionCommand.self, AssessCommand.self, ResponseCommand.self,
            MatchCommand.self,
            ReportCommand.self,
            SyncCommand.self,
            AuditCommand.self, UserCommand.self,
        ]
    )

    /// ArgumentParser's `main`, with SIGINT and SIGTERM cancelling the command's database work instead of
    /// killing the process mid-statement (see `Interruption`): the command then ends with one line saying
    /// what became of its work and exit status 128 + the signal, as a shell reports a death by signal.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
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
            exit(withError: error)
        }
    }

    private static func reportInterruption(_ signal: Int32, _ outcome: String) {
        FileHandle.standardError.write(Data("Error: interrupted by \(Interruption.name(of: signal)); \(outcome)\n".utf8))
    }
}

/// A command that can say exactly what an interruption leaves behind, e.g. an import in one transaction.
protocol InterruptionOutcome {
    var interruptedOutcome: String { get }
}
