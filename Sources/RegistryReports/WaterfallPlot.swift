import RegistryDomain

/// The waterfall of the best percentage change in the sum of target diameters: one bar per evaluable
/// line with target lesions, largest growth on the left, coloured by best overall response, with the
/// RECIST thresholds (+20 % for PD, -30 % for PR) drawn across.
public enum WaterfallPlot {
    public static func svg(_ summary: ResponseSummary) -> String {
        let bars = summary.courses
            .compactMap { course in course.bestPercentChange.map { (course, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.registryID < $1.0.registryID }
        let width = 900.0
        let height = 420.0
        let left = 70.0
        let right = 20.0
        let top = 40.0
        let bottom = 70.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let highest = max(40, ((bars.map(\.1).max() ?? 0) / 20).rounded(.up) * 20)
        let lowest = -100.0
        func y(_ percent: Double) -> Double { top + (highest - percent) / (highest - lowest) * plotHeight }

        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(
            "Best change in the sum of target diameters (\(bars.count) evaluable lines with target lesions)",
            x: width / 2, y: 22, anchor: "middle", size: 15, weight: "bold")
        for tick in stride(from: lowest, through: highest, by: 20) {
            canvas.line(x1: left - 5, y1: y(tick), x2: left, y2: y(tick), stroke: "#333")
            canvas.text("\(Int(tick))%", x: left - 8, y: y(tick) + 4, anchor: "end", size: 11)
        }
        canvas.line(x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: "#333")
        canvas.add("text", [
            "x": "16", "y": Markup.number(top + plotHeight / 2), "text-anchor": "middle", "font-size": "12",
            "transform": "rotate(-90 16 \(Markup.number(top + plotHeight / 2)))",
        ], text: "Change from baseline (%)")

        let slot = bars.isEmpty ? plotWidth : plotWidth / Double(bars.count)
        let gap = slot > 6 ? slot * 0.15 : 0
        for (index, (course, change)) in bars.enumerated() {
            let x = left + Double(index) * slot + gap / 2
            let top = min(y(change), y(0))
            let barHeight = max(abs(y(change) - y(0)), 0.5)
            canvas.add("rect", [
                "class": "bar", "x": Markup.number(x), "y": Markup.number(top), "width": Markup.number(max(slot - gap, 0.2)),
                "height": Markup.number(barHeight), "fill": ResponseColour.of(course.bestResponse),
                "data-patient": "\(course.registryID) line \(course.lineNumber)",
            ])
        }
        canvas.line(x1: left, y1: y(0), x2: left + plotWidth, y2: y(0), stroke: "#333")
        canvas.line(x1: left, y1: y(20), x2: left + plotWidth, y2: y(20), stroke: "#d1242f", dash: "6 4")
        canvas.text("+20% (PD)", x: left + plotWidth - 4, y: y(20) - 4, anchor: "end", size: 11)
        canvas.line(x1: left, y1: y(-30), x2: left + plotWidth, y2: y(-30), stroke: "#1a7f37", dash: "6 4")
        // Bars below -30% stand on the right, so the PR label goes left, above the growing bars' baseline.
        canvas.text("-30% (PR)", x: left + 4, y: y(-30) + 14, size: 11)
        Legend.draw(on: &canvas, x: left, y: height - 22)
        return canvas.document
    }
}

/// The best-overall-response legend every plot shares.
enum Legend {
    static let entries: [(TimePointResponse?, String)] =
        TimePointResponse.allCases.map { ($0, $0.rawValue) } + [(nil, "not evaluable")]

    static func draw(on canvas: inout SVGCanvas, x: Double, y: Double, including: [(TimePointResponse?, String)] = entries) {
        var position = x
        for (response, label) in including {
            canvas.add("rect", [
                "x": Markup.number(position), "y": Markup.number(y - 10), "width": "12", "height": "12",
                "fill": ResponseColour.of(response),
            ])
            canvas.text(label, x: position + 16, y: y, size: 11)
            position += 28 + Double(label.count) * 6.5
        }
    }
}
