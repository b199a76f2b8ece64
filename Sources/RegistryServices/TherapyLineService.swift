import Foundation
import PostgresClient
import RegistryDomain

public struct TherapyStart: Sendable {
    public var agents: [String]
    /// nil takes the patient's next line number.
    public var lineNumber: Int?
    public var intent: TherapyIntent
    public var startDate: CalendarDate
    public var dose: String?
    public var trialNCT: String?
    /// Given at the same time as another line, which the timeline then lets it overlap.
    public var concurrent: Bool

    public init(
        agents: [String], lineNumber: Int? = nil, intent: TherapyIntent, startDate: CalendarDate, dose: String? = nil,
        trialNCT: String? = nil, concurrent: Bool = false
    ) {
        self.agents = agents
        self.lineNumber = lineNumber
        self.intent = intent
        self.startDate = startDate
        self.dose = dose
        self.trialNCT = trialNCT
        self.concurrent = concurrent
    }
}

public struct AdverseEventSubmission: Sendable {
    /// A CTCAE v5.0 term in any case; an event CTCAE has no term for takes its SOC's "Other, specify" term.
    public var term: String
    /// What the event was, beside an "Other, specify" term (and only there).
    public var specified: String?
    public var ctcaeVersion: CTCAEVersion
    public var grade: Int
    public var onset: CalendarDate
    public var resolved: CalendarDate?
    public var attribution: Attribution
    public var serious: Bool
    public var lineNumber: Int?
    /// Present before the first line started (a baseline symptom), which the timeline then admits.
    public var baseline: Bool

    public init(
        term: String, specified: String? = nil, ctcaeVersion: CTCAEVersion, grade: Int, onset: CalendarDate,
        resolved: CalendarDate? = nil, attribution: Attribution, serious: Bool = false, lineNumber: Int? = nil,
        baseline: Bool = false
    ) {
        self.term = term
        self.specified = specified
        self.ctcaeVersion = ctcaeVersion
        self.grade = grade
        self.onset = onset
        self.resolved = resolved
        self.attribution = attribution
        self.serious = serious
        self.lineNumber = lineNumber
        self.baseline = baseline
    }
}

/// Therapy lines (start, stop) and the adverse events that occur on them.
public struct TreatmentService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    public func start(_ registryID: String, _ request: TherapyStart) throws(RegistryError) -> TherapyLineRecord {
        let submittedAgents = Array(
            Set(request.agents.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        ).sorted()
        guard !submittedAgents.isEmpty else { throw .input(.missing(field: .agent)) }
        let intent = request.intent
        let started = request.startDate
        if let line = request.lineNumber, !(1...30).contains(line) {
            throw .input(.outOfRange(field: .line, value: "\(line)", range: "1 to 30"))
        }
        let trial = try validating { () throws(RegistryInputError) in
            try request.trialNCT?.trimmingCharacters(in: .whitespaces).nonEmpty.map { text throws(RegistryInputError) in
                try NCTNumber.parse(text, field: .trial)
            }
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                try patient.validate(started, field: .startDate, today: today)
                let agents = try Self.resolveAgents(submittedAgents, on: tx)
                let line: Int
                if let requested = request.lineNumber {
                    line = requested
                } else {
                    let next = try tx.query(
                        "SELECT coalesce(max(line_number), 0) + 1 AS next FROM therapy_lines WHERE patient_id = \(patient.id)"
                    )
                    line = try next[0].decode(Int.self, "next")
                }
                if try !tx.query(
                    "SELECT 1 FROM therapy_lines WHERE patient_id = \(patient.id) AND line_number = \(line)"
                ).isEmpty {
                    throw RegistryError.therapyLineExists(registryID: patient.summary.registryID, line: line)
                }
                try patient.timeline(on: tx).check(
                    line: PatientTimeline.Line(
                        number: line, startedOn: started, stoppedOn: nil, concurrent: request.concurrent),
                    startField: .startDate, stopField: .stopDate)
                let inserted = try tx.query(
                    """
                    INSERT INTO therapy_lines (patient_id, line_number, intent, started_on, dose, trial_nct, concurrent)
                    VALUES (\(patient.id), \(line), \(intent.rawValue), \(started), \(request.dose?.nonEmpty), \(trial), \(request.concurrent))
                    RETURNING therapy_line_id
                    """)
                let lineID = try inserted[0].decode(Int.self, "therapy_line_id")
                try tx.execute(
                    "INSERT INTO therapy_line_agents (therapy_line_id, agent_code) SELECT \(lineID), unnest(\(agents)::text[])"
                )
                return TherapyLineRecord(
                    lineNumber: line, agents: agents, intent: intent.rawValue, startedOn: started, stoppedOn: nil,
                    stopReason: nil, dose: request.dose?.nonEmpty, trialNCT: trial)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The agent codes of submitted names, each an agent code, a catalog name or an alias (a brand, a spelling
    /// such as `nab-sirolimus`, a development code), or an error naming every name that is none of these.
    static func resolveAgents(_ names: [String], on connection: Connection) throws -> [String] {
        let rows = try connection.query(
            """
            SELECT n.name, therapy_agent_code(n.name) AS agent_code
            FROM unnest(\(names)::text[]) AS n (name)
            ORDER BY n.name
            """)
        let resolved = try rows.map { row in
            (try row.decode(String.self, "name"), try row.decode(String?.self, "agent_code"))
        }
        let unknown = resolved.filter { $0.1 == nil }.map(\.0)
        guard unknown.isEmpty else {
            // Every name a coordinator might have meant: codes, catalog names and aliases.
            let known = try connection.query(
                "SELECT agent_code AS name FROM therapy_agents UNION SELECT name FROM therapy_agents UNION SELECT alias FROM therapy_agent_aliases"
            ).map { try $0.decode(String.self, "name") }
            var suggestions: [String: String] = [:]
            for name in unknown { suggestions[name] = SpellingSuggestion.closest(to: name, among: known) }
            throw RegistryError.unknownAgents(unknown, didYouMean: suggestions)
        }
        return Array(Set(resolved.compactMap(\.1))).sorted()
    }

    public func stop(
        _ registryID: String, line: Int, on stopped: CalendarDate, reason: StopReason
    )
        throws(RegistryError) -> TherapyLineRecord
    {
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                try patient.validate(stopped, field: .stopDate, today: today)
                let rows = try tx.query(
                    "SELECT therapy_line_id, started_on, stopped_on, concurrent FROM therapy_lines WHERE patient_id = \(patient.id) AND line_number = \(line) FOR UPDATE"
                )
                guard let row = rows.first else {
                    throw RegistryError.therapyLineNotFound(registryID: patient.summary.registryID, line: line)
                }
                let started = try row.decode(CalendarDate.self, "started_on")
                if let already = try row.decode(CalendarDate?.self, "stopped_on") {
                    throw RegistryError.therapyLineAlreadyStopped(
                        registryID: patient.summary.registryID, line: line, on: already)
                }
                guard stopped >= started else {
                    throw RegistryError.input(
                        .beforeDate(
                            field: .stopDate, value: stopped, otherField: Field("the line's start"), other: started))
                }
                try patient.timeline(on: tx).check(
                    line: PatientTimeline.Line(
                        number: line, startedOn: started, stoppedOn: stopped,
                        concurrent: try row.decode(Bool.self, "concurrent")),
                    startField: Field("the line's start"), stopField: .stopDate)
                try tx.execute(
                    "UPDATE therapy_lines SET stopped_on = \(stopped), stop_reason = \(reason.rawValue) WHERE therapy_line_id = \(try row.decode(Int.self, "therapy_line_id"))"
                )
                guard
                    let record = try TherapyLineRecord.load(patientID: patient.id, on: tx).first(where: {
                        $0.lineNumber == line
                    })
                else {
                    throw RegistryError.therapyLineNotFound(registryID: patient.summary.registryID, line: line)
                }
                return record
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    public func recordAdverseEvent(
        _ registryID: String, _ submission: AdverseEventSubmission
    ) throws(RegistryError) -> AdverseEventRecord {
        let term = submission.term.trimmingCharacters(in: .whitespaces)
        guard !term.isEmpty else { throw .input(.missing(field: .term)) }
        guard (1...5).contains(submission.grade) else {
            throw .input(.outOfRange(field: .grade, value: "\(submission.grade)", range: "1 to 5 (CTCAE)"))
        }
        let version = submission.ctcaeVersion
        let attribution = submission.attribution
        let onset = submission.onset
        let resolved = submission.resolved
        if let resolved, resolved < onset {
            throw .input(.beforeDate(field: .resolvedDate, value: resolved, otherField: .onsetDate, other: onset))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                let named = try CTCAEVocabulary.named(
                    term, specified: submission.specified, termField: .term, specifyField: .specifiedTerm, on: tx)
                try patient.validate(onset, field: .onsetDate, today: today)
                if let resolved { try patient.validate(resolved, field: .resolvedDate, today: today) }
                let timeline = try patient.timeline(on: tx)
                try timeline.check(adverseEventOnset: onset, baseline: submission.baseline, field: .onsetDate)
                if let resolved { try timeline.check(resolved, field: .resolvedDate) }
                var lineID: Int? = nil
                if let line = submission.lineNumber {
                    let rows = try tx.query(
                        "SELECT therapy_line_id FROM therapy_lines WHERE patient_id = \(patient.id) AND line_number = \(line)"
                    )
                    guard let row = rows.first else {
                        throw RegistryError.therapyLineNotFound(registryID: patient.summary.registryID, line: line)
                    }
                    lineID = try row.decode(Int.self, "therapy_line_id")
                }
                let rows = try tx.query(
                    """
                    INSERT INTO adverse_events (patient_id, therapy_line_id, ctcae_term, meddra_code, term_specified, ctcae_version, grade,
                        onset_on, resolved_on, attribution, serious, baseline)
                    VALUES (\(patient.id), \(lineID), \(named.term), \(named.meddraCode), \(named.specified), \(version.rawValue),
                        \(submission.grade), \(onset), \(resolved), \(attribution.rawValue), \(submission.serious), \(submission.baseline))
                    RETURNING adverse_event_id
                    """)
                return AdverseEventRecord(
                    id: try rows[0].decode(Int.self, "adverse_event_id"), term: named.term,
                    meddraCode: named.meddraCode,
                    specified: named.specified, ctcaeVersion: version.rawValue,
                    grade: submission.grade, onsetOn: onset, resolvedOn: resolved, attribution: attribution.rawValue,
                    serious: submission.serious, lineNumber: submission.lineNumber)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
