/// The choices RECIST 1.1 leaves to the protocol, stored per trial.
///
/// The defaults are RECIST's own: confirmation at 28 days, SD at least 42 days after the start of
/// therapy, a PR that continues once established, and any reappearance after a CR counted as PD.
public struct ResponsePolicy: Sendable, Hashable, Codable {
    /// Whether CR and PR must be confirmed by a later assessment to count as best overall response.
    /// Required in non-randomised trials with response as the primary endpoint, not in randomised
    /// trials ([E09] §4.6). The timeline reports both forms either way; this picks the primary one.
    public var confirmationRequired: Bool
    /// Least number of days between a CR or PR and the assessment confirming it ([E09] §4.6: 4 weeks).
    public var minimumConfirmationInterval: Int
    /// Least number of days after the start of therapy at which an SD (or NON-CR/NON-PD) assessment
    /// can count as the best overall response. Protocols use 6 to 8 weeks; 42 days is the common
    /// template value.
    public var stableDiseaseMinimumInterval: Int
    public var continuingPartialResponse: ContinuingPartialResponse
    public var reappearanceAfterCompleteResponse: ReappearanceAfterCompleteResponse

    public init(
        confirmationRequired: Bool = true,
        minimumConfirmationInterval: Int = 28,
        stableDiseaseMinimumInterval: Int = 42,
        continuingPartialResponse: ContinuingPartialResponse = .keepOnceEstablished,
        reappearanceAfterCompleteResponse: ReappearanceAfterCompleteResponse = .progression
    ) {
        self.confirmationRequired = confirmationRequired
        self.minimumConfirmationInterval = minimumConfirmationInterval
        self.stableDiseaseMinimumInterval = stableDiseaseMinimumInterval
        self.continuingPartialResponse = continuingPartialResponse
        self.reappearanceAfterCompleteResponse = reappearanceAfterCompleteResponse
    }

    public static let recistDefault = ResponsePolicy()
}

/// What a target sum that drifts back above 70 % of baseline means after a PR.
///
/// The RECIST working group ([FAQ] "The definition of SD: a clarification"; "Managing PR when TP
/// measurements change slightly over time") keeps the patient in PR until PD criteria are met;
/// many sponsor programmes simply re-apply the thresholds at every visit. Either is defensible, so
/// the trial states which it uses.
public enum ContinuingPartialResponse: String, Sendable, Hashable, Codable {
    /// RECIST FAQ: once a target PR is established (confirmed by a later PR or CR at least the
    /// confirmation interval later, or the first PR when confirmation is not required), later target
    /// sums above 70 % of baseline stay PR until PD.
    case keepOnceEstablished
    /// Every visit is scored on its own sum: above 70 % of baseline and not PD is SD.
    case reapplyThresholds
}

/// What disease seen again after an overall CR means ([E09] Table 3 footnote a).
///
/// If CR was truly met, any disease afterwards is progression, even a regrowth that is still a PR
/// against baseline and under the 5 mm PD floor. If the "CR" was really residual disease too small
/// to see, the earlier CR is re-classified PR and the new time point is scored by the arithmetic.
public enum ReappearanceAfterCompleteResponse: String, Sendable, Hashable, Codable {
    /// RECIST default: after an overall CR, a target back above CR criteria or a non-target lesion
    /// present again makes the time point PD.
    case progression
    /// Earlier overall CRs of the same evaluator become PR, and the reappearance is scored by the
    /// arithmetic.
    case reclassifyAsPartialResponse
}
