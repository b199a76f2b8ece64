import Foundation

/// The Kaplan-Meier (product-limit) estimate of a survival function, with the pointwise and median
/// confidence intervals that sarcoma trials report for progression-free and overall survival.
///
/// Conventions are those of R's `survival` package, `survfit(conf.type = "log-log")` with `quantile()` and
/// `summary(times =)`, the tool investigators check a registry report against (the tests compare with
/// survival 3.5-3 on R 4.2.2, `Scripts/reference/kaplan_meier.R`):
/// - Ties: at a time with both events and censorings, the events happen first, so the censored
///   patients are still counted at risk for those events.
/// - Standard error: Greenwood's, SE(S(t)) = S(t) · sqrt(Σ d / (n (n - d))) over event times up to t.
/// - Pointwise interval: the log-log transform, log(-log S(t)) ± z · sqrt(Σ d / (n (n - d))) / |log S(t)|,
///   mapped back, so limits always stay inside [0, 1]. Where S(t) = 1 (no event yet) or S(t) = 0 (the
///   last patient at risk had the event) log(-log S) is infinite and there is no interval: the limits
///   are `nil`, "not estimable", as R's `NA`.
/// - Median: R's `quantile.survfit` rule. It is the first time S(t) < 0.5; where the curve lies on 0.5
///   (within sqrt(machine epsilon), as R) over an interval, it is the midpoint of that interval, from the
///   time S reaches 0.5 to the next time it falls, or to the end of follow-up when it never falls again.
///   Products such as 9/10 · 7/9 · 5/7 equal 1/2 exactly but round one unit above it in floating point,
///   which the tolerance absorbs.
/// - Median interval (Brookmeyer-Crowley): the same rule applied to the lower and the upper pointwise
///   limits, skipping times without an interval; a bound that is never reached is `nil` ("not
///   reached"). So when the last patient at risk has the event, the upper limit of the median is not
///   reached, as R says, rather than that last time.
/// - Rates: S(t) at a landmark within follow-up; beyond the longest follow-up no patient was observed,
///   so the rate is not estimable (`nil`), even when the curve has reached 0 (R's `summary(times =)`).
///
/// ```swift
/// let pfs = try KaplanMeierCurve(observations: [
///     SurvivalObservation(time: 84, event: true),
///     SurvivalObservation(time: 120, event: false),
/// ])
/// let sixMonths = pfs.survival(at: 182.625)
/// ```
public struct KaplanMeierCurve: Sendable, Hashable, Codable {
    /// The estimate at one distinct follow-up time, event or censoring.
    public struct Step: Sendable, Hashable, Codable {
        /// Days from the start of follow-up.
        public let time: Double
        /// Patients still followed just before `time` (their follow-up time is `time` or later).
        public let atRisk: Int
        /// Events observed at `time`.
        public let events: Int
        /// Patients censored at `time`.
        public let censored: Int
        /// S(time), including the events at `time`.
        public let survival: Double
        /// Greenwood standard error of `survival`.
        public let standardError: Double
        /// Lower log-log pointwise confidence limit of `survival`; nil where S is 0 or 1.
        public let lower: Double?
        /// Upper log-log pointwise confidence limit of `survival`; nil where S is 0 or 1.
        public let upper: Double?
    }

    /// The conventions above in a report reader's words, for the population text of a report.
    public static let conventions =
        "Kaplan-Meier estimates follow R's survival package (survfit, log-log 95% intervals): the median is the "
        + "first time survival falls below 50%, or the midpoint of the interval where it equals 50%; where "
        + "survival is 100% or 0% there is no log-log interval (not estimable), so when the last patient at risk "
        + "has the event the median's upper limit is not reached (NR); a rate at a time beyond the longest "
        + "follow-up is not estimable."

    /// Two-sided confidence level of every interval on the curve, for example 0.95.
    public let level: Double
    /// One step per distinct follow-up time, in increasing time.
    public let steps: [Step]
    /// Median survival time with its Brookmeyer-Crowley interval.
    public let median: MedianSurvival

    /// Estimates the survival function of `observations` with intervals at `level`.
    ///
    /// - Throws: ``StatisticsError/noObservations`` for an empty input, so that a report cannot print
    ///   "median not reached" for a cohort without patients; ``StatisticsError/invalidFollowUpTime(index:time:)``
    ///   for a negative or non-finite time; ``StatisticsError/confidenceLevelOutOfRange(_:)``.
    public init(observations: [SurvivalObservation], level: Double = 0.95) throws(StatisticsError) {
        guard level > 0 && level < 1 else { throw .confidenceLevelOutOfRange(level) }
        guard !observations.isEmpty else { throw .noObservations }
        for (index, observation) in observations.enumerated()
        where !(observation.time.isFinite && observation.time >= 0) {
            throw .invalidFollowUpTime(index: index, time: observation.time)
        }

        let z = StandardNormal.quantile((1 + level) / 2)
        let ordered = observations.sorted { $0.time < $1.time }
        var steps: [Step] = []
        var atRisk = ordered.count
        var survival = 1.0
        var greenwoodSum = 0.0
        var position = ordered.startIndex
        while position < ordered.endIndex {
            let time = ordered[position].time
            var events = 0
            var censored = 0
            while position < ordered.endIndex && ordered[position].time == time {
                if ordered[position].event { events += 1 } else { censored += 1 }
                position += 1
            }
            if events > 0 {
                survival *= Double(atRisk - events) / Double(atRisk)
                if events < atRisk {
                    greenwoodSum += Double(events) / (Double(atRisk) * Double(atRisk - events))
                }
            }
            let interval = Self.logLogInterval(survival: survival, greenwoodSum: greenwoodSum, z: z)
            steps.append(
                Step(
                    time: time,
                    atRisk: atRisk,
                    events: events,
                    censored: censored,
                    survival: survival,
                    standardError: survival * greenwoodSum.squareRoot(),
                    lower: interval.lower,
                    upper: interval.upper
                )
            )
            atRisk -= events + censored
        }

        self.level = level
        self.steps = steps
        self.median = MedianSurvival(
            estimate: Self.medianTime(steps) { $0.survival },
            lower: Self.medianTime(steps) { $0.lower },
            upper: Self.medianTime(steps) { $0.upper }
        )
    }

    /// S(t) with its Greenwood standard error and log-log interval, for landmark rates such as the
    /// 6- and 12-month PFS rate (182.625 and 365.25 days).
    ///
    /// - Returns: the estimate at the last step at or before `time` (1 without an interval before the
    ///   first step), or `nil` when `time` lies beyond the longest follow-up: no patient was followed
    ///   that long, so the rate is not estimable rather than the last value carried forward, even a 0
    ///   (a 12-month DoR rate is not "0.0% (0.0-0.0)" when every response ended within 6 months).
    public func survival(at time: Double) -> SurvivalEstimate? {
        guard !time.isNaN, let last = steps.last, time <= last.time else { return nil }
        let later = firstStepIndex { $0.time > time }
        guard later > steps.startIndex else {
            return SurvivalEstimate(time: time, survival: 1, standardError: 0, lower: nil, upper: nil)
        }
        let step = steps[later - 1]
        return SurvivalEstimate(
            time: time,
            survival: step.survival,
            standardError: step.standardError,
            lower: step.lower,
            upper: step.upper
        )
    }

    /// Patients at risk at each of `times` (follow-up time at or after it), for the numbers printed
    /// under a Kaplan-Meier plot.
    public func numberAtRisk(at times: [Double]) -> [Int] {
        times.map { time in
            let index = firstStepIndex { $0.time >= time }
            return index < steps.endIndex ? steps[index].atRisk : 0
        }
    }

    /// Index of the first step satisfying `isAtOrPast` (`steps.endIndex` if none), found by bisection
    /// because steps are in increasing time and `isAtOrPast` is a threshold on time.
    private func firstStepIndex(where isAtOrPast: (Step) -> Bool) -> Int {
        var low = steps.startIndex
        var high = steps.endIndex
        while low < high {
            let middle = (low + high) / 2
            if isAtOrPast(steps[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private static func logLogInterval(
        survival: Double,
        greenwoodSum: Double,
        z: Double
    ) -> (lower: Double?, upper: Double?) {
        guard survival > 0 && survival < 1 else { return (nil, nil) }
        let cumulativeHazard = -log(survival)
        let halfWidth = z * greenwoodSum.squareRoot() / cumulativeHazard
        return (exp(-cumulativeHazard * exp(halfWidth)), exp(-cumulativeHazard * exp(-halfWidth)))
    }

    /// R's tolerance for "S equals 0.5" (`quantile.survfit`'s default, sqrt of the double epsilon).
    private static let halfTolerance = Double.ulpOfOne.squareRoot()

    /// The time `value` reaches 0.5, by R survival's `findq` on the points (0, 1) and (time, value),
    /// with y = 1 - value: repeated values are dropped, keeping their first time; times without a value
    /// are skipped. The first time y ≥ 0.5 - tol and the first time y ≥ 0.5 + tol are averaged, so a
    /// crossing gives its time and a flat 0.5 gives the midpoint up to the next fall; a flat 0.5 that
    /// lasts to the end averages with the last follow-up time.
    private static func medianTime(_ steps: [Step], of value: (Step) -> Double?) -> Double? {
        let half = 0.5
        var points: [(time: Double, y: Double?)] = []
        var seen: Set<Double?> = []
        for (time, y) in [(0.0, 0.0 as Double?)] + steps.map({ ($0.time, value($0).map { 1 - $0 }) })
        where seen.insert(y).inserted {
            points.append((time, y))
        }
        let known = points.compactMap { point in point.y.map { (time: point.time, y: $0) } }
        guard let highest = known.map(\.y).max(), highest >= half else { return nil }
        guard let reaching = known.first(where: { $0.y + halfTolerance >= half }) else { return nil }
        if let last = points.last?.y, abs(half - last) < halfTolerance, let end = steps.last?.time {
            return (reaching.time + end) / 2
        }
        guard let below = known.first(where: { $0.y - halfTolerance >= half }) else { return nil }
        return (reaching.time + below.time) / 2
    }
}

/// The median survival time and its confidence interval; `nil` means "not reached" during follow-up.
public struct MedianSurvival: Sendable, Hashable, Codable {
    /// Days until S(t) falls below 0.5, or the midpoint of the interval where it equals 0.5.
    public let estimate: Double?
    /// Lower confidence limit in days.
    public let lower: Double?
    /// Upper confidence limit in days; often `nil` in small or immature cohorts.
    public let upper: Double?
}

/// The survival probability at one landmark time, with its Greenwood standard error and log-log
/// confidence interval at the curve's level.
public struct SurvivalEstimate: Sendable, Hashable, Codable {
    /// The landmark, in days.
    public let time: Double
    /// S(time).
    public let survival: Double
    /// Greenwood standard error of `survival`.
    public let standardError: Double
    /// Lower confidence limit; nil (not estimable) where S is 0 or 1.
    public let lower: Double?
    /// Upper confidence limit; nil (not estimable) where S is 0 or 1.
    public let upper: Double?
}
