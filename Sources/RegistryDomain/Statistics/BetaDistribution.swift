import Foundation

/// The beta distribution with shape parameters `a` and `b`, as far as exact binomial intervals need it.
///
/// The Clopper-Pearson limits of k/n are beta quantiles, so the interval is only as good as the
/// quantile: it is solved to about 1e-15, well inside the 1e-10 the registry promises, so that
/// rounding a published interval to whole percent never depends on numerical noise.
enum BetaDistribution {
    /// The regularized incomplete beta function I_x(a, b), the probability that a Beta(a, b)
    /// variable is at most `x`.
    ///
    /// The continued fraction converges quickly only left of the mean, so right of it the
    /// symmetry I_x(a, b) = 1 - I_{1-x}(b, a) is used instead.
    static func cumulativeProbability(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "beta shape parameters must be positive, got a = \(a), b = \(b)")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logPrefactor = a * log(x) + b * log1p(-x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return exp(logPrefactor) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logPrefactor) * continuedFraction(1 - x, a: b, b: a) / b
    }

    /// The density of Beta(a, b) at `x`, the slope Newton's method follows in ``quantile(_:a:b:)``.
    static func density(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 || x >= 1 { return 0 }
        return exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logBeta(a, b))
    }

    /// The `p`-quantile of Beta(a, b): the `x` with I_x(a, b) = p.
    ///
    /// Newton steps converge fast near the root but can leave (0, 1) in the tails; every
    /// evaluation therefore also narrows a bracket, and a step that would leave the bracket
    /// becomes a bisection. That keeps the search certain to converge for any shape.
    static func quantile(_ p: Double, a: Double, b: Double) -> Double {
        precondition(p >= 0 && p <= 1, "a probability must lie in [0, 1], got \(p)")
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        var low = 0.0
        var high = 1.0
        var x = a / (a + b)
        for _ in 0..<400 {
            let residual = cumulativeProbability(x, a: a, b: b) - p
            if residual == 0 { return x }
            if residual < 0 { low = x } else { high = x }
            var next = x - residual / density(x, a: a, b: b)
            if !(next > low && next < high) {
                next = (low + high) / 2
            }
            if abs(next - x) <= 1e-15 * x || high - low <= 1e-16 * high {
                return next
            }
            x = next
        }
        return x
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        logGamma(a) + logGamma(b) - logGamma(a + b)
    }

    /// log Γ(x) for x > 0.
    ///
    /// Stirling's asymptotic series is accurate to about 1e-17 once x ≥ 10, so smaller arguments are
    /// first raised with Γ(x) = Γ(x + m) / (x (x + 1) … (x + m - 1)). Computing it here, rather than
    /// calling the C library's `lgamma`, avoids that function's writes to the global `signgam`,
    /// which would be a data race when reports are computed concurrently.
    static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "log-gamma is only needed for positive arguments, got \(x)")
        var shifted = x
        var product = 1.0
        while shifted < 10 {
            product *= shifted
            shifted += 1
        }
        let inverse = 1 / shifted
        let inverseSquared = inverse * inverse
        // Bernoulli-number coefficients B(2j) / (2j (2j - 1)) of the series in 1/x, j = 1 … 8.
        let coefficients: [Double] = [
            1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360_360, 1.0 / 156, -3617.0 / 122_400,
        ]
        var series = 0.0
        for coefficient in coefficients.reversed() {
            series = series * inverseSquared + coefficient
        }
        series *= inverse
        let stirling = (shifted - 0.5) * log(shifted) - shifted + 0.5 * log(2 * Double.pi) + series
        return stirling - log(product)
    }

    /// The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + …))) of the incomplete beta function,
    /// evaluated from the front with the modified Lentz method so no term overflows.
    ///
    /// Its terms are d(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) and
    /// d(2m) = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var value = tiny
        var numeratorRatio = tiny
        var denominatorRatio = 0.0
        var term = 1.0
        for index in 1...20_000 {
            if index > 1 {
                let step = index - 1
                let m = Double(step / 2)
                if step.isMultiple(of: 2) {
                    term = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                } else {
                    term = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                }
            }
            denominatorRatio = 1 + term * denominatorRatio
            if abs(denominatorRatio) < tiny { denominatorRatio = tiny }
            denominatorRatio = 1 / denominatorRatio
            numeratorRatio = 1 + term / numeratorRatio
            if abs(numeratorRatio) < tiny { numeratorRatio = tiny }
            let change = numeratorRatio * denominatorRatio
            value *= change
            if abs(change - 1) < 1e-16 { break }
        }
        return value
    }
}

/// The standard normal distribution, for the z value of a confidence level.
enum StandardNormal {
    /// The `p`-quantile of N(0, 1), for `p` in (0, 1).
    ///
    /// Φ is concave right of 0, so Newton's method started at 0 approaches the root from below
    /// without overshooting; the lower half follows by symmetry.
    static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a normal quantile needs a probability in (0, 1), got \(p)")
        if p < 0.5 { return -quantile(1 - p) }
        var z = 0.0
        for _ in 0..<200 {
            let cumulative = 0.5 * erfc(-z / 2.0.squareRoot())
            let density = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            let step = (cumulative - p) / density
            z -= step
            if abs(step) <= 1e-15 * max(1, abs(z)) { break }
        }
        return z
    }
}
