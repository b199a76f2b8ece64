import RegistryDomain
import RegistryReports
import Testing

@Suite("Survival rows print R's conventions: not reached, not estimable")
struct SurvivalRowTests {
    private func date(_ text: String) -> CalendarDate { try! CalendarDate(iso: text) }

    /// Two lines without assessments from 2024-01-08 whose patients died 42 and 72 days later. R:
    /// `quantile(survfit(Surv(c(42,72), c(1,1)) ~ 1, conf.type = "log-log"), 0.5)` gives 57, lower 42,
    /// upper NA; `summary()` shows NA limits at day 72, where S = 0.
    @Test(
        "OS of deaths on days 42 and 72: median 1.9 months (1.4 to NR), and 6- and 12-month rates not estimable rather than 0.0% (0.0-0.0)"
    )
    func lastDeathGivesNotReachedAndNoRate() {
        let lines = [("MUC-0001", "2024-02-19"), ("MUC-0002", "2024-03-20")].map { id, death in
            TreatedLine(
                registryID: id, lineNumber: 1, agents: ["doxorubicin"], trialNCT: nil, startedOn: date("2024-01-08"),
                stoppedOn: nil, deathOn: date(death), lastKnownAlive: date(death), response: nil)
        }
        let summary = ResponseSummary(lines: lines, evaluator: .investigator, filters: [])
        let os = SummaryRow.rows(summary).filter { $0.section == "OS" }
        let median = os.first { $0.measure == "median (months)" }
        #expect(median?.value == "1.9" && median?.lower95 == "1.4" && median?.upper95 == "NR")
        for month in [6, 12] {
            let rate = os.first { $0.measure == "rate at \(month) months" }
            #expect(rate?.value == "not estimable (follow-up too short)", "month \(month)")
            #expect(rate?.lower95 == "" && rate?.upper95 == "", "month \(month)")
        }
        #expect(
            summary.populationRule.contains("the median is the first time survival falls below 50%, or the midpoint"))
    }

    /// Two patients alive, last seen 100 and 400 days after the start: S = 1 throughout, where
    /// log(-log S) is infinite. R: `summary(survfit(Surv(c(100,400), c(0,0)) ~ 1, conf.type = "log-log"),
    /// times = c(182.625, 365.25))` gives S = 1 with NA limits at both, and `quantile()` NA.
    @Test(
        "OS without a death, last seen on days 100 and 400: the 6- and 12-month rates are 100.0% with the interval printed as not estimable, the median NR"
    )
    func noEventGivesNoInterval() {
        let lines = [("MUC-0001", "2024-04-17"), ("MUC-0002", "2025-02-11")].map { id, lastSeen in
            TreatedLine(
                registryID: id, lineNumber: 1, agents: ["doxorubicin"], trialNCT: nil, startedOn: date("2024-01-08"),
                stoppedOn: nil, deathOn: nil, lastKnownAlive: date(lastSeen), response: nil)
        }
        let os = SummaryRow.rows(ResponseSummary(lines: lines, evaluator: .investigator, filters: [])).filter {
            $0.section == "OS"
        }
        #expect(os.first { $0.measure == "median (months)" }?.value == "NR")
        for month in [6, 12] {
            let rate = os.first { $0.measure == "rate at \(month) months" }
            #expect(rate?.value == "100.0%", "month \(month)")
            #expect(rate?.lower95 == "not estimable" && rate?.upper95 == "not estimable", "month \(month)")
        }
    }
}
