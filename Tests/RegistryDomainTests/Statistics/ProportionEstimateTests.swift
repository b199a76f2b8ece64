import Foundation
import Testing

@testable import RegistryDomain

@Suite("Exact (Clopper-Pearson) confidence intervals for response rates")
struct ProportionEstimateTests {
    /// Rounds a proportion to the whole percent a publication prints.
    private func percent(_ value: Double) -> Int {
        Int((value * 100).rounded())
    }

    @Test(
        "rule: the 95% interval reproduces published sarcoma ORR intervals (AMPECT 12/31 is 22–58%)",
        arguments: [
            (count: 12, total: 31, lower: 22, upper: 58),
            (count: 6, total: 9, lower: 30, upper: 93),
            (count: 41, total: 55, lower: 61, upper: 85),
        ]
    )
    func publishedIntervals(count: Int, total: Int, lower: Int, upper: Int) throws {
        let estimate = try ProportionEstimate(count: count, total: total)
        #expect(percent(estimate.lower) == lower)
        #expect(percent(estimate.upper) == upper)
        #expect(estimate.proportion == Double(count) / Double(total))
        #expect(estimate.level == 0.95)
    }

    @Test("rule: limits equal SciPy's beta quantiles to 1e-6 for 200 random (k, n) pairs, k = 0 and k = n included")
    func matchesSciPy() throws {
        let table = try ReferenceTable(fixture: "clopper_pearson_scipy.csv")
        #expect(table.rows.count == 200)
        var largestDifference = 0.0
        for row in table.rows {
            let count = try #require(row.number("k").map(Int.init))
            let total = try #require(row.number("n").map(Int.init))
            let lower = try #require(row.number("lower"))
            let upper = try #require(row.number("upper"))
            let estimate = try ProportionEstimate(count: count, total: total)
            #expect(abs(estimate.lower - lower) < 1e-6, "lower limit of \(count)/\(total)")
            #expect(abs(estimate.upper - upper) < 1e-6, "upper limit of \(count)/\(total)")
            largestDifference = max(largestDifference, abs(estimate.lower - lower), abs(estimate.upper - upper))
        }
        #expect(largestDifference < 1e-10)
    }

    /// With no responders, I_x(1, n) = 1 - (1 - x)^n, so the upper limit solves (1 - p)^n = α/2:
    /// p = 1 - (α/2)^(1/n). With every patient responding, the lower limit is (α/2)^(1/n) by symmetry.
    /// For 0/10 at 95%: 1 - 0.025^(1/10) = 0.3085, the familiar "0 of 10, upper bound 31%".
    @Test(
        "rule: 0/n and n/n have the closed-form limits 1 - (α/2)^(1/n) and (α/2)^(1/n) (0/10 responders: 0–31%)",
        arguments: [(10, 0.95), (10, 0.90), (3, 0.99), (250, 0.95)]
    )
    func closedFormAtTheEdges(total: Int, level: Double) throws {
        let tail = (1 - level) / 2
        let none = try ProportionEstimate(count: 0, total: total, level: level)
        #expect(none.lower == 0)
        #expect(abs(none.upper - (1 - pow(tail, 1 / Double(total)))) < 1e-12)

        let all = try ProportionEstimate(count: total, total: total, level: level)
        #expect(all.upper == 1)
        #expect(abs(all.lower - pow(tail, 1 / Double(total))) < 1e-12)
    }

    /// For 1 of 2 the lower limit solves I_x(1, 2) = 1 - (1 - x)^2 = 0.025, so x = 1 - sqrt(0.975),
    /// and by symmetry the upper limit is sqrt(0.975): 0.0126–0.9874.
    @Test("rule: 1 responder of 2 patients has the interval 1 - sqrt(0.975) to sqrt(0.975)")
    func oneOfTwo() throws {
        let estimate = try ProportionEstimate(count: 1, total: 2)
        #expect(abs(estimate.lower - (1 - 0.975.squareRoot())) < 1e-12)
        #expect(abs(estimate.upper - 0.975.squareRoot()) < 1e-12)
    }

    @Test("rule: a narrower level gives a narrower interval around the same DCR (41/55 at 90% inside 95%)")
    func levelNarrowsInterval() throws {
        let wide = try ProportionEstimate(count: 41, total: 55, level: 0.95)
        let narrow = try ProportionEstimate(count: 41, total: 55, level: 0.90)
        #expect(narrow.lower > wide.lower)
        #expect(narrow.upper < wide.upper)
        #expect(narrow.lower < narrow.proportion && narrow.proportion < narrow.upper)
    }

    @Test(
        "rule: impossible counts are rejected (13 responders of 12 evaluable, 0 evaluable, negative counts, level 95)",
        arguments: [
            (count: 13, total: 12, level: 0.95, error: StatisticsError.countExceedsTotal(count: 13, total: 12)),
            (count: 0, total: 0, level: 0.95, error: StatisticsError.emptyTotal),
            (count: -1, total: 12, level: 0.95, error: StatisticsError.negativeCount(-1)),
            (count: 0, total: -3, level: 0.95, error: StatisticsError.negativeTotal(-3)),
            (count: 3, total: 12, level: 95, error: StatisticsError.confidenceLevelOutOfRange(95)),
        ]
    )
    func rejectsImpossibleCounts(count: Int, total: Int, level: Double, error: StatisticsError) {
        #expect(throws: error) {
            try ProportionEstimate(count: count, total: total, level: level)
        }
    }

    @Test("rule: the error for 13 responders of 12 evaluable names both numbers")
    func errorMessageNamesValues() {
        let message = StatisticsError.countExceedsTotal(count: 13, total: 12).description
        #expect(message.contains("13"))
        #expect(message.contains("12"))
    }

    /// I_x(a, b) for integer shapes is a binomial tail: I_x(a, b) = P(Binomial(a + b - 1, x) ≥ a).
    /// For a = 2, b = 3, x = 0.4: P(X ≥ 2) for X ~ Binomial(4, 0.4) = 1 - 0.6^4 - 4 · 0.4 · 0.6^3 = 0.5248.
    @Test("rule: the incomplete beta function equals the binomial tail it stands for (I_0.4(2, 3) = 0.5248)")
    func incompleteBetaIsBinomialTail() {
        let tail = 1 - pow(0.6, 4) - 4 * 0.4 * pow(0.6, 3)
        #expect(abs(BetaDistribution.cumulativeProbability(0.4, a: 2, b: 3) - tail) < 1e-14)
        #expect(abs(BetaDistribution.quantile(tail, a: 2, b: 3) - 0.4) < 1e-12)
    }

    /// log Γ(n) = log((n - 1)!) for whole n, and Γ(1/2) = sqrt(π).
    @Test("rule: log-gamma agrees with factorials and Γ(1/2) = sqrt(π)")
    func logGammaKnownValues() {
        var logFactorial = 0.0
        for n in 1...170 {
            #expect(abs(BetaDistribution.logGamma(Double(n)) - logFactorial) <= 1e-13 * max(1, logFactorial))
            logFactorial += log(Double(n))
        }
        #expect(abs(BetaDistribution.logGamma(0.5) - 0.5 * log(Double.pi)) < 1e-14)
    }

    @Test("rule: the z value of a 95% interval is 1.959963984540054")
    func normalQuantile() {
        #expect(abs(StandardNormal.quantile(0.975) - 1.959963984540054) < 1e-14)
        #expect(abs(StandardNormal.quantile(0.025) + 1.959963984540054) < 1e-14)
    }
}
