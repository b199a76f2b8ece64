import RegistryDomain

/// A patient's assessments written as days after the start of therapy, so each test reads like the
/// clinical example it encodes.
struct RecistScenario {
    /// Start of the therapy line; every `day` below counts from it.
    static let therapyStart = CalendarDate(year: 2024, month: 1, day: 8)!

    var baseline: Baseline
    var policy = ResponsePolicy.recistDefault
    var timePoints: [TimePoint] = []

    static func day(_ offset: Int) -> CalendarDate {
        therapyStart.adding(days: offset)
    }

    /// Baseline scan four days before therapy, targets each in their own organ unless given.
    init(targets: [TargetLesion], nonTargets: [NonTargetLesion] = []) throws {
        baseline = try Baseline(date: Self.day(-4), targets: targets, nonTargets: nonTargets)
    }

    /// Targets "T1", "T2", ... in organs "organ 1", "organ 2", ... with the given diameters in mm.
    init(targetDiameters: [Int], nonTargets: [String] = []) throws {
        try self.init(
            targets: targetDiameters.enumerated().map { index, diameter in
                TargetLesion(
                    id: LesionID("T\(index + 1)"), site: AnatomicSite("organ \(index + 1)"),
                    baselineDiameter: Millimetres(diameter))
            },
            nonTargets: nonTargets.map { NonTargetLesion(id: LesionID($0), site: "elsewhere") })
    }

    mutating func assess(day offset: Int, _ results: [LesionResult], by evaluator: Evaluator = .investigator) {
        timePoints.append(TimePoint(date: Self.day(offset), evaluator: evaluator, results: results))
    }

    func series(_ evaluator: Evaluator = .investigator) throws -> ResponseSeries {
        let timeline = try ResponseAssessment.evaluate(
            baseline: baseline, timePoints: timePoints, therapyStart: Self.therapyStart, policy: policy)
        guard let series = timeline.series(for: evaluator) else { throw ScenarioError.noSeries(evaluator) }
        return series
    }

    func overall() throws -> [TimePointResponse] {
        try series().evaluations.map(\.overall)
    }

    enum ScenarioError: Error {
        case noSeries(Evaluator)
    }
}

/// Millimetres from a decimal literal written as text, so no binary floating point is involved.
func mm(_ text: String) -> Millimetres {
    guard let value = Millimetres(text) else { preconditionFailure("test literal \(text) is not a diameter") }
    return value
}
