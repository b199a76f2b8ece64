/// An observed proportion of patients, such as the objective response rate (ORR, CR + PR) or the
/// disease control rate (DCR, CR + PR + SD), with its exact binomial confidence interval.
///
/// The interval is Clopper-Pearson's, the one sarcoma trials publish (AMPECT's ORR 12/31, 95% CI
/// 22–58%), so a registry report can be set side by side with the literature. It is conservative:
/// its coverage is at least the nominal level for every true rate, which matters for the small
/// cohorts of rare histologies where approximate intervals undercover.
///
/// ```swift
/// let orr = try ProportionEstimate(count: 12, total: 31)
/// // orr.proportion ≈ 0.387, orr.lower ≈ 0.218, orr.upper ≈ 0.578
/// ```
public struct ProportionEstimate: Sendable, Hashable, Codable {
    /// Patients with the outcome (k), for example responders.
    public let count: Int
    /// Evaluable patients (n).
    public let total: Int
    /// count / total.
    public let proportion: Double
    /// Lower confidence limit, the (1 - level)/2 quantile of Beta(k, n - k + 1); 0 when k = 0.
    public let lower: Double
    /// Upper confidence limit, the (1 + level)/2 quantile of Beta(k + 1, n - k); 1 when k = n.
    public let upper: Double
    /// Two-sided confidence level, for example 0.95.
    public let level: Double

    /// Estimates `count` out of `total` with a two-sided Clopper-Pearson interval at `level`.
    ///
    /// - Throws: ``StatisticsError`` when a count is negative, `total` is 0, `count` exceeds
    ///   `total`, or `level` is not strictly between 0 and 1.
    public init(count: Int, total: Int, level: Double = 0.95) throws(StatisticsError) {
        guard count >= 0 else { throw .negativeCount(count) }
        guard total >= 0 else { throw .negativeTotal(total) }
        guard total > 0 else { throw .emptyTotal }
        guard count <= total else { throw .countExceedsTotal(count: count, total: total) }
        guard level > 0 && level < 1 else { throw .confidenceLevelOutOfRange(level) }

        let tail = (1 - level) / 2
        let k = Double(count)
        let n = Double(total)
        self.count = count
        self.total = total
        self.level = level
        self.proportion = k / n
        self.lower = count == 0 ? 0 : BetaDistribution.quantile(tail, a: k, b: n - k + 1)
        self.upper = count == total ? 1 : BetaDistribution.quantile(1 - tail, a: k + 1, b: n - k)
    }
}
