import PostgresClient
import RegistryDomain

/// A stored row that breaks a timeline rule: written before the rule was enforced, or by an import whose
/// format cannot say that a line is concurrent or an adverse event baseline.
public struct TimelineFinding: Codable, Sendable, Hashable {
    public let registryID: String
    /// The row in words a coordinator can find: `adverse event 12`, `therapy line 2`.
    public let record: String
    public let rule: TimelineRule
    public let problem: String
}

/// Lists every stored row that breaks one of the domain's timeline rules (``PatientTimeline``), with the
/// same checks a command applies before it writes; nothing is changed.
public struct TimelineCheckService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// One dated value of a stored row, with what the domain checks it as.
    struct DatedValue {
        enum Kind { case clinical, vitalStatus, adverseEventOnset(baseline: Bool) }

        let patientID: Int
        let record: String
        let field: String
        let date: CalendarDate
        let kind: Kind
    }

    public func findings() throws(RegistryError) -> [TimelineFinding] {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in try Self.findings(on: tx) }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The findings read in the caller's transaction (`db check` runs every invariant in one snapshot).
    static func findings(on tx: Connection) throws -> [TimelineFinding] {
        var patients: [Int: (registryID: String, timeline: PatientTimeline)] = [:]
        var lines: [Int: [PatientTimeline.Line]] = [:]
        for row in try tx.query(
            "SELECT patient_id, line_number, started_on, stopped_on, concurrent FROM therapy_lines ORDER BY patient_id, line_number"
        ) {
            lines[try row.decode(Int.self, "patient_id"), default: []].append(
                PatientTimeline.Line(
                    number: try row.decode(Int.self, "line_number"),
                    startedOn: try row.decode(CalendarDate.self, "started_on"),
                    stoppedOn: try row.decode(CalendarDate?.self, "stopped_on"),
                    concurrent: try row.decode(Bool.self, "concurrent")))
        }
        for row in try tx.query(
            "SELECT patient_id, registry_id, birth_year, birth_date, death_on, consent_withdrawn_on FROM patients")
        {
            let id = try row.decode(Int.self, "patient_id")
            patients[id] = (
                try row.decode(String.self, "registry_id"),
                PatientTimeline(
                    birthYear: try row.decode(Int.self, "birth_year"),
                    birthDate: try row.decode(CalendarDate?.self, "birth_date"),
                    deathOn: try row.decode(CalendarDate?.self, "death_on"),
                    consentWithdrawnOn: try row.decode(CalendarDate?.self, "consent_withdrawn_on"),
                    lines: lines[id] ?? [])
            )
        }
        var findings: [TimelineFinding] = []
        func record(_ patientID: Int, _ record: String, _ check: (PatientTimeline) throws(TimelineViolation) -> Void) {
            guard let patient = patients[patientID] else { return }
            do {
                try check(patient.timeline)
            } catch {
                findings.append(
                    TimelineFinding(
                        registryID: patient.registryID, record: record, rule: error.rule, problem: error.description))
            }
        }
        // A line is checked against the lines numbered before it, so an overlapping pair is listed once.
        for (patientID, patientLines) in lines.sorted(by: { $0.key < $1.key }) {
            for line in patientLines {
                record(patientID, "therapy line \(line.number)") { timeline throws(TimelineViolation) in
                    let earlier = PatientTimeline(
                        birthYear: timeline.birthYear, birthDate: timeline.birthDate, deathOn: timeline.deathOn,
                        consentWithdrawnOn: timeline.consentWithdrawnOn,
                        lines: timeline.lines.filter { $0.number < line.number })
                    try earlier.check(
                        line: line, startField: Field(path: "started_on"), stopField: Field(path: "stopped_on"))
                }
            }
        }
        for value in try Self.datedValues(on: tx) {
            record(value.patientID, value.record) { timeline throws(TimelineViolation) in
                switch value.kind {
                case .clinical: try timeline.check(value.date, field: Field(path: value.field))
                case .vitalStatus: try timeline.check(value.date, field: Field(path: value.field), kind: .vitalStatus)
                case .adverseEventOnset(let baseline):
                    try timeline.check(
                        adverseEventOnset: value.date, baseline: baseline, field: Field(path: value.field))
                }
            }
        }
        return findings.sorted { ($0.registryID, $0.record) < ($1.registryID, $1.record) }
    }

    /// Every other dated value of the registry's rows, or of one patient's (voided rows are not read, as no
    /// report reads them).
    static func datedValues(of patientID: Int? = nil, on tx: Connection) throws -> [DatedValue] {
        let rows = try tx.query(
            """
            SELECT * FROM (
            SELECT patient_id, 'adverse event ' || adverse_event_id AS record, 'onset_on' AS field, onset_on AS date, 'onset' AS kind, baseline
                FROM adverse_events
            UNION ALL SELECT patient_id, 'adverse event ' || adverse_event_id, 'resolved_on', resolved_on, 'clinical', false
                FROM adverse_events WHERE resolved_on IS NOT NULL
            UNION ALL SELECT patient_id, 'diagnosis ' || diagnosis_id, 'diagnosed',
                make_date(diagnosed_year, coalesce(diagnosed_month, 1), coalesce(diagnosed_day, 1)), 'clinical', false FROM diagnoses
            UNION ALL SELECT patient_id, 'molecular result ' || molecular_result_id, 'report_date', report_date, 'clinical', false
                FROM molecular_results WHERE void_reason IS NULL
            UNION ALL SELECT patient_id, 'molecular result ' || molecular_result_id, 'specimen_date', specimen_date, 'clinical', false
                FROM molecular_results WHERE void_reason IS NULL AND specimen_date IS NOT NULL
            UNION ALL SELECT patient_id, 'assessment ' || assessed_on || ' (' || evaluator || ')', 'assessed_on', assessed_on, 'clinical', false
                FROM assessments WHERE void_reason IS NULL
            UNION ALL SELECT patient_id, 'ECOG ' || assessed_on, 'assessed_on', assessed_on, 'clinical', false FROM patient_ecog
            UNION ALL SELECT patient_id, 'last contact', 'last_contact_on', last_contact_on, 'vital_status', false
                FROM patients WHERE last_contact_on IS NOT NULL) d
            WHERE \(patientID)::bigint IS NULL OR d.patient_id = \(patientID)
            """)
        return try rows.map { row in
            let kind: DatedValue.Kind =
                switch try row.decode(String.self, "kind") {
                case "onset": .adverseEventOnset(baseline: try row.decode(Bool.self, "baseline"))
                case "vital_status": .vitalStatus
                default: .clinical
                }
            return DatedValue(
                patientID: try row.decode(Int.self, "patient_id"), record: try row.decode(String.self, "record"),
                field: try row.decode(String.self, "field"), date: try row.decode(CalendarDate.self, "date"), kind: kind
            )
        }
    }
}
