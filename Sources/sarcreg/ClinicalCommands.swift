import ArgumentParser
import RegistryDomain
import RegistryServices

extension Sarcreg {
    struct DiagnosisCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diagnosis", abstract: "Record and correct primary diagnoses.",
            subcommands: [Record.self, Amend.self])

        struct Record: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record a primary diagnosis (ICD-O-3 code kept as submitted).")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Registry id.") var registryID: String
            @Option(name: .customLong("icdo3"), help: "ICD-O-3 morphology code, e.g. 8890/3.") var icdo3: String
            @Option(help: "ICD-O edition the code was taken from: \(ICDOVersion.allowedValues).") var icdoVersion:
                String = "3.2"
            @Option(help: "WHO 2020 entity (default: the vocabulary's entity for the code).") var whoEntity: String?
            @Option(parsing: .number, help: "FNCLCC grade 1-3.") var grade: Int?
            @Option(help: "Primary site, e.g. 'thigh'.") var primarySite: String
            @Option(help: "Date of diagnosis: YYYY, YYYY-MM or YYYY-MM-DD.") var diagnosed: String
            @Option(help: "Disease setting: \(DiseaseSetting.allowedValues).") var setting: String

            func validate() throws { _ = try submission() }

            func run() throws {
                let record = try DiagnosticService(connection: database.connect()).recordDiagnosis(
                    registryID, submission())
                say(
                    "Recorded diagnosis \(record.id): \(record.icdo3Code) (\(record.whoEntity)) for \(registryID.uppercased())."
                )
            }

            private func submission() throws(CommandLineRefusal) -> DiagnosisSubmission {
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    let code = try HistologyCode.parse(icdo3, field: .icdo3)
                    let version = try ICDOVersion.parse(icdoVersion, field: .icdoVersion)
                    let setting = try DiseaseSetting.parse(self.setting, field: .setting)
                    return DiagnosisSubmission(
                        icdo3Code: code, icdoVersion: version, whoEntity: whoEntity, fnclccGrade: grade,
                        primarySite: primarySite,
                        diagnosed: try ClinicalDateCheck.parsePartial(diagnosed, field: .diagnosisDate),
                        diseaseSetting: setting)
                }
            }
        }

        struct Amend: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Correct a recorded diagnosis; the reason is kept in the audit trail with the old and new values.")

            @OptionGroup var correction: CorrectionOptions
            @Option(parsing: .number, help: "The diagnosis id, as `patient show` lists it.") var id: Int
            @Option(name: .customLong("icdo3"), help: "ICD-O-3 morphology code, e.g. 8890/3.") var icdo3: String?
            @Option(parsing: .number, help: "FNCLCC grade 1-3.") var grade: Int?
            @Option(help: "Primary site, e.g. 'thigh'.") var primarySite: String?
            @Option(help: "Date of diagnosis: YYYY, YYYY-MM or YYYY-MM-DD.") var diagnosed: String?
            @Option(help: "Disease setting: \(DiseaseSetting.allowedValues).") var setting: String?

            func validate() throws { _ = try amendment() }

            func run() throws {
                let record = try CorrectionService(connection: correction.database.connect()).amendDiagnosis(
                    correction.registryID, id: id, amendment(), reason: correction.reason)
                say(
                    "Amended diagnosis \(record.id) of \(correction.registryID.uppercased()): \(record.icdo3Code), \(record.primarySite), "
                        + "diagnosed \(record.diagnosed), \(record.diseaseSetting).")
            }

            private func amendment() throws(CommandLineRefusal) -> DiagnosisAmendment {
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    let code = try icdo3.map { text throws(RegistryInputError) in
                        try HistologyCode.parse(text, field: .icdo3)
                    }
                    let setting = try self.setting.map { text throws(RegistryInputError) in
                        try DiseaseSetting.parse(text, field: .setting)
                    }
                    return DiagnosisAmendment(
                        icdo3Code: code, fnclccGrade: grade, primarySite: primarySite,
                        diagnosed: try diagnosed.map { text throws(RegistryInputError) in
                            try ClinicalDateCheck.parsePartial(text, field: .diagnosisDate)
                        },
                        diseaseSetting: setting)
                }
            }
        }
    }

    struct MolecularCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "molecular", abstract: "Record and correct molecular results.",
            subcommands: [Record.self, Amend.self, Void.self])

        struct Record: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record one molecular result (fusion, amplification, mutation, ...).")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Registry id.") var registryID: String
            @Option(help: "HGNC gene symbol, e.g. NTRK3.") var gene: String
            @Option(help: "Alteration: \(MolecularAlterationKind.allowedValues).") var kind: String
            @Option(help: "The 5' partner gene of a fusion, e.g. ETV6 for ETV6::NTRK3 (--gene NTRK3).") var partner:
                String?
            @Option(help: "HGVS description of a mutation.") var hgvs: String?
            @Option(help: "Method: \(MolecularMethod.allowedValues).") var method: String
            @Option(help: "Result: \(PatientProfile.TestResult.allowedValues).") var result: String
            @Flag(help: "The mutation is a known acquired resistance mutation (e.g. NTRK solvent front).")
            var acquiredResistance = false
            @Option(help: "Specimen date (YYYY-MM-DD).") var specimenDate: String?
            @Option(help: "Report date (YYYY-MM-DD).") var reportDate: String
            @Option(help: "Laboratory.") var laboratory: String?

            func validate() throws { _ = try submission() }

            func run() throws {
                let record = try DiagnosticService(connection: database.connect()).recordMolecular(
                    registryID, submission())
                let subject = FusionNotation.write(gene: record.gene, partnerGene: record.partnerGene)
                say(
                    "Recorded molecular result \(record.id): \(subject) \(record.alterationKind): \(record.result) for \(registryID.uppercased())."
                )
            }

            private func submission() throws(CommandLineRefusal) -> MolecularSubmission {
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    let kind = try MolecularAlterationKind.parse(self.kind, field: .kind)
                    let method = try MolecularMethod.parse(self.method, field: .method)
                    let result = try PatientProfile.TestResult.parse(self.result, field: .result)
                    let report = try ClinicalDateCheck.parse(reportDate, field: .reportDate)
                    return MolecularSubmission(
                        gene: gene, alterationKind: kind, partnerGene: partner, hgvs: hgvs, method: method,
                        result: result,
                        acquiredResistance: acquiredResistance,
                        specimenDate: try specimenDate.map { text throws(RegistryInputError) in
                            try ClinicalDateCheck.parse(text, field: .specimenDate)
                        },
                        reportDate: report, laboratory: laboratory)
                }
            }
        }

        struct Amend: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Correct a molecular result; the reason is kept in the audit trail with the old and new values.")

            @OptionGroup var correction: CorrectionOptions
            @Option(parsing: .number, help: "The molecular result id, as `patient show` lists it.") var id: Int
            @Option(help: "Result: \(PatientProfile.TestResult.allowedValues).") var result: String?
            @Option(help: "Method: \(MolecularMethod.allowedValues).") var method: String?
            @Option(help: "Specimen date (YYYY-MM-DD).") var specimenDate: String?
            @Option(help: "Report date (YYYY-MM-DD).") var reportDate: String?

            func validate() throws { _ = try amendment() }

            func run() throws {
                let record = try CorrectionService(connection: correction.database.connect()).amendMolecular(
                    correction.registryID, id: id, amendment(), reason: correction.reason)
                say(
                    "Amended molecular result \(record.id) of \(correction.registryID.uppercased()): \(record.method) \(record.result), "
                        + "reported \(record.reportDate).")
            }

            private func amendment() throws(CommandLineRefusal) -> MolecularAmendment {
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    let result = try self.result.map { text throws(RegistryInputError) in
                        try PatientProfile.TestResult.parse(text, field: .result)
                    }
                    let method = try self.method.map { text throws(RegistryInputError) in
                        try MolecularMethod.parse(text, field: .method)
                    }
                    let report = try reportDate.map { text throws(RegistryInputError) in
                        try ClinicalDateCheck.parse(text, field: .reportDate)
                    }
                    return MolecularAmendment(
                        result: result, method: method, reportDate: report,
                        specimenDate: try specimenDate.map { text throws(RegistryInputError) in
                            try ClinicalDateCheck.parse(text, field: .specimenDate)
                        })
                }
            }
        }

        struct Void: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Mark a molecular result void: it stays stored with the reason; matching, screening and reports skip it."
            )

            @OptionGroup var correction: CorrectionOptions
            @Option(parsing: .number, help: "The molecular result id, as `patient show` lists it.") var id: Int

            func run() throws {
                try CorrectionService(connection: correction.database.connect()).voidMolecular(
                    correction.registryID, id: id, reason: correction.reason)
                say("Voided molecular result \(id) of \(correction.registryID.uppercased()).")
            }
        }
    }

    struct AdverseEventCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ae", abstract: "Record and update adverse events (CTCAE).",
            subcommands: [Record.self, Update.self])

        struct Record: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Record one adverse event.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Registry id.") var registryID: String
            @Option(
                help:
                    "CTCAE v5.0 term, e.g. 'Neutrophil count decreased'; for an event CTCAE has no term for, its SOC's 'Other, specify' term, e.g. 'Gastrointestinal disorders - Other, specify'."
            )
            var term: String
            @Option(help: "What the event was, with an 'Other, specify' term (and only then).") var specify: String?
            @Option(help: "CTCAE version: \(CTCAEVersion.allowedValues).") var ctcaeVersion: String = "5.0"
            @Option(parsing: .number, help: "CTCAE grade 1-5.") var grade: Int
            @Option(help: "Onset date (YYYY-MM-DD).") var onset: String
            @Option(help: "Resolution date (YYYY-MM-DD).") var resolved: String?
            @Option(help: "Attribution to therapy: \(Attribution.allowedValues).") var attribution: String
            @Flag(help: "Serious adverse event.") var serious = false
            @Option(parsing: .number, help: "Therapy line number the event occurred on.") var line: Int?
            @Flag(
                help:
                    "Present before the first therapy line started (a baseline symptom); only then may the onset precede it."
            )
            var baseline = false

            func validate() throws { _ = try submission() }

            func run() throws {
                let record = try TreatmentService(connection: database.connect()).recordAdverseEvent(
                    registryID, submission())
                say(
                    "Recorded adverse event \(record.id): \(record.term)\(record.specified.map { " (\($0))" } ?? "") grade \(record.grade) "
                        + "for \(registryID.uppercased()).")
            }

            private func submission() throws(CommandLineRefusal) -> AdverseEventSubmission {
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    let version = try CTCAEVersion.parse(ctcaeVersion, field: .ctcaeVersion)
                    let attribution = try Attribution.parse(self.attribution, field: .attribution)
                    let onset = try ClinicalDateCheck.parse(self.onset, field: .onsetDate)
                    return AdverseEventSubmission(
                        term: term, specified: specify, ctcaeVersion: version, grade: grade, onset: onset,
                        resolved: try resolved.map { text throws(RegistryInputError) in
                            try ClinicalDateCheck.parse(text, field: .resolvedDate)
                        },
                        attribution: attribution, serious: serious, lineNumber: line, baseline: baseline)
                }
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Update an adverse event's term, grade, resolution date, attribution or seriousness, with the reason."
            )

            @OptionGroup var correction: CorrectionOptions
            @Option(parsing: .number, help: "The adverse event id, as `patient show` lists it.") var id: Int
            @Option(help: "CTCAE v5.0 term, as `ae record --term` takes it.") var term: String?
            @Option(help: "What the event was, with an 'Other, specify' term (and only then).") var specify: String?
            @Option(parsing: .number, help: "CTCAE grade 1-5.") var grade: Int?
            @Option(help: "Resolution date (YYYY-MM-DD).") var resolved: String?
            @Option(help: "Attribution to therapy: \(Attribution.allowedValues).") var attribution: String?
            @Option(help: "Serious adverse event: yes or no.", transform: YesNo.parse) var serious: Bool?

            func validate() throws { _ = try update() }

            func run() throws {
                let record = try CorrectionService(connection: correction.database.connect()).updateAdverseEvent(
                    correction.registryID, id: id, update(), reason: correction.reason)
                say(
                    "Updated adverse event \(record.id) of \(correction.registryID.uppercased()): \(record.term)"
                        + "\(record.specified.map { " (\($0))" } ?? "") grade \(record.grade), "
                        + "resolved \(record.resolvedOn.cell), \(record.attribution)\(record.serious ? ", serious" : "")."
                )
            }

            private func update() throws(CommandLineRefusal) -> AdverseEventUpdate {
                try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                    let attribution = try self.attribution.map { text throws(RegistryInputError) in
                        try Attribution.parse(text, field: .attribution)
                    }
                    let resolved = try self.resolved.map { text throws(RegistryInputError) in
                        try ClinicalDateCheck.parse(text, field: .resolvedDate)
                    }
                    return AdverseEventUpdate(
                        term: term, specified: specify, grade: grade, resolved: resolved, attribution: attribution,
                        serious: serious)
                }
            }
        }
    }
}
