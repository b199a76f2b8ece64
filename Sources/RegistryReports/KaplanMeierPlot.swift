import RegistryDomain

/// A Kaplan-Meier curve with its censoring marks, the median and the numbers at risk under the axis.
public enum KaplanMeierPlot {
    /// The curve; for an endpoint without lines, its title and a sentence saying so, without axes.
    public static func svg(_ endpoint: EndpointSummary) -> String {
        let name = endpoint.endpoint.rawValue
        guard let curve = endpoint.curve else {
            return SVGCanvas.withoutData(
                title: "\(name) (Kaplan-Meier)",
                message: "No \(endpoint.endpoint.countedLines) in this population: no curve to draw.")
        }
        let width = 900.0
        let left = 70.0
        let right = 30.0
        let top = 40.0
        let plotHeight = 280.0
        let height = top + plotHeight + 110
        let plotWidth = width - left - right
        let months = endpoint.atRisk.map(\.month)
        // The endpoint's own axis ends at the first tick at or past its last time (ReportTimeAxis).
        let lastMonth = Double(max(months.last ?? 1, 1))
        func x(_ days: Double) -> Double { left + days / daysPerMonth / lastMonth * plotWidth }
        func y(_ survival: Double) -> Double { top + (1 - survival) * plotHeight }
        let colour =
            switch endpoint.endpoint {
            case .progressionFreeSurvival: "#0b3d91"
            case .durationOfResponse: "#1a7f37"
            case .overallSurvival: "#8e24aa"
            }

        var canvas = SVGCanvas(width: width, height: height)
        let interval =
            endpoint.medianLowerMonths == nil && endpoint.medianUpperMonths == nil
            ? ""
            : " (95% CI \(Markup.months(endpoint.medianLowerMonths))-\(Markup.months(endpoint.medianUpperMonths)))"
        let median =
            (endpoint.medianMonths == nil
                ? "median not reached" : "median \(Markup.months(endpoint.medianMonths)) months") + interval
        let counted = Markup.count(endpoint.lines, endpoint.endpoint.countedLines)
        canvas.text(
            "\(name): \(counted), \(Markup.count(endpoint.events, "events")), \(median)",
            x: width / 2, y: 22, anchor: "middle", size: 15, weight: "bold", role: "title")
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            canvas.line(x1: left - 5, y1: y(tick), x2: left, y2: y(tick), stroke: "#333")
            canvas.line(x1: left, y1: y(tick), x2: left + plotWidth, y2: y(tick), stroke: "#eee")
            canvas.text("\(Int(tick * 100))%", x: left - 8, y: y(tick) + 4, anchor: "end", size: 11, role: "y-tick")
        }
        canvas.axis(x1: left, y1: top, x2: left, y2: top + plotHeight)
        canvas.axis(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight)
        canvas.line(x1: left, y1: y(0.5), x2: left + plotWidth, y2: y(0.5), stroke: "#999", dash: "4 4")

        var path = "M \(Markup.number(x(0))) \(Markup.number(y(1)))"
        var lowerPath: [String] = []
        var upperPath: [String] = []
        var lower = 1.0
        var upper = 1.0
        for step in curve.steps {
            path += " H \(Markup.number(x(step.time))) V \(Markup.number(y(step.survival)))"
            // Where S is 0 or 1 there is no interval; the band meets the curve there rather than
            // drawing limits that do not exist.
            let stepLower = step.lower ?? step.survival
            let stepUpper = step.upper ?? step.survival
            lowerPath.append(
                "\(Markup.number(x(step.time))),\(Markup.number(y(lower))) \(Markup.number(x(step.time))),\(Markup.number(y(stepLower)))"
            )
            upperPath.append(
                "\(Markup.number(x(step.time))),\(Markup.number(y(upper))) \(Markup.number(x(step.time))),\(Markup.number(y(stepUpper)))"
            )
            lower = stepLower
            upper = stepUpper
        }
        canvas.add(
            "polyline",
            [
                "points": "\(Markup.number(x(0))),\(Markup.number(y(1))) " + lowerPath.joined(separator: " "),
                "fill": "none", "stroke": colour, "stroke-width": "1", "stroke-dasharray": "3 3", "opacity": "0.6",
            ])
        canvas.add(
            "polyline",
            [
                "points": "\(Markup.number(x(0))),\(Markup.number(y(1))) " + upperPath.joined(separator: " "),
                "fill": "none", "stroke": colour, "stroke-width": "1", "stroke-dasharray": "3 3", "opacity": "0.6",
            ])
        canvas.add("path", ["class": "curve", "d": path, "fill": "none", "stroke": colour, "stroke-width": "2"])
        for step in curve.steps where step.censored > 0 {
            let cx = x(step.time)
            let cy = y(step.survival)
            canvas.add(
                "path",
                [
                    "class": "censor", "d": "M \(Markup.number(cx)) \(Markup.number(cy - 5)) v 10", "stroke": colour,
                    "stroke-width": "1.5",
                ])
        }
        let axisY = top + plotHeight
        for entry in endpoint.atRisk {
            let px = left + Double(entry.month) / lastMonth * plotWidth
            canvas.line(x1: px, y1: axisY, x2: px, y2: axisY + 5, stroke: "#333")
            canvas.text("\(entry.month)", x: px, y: axisY + 18, anchor: "middle", size: 11, role: "x-tick")
            canvas.text("\(entry.count)", x: px, y: axisY + 72, anchor: "middle", size: 11, role: "at-risk")
        }
        canvas.text(
            "Months from \(endpoint.endpoint == .durationOfResponse ? "first response" : "start of line")",
            x: left + plotWidth / 2, y: axisY + 34, anchor: "middle", size: 12, role: "axis-title")
        // The label has a row of its own above the counts: beside them it ran into the first one.
        canvas.text(
            "Number at risk (lines)", x: left, y: axisY + 54, size: 11, weight: "bold", role: "at-risk-label")
        canvas.text(
            "dashed: 95% log-log confidence band; ticks: censored; grey line: 50%", x: left, y: axisY + 100, size: 10,
            role: "note")
        return canvas.document
    }
}
