import Crypto
import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices

/// The registry as HL7 FHIR R4 mCODE STU4 patient bundles: CancerPatient, PrimaryCancerCondition,
/// GenomicVariant / TumorMarkerTest, CancerRelatedMedicationAdministration, Tumor and TumorSize, plus what
/// mCODE has no profile for (RECIST responses, line of therapy, CTCAE grade), documented in Docs.docc/FHIRExtensions.md.
///
/// Pseudonymized like the SDTM export: the Patient carries the registry id only, never a name or birth date.
enum FHIRExport {
    static let mcode = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
    /// The registry's own namespace for what mCODE lacks; Docs.docc/FHIRExtensions.md defines every URL under it.
    static let sarcreg = "https://sarcreg.org/fhir/"
    static let fileName = "bundles.ndjson"

    static let loinc = "http://loinc.org"
    static let snomed = "http://snomed.info/sct"
    static let ncit = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"

    /// A stable `urn:uuid:` per resource (UUID version 5 of its type and id), so that exporting twice gives
    /// the same bundles and references resolve by fullUrl inside a bundle.
    static func fullURL(type: String, id: String) -> String {
        var bytes = Array(Insecure.SHA1.hash(data: Data("sarcreg/\(type)/\(id)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return "urn:uuid:" + uuid.uuidString.lowercased()
    }

    static func reference(_ type: String, _ id: String) -> FHIRReference {
        FHIRReference(reference: fullURL(type: type, id: id))
    }

    static func lineOfTherapy(_ number: Int) -> FHIRExtension {
        FHIRExtension(url: sarcreg + "StructureDefinition/line-of-therapy", valuePositiveInt: number)
    }

    static func evaluator(_ name: String) -> FHIRExtension {
        FHIRExtension(url: sarcreg + "StructureDefinition/recist-evaluator", valueString: name)
    }

    /// ProcedureIntentVS codes for the intents SNOMED names; the others go as text (the binding is extensible).
    static func intent(_ intent: String) -> FHIRCodeableConcept {
        let codes = [
            "curative": ("373808002", "Curative - procedure intent"),
            "palliative": ("363676003", "Palliative - procedure intent"),
        ]
        return FHIRCodeableConcept(
            codes[intent].map { FHIRCoding(system: snomed, code: $0.0, display: $0.1) }, text: intent)
    }

    /// TreatmentTerminationReasonVS codes for the registry's stop reasons; `other` goes as text.
    static func terminationReason(_ reason: String) -> FHIRCodeableConcept {
        let codes = [
            "progression": ("266721009", "Absent response to treatment"),
            "toxicity": ("407563006", "Treatment not tolerated"),
            "completed": ("182992009", "Treatment completed"),
            "patient_choice": ("105480006", "Refusal of treatment by patient"),
            "death": ("419620001", "Death"),
        ]
        return FHIRCodeableConcept(
            codes[reason].map { FHIRCoding(system: snomed, code: $0.0, display: $0.1) }, text: reason)
    }

    /// A RECIST category in the registry's code system, with its NCIt concept where NCIt has one.
    static func recist(_ response: TimePointResponse) -> FHIRCodeableConcept {
        let ncitCodes: [TimePointResponse: (String, String)] = [
            .completeResponse: ("C4870", "Complete Response"), .partialResponse: ("C18058", "Partial Response"),
            .stableDisease: ("C18213", "Stable Disease"), .progressiveDisease: ("C35571", "Progressive Disease"),
        ]
        var concept = FHIRCodeableConcept(
            FHIRCoding(system: sarcreg + "CodeSystem/recist-response", code: response.rawValue), text: response.rawValue
        )
        if let (code, display) = ncitCodes[response] {
            concept.coding?.append(FHIRCoding(system: ncit, code: code, display: display))
        }
        return concept
    }

    static let clinicalTrials = "https://clinicaltrials.gov"

    /// A trial by its NCT number: the registry holds no ResearchStudy resource to point to, and the NCT
    /// number is the identifier every receiver can resolve.
    static func trial(_ nct: String, title: String?) -> FHIRReference {
        FHIRReference(identifier: FHIRIdentifier(system: clinicalTrials, value: nct), display: title)
    }

    /// An FNCLCC grade in mCODE's HistologicGradeVS (SNOMED CT low, intermediate, high histologic grade: the
    /// FNCLCC system has three grades in that order) and in the registry's own FNCLCC code system, which
    /// keeps the grade as given.
    static func fnclccGrade(_ grade: Int) -> FHIRCodeableConcept {
        let snomedCodes = [
            1: ("1155708003", "Low histologic grade"), 2: ("1286893008", "Intermediate histologic grade"),
            3: ("1155707008", "High histologic grade"),
        ]
        var concept = FHIRCodeableConcept(
            FHIRCoding(system: sarcreg + "CodeSystem/fnclcc-grade", code: String(grade)), text: "FNCLCC grade \(grade)")
        if let (code, display) = snomedCodes[grade] {
            concept.coding?.append(FHIRCoding(system: snomed, code: code, display: display))
        }
        return concept
    }

    static let laboratory = FHIRCodeableConcept(
        FHIRCoding(system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory"))

    static func dataAbsent(_ code: String) -> FHIRCodeableConcept {
        FHIRCodeableConcept(FHIRCoding(system: "http://terminology.hl7.org/CodeSystem/data-absent-reason", code: code))
    }

    static let genomicAlterations: Set<String> = ["fusion", "amplification", "mutation", "deletion", "rearrangement"]

    static func gene(_ symbol: String) -> FHIRObservationComponent {
        FHIRObservationComponent(
            code: FHIRCodeableConcept(FHIRCoding(system: loinc, code: "48018-6", display: "Gene studied [ID]")),
            valueCodeableConcept: FHIRCodeableConcept(
                FHIRCoding(system: "http://www.genenames.org/geneId", display: symbol), text: symbol))
    }
}

/// One patient's rows, read in one snapshot.
private struct FHIRPatientRows {
    var registryID: String
    var sex: String
    var deathOn: String?
    var vitalStatus: String
    var diagnoses: [Row]
    var molecular: [Row]
    var therapy: [Row]
    var adverseEvents: [Row]
    var lesions: [Row]
    var measurements: [Row]
    var trials: [Row]
    var evaluators: [String]

    init(patientID: Int, on tx: Connection) throws {
        let patient = try tx.query(
            "SELECT registry_id, sex, vital_status, death_on::text AS death_on FROM patients WHERE patient_id = \(patientID)"
        )[0]
        (registryID, sex, vitalStatus) = try patient.decode((String, String, String).self)
        deathOn = try patient.decode(String?.self, "death_on")
        diagnoses = try tx.query(
            """
            SELECT diagnosis_id, icdo3_code, icdo_version, who_entity, primary_site, diagnosed_year, diagnosed_month, diagnosed_day,
                fnclcc_grade, disease_setting
            FROM diagnoses WHERE patient_id = \(patientID) ORDER BY diagnosis_id
            """)
        molecular = try tx.query(
            """
            SELECT molecular_result_id, gene, alteration_kind, method, result, coalesce(specimen_date, report_date)::text AS effective,
                partner_gene, hgvs
            FROM molecular_results WHERE patient_id = \(patientID) AND void_reason IS NULL ORDER BY molecular_result_id
            """)
        therapy = try tx.query(
            """
            SELECT t.line_number, t.intent, t.started_on::text AS started_on, g.agent_code, g.name, t.stopped_on::text AS stopped_on,
                t.stop_reason, t.dose, t.trial_nct, r.title AS trial_title
            FROM therapy_lines t LEFT JOIN trials r ON r.trial_nct = t.trial_nct JOIN therapy_line_agents a ON a.therapy_line_id = t.therapy_line_id
            JOIN therapy_agents g ON g.agent_code = a.agent_code
            WHERE t.patient_id = \(patientID) ORDER BY t.line_number, g.agent_code
            """)
        adverseEvents = try tx.query(
            """
            SELECT a.adverse_event_id, a.ctcae_term, a.ctcae_version, a.grade, a.onset_on::text AS onset_on,
                a.resolved_on IS NOT NULL AS resolved, a.attribution, a.serious, t.line_number
            FROM adverse_events a LEFT JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
            WHERE a.patient_id = \(patientID) ORDER BY a.onset_on, a.adverse_event_id
            """)
        lesions = try tx.query(
            """
            SELECT lesion_id, evaluator, label, lesion_class, organ FROM lesions WHERE patient_id = \(patientID) ORDER BY evaluator, label
            """)
        measurements = try tx.query(
            """
            SELECT s.assessment_id, s.assessed_on::text AS assessed_on, r.lesion_id, r.diameter_mm, l.evaluator, l.label,
                l.is_lymph_node, l.imaging_method, r.result
            FROM assessment_results r JOIN assessments s ON s.assessment_id = r.assessment_id
            JOIN lesions l ON l.lesion_id = r.lesion_id
            WHERE s.patient_id = \(patientID) AND s.void_reason IS NULL
                AND (r.diameter_mm IS NOT NULL OR l.lesion_class = 'target' AND r.result IN ('disappeared', 'too_small_to_measure', 'not_done'))
            ORDER BY l.evaluator, s.assessed_on, l.label
            """)
        // A trial the patient was enrolled in by the registry, or given a line in (a site's record), or both.
        trials = try tx.query(
            """
            WITH lines AS (
                SELECT trial_nct, min(started_on) AS started_on, max(stopped_on) AS stopped_on, bool_and(stopped_on IS NOT NULL) AS stopped
                FROM therapy_lines WHERE patient_id = \(patientID) AND trial_nct IS NOT NULL GROUP BY trial_nct),
            enrolled AS (SELECT trial_nct, enrolled_on, arm_code FROM trial_enrollments WHERE patient_id = \(patientID))
            SELECT coalesce(l.trial_nct, e.trial_nct) AS trial_nct, coalesce(e.enrolled_on, l.started_on)::text AS started_on,
                CASE WHEN l.stopped THEN l.stopped_on::text END AS stopped_on, e.arm_code, t.title
            FROM lines l FULL JOIN enrolled e ON e.trial_nct = l.trial_nct
            LEFT JOIN trials t ON t.trial_nct = coalesce(l.trial_nct, e.trial_nct)
            ORDER BY 1
            """)
        evaluators = try tx.query(
            """
            SELECT DISTINCT evaluator FROM assessments WHERE patient_id = \(patientID) AND NOT is_baseline AND void_reason IS NULL ORDER BY evaluator
            """
        ).map { try $0.decode(String.self, "evaluator") }
    }
}

extension SyncService {
    /// Writes one mCODE patient bundle per patient, one JSON line each, to `directory`/bundles.ndjson
    /// (the directory is created; the file must not exist yet), one patient at a time so that no more
    /// than one patient's bundle is held in memory. Returns the file and the number of bundles.
    public func exportFHIR(to directory: String) throws(SyncError) -> (file: String, bundles: Int) {
        let path = (directory as NSString).appendingPathComponent(FHIRExport.fileName)
        let files = FileManager.default
        guard !files.fileExists(atPath: path) else { throw .outputExists(path) }
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard files.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw SyncError.unreadableFile(path)
            }
            defer { try? handle.close() }
            let patients = try connection.query("SELECT patient_id FROM patients ORDER BY registry_id").map {
                try $0.decode(Int.self, "patient_id")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for patientID in patients {
                try handle.write(contentsOf: encoder.encode(bundle(patientID: patientID)) + Data("\n".utf8))
            }
            return (FHIRExport.fileName, patients.count)
        } catch {
            throw SyncError.wrap(error)
        }
    }

    /// One patient's mCODE bundle as indented JSON.
    public func fhirBundle(registryID: String) throws(SyncError) -> Data {
        do {
            let rows = try connection.query(
                "SELECT patient_id FROM patients WHERE registry_id = \(registryID.uppercased())")
            guard let row = rows.first else {
                throw SyncError.invalidValue(
                    field: .patient, value: registryID, expected: "the registry id of an enrolled patient")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            return try encoder.encode(bundle(patientID: row.decode(Int.self, "patient_id")))
        } catch {
            throw SyncError.wrap(error)
        }
    }

    private func bundle(patientID: Int) throws -> FHIRBundle {
        let rows = try connection.withTransaction(isolation: .repeatableRead) { tx in
            try FHIRPatientRows(patientID: patientID, on: tx)
        }
        let id = rows.registryID
        let subject = FHIRExport.reference("Patient", id)
        var resources: [FHIRResource] = [
            .patient(
                FHIRPatient(
                    id: id, meta: FHIRMeta(FHIRExport.mcode + "mcode-cancer-patient"),
                    identifier: [FHIRIdentifier(system: FHIRExport.sarcreg + "registry-id", value: id)],
                    gender: rows.sex, deceasedDateTime: rows.deathOn,
                    deceasedBoolean: rows.deathOn == nil && rows.vitalStatus == "dead" ? true : nil))
        ]

        var conditions: [FHIRReference] = []
        for row in rows.diagnoses {
            let (diagnosisID, code, version, entity, site, year) = try row.decode(
                (Int, String, String, String, String, Int).self)
            let month = try row.decode(Int?.self, "diagnosed_month")
            let day = try row.decode(Int?.self, "diagnosed_day")
            let onset =
                String(format: "%04d", year) + (month.map { String(format: "-%02d", $0) } ?? "")
                + (day.map { String(format: "-%02d", $0) } ?? "")
            let grade = try row.decode(Int?.self, "fnclcc_grade")
            let setting = try row.decode(String.self, "disease_setting")
            let conditionID = "\(id)-diagnosis-\(diagnosisID)"
            conditions.append(FHIRExport.reference("Condition", conditionID))
            resources.append(
                .condition(
                    FHIRCondition(
                        id: conditionID, meta: FHIRMeta(FHIRExport.mcode + "mcode-primary-cancer-condition"),
                        extension: [
                            FHIRExtension(
                                url: FHIRExport.mcode + "mcode-histology-morphology-behavior",
                                valueCodeableConcept: FHIRCodeableConcept(
                                    FHIRCoding(
                                        system: "http://terminology.hl7.org/CodeSystem/icd-o-3", version: version,
                                        code: code, display: entity),
                                    text: entity)),
                            FHIRExtension(
                                url: FHIRExport.sarcreg + "StructureDefinition/disease-setting",
                                valueCode: setting.replacingOccurrences(of: "_", with: "-")),
                        ],
                        verificationStatus: FHIRCodeableConcept(
                            FHIRCoding(
                                system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: "confirmed")
                        ),
                        category: [
                            FHIRCodeableConcept(
                                FHIRCoding(
                                    system: "http://terminology.hl7.org/CodeSystem/condition-category",
                                    code: "problem-list-item"))
                        ],
                        code: FHIRCodeableConcept(text: entity), bodySite: [FHIRCodeableConcept(text: site)],
                        subject: subject, onsetDateTime: onset)))
            if let grade {
                resources.append(
                    .observation(
                        FHIRObservation(
                            id: "\(id)-grade-\(diagnosisID)",
                            meta: FHIRMeta(FHIRExport.mcode + "mcode-histologic-grade"),
                            extension: [
                                FHIRExtension(
                                    url: FHIRExport.mcode + "mcode-related-condition",
                                    valueReference: FHIRExport.reference("Condition", conditionID))
                            ],
                            category: [FHIRExport.laboratory],
                            code: FHIRCodeableConcept(
                                FHIRCoding(system: FHIRExport.ncit, code: "C18000", display: "Histologic Grade")),
                            subject: subject, effectiveDateTime: onset,
                            valueCodeableConcept: FHIRExport.fnclccGrade(grade),
                            method: FHIRCodeableConcept(text: "FNCLCC"))))
            }
        }

        for row in rows.molecular {
            let (resultID, gene, kind, method, result, effective) = try row.decode(
                (Int, String, String, String, String, String).self)
            let partner = try row.decode(String?.self, "partner_gene")
            let hgvs = try row.decode(String?.self, "hgvs")
            let genomic = FHIRExport.genomicAlterations.contains(kind) && method != "ihc"
            let name = partner.map { "\($0)::\(gene) \(kind)" } ?? "\(gene) \(kind)"
            var components = [partner.map(FHIRExport.gene), FHIRExport.gene(gene)].compactMap { $0 }
            if let hgvs {
                components.append(
                    FHIRObservationComponent(
                        code: FHIRCodeableConcept(
                            FHIRCoding(system: FHIRExport.loinc, code: "48004-6", display: "DNA change (c.HGVS)")),
                        valueCodeableConcept: FHIRCodeableConcept(
                            FHIRCoding(system: "http://varnomen.hgvs.org", code: hgvs))))
            }
            let present: [String: (String, String)] = [
                "positive": ("LA9633-4", "Present"), "negative": ("LA9634-2", "Absent"),
            ]
            resources.append(
                .observation(
                    FHIRObservation(
                        id: "\(id)-molecular-\(resultID)",
                        meta: FHIRMeta(
                            FHIRExport.mcode + (genomic ? "mcode-genomic-variant" : "mcode-tumor-marker-test")),
                        category: [FHIRExport.laboratory],
                        code: genomic
                            ? FHIRCodeableConcept(
                                FHIRCoding(
                                    system: FHIRExport.loinc, code: "69548-6", display: "Genetic variant assessment"),
                                text: name)
                            : FHIRCodeableConcept(text: name),
                        subject: subject, effectiveDateTime: effective,
                        valueCodeableConcept: result == "failed"
                            ? nil
                            : FHIRCodeableConcept(
                                present[result].map { FHIRCoding(system: FHIRExport.loinc, code: $0.0, display: $0.1) },
                                text: result),
                        dataAbsentReason: result == "failed" ? FHIRExport.dataAbsent("error") : nil,
                        method: FHIRCodeableConcept(text: method), component: components)))
        }

        var administrations: [Int: [FHIRReference]] = [:]
        for row in rows.therapy {
            let (lineNumber, intent, started, agent, agentName) = try row.decode(
                (Int, String, String, String, String).self)
            let stopped = try row.decode(String?.self, "stopped_on")
            let reason = try row.decode(String?.self, "stop_reason")
            let dose = try row.decode(String?.self, "dose")
            let trial = try row.decode(String?.self, "trial_nct").map {
                FHIRExtension(
                    url: "http://hl7.org/fhir/StructureDefinition/workflow-researchStudy",
                    valueReference: FHIRExport.trial($0, title: try row.decode(String?.self, "trial_title")))
            }
            let administrationID = "\(id)-line-\(lineNumber)-\(agent)"
            administrations[lineNumber, default: []].append(
                FHIRExport.reference("MedicationAdministration", administrationID))
            resources.append(
                .medicationAdministration(
                    FHIRMedicationAdministration(
                        id: administrationID,
                        meta: FHIRMeta(FHIRExport.mcode + "mcode-cancer-related-medication-administration"),
                        extension: [
                            FHIRExtension(
                                url: FHIRExport.mcode + "mcode-procedure-intent",
                                valueCodeableConcept: FHIRExport.intent(intent)),
                            FHIRExport.lineOfTherapy(lineNumber),
                        ] + (trial.map { [$0] } ?? []),
                        status: stopped == nil ? "in-progress" : "completed",
                        statusReason: reason.map { [FHIRExport.terminationReason($0)] },
                        medicationCodeableConcept: FHIRCodeableConcept(
                            FHIRCoding(
                                system: FHIRExport.sarcreg + "CodeSystem/therapy-agent", code: agent, display: agentName
                            ), text: agentName),
                        subject: subject, effectivePeriod: FHIRPeriod(start: started, end: stopped),
                        reasonReference: conditions.isEmpty ? nil : conditions, dosage: dose.map(FHIRDosage.init))))
        }

        for row in rows.adverseEvents {
            let (eventID, term, version, grade, onset) = try row.decode((Int, String, String, Int, String).self)
            let resolved = try row.decode(Bool.self, "resolved")
            let attribution = try row.decode(String.self, "attribution")
            let serious = try row.decode(Bool.self, "serious")
            let line = try row.decode(Int?.self, "line_number")
            let causality = FHIRSuspectEntity.Causality(assessment: FHIRCodeableConcept(text: attribution))
            let suspects = line.flatMap { administrations[$0] }?.map {
                FHIRSuspectEntity(instance: $0, causality: [causality])
            }
            resources.append(
                .adverseEvent(
                    FHIRAdverseEvent(
                        id: "\(id)-ae-\(eventID)",
                        extension: [
                            FHIRExtension(
                                url: FHIRExport.sarcreg + "StructureDefinition/ctcae-grade", valuePositiveInt: grade),
                            FHIRExtension(
                                url: FHIRExport.sarcreg + "StructureDefinition/ctcae-version", valueString: version),
                            // Also on an event of no line, which has no suspect entity to carry its causality.
                            FHIRExtension(
                                url: FHIRExport.sarcreg + "StructureDefinition/therapy-attribution",
                                valueCode: attribution),
                        ] + (line.map { [FHIRExport.lineOfTherapy($0)] } ?? []),
                        event: FHIRCodeableConcept(text: term), subject: subject, date: onset,
                        seriousness: FHIRCodeableConcept(
                            FHIRCoding(
                                system: "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                                code: serious ? "serious" : "non-serious")),
                        outcome: FHIRCodeableConcept(
                            FHIRCoding(
                                system: "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                                code: resolved ? "resolved" : "ongoing")),
                        suspectEntity: suspects)))
        }

        for row in rows.lesions {
            let (lesionID, evaluator, label, lesionClass) = try row.decode((Int, String, String, String).self)
            resources.append(
                .bodyStructure(
                    FHIRBodyStructure(
                        id: "\(id)-lesion-\(lesionID)", meta: FHIRMeta(FHIRExport.mcode + "mcode-tumor"),
                        extension: [
                            FHIRExtension(
                                url: FHIRExport.sarcreg + "StructureDefinition/recist-lesion-class",
                                valueCode: lesionClass.replacingOccurrences(of: "_", with: "-")),
                            FHIRExport.evaluator(evaluator),
                        ],
                        identifier: [
                            FHIRIdentifier(system: FHIRExport.sarcreg + "lesion-label/" + evaluator, value: label)
                        ],
                        location: try row.decode(String?.self, "organ").map { FHIRCodeableConcept(text: $0) },
                        patient: subject)))
        }

        var measured: [String: [FHIRReference]] = [:]
        for row in rows.measurements {
            let (assessmentID, date, lesionID) = try row.decode((Int, String, Int).self)
            let diameter = try row.decode(Decimal?.self, "diameter_mm")
            let evaluator = try row.decode(String.self, "evaluator")
            let result = try row.decode(String.self, "result")
            let isNode = try row.decode(Bool.self, "is_lymph_node")
            // A target that disappeared measures 0 mm; one too small to measure or not measured has no size, and
            // says why (RECIST 1.1 scores a too-small target as 5 mm: that is the engine's rule, not a measurement).
            var longest = FHIRObservationComponent(
                code: FHIRCodeableConcept(
                    FHIRCoding(system: FHIRExport.loinc, code: "33728-7", display: "Size.maximum dimension in Tumor")))
            var notes = isNode ? [FHIRAnnotation(text: "lymph node: short axis")] : []
            switch (diameter, result) {
            case (let diameter?, _): longest.valueQuantity = .millimetres(diameter)
            case (nil, "disappeared"): longest.valueQuantity = .millimetres(0)
            case (nil, "too_small_to_measure"):
                longest.dataAbsentReason = FHIRExport.dataAbsent("as-text")
                notes.append(FHIRAnnotation(text: "too small to measure"))
            default: longest.dataAbsentReason = FHIRExport.dataAbsent("not-performed")
            }
            let sizeID = "\(id)-size-\(assessmentID)-\(lesionID)"
            measured[evaluator + "/" + date, default: []].append(FHIRExport.reference("Observation", sizeID))
            resources.append(
                .observation(
                    FHIRObservation(
                        id: sizeID, meta: FHIRMeta(FHIRExport.mcode + "mcode-tumor-size"),
                        code: FHIRCodeableConcept(
                            FHIRCoding(system: FHIRExport.loinc, code: "21889-1", display: "Size Tumor")),
                        subject: subject, focus: [FHIRExport.reference("BodyStructure", "\(id)-lesion-\(lesionID)")],
                        effectiveDateTime: date,
                        note: notes.isEmpty ? nil : notes,
                        method: try row.decode(String?.self, "imaging_method").map { FHIRCodeableConcept(text: $0) },
                        component: [longest])))
        }

        let responses = ResponseService(connection: connection)
        for (number, evaluator) in rows.evaluators.enumerated() {
            let response = try responses.response(id, evaluator: Evaluator(evaluator))
            let tags = [FHIRExport.evaluator(evaluator), FHIRExport.lineOfTherapy(response.lineNumber)]
            for evaluation in response.series.evaluations {
                let date = evaluation.date.description
                resources.append(
                    .observation(
                        FHIRObservation(
                            id: "\(id)-recist-\(number + 1)-\(date)", extension: tags,
                            code: FHIRCodeableConcept(
                                FHIRCoding(
                                    system: FHIRExport.sarcreg + "CodeSystem/recist-observation",
                                    code: "time-point-response",
                                    display: "RECIST 1.1 overall response at a time point")),
                            subject: subject, effectiveDateTime: date,
                            valueCodeableConcept: FHIRExport.recist(evaluation.overall),
                            note: [FHIRAnnotation(text: evaluation.rule.description)],
                            derivedFrom: measured[evaluator + "/" + date])))
            }
            // Both determinations, named: the policy's extension says which one the registry reports.
            let best = response.series.bestOverallResponse
            let confirmation = FHIRExtension(
                url: FHIRExport.sarcreg + "StructureDefinition/recist-confirmation-required",
                valueBoolean: best.confirmationRequired)
            for (kind, determination, display) in [
                ("confirmed", best.confirmed, "RECIST 1.1 best overall response, CR and PR confirmed"),
                ("unconfirmed", best.unconfirmed, "RECIST 1.1 best overall response, without confirmation"),
            ] {
                resources.append(
                    .observation(
                        FHIRObservation(
                            id: "\(id)-recist-\(number + 1)-best-\(kind)", extension: tags + [confirmation],
                            code: FHIRCodeableConcept(
                                FHIRCoding(
                                    system: FHIRExport.sarcreg + "CodeSystem/recist-observation",
                                    code: "best-overall-response-\(kind)", display: display)),
                            subject: subject, effectiveDateTime: determination.date?.description,
                            valueCodeableConcept: FHIRExport.recist(determination.response),
                            note: [FHIRAnnotation(text: determination.description)])))
            }
        }

        for row in rows.trials {
            let (nct, started) = try row.decode((String, String).self)
            let stopped = try row.decode(String?.self, "stopped_on")
            resources.append(
                .researchSubject(
                    FHIRResearchSubject(
                        id: "\(id)-trial-\(nct)", status: stopped == nil ? "on-study" : "off-study",
                        period: FHIRPeriod(start: started, end: stopped),
                        study: FHIRExport.trial(nct, title: try row.decode(String?.self, "title")), individual: subject,
                        assignedArm: try row.decode(String?.self, "arm_code"))))
        }

        return FHIRBundle(
            id: id + "-mcode", meta: FHIRMeta(FHIRExport.mcode + "mcode-patient-bundle"),
            entry: resources.map {
                let (type, resourceID) = $0.typeAndID
                return FHIRBundleEntry(fullUrl: FHIRExport.fullURL(type: type, id: resourceID), resource: $0)
            })
    }
}
