import PostgresClient
import RegistryDomain

/// A reader's stored series that the RECIST engine refuses, with the engine's reason.
public struct RefusedSeries: Sendable, Hashable {
    public let patientID: Int
    public let registryID: String
    public let evaluator: String
    /// The lesion at fault (``RecistInputError/faultyLesion``), or `nil` when the series as a whole is.
    public let lesion: String?
    public let reason: String
}

/// Scores stored series in bulk the way `response show` scores one: the reader's baseline lesions with their
/// baseline results, the follow-ups against the line they assess, under that line's trial policy. An import
/// runs it on every series it touched before it keeps anything, so that nothing it stores can make
/// `response show` or a report refuse the patient afterwards.
public enum StoredSeriesCheck {
    /// Series per batch: two queries each, so memory stays bounded however many series an import touched.
    static let batchSize = 2_000

    /// The series of the (`patient_id`, `evaluator`) pairs that `pairs` selects which the engine refuses.
    /// A pair without a baseline assessment is not a series yet and is not scored. Runs inside the caller's
    /// transaction. `pairs` is SQL text from the caller's code, never from data.
    public static func refused(
        pairs: String, on connection: Connection, progress: (_ scored: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> [RefusedSeries] {
        try connection.execute(
            Query(
                unsafeSQL: """
                    CREATE TEMP TABLE series_check_pairs ON COMMIT DROP AS
                    SELECT row_number() OVER (ORDER BY patient_id, evaluator) AS n, patient_id, evaluator FROM (\(pairs)) p
                    """))
        defer { _ = try? connection.execute("DROP TABLE IF EXISTS series_check_pairs") }
        // Unanalyzed, a fresh temp table is planned as a few rows; at an import's tens of thousands of series
        // the batches' joins would then be nested loops.
        try connection.execute("ANALYZE series_check_pairs")
        let count = try connection.query("SELECT count(*) AS n FROM series_check_pairs")[0].decode(Int.self, "n")
        var refused: [RefusedSeries] = []
        var policies: [String: ResponsePolicy] = [:]
        var first = 1
        while first <= count {
            progress(first - 1, count)
            let last = first + batchSize - 1
            var series = try baselines(from: first, to: last, on: connection)
            try addFollowUps(to: &series, from: first, to: last, on: connection)
            for (key, stored) in series.sorted(by: { $0.key < $1.key }) {
                if let refusal = try stored.refusal(policies: &policies, on: connection) {
                    refused.append(
                        RefusedSeries(
                            patientID: key.patientID, registryID: stored.registryID, evaluator: key.evaluator,
                            lesion: refusal.lesion?.rawValue, reason: refusal.reason))
                }
            }
            first = last + 1
        }
        return refused
    }

    struct SeriesKey: Hashable, Comparable {
        let patientID: Int
        let evaluator: String

        static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
            (lhs.patientID, lhs.evaluator) < (rhs.patientID, rhs.evaluator)
        }
    }

    /// One reader's stored lesions and time points, as ``RecordedSeries`` holds them for one patient.
    struct StoredSeries {
        let registryID: String
        let baselineDate: CalendarDate
        var lesions = StoredBaselineLesions()
        /// Targets without a measured diameter at the baseline assessment (no result, or one not done): the
        /// engine would read them as 0 mm and give a misleading reason.
        var unmeasuredTargets: [LesionID] = []
        var timePoints: [TimePoint] = []
        var line: (startedOn: CalendarDate, trialNCT: String?)?
        var unreadable: String?

        func refusal(
            policies: inout [String: ResponsePolicy], on connection: Connection
        ) throws
            -> (lesion: LesionID?, reason: String)?
        {
            if let unreadable { return (nil, unreadable) }
            if let target = unmeasuredTargets.first {
                return (
                    target,
                    "target lesion \(target) has no measured diameter at the baseline assessment of \(baselineDate); a target is measured at baseline"
                )
            }
            do {
                let baseline = try lesions.baseline(on: baselineDate)
                guard let line else { return nil }
                let policy: ResponsePolicy
                if let trial = line.trialNCT {
                    if policies[trial] == nil {
                        policies[trial] = try ResponsePolicyRow.load(trial: trial, on: connection)
                    }
                    policy = policies[trial] ?? .recistDefault
                } else {
                    policy = .recistDefault
                }
                _ = try ResponseAssessment.evaluate(
                    baseline: baseline, timePoints: timePoints, therapyStart: line.startedOn, policy: policy)
                return nil
            } catch let refusal as RecistInputError {
                return (refusal.faultyLesion, refusal.description)
            }
        }
    }

    private static func baselines(
        from first: Int, to last: Int, on connection: Connection
    ) throws -> [SeriesKey: StoredSeries] {
        var series: [SeriesKey: StoredSeries] = [:]
        let rows = try connection.query(
            """
            SELECT k.patient_id, p.registry_id, k.evaluator, b.assessed_on, l.label, l.lesion_class, l.organ, l.is_lymph_node, r.diameter_mm
            FROM series_check_pairs k
            JOIN patients p ON p.patient_id = k.patient_id
            JOIN assessments b ON b.patient_id = k.patient_id AND b.evaluator = k.evaluator AND b.is_baseline
            JOIN lesions l ON l.patient_id = k.patient_id AND l.evaluator = k.evaluator
            LEFT JOIN assessment_results r ON r.lesion_id = l.lesion_id AND r.assessment_id = b.assessment_id
            WHERE k.n BETWEEN \(first) AND \(last)
            ORDER BY k.patient_id, k.evaluator, l.lesion_id
            """)
        for row in rows {
            let key = SeriesKey(
                patientID: try row.decode(Int.self, "patient_id"), evaluator: try row.decode(String.self, "evaluator"))
            var stored =
                try series[key]
                ?? StoredSeries(
                    registryID: row.decode(String.self, "registry_id"),
                    baselineDate: row.decode(CalendarDate.self, "assessed_on"))
            let id = LesionID(try row.decode(String.self, "label"))
            let lesionClass = StoredLesionClass(rawValue: try row.decode(String.self, "lesion_class")) ?? .new
            let diameter = try row.decode(Millimetres?.self, "diameter_mm")
            if lesionClass == .target, diameter == nil {
                stored.unmeasuredTargets.append(id)
            }
            stored.lesions.add(
                lesionClass, id: id, site: AnatomicSite(try row.decode(String?.self, "organ") ?? ""),
                isNode: try row.decode(Bool.self, "is_lymph_node"), diameter: diameter)
            series[key] = stored
        }
        return series
    }

    private static func addFollowUps(
        to series: inout [SeriesKey: StoredSeries], from first: Int, to last: Int, on connection: Connection
    )
        throws
    {
        let rows = try connection.query(
            """
            SELECT k.patient_id, k.evaluator, a.assessment_id, a.assessed_on, t.started_on, t.trial_nct, l.label, r.result, r.diameter_mm
            FROM series_check_pairs k
            JOIN assessments a ON a.patient_id = k.patient_id AND a.evaluator = k.evaluator AND NOT a.is_baseline AND a.void_reason IS NULL
            JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
            JOIN assessment_results r ON r.assessment_id = a.assessment_id
            JOIN lesions l ON l.lesion_id = r.lesion_id
            WHERE k.n BETWEEN \(first) AND \(last)
            ORDER BY k.patient_id, k.evaluator, a.assessed_on, l.lesion_id
            """)
        var currentAssessment: Int?
        for row in rows {
            let evaluator = try row.decode(String.self, "evaluator")
            let key = SeriesKey(patientID: try row.decode(Int.self, "patient_id"), evaluator: evaluator)
            guard var stored = series[key] else { continue }
            let assessment = try row.decode(Int.self, "assessment_id")
            if assessment != currentAssessment {
                currentAssessment = assessment
                stored.timePoints.append(
                    TimePoint(
                        date: try row.decode(CalendarDate.self, "assessed_on"), evaluator: Evaluator(evaluator),
                        results: []))
                if stored.line == nil {
                    stored.line = (
                        try row.decode(CalendarDate.self, "started_on"), try row.decode(String?.self, "trial_nct")
                    )
                }
            }
            let result = try row.decode(String.self, "result")
            if let finding = StoredFinding.finding(
                result: result, diameter: try row.decode(Millimetres?.self, "diameter_mm"))
            {
                stored.timePoints[stored.timePoints.count - 1].results.append(
                    LesionResult(lesion: LesionID(try row.decode(String.self, "label")), finding: finding))
            } else {
                stored.unreadable = "a stored result '\(result)' is not one the registry writes"
            }
            series[key] = stored
        }
    }
}
