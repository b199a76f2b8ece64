import Foundation
import RegistryDomain
import Testing

@Suite("Kaplan-Meier survival curves, medians and landmark rates")
struct KaplanMeierCurveTests {
    /// z for a two-sided 95% interval.
    private let z95 = 1.959963984540054

    private func isClose(_ value: Double?, _ expected: Double?, within tolerance: Double = 1e-12) -> Bool {
        switch (value, expected) {
        case (nil, nil): true
        case (let value?, let expected?): abs(value - expected) <= tolerance
        default: false
        }
    }

    /// Six patients, follow-up in days, "+" = censored: 2, 3+, 4, 4, 6+, 8.
    ///
    /// | day | at risk | events | censored | S(t)                 | Σ d/(n(n-d))          |
    /// |-----|---------|--------|----------|----------------------|-----------------------|
    /// | 2   | 6       | 1      | 0        | 5/6                  | 1/(6·5) = 1/30        |
    /// | 3   | 5       | 0      | 1        | 5/6                  | 1/30                  |
    /// | 4   | 4       | 2      | 0        | 5/6 · 2/4 = 5/12     | 1/30 + 2/(4·2) = 17/60|
    /// | 6   | 2       | 0      | 1        | 5/12                 | 17/60                 |
    /// | 8   | 1       | 1      | 0        | 0                    | (last at risk died)   |
    ///
    /// Greenwood SE at day 4 = 5/12 · sqrt(17/60) ≈ 0.2218. Log-log limits are S^exp(±w) with
    /// w = z · sqrt(Σ) / |log S|: at day 2, w = 1.96 · 0.18257 / 0.18232, exp(w) ≈ 7.118, limits
    /// (5/6)^7.118 ≈ 0.273 and (5/6)^(1/7.118) ≈ 0.975; at day 4, exp(w) ≈ 3.293, limits ≈ 0.056
    /// and ≈ 0.767; at day 8 S = 0 and there is no log-log interval.
    /// Median: S first below 0.5 on day 4. Its interval starts when the lower limit first reaches 0.5
    /// (day 2, 0.273); the upper limit never does (0.767 until day 8, where it does not exist), so the
    /// upper bound is not reached. R: `quantile(survfit(Surv(c(2,3,4,4,6,8), c(1,0,1,1,0,1)) ~ 1,
    /// conf.type = "log-log"), 0.5)` gives 4, lower 2, upper NA.
    @Test(
        "rule: product-limit steps, Greenwood SE and log-log limits match the hand calculation for 2, 3+, 4, 4, 6+, 8 days; median 4 (2 to not reached) as R"
    )
    func sixPatientsByHand() throws {
        let curve = try KaplanMeierCurve(observations: [
            SurvivalObservation(time: 4, event: true),
            SurvivalObservation(time: 2, event: true),
            SurvivalObservation(time: 8, event: true),
            SurvivalObservation(time: 3, event: false),
            SurvivalObservation(time: 4, event: true),
            SurvivalObservation(time: 6, event: false),
        ])
        #expect(curve.steps.map(\.time) == [2, 3, 4, 6, 8])
        #expect(curve.steps.map(\.atRisk) == [6, 5, 4, 2, 1])
        #expect(curve.steps.map(\.events) == [1, 0, 2, 0, 1])
        #expect(curve.steps.map(\.censored) == [0, 1, 0, 1, 0])

        let expectedSurvival = [5.0 / 6, 5.0 / 6, 5.0 / 12, 5.0 / 12, 0]
        let greenwoodSums = [1.0 / 30, 1.0 / 30, 17.0 / 60, 17.0 / 60]
        for (index, step) in curve.steps.enumerated() {
            #expect(isClose(step.survival, expectedSurvival[index]), "S on day \(step.time)")
            guard index < greenwoodSums.count else { continue }
            let survival = expectedSurvival[index]
            let halfWidth = z95 * greenwoodSums[index].squareRoot() / -log(survival)
            #expect(isClose(step.standardError, survival * greenwoodSums[index].squareRoot()), "SE on day \(step.time)")
            #expect(isClose(step.lower, pow(survival, exp(halfWidth))), "lower limit on day \(step.time)")
            #expect(isClose(step.upper, pow(survival, exp(-halfWidth))), "upper limit on day \(step.time)")
        }
        let last = try #require(curve.steps.last)
        #expect(last.standardError == 0 && last.lower == nil && last.upper == nil)

        #expect(curve.median.estimate == 4)
        #expect(curve.median.lower == 2)
        #expect(curve.median.upper == nil)
        #expect(curve.level == 0.95)
    }

    /// Ten patients at day 10: one progressed, one was censored, and one more progressed at day 20.
    /// Counting the event first keeps the censored patient at risk: S(10) = 2/3 and at day 20 the
    /// last patient at risk progresses, S = 0. (Censoring first would give S(10) = 1/2.)
    @Test("rule: at a tied day, events are counted before censorings (day 10: 1 progression, 1 censored of 3)")
    func eventsBeforeCensoringsAtTies() throws {
        let curve = try KaplanMeierCurve(observations: [
            SurvivalObservation(time: 10, event: false),
            SurvivalObservation(time: 10, event: true),
            SurvivalObservation(time: 20, event: true),
        ])
        let first = try #require(curve.steps.first)
        #expect(first.atRisk == 3 && first.events == 1 && first.censored == 1)
        #expect(isClose(first.survival, 2.0 / 3))
        #expect(curve.steps.map(\.survival).last == 0)
    }

    /// Two cohorts whose curve sits exactly on 0.5 from day 90 until the next event on day 150.
    /// Six patients (events on days 30, 60, 90, 150; censored on days 100, 200):
    /// S(90) = 5/6 · 4/5 · 3/4 = 1/2. Ten patients (events on days 30, 60, 60, 90, 90, 150; censored on
    /// days 100, 200, 210, 220): S(90) = 9/10 · 7/9 · 5/7 = 1/2, whose floating-point product is
    /// 0.5000000000000001, one unit above 0.5. The median is the middle of the flat segment,
    /// (90 + 150)/2 = 120, for both. R: `quantile(survfit(Surv(c(30,60,90,100,150,200), c(1,1,1,0,1,0)) ~ 1,
    /// conf.type = "log-log"), 0.5)` and the same for the ten patients give 120, lower 30, upper NA.
    @Test(
        "rule: where S(t) lies exactly on 0.5 from day 90 to the next event on day 150, the median is the midpoint, 120 days, as R"
    )
    func medianAtFlatHalf() throws {
        let sixPatients = [(30, true), (60, true), (90, true), (100, false), (150, true), (200, false)]
        let tenPatients = [
            (30, true), (60, true), (60, true), (90, true), (90, true),
            (100, false), (150, true), (200, false), (210, false), (220, false),
        ]
        for cohort in [sixPatients, tenPatients] {
            let curve = try KaplanMeierCurve(observations: cohort.map { SurvivalObservation(time: $0.0, event: $0.1) })
            #expect(
                curve.median.estimate == 120 && curve.median.lower == 30 && curve.median.upper == nil,
                "cohort of \(cohort.count)")
            #expect(isClose(curve.survival(at: 120)?.survival, 0.5), "cohort of \(cohort.count)")
        }
    }

    /// Four patients progressing on days 1, 2, 3 and 4: S = 0.75, 0.5, 0.25, 0. The curve is on 0.5
    /// from day 2 to day 3, so the median is 2.5; the last patient at risk progresses, S(4) = 0 has no
    /// interval, and the upper limit (0.845 at day 2, 0.665 at day 3) never reaches 0.5: not reached.
    /// R: `quantile(survfit(Surv(c(1,2,3,4), c(1,1,1,1)) ~ 1, conf.type = "log-log"), 0.5)` gives 2.5,
    /// lower 1, upper NA; `summary()` prints NA for both limits at day 4.
    @Test(
        "rule: when the last patient at risk progresses (days 1, 2, 3, 4) S = 0 has no interval and the median 2.5 has upper limit not reached, as R"
    )
    func lastPatientAtRiskHasTheEvent() throws {
        let curve = try KaplanMeierCurve(observations: (1...4).map { SurvivalObservation(time: $0, event: true) })
        #expect(curve.median.estimate == 2.5 && curve.median.lower == 1 && curve.median.upper == nil)
        let last = try #require(curve.steps.last)
        #expect(last.survival == 0 && last.lower == nil && last.upper == nil)
        let atDayFour = try #require(curve.survival(at: 4))
        #expect(atDayFour.survival == 0 && atDayFour.lower == nil && atDayFour.upper == nil)
    }

    /// Events on days 1 and 2, censored on days 3 and 4: S = 0.5 from day 2 to the end of follow-up, so
    /// the median is the midpoint of day 2 and the last follow-up, day 4. R: `quantile(survfit(
    /// Surv(c(1,2,3,4), c(1,1,0,0)) ~ 1, conf.type = "log-log"), 0.5)` gives 3, lower 1, upper NA
    /// (R's print of the fit shows 2: its table takes another path; `quantile` is the documented rule).
    @Test("rule: where S(t) stays on 0.5 from day 2 to the last follow-up on day 4, the median is 3, as R's quantile")
    func medianFlatToTheEnd() throws {
        let curve = try KaplanMeierCurve(observations: [
            SurvivalObservation(time: 1, event: true), SurvivalObservation(time: 2, event: true),
            SurvivalObservation(time: 3, event: false), SurvivalObservation(time: 4, event: false),
        ])
        #expect(curve.median.estimate == 3 && curve.median.lower == 1 && curve.median.upper == nil)
    }

    @Test("rule: with every patient censored the curve stays at 1 and the median is not reached")
    func allCensored() throws {
        let curve = try KaplanMeierCurve(
            observations: [100, 200, 200, 350].map { SurvivalObservation(time: $0, event: false) }
        )
        #expect(
            curve.steps.allSatisfy { $0.survival == 1 && $0.lower == nil && $0.upper == nil && $0.standardError == 0 })
        #expect(curve.median.estimate == nil && curve.median.lower == nil && curve.median.upper == nil)
        #expect(curve.survival(at: 182.625)?.survival == 1)
        #expect(curve.survival(at: 365.25) == nil)
    }

    /// Follow-up ends on day 300 with S still above 0, so the 12-month rate cannot be estimated; nor
    /// can it when the last patient's event took S to 0 before: no patient was followed to 12 months.
    /// Four responders whose responses all ended by day 170: the 12-month DoR rate is not estimable, not
    /// "0.0% (0.0-0.0)". R: `summary(survfit(Surv(c(61,95,130,170), c(1,1,1,1)) ~ 1, conf.type =
    /// "log-log"), times = 365.25)` refuses ("no points selected"); with `extend = TRUE` S is 0 and both
    /// limits NA.
    @Test(
        "rule: a landmark rate beyond the longest follow-up is not estimable, also after S reached 0 (12-month DoR of responses ended by day 170)"
    )
    func ratesBeyondFollowUp() throws {
        let immature = try KaplanMeierCurve(observations: [
            SurvivalObservation(time: 100, event: true),
            SurvivalObservation(time: 300, event: false),
        ])
        #expect(immature.survival(at: 300)?.survival == 0.5)
        #expect(immature.survival(at: 365.25) == nil)
        #expect(immature.survival(at: .nan) == nil)

        let responses = try KaplanMeierCurve(
            observations: [61, 95, 130, 170].map { SurvivalObservation(time: $0, event: true) })
        #expect(responses.survival(at: 6 * daysPerMonth) == nil)
        #expect(responses.survival(at: 12 * daysPerMonth) == nil)
        #expect(responses.median.estimate == 112.5 && responses.median.lower == 61 && responses.median.upper == nil)
    }

    /// S = 1 has no log-log interval, the same rule as at a step where S = 1 (R's `survfit` gives NA
    /// there). R's `summary(times =)` differs only for a time before the fit's first time, where it
    /// shows its start values, limits 1 and 1, which are no interval either.
    @Test("rule: before the first follow-up time S = 1, and there is no log-log interval where S = 1")
    func beforeFirstTime() throws {
        let curve = try KaplanMeierCurve(observations: [
            SurvivalObservation(time: 40, event: true), SurvivalObservation(time: 90, event: false),
        ])
        let start = try #require(curve.survival(at: 0))
        #expect(start.survival == 1 && start.lower == nil && start.upper == nil && start.standardError == 0)
        #expect(curve.survival(at: 40)?.survival == 0.5)
    }

    /// At risk at day t = patients whose follow-up lasts t days or more. For 2, 3+, 4, 4, 6+, 8:
    /// day 0 → 6, day 2 → 6, day 3 → 5, day 3.5 → 4, day 8 → 1, day 9 → 0.
    @Test("rule: number at risk counts patients followed at least that long (2, 3+, 4, 4, 6+, 8 days)")
    func numberAtRisk() throws {
        let curve = try KaplanMeierCurve(observations: [
            SurvivalObservation(time: 2, event: true), SurvivalObservation(time: 3, event: false),
            SurvivalObservation(time: 4, event: true), SurvivalObservation(time: 4, event: true),
            SurvivalObservation(time: 6, event: false), SurvivalObservation(time: 8, event: true),
        ])
        #expect(curve.numberAtRisk(at: [0, 2, 3, 3.5, 8, 9]) == [6, 6, 5, 4, 1, 0])
    }

    @Test("rule: whole-day follow-up gives the same curve as the same days given as Double")
    func wholeDays() throws {
        let days = [(12, true), (40, false), (40, true), (77, true)]
        let fromInt = try KaplanMeierCurve(observations: days.map { SurvivalObservation(time: $0.0, event: $0.1) })
        let fromDouble = try KaplanMeierCurve(
            observations: days.map { SurvivalObservation(time: Double($0.0), event: $0.1) }
        )
        #expect(fromInt == fromDouble)
    }

    static let unusableFollowUp: [(observations: [SurvivalObservation], level: Double, error: StatisticsError)] = [
        ([], 0.95, .noObservations),
        (
            [
                SurvivalObservation(time: 3, event: true), SurvivalObservation(time: 9, event: false),
                SurvivalObservation(time: -5, event: true),
            ],
            0.95, .invalidFollowUpTime(index: 2, time: -5)
        ),
        ([SurvivalObservation(time: .infinity, event: false)], 0.95, .invalidFollowUpTime(index: 0, time: .infinity)),
        ([SurvivalObservation(time: 3, event: true)], 95, .confidenceLevelOutOfRange(95)),
    ]

    @Test(
        "rule: unusable follow-up is rejected, naming the observation (no patients, day -5 for the third, infinite days, level 95)",
        arguments: unusableFollowUp
    )
    func rejectsUnusableFollowUp(observations: [SurvivalObservation], level: Double, error: StatisticsError) {
        #expect(throws: error) {
            try KaplanMeierCurve(observations: observations, level: level)
        }
    }

    @Test("rule: the error for a negative follow-up time names the observation and the days")
    func errorMessageNamesObservation() {
        let message = StatisticsError.invalidFollowUpTime(index: 2, time: -5).description
        #expect(message.contains("observation 2"))
        #expect(message.contains("-5"))
    }

    /// `Scripts/reference/kaplan_meier.R` fits R's survival 3.5-3 (R 4.2.2), `survfit(Surv(time, event) ~ 1,
    /// conf.type = "log-log")`, to seven generated cohorts (weekly ties between events and censorings,
    /// heavy censoring, median not reached, a curve that falls to 0, follow-up shorter than 12 months,
    /// continuous times, all censored) and records every step, `quantile(fit, 0.5)` with its interval,
    /// and `summary(fit, times = c(182.625, 365.25))`. An empty cell is R's NA.
    @Test(
        "rule: steps, Greenwood SE, log-log limits, medians with intervals and 6/12-month rates equal R's survfit to 1e-6"
    )
    func matchesSurvfit() throws {
        let observations = try ReferenceTable(fixture: "kaplan_meier_observations.csv").rows
        let reference = try ReferenceTable(fixture: "kaplan_meier_survfit.csv").rows
        let datasets = Dictionary(grouping: observations) { $0["dataset"] ?? "" }
        #expect(datasets.count == 7)

        for (dataset, rows) in datasets {
            let curve = try KaplanMeierCurve(
                observations: rows.map { row in
                    SurvivalObservation(time: row.number("time") ?? .nan, event: row["event"] == "1")
                }
            )
            let expected = reference.filter { $0["dataset"] == dataset }
            let stepsByTime = Dictionary(uniqueKeysWithValues: curve.steps.map { ($0.time, $0) })
            let survivalRows = expected.filter { $0["quantity"] == "survival" }
            #expect(
                Set(survivalRows.compactMap { $0.number("time") }).subtracting([0])
                    == Set(stepsByTime.keys).subtracting([0]),
                "\(dataset) step times"
            )

            for row in survivalRows {
                let time = try #require(row.number("time"))
                let context = Comment(rawValue: "\(dataset) at day \(time)")
                let estimate = try #require(curve.survival(at: time), context)
                #expect(isClose(estimate.survival, row.number("estimate"), within: 1e-6), context)
                if let standardError = row.number("standard_error") {
                    #expect(isClose(estimate.standardError, standardError, within: 1e-6), context)
                } else {
                    #expect(estimate.survival == 0, "R's standard error is NaN only where S = 0; \(context)")
                }
                #expect(isClose(estimate.lower, row.number("lower"), within: 1e-6), context)
                #expect(isClose(estimate.upper, row.number("upper"), within: 1e-6), context)
                #expect(curve.numberAtRisk(at: [time]) == [Int(row["at_risk"] ?? "")], context)
                if let step = stepsByTime[time] {
                    #expect(isClose(step.survival, row.number("estimate"), within: 1e-6), context)
                    #expect(step.atRisk == Int(row["at_risk"] ?? ""), context)
                }
            }

            let median = try #require(expected.first { $0["quantity"] == "median" })
            #expect(isClose(curve.median.estimate, median.number("estimate"), within: 1e-6), "\(dataset) median")
            #expect(isClose(curve.median.lower, median.number("lower"), within: 1e-6), "\(dataset) median lower limit")
            #expect(isClose(curve.median.upper, median.number("upper"), within: 1e-6), "\(dataset) median upper limit")

            for rate in expected.filter({ $0["quantity"] == "rate" }) {
                let landmark = try #require(rate.number("time"))
                let estimate = curve.survival(at: landmark)
                let context = Comment(rawValue: "\(dataset) rate at day \(landmark)")
                #expect(isClose(estimate?.survival, rate.number("estimate"), within: 1e-6), context)
                #expect(isClose(estimate?.standardError, rate.number("standard_error"), within: 1e-6), context)
                #expect(isClose(estimate?.lower, rate.number("lower"), within: 1e-6), context)
                #expect(isClose(estimate?.upper, rate.number("upper"), within: 1e-6), context)
            }
        }
    }
}
