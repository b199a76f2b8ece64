import Foundation
import RegistryDomain
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import RegistryReports

/// Counts the elements of a document, failing when it is not well-formed XML.
private final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var classes: [String: Int] = [:]

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        counts[name, default: 0] += 1
        if let value = attributes["class"] { classes[value, default: 0] += 1 }
    }

    static func parse(_ text: String) throws -> ElementCounter {
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = counter
        try #require(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        return counter
    }
}

private func date(_ text: String) -> CalendarDate { try! CalendarDate(iso: text) }

/// A patient on a line from 2024-01-08 with a 50 mm target at baseline and follow-ups of the given sizes.
private func line(
    _ id: String, sizes: [(String, String)], stopped: String? = nil, death: String? = nil
) throws -> TreatedLine {
    let baseline = try Baseline(
        date: date("2024-01-05"), targets: [TargetLesion(id: "T1", site: "liver", baselineDiameter: Millimetres(50))])
    let timePoints = sizes.map { day, size in
        TimePoint(
            date: date(day),
            results: [
                LesionResult(
                    lesion: "T1",
                    finding: size == "not-done" ? .target(.notDone) : .target(.measured(Millimetres(Int(size)!))))
            ])
    }
    let response =
        sizes.isEmpty
        ? nil
        : try ResponseAssessment.evaluate(baseline: baseline, timePoints: timePoints, therapyStart: date("2024-01-08"))
            .series(for: .investigator)
    return TreatedLine(
        registryID: id, lineNumber: 1, agents: ["doxorubicin"], trialNCT: nil, startedOn: date("2024-01-08"),
        stoppedOn: stopped.map(date), deathOn: death.map(date), lastKnownAlive: date(sizes.last?.0 ?? "2024-03-01"),
        response: response)
}

private func summary() throws -> ResponseSummary {
    let lines = [
        try line("MUC-0001", sizes: [("2024-02-19", "30"), ("2024-04-01", "28")]),
        try line("MUC-0002", sizes: [("2024-02-19", "45"), ("2024-04-01", "70")], stopped: "2024-04-02"),
        try line("MUC-0003", sizes: [("2024-03-01", "52")], death: "2024-06-01"),
        try line("MUC-0004", sizes: [("2024-02-19", "not-done")]),
        try line("MUC-<&>", sizes: [("2024-02-19", "20"), ("2024-04-01", "0")]),
        try line("MUC-0006", sizes: []),
    ]
    return ResponseSummary(lines: lines, evaluator: .investigator, filters: ["agent = doxorubicin"])
}

@Suite("SVG plots and the HTML report rendered from a response summary")
struct PlotTests {
    @Test(
        "the waterfall is well-formed SVG with one bar per evaluable line with a measured target sum, and the -30%/+20% lines"
    )
    func waterfall() throws {
        let summary = try summary()
        let svg = WaterfallPlot.svg(summary)
        let counter = try ElementCounter.parse(svg)
        // MUC-0004 (target not measured) and MUC-0006 (no follow-up) have no bar.
        let expected = summary.courses.filter { $0.evaluable && $0.bestPercentChange != nil }.count
        #expect(expected == 4)
        #expect(counter.classes["bar"] == expected)
        #expect(svg.contains("+20% (PD)") && svg.contains("-30% (PR)"))
        // The registry id with markup characters is escaped, not injected.
        #expect(svg.contains("MUC-&lt;&amp;&gt;"))
    }

    @Test("the swimmer plot has one lane per treated line, and is well-formed")
    func swimmer() throws {
        let summary = try summary()
        let counter = try ElementCounter.parse(SwimmerPlot.svg(summary))
        #expect(counter.classes["lane"] == summary.treatedLines)
    }

    @Test("a Kaplan-Meier plot draws one censor mark per censoring time and the numbers at risk")
    func kaplanMeier() throws {
        let summary = try summary()
        let os = try #require(summary.endpoints.first { $0.endpoint == .overallSurvival })
        let svg = KaplanMeierPlot.svg(os)
        let counter = try ElementCounter.parse(svg)
        let censoredTimes = try #require(os.curve).steps.filter { $0.censored > 0 }.count
        #expect(censoredTimes > 0)
        #expect(counter.classes["censor"] == censoredTimes)
        #expect(counter.classes["curve"] == 1)
        #expect(svg.contains("Number at risk (lines)"))
    }

    @Test(
        "the HTML report bundles the rule, the tables and every plot inline, and lists MUC-0002's nausea dated after death under 'Excluded adverse events'"
    )
    func html() throws {
        let summary = try summary()
        let events = AdverseEventTable(
            events: [
                ReportedAdverseEvent(
                    registryID: "MUC-0001", lineNumber: 1, term: "Anemia", grade: 3, onset: date("2024-02-10"),
                    lineStartedOn: date("2024-01-08"), deathOn: nil),
                ReportedAdverseEvent(
                    registryID: "MUC-0002", lineNumber: 1, term: "Nausea", grade: 2, onset: date("2024-08-10"),
                    lineStartedOn: date("2024-01-08"), deathOn: date("2024-05-01")),
            ],
            treatedPatients: summary.treatedPatients)
        let page = HTMLReport.render(title: "Doxorubicin", summary: summary, adverseEvents: events)
        #expect(page.components(separatedBy: "<svg ").count - 1 == 2 + summary.endpoints.count)
        #expect(page.contains("Anemia"))
        #expect(page.contains("<h3>Excluded adverse events</h3>"))
        #expect(
            page.contains(
                "<td>MUC-0002</td><td>1</td><td>Nausea grade 2 has its onset on 2024-08-10, after the patient&#39;s death on 2024-05-01</td>"
            ))
        #expect(page.contains("Kaplan-Meier estimates follow R&#39;s survival package"))
        #expect(page.contains("Evaluable: treated lines with a baseline"))
        #expect(!page.contains("src=\"http"))
    }
}
