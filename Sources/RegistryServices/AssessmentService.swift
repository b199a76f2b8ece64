import Foundation
import PostgresClient
import RegistryDomain

/// A lesion chosen at baseline, as a coordinator submits it, read with the domain's parsers.
public struct LesionSubmission: Sendable {
    /// The reader's identifier, e.g. `T1`, `NT2`.
    public var lesion: LesionID
    /// Target or non-target; a lesion first seen after baseline is reported at its follow-up instead.
    public var lesionClass: LesionClass
    /// Organ or location as typed (free text, kept in lower case).
    public var organ: String
    public var isLymphNode: Bool
    public var method: ImagingMethod
    /// Longest diameter (short axis for a node); required for a target, optional for a non-target node.
    public var diameter: Millimetres?
    /// Date of the baseline scan; every baseline lesion of one evaluator shares it.
    public var date: CalendarDate
    public var evaluator: Evaluator

    public init(
        lesion: LesionID, lesionClass: LesionClass, organ: String, isLymphNode: Bool = false, method: ImagingMethod,
        diameter: Millimetres? = nil, date: CalendarDate, evaluator: Evaluator = .investigator
    ) {
        self.lesion = lesion
        self.lesionClass = lesionClass
        self.organ = organ
        self.isLymphNode = isLymphNode
        self.method = method
        self.diameter = diameter
        self.date = date
        self.evaluator = evaluator
    }
}

/// One lesion's result at a follow-up: `T1` = 25 mm, disappeared, present, unequivocal...
public struct LesionResultEntry: Sendable, Hashable {
    public var lesion: LesionID
    public var finding: ReportedFinding

    public init(lesion: LesionID, finding: ReportedFinding) {
        self.lesion = lesion
        self.finding = finding
    }

    /// Reads a result as typed, `T1` and `25`, with the domain's parsers; the lesion is named as the result's.
    public static func parse(lesion: String, value: String) throws(RegistryInputError) -> LesionResultEntry {
        let id = try LesionID.parse(lesion, field: .result)
        return LesionResultEntry(lesion: id, finding: try ReportedFinding.parse(value, lesion: id))
    }
}

/// Every lesion result of one time point of one evaluator, recorded together.
public struct AssessmentSubmission: Sendable {
    public var date: CalendarDate
    public var evaluator: Evaluator
    /// nil takes the therapy line in progress on the assessment date.
    public var lineNumber: Int?
    public var results: [LesionResultEntry]

    public init(
        date: CalendarDate, evaluator: Evaluator = .investigator, lineNumber: Int? = nil, results: [LesionResultEntry]
    ) {
        self.date = date
        self.evaluator = evaluator
        self.lineNumber = lineNumber
        self.results = results
    }
}

/// An evaluator's baseline after a lesion was added to it.
public struct BaselineUpdate: Sendable {
    public let registryID: String
    public let evaluator: Evaluator
    public let lesion: LesionID
    public let baseline: Baseline
}

/// A recorded time point and how the engine scored it at the time of recording.
public struct RecordedAssessment: Sendable {
    public let registryID: String
    public let evaluator: Evaluator
    public let lineNumber: Int
    public let evaluation: TimePointEvaluation
}

/// Why a lesion or an assessment was refused.
public enum AssessmentError: Error, WordedMessage {
    case registry(RegistryError)
    /// The RECIST engine refused the baseline or the time point built from the submission.
    case recist(RecistInputError)
    case noBaseline(registryID: String, evaluator: Evaluator)
    case baselineDateDiffers(lesion: LesionID, date: CalendarDate, baseline: CalendarDate, evaluator: Evaluator)
    case baselineClosed(lesion: LesionID, evaluator: Evaluator, firstFollowUp: CalendarDate)
    case noTherapyLine(registryID: String, date: CalendarDate)
    case therapyLineChanged(evaluator: Evaluator, line: Int, seriesLine: Int)
    case noFollowUp(registryID: String, evaluator: Evaluator)

    public func message(_ wording: Wording) -> String {
        switch self {
        case .registry(let error): error.message(wording)
        case .recist(let error): error.description
        case .noBaseline(let id, let evaluator):
            "\(id) has no baseline read by \(evaluator); add its lesions first with \(wording.step(.addLesions))"
        case .baselineDateDiffers(let lesion, let date, let baseline, let evaluator):
            "lesion \(lesion) dated \(date), but the baseline read by \(evaluator) is dated \(baseline); "
                + "all baseline lesions of one reader share the baseline date"
        case .baselineClosed(let lesion, let evaluator, let first):
            "lesion \(lesion) cannot join the baseline read by \(evaluator): follow-up assessments exist since "
                + "\(first), and target lesions are fixed at baseline; report a lesion seen later as a new lesion"
        case .noTherapyLine(let id, let date):
            "\(id) has no therapy line started on or before \(date); start one with \(wording.step(.startTherapyLine)) or pass \(wording.field(.line))"
        case .therapyLineChanged(let evaluator, let line, let seriesLine):
            "\(wording.field(.line)) \(line): the assessments read by \(evaluator) since baseline assess therapy line \(seriesLine); "
                + "one baseline is followed on one therapy line"
        case .noFollowUp(let id, let evaluator):
            "\(id) has no follow-up assessment read by \(evaluator) yet; record one with \(wording.step(.recordAssessment))"
        }
    }

    static func wrap(_ error: any Error) -> AssessmentError {
        switch error {
        case let error as AssessmentError: error
        case let error as RecistInputError: .recist(error)
        default: .registry(RegistryError.wrap(error))
        }
    }
}

/// Tumor assessments: the lesions chosen at baseline and the results of each later time point.
///
/// Every submission is checked by building the RECIST engine's own inputs (the baseline, and the
/// evaluator's whole series with the new time point) and scoring them; only what the engine accepts
/// is written, so a stored series always scores.
public struct AssessmentService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    /// Adds a target or non-target lesion to an evaluator's baseline (created by its first lesion).
    public func addLesion(
        _ registryID: String, _ submission: LesionSubmission
    ) throws(AssessmentError)
        -> BaselineUpdate
    {
        let label = submission.lesion
        let lesionClass = submission.lesionClass
        guard lesionClass != .new else {
            throw .registry(
                .input(
                    .notAllowed(
                        field: .lesionClass, value: lesionClass.rawValue, allowed: LesionClass.baselineAllowedValues)))
        }
        let method = submission.method
        let organ = submission.organ.trimmingCharacters(in: .whitespaces).lowercased()
        guard !organ.isEmpty else { throw .registry(.input(.missing(field: .organ))) }
        let date = submission.date
        let evaluator = submission.evaluator
        let diameter = submission.diameter
        if lesionClass == .target, diameter == nil { throw .registry(.input(.missing(field: .diameter))) }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                try patient.validate(date, field: .date, today: today)
                try patient.timeline(on: tx).check(date, field: .date)
                let recorded = try RecordedSeries.load(patientID: patient.id, evaluator: evaluator, on: tx)
                var targets: [TargetLesion] = []
                var nonTargets: [NonTargetLesion] = []
                if let recorded {
                    guard recorded.baseline.date == date else {
                        throw AssessmentError.baselineDateDiffers(
                            lesion: label, date: date, baseline: recorded.baseline.date, evaluator: evaluator)
                    }
                    if let first = recorded.timePoints.first {
                        throw AssessmentError.baselineClosed(
                            lesion: label, evaluator: evaluator, firstFollowUp: first.date)
                    }
                    if let known = recorded.lesions[label], known.lesionClass != lesionClass {
                        throw RecistInputError.lesionClassChanged(
                            label, baseline: known.lesionClass, reported: lesionClass, date: date)
                    }
                    targets = recorded.baseline.targets
                    nonTargets = recorded.baseline.nonTargets
                }
                if lesionClass == .target, let diameter {
                    targets.append(
                        TargetLesion(
                            id: label, site: AnatomicSite(organ), isLymphNode: submission.isLymphNode,
                            baselineDiameter: diameter))
                } else {
                    nonTargets.append(
                        NonTargetLesion(
                            id: label, site: AnatomicSite(organ), isLymphNode: submission.isLymphNode,
                            baselineDiameter: diameter))
                }
                let baseline = try Baseline(date: date, targets: targets, nonTargets: nonTargets)

                let baselineAssessment: Int
                if let existing = recorded?.baselineAssessmentID {
                    baselineAssessment = existing
                } else {
                    let rows = try tx.query(
                        """
                        INSERT INTO assessments (patient_id, evaluator, assessed_on, is_baseline)
                        VALUES (\(patient.id), \(evaluator.rawValue), \(date), true) RETURNING assessment_id
                        """)
                    baselineAssessment = try rows[0].decode(Int.self, "assessment_id")
                }
                let stored = StoredLesionClass(lesionClass)
                let lesionRows = try tx.query(
                    """
                    INSERT INTO lesions (patient_id, evaluator, label, lesion_class, organ, is_lymph_node, imaging_method)
                    VALUES (\(patient.id), \(evaluator.rawValue), \(label.rawValue), \(stored.rawValue), \(organ),
                        \(submission.isLymphNode), \(method.rawValue))
                    RETURNING lesion_id
                    """)
                let lesionRow = try lesionRows[0].decode(Int.self, "lesion_id")
                let result = lesionClass == .target ? "measured" : "present"
                try tx.execute(
                    """
                    INSERT INTO assessment_results (patient_id, assessment_id, lesion_id, lesion_class, result, diameter_mm)
                    VALUES (\(patient.id), \(baselineAssessment), \(lesionRow), \(stored.rawValue), \(result), \(diameter))
                    """)
                return BaselineUpdate(
                    registryID: patient.summary.registryID, evaluator: evaluator, lesion: label, baseline: baseline)
            }
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// Records all lesion results of one time point of one evaluator, or nothing.
    ///
    /// The evaluator's stored series plus this time point is scored by the engine first, so an unknown
    /// lesion, a negative or implausible size, a lesion reported under another class, a duplicate
    /// result or a date before baseline refuses the whole assessment.
    public func record(
        _ registryID: String, _ submission: AssessmentSubmission
    ) throws(AssessmentError)
        -> RecordedAssessment
    {
        let date = submission.date
        let evaluator = submission.evaluator
        guard !submission.results.isEmpty else { throw .registry(.input(.missing(field: .result))) }
        if let line = submission.lineNumber, !(1...30).contains(line) {
            throw .registry(.input(.outOfRange(field: .line, value: "\(line)", range: "1 to 30")))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                try patient.validate(date, field: .date, today: today)
                try patient.timeline(on: tx).check(date, field: .date)
                guard let recorded = try RecordedSeries.load(patientID: patient.id, evaluator: evaluator, on: tx) else {
                    throw AssessmentError.noBaseline(registryID: patient.summary.registryID, evaluator: evaluator)
                }
                // Checked before the therapy line is looked up, which a date before baseline would also fail
                // less clearly. The baseline is itself an assessment of this evaluator on its date.
                if date < recorded.baseline.date {
                    throw RecistInputError.assessmentBeforeBaseline(date: date, baseline: recorded.baseline.date)
                }
                if date == recorded.baseline.date {
                    throw RecistInputError.duplicateTimePoint(date: date, evaluator: evaluator)
                }
                let line = try TherapyLineReference.resolve(
                    patientID: patient.id, registryID: patient.summary.registryID, number: submission.lineNumber,
                    date: date, on: tx)
                if let seriesLine = recorded.line, seriesLine.id != line.id {
                    throw AssessmentError.therapyLineChanged(
                        evaluator: evaluator, line: line.number, seriesLine: seriesLine.number)
                }
                var results: [LesionResult] = []
                for entry in submission.results {
                    let finding = entry.finding.finding(baselineClass: recorded.lesions[entry.lesion]?.lesionClass)
                    results.append(LesionResult(lesion: entry.lesion, finding: finding))
                }
                let timePoint = TimePoint(date: date, evaluator: evaluator, results: results)
                let policy = try ResponsePolicyRow.load(trial: line.trialNCT, on: tx)
                let timeline = try ResponseAssessment.evaluate(
                    baseline: recorded.baseline, timePoints: recorded.timePoints + [timePoint],
                    therapyStart: line.startedOn, policy: policy)

                let rows = try tx.query(
                    """
                    INSERT INTO assessments (patient_id, evaluator, assessed_on, therapy_line_id)
                    VALUES (\(patient.id), \(evaluator.rawValue), \(date), \(line.id)) RETURNING assessment_id
                    """)
                let assessment = try rows[0].decode(Int.self, "assessment_id")
                try recorded.write(results, assessment: assessment, patientID: patient.id, evaluator: evaluator, on: tx)
                guard let evaluation = timeline.series(for: evaluator)?.evaluations.first(where: { $0.date == date })
                else {
                    throw AssessmentError.noFollowUp(registryID: patient.summary.registryID, evaluator: evaluator)
                }
                return RecordedAssessment(
                    registryID: patient.summary.registryID, evaluator: evaluator, lineNumber: line.number,
                    evaluation: evaluation)
            }
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// Reads an optional reader's name with the domain's parser; nil is the investigator.
    static func evaluator(_ text: String?) throws(AssessmentError) -> Evaluator {
        guard let text else { return .investigator }
        return try input { () throws(RegistryInputError) in try Evaluator.parse(text) }
    }
}

/// Runs a pure check, turning its error into ``AssessmentError``.
func input<T>(_ body: () throws(RegistryInputError) -> T) throws(AssessmentError) -> T {
    do {
        return try body()
    } catch {
        throw .registry(.input(error))
    }
}

/// The class as the database spells it (`non_target`, where the engine says `non-target`).
/// A reader's baseline lesions as they come out of the database, sorted into the engine's targets and
/// non-targets; lesions first seen after baseline (class `new`) are not part of it.
struct StoredBaselineLesions {
    private(set) var targets: [TargetLesion] = []
    private(set) var nonTargets: [NonTargetLesion] = []

    var isEmpty: Bool { targets.isEmpty && nonTargets.isEmpty }

    mutating func add(
        _ stored: StoredLesionClass, id: LesionID, site: AnatomicSite, isNode: Bool, diameter: Millimetres?
    ) {
        switch stored {
        case .target:
            targets.append(TargetLesion(id: id, site: site, isLymphNode: isNode, baselineDiameter: diameter ?? .zero))
        case .nonTarget:
            nonTargets.append(NonTargetLesion(id: id, site: site, isLymphNode: isNode, baselineDiameter: diameter))
        case .new:
            break
        }
    }

    func baseline(on date: CalendarDate) throws(RecistInputError) -> Baseline {
        try Baseline(date: date, targets: targets, nonTargets: nonTargets)
    }
}

enum StoredLesionClass: String {
    case target
    case nonTarget = "non_target"
    case new

    init(_ lesionClass: LesionClass) {
        switch lesionClass {
        case .target: self = .target
        case .nonTarget: self = .nonTarget
        case .new: self = .new
        }
    }

    var lesionClass: LesionClass {
        switch self {
        case .target: .target
        case .nonTarget: .nonTarget
        case .new: .new
        }
    }
}

/// One result as the assessment_results table stores it.
struct StoredFinding {
    let lesionClass: StoredLesionClass
    let result: String
    let diameter: Millimetres?

    init(_ finding: LesionResult.Finding) {
        lesionClass = StoredLesionClass(finding.lesionClass)
        switch finding {
        case .target(.measured(let value)): (result, diameter) = ("measured", value)
        case .target(.tooSmallToMeasure): (result, diameter) = ("too_small_to_measure", nil)
        case .target(.disappeared): (result, diameter) = ("disappeared", nil)
        case .target(.notDone): (result, diameter) = ("not_done", nil)
        case .nonTarget(let state): (result, diameter) = (state.rawValue.replacingOccurrences(of: " ", with: "_"), nil)
        case .new(let state): (result, diameter) = (state.rawValue, nil)
        }
    }

    /// The finding of a stored row; `nil` for a row the schema's checks would not have let in.
    static func finding(result: String, diameter: Millimetres?) -> LesionResult.Finding? {
        switch result {
        case "measured": diameter.map { .target(.measured($0)) }
        case "too_small_to_measure": .target(.tooSmallToMeasure)
        case "disappeared": .target(.disappeared)
        case "not_done": .target(.notDone)
        case "equivocal": .new(.equivocal)
        case "unequivocal": .new(.unequivocal)
        default: NonTargetState(rawValue: result.replacingOccurrences(of: "_", with: " ")).map { .nonTarget($0) }
        }
    }
}

/// An evaluator's stored baseline and follow-up time points, as the engine takes them.
struct RecordedSeries {
    struct StoredLesion {
        let rowID: Int
        let lesionClass: LesionClass
    }

    let baselineAssessmentID: Int
    let baseline: Baseline
    /// Every lesion of the evaluator by label, new lesions included.
    let lesions: [LesionID: StoredLesion]
    /// Follow-ups in date order.
    let timePoints: [TimePoint]
    /// The therapy line the follow-ups assess; nil before the first follow-up.
    let line: TherapyLineReference?

    /// nil when the evaluator has no baseline for this patient.
    static func load(patientID: Int, evaluator: Evaluator, on connection: Connection) throws -> RecordedSeries? {
        let baselineRows = try connection.query(
            """
            SELECT assessment_id, assessed_on FROM assessments
            WHERE patient_id = \(patientID) AND evaluator = \(evaluator.rawValue) AND is_baseline
            """)
        guard let baselineRow = baselineRows.first else { return nil }
        let baselineID = try baselineRow.decode(Int.self, "assessment_id")
        let baselineDate = try baselineRow.decode(CalendarDate.self, "assessed_on")

        var lesions: [LesionID: StoredLesion] = [:]
        var baselineLesions = StoredBaselineLesions()
        let lesionRows = try connection.query(
            """
            SELECT l.lesion_id, l.label, l.lesion_class, l.organ, l.is_lymph_node, r.diameter_mm
            FROM lesions l
            LEFT JOIN assessment_results r ON r.lesion_id = l.lesion_id AND r.assessment_id = \(baselineID)
            WHERE l.patient_id = \(patientID) AND l.evaluator = \(evaluator.rawValue)
            ORDER BY l.lesion_id
            """)
        for row in lesionRows {
            let id = LesionID(try row.decode(String.self, "label"))
            let stored = StoredLesionClass(rawValue: try row.decode(String.self, "lesion_class")) ?? .new
            lesions[id] = StoredLesion(rowID: try row.decode(Int.self, "lesion_id"), lesionClass: stored.lesionClass)
            let site = AnatomicSite(try row.decode(String?.self, "organ") ?? "")
            let isNode = try row.decode(Bool.self, "is_lymph_node")
            let diameter = try row.decode(Millimetres?.self, "diameter_mm")
            baselineLesions.add(stored, id: id, site: site, isNode: isNode, diameter: diameter)
        }
        let baseline = try baselineLesions.baseline(on: baselineDate)

        let resultRows = try connection.query(
            """
            SELECT a.assessment_id, a.assessed_on, a.therapy_line_id, t.line_number, t.started_on, t.trial_nct,
                l.label, r.result, r.diameter_mm
            FROM assessments a
            JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
            JOIN assessment_results r ON r.assessment_id = a.assessment_id
            JOIN lesions l ON l.lesion_id = r.lesion_id
            WHERE a.patient_id = \(patientID) AND a.evaluator = \(evaluator.rawValue) AND NOT a.is_baseline AND a.void_reason IS NULL
            ORDER BY a.assessed_on, l.lesion_id
            """)
        var timePoints: [TimePoint] = []
        var currentAssessment: Int?
        var line: TherapyLineReference?
        for row in resultRows {
            let assessment = try row.decode(Int.self, "assessment_id")
            if assessment != currentAssessment {
                currentAssessment = assessment
                timePoints.append(
                    TimePoint(date: try row.decode(CalendarDate.self, "assessed_on"), evaluator: evaluator, results: [])
                )
                if line == nil {
                    line = TherapyLineReference(
                        id: try row.decode(Int.self, "therapy_line_id"),
                        number: try row.decode(Int.self, "line_number"),
                        startedOn: try row.decode(CalendarDate.self, "started_on"),
                        trialNCT: try row.decode(String?.self, "trial_nct"))
                }
            }
            let result = try row.decode(String.self, "result")
            guard
                let finding = StoredFinding.finding(
                    result: result, diameter: try row.decode(Millimetres?.self, "diameter_mm"))
            else {
                throw PostgresDecodingFailure("assessment result '\(result)' is not one the registry writes")
            }
            timePoints[timePoints.count - 1].results.append(
                LesionResult(lesion: LesionID(try row.decode(String.self, "label")), finding: finding))
        }
        return RecordedSeries(
            baselineAssessmentID: baselineID, baseline: baseline, lesions: lesions, timePoints: timePoints, line: line)
    }

    /// Writes results of one stored assessment, adding the row of a lesion first seen in them; a lesion's
    /// earlier result at that assessment is replaced, which is how a correction writes.
    func write(
        _ results: [LesionResult], assessment: Int, patientID: Int, evaluator: Evaluator, on connection: Connection
    ) throws {
        for result in results {
            let stored = StoredFinding(result.finding)
            let lesionRow: Int
            if let known = lesions[result.lesion] {
                lesionRow = known.rowID
            } else {
                let inserted = try connection.query(
                    """
                    INSERT INTO lesions (patient_id, evaluator, label, lesion_class)
                    VALUES (\(patientID), \(evaluator.rawValue), \(result.lesion.rawValue), \(stored.lesionClass.rawValue))
                    RETURNING lesion_id
                    """)
                lesionRow = try inserted[0].decode(Int.self, "lesion_id")
            }
            try connection.execute(
                """
                INSERT INTO assessment_results (patient_id, assessment_id, lesion_id, lesion_class, result, diameter_mm)
                VALUES (\(patientID), \(assessment), \(lesionRow), \(stored.lesionClass.rawValue), \(stored.result), \(stored.diameter))
                ON CONFLICT (assessment_id, lesion_id) DO UPDATE SET result = EXCLUDED.result, diameter_mm = EXCLUDED.diameter_mm
                """)
        }
    }
}

/// The therapy line a series of assessments is scored against.
struct TherapyLineReference {
    let id: Int
    let number: Int
    let startedOn: CalendarDate
    let trialNCT: String?

    /// The line asked for, or the latest line started on or before the assessment date.
    static func resolve(
        patientID: Int, registryID: String, number: Int?, date: CalendarDate, on connection: Connection
    )
        throws -> TherapyLineReference
    {
        var query: Query =
            "SELECT therapy_line_id, line_number, started_on, trial_nct FROM therapy_lines WHERE patient_id = \(patientID)"
        if let number {
            query.append(" AND line_number = \(number)")
        } else {
            query.append(" AND started_on <= \(date) ORDER BY started_on DESC, line_number DESC LIMIT 1")
        }
        guard let row = try connection.query(query).first else {
            if let number { throw RegistryError.therapyLineNotFound(registryID: registryID, line: number) }
            throw AssessmentError.noTherapyLine(registryID: registryID, date: date)
        }
        return TherapyLineReference(
            id: try row.decode(Int.self, "therapy_line_id"), number: try row.decode(Int.self, "line_number"),
            startedOn: try row.decode(CalendarDate.self, "started_on"),
            trialNCT: try row.decode(String?.self, "trial_nct"))
    }
}
