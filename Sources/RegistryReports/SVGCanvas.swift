import RegistryDomain

/// An SVG document built element by element; every text and attribute value is escaped here, so a
/// registry id or a CTCAE term can never break the markup.
struct SVGCanvas {
    let width: Double
    let height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil) {
        let rendered = attributes.map { " \($0.key)=\"\(Markup.escape($0.value))\"" }.joined()
        if let text {
            elements.append("<\(name)\(rendered)>\(Markup.escape(text))</\(name)>")
        } else {
            elements.append("<\(name)\(rendered)/>")
        }
    }

    mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        add(
            "line",
            [
                "x1": Markup.number(x1), "y1": Markup.number(y1), "x2": Markup.number(x2), "y2": Markup.number(y2),
                "stroke": stroke, "stroke-width": Markup.number(width), "stroke-dasharray": dash ?? "none",
            ])
    }

    /// A label; `role` becomes its class, by which the report's layout test finds it.
    mutating func text(
        _ value: String, x: Double, y: Double, anchor: String = "start", size: Double = 12, weight: String = "normal",
        role: String = "label"
    ) {
        add(
            "text",
            [
                "class": role, "x": Markup.number(x), "y": Markup.number(y), "text-anchor": anchor,
                "font-size": Markup.number(size), "font-weight": weight,
            ], text: value)
    }

    /// An axis line, classed so that a test can tell a plot with axes from a message without them.
    mutating func axis(x1: Double, y1: Double, x2: Double, y2: Double) {
        add(
            "line",
            [
                "class": "axis", "x1": Markup.number(x1), "y1": Markup.number(y1), "x2": Markup.number(x2),
                "y2": Markup.number(y2), "stroke": "#333", "stroke-width": "1",
            ])
    }

    /// A plot of nobody: its title and a sentence saying why there is nothing to draw, and no axes, which
    /// would read as a result.
    static func withoutData(title: String, message: String) -> String {
        var canvas = SVGCanvas(width: 900, height: 80)
        canvas.text(title, x: 450, y: 22, anchor: "middle", size: 15, weight: "bold", role: "title")
        canvas.text(message, x: 450, y: 56, anchor: "middle", size: 13, role: "empty-population")
        return canvas.document
    }

    /// The document: a standalone SVG with its own font, so a file opened alone looks like the report.
    var document: String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Markup.number(width))" height="\(Markup.number(height))" \
        viewBox="0 0 \(Markup.number(width)) \(Markup.number(height))" font-family="Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="\(Markup.number(width))" height="\(Markup.number(height))" fill="white"/>
        \(elements.joined(separator: "\n"))
        </svg>

        """
    }
}

enum Markup {
    /// Escapes the five XML special characters, for text and attribute values alike.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A coordinate with at most two decimals: enough for a screen, and short files.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A generous estimate of a label's width in Helvetica or its fallbacks (wide capitals included), for
    /// laying out legends without measuring text, which SVG cannot do before it is drawn.
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.64
    }

    /// A count with its plural noun, singular for one: `1 responding line`, `3 events`.
    static func count(_ number: Int, _ plural: String) -> String {
        "\(number) \(number == 1 && plural.hasSuffix("s") ? String(plural.dropLast()) : plural)"
    }

    /// A percentage with one decimal, `33.3%`.
    static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded() / 10
        return "\(tenths)%"
    }

    /// Months with one decimal, or `NR` (not reached) for nil.
    static func months(_ value: Double?) -> String {
        guard let value else { return "NR" }
        return "\((value * 10).rounded() / 10)"
    }
}

/// The colour of each best overall response, the same in every plot and legend.
enum ResponseColour {
    static func of(_ response: TimePointResponse?) -> String {
        switch response {
        case .completeResponse: "#1a7f37"
        case .partialResponse: "#4caf50"
        case .stableDisease: "#f2a900"
        case .nonCompleteNonProgression: "#8c8c8c"
        case .progressiveDisease: "#d1242f"
        case .notEvaluable: "#c7c7c7"
        case nil: "#9aa5b1"
        }
    }
}
