import Foundation

/// The Kaplan-Meier (product-limit) estimate of a survival function, with the pointwise and median
/// confidence intervals that sarcoma trials report for progression-free and overall survival.
///
/// Conventions are those of R's `survfit(conf.type = "log-log")` and Python's lifelines, the tools
/// investigators will check a registry report against (the tests compare with lifelines 0.30.3):
/// - Ties: at a time with both events and censorings, the events happen first, so the censored
///   patients are still counted at risk for those events.
/// - Standard error: Greenwood's, SE(S(t)) = S(t) · sqrt(Σ d / (n (n - d))) over event times up to t.
/// - Pointwise interval: the log-log transform, log(-log S(t)) ± z · sqrt(Σ d / (n (n - d))) / |log S(t)|,
///   mapped back, so limits always stay inside [0, 1]. Where S(t) = 1 the interval is [1, 1]; where
///   S(t) = 0 (the last patient at risk had the event) the log-log variance is undefined and the
///   interval collapses to [0, 0], as in lifelines.
/// - Median: the first time S(t) ≤ 0.5, lifelines' rule. When the curve lies exactly on 0.5 over an
///   interval, R's `survfit` and SAS instead report the midpoint of that flat segment, so for such
///   curves this median is the segment's start and is shorter than R's. The first-crossing rule is
///   the textbook inf{t : S(t) ≤ 0.5} and needs no next event to exist.
///   Products such as 9/10 · 7/9 · 5/7 equal 1/2 exactly but can round one unit above it in floating
///   point, so values within 1e-12 of 0.5 count as reaching it.
/// - Median interval (Brookmeyer-Crowley): the times whose pointwise interval contains 0.5. It starts
///   at the first time the *lower* pointwise limit reaches 0.5 and ends at the first time the *upper*
///   limit does; a bound that is never reached is `nil` ("not reached").
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
        /// Lower log-log pointwise confidence limit of `survival`.
        public let lower: Double
        /// Upper log-log pointwise confidence limit of `survival`.
        public let upper: Double
    }

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
            estimate: Self.firstTimeReachingHalf(steps, of: \.survival),
            lower: Self.firstTimeReachingHalf(steps, of: \.lower),
            upper: Self.firstTimeReachingHalf(steps, of: \.upper)
        )
    }

    /// S(t) with its Greenwood standard error and log-log interval, for landmark rates such as the
    /// 6- and 12-month PFS rate (182.625 and 365.25 days).
    ///
    /// - Returns: the estimate at the last step at or before `time` (1 with interval [1, 1] before the
    ///   first step), or `nil` when `time` lies beyond the longest follow-up and the curve has not
    ///   reached 0: no patient was followed that long, so the rate is not estimable rather than the
    ///   last value carried forward (which lifelines would report).
    public func survival(at time: Double) -> SurvivalEstimate? {
        guard !time.isNaN, let last = steps.last else { return nil }
        if time > last.time && last.survival > 0 { return nil }
        let later = firstStepIndex { $0.time > time }
        guard later > steps.startIndex else {
            return SurvivalEstimate(time: time, survival: 1, standardError: 0, lower: 1, upper: 1)
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
    ) -> (lower: Double, upper: Double) {
        if survival <= 0 { return (0, 0) }
        if survival >= 1 { return (1, 1) }
        let cumulativeHazard = -log(survival)
        let halfWidth = z * greenwoodSum.squareRoot() / cumulativeHazard
        return (exp(-cumulativeHazard * exp(halfWidth)), exp(-cumulativeHazard * exp(-halfWidth)))
    }

    private static func firstTimeReachingHalf(_ steps: [Step], of value: KeyPath<Step, Double>) -> Double? {
        steps.first { $0[keyPath: value] <= 0.5 + 1e-12 }?.time
    }
}

/// The median survival time and its confidence interval; `nil` means "not reached" during follow-up.
public struct MedianSurvival: Sendable, Hashable, Codable {
    /// Days until S(t) first reaches 0.5.
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
    /// Lower confidence limit.
    public let lower: Double
    /// Upper confidence limit.
    public let upper: Double
}
