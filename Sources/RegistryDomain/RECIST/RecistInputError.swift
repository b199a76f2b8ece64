/// Why a baseline or an assessment was refused. Nothing is scored from refused input: a response
/// computed from a typing error would look as trustworthy as a real one.
public enum RecistInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The baseline names no target and no non-target lesion.
    case noDiseaseAtBaseline
    /// Two baseline lesions share an identifier.
    case duplicateBaselineLesion(LesionID)
    /// A non-nodal target below 10 mm longest diameter.
    case targetNotMeasurable(LesionID, diameter: Millimetres)
    /// A nodal target below 15 mm short axis.
    case nodeTooSmallForTarget(LesionID, shortAxis: Millimetres)
    /// A non-target node below 10 mm short axis is normal, not disease.
    case nodeNotPathological(LesionID, shortAxis: Millimetres)
    /// A sixth target lesion.
    case tooManyTargets(LesionID, limit: Int)
    /// A third target lesion in one organ (all nodes are one organ).
    case tooManyTargetsInOrgan(LesionID, organ: AnatomicSite, limit: Int)
    /// A negative diameter.
    case negativeDiameter(LesionID, Millimetres, date: CalendarDate)
    /// A diameter over 1000 mm.
    case implausibleDiameter(LesionID, Millimetres, date: CalendarDate)
    /// A result for a lesion identifier that is neither a baseline lesion nor reported as new.
    case unknownLesion(LesionID, date: CalendarDate)
    /// A lesion reported under a class other than the one it was given at baseline.
    case lesionClassChanged(LesionID, baseline: LesionClass, reported: LesionClass, date: CalendarDate)
    /// Two results for one lesion in one time point.
    case duplicateResult(LesionID, date: CalendarDate)
    /// Two time points of one evaluator on the same date.
    case duplicateTimePoint(date: CalendarDate, evaluator: Evaluator)
    /// An assessment dated before the baseline scan.
    case assessmentBeforeBaseline(date: CalendarDate, baseline: CalendarDate)

    /// The one lesion whose record is wrong, where the fault is that lesion's alone: without it the rest of
    /// the series may stand, as `sarcreg lesion add` and `assess record` refuse that lesion and keep the others.
    /// `nil` where the series as a whole is at fault, and for the target counts, where which lesion to drop
    /// is the reader's choice.
    public var faultyLesion: LesionID? {
        switch self {
        case .targetNotMeasurable(let id, _), .nodeTooSmallForTarget(let id, _), .nodeNotPathological(let id, _),
            .negativeDiameter(let id, _, _), .implausibleDiameter(let id, _, _), .unknownLesion(let id, _),
            .lesionClassChanged(let id, _, _, _), .duplicateResult(let id, _), .duplicateBaselineLesion(let id):
            id
        case .noDiseaseAtBaseline, .tooManyTargets, .tooManyTargetsInOrgan, .duplicateTimePoint,
            .assessmentBeforeBaseline:
            nil
        }
    }

    public var description: String {
        switch self {
        case .noDiseaseAtBaseline:
            return "the baseline lists no lesion; record at least one target or non-target lesion"
        case .duplicateBaselineLesion(let id):
            return "lesion \(id) is listed twice at baseline; give each lesion its own identifier"
        case .targetNotMeasurable(let id, let diameter):
            return "target lesion \(id) measures \(diameter) mm at baseline; a target needs a longest diameter "
                + "of at least 10 mm, so record it as a non-target lesion"
        case .nodeTooSmallForTarget(let id, let shortAxis):
            return "target node \(id) has a short axis of \(shortAxis) mm at baseline; a target node needs at "
                + "least 15 mm, nodes of 10 to under 15 mm are non-target lesions"
        case .nodeNotPathological(let id, let shortAxis):
            return "non-target node \(id) has a short axis of \(shortAxis) mm at baseline; nodes under 10 mm are "
                + "normal and are not recorded"
        case .tooManyTargets(let id, let limit):
            return "target lesion \(id) would be target number \(limit + 1); RECIST 1.1 allows at most \(limit) "
                + "target lesions, record the others as non-target lesions"
        case .tooManyTargetsInOrgan(let id, let organ, let limit):
            return "target lesion \(id) would be target number \(limit + 1) in \(organ); RECIST 1.1 allows at most "
                + "\(limit) per organ (all lymph nodes count as one organ), record it as a non-target lesion"
        case .negativeDiameter(let id, let diameter, let date):
            return "lesion \(id) on \(date): diameter \(diameter) mm is negative; correct the measurement"
        case .implausibleDiameter(let id, let diameter, let date):
            return "lesion \(id) on \(date): diameter \(diameter) mm exceeds \(Millimetres.largestPlausible) mm; "
                + "check the unit (millimetres) and the decimal point"
        case .unknownLesion(let id, let date):
            return "time point \(date) reports lesion \(id), which is not a baseline lesion; report a lesion seen "
                + "for the first time as a new lesion"
        case .lesionClassChanged(let id, let baseline, let reported, let date):
            return "time point \(date) reports lesion \(id) as \(reported), but it is a \(baseline) lesion since "
                + "baseline; a lesion's class never changes after baseline"
        case .duplicateResult(let id, let date):
            return "time point \(date) reports lesion \(id) twice; keep one result per lesion"
        case .duplicateTimePoint(let date, let evaluator):
            return "\(evaluator) has two assessments dated \(date); merge them into one time point"
        case .assessmentBeforeBaseline(let date, let baseline):
            return "assessment dated \(date) is before the baseline scan of \(baseline); check the date"
        }
    }
}
