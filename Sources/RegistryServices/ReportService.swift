import Foundation
import PostgresClient
import RegistryDomain
import Synchronization

/// The population filters of a report, as typed on the command line; every one is optional and they
/// combine with AND.
public struct ReportFilter: Sendable {
    /// An agent as `therapy start` reads it (code, catalog name or alias): lines that include it.
    public var agent: String?
    /// An ICD-O-3 code (`9040/3`) or a WHO entity name (`synovial sarcoma`) of the patient's diagnosis.
    public var histology: String?
    /// A positive molecular result of the gene, of the kind when one is given; for a fusion the gene may be
    /// either partner.
    public var biomarker: BiomarkerFilter?
    /// Lines given in this trial (therapy_lines.trial_nct).
    public var trial: String?
    /// An arm code of ``trial``: its lines of the patients enrolled in that arm.
    public var arm: String?
    public var site: String?
    /// Line of therapy, 1 to 30.
    public var lineNumber: Int?
    /// Lines started on or after this date.
    public var startedFrom: CalendarDate?
    /// Lines started on or before this date.
    public var startedTo: CalendarDate?
    /// Whose reads count: `investigator` (default) or an independent reader.
    public var evaluator: String?
    /// Only lines whose responses by ``evaluator`` an investigator has signed, the signature not void since.
    public var signedOnly: Bool

    public init(
        agent: String? = nil, histology: String? = nil, biomarker: BiomarkerFilter? = nil, trial: String? = nil,
        arm: String? = nil,
        site: String? = nil, lineNumber: Int? = nil, startedFrom: CalendarDate? = nil, startedTo: CalendarDate? = nil,
        evaluator: String? = nil,
        signedOnly: Bool = false
    ) {
        self.signedOnly = signedOnly
        self.agent = agent
        self.histology = histology
        self.biomarker = biomarker
        self.trial = trial
        self.arm = arm
        self.site = site
        self.lineNumber = lineNumber
        self.startedFrom = startedFrom
        self.startedTo = startedTo
        self.evaluator = evaluator
    }
}

/// Why a report could not be made.
public enum ReportError: Error, WordedMessage {
    case registry(RegistryError)
    /// An arm belongs to one trial, so an arm means nothing without its trial.
    case armWithoutTrial(arm: String)
    /// `arms` lists the trial's arm codes; empty when the registry has no definition of the trial.
    case unknownArm(trial: String, arm: String, arms: [String])

    public func message(_ wording: Wording) -> String {
        switch self {
        case .registry(let error): error.message(wording)
        case .armWithoutTrial(let arm):
            "\(wording.field(.arm)) '\(arm)' needs \(wording.field(.trial)): an arm code names an arm of one trial"
        case .unknownArm(let trial, let arm, let arms) where arms.isEmpty:
            "\(wording.field(.arm)) '\(arm)': the registry has no arms of trial \(trial); add its definition with \(wording.step(.addTrial))"
        case .unknownArm(let trial, let arm, let arms):
            "\(wording.field(.arm)) '\(arm)' is not an arm of \(trial); its arms: \(arms.joined(separator: ", "))"
        }
    }

    static func wrap(_ error: any Error) -> ReportError {
        switch error {
        case let error as ReportError: error
        default: .registry(RegistryError.wrap(error))
        }
    }
}

/// Investigator summaries over a population of therapy lines: responses and adverse events.
///
/// Everything is read in one repeatable-read transaction with a few set-based queries (no query per
/// patient), so the report is consistent and can run on a read replica.
public struct ReportService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Best overall responses, ORR and DCR, and PFS, DoR and OS of the lines the filter chooses.
    public func responseSummary(_ filter: ReportFilter) throws(ReportError) -> ResponseSummary {
        let criteria = try ReportCriteria(filter)
        do {
            let lines = try connection.withTransaction(isolation: .repeatableRead) { tx in
                try criteria.checkVocabulary(on: tx)
                for setting in Self.responseSettings { try tx.execute(setting) }
                return try TreatedLineLoader(criteria: criteria, connection: tx).load()
            }
            return ResponseSummary(lines: lines, evaluator: criteria.evaluator, filters: criteria.terms)
        } catch {
            throw ReportError.wrap(error)
        }
    }

    /// The transaction settings of a response summary. Its queries hash and sort a whole registry
    /// (a million lesion results), which the 4 MB default spills to disk; and JIT compilation costs
    /// them more than it saves.
    public static let responseSettings: [Query] = ["SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"]

    /// The statements a response summary runs after ``responseSettings``, in order, for EXPLAIN and for
    /// timing its SQL apart from the scoring.
    public func responseStatements(_ filter: ReportFilter) throws(ReportError) -> [Query] {
        TreatedLineLoader(criteria: try ReportCriteria(filter), connection: connection).statements
    }

    /// Patients with each CTCAE term recorded on the chosen lines, at any grade and at grade 3 or worse.
    public func adverseEvents(
        _ filter: ReportFilter, minimumPercent: Double = 0, basis: AdverseEventBasis = .anyGrade
    )
        throws(ReportError) -> AdverseEventTable
    {
        guard minimumPercent.isFinite, (0...100).contains(minimumPercent) else {
            throw .registry(.input(.outOfRange(field: .minPercent, value: "\(minimumPercent)", range: "0 to 100")))
        }
        let criteria = try ReportCriteria(filter)
        do {
            let (events, treated) = try connection.withTransaction(isolation: .repeatableRead) { tx in
                try criteria.checkVocabulary(on: tx)
                var count: Query = "WITH treated AS ("
                count.append(criteria.treatedLines)
                count.append(") SELECT count(DISTINCT patient_id) AS n FROM treated")
                let treated = try tx.query(count)[0].decode(Int.self, "n")
                var query: Query = "WITH treated AS ("
                query.append(criteria.treatedLines)
                query.append(
                    """
                    ) SELECT p.registry_id, t.line_number, e.ctcae_term, e.grade, e.onset_on, t.started_on, p.death_on
                    FROM adverse_events e
                    JOIN treated t ON t.therapy_line_id = e.therapy_line_id
                    JOIN patients p ON p.patient_id = e.patient_id
                    """)
                let events = try tx.query(query).map { row in
                    ReportedAdverseEvent(
                        registryID: try row.decode(String.self, at: 0), lineNumber: try row.decode(Int.self, at: 1),
                        term: try row.decode(String.self, at: 2), grade: try row.decode(Int.self, at: 3),
                        onset: try row.decode(CalendarDate.self, at: 4),
                        lineStartedOn: try row.decode(CalendarDate.self, at: 5),
                        deathOn: try row.decode(CalendarDate?.self, at: 6))
                }
                return (events, treated)
            }
            return AdverseEventTable(
                events: events, treatedPatients: treated, minimumPercent: minimumPercent, basis: basis)
        } catch {
            throw ReportError.wrap(error)
        }
    }
}

/// A validated ``ReportFilter``: parsed values, the SQL choosing the treated lines, and the terms a
/// report prints.
struct ReportCriteria {
    let evaluator: Evaluator
    private(set) var terms: [String] = []
    /// The filter's conditions on `therapy_lines t`, each starting with AND; they name no other table of
    /// the outer query, so the statements choosing lines need not join the patients.
    private(set) var conditions: Query = ""
    private var agent: String?
    private var histologyCode: String?
    private var histologyEntity: String?
    private var gene: String?
    private var trialArm: (trial: String, arm: String)?
    private var site: String?

    init(_ filter: ReportFilter) throws(ReportError) {
        do {
            evaluator = try AssessmentService.evaluator(filter.evaluator)
        } catch {
            throw .registry(Self.registryError(error))
        }
        if let text = filter.agent {
            let agent = text.trimmingCharacters(in: .whitespaces).lowercased()
            guard !agent.isEmpty else { throw .registry(.input(.missing(field: .agent))) }
            self.agent = agent
            terms.append("agent = \(agent)")
            conditions.append(
                " AND EXISTS (SELECT 1 FROM therapy_line_agents a WHERE a.therapy_line_id = t.therapy_line_id AND a.agent_code = therapy_agent_code(\(agent)))"
            )
        }
        if let text = filter.histology {
            let value = text.trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw .registry(.input(.missing(field: .histology))) }
            if value.range(of: "^[0-9]{4}/[0-9]$", options: .regularExpression) != nil {
                histologyCode = value
                terms.append("histology = \(value)")
                conditions.append(
                    " AND EXISTS (SELECT 1 FROM diagnoses d WHERE d.patient_id = t.patient_id AND d.icdo3_code = \(value))"
                )
            } else {
                histologyEntity = value
                terms.append("histology = \(value)")
                conditions.append(
                    """
                     AND EXISTS (SELECT 1 FROM diagnoses d JOIN histology_codes h ON h.code = d.icdo3_code
                        WHERE d.patient_id = t.patient_id AND (lower(d.who_entity) = lower(\(value)) OR lower(h.entity) = lower(\(value))))
                    """)
            }
        }
        if let biomarker = filter.biomarker {
            let symbol = biomarker.gene
            gene = symbol
            var condition: Query =
                " AND EXISTS (SELECT 1 FROM molecular_results m WHERE m.patient_id = t.patient_id AND m.void_reason IS NULL AND m.result = 'positive'"
            if let kind = biomarker.kind {
                terms.append("biomarker = \(symbol):\(kind.rawValue)")
                condition.append(" AND m.alteration_kind = \(kind.rawValue)")
            } else {
                terms.append("biomarker = \(symbol)")
            }
            // A fusion is recorded under either partner (ETV6 with partner NTRK3, or NTRK3 itself).
            condition.append(" AND approved_gene_symbol(\(symbol)) IN (m.gene, m.partner_gene))")
            conditions.append(condition)
        }
        if let text = filter.trial {
            let nct: String
            do {
                nct = try NCTNumber.parse(text, field: .trial)
            } catch {
                throw .registry(.input(error))
            }
            terms.append("trial = \(nct)")
            conditions.append(" AND t.trial_nct = \(nct)")
            if let text = filter.arm {
                let arm = text.trimmingCharacters(in: .whitespaces).lowercased()
                guard !arm.isEmpty else { throw .registry(.input(.missing(field: .arm))) }
                trialArm = (nct, arm)
                terms.append("arm = \(arm)")
                conditions.append(
                    " AND EXISTS (SELECT 1 FROM trial_enrollments e WHERE e.trial_nct = t.trial_nct AND e.patient_id = t.patient_id AND e.arm_code = \(arm))"
                )
            }
        } else if let arm = filter.arm {
            throw .armWithoutTrial(arm: arm)
        }
        if let text = filter.site {
            let code = text.trimmingCharacters(in: .whitespaces).uppercased()
            site = code
            terms.append("site = \(code)")
            conditions.append(
                " AND EXISTS (SELECT 1 FROM patients ps WHERE ps.patient_id = t.patient_id AND ps.site_code = \(code))")
        }
        if let line = filter.lineNumber {
            guard (1...30).contains(line) else {
                throw .registry(.input(.outOfRange(field: .line, value: "\(line)", range: "1 to 30")))
            }
            terms.append("line = \(line)")
            conditions.append(" AND t.line_number = \(line)")
        }
        let from = filter.startedFrom
        let to = filter.startedTo
        if let from, let to, to < from {
            throw .registry(.input(.beforeDate(field: .to, value: to, otherField: .from, other: from)))
        }
        if let from {
            terms.append("started on or after \(from)")
            conditions.append(" AND t.started_on >= \(from)")
        }
        if let to {
            terms.append("started on or before \(to)")
            conditions.append(" AND t.started_on <= \(to)")
        }
        if filter.signedOnly {
            // A change to the signed series voids the signature (migration 0033), so a standing one signs what is read now.
            terms.append("signed by an investigator")
            conditions.append(
                """
                 AND EXISTS (SELECT 1 FROM response_signatures s WHERE s.patient_id = t.patient_id AND s.line_number = t.line_number
                    AND s.evaluator = \(evaluator.rawValue) AND s.voided_at IS NULL)
                """)
        }
    }

    /// The chosen lines, for a `WITH treated AS (...)`.
    var treatedLines: Query {
        var query: Query = "SELECT t.* FROM therapy_lines t WHERE true"
        query.append(conditions)
        return query
    }

    /// Refuses a filter value the registry does not know, rather than reporting an empty population.
    func checkVocabulary(on connection: Connection) throws {
        if let agent {
            _ = try TreatmentService.resolveAgents([agent], on: connection)
        }
        if let histologyCode,
            try connection.query("SELECT 1 FROM histology_codes WHERE code = \(histologyCode)").isEmpty
        {
            throw RegistryError.unknownHistologyCode(histologyCode)
        }
        if let histologyEntity,
            try connection.query(
                """
                SELECT 1 FROM histology_codes WHERE lower(entity) = lower(\(histologyEntity))
                UNION ALL SELECT 1 FROM diagnoses WHERE lower(who_entity) = lower(\(histologyEntity)) LIMIT 1
                """
            ).isEmpty
        {
            throw RegistryError.input(
                .malformed(
                    field: .histology, value: histologyEntity,
                    expected:
                        "an ICD-O-3 code such as 9040/3 or a WHO entity name of the registry's histology vocabulary"))
        }
        if let gene {
            _ = try GeneVocabulary.approvedSymbol(gene, field: .biomarker, on: connection)
        }
        if let site, try connection.query("SELECT 1 FROM sites WHERE site_code = \(site)").isEmpty {
            throw RegistryError.unknownSite(site, didYouMean: try SiteService.closestSite(to: site, on: connection))
        }
        if let trialArm {
            let arms = try connection.query(
                "SELECT arm_code FROM trial_arms WHERE trial_nct = \(trialArm.trial) ORDER BY position"
            )
            .map { try $0.decode(String.self, at: 0) }
            guard arms.contains(trialArm.arm) else {
                throw ReportError.unknownArm(trial: trialArm.trial, arm: trialArm.arm, arms: arms)
            }
        }
    }

    private static func registryError(_ error: AssessmentError) -> RegistryError {
        if case .registry(let error) = error { return error }
        return .input(.malformed(field: .evaluator, value: "\(error)", expected: "investigator or a reader's name"))
    }
}

/// Loads the treated lines and scores their series in bulk: five statements for the whole population,
/// sent together (``Connection/pipeline(_:_:)``) so that each is decoded while the server runs the next,
/// read in place and grouped here rather than sorted or aggregated per row by the server.
///
/// Dates travel as days since 1970-01-01 (`CalendarDate`'s own count) and diameters as fixed-point text,
/// so a million rows parse as integers.
struct TreatedLineLoader {
    let criteria: ReportCriteria
    let connection: Connection

    private struct LineRow {
        let id: Int
        let patientID: Int
        let registryID: String
        let number: Int
        let trialNCT: String?
        let startedOn: CalendarDate
        let stoppedOn: CalendarDate?
        let deathOn: CalendarDate?
        /// The latest of the line's dates and the patient's last contact; the last assessment may be later.
        let lastRecorded: CalendarDate
    }

    /// A lesion of a treated patient, read by any evaluator: results name their lesion by row id.
    private struct LesionRow {
        let id: Int
        let patientID: Int
        let isEvaluators: Bool
        let label: LesionID
        let storedClass: StoredLesionClass
        let site: AnatomicSite
        let isNode: Bool
    }

    /// One assessment by the evaluator of a treated patient; its results are in ``ResultRuns``.
    private struct AssessmentRow {
        let patientID: Int
        let lineID: Int?
        let isBaseline: Bool
        let date: CalendarDate
    }

    /// Packed into 24 bytes: a registry holds a million of them.
    private struct StoredResult {
        let lesionID: Int
        let assessment: Int32
        /// Hundredths of a millimetre; ``unmeasured`` when the result has no diameter.
        let hundredths: Int32
        /// Index of the result's text in ``ResultCodes/texts``.
        let code: UInt8

        static let unmeasured = Int32.min

        var diameter: Millimetres? { hundredths == Self.unmeasured ? nil : Millimetres(hundredths: Int(hundredths)) }
    }

    /// The evaluator's assessments of the treated patients.
    private struct AssessmentRows {
        var assessments: [AssessmentRow] = []
        /// The id of each of ``assessments``.
        var ids: [Int] = []
        /// The latest assessment of each treated patient by any evaluator, for the last date known alive.
        var lastAssessed: [Int: CalendarDate] = [:]

        /// Position of assessment `id` in ``assessments``. Results usually arrive in the order of their
        /// assessments, so the one after `previous` is tried first; only when that fails is an index by id
        /// built, once.
        func position(of id: Int, after previous: Int?, index: inout [Int: Int]?) -> Int? {
            let guess = previous.map { $0 + 1 } ?? 0
            if guess < ids.count, ids[guess] == id { return guess }
            if index == nil {
                index = Dictionary(uniqueKeysWithValues: zip(ids, ids.indices))
            }
            return index?[id]
        }
    }

    /// The results of the evaluator's assessments, grouped by assessment.
    private struct ResultRuns {
        var results: [StoredResult] = []
        /// Results of assessment `i` are `results[start[i]..<end[i]]`, in lesion order.
        var start: [Int] = []
        var end: [Int] = []

        subscript(assessment: Int) -> ArraySlice<StoredResult> { results[start[assessment]..<end[assessment]] }
    }

    /// The result texts met so far, each turned into a `String` once: a million results use a handful.
    private struct ResultCodes {
        private(set) var texts: [String] = []
        private var bytes: [[UInt8]] = []

        mutating func code(_ value: UnsafeRawBufferPointer) -> Int {
            if let known = bytes.firstIndex(where: { $0.elementsEqual(value) }) { return known }
            bytes.append(Array(value))
            texts.append(String(decoding: value, as: UTF8.self))
            return bytes.count - 1
        }
    }

    /// The statements of a response summary, in the order they are sent and decoded.
    enum Statement: CaseIterable {
        case lines, agents, lesions, assessments, results
    }

    var statements: [Query] { Statement.allCases.map(query) }

    func load() throws -> [TreatedLine] {
        var lines: [LineRow] = []
        var agents: [Int: [String]] = [:]
        var lesions: [LesionRow] = []
        var codes = ResultCodes()
        var assessments = AssessmentRows()
        var results = ResultRuns()
        let order = Statement.allCases
        try connection.pipeline(statements) { index, rows in
            switch order[index] {
            case .lines: lines = try lineRows(rows)
            case .agents: agents = try agentsByLine(rows)
            case .lesions: lesions = try lesionRows(rows)
            case .assessments: assessments = try assessmentRows(rows)
            case .results: results = try resultRuns(rows, assessments: assessments, codes: &codes)
            }
        }
        var policies: [String: ResponsePolicy] = [:]
        for trial in Set(lines.compactMap(\.trialNCT)) {
            policies[trial] = try ResponsePolicyRow.load(trial: trial, on: connection)
        }
        let loaded = LoadedPopulation(
            lines: lines, agents: agents, lesions: lesions, assessments: assessments, results: results, codes: codes,
            policies: policies, evaluator: criteria.evaluator)
        return try loaded.scoreInParallel()
    }

    func query(_ statement: Statement) -> Query {
        var query: Query
        switch statement {
        case .lines:
            query =
                """
                SELECT t.therapy_line_id, t.patient_id, p.registry_id, t.line_number, t.trial_nct,
                    t.started_on - DATE '1970-01-01', t.stopped_on - DATE '1970-01-01', p.death_on - DATE '1970-01-01',
                    greatest(t.started_on, t.stopped_on, p.last_contact_on) - DATE '1970-01-01'
                FROM therapy_lines t
                JOIN patients p ON p.patient_id = t.patient_id
                WHERE true
                """
            query.append(criteria.conditions)
        case .agents:
            query = "SELECT g.therapy_line_id, g.agent_code FROM therapy_line_agents g WHERE g.therapy_line_id IN ("
            query.append(treated("therapy_line_id"))
            query.append(") ORDER BY g.therapy_line_id, g.agent_code")
        case .lesions:
            query =
                """
                SELECT l.lesion_id, l.patient_id, l.evaluator = \(criteria.evaluator.rawValue), l.label, l.lesion_class,
                    l.organ, l.is_lymph_node
                FROM lesions l
                WHERE l.patient_id IN (
                """
            query.append(treated("patient_id"))
            query.append(")")
        case .assessments:
            // Every evaluator's assessments, for the last date known alive.
            query =
                """
                SELECT a.assessment_id, a.patient_id, a.therapy_line_id, a.is_baseline, a.assessed_on - DATE '1970-01-01',
                    a.evaluator = \(criteria.evaluator.rawValue)
                FROM assessments a
                WHERE a.void_reason IS NULL AND a.patient_id IN (
                """
            query.append(treated("patient_id"))
            query.append(")")
        case .results:
            query =
                """
                SELECT r.assessment_id, r.lesion_id, r.result, r.diameter_mm
                FROM assessment_results r
                WHERE r.assessment_id IN (
                    SELECT a.assessment_id FROM assessments a WHERE a.evaluator = \(criteria.evaluator.rawValue) AND a.void_reason IS NULL AND a.patient_id IN (
                """
            query.append(treated("patient_id"))
            query.append("))")
        }
        return query
    }

    /// `FROM therapy_lines t WHERE <filter>` written out rather than as a CTE, so the planner sees the
    /// table's statistics and can flatten the treated lines into a hash join.
    private func treated(_ column: String) -> Query {
        var query: Query = "SELECT t.\(unsafeSQL: column) FROM therapy_lines t WHERE true"
        query.append(criteria.conditions)
        return query
    }

    private func day(_ row: borrowing ResultRow, at index: Int) throws -> CalendarDate {
        CalendarDate(daysSinceEpoch: try row.integer(at: index))
    }

    private func lineRows(_ rows: borrowing ResultRows) throws -> [LineRow] {
        var lines: [LineRow] = []
        lines.reserveCapacity(rows.count)
        try rows.forEach { row in
            lines.append(
                LineRow(
                    id: try row.integer(at: 0), patientID: try row.integer(at: 1),
                    registryID: try row.decode(String.self, at: 2), number: try row.integer(at: 3),
                    trialNCT: try row.decode(String?.self, at: 4), startedOn: try day(row, at: 5),
                    stoppedOn: row.optionalInteger(at: 6).map(CalendarDate.init(daysSinceEpoch:)),
                    deathOn: row.optionalInteger(at: 7).map(CalendarDate.init(daysSinceEpoch:)),
                    lastRecorded: try day(row, at: 8)))
        }
        return lines
    }

    /// Each line's agent codes, in code order.
    private func agentsByLine(_ rows: borrowing ResultRows) throws -> [Int: [String]] {
        var agents: [Int: [String]] = [:]
        agents.reserveCapacity(rows.count)
        try rows.forEach { row in
            agents[try row.integer(at: 0), default: []].append(try row.decode(String.self, at: 1))
        }
        return agents
    }

    private func lesionRows(_ rows: borrowing ResultRows) throws -> [LesionRow] {
        var lesions: [LesionRow] = []
        lesions.reserveCapacity(rows.count)
        try rows.forEach { row in
            lesions.append(
                LesionRow(
                    id: try row.integer(at: 0), patientID: try row.integer(at: 1), isEvaluators: try row.boolean(at: 2),
                    label: LesionID(try row.decode(String.self, at: 3)),
                    storedClass: StoredLesionClass(rawValue: try row.decode(String.self, at: 4)) ?? .new,
                    site: AnatomicSite(try row.decode(String?.self, at: 5) ?? ""), isNode: try row.boolean(at: 6)))
        }
        // Put in patient and row order here rather than by the server: they usually arrive so already.
        if !zip(lesions, lesions.dropFirst()).allSatisfy({ ($0.patientID, $0.id) < ($1.patientID, $1.id) }) {
            lesions.sort { ($0.patientID, $0.id) < ($1.patientID, $1.id) }
        }
        return lesions
    }

    private func assessmentRows(_ rows: borrowing ResultRows) throws -> AssessmentRows {
        var stored = AssessmentRows()
        stored.assessments.reserveCapacity(rows.count)
        stored.ids.reserveCapacity(rows.count)
        // A patient's assessments usually arrive together: the running latest date is kept aside and
        // stored once per run rather than looked up once per row.
        var run: (patientID: Int, last: CalendarDate)? = nil
        func keep(_ run: (patientID: Int, last: CalendarDate)) {
            stored.lastAssessed[run.patientID] = max(stored.lastAssessed[run.patientID] ?? run.last, run.last)
        }
        try rows.forEach { row in
            let patientID = try row.integer(at: 1)
            let date = try day(row, at: 4)
            if let current = run, current.patientID == patientID {
                run = (patientID, max(current.last, date))
            } else {
                if let current = run { keep(current) }
                run = (patientID, date)
            }
            guard try row.boolean(at: 5) else { return }
            stored.ids.append(try row.integer(at: 0))
            stored.assessments.append(
                AssessmentRow(
                    patientID: patientID, lineID: row.optionalInteger(at: 2), isBaseline: try row.boolean(at: 3),
                    date: date))
        }
        if let current = run { keep(current) }
        return stored
    }

    private func resultRuns(
        _ rows: borrowing ResultRows, assessments: AssessmentRows, codes: inout ResultCodes
    ) throws -> ResultRuns {
        var runs = ResultRuns()
        runs.results.reserveCapacity(rows.count)
        runs.start = [Int](repeating: 0, count: assessments.assessments.count)
        runs.end = runs.start
        // Results of one assessment arrive together in practice: the previous row's assessment usually
        // serves, and each run is recorded where it lies. Should an assessment's results be split, a
        // counting sort below regroups them.
        var previous: (id: Int, assessment: Int)? = nil
        var index: [Int: Int]? = nil
        var grouped = true
        try rows.forEach { row in
            let id = try row.integer(at: 0)
            let assessment: Int
            if let previous, previous.id == id {
                assessment = previous.assessment
            } else {
                guard let known = assessments.position(of: id, after: previous?.assessment, index: &index) else {
                    throw PostgresDecodingFailure(
                        "assessment \(id) has results but is not an assessment of the population")
                }
                assessment = known
                if runs.end[assessment] > 0 { grouped = false }
                runs.start[assessment] = runs.results.count
                previous = (id, assessment)
            }
            let code = try row.withUnsafeBytes(at: 2) { value in
                // The schema's check allows a dozen result texts; more than a byte's worth is not registry data.
                guard let value, let code = UInt8(exactly: codes.code(value)) else {
                    throw PostgresDecodingFailure("a result of assessment \(id) has no result the registry writes")
                }
                return code
            }
            let diameter = row.optionalFixedPoint(at: 3, scale: 2)
            guard let hundredths = Int32(exactly: diameter ?? Int(StoredResult.unmeasured)),
                diameter != nil || row.isNull(at: 3)
            else {
                throw PostgresDecodingFailure(
                    "the diameter of a result of assessment \(id) is not in hundredths of a millimetre")
            }
            runs.results.append(
                StoredResult(
                    lesionID: try row.integer(at: 1), assessment: Int32(assessment), hundredths: hundredths, code: code)
            )
            runs.end[assessment] = runs.results.count
        }
        if !grouped { Self.regroup(&runs) }
        for i in runs.start.indices where runs.end[i] - runs.start[i] > 1 {
            let run = runs.results[runs.start[i]..<runs.end[i]]
            if !zip(run, run.dropFirst()).allSatisfy({ $0.lesionID < $1.lesionID }) {
                runs.results[runs.start[i]..<runs.end[i]].sort { $0.lesionID < $1.lesionID }
            }
        }
        return runs
    }

    /// Groups the results by assessment with a counting sort, in linear time.
    private static func regroup(_ runs: inout ResultRuns) {
        var next = [Int](repeating: 0, count: runs.start.count + 1)
        for result in runs.results { next[Int(result.assessment) + 1] += 1 }
        for i in runs.start.indices { next[i + 1] += next[i] }
        runs.start = Array(next.dropLast())
        var sorted = runs.results
        for result in runs.results {
            sorted[next[Int(result.assessment)]] = result
            next[Int(result.assessment)] += 1
        }
        runs.end = Array(next.dropLast())
        runs.results = sorted
    }

    /// Everything the scoring reads, loaded once and then shared read-only by the scoring threads.
    private struct LoadedPopulation: Sendable {
        let lines: [LineRow]
        let agents: [Int: [String]]
        let lesions: [LesionRow]
        let assessments: AssessmentRows
        let results: ResultRuns
        let codes: ResultCodes
        let policies: [String: ResponsePolicy]
        let evaluator: Evaluator
        /// Where each patient's lesions are in `lesions`, which is sorted by patient.
        let lesionsOfPatient: [Int: Range<Int>]
        /// The evaluator's baseline assessments of each patient, in the order they arrived.
        let baselinesOfPatient: [Int: [Int]]
        /// The evaluator's follow-up assessments with results of each treated line, in the order they arrived.
        let followUpsOfLine: [Int: [Int]]

        init(
            lines: [LineRow], agents: [Int: [String]], lesions: [LesionRow], assessments: AssessmentRows,
            results: ResultRuns,
            codes: ResultCodes, policies: [String: ResponsePolicy], evaluator: Evaluator
        ) {
            self.lines = lines
            self.agents = agents
            self.lesions = lesions
            self.assessments = assessments
            self.results = results
            self.codes = codes
            self.policies = policies
            self.evaluator = evaluator
            var ranges: [Int: Range<Int>] = [:]
            var start = lesions.startIndex
            while start < lesions.endIndex {
                var end = start + 1
                while end < lesions.endIndex, lesions[end].patientID == lesions[start].patientID { end += 1 }
                ranges[lesions[start].patientID] = start..<end
                start = end
            }
            lesionsOfPatient = ranges
            let treated = Set(lines.map(\.id))
            var baselines: [Int: [Int]] = [:]
            var followUps: [Int: [Int]] = [:]
            for (i, assessment) in assessments.assessments.enumerated() {
                if assessment.isBaseline {
                    baselines[assessment.patientID, default: []].append(i)
                } else if let lineID = assessment.lineID, treated.contains(lineID), !results[i].isEmpty {
                    followUps[lineID, default: []].append(i)
                }
            }
            baselinesOfPatient = baselines
            followUpsOfLine = followUps
        }

        /// Scores the lines on every core: each line's series is independent of the others'.
        func scoreInParallel() throws -> [TreatedLine] {
            let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 1000))
            let scored = Mutex<[Int: Result<[TreatedLine], any Error>]>([:])
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let range = lines.count * part / parts..<lines.count * (part + 1) / parts
                let outcome = Result { try lines[range].map(score) }
                scored.withLock { $0[part] = outcome }
            }
            return try scored.withLock { outcomes in try (0..<parts).flatMap { try outcomes[$0]!.get() } }
        }

        private func score(_ line: LineRow) throws -> TreatedLine {
            var response: ResponseSeries?
            var refusal: RecistInputError?
            do {
                response = try series(of: line)
            } catch let error as RecistInputError {
                // One record the engine refuses must not stop a report over a population: the line stays
                // treated and is listed as excluded with the engine's reason.
                refusal = error
            }
            let lastAssessed = assessments.lastAssessed[line.patientID] ?? line.lastRecorded
            return TreatedLine(
                registryID: line.registryID, lineNumber: line.number, agents: agents[line.id] ?? [],
                trialNCT: line.trialNCT,
                startedOn: line.startedOn, stoppedOn: line.stoppedOn, deathOn: line.deathOn,
                lastKnownAlive: max(line.lastRecorded, lastAssessed), response: response, refusal: refusal)
        }

        /// The evaluator's scored series of the line; nil without a baseline lesion or a follow-up. Throws
        /// ``RecistInputError`` for stored input the engine refuses, and a decoding failure for rows the
        /// registry never writes.
        private func series(of line: LineRow) throws -> ResponseSeries? {
            guard let baseline = try baseline(of: line.patientID), let timePoints = try followUps(of: line) else {
                return nil
            }
            let policy = line.trialNCT.flatMap { policies[$0] } ?? .recistDefault
            return try ResponseAssessment.evaluate(
                baseline: baseline, timePoints: timePoints, therapyStart: line.startedOn, policy: policy
            ).series(for: evaluator)
        }

        /// The patient's baseline with at least one lesion of the evaluator; the last one recorded wins.
        private func baseline(of patientID: Int) throws -> Baseline? {
            var chosen: Baseline?
            for i in baselinesOfPatient[patientID] ?? [] {
                let measured = results[i]
                var baselineLesions = StoredBaselineLesions()
                for lesion in lesions[lesionsOfPatient[patientID] ?? 0..<0] where lesion.isEvaluators {
                    let diameter = measured.first { $0.lesionID == lesion.id }?.diameter
                    baselineLesions.add(
                        lesion.storedClass, id: lesion.label, site: lesion.site, isNode: lesion.isNode,
                        diameter: diameter)
                }
                guard !baselineLesions.isEmpty else { continue }
                chosen = try baselineLesions.baseline(on: assessments.assessments[i].date)
            }
            return chosen
        }

        /// The line's follow-up time points with results; the engine puts them in date order.
        private func followUps(of line: LineRow) throws -> [TimePoint]? {
            guard let indices = followUpsOfLine[line.id] else { return nil }
            // A patient has a handful of lesions: a scan of them beats hashing every result's lesion id.
            let patientLesions = lesions[lesionsOfPatient[line.patientID] ?? 0..<0]
            return try indices.map { i in
                let stored = results[i]
                var timePoint = TimePoint(date: assessments.assessments[i].date, evaluator: evaluator, results: [])
                timePoint.results.reserveCapacity(stored.count)
                for value in stored {
                    let text = codes.texts[Int(value.code)]
                    guard let finding = StoredFinding.finding(result: text, diameter: value.diameter) else {
                        throw PostgresDecodingFailure("assessment result '\(text)' is not one the registry writes")
                    }
                    guard let lesion = patientLesions.first(where: { $0.id == value.lesionID }) else {
                        throw PostgresDecodingFailure(
                            "an assessment result names lesion \(value.lesionID) of another patient")
                    }
                    timePoint.results.append(LesionResult(lesion: lesion.label, finding: finding))
                }
                return timePoint
            }
        }
    }
}
