/// Days in an average month, so that 6 and 12 months are the 182.625- and 365.25-day landmarks.
public let daysPerMonth = 30.4375

/// How many lines had one best overall response, with and without confirmation.
public struct BestResponseCount: Sendable, Hashable, Codable {
    public let response: TimePointResponse
    public let confirmed: Int
    public let unconfirmed: Int
}

/// A response rate over the evaluable lines, by confirmed and by unconfirmed best overall response.
public struct ResponseRate: Sendable, Hashable, Codable {
    /// `ORR` or `DCR`.
    public let name: String
    /// Which best responses count, in words.
    public let definition: String
    /// nil when no line is evaluable: a rate over nobody is not 0 %.
    public let confirmed: ProportionEstimate?
    public let unconfirmed: ProportionEstimate?
}

public enum SurvivalEndpoint: String, Sendable, Hashable, Codable, CaseIterable {
    case progressionFreeSurvival = "PFS"
    case durationOfResponse = "DoR"
    case overallSurvival = "OS"

    /// The lines an endpoint counts, in the words its table and plot both print.
    public var countedLines: String {
        switch self {
        case .progressionFreeSurvival: "evaluable lines"
        case .durationOfResponse: "responding lines"
        case .overallSurvival: "treated lines"
        }
    }

    public var definition: String {
        switch self {
        case .progressionFreeSurvival:
            "evaluable lines, from line start to the first PD or death; censored at the last adequate assessment"
        case .durationOfResponse:
            "responding lines, from the first CR/PR to PD or death; censored at the last adequate assessment"
        case .overallSurvival:
            "treated lines, from line start to death; censored at the last contact or last known date"
        }
    }
}

/// Patients still followed and event-free at a time on the report's axis.
public struct NumberAtRisk: Sendable, Hashable, Codable {
    public let month: Int
    public let count: Int
}

/// A Kaplan-Meier summary of one time-to-event endpoint; times in months except ``curve``'s, in days.
public struct EndpointSummary: Sendable, Hashable, Codable {
    public let endpoint: SurvivalEndpoint
    public let definition: String
    /// Therapy lines counted: the unit of a response report is the line, not the patient.
    public let lines: Int
    public let events: Int
    public let medianMonths: Double?
    /// Brookmeyer-Crowley interval of the median with log-log limits; nil where not reached.
    public let medianLowerMonths: Double?
    public let medianUpperMonths: Double?
    /// Kaplan-Meier rates at 6 and 12 months; nil when no patient was followed that long, even when the
    /// curve reached 0 before.
    public let rateAt6Months: SurvivalEstimate?
    public let rateAt12Months: SurvivalEstimate?
    /// On the endpoint's own axis, which ends at the first tick at or past its last follow-up time.
    public let atRisk: [NumberAtRisk]
    /// nil for an endpoint without patients.
    public let curve: KaplanMeierCurve?

    init(_ endpoint: SurvivalEndpoint, observations: [SurvivalObservation]) {
        self.endpoint = endpoint
        definition = endpoint.definition
        lines = observations.count
        events = observations.filter(\.event).count
        let curve = try? KaplanMeierCurve(observations: observations)
        self.curve = curve
        medianMonths = curve?.median.estimate.map { $0 / daysPerMonth }
        medianLowerMonths = curve?.median.lower.map { $0 / daysPerMonth }
        medianUpperMonths = curve?.median.upper.map { $0 / daysPerMonth }
        rateAt6Months = curve?.survival(at: 6 * daysPerMonth)
        rateAt12Months = curve?.survival(at: 12 * daysPerMonth)
        // Each endpoint has its own axis: PFS that stops at 14 months is not drawn to OS's 21.
        let months = ReportTimeAxis(longestDays: observations.map(\.time).max() ?? 0).months
        let counts = curve?.numberAtRisk(at: months.map { Double($0) * daysPerMonth }) ?? months.map { _ in 0 }
        atRisk = zip(months, counts).map { NumberAtRisk(month: $0, count: $1) }
    }
}

/// One line's course, as the waterfall and swimmer plots draw it; days count from the start of the line.
public struct LineCourse: Sendable, Hashable, Codable {
    public let registryID: String
    public let lineNumber: Int
    public let evaluable: Bool
    /// The best overall response under the line's policy (confirmed when the policy requires it).
    public let bestResponse: TimePointResponse?
    /// Smallest change of the sum of target diameters from baseline, in percent, up to the first PD;
    /// nil without target lesions or without a completely measured follow-up.
    public let bestPercentChange: Double?
    /// Days on therapy: to the stop date, else to the last date known alive.
    public let daysOnTherapy: Int
    /// Still on therapy: not stopped and not dead.
    public let ongoing: Bool
    public let firstResponseDay: Int?
    public let progressionDay: Int?
    /// How the first PD was found: a PD bar of the waterfall below +20% from baseline needs it said.
    public let progressionBasis: ProgressionBasis?
    public let deathDay: Int?

    init(_ line: TreatedLine) {
        registryID = line.registryID
        lineNumber = line.lineNumber
        evaluable = line.response != nil
        bestResponse = line.response?.bestOverallResponse.primary.response
        let counted = line.response?.evaluations.filter { !$0.isAfterProgression && $0.allTargetsMeasured } ?? []
        let changes = counted.compactMap { evaluation in
            evaluation.sumOfDiameters.flatMap { PercentChange(from: evaluation.baselineSum, to: $0) }
        }
        bestPercentChange = changes.min().map { Double($0.tenthsOfPercent) / 10 }
        let end = line.stoppedOn ?? line.deathOn ?? line.lastKnownAlive
        daysOnTherapy = max(0, end.days(since: line.startedOn))
        ongoing = line.stoppedOn == nil && line.deathOn == nil
        firstResponseDay = line.response?.progression.durationOfResponse.map { $0.start.days(since: line.startedOn) }
        progressionDay = line.response?.progression.firstProgression.map { $0.days(since: line.startedOn) }
        progressionBasis = line.response?.progression.firstProgressionBasis
        deathDay = line.deathOn.map { $0.days(since: line.startedOn) }
    }
}

/// A treated line left out of the evaluable lines because the RECIST engine refuses its stored baseline
/// or assessments: the report lists it so that nobody takes the rates for the whole population.
public struct ExcludedLine: Sendable, Hashable, Codable {
    public let registryID: String
    public let lineNumber: Int
    /// Whose reads were refused: `investigator` or an independent reader.
    public let evaluator: String
    /// The engine's reason, in words a coordinator can act on.
    public let reason: String
}

/// The investigator's response summary of a population of therapy lines: best overall responses,
/// ORR and DCR with exact intervals, and Kaplan-Meier PFS, DoR and OS.
public struct ResponseSummary: Sendable, Hashable, Codable {
    public let evaluator: String
    /// The filters that chose the treated lines, as `name = value` terms.
    public let filters: [String]
    /// How the populations and endpoints are defined, in words, for the report's reader.
    public let populationRule: String
    public let treatedLines: Int
    public let treatedPatients: Int
    public let evaluableLines: Int
    /// Every RECIST category, in the order CR, PR, SD, NON-CR/NON-PD, PD, NE.
    public let bestResponses: [BestResponseCount]
    public let objectiveResponse: ResponseRate
    public let diseaseControl: ResponseRate
    public let endpoints: [EndpointSummary]
    /// Every treated line, sorted by registry id and line.
    public let courses: [LineCourse]
    /// Treated lines whose stored series the engine refuses, sorted by registry id and line; they count
    /// as treated (and in OS) but not as evaluable.
    public let excludedLines: [ExcludedLine]

    public init(lines: [TreatedLine], evaluator: Evaluator, filters: [String]) {
        self.evaluator = evaluator.rawValue
        self.filters = filters
        let chosen =
            filters.isEmpty
            ? "every therapy line in the registry" : "therapy lines with " + filters.joined(separator: ", ")
        populationRule =
            "Treated: \(chosen). Evaluable: treated lines with a baseline of at least one lesion and at least one "
            + "follow-up assessment of that line, read by \(evaluator). A treated line whose stored baseline or "
            + "assessments the RECIST engine refuses is not evaluable: it is listed as excluded with the engine's "
            + "reason, and still counts as treated and in OS. ORR (CR + PR) and DCR (CR + PR + SD + "
            + "NON-CR/NON-PD) are over the evaluable lines, with exact Clopper-Pearson 95% intervals. "
            + "PFS: \(SurvivalEndpoint.progressionFreeSurvival.definition). "
            + "DoR: \(SurvivalEndpoint.durationOfResponse.definition). "
            + "OS: \(SurvivalEndpoint.overallSurvival.definition). "
            + KaplanMeierCurve.conventions
        treatedLines = lines.count
        treatedPatients = Set(lines.map(\.registryID)).count
        // One pass that tallies in place: filtering the series per category would copy each of them
        // twelve times.
        var confirmedCounts: [TimePointResponse: Int] = [:]
        var unconfirmedCounts: [TimePointResponse: Int] = [:]
        var evaluableCount = 0
        for line in lines {
            guard let best = line.response?.bestOverallResponse else { continue }
            evaluableCount += 1
            confirmedCounts[best.confirmed.response, default: 0] += 1
            unconfirmedCounts[best.unconfirmed.response, default: 0] += 1
        }
        evaluableLines = evaluableCount

        let counts = TimePointResponse.allCases.map { response in
            BestResponseCount(
                response: response, confirmed: confirmedCounts[response] ?? 0,
                unconfirmed: unconfirmedCounts[response] ?? 0)
        }
        bestResponses = counts
        func rate(_ name: String, _ definition: String, _ counted: Set<TimePointResponse>) -> ResponseRate {
            let confirmed = counts.filter { counted.contains($0.response) }.reduce(0) { $0 + $1.confirmed }
            let unconfirmed = counts.filter { counted.contains($0.response) }.reduce(0) { $0 + $1.unconfirmed }
            return ResponseRate(
                name: name, definition: definition,
                confirmed: try? ProportionEstimate(count: confirmed, total: evaluableCount),
                unconfirmed: try? ProportionEstimate(count: unconfirmed, total: evaluableCount))
        }
        objectiveResponse = rate("ORR", "CR + PR", [.completeResponse, .partialResponse])
        diseaseControl = rate(
            "DCR", "CR + PR + SD + NON-CR/NON-PD",
            [.completeResponse, .partialResponse, .stableDisease, .nonCompleteNonProgression])

        let pfs = lines.compactMap(\.progressionFreeSurvival)
        let dor = lines.compactMap(\.durationOfResponse)
        endpoints = [
            EndpointSummary(.progressionFreeSurvival, observations: pfs),
            EndpointSummary(.durationOfResponse, observations: dor),
            EndpointSummary(.overallSurvival, observations: lines.map(\.overallSurvival)),
        ]
        courses = lines.map(LineCourse.init).sorted {
            ($0.registryID, $0.lineNumber) < ($1.registryID, $1.lineNumber)
        }
        excludedLines = lines.compactMap { line in
            line.refusal.map {
                ExcludedLine(
                    registryID: line.registryID, lineNumber: line.lineNumber, evaluator: evaluator.rawValue,
                    reason: $0.description)
            }
        }.sorted { ($0.registryID, $0.lineNumber) < ($1.registryID, $1.lineNumber) }
    }
}

/// The months at which a report counts patients at risk and a plot draws its ticks: every 3 months,
/// or every 6, 12 or 24 when follow-up is longer, so that the axis keeps about eight ticks.
public struct ReportTimeAxis: Sendable, Hashable {
    public let stepMonths: Int
    public let months: [Int]

    public init(longestDays: Double) {
        let longestMonths = max(1, Int((longestDays / daysPerMonth).rounded(.up)))
        let step = [3, 6, 12, 24].first { longestMonths <= $0 * 8 } ?? 48
        stepMonths = step
        let last = ((longestMonths + step - 1) / step) * step
        months = Array(stride(from: 0, through: last, by: step))
    }
}
