import RegistryDomain

/// Time on therapy, one lane per treated line, longest first, coloured by best overall response, with
/// the first response, progression and death marked and an arrow for lines still ongoing.
public enum SwimmerPlot {
    /// Lanes beyond this many are left out (the longest are kept), so the plot stays readable; the title
    /// says so.
    public static let maximumLanes = 60

    public static func svg(_ summary: ResponseSummary) -> String {
        let ordered = summary.courses.sorted {
            $0.daysOnTherapy != $1.daysOnTherapy ? $0.daysOnTherapy > $1.daysOnTherapy : $0.registryID < $1.registryID
        }
        let lanes = Array(ordered.prefix(maximumLanes))
        let shown =
            lanes.count < ordered.count
            ? " (the \(lanes.count) longest of \(ordered.count) treated lines)" : " (\(lanes.count) treated lines)"
        guard !lanes.isEmpty else {
            return SVGCanvas.withoutData(
                title: "Time on therapy", message: "No lines in this population: no lanes to draw.")
        }
        let laneHeight = 16.0
        let width = 900.0
        let left = 130.0
        let right = 30.0
        let top = 40.0
        let bottom = 80.0
        let height = top + bottom + Double(lanes.count) * laneHeight
        let plotWidth = width - left - right
        let axis = ReportTimeAxis(longestDays: Double(lanes.map(\.daysOnTherapy).max() ?? 0))
        let lastMonth = Double(axis.months.last ?? 1)
        func x(_ days: Int) -> Double { left + Double(days) / daysPerMonth / lastMonth * plotWidth }

        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(
            "Time on therapy\(shown)", x: width / 2, y: 22, anchor: "middle", size: 15, weight: "bold", role: "title")
        for (index, course) in lanes.enumerated() {
            let centre = top + (Double(index) + 0.5) * laneHeight
            canvas.text(
                "\(course.registryID) L\(course.lineNumber)", x: left - 8, y: centre + 4, anchor: "end", size: 10,
                role: "lane-label")
            canvas.add(
                "rect",
                [
                    "class": "lane", "x": Markup.number(left), "y": Markup.number(centre - laneHeight * 0.3),
                    "width": Markup.number(max(x(course.daysOnTherapy) - left, 1)),
                    "height": Markup.number(laneHeight * 0.6),
                    "fill": ResponseColour.of(course.evaluable ? course.bestResponse : nil),
                ])
            if let day = course.firstResponseDay {
                let px = x(day)
                canvas.add(
                    "path",
                    [
                        "d": "M \(Markup.number(px)) \(Markup.number(centre - 6)) l 5 9 l -10 0 z",
                        "fill": "#0b3d91", "stroke": "white", "stroke-width": "0.5",
                    ])
            }
            if let day = course.progressionDay {
                let px = x(day)
                canvas.add(
                    "path",
                    [
                        "d": "M \(Markup.number(px - 4)) \(Markup.number(centre - 4)) l 8 8 m 0 -8 l -8 8",
                        "stroke": "#000", "stroke-width": "2",
                    ])
            }
            if let day = course.deathDay {
                canvas.add(
                    "rect",
                    [
                        "x": Markup.number(x(day) - 4), "y": Markup.number(centre - 4), "width": "8", "height": "8",
                        "fill": "#000",
                    ])
            }
            if course.ongoing {
                let end = x(course.daysOnTherapy)
                canvas.add(
                    "path",
                    [
                        "d": "M \(Markup.number(end + 2)) \(Markup.number(centre - 5)) l 8 5 l -8 5 z", "fill": "#333",
                    ])
            }
        }
        let axisY = top + Double(lanes.count) * laneHeight + 6
        canvas.axis(x1: left, y1: axisY, x2: left + plotWidth, y2: axisY)
        for month in axis.months {
            let px = left + Double(month) / lastMonth * plotWidth
            canvas.line(x1: px, y1: axisY, x2: px, y2: axisY + 5, stroke: "#333")
            canvas.text("\(month)", x: px, y: axisY + 18, anchor: "middle", size: 11, role: "x-tick")
        }
        canvas.text(
            "Months from start of line", x: left + plotWidth / 2, y: axisY + 34, anchor: "middle", size: 12,
            role: "axis-title")
        let legendY = height - 14
        var markerX = Legend.draw(on: &canvas, x: 20, y: legendY) + 12
        canvas.add(
            "path",
            ["d": "M \(Markup.number(markerX + 5)) \(Markup.number(legendY - 9)) l 5 9 l -10 0 z", "fill": "#0b3d91"])
        canvas.text("response", x: markerX + 14, y: legendY, size: 11, role: "legend")
        markerX += 26 + Markup.textWidth("response", size: 11)
        canvas.add(
            "path",
            [
                "d": "M \(Markup.number(markerX)) \(Markup.number(legendY - 8)) l 8 8 m 0 -8 l -8 8", "stroke": "#000",
                "stroke-width": "2",
            ])
        canvas.text("PD", x: markerX + 12, y: legendY, size: 11, role: "legend")
        markerX += 24 + Markup.textWidth("PD", size: 11)
        canvas.add(
            "rect",
            ["x": Markup.number(markerX), "y": Markup.number(legendY - 8), "width": "8", "height": "8", "fill": "#000"])
        canvas.text("death", x: markerX + 12, y: legendY, size: 11, role: "legend")
        markerX += 24 + Markup.textWidth("death", size: 11)
        canvas.add(
            "path", ["d": "M \(Markup.number(markerX)) \(Markup.number(legendY - 9)) l 8 5 l -8 5 z", "fill": "#333"])
        canvas.text("ongoing", x: markerX + 12, y: legendY, size: 11, role: "legend")
        return canvas.document
    }
}
