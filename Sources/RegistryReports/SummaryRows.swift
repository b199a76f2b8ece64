import RegistryDomain

/// One printed line of a response summary: the same rows feed the terminal table, the CSV and the HTML
/// report, so the three never disagree.
public struct SummaryRow: Sendable, Hashable, Codable {
    public let section: String
    public let measure: String
    public let value: String
    /// The 95% interval, when the measure has one.
    public let lower95: String
    public let upper95: String
    /// What the value is counted over.
    public let denominator: String

    public static let columns = ["section", "measure", "value", "lower_95", "upper_95", "denominator"]

    public var cells: [String] { [section, measure, value, lower95, upper95, denominator] }

    init(
        _ section: String, _ measure: String, _ value: String, lower: String = "", upper: String = "",
        over denominator: String = ""
    ) {
        self.section = section
        self.measure = measure
        self.value = value
        lower95 = lower
        upper95 = upper
        self.denominator = denominator
    }

    /// A confidence limit where the log-log interval does not exist (S is 0 or 1), as R's `NA`.
    public static let notEstimable = "not estimable"

    /// The section of the lines excluded because their stored series is refused, one row per line.
    public static let excludedSection = "excluded"

    /// The excluded lines as a block of text under a terminal table, one line each: a reason in the
    /// table's value column would widen every row; nil when no line was excluded.
    public static func exclusionNote(_ summary: ResponseSummary) -> String? {
        guard !summary.excludedLines.isEmpty else { return nil }
        let lines = summary.excludedLines.map {
            "  \($0.registryID) line \($0.lineNumber), read by \($0.evaluator): \($0.reason)"
        }
        return
            (["Excluded lines (treated, not evaluable: the RECIST engine refuses their stored assessments):"] + lines)
            .joined(separator: "\n")
    }

    /// Population and its excluded lines, best overall responses, ORR and DCR, then PFS, DoR and OS.
    public static func rows(_ summary: ResponseSummary) -> [SummaryRow] {
        let evaluable = Markup.count(summary.evaluableLines, "evaluable lines")
        let treated = Markup.count(summary.treatedLines, "treated lines")
        var rows = [
            SummaryRow("population", "treated lines", "\(summary.treatedLines)"),
            SummaryRow("population", "treated patients", "\(summary.treatedPatients)"),
            SummaryRow("population", "evaluable lines", "\(summary.evaluableLines)", over: treated),
            SummaryRow(
                "population", "excluded lines (stored assessments refused)", "\(summary.excludedLines.count)",
                over: treated),
        ]
        for line in summary.excludedLines {
            rows.append(
                SummaryRow(
                    excludedSection, "\(line.registryID) line \(line.lineNumber), read by \(line.evaluator)",
                    "treated, not evaluable: its stored assessments are refused by the RECIST engine: \(line.reason)"))
        }
        for (label, keyPath) in [
            ("confirmed", \BestResponseCount.confirmed), ("unconfirmed", \BestResponseCount.unconfirmed),
        ] {
            for count in summary.bestResponses {
                let n = count[keyPath: keyPath]
                let share =
                    summary.evaluableLines > 0 ? " (\(Markup.percent(Double(n) / Double(summary.evaluableLines))))" : ""
                rows.append(
                    SummaryRow("best response (\(label))", count.response.rawValue, "\(n)\(share)", over: evaluable))
            }
        }
        for rate in [summary.objectiveResponse, summary.diseaseControl] {
            for (label, estimate) in [("confirmed", rate.confirmed), ("unconfirmed", rate.unconfirmed)] {
                let measure = "\(rate.name) \(label) (\(rate.definition))"
                if let estimate {
                    rows.append(
                        SummaryRow(
                            "response rate", measure,
                            "\(estimate.count)/\(estimate.total) (\(Markup.percent(estimate.proportion)))",
                            lower: Markup.percent(estimate.lower), upper: Markup.percent(estimate.upper),
                            over: evaluable))
                } else {
                    rows.append(SummaryRow("response rate", measure, "not estimable", over: evaluable))
                }
            }
        }
        for endpoint in summary.endpoints {
            let section = endpoint.endpoint.rawValue
            let over = Markup.count(endpoint.lines, endpoint.endpoint.countedLines)
            rows.append(SummaryRow(section, "events", "\(endpoint.events)", over: over))
            guard endpoint.curve != nil else {
                rows.append(SummaryRow(section, "median (months)", "not estimable", over: over))
                continue
            }
            rows.append(
                SummaryRow(
                    section, "median (months)", Markup.months(endpoint.medianMonths),
                    lower: Markup.months(endpoint.medianLowerMonths), upper: Markup.months(endpoint.medianUpperMonths),
                    over: over))
            for (month, rate) in [(6, endpoint.rateAt6Months), (12, endpoint.rateAt12Months)] {
                if let rate, let lower = rate.lower, let upper = rate.upper {
                    rows.append(
                        SummaryRow(
                            section, "rate at \(month) months", Markup.percent(rate.survival),
                            lower: Markup.percent(lower), upper: Markup.percent(upper), over: over))
                } else if let rate {
                    rows.append(
                        SummaryRow(
                            section, "rate at \(month) months", Markup.percent(rate.survival),
                            lower: notEstimable, upper: notEstimable, over: over))
                } else {
                    rows.append(
                        SummaryRow(
                            section, "rate at \(month) months", "not estimable (follow-up too short)", over: over))
                }
            }
            for entry in endpoint.atRisk {
                rows.append(SummaryRow(section, "at risk at \(entry.month) months", "\(entry.count)", over: over))
            }
        }
        return rows
    }
}

/// One printed line of an adverse-event table.
public struct AdverseEventRow: Sendable, Hashable {
    public static let columns = [
        "term", "any_grade", "any_grade_percent", "grade_3_or_worse", "grade_3_or_worse_percent",
    ]

    public let cells: [String]

    public static func rows(_ table: AdverseEventTable) -> [AdverseEventRow] {
        table.terms.map { term in
            AdverseEventRow(cells: [
                term.term, "\(term.anyGrade)", Markup.percent(term.anyGradePercent / 100), "\(term.grade3OrWorse)",
                Markup.percent(term.grade3OrWorsePercent / 100),
            ])
        }
    }

    /// The excluded events as CSV rows after the counted terms: the term cell says `excluded`, the
    /// registry id, the line and the reason, and the counts stay empty, so the columns keep their meaning.
    public static func excludedRows(_ table: AdverseEventTable) -> [AdverseEventRow] {
        table.excludedEvents.map { AdverseEventRow(cells: ["excluded: \(line($0))", "", "", "", ""]) }
    }

    /// The excluded events as a block of text under a terminal table; nil when none was excluded.
    public static func exclusionNote(_ table: AdverseEventTable) -> String? {
        guard !table.excludedEvents.isEmpty else { return nil }
        return
            (["Excluded adverse events (not counted; their patients still count as treated):"]
            + table.excludedEvents.map { "  \(line($0))" }).joined(separator: "\n")
    }

    private static func line(_ event: ExcludedAdverseEvent) -> String {
        "\(event.registryID) line \(event.lineNumber): \(event.reason)"
    }

    /// What the table counts, for its caption.
    public static func caption(_ table: AdverseEventTable) -> String {
        let basis = table.basis == .anyGrade ? "any grade" : "grade 3 or worse"
        return
            "Patients with each CTCAE term recorded on the treated lines (worst grade per patient), as a percentage of "
            + "\(table.treatedPatients) treated patients; terms reaching \(Markup.number(table.minimumPercent))% at \(basis)."
    }
}
