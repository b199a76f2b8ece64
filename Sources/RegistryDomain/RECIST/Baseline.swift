/// The baseline assessment: the lesions every later time point is scored against.
///
/// Only a valid baseline can be built, so the response engine never meets an unmeasurable target
/// or a sixth target lesion.
public struct Baseline: Sendable, Hashable {
    public static let maximumTargets = 5
    public static let maximumTargetsPerOrgan = 2
    /// Smallest longest diameter of a non-nodal target on CT/MRI ([E09] §3.1.1).
    public static let minimumTargetDiameter = Millimetres(10)
    /// Smallest short axis of a nodal target.
    public static let minimumTargetNodeShortAxis = Millimetres(15)
    /// Smallest short axis of a pathological node; below it a node is normal.
    public static let minimumPathologicalNodeShortAxis = Millimetres(10)

    public let date: CalendarDate
    public let targets: [TargetLesion]
    public let nonTargets: [NonTargetLesion]
    /// Sum of the targets' longest diameters and nodal short axes.
    public let sumOfDiameters: Millimetres

    public init(
        date: CalendarDate, targets: [TargetLesion], nonTargets: [NonTargetLesion] = []
    )
        throws(RecistInputError)
    {
        guard !targets.isEmpty || !nonTargets.isEmpty else { throw .noDiseaseAtBaseline }
        var seen = Set<LesionID>()
        var perOrgan: [AnatomicSite: Int] = [:]
        var sum = Millimetres.zero
        for (index, target) in targets.enumerated() {
            guard seen.insert(target.id).inserted else { throw .duplicateBaselineLesion(target.id) }
            try Self.checkPlausible(target.id, target.baselineDiameter, date: date)
            if target.isLymphNode {
                guard target.baselineDiameter >= Self.minimumTargetNodeShortAxis else {
                    throw .nodeTooSmallForTarget(target.id, shortAxis: target.baselineDiameter)
                }
            } else {
                guard target.baselineDiameter >= Self.minimumTargetDiameter else {
                    throw .targetNotMeasurable(target.id, diameter: target.baselineDiameter)
                }
            }
            guard index < Self.maximumTargets else { throw .tooManyTargets(target.id, limit: Self.maximumTargets) }
            let inOrgan = perOrgan[target.organ, default: 0] + 1
            guard inOrgan <= Self.maximumTargetsPerOrgan else {
                throw .tooManyTargetsInOrgan(target.id, organ: target.organ, limit: Self.maximumTargetsPerOrgan)
            }
            perOrgan[target.organ] = inOrgan
            sum = sum + target.baselineDiameter
        }
        for lesion in nonTargets {
            guard seen.insert(lesion.id).inserted else { throw .duplicateBaselineLesion(lesion.id) }
            guard let diameter = lesion.baselineDiameter else { continue }
            try Self.checkPlausible(lesion.id, diameter, date: date)
            if lesion.isLymphNode, diameter < Self.minimumPathologicalNodeShortAxis {
                throw .nodeNotPathological(lesion.id, shortAxis: diameter)
            }
        }
        self.date = date
        self.targets = targets
        self.nonTargets = nonTargets
        sumOfDiameters = sum
    }

    /// Whether target disease exists; without it, time points are scored by Table 2.
    public var hasTargetDisease: Bool { !targets.isEmpty }

    static func checkPlausible(
        _ id: LesionID, _ diameter: Millimetres, date: CalendarDate
    )
        throws(RecistInputError)
    {
        if diameter < .zero { throw .negativeDiameter(id, diameter, date: date) }
        if diameter > .largestPlausible { throw .implausibleDiameter(id, diameter, date: date) }
    }
}
