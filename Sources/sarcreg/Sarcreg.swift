import ArgumentParser

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
}
