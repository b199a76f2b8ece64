import RegistryDomain

/// The waterfall of the best percentage change in the sum of target diameters: one bar per evaluable
/// line with target lesions, largest growth on the left, coloured by best overall response, with the
/// RECIST thresholds (+20 % for PD, -30 % for PR) drawn across.
///
/// A PD bar can lie below +20 %: the bar is the best change from baseline before progression, and PD
/// may have come from a new lesion, from growth measured from a nadir below the baseline, or from
/// non-target disease. Such bars carry a mark for the way the RECIST engine found PD
/// (``LineCourse/progressionBasis``), explained in the legend and a footnote.
public enum WaterfallPlot {
    /// Where the PD and PR lines are drawn, in percent change from baseline.
    static let progressionLine = 20.0
    static let partialResponseLine = -30.0

    public static func svg(_ summary: ResponseSummary) -> String {
        let bars = summary.courses
            .compactMap { course in course.bestPercentChange.map { (course, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.registryID < $1.0.registryID }
        let title = "Best change in the sum of target diameters (\(bars.count) evaluable lines with target lesions)"
        guard !bars.isEmpty else {
            let message =
                summary.treatedLines == 0
                ? "No lines in this population: no bars to draw."
                : "No evaluable lines with target lesions in this population: no bars to draw."
            return SVGCanvas.withoutData(title: title, message: message)
        }
        let marked = bars.compactMap { course, change in markedBasis(course, change) }
        let width = 900.0
        let left = 70.0
        let right = 20.0
        // The marks' legend: each entry where it fits on the row, else at the start of the next row.
        var markLegend: [(basis: ProgressionBasis, x: Double, row: Int)] = []
        var cursor = (x: left, row: 0)
        for basis in ProgressionBasis.allCases where marked.contains(basis) {
            let entryWidth = 14 + Markup.textWidth(ProgressionMark.label(basis), size: 11)
            if cursor.x > left && cursor.x + entryWidth > width - right { cursor = (left, cursor.row + 1) }
            markLegend.append((basis, cursor.x, cursor.row))
            cursor.x += entryWidth + 16
        }
        let markRows = Double(markLegend.isEmpty ? 0 : cursor.row + 1)
        let top = 40.0
        let plotHeight = 310.0
        let bottom = 70.0 + (markLegend.isEmpty ? 0 : 28 + markRows * 20)
        let height = top + plotHeight + bottom
        let plotWidth = width - left - right
        let highest = max(40, ((bars.map(\.1).max() ?? 0) / 20).rounded(.up) * 20)
        let lowest = -100.0
        // About ten labelled ticks at most, so that an outlier of +400 % does not stack its labels.
        let step = [20.0, 50.0, 100.0, 200.0, 500.0].first { (highest - lowest) / $0 <= 10 } ?? 1000
        func y(_ percent: Double) -> Double { top + (highest - percent) / (highest - lowest) * plotHeight }

        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(title, x: width / 2, y: 22, anchor: "middle", size: 15, weight: "bold", role: "title")
        for tick in stride(from: (lowest / step).rounded(.up) * step, through: highest, by: step) {
            canvas.line(x1: left - 5, y1: y(tick), x2: left, y2: y(tick), stroke: "#333")
            canvas.text("\(Int(tick))%", x: left - 8, y: y(tick) + 4, anchor: "end", size: 11, role: "y-tick")
        }
        canvas.axis(x1: left, y1: top, x2: left, y2: top + plotHeight)
        canvas.add(
            "text",
            [
                "class": "axis-title", "x": "16", "y": Markup.number(top + plotHeight / 2), "text-anchor": "middle",
                "font-size": "12", "transform": "rotate(-90 16 \(Markup.number(top + plotHeight / 2)))",
            ], text: "Change from baseline (%)")

        let slot = plotWidth / Double(bars.count)
        let gap = slot > 6 ? slot * 0.15 : 0
        let markerSize = min(9, max(slot - gap, 3))
        for (index, (course, change)) in bars.enumerated() {
            let x = left + Double(index) * slot + gap / 2
            let barWidth = max(slot - gap, 0.2)
            let top = min(y(change), y(0))
            let barHeight = max(abs(y(change) - y(0)), 0.5)
            let line = "\(course.registryID) line \(course.lineNumber)"
            let basis = markedBasis(course, change)
            canvas.add(
                "rect",
                [
                    "class": "bar", "x": Markup.number(x), "y": Markup.number(top), "width": Markup.number(barWidth),
                    "height": Markup.number(barHeight), "fill": ResponseColour.of(course.bestResponse),
                    "data-line": line, "data-basis": basis?.rawValue ?? "",
                ])
            if let basis {
                // Beyond the bar's end: above a growing bar, below a shrinking one.
                let centreY = change >= 0 ? top - markerSize / 2 - 2 : top + barHeight + markerSize / 2 + 2
                ProgressionMark.draw(
                    basis, on: &canvas, centreX: x + barWidth / 2, centreY: centreY, size: markerSize, line: line)
            }
        }
        canvas.axis(x1: left, y1: y(0), x2: left + plotWidth, y2: y(0))
        canvas.line(
            x1: left, y1: y(progressionLine), x2: left + plotWidth, y2: y(progressionLine), stroke: "#d1242f",
            dash: "6 4")
        canvas.text(
            "+20% (PD)", x: left + plotWidth - 4, y: y(progressionLine) - 4, anchor: "end", size: 11, role: "threshold")
        canvas.line(
            x1: left, y1: y(partialResponseLine), x2: left + plotWidth, y2: y(partialResponseLine), stroke: "#1a7f37",
            dash: "6 4")
        // Bars below -30% stand on the right, so the PR label goes left, above the growing bars' baseline.
        canvas.text("-30% (PR)", x: left + 4, y: y(partialResponseLine) + 14, size: 11, role: "threshold")
        let legendY = top + plotHeight + 30
        Legend.draw(on: &canvas, x: left, y: legendY, including: Legend.entries.filter { $0.0 != nil })
        for (basis, x, row) in markLegend {
            let rowY = legendY + 24 + Double(row) * 20
            ProgressionMark.draw(basis, on: &canvas, centreX: x + 5, centreY: rowY - 4, size: 9, line: nil)
            canvas.text(ProgressionMark.label(basis), x: x + 14, y: rowY, size: 11, role: "legend")
        }
        if !markLegend.isEmpty {
            canvas.text(
                "A marked PD bar lies below +20%: it shows the best change from baseline before progression, which "
                    + "RECIST found as marked.",
                x: left, y: legendY + 28 + markRows * 20, size: 10, role: "note")
        }
        return canvas.document
    }

    /// How PD was found, for a PD bar drawn below the +20% line; nil for the bars that need no word.
    private static func markedBasis(_ course: LineCourse, _ change: Double) -> ProgressionBasis? {
        guard course.bestResponse == .progressiveDisease, change < progressionLine else { return nil }
        return course.progressionBasis
    }
}

/// The mark of each way of finding PD, the same on the bars and in the legend.
enum ProgressionMark {
    static func label(_ basis: ProgressionBasis) -> String {
        switch basis {
        case .newLesion: "PD by new lesion"
        case .targetGrowthFromNadir: "PD by growth from nadir (not baseline)"
        case .nonTarget: "PD by non-target progression"
        case .reappearanceAfterCompleteResponse: "PD: disease seen again after CR"
        }
    }

    /// A filled circle, triangle, diamond or square; `line` names the bar it marks (nil in the legend).
    static func draw(
        _ basis: ProgressionBasis, on canvas: inout SVGCanvas, centreX: Double, centreY: Double, size: Double,
        line: String?
    ) {
        let half = size / 2
        let (x, y) = (Markup.number(centreX), Markup.number(centreY))
        let shape: String =
            switch basis {
            case .newLesion:
                "M \(Markup.number(centreX - half)) \(y) a \(Markup.number(half)) \(Markup.number(half)) 0 1 0 \(Markup.number(size)) 0 "
                    + "a \(Markup.number(half)) \(Markup.number(half)) 0 1 0 \(Markup.number(-size)) 0 z"
            case .targetGrowthFromNadir:
                "M \(x) \(Markup.number(centreY - half)) L \(Markup.number(centreX + half)) \(Markup.number(centreY + half)) "
                    + "L \(Markup.number(centreX - half)) \(Markup.number(centreY + half)) z"
            case .nonTarget:
                "M \(x) \(Markup.number(centreY - half)) L \(Markup.number(centreX + half)) \(y) L \(x) "
                    + "\(Markup.number(centreY + half)) L \(Markup.number(centreX - half)) \(y) z"
            case .reappearanceAfterCompleteResponse:
                "M \(Markup.number(centreX - half)) \(Markup.number(centreY - half)) h \(Markup.number(size)) "
                    + "v \(Markup.number(size)) h \(Markup.number(-size)) z"
            }
        canvas.add(
            "path",
            [
                "class": line == nil ? "pd-legend-mark" : "pd-marker", "d": shape, "fill": "#1f2328",
                "data-line": line ?? "", "data-basis": basis.rawValue,
            ])
    }
}

/// The best-overall-response legend every plot shares.
enum Legend {
    static let entries: [(TimePointResponse?, String)] =
        TimePointResponse.allCases.map { ($0, $0.rawValue) } + [(nil, "line not evaluable")]

    /// Draws the entries from `x` along the baseline `y`, and returns where the next item may start.
    @discardableResult
    static func draw(
        on canvas: inout SVGCanvas, x: Double, y: Double, including: [(TimePointResponse?, String)] = entries
    ) -> Double {
        var position = x
        for (response, label) in including {
            canvas.add(
                "rect",
                [
                    "x": Markup.number(position), "y": Markup.number(y - 10), "width": "12", "height": "12",
                    "fill": ResponseColour.of(response),
                ])
            canvas.text(label, x: position + 16, y: y, size: 11, role: "legend")
            position += 28 + Markup.textWidth(label, size: 11)
        }
        return position
    }
}
