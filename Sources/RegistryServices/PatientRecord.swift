import PostgresClient
import RegistryDomain

/// Everything recorded about one patient, as a patient's record is shown.
public struct PatientRecord: Codable, Sendable {
    public let patient: PatientSummary
    public let ecog: [ECOGAssessment]
    public let diagnoses: [DiagnosisRecord]
    public let molecularResults: [MolecularResultRecord]
    public let therapyLines: [TherapyLineRecord]
    public let adverseEvents: [AdverseEventRecord]

    static func load(_ patient: PatientRow, on connection: Connection) throws -> PatientRecord {
        let id = patient.id
        let ecog = try connection.query(
            "SELECT assessed_on, ecog FROM patient_ecog WHERE patient_id = \(id) ORDER BY assessed_on"
        )
        .map { row in
            let (date, score) = try row.decode((CalendarDate, Int).self)
            return ECOGAssessment(assessedOn: date, ecog: score)
        }
        return PatientRecord(
            patient: patient.summary, ecog: ecog,
            diagnoses: try DiagnosisRecord.load(patientID: id, on: connection),
            molecularResults: try MolecularResultRecord.load(patientID: id, on: connection),
            therapyLines: try TherapyLineRecord.load(patientID: id, on: connection),
            adverseEvents: try AdverseEventRecord.load(patientID: id, on: connection))
    }
}

/// A primary diagnosis; the ICD-O-3 code is kept exactly as submitted, with its edition.
public struct DiagnosisRecord: Codable, Sendable, Hashable {
    public let id: Int
    public let icdo3Code: String
    public let icdoVersion: String
    public let whoEntity: String
    public let fnclccGrade: Int?
    public let primarySite: String
    public let diagnosed: String
    public let diseaseSetting: String

    static func load(patientID: Int, on connection: Connection) throws -> [DiagnosisRecord] {
        try connection.query(
            """
            SELECT diagnosis_id, icdo3_code, icdo_version, who_entity, fnclcc_grade, primary_site,
                   diagnosed_year, diagnosed_month, diagnosed_day, disease_setting
            FROM diagnoses WHERE patient_id = \(patientID) ORDER BY diagnosis_id
            """
        ).map { row in
            let year = try row.decode(Int.self, "diagnosed_year")
            let month = try row.decode(Int?.self, "diagnosed_month")
            let day = try row.decode(Int?.self, "diagnosed_day")
            var diagnosed = String(year)
            if let month { diagnosed += "-" + CalendarDate.twoDigits(month) }
            if let day { diagnosed += "-" + CalendarDate.twoDigits(day) }
            return DiagnosisRecord(
                id: try row.decode(Int.self, "diagnosis_id"), icdo3Code: try row.decode(String.self, "icdo3_code"),
                icdoVersion: try row.decode(String.self, "icdo_version"),
                whoEntity: try row.decode(String.self, "who_entity"),
                fnclccGrade: try row.decode(Int?.self, "fnclcc_grade"),
                primarySite: try row.decode(String.self, "primary_site"),
                diagnosed: diagnosed, diseaseSetting: try row.decode(String.self, "disease_setting"))
        }
    }
}

public struct MolecularResultRecord: Codable, Sendable, Hashable {
    public let id: Int
    public let gene: String
    public let alterationKind: String
    public let partnerGene: String?
    public let hgvs: String?
    public let method: String
    public let result: String
    public let acquiredResistance: Bool
    public let specimenDate: CalendarDate?
    public let reportDate: CalendarDate
    public let laboratory: String?

    static func load(patientID: Int, on connection: Connection) throws -> [MolecularResultRecord] {
        try connection.query(
            """
            SELECT molecular_result_id, gene, alteration_kind, partner_gene, hgvs, method, result,
                   acquired_resistance, specimen_date, report_date, laboratory
            FROM molecular_results WHERE patient_id = \(patientID) AND void_reason IS NULL ORDER BY report_date, molecular_result_id
            """
        ).map { row in
            MolecularResultRecord(
                id: try row.decode(Int.self, "molecular_result_id"), gene: try row.decode(String.self, "gene"),
                alterationKind: try row.decode(String.self, "alteration_kind"),
                partnerGene: try row.decode(String?.self, "partner_gene"),
                hgvs: try row.decode(String?.self, "hgvs"), method: try row.decode(String.self, "method"),
                result: try row.decode(String.self, "result"),
                acquiredResistance: try row.decode(Bool.self, "acquired_resistance"),
                specimenDate: try row.decode(CalendarDate?.self, "specimen_date"),
                reportDate: try row.decode(CalendarDate.self, "report_date"),
                laboratory: try row.decode(String?.self, "laboratory"))
        }
    }
}

public struct TherapyLineRecord: Codable, Sendable, Hashable {
    public let lineNumber: Int
    public let agents: [String]
    public let intent: String
    public let startedOn: CalendarDate
    public let stoppedOn: CalendarDate?
    public let stopReason: String?
    public let dose: String?
    public let trialNCT: String?

    static func load(patientID: Int, on connection: Connection) throws -> [TherapyLineRecord] {
        try connection.query(
            """
            SELECT l.line_number, array_agg(a.agent_code ORDER BY a.agent_code) AS agents, l.intent, l.started_on,
                   l.stopped_on, l.stop_reason, l.dose, l.trial_nct
            FROM therapy_lines l JOIN therapy_line_agents a USING (therapy_line_id)
            WHERE l.patient_id = \(patientID)
            GROUP BY l.therapy_line_id ORDER BY l.line_number
            """
        ).map { row in
            TherapyLineRecord(
                lineNumber: try row.decode(Int.self, "line_number"), agents: try row.decode([String].self, "agents"),
                intent: try row.decode(String.self, "intent"),
                startedOn: try row.decode(CalendarDate.self, "started_on"),
                stoppedOn: try row.decode(CalendarDate?.self, "stopped_on"),
                stopReason: try row.decode(String?.self, "stop_reason"),
                dose: try row.decode(String?.self, "dose"), trialNCT: try row.decode(String?.self, "trial_nct"))
        }
    }
}

public struct AdverseEventRecord: Codable, Sendable, Hashable {
    public let id: Int
    public let term: String
    /// The term's MedDRA code; nil for a term stored before the vocabulary that is not in it (the registry check's `ctcae-terms-known` lists it).
    public let meddraCode: Int?
    /// What the event was, beside an "Other, specify" term.
    public let specified: String?
    public let ctcaeVersion: String
    public let grade: Int
    public let onsetOn: CalendarDate
    public let resolvedOn: CalendarDate?
    public let attribution: String
    public let serious: Bool
    public let lineNumber: Int?

    static func load(patientID: Int, on connection: Connection) throws -> [AdverseEventRecord] {
        try connection.query(
            """
            SELECT e.adverse_event_id, e.ctcae_term, e.meddra_code, e.term_specified, e.ctcae_version, e.grade, e.onset_on, e.resolved_on,
                   e.attribution, e.serious, l.line_number
            FROM adverse_events e LEFT JOIN therapy_lines l USING (therapy_line_id)
            WHERE e.patient_id = \(patientID) ORDER BY e.onset_on, e.adverse_event_id
            """
        ).map { row in
            AdverseEventRecord(
                id: try row.decode(Int.self, "adverse_event_id"), term: try row.decode(String.self, "ctcae_term"),
                meddraCode: try row.decode(Int?.self, "meddra_code"),
                specified: try row.decode(String?.self, "term_specified"),
                ctcaeVersion: try row.decode(String.self, "ctcae_version"), grade: try row.decode(Int.self, "grade"),
                onsetOn: try row.decode(CalendarDate.self, "onset_on"),
                resolvedOn: try row.decode(CalendarDate?.self, "resolved_on"),
                attribution: try row.decode(String.self, "attribution"), serious: try row.decode(Bool.self, "serious"),
                lineNumber: try row.decode(Int?.self, "line_number"))
        }
    }
}
