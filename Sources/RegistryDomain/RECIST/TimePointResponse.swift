/// A RECIST 1.1 response category at one time point ([E09] §4.3-4.4, Tables 1 and 2).
public enum TimePointResponse: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case completeResponse = "CR"
    case partialResponse = "PR"
    case stableDisease = "SD"
    /// Non-target disease only, neither gone nor progressing. Preferred to "SD", which RECIST
    /// reserves for measurable disease.
    case nonCompleteNonProgression = "NON-CR/NON-PD"
    case progressiveDisease = "PD"
    case notEvaluable = "NE"

    public var description: String { rawValue }

    /// Order for an unconfirmed best overall response: CR > PR > SD > NON-CR/NON-PD > PD > NE.
    var rank: Int {
        switch self {
        case .completeResponse: 5
        case .partialResponse: 4
        case .stableDisease: 3
        case .nonCompleteNonProgression: 2
        case .progressiveDisease: 1
        case .notEvaluable: 0
        }
    }

    var isResponse: Bool { self == .completeResponse || self == .partialResponse }
}

/// The target-lesion response and the arithmetic that decided it.
public struct TargetResponse: Sendable, Hashable {
    public let response: TimePointResponse
    public let rule: TargetRule
}

/// The comparison that decided a target response, rendered in words a reader can check by hand.
///
/// The numbers are kept, not the sentence, so that scoring a time point costs no string work; the
/// sentence is built when ``description`` is read.
public enum TargetRule: Sendable, Hashable, CustomStringConvertible {
    /// Every non-nodal target 0 mm and every target node under 10 mm.
    case complete(sum: Millimetres)
    /// Sum at least 20 % and at least 5 mm above the nadir.
    case progression(sum: Millimetres, nadir: Millimetres)
    /// Some targets unmeasured, but the measured ones alone are already PD against the nadir.
    case progressionDespiteMissing(measuredSum: Millimetres, nadir: Millimetres, missing: [LesionID])
    /// Sum at least 30 % below the baseline sum.
    case partial(sum: Millimetres, baseline: Millimetres)
    /// Above the PR threshold but not PD, after a PR was established (policy ``ContinuingPartialResponse``).
    case continuingPartial(sum: Millimetres, baseline: Millimetres, nadir: Millimetres, establishedOn: CalendarDate)
    /// Neither PR against baseline nor PD against nadir.
    case stable(sum: Millimetres, baseline: Millimetres, nadir: Millimetres)
    /// Some targets unmeasured and the measured ones do not prove PD.
    case notEvaluable(measuredSum: Millimetres, nadir: Millimetres, missing: [LesionID])

    public var description: String {
        switch self {
        case .complete(let sum):
            return "CR: every non-nodal target 0 mm and every target node < 10 mm short axis (sum \(sum) mm)"
        case .progression(let sum, let nadir):
            return "PD: sum \(sum) mm >= 1.2 x nadir \(nadir) mm and \(Self.signed(sum - nadir)) mm"
        case .progressionDespiteMissing(let sum, let nadir, let missing):
            return "PD: the measured targets alone sum \(sum) mm >= 1.2 x nadir \(nadir) mm and "
                + "\(Self.signed(sum - nadir)) mm, whatever \(Self.list(missing)) (not measured) would add"
        case .partial(let sum, let baseline):
            return "PR: sum \(sum) mm <= 0.7 x baseline \(baseline) mm (\(Self.change(from: baseline, to: sum)))"
        case .continuingPartial(let sum, let baseline, let nadir, let established):
            return "PR (continuing): sum \(sum) mm is \(Self.change(from: baseline, to: sum)) from baseline "
                + "\(baseline) mm and not PD against nadir \(nadir) mm; PR established on \(established)"
        case .stable(let sum, let baseline, let nadir):
            return "SD: sum \(sum) mm > 0.7 x baseline \(baseline) mm (\(Self.change(from: baseline, to: sum))) "
                + "and not both >= 1.2 x nadir \(nadir) mm and +5 mm (\(Self.signed(sum - nadir)) mm)"
        case .notEvaluable(let sum, let nadir, let missing):
            return "NE: \(Self.list(missing)) not measured, and the measured targets' sum \(sum) mm does not "
                + "reach both 1.2 x nadir \(nadir) mm and +5 mm"
        }
    }

    static func signed(_ value: Millimetres) -> String {
        value < .zero ? "\(value)" : "+\(value)"
    }

    static func change(from reference: Millimetres, to value: Millimetres) -> String {
        PercentChange(from: reference, to: value).map(\.description) ?? "no percentage from 0 mm"
    }

    static func list(_ lesions: [LesionID]) -> String {
        (lesions.count == 1 ? "target " : "targets ") + lesions.map(\.rawValue).joined(separator: ", ")
    }
}

/// The non-target response and the lesion that decided it.
public struct NonTargetResponse: Sendable, Hashable {
    public let response: TimePointResponse
    public let rule: NonTargetRule
}

public enum NonTargetRule: Sendable, Hashable, CustomStringConvertible {
    case complete
    case progression(LesionID)
    case notEvaluated(LesionID)
    case persisting(LesionID)

    public var description: String {
        switch self {
        case .complete: "CR: every non-target lesion absent (nodes < 10 mm)"
        case .progression(let id): "PD: unequivocal progression of non-target lesion \(id)"
        case .notEvaluated(let id): "NE: non-target lesion \(id) not evaluated"
        case .persisting(let id): "NON-CR/NON-PD: non-target lesion \(id) still present"
        }
    }
}

/// The row of RECIST Table 1 or 2, or the overriding finding, that gave the overall response.
public enum TimePointRule: Sendable, Hashable, CustomStringConvertible {
    case unequivocalNewLesion(LesionID)
    /// The scan where a new lesion was first seen, equivocally, once a later scan confirmed it.
    case equivocalNewLesionConfirmed(LesionID, confirmedOn: CalendarDate)
    case targetProgression(TargetRule)
    case nonTargetProgression(NonTargetRule)
    /// Disease seen again after an overall CR, under ``ReappearanceAfterCompleteResponse/progression``.
    case reappearanceAfterCompleteResponse(completeResponseOn: CalendarDate)
    /// An overall CR re-classified PR when disease was seen again, under
    /// ``ReappearanceAfterCompleteResponse/reclassifyAsPartialResponse``.
    case completeResponseReclassified(diseaseSeenOn: CalendarDate)
    case table1(TimePointResponse, target: TargetResponse, nonTarget: NonTargetResponse?)
    case table2(TimePointResponse, nonTarget: NonTargetResponse)

    public var description: String {
        switch self {
        case .unequivocalNewLesion(let id):
            return "PD: unequivocal new lesion \(id)"
        case .equivocalNewLesionConfirmed(let id, let confirmed):
            return "PD: new lesion \(id), equivocal on this scan, was confirmed on \(confirmed); progression "
                + "is dated to this first appearance"
        case .targetProgression(let rule):
            return "PD (target lesions) - \(rule)"
        case .nonTargetProgression(let rule):
            return "PD (non-target lesions) - \(rule)"
        case .reappearanceAfterCompleteResponse(let date):
            return "PD: disease seen again after the overall CR of \(date) (RECIST Table 3 footnote a)"
        case .completeResponseReclassified(let date):
            return "PR: CR re-classified as residual disease because disease was seen again on \(date) "
                + "(RECIST Table 3 footnote a)"
        case .table1(let overall, let target, let nonTarget):
            let nonTargetText = nonTarget.map { "non-target \($0.response)" } ?? "no non-target lesion"
            return "\(overall) by RECIST Table 1 (target \(target.response), \(nonTargetText), no unequivocal "
                + "new lesion) - \(target.rule)"
        case .table2(let overall, let nonTarget):
            return "\(overall) by RECIST Table 2 (non-target disease only, no unequivocal new lesion) - "
                + "\(nonTarget.rule)"
        }
    }
}

/// How a PD time point was found, in the four ways RECIST 1.1 allows; a waterfall of the change from
/// baseline shows only one of them directly (target growth measured from a baseline nadir), so a report
/// names the way for the others.
public enum ProgressionBasis: String, Sendable, Hashable, Codable, CaseIterable {
    /// An unequivocal new lesion, or an equivocal one a later scan confirmed.
    case newLesion = "new lesion"
    /// The target sum at least 20 % and 5 mm above its nadir, which may lie below the baseline.
    case targetGrowthFromNadir = "target growth from nadir"
    /// Unequivocal progression of non-target disease.
    case nonTarget = "non-target progression"
    /// Disease seen again after an overall CR.
    case reappearanceAfterCompleteResponse = "disease seen again after CR"
}

extension TimePointRule {
    /// The way this rule found PD; nil for a rule that gave another response.
    public var progressionBasis: ProgressionBasis? {
        switch self {
        case .unequivocalNewLesion, .equivocalNewLesionConfirmed: .newLesion
        case .targetProgression: .targetGrowthFromNadir
        case .nonTargetProgression: .nonTarget
        case .reappearanceAfterCompleteResponse: .reappearanceAfterCompleteResponse
        case .completeResponseReclassified, .table1, .table2: nil
        }
    }
}

/// Everything computed for one time point of one evaluator.
public struct TimePointEvaluation: Sendable, Hashable {
    public let date: CalendarDate
    public let evaluator: Evaluator
    /// Sum of the measured targets' diameters; `nil` without target disease. When targets are
    /// missing it is the partial sum.
    public let sumOfDiameters: Millimetres?
    /// Whether every target was measured, so that the sum may become a nadir.
    public let allTargetsMeasured: Bool
    public let baselineSum: Millimetres
    /// Smallest complete sum before this time point, baseline included.
    public let nadir: Millimetres
    /// `nil` without target disease.
    public let target: TargetResponse?
    /// `nil` when no non-target lesion was recorded at baseline.
    public let nonTarget: NonTargetResponse?
    /// The most certain new-lesion finding on this scan, if any.
    public let newLesion: NewLesionState?
    public internal(set) var overall: TimePointResponse
    public internal(set) var rule: TimePointRule
    /// Assessments after the first progression are scored but do not count toward the best response.
    public internal(set) var isAfterProgression: Bool

    public var percentChangeFromBaseline: PercentChange? {
        guard allTargetsMeasured, let sum = sumOfDiameters else { return nil }
        return PercentChange(from: baselineSum, to: sum)
    }

    public var percentChangeFromNadir: PercentChange? {
        guard allTargetsMeasured, let sum = sumOfDiameters else { return nil }
        return PercentChange(from: nadir, to: sum)
    }
}
