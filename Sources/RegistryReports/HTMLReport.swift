import RegistryDomain

/// One self-contained HTML page with the response tables, the adverse-event table and every plot
/// inlined as SVG: it can be mailed or archived without its images getting lost.
public enum HTMLReport {
    public static func render(title: String, summary: ResponseSummary, adverseEvents: AdverseEventTable) -> String {
        var body = "<h1>\(Markup.escape(title))</h1>\n"
        body += "<p class=\"rule\">\(Markup.escape(summary.populationRule))</p>\n"
        let rows = SummaryRow.rows(summary)
        var sections: [String] = []
        for row in rows where !sections.contains(row.section) { sections.append(row.section) }
        if !summary.excludedLines.isEmpty {
            body +=
                "<h2>Excluded lines</h2>\n<p>Treated but not evaluable: the RECIST engine refuses their stored "
                + "assessments, so they are not in the evaluable lines, ORR, DCR or PFS until corrected.</p>\n"
            body += table(
                caption: nil, header: ["registry id", "line", "evaluator", "reason"],
                rows: summary.excludedLines.map { [$0.registryID, "\($0.lineNumber)", $0.evaluator, $0.reason] })
        }
        body += "<h2>Responses</h2>\n<div class=\"tables\">\n"
        for section in sections where !["PFS", "DoR", "OS", SummaryRow.excludedSection].contains(section) {
            body += table(
                caption: section, header: ["measure", "value", "95% CI", "over"],
                rows: rows.filter { $0.section == section }.map {
                    [$0.measure, $0.value, interval($0), $0.denominator]
                })
        }
        body += "</div>\n<h2>Waterfall</h2>\n" + figure(WaterfallPlot.svg(summary), id: "waterfall")
        body += "<h2>Time to event</h2>\n<div class=\"tables\">\n"
        for section in ["PFS", "DoR", "OS"] {
            body += table(
                caption: section, header: ["measure", "value", "95% CI", "over"],
                rows: rows.filter { $0.section == section && !$0.measure.hasPrefix("at risk") }
                    .map { [$0.measure, $0.value, interval($0), $0.denominator] })
        }
        body += "</div>\n"
        for endpoint in summary.endpoints {
            body += figure(KaplanMeierPlot.svg(endpoint), id: "km-\(endpoint.endpoint.rawValue.lowercased())")
        }
        body += "<h2>Time on therapy</h2>\n" + figure(SwimmerPlot.svg(summary), id: "swimmer")
        body += "<h2>Adverse events</h2>\n<p>\(Markup.escape(AdverseEventRow.caption(adverseEvents)))</p>\n"
        body += table(
            caption: nil, header: ["CTCAE term", "any grade", "%", "grade >= 3", "%"],
            rows: AdverseEventRow.rows(adverseEvents).map(\.cells))
        if !adverseEvents.excludedEvents.isEmpty {
            body +=
                "<h3>Excluded adverse events</h3>\n<p>Not counted above until corrected; their patients still count "
                + "as treated.</p>\n"
            body += table(
                caption: nil, header: ["registry id", "line", "reason"],
                rows: adverseEvents.excludedEvents.map { [$0.registryID, "\($0.lineNumber)", $0.reason] })
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(Markup.escape(title))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #1f2328; max-width: 960px; }
            h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
            .rule { font-size: 13px; color: #444; background: #f6f8fa; padding: 8px 12px; border-radius: 4px; }
            .tables { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
            table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
            caption { text-align: left; font-weight: bold; padding: 4px 0; }
            th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; }
            th { background: #f6f8fa; }
            figure { margin: 12px 0; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    private static func interval(_ row: SummaryRow) -> String {
        if row.lower95.isEmpty && row.upper95.isEmpty { return "" }
        if row.lower95 == SummaryRow.notEstimable && row.upper95 == SummaryRow.notEstimable {
            return SummaryRow.notEstimable
        }
        return "\(row.lower95) - \(row.upper95)"
    }

    /// A plot with an id, by which a reader can link to it and the layout test finds it.
    private static func figure(_ svg: String, id: String) -> String {
        "<figure id=\"\(id)\">\n\(svg)</figure>\n"
    }

    private static func table(caption: String?, header: [String], rows: [[String]]) -> String {
        var html = "<table>\n"
        if let caption { html += "<caption>\(Markup.escape(caption))</caption>\n" }
        html += "<tr>" + header.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            html += "<tr>" + row.map { "<td>\(Markup.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }
}
