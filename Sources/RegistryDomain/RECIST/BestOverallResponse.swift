/// The best overall response of one evaluator, with and without confirmation ([E09] §4.4.3, Table 3).
///
/// Only assessments up to and including the first PD count; later ones are scored but ignored.
/// Both forms are always computed because randomised and single-arm analyses of one registry
/// need different ones; ``primary`` is the one the trial's policy asks for.
public struct BestOverallResponse: Sendable, Hashable {
    /// CR and PR count only when confirmed by a later assessment (Table 3).
    public let confirmed: BestResponseDetermination
    /// The best time-point response, with the SD minimum interval.
    public let unconfirmed: BestResponseDetermination
    public let confirmationRequired: Bool
    /// Dates of the CR/PR time points that a later assessment confirmed, in date order.
    let confirmedResponseDates: [CalendarDate]
    let firstResponseDate: CalendarDate?

    public var primary: BestResponseDetermination { confirmationRequired ? confirmed : unconfirmed }

    /// - Parameter counted: the evaluations up to and including the first PD, in date order.
    init(
        counted: ArraySlice<TimePointEvaluation>, therapyStart: CalendarDate, policy: ResponsePolicy,
        hasTargetDisease: Bool
    ) {
        let minimumSD = policy.stableDiseaseMinimumInterval
        confirmationRequired = policy.confirmationRequired
        firstResponseDate = counted.first { $0.overall.isResponse }?.date

        let fallback = Self.withoutResponse(
            counted, therapyStart: therapyStart, minimum: minimumSD, hasTargetDisease: hasTargetDisease,
            downgradingResponses: false)
        if let best = counted.lazy.filter({ $0.overall.isResponse }).max(by: { $0.overall.rank < $1.overall.rank }) {
            unconfirmed = BestResponseDetermination(
                response: best.overall, date: best.date, rule: .unconfirmedResponse(best.overall, on: best.date))
        } else {
            unconfirmed = fallback
        }

        var confirmations: [(first: TimePointEvaluation, confirmation: Confirmation)] = []
        for index in counted.indices where counted[index].overall.isResponse {
            if let confirmation = Self.confirmation(
                of: index, in: counted, minimumInterval: policy.minimumConfirmationInterval)
            {
                confirmations.append((counted[index], confirmation))
            }
        }
        confirmedResponseDates = confirmations.map(\.first.date)
        let chosen =
            confirmations.first { $0.first.overall == .completeResponse }
            ?? confirmations.first { $0.first.overall == .partialResponse }
        if let chosen {
            let response = chosen.first.overall
            confirmed = BestResponseDetermination(
                response: response, date: chosen.first.date,
                rule: .confirmedResponse(
                    response, firstMet: chosen.first.date, confirmedBy: chosen.confirmation.response,
                    confirmedOn: chosen.confirmation.date,
                    days: chosen.confirmation.date.days(since: chosen.first.date),
                    notEvaluableBetween: chosen.confirmation.notEvaluableBetween,
                    minimumInterval: policy.minimumConfirmationInterval))
        } else {
            confirmed = Self.withoutResponse(
                counted, therapyStart: therapyStart, minimum: minimumSD, hasTargetDisease: hasTargetDisease,
                downgradingResponses: true)
        }
    }

    /// The start of the duration of response: the first CR/PR date, among confirmed responses when
    /// confirmation is required.
    func responseStart(confirmationRequired: Bool) -> CalendarDate? {
        confirmationRequired ? confirmedResponseDates.first : firstResponseDate
    }

    private struct Confirmation {
        var response: TimePointResponse
        var date: CalendarDate
        var notEvaluableBetween: Int
    }

    /// A later CR (for CR) or CR/PR (for PR) at least the interval later, with only CR/PR/NE between,
    /// at most one NE, and no PR after a CR.
    private static func confirmation(
        of index: Int, in counted: ArraySlice<TimePointEvaluation>, minimumInterval: Int
    )
        -> Confirmation?
    {
        let first = counted[index]
        var notEvaluable = 0
        var seenComplete = first.overall == .completeResponse
        for later in counted[(index + 1)...] {
            switch later.overall {
            case .completeResponse, .partialResponse:
                if later.overall == .partialResponse && seenComplete { return nil }
                if later.date.days(since: first.date) >= minimumInterval {
                    return Confirmation(response: later.overall, date: later.date, notEvaluableBetween: notEvaluable)
                }
                if later.overall == .completeResponse { seenComplete = true }
            case .notEvaluable:
                notEvaluable += 1
                if notEvaluable > 1 { return nil }
            default:
                return nil
            }
        }
        return nil
    }

    /// The best response when no CR/PR counts: SD (or NON-CR/NON-PD) if met late enough, else PD
    /// if progression was documented, else NE.
    ///
    /// With `downgradingResponses`, an unconfirmed CR or PR counts as SD, as Table 3 does ("CR then
    /// SD: SD if the SD minimum duration is met"). PD outranks NE as in the admiralonco template; since
    /// nothing after the first PD counts, that PD is the last assessment considered.
    private static func withoutResponse(
        _ counted: ArraySlice<TimePointEvaluation>, therapyStart: CalendarDate, minimum: Int, hasTargetDisease: Bool,
        downgradingResponses: Bool
    ) -> BestResponseDetermination {
        let stable: TimePointResponse = hasTargetDisease ? .stableDisease : .nonCompleteNonProgression
        let qualifies: (TimePointEvaluation) -> Bool = { evaluation in
            switch evaluation.overall {
            case .stableDisease, .nonCompleteNonProgression: true
            case .completeResponse, .partialResponse: downgradingResponses
            default: false
            }
        }
        var tooEarly: TimePointEvaluation?
        for evaluation in counted where qualifies(evaluation) {
            let days = evaluation.date.days(since: therapyStart)
            if days >= minimum {
                return BestResponseDetermination(
                    response: stable, date: evaluation.date,
                    rule: .stableDiseaseMinimumMet(
                        stable, recorded: evaluation.overall, on: evaluation.date, daysFromStart: days, minimum: minimum
                    ))
            }
            if tooEarly == nil { tooEarly = evaluation }
        }
        let earlyDate = tooEarly?.date
        if let progression = counted.first(where: { $0.overall == .progressiveDisease }) {
            return BestResponseDetermination(
                response: .progressiveDisease, date: progression.date,
                rule: .progression(on: progression.date, stableTooEarlyOn: earlyDate, minimum: minimum))
        }
        return BestResponseDetermination(
            response: .notEvaluable, date: nil,
            rule: .notEvaluable(assessments: counted.count, stableTooEarlyOn: earlyDate, minimum: minimum))
    }
}

/// One best-overall-response figure with its date and the reason for it.
public struct BestResponseDetermination: Sendable, Hashable, CustomStringConvertible {
    public let response: TimePointResponse
    /// Date of the time point that gave it; `nil` for NE.
    public let date: CalendarDate?
    public let rule: BestResponseRule

    public var description: String { rule.description }
}

public enum BestResponseRule: Sendable, Hashable, CustomStringConvertible {
    case confirmedResponse(
        TimePointResponse, firstMet: CalendarDate, confirmedBy: TimePointResponse, confirmedOn: CalendarDate, days: Int,
        notEvaluableBetween: Int, minimumInterval: Int)
    case unconfirmedResponse(TimePointResponse, on: CalendarDate)
    case stableDiseaseMinimumMet(
        TimePointResponse, recorded: TimePointResponse, on: CalendarDate, daysFromStart: Int, minimum: Int)
    case progression(on: CalendarDate, stableTooEarlyOn: CalendarDate?, minimum: Int)
    case notEvaluable(assessments: Int, stableTooEarlyOn: CalendarDate?, minimum: Int)

    public var description: String {
        switch self {
        case .confirmedResponse(let response, let first, let by, let on, let days, let ne, let minimum):
            let between = ne == 0 ? "" : ", \(ne) NE between"
            return "\(response) confirmed: \(response) on \(first) confirmed by \(by) on \(on), \(days) days later "
                + "(at least \(minimum)\(between))"
        case .unconfirmedResponse(let response, let date):
            return "\(response): best time-point response, on \(date) (confirmation not applied)"
        case .stableDiseaseMinimumMet(let response, let recorded, let date, let days, let minimum):
            let recordedText = recorded == response ? "" : " (\(recorded), not confirmed)"
            return "\(response): time point \(date)\(recordedText) is \(days) days after the start of therapy, "
                + "at least the SD minimum of \(minimum) days"
        case .progression(let date, let early, let minimum):
            return "PD: no confirmed or counted response and no SD at least \(minimum) days after the start of "
                + "therapy\(Self.early(early)); progression on \(date)"
        case .notEvaluable(let count, let early, let minimum):
            if count == 0 { return "NE: no assessment before progression or end of follow-up" }
            return "NE: no counted response, no SD at least \(minimum) days after the start of therapy"
                + "\(Self.early(early)), and no progression"
        }
    }

    private static func early(_ date: CalendarDate?) -> String {
        date.map { " (SD on \($0) was too early)" } ?? ""
    }
}
