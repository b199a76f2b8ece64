import ArgumentParser
import RegistryDomain
import RegistryServices

extension Sarcreg {
    struct DiagnosisCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diagnosis", abstract: "Record primary diagnoses.", subcommands: [Record.self])

        struct Record: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Record a primary diagnosis (ICD-O-3 code kept as submitted).")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Registry id.") var registryID: String
            @Option(name: .customLong("icdo3"), help: "ICD-O-3 morphology code, e.g. 8890/3.") var icdo3: String
            @Option(help: "ICD-O edition the code was taken from: \(ICDOVersion.allowedValues).") var icdoVersion: String = "3.2"
            @Option(help: "WHO 2020 entity (default: the vocabulary's entity for the code).") var whoEntity: String?
            @Option(parsing: .number, help: "FNCLCC grade 1-3.") var grade: Int?
            @Option(help: "Primary site, e.g. 'thigh'.") var primarySite: String
            @Option(help: "Date of diagnosis: YYYY, YYYY-MM or YYYY-MM-DD.") var diagnosed: String
            @Option(help: "Disease setting: \(DiseaseSetting.allowedValues).") var setting: String

            func run() throws {
                let record = try DiagnosticService(connection: database.connect()).recordDiagnosis(
                    registryID,
                    DiagnosisSubmission(icdo3Code: icdo3, icdoVersion: icdoVersion, whoEntity: whoEntity, fnclccGrade: grade,
                                        primarySite: primarySite, diagnosed: diagnosed, diseaseSetting: setting))
                print("Recorded diagnosis \(record.icdo3Code) (\(record.whoEntity)) for \(registryID.uppercased()).")
            }
        }
    }

    struct MolecularCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "molecular", abstract: "Record molecular results.", subcommands: [Record.self])

        struct Record: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Record one molecular result (fusion, amplification, mutation, ...).")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Registry id.") var registryID: String
            @Option(help: "HGNC gene symbol, e.g. NTRK3.") var gene: String
            @Option(help: "Alteration: \(MolecularAlterationKind.allowedValues).") var kind: String
            @Option(help: "The 5' partner gene of a fusion, e.g. ETV6 for ETV6::NTRK3 (--gene NTRK3).") var partner: String?
            @Option(help: "HGVS description of a mutation.") var hgvs: String?
            @Option(help: "Method: \(MolecularMethod.allowedValues).") var method: String
            @Option(help: "Result: \(PatientProfile.TestResult.allowedValues).") var result: String
            @Flag(help: "The mutation is a known acquired resistance mutation (e.g. NTRK solvent front).") var acquiredResistance = false
            @Option(help: "Specimen date (YYYY-MM-DD).") var specimenDate: String?
            @Option(help: "Report date (YYYY-MM-DD).") var reportDate: String
            @Option(help: "Laboratory.") var laboratory: String?

            func run() throws {
                let record = try DiagnosticService(connection: database.connect()).recordMolecular(
                    registryID,
                    MolecularSubmission(gene: gene, alterationKind: kind, partnerGene: partner, hgvs: hgvs, method: method,
                                        result: result, acquiredResistance: acquiredResistance, specimenDate: specimenDate,
                                        reportDate: reportDate, laboratory: laboratory))
                let subject = FusionNotation.write(gene: record.gene, partnerGene: record.partnerGene)
                print("Recorded \(subject) \(record.alterationKind): \(record.result) for \(registryID.uppercased()).")
            }
        }
    }

    struct AdverseEventCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ae", abstract: "Record adverse events (CTCAE).", subcommands: [Record.self])

        struct Record: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Record one adverse event.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Registry id.") var registryID: String
            @Option(help: "CTCAE term, e.g. 'Neutrophil count decreased'.") var term: String
            @Option(help: "CTCAE version: \(CTCAEVersion.allowedValues).") var ctcaeVersion: String = "5.0"
            @Option(parsing: .number, help: "CTCAE grade 1-5.") var grade: Int
            @Option(help: "Onset date (YYYY-MM-DD).") var onset: String
            @Option(help: "Resolution date (YYYY-MM-DD).") var resolved: String?
            @Option(help: "Attribution to therapy: \(Attribution.allowedValues).") var attribution: String
            @Flag(help: "Serious adverse event.") var serious = false
            @Option(parsing: .number, help: "Therapy line number the event occurred on.") var line: Int?

            func run() throws {
                let record = try TreatmentService(connection: database.connect()).recordAdverseEvent(
                    registryID,
                    AdverseEventSubmission(term: term, ctcaeVersion: ctcaeVersion, grade: grade, onset: onset, resolved: resolved,
                                           attribution: attribution, serious: serious, lineNumber: line))
                print("Recorded \(record.term) grade \(record.grade) for \(registryID.uppercased()).")
            }
        }
    }
}
