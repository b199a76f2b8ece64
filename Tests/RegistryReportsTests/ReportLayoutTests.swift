import Foundation
import RegistryDomain
import Testing

@testable import RegistryReports

/// One scan of a line's single 50 mm liver target and its lung non-target, `day` days after the start.
private struct Scan {
    let day: Int
    let target: Int
    var newLesion = false
    var nonTargetProgression = false
}

private let start = CalendarDate(year: 2024, month: 1, day: 8)!

/// A line started on 2024-01-08 (baseline three days before) with the scans given, or not evaluable
/// without them; `stopped`, `death` and `lastSeen` count days from the start.
private func line(
    _ id: String, _ scans: [Scan], stopped: Int? = nil, death: Int? = nil, lastSeen: Int
) throws -> TreatedLine {
    let baseline = try Baseline(
        date: start.adding(days: -3),
        targets: [TargetLesion(id: "T1", site: "liver", baselineDiameter: Millimetres(50))],
        nonTargets: [NonTargetLesion(id: "N1", site: "lung")])
    let timePoints = scans.map { scan in
        TimePoint(
            date: start.adding(days: scan.day),
            results: [
                .target("T1", Millimetres(scan.target)),
                .nonTarget("N1", scan.nonTargetProgression ? .unequivocalProgression : .present),
            ] + (scan.newLesion ? [.new("NEW1", .unequivocal)] : []))
    }
    let response =
        scans.isEmpty
        ? nil
        : try ResponseAssessment.evaluate(baseline: baseline, timePoints: timePoints, therapyStart: start).series(
            for: .investigator)
    return TreatedLine(
        registryID: id, lineNumber: 1, agents: ["doxorubicin"], trialNCT: nil, startedOn: start,
        stoppedOn: stopped.map { start.adding(days: $0) }, deathOn: death.map { start.adding(days: $0) },
        lastKnownAlive: start.adding(days: lastSeen), response: response)
}

/// Ten lines of a cohort as a registry holds them: responders, stable disease, progression above +20%,
/// deaths, lines still ongoing and one without assessments.
private func normalCohort() throws -> [TreatedLine] {
    [
        try line(
            "MUC-0001", [Scan(day: 56, target: 30), Scan(day: 112, target: 28), Scan(day: 300, target: 24)],
            lastSeen: 420),
        try line("MUC-0002", [Scan(day: 56, target: 45), Scan(day: 112, target: 62)], stopped: 115, lastSeen: 390),
        try line("MUC-0003", [Scan(day: 56, target: 66)], stopped: 60, death: 250, lastSeen: 250),
        try line(
            "MUC-0004", [Scan(day: 56, target: 20), Scan(day: 112, target: 15), Scan(day: 224, target: 10)],
            stopped: 230, lastSeen: 400),
        try line(
            "MUC-0005", [Scan(day: 56, target: 52), Scan(day: 112, target: 55), Scan(day: 168, target: 70)],
            stopped: 170, death: 380, lastSeen: 380),
        try line("MUC-0006", [Scan(day: 56, target: 48), Scan(day: 112, target: 47)], stopped: 120, lastSeen: 300),
        try line(
            "MUC-0007", [Scan(day: 56, target: 35), Scan(day: 112, target: 33), Scan(day: 168, target: 60)],
            stopped: 170, death: 330, lastSeen: 330),
        try line("MUC-0008", [Scan(day: 56, target: 70)], stopped: 57, death: 120, lastSeen: 120),
        try line("MUC-0009", [], death: 90, lastSeen: 90),
        try line(
            "MUC-0010",
            [
                Scan(day: 56, target: 40), Scan(day: 112, target: 41), Scan(day: 252, target: 42),
                Scan(day: 336, target: 44),
            ], lastSeen: 430),
    ]
}

/// Follow-up that ends at 14 months (day 426) for OS, while the last PFS time is day 240 (7.9 months).
private func fourteenMonths() throws -> [TreatedLine] {
    [
        try line(
            "LYO-0001", [Scan(day: 60, target: 30), Scan(day: 120, target: 28), Scan(day: 240, target: 27)],
            lastSeen: 426),
        try line(
            "LYO-0002", [Scan(day: 60, target: 48), Scan(day: 120, target: 66)], stopped: 121, death: 300, lastSeen: 300
        ),
        try line("LYO-0003", [Scan(day: 60, target: 70)], stopped: 61, lastSeen: 410),
        try line("LYO-0004", [Scan(day: 60, target: 45), Scan(day: 180, target: 47)], stopped: 200, lastSeen: 380),
    ]
}

/// Best response PD with the bar below +20% in the three ways RECIST allows, beside a PD at +30% that
/// needs no mark and a PR and an SD.
private func progressionBelowTwentyPercent() throws -> [TreatedLine] {
    [
        // -10% at the first scan, but an unequivocal new lesion.
        try line("MUC-0101", [Scan(day: 28, target: 45, newLesion: true)], stopped: 30, lastSeen: 200),
        // -20% on day 28 (too early for SD), then 48 mm: +20% and +8 mm from the 40 mm nadir.
        try line(
            "MUC-0102", [Scan(day: 28, target: 40), Scan(day: 56, target: 48)], stopped: 60, death: 250, lastSeen: 250),
        // -4% and unequivocal progression of the lung non-target.
        try line("MUC-0103", [Scan(day: 28, target: 48, nonTargetProgression: true)], stopped: 30, lastSeen: 180),
        try line("MUC-0104", [Scan(day: 28, target: 65)], stopped: 30, death: 150, lastSeen: 150),
        try line("MUC-0105", [Scan(day: 56, target: 30), Scan(day: 112, target: 25)], lastSeen: 240),
        try line("MUC-0106", [Scan(day: 56, target: 47), Scan(day: 112, target: 46)], lastSeen: 240),
    ]
}

private let kaplanMeierFigures = ["km-pfs", "km-dor", "km-os"]

/// Lays out one population's report in Chromium, with the PNG beside it in the run's folder.
private func layout(_ lines: [TreatedLine], name: String) async throws -> (ResponseSummary, PageLayout) {
    let summary = ResponseSummary(lines: lines, evaluator: .investigator, filters: ["agent = doxorubicin"])
    let html = HTMLReport.render(
        title: "Doxorubicin", summary: summary,
        adverseEvents: AdverseEventTable(events: [], treatedPatients: summary.treatedPatients))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "report-layout-\(ProcessInfo.processInfo.processIdentifier)")
    let page = try await Chromium.layout(of: html, name: name, in: folder)
    print("report-layout screenshot: \(folder.appendingPathComponent("\(name).png").path)")
    return (summary, page)
}

/// What every report must satisfy: no label overlaps another or leaves its plot, and the at-risk label
/// stands clear of the counts.
private func expectReadable(_ page: PageLayout, _ name: String) {
    #expect(Set(page.figures.keys) == Set(["waterfall", "swimmer"] + kaplanMeierFigures), "\(name)")
    for (id, figure) in page.figures {
        for text in figure.texts {
            #expect(
                figure.svg.contains(text.box), "\(name) \(id): '\(text.text)' \(text.box) leaves the plot \(figure.svg)"
            )
        }
        for (index, first) in figure.texts.enumerated() {
            for second in figure.texts[(index + 1)...] where first.box.intersects(second.box) {
                Issue.record("\(name) \(id): '\(first.text)' \(first.box) overlaps '\(second.text)' \(second.box)")
            }
        }
        guard let label = figure.texts("at-risk-label").first else { continue }
        let counts = figure.texts("at-risk")
        #expect(!counts.isEmpty, "\(name) \(id)")
        // Closer than 3 px reads as one word: "At risk" 2 px from the first count was the defect.
        for count in counts {
            #expect(
                !label.box.intersects(count.box, tolerance: -3),
                "\(name) \(id): '\(label.text)' runs into \(count.text)")
        }
    }
}

/// The last tick lies at or past the last time drawn and less than one step beyond it: the curve or the
/// lanes end between the last two ticks.
private func expectAxisEndsAtData(
    _ figure: PageLayout.Figure, dataRight: Double, lastMonths: Double, _ context: String
) throws {
    let ticks = figure.texts("x-tick")
    let values = ticks.compactMap { Int($0.text) }
    try #require(values.count >= 2 && values.count == ticks.count, "\(context): x ticks \(ticks.map(\.text))")
    let last = Double(values[values.count - 1])
    let step = last - Double(values[values.count - 2])
    #expect(
        last >= lastMonths && last < lastMonths + step,
        "\(context): last tick \(last) for data ending at \(lastMonths) months")
    #expect(
        dataRight <= ticks[ticks.count - 1].box.centreX + 1, "\(context): data end \(dataRight) beyond the last tick")
    #expect(
        dataRight > ticks[ticks.count - 2].box.centreX, "\(context): data end \(dataRight) before the last tick but one"
    )
}

@Suite("The HTML report's plots in headless Chromium: element positions, not pixels")
struct ReportLayoutTests {
    @Test(
        "a normal cohort of ten lines: no label overlaps another, titles count the lines their tables count, the at-risk label clears the first count"
    )
    func normalCohortIsReadable() async throws {
        let (summary, page) = try await layout(try normalCohort(), name: "normal-cohort")
        expectReadable(page, "normal cohort")
        let rows = SummaryRow.rows(summary)
        for endpoint in summary.endpoints {
            let figure = try #require(page.figures["km-\(endpoint.endpoint.rawValue.lowercased())"])
            let title = try #require(figure.texts("title").first).text
            let over = try #require(rows.first { $0.section == endpoint.endpoint.rawValue }).denominator
            #expect(
                title.hasPrefix("\(endpoint.endpoint.rawValue): \(over),"), "title '\(title)', table over '\(over)'")
            #expect(!title.contains("patients"))
        }
        #expect(page.figures.values.allSatisfy { !$0.shapes("axis").isEmpty })
    }

    @Test(
        "follow-up ending at 14 months (PFS at 7.9): each Kaplan-Meier axis and the swimmer axis end at the first tick at or past their own last time (15 and 9 months), not at 21"
    )
    func axesEndAtTheData() async throws {
        let (summary, page) = try await layout(try fourteenMonths(), name: "fourteen-months")
        expectReadable(page, "14 months")
        var lastTicks: [String: String] = [:]
        for endpoint in summary.endpoints {
            let id = "km-\(endpoint.endpoint.rawValue.lowercased())"
            let figure = try #require(page.figures[id])
            let curve = try #require(figure.shapes("curve").first, "\(id) has no curve")
            let lastDays = try #require(endpoint.curve?.steps.last).time
            try expectAxisEndsAtData(figure, dataRight: curve.box.right, lastMonths: lastDays / daysPerMonth, id)
            lastTicks[id] = figure.texts("x-tick").last?.text
        }
        #expect(lastTicks["km-os"] == "15" && lastTicks["km-pfs"] == "9", "\(lastTicks)")
        let swimmer = try #require(page.figures["swimmer"])
        let longest = Double(summary.courses.map(\.daysOnTherapy).max() ?? 0)
        let laneEnd = try #require(swimmer.shapes("lane").map(\.box.right).max())
        try expectAxisEndsAtData(swimmer, dataRight: laneEnd, lastMonths: longest / daysPerMonth, "swimmer")
    }

    @Test("an empty population: every plot says there are no lines in it, visibly, and draws no axes")
    func emptyPopulationSaysSo() async throws {
        let (_, page) = try await layout([], name: "empty-population")
        expectReadable(page, "empty population")
        for (id, figure) in page.figures {
            let message = figure.texts("empty-population").first
            #expect(message?.box.isVisible == true, "\(id) has no visible message")
            #expect(
                message?.text.hasPrefix("No ") == true && message?.text.contains("in this population") == true, "\(id)")
            #expect(
                figure.shapes("axis").isEmpty && figure.shapes("bar").isEmpty && figure.shapes("curve").isEmpty,
                "\(id) draws axes")
        }
    }

    @Test(
        "PD bars below +20% by a new lesion (-10%), growth from the nadir (-20%) and non-target progression (-4%) carry their marks, the PD at +30% none, and the legend names the three"
    )
    func progressionBelowTwentyPercentIsMarked() async throws {
        let (summary, page) = try await layout(try progressionBelowTwentyPercent(), name: "pd-below-20")
        expectReadable(page, "PD below +20%")
        let waterfall = try #require(page.figures["waterfall"])
        let expected: [String: ProgressionBasis] = [
            "MUC-0101 line 1": .newLesion, "MUC-0102 line 1": .targetGrowthFromNadir, "MUC-0103 line 1": .nonTarget,
        ]
        #expect(
            Dictionary(
                uniqueKeysWithValues: summary.courses.map {
                    ("\($0.registryID) line \($0.lineNumber)", $0.progressionBasis)
                }
            )
            .compactMapValues { $0 } == expected.merging(["MUC-0104 line 1": .targetGrowthFromNadir]) { $1 })
        let bars = waterfall.shapes("bar")
        let markers = waterfall.shapes("pd-marker")
        #expect(Set(bars.filter { !$0.basis.isEmpty }.map(\.line)) == Set(expected.keys))
        #expect(markers.count == expected.count)
        for (line, basis) in expected {
            let bar = try #require(bars.first { $0.line == line }, "no bar for \(line)")
            let marker = try #require(markers.first { $0.line == line }, "\(line) has no mark")
            #expect(marker.basis == basis.rawValue && bar.basis == basis.rawValue, "\(line)")
            #expect(
                abs(marker.box.centreX - bar.box.centreX) < 1, "\(line): mark \(marker.box) not on its bar \(bar.box)")
            #expect(
                marker.box.y >= bar.box.bottom - 0.5,
                "\(line): the mark \(marker.box) is not below the shrinking bar \(bar.box)")
        }
        let legend = Set(waterfall.texts("legend").map(\.text))
        for basis in expected.values {
            #expect(legend.contains(ProgressionMark.label(basis)), "legend \(legend) lacks \(basis)")
        }
        #expect(waterfall.texts("note").first?.text.contains("below +20%") == true)
    }
}
