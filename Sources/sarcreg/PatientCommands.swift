import ArgumentParser
import Foundation
import RegistryDomain
import RegistryServices

extension PatientSummary: TabularRow {
    static var columns: [String] {
        ["registry id", "site", "birth year", "sex", "consent", "withdrawn", "vital status", "last contact", "death"]
    }
    var cells: [String] {
        [
            registryID, site, String(birthYear), sex.rawValue, consentDate.description, consentWithdrawnOn.cell,
            vitalStatus.rawValue, lastContactOn.cell, deathOn.cell,
        ]
    }
}

extension Sarcreg {
    struct PatientCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "patient", abstract: "Enroll pseudonymized patients and record their follow-up.",
            subcommands: [Enroll.self, Show.self, List.self, Update.self, Withdraw.self, Lock.self, Unlock.self])
    }
}

extension Sarcreg.PatientCommand {
    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enroll a patient at a site and print the new registry id.",
            discussion: """
                On a terminal, values not given as options are asked for (the MRN without echo). In a script \
                nothing is asked: a missing option is an error. The MRN is stored only as a keyed hash \
                (HMAC-SHA-256 with the key in SARCREG_MRN_KEY_FILE or SARCREG_MRN_KEY).
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code, e.g. MUC (any case).", transform: SiteCode.typed) var site: String?
        @Option(
            help: "Medical record number (never stored in clear; prefer the prompt so it stays out of shell history).")
        var mrn: String?
        @Option(help: "Birth year (YYYY) or birth date (YYYY-MM-DD).") var birth: String?
        @Option(help: "Sex: \(Sex.allowedValues).") var sex: String?
        @Option(help: "Date of consent (YYYY-MM-DD).") var consentDate: String?
        @Option(parsing: .number, help: "ECOG performance status 0-5 at enrollment.") var ecog: Int?
        @Option(help: "Date of that ECOG assessment (YYYY-MM-DD).") var ecogDate: String?

        /// Refuses a value given as an option before anything is asked; values left out are asked for in `run()`.
        func validate() throws {
            _ = try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                (
                    try birth.map(Self.parseBirth), try sex.map(Self.parseSex),
                    try consentDate.map(Self.parseConsentDate),
                    try ecogDate.map(Self.parseECOGDate)
                )
            }
        }

        func run() throws {
            let key = try MRNKey.fromEnvironment()
            let site = SiteCode.typed(try Prompt.value(site, option: "--site", question: "Site code"))
            let mrn = try Prompt.value(mrn, option: "--mrn", question: "Medical record number", secret: true)
            let birth = try Prompt.value(
                birth, option: "--birth", question: "Birth year or date",
                allowed: "YYYY or YYYY-MM-DD"
            ) { answer in
                problem { () throws(RegistryInputError) in _ = try Self.parseBirth(answer) }
            }
            let sex = try Prompt.value(sex, option: "--sex", question: "Sex", allowed: Sex.allowedValues) { answer in
                problem { () throws(RegistryInputError) in _ = try Self.parseSex(answer) }
            }
            let consentDate = try Prompt.value(
                consentDate, option: "--consent-date", question: "Consent date",
                allowed: "YYYY-MM-DD"
            ) { answer in
                problem { () throws(RegistryInputError) in _ = try Self.parseConsentDate(answer) }
            }
            let request = try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                EnrollmentRequest(
                    site: site, mrn: mrn, birth: try Self.parseBirth(birth), sex: try Self.parseSex(sex),
                    consentDate: try Self.parseConsentDate(consentDate), ecog: ecog,
                    ecogDate: try ecogDate.map(Self.parseECOGDate))
            }
            let patient = try PatientService(connection: database.connect()).enroll(request, key: key)
            say("Enrolled \(patient.registryID) at \(patient.site).")
        }

        // One parser per value, whether it was given as an option or answered at the prompt.
        private static func parseBirth(_ text: String) throws(RegistryInputError) -> PartialDate {
            try ClinicalDateCheck.parsePartial(text, field: .birth)
        }

        private static func parseSex(_ text: String) throws(RegistryInputError) -> Sex {
            try Sex.parse(text, field: .sex)
        }

        private static func parseConsentDate(_ text: String) throws(RegistryInputError) -> CalendarDate {
            try ClinicalDateCheck.parse(text, field: .consentDate)
        }

        private static func parseECOGDate(_ text: String) throws(RegistryInputError) -> CalendarDate {
            try ClinicalDateCheck.parse(text, field: .ecogDate)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a patient with diagnoses, molecular results, therapy lines and adverse events.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Registry id, e.g. MUC-0001.") var registryID: String

        func run() throws {
            let record = try PatientService(connection: database.connect()).show(registryID)
            switch output.format {
            case .json: try Output.printJSON(record)
            case .csv: try Output.print([record.patient], as: .csv)
            case .table: say(PatientRecordText.render(record), terminator: "")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List patients, of one site or all.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this site's patients (site code, any case).", transform: SiteCode.typed) var site: String?

        func run() throws {
            try Output.print(PatientService(connection: database.connect()).list(site: site), as: output.format)
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record follow-up: vital status, last contact, death, ECOG.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "Vital status: \(VitalStatus.allowedValues).") var vitalStatus: String?
        @Option(help: "Date of last contact (YYYY-MM-DD).") var lastContact: String?
        @Option(help: "Date of death (YYYY-MM-DD); sets vital status to dead.") var deathDate: String?
        @Option(parsing: .number, help: "ECOG performance status 0-5.") var ecog: Int?
        @Option(help: "Date of the ECOG assessment (YYYY-MM-DD).") var ecogDate: String?

        func validate() throws {
            guard vitalStatus != nil || lastContact != nil || deathDate != nil || ecog != nil || ecogDate != nil else {
                throw ValidationError(
                    "nothing to update: give --vital-status, --last-contact, --death-date or --ecog with --ecog-date")
            }
            _ = try update()
        }

        func run() throws {
            let patient = try PatientService(connection: database.connect()).update(registryID, update())
            say("Updated \(patient.registryID): vital status \(patient.vitalStatus.rawValue).")
        }

        private func update() throws(CommandLineRefusal) -> PatientUpdate {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                PatientUpdate(
                    vitalStatus: try vitalStatus.map { text throws(RegistryInputError) in
                        try VitalStatus.parse(text, field: .vitalStatus)
                    },
                    lastContact: try lastContact.map { text throws(RegistryInputError) in
                        try ClinicalDateCheck.parse(text, field: .lastContact)
                    },
                    deathDate: try deathDate.map { text throws(RegistryInputError) in
                        try ClinicalDateCheck.parse(text, field: .deathDate)
                    },
                    ecog: ecog,
                    ecogDate: try ecogDate.map { text throws(RegistryInputError) in
                        try ClinicalDateCheck.parse(text, field: .ecogDate)
                    })
            }
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record withdrawal of consent; existing data stays, nothing new may be recorded.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Registry id.") var registryID: String
        @Option(help: "Date consent was withdrawn (YYYY-MM-DD).") var date: String

        func validate() throws { _ = try withdrawal() }

        func run() throws {
            let patient = try PatientService(connection: database.connect()).withdraw(registryID, on: withdrawal())
            say("\(patient.registryID) withdrew consent on \(patient.consentWithdrawnOn.cell).")
        }

        private func withdrawal() throws(CommandLineRefusal) -> CalendarDate {
            try CommandLineRefusal.parsing { () throws(RegistryInputError) in
                try ClinicalDateCheck.parse(date, field: .date)
            }
        }
    }
}

/// The message of a pure check's failure, or nil when the answer is acceptable.
private func problem(_ check: () throws(RegistryInputError) -> Void) -> String? {
    do {
        try check()
        return nil
    } catch {
        return error.message(.commandLine)
    }
}

/// The plain-text page of `patient show`.
enum PatientRecordText {
    static func render(_ record: PatientRecord) -> String {
        let p = record.patient
        var text = "\(p.registryID) at \(p.site): born \(p.birthYear), \(p.sex.rawValue), consent \(p.consentDate)"
        if let withdrawn = p.consentWithdrawnOn { text += ", withdrawn \(withdrawn)" }
        text += "; \(p.vitalStatus.rawValue)"
        if let death = p.deathOn { text += " (died \(death))" }
        if let contact = p.lastContactOn { text += "; last contact \(contact)" }
        text += "\n"
        func section(_ title: String, _ header: [String], _ rows: [[String]]) {
            text += "\n\(title)\n"
            text += rows.isEmpty ? "  none recorded\n" : TextTable(header: header).render(rows)
        }
        section("ECOG", ["date", "ecog"], record.ecog.map { [$0.assessedOn.description, String($0.ecog)] })
        section(
            "Diagnoses", ["id", "icd-o-3", "edition", "who entity", "grade", "site", "diagnosed", "setting"],
            record.diagnoses.map {
                [
                    String($0.id), $0.icdo3Code, $0.icdoVersion, $0.whoEntity, $0.fnclccGrade.cell, $0.primarySite,
                    $0.diagnosed, $0.diseaseSetting,
                ]
            })
        section(
            "Molecular results", ["id", "gene", "kind", "partner", "hgvs", "method", "result", "resistance", "report"],
            record.molecularResults.map {
                [
                    String($0.id), $0.gene, $0.alterationKind, $0.partnerGene.cell, $0.hgvs.cell, $0.method, $0.result,
                    $0.acquiredResistance ? "acquired" : "", $0.reportDate.description,
                ]
            })
        section(
            "Therapy lines", ["line", "agents", "intent", "start", "stop", "reason", "trial"],
            record.therapyLines.map {
                [
                    String($0.lineNumber), $0.agents.joined(separator: "+"), $0.intent, $0.startedOn.description,
                    $0.stoppedOn.cell, $0.stopReason.cell, $0.trialNCT.cell,
                ]
            })
        section(
            "Adverse events", ["id", "term", "grade", "onset", "resolved", "attribution", "serious", "line"],
            record.adverseEvents.map {
                [
                    String($0.id), $0.term, String($0.grade), $0.onsetOn.description, $0.resolvedOn.cell,
                    $0.attribution, $0.serious ? "yes" : "", $0.lineNumber.cell,
                ]
            })
        return text
    }
}
