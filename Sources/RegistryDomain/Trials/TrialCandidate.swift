/// What is known at screening about the patient's baseline disease per RECIST 1.1.
public enum BaselineDiseaseStatus: Hashable, Sendable {
    /// At least one target lesion was chosen at baseline.
    case measurable(targetLesions: Int)
    /// Baseline lesions are recorded, none of them a target (non-measurable disease only).
    case notMeasurable
    /// Nothing to decide from, with the reason a coordinator reads ("no baseline lesions recorded").
    case unknown(reason: String)
}

/// The latest ECOG performance status on or before the screening date.
public struct ECOGObservation: Hashable, Sendable {
    public let score: Int
    public let assessedOn: CalendarDate

    public init(score: Int, assessedOn: CalendarDate) {
        self.score = score
        self.assessedOn = assessedOn
    }
}

/// A patient as a trial screens them: the eligibility profile plus what trials add to it.
///
/// Missing facts stay missing: an ECOG never assessed is `nil` and screens as unknown, not as met.
public struct TrialCandidate: Hashable, Sendable {
    public let profile: PatientProfile
    /// The completed years the patient may have at screening: one value with a birth date, two
    /// consecutive values with a birth year alone; `nil` when neither is recorded.
    public let possibleAges: ClosedRange<Int>?
    public let ecog: ECOGObservation?
    public let baselineDisease: BaselineDiseaseStatus

    public init(
        profile: PatientProfile, possibleAges: ClosedRange<Int>?, ecog: ECOGObservation?,
        baselineDisease: BaselineDiseaseStatus
    ) {
        self.profile = profile
        self.possibleAges = possibleAges
        self.ecog = ecog
        self.baselineDisease = baselineDisease
    }

    /// The ages possible on `date` for a patient born on `birthDate`, or in `birthYear` when the day is unknown.
    public static func possibleAges(birthYear: Int, birthDate: CalendarDate?, on date: CalendarDate) -> ClosedRange<Int>
    {
        guard let birthDate else {
            let upper = date.year - birthYear
            return max(0, upper - 1)...max(0, upper)
        }
        let hadBirthday = (date.month, date.day) >= (birthDate.month, birthDate.day)
        let age = max(0, date.year - birthDate.year - (hadBirthday ? 0 : 1))
        return age...age
    }
}
