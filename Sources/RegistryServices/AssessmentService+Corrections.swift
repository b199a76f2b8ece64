import PostgresClient
import RegistryDomain

/// A correction of a baseline lesion: what is given replaces the stored value.
public struct LesionAmendment: Sendable {
    /// Organ or location as typed (free text, kept in lower case).
    public var organ: String?
    public var method: ImagingMethod?
    /// The baseline diameter (short axis for a node).
    public var diameter: Millimetres?

    public init(organ: String? = nil, method: ImagingMethod? = nil, diameter: Millimetres? = nil) {
        self.organ = organ
        self.method = method
        self.diameter = diameter
    }
}

/// A follow-up assessment marked void: it stays stored, and reads and reports skip it.
public struct VoidedAssessment: Sendable, Hashable {
    public let registryID: String
    public let evaluator: Evaluator
    public let date: CalendarDate
}

/// Corrections of stored assessments and baseline lesions. Each builds the evaluator's whole series as it
/// would be after the correction and has the RECIST engine score it before anything is written, exactly as
/// a new assessment is checked; the reason goes to the audit log with the old and new rows.
extension AssessmentService {
    /// Replaces the results of the given lesions at one stored follow-up time point.
    public func amend(
        _ registryID: String, date: CalendarDate, evaluator: Evaluator = .investigator,
        results entries: [LesionResultEntry],
        reason reasonText: String?
    ) throws(AssessmentError) -> RecordedAssessment {
        let reason = try input { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        guard !entries.isEmpty else { throw .registry(.input(.missing(field: .result))) }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                let (recorded, index, assessmentID) = try Self.storedFollowUp(
                    patient, evaluator: evaluator, date: date, on: tx)
                var timePoints = recorded.timePoints
                for entry in entries {
                    let finding = entry.finding.finding(baselineClass: recorded.lesions[entry.lesion]?.lesionClass)
                    timePoints[index].results.removeAll { $0.lesion == entry.lesion }
                    timePoints[index].results.append(LesionResult(lesion: entry.lesion, finding: finding))
                }
                guard let line = recorded.line else {
                    throw AssessmentError.noFollowUp(registryID: patient.summary.registryID, evaluator: evaluator)
                }
                let policy = try ResponsePolicyRow.load(trial: line.trialNCT, on: tx)
                let timeline = try ResponseAssessment.evaluate(
                    baseline: recorded.baseline, timePoints: timePoints, therapyStart: line.startedOn, policy: policy)

                try reason.apply(on: tx)
                let corrected = timePoints[index].results.filter { result in
                    entries.contains { $0.lesion == result.lesion }
                }
                try recorded.write(
                    corrected, assessment: assessmentID, patientID: patient.id, evaluator: evaluator, on: tx)
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

    /// Marks one stored follow-up time point void. The series without it is scored first: a void that would
    /// leave a series the engine refuses is itself refused.
    public func void(
        _ registryID: String, date: CalendarDate, evaluator: Evaluator = .investigator, reason reasonText: String?
    )
        throws(AssessmentError) -> VoidedAssessment
    {
        let reason = try input { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                let (recorded, index, assessmentID) = try Self.storedFollowUp(
                    patient, evaluator: evaluator, date: date, on: tx)
                var timePoints = recorded.timePoints
                timePoints.remove(at: index)
                if let line = recorded.line {
                    let policy = try ResponsePolicyRow.load(trial: line.trialNCT, on: tx)
                    _ = try ResponseAssessment.evaluate(
                        baseline: recorded.baseline, timePoints: timePoints, therapyStart: line.startedOn,
                        policy: policy)
                }
                try reason.apply(on: tx)
                try tx.execute(
                    "UPDATE assessments SET void_reason = \(reason.text) WHERE assessment_id = \(assessmentID)")
                return VoidedAssessment(registryID: patient.summary.registryID, evaluator: evaluator, date: date)
            }
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// Corrects a baseline lesion's organ, imaging method or baseline diameter; the baseline is rebuilt and
    /// the evaluator's series scored again before anything is written.
    public func amendLesion(
        _ registryID: String, lesion label: LesionID, evaluator: Evaluator = .investigator,
        _ amendment: LesionAmendment,
        reason reasonText: String?
    ) throws(AssessmentError) -> BaselineUpdate {
        let reason = try input { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        let organ = amendment.organ?.trimmingCharacters(in: .whitespaces).lowercased()
        if let organ, organ.isEmpty { throw .registry(.input(.missing(field: .organ))) }
        let method = amendment.method
        let diameter = amendment.diameter
        guard organ != nil || method != nil || diameter != nil else {
            throw .registry(.input(.missingAny(fields: [.organ, .method, .diameter])))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                guard let recorded = try RecordedSeries.load(patientID: patient.id, evaluator: evaluator, on: tx) else {
                    throw AssessmentError.noBaseline(registryID: patient.summary.registryID, evaluator: evaluator)
                }
                guard let stored = recorded.lesions[label], stored.lesionClass != .new else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "baseline lesion \(label) read by \(evaluator)")
                }
                let site = organ.map { AnatomicSite($0) }
                let targets = recorded.baseline.targets.map { target in
                    target.id != label
                        ? target
                        : TargetLesion(
                            id: label, site: site ?? target.site, isLymphNode: target.isLymphNode,
                            baselineDiameter: diameter ?? target.baselineDiameter)
                }
                let nonTargets = recorded.baseline.nonTargets.map { lesion in
                    lesion.id != label
                        ? lesion
                        : NonTargetLesion(
                            id: label, site: site ?? lesion.site, isLymphNode: lesion.isLymphNode,
                            baselineDiameter: diameter ?? lesion.baselineDiameter)
                }
                let baseline = try Baseline(date: recorded.baseline.date, targets: targets, nonTargets: nonTargets)
                if let line = recorded.line {
                    let policy = try ResponsePolicyRow.load(trial: line.trialNCT, on: tx)
                    _ = try ResponseAssessment.evaluate(
                        baseline: baseline, timePoints: recorded.timePoints, therapyStart: line.startedOn,
                        policy: policy)
                }
                try reason.apply(on: tx)
                if organ != nil || method != nil {
                    try tx.execute(
                        """
                        UPDATE lesions SET organ = coalesce(\(organ), organ), imaging_method = coalesce(\(method?.rawValue), imaging_method)
                        WHERE lesion_id = \(stored.rowID)
                        """)
                }
                if let diameter {
                    try tx.execute(
                        """
                        UPDATE assessment_results SET diameter_mm = \(diameter)
                        WHERE assessment_id = \(recorded.baselineAssessmentID) AND lesion_id = \(stored.rowID)
                        """)
                }
                return BaselineUpdate(
                    registryID: patient.summary.registryID, evaluator: evaluator, lesion: label, baseline: baseline)
            }
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// The evaluator's series, the index of the follow-up dated `date` in it, and that assessment's row.
    private static func storedFollowUp(
        _ patient: PatientRow, evaluator: Evaluator, date: CalendarDate, on tx: Connection
    ) throws
        -> (RecordedSeries, Int, Int)
    {
        guard let recorded = try RecordedSeries.load(patientID: patient.id, evaluator: evaluator, on: tx) else {
            throw AssessmentError.noBaseline(registryID: patient.summary.registryID, evaluator: evaluator)
        }
        if date == recorded.baseline.date {
            throw RegistryError.correctionTargetIsBaseline(
                registryID: patient.summary.registryID, evaluator: evaluator.description, date: date)
        }
        let rows = try tx.query(
            """
            SELECT assessment_id FROM assessments
            WHERE patient_id = \(patient.id) AND evaluator = \(evaluator.rawValue) AND assessed_on = \(date)
                AND NOT is_baseline AND void_reason IS NULL
            """)
        guard let row = rows.first, let index = recorded.timePoints.firstIndex(where: { $0.date == date }) else {
            throw RegistryError.correctionTargetNotFound(
                registryID: patient.summary.registryID, record: "follow-up assessment on \(date) read by \(evaluator)")
        }
        return (recorded, index, try row.decode(Int.self, "assessment_id"))
    }
}
