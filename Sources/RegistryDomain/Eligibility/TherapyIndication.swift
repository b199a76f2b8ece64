/// Regulatory standing of an indication, in the vocabulary of `therapy_indication_status.status`.
public enum TherapyStatus: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case fdaApprovedSTS = "fda_approved_sts"
    case approvedElsewhere = "approved_elsewhere"
    case studiedSTS = "studied_sts"
    case inDevelopment = "in_development"

    public var description: String {
        switch self {
        case .fdaApprovedSTS: "FDA approved for soft tissue sarcoma"
        case .approvedElsewhere: "approved outside the US"
        case .studiedSTS: "studied in soft tissue sarcoma"
        case .inDevelopment: "in development"
        }
    }

    /// Rank used when authorities disagree: an approval anywhere outranks study evidence.
    var precedence: Int {
        switch self {
        case .fdaApprovedSTS: 3
        case .approvedElsewhere: 2
        case .studiedSTS: 1
        case .inDevelopment: 0
        }
    }
}

/// Who or what set an indication's status, in the vocabulary of `therapy_indication_status.authority`: a
/// regulator's decision for an approval, the evidence itself for a studied or in-development use. The FDA
/// makes no finding that a drug was studied in sarcoma; a trial report, the review or a guideline does.
public enum StatusAuthority: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case fda = "FDA"
    case ema = "EMA"
    case nmpa = "NMPA"
    case pmda = "PMDA"
    /// A trial report: the journal article or meeting abstract that published the results.
    case trialPublication = "trial_publication"
    /// The review the catalog was built from, where it is the only dated evidence.
    case review
    /// A treatment guideline naming the use (NCCN).
    case guideline
    /// A trial registered and recruiting (ClinicalTrials.gov).
    case trialRegistry = "trial_registry"

    public var description: String {
        switch self {
        case .fda, .ema, .nmpa, .pmda: rawValue
        case .trialPublication: "trial publication"
        case .review: "the review"
        case .guideline: "guideline"
        case .trialRegistry: "trial registry"
        }
    }

    /// The statuses this authority can set: an FDA approval only from the FDA, an approval elsewhere from
    /// another regulator, a studied or in-development use only from evidence.
    public var sets: Set<TherapyStatus> {
        switch self {
        case .fda: [.fdaApprovedSTS]
        case .ema, .nmpa, .pmda: [.approvedElsewhere]
        case .trialPublication, .review: [.studiedSTS, .inDevelopment]
        case .guideline: [.studiedSTS]
        case .trialRegistry: [.inDevelopment]
        }
    }

    /// Reads a submitted authority in any case and with spaces or hyphens (`trial publication`), or `nil`.
    public init?(submitted text: String) {
        let normalized = text.trimmingWhitespace.lowercased().replacingSpacesAndHyphensWithUnderscores
        guard let authority = Self.allCases.first(where: { $0.rawValue.lowercased() == normalized }) else { return nil }
        self = authority
    }

    /// Parses a submitted authority as ``init(submitted:)`` reads it, or fails naming the field, the value and
    /// the authorities there are.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> StatusAuthority {
        guard let authority = StatusAuthority(submitted: text) else {
            throw .notAllowed(field: field, value: text, allowed: allCases.map(\.rawValue).joined(separator: ", "))
        }
        return authority
    }
}

/// One dated row of an indication's status history; history is appended, never rewritten.
public struct TherapyStatusEntry: Hashable, Sendable, Codable {
    public let status: TherapyStatus
    public let effectiveDate: CalendarDate
    /// Who set the status: a regulator (FDA, EMA, NMPA, PMDA) or the evidence (a trial publication, the
    /// review, a guideline, a trial registry); see ``StatusAuthority``.
    public let authority: String
    /// The citation: the review's reference number such as "[13]" or the public source.
    public let source: String
    /// How precisely the source dates the row; a year-precision row is stored on 1 January.
    public let precision: Precision

    public enum Precision: String, Hashable, Sendable, Codable {
        case day, month, year
    }

    public init(
        status: TherapyStatus, effectiveDate: CalendarDate, authority: String, source: String,
        precision: Precision = .day
    ) {
        self.status = status
        self.effectiveDate = effectiveDate
        self.authority = authority
        self.source = source
        self.precision = precision
    }

    /// The authority in words with its source: "trial publication: [61]; Mir et al., Lancet Oncol 2016".
    public var evidence: String {
        "\(StatusAuthority(rawValue: authority)?.description ?? authority): \(source)"
    }

    /// The date as precisely as the source gives it: `2019` for a trial report dated by its year.
    public var dated: PartialDate {
        switch precision {
        case .day: .day(effectiveDate)
        case .month: .yearMonth(year: effectiveDate.year, month: effectiveDate.month)
        case .year: .year(effectiveDate.year)
        }
    }
}

/// What the patient must have received before the indication applies.
public struct PriorTherapyCriterion: Hashable, Sendable, Codable {
    /// At least one of these classes must appear in the history; empty means any history will do.
    public let requiredClasses: Set<String>
    public let minimumLines: Int

    public init(requiredClasses: Set<String>, minimumLines: Int) {
        self.requiredClasses = requiredClasses
        self.minimumLines = minimumLines
    }
}

/// One eligibility rule of an indication. The kinds are generic; the drug-specific content is data.
public enum EligibilityCriterion: Hashable, Sendable, Codable {
    case histology(HistologyCriterion)
    case requiredBiomarker(BiomarkerCriterion)
    /// Rules the indication out when a matching finding is known (e.g. an acquired resistance mutation).
    case excludingBiomarker(BiomarkerCriterion)
    case minimumAge(years: Int)
    case diseaseSetting(allowed: Set<DiseaseSetting>)
    case priorTherapy(PriorTherapyCriterion)
}

/// A catalog indication: an agent, the patients it is for (as criteria), and its dated status history.
public struct TherapyIndication: Hashable, Sendable, Codable, Identifiable {
    /// The natural key `therapy_indications.indication_code`, e.g. `larotrectinib_ntrk_fusion`.
    public let code: String
    public let agentCode: String
    public let label: String
    public let criteria: [EligibilityCriterion]
    public let statusHistory: [TherapyStatusEntry]

    public init(
        code: String, agentCode: String, label: String, criteria: [EligibilityCriterion],
        statusHistory: [TherapyStatusEntry]
    ) {
        self.code = code
        self.agentCode = agentCode
        self.label = label
        self.criteria = criteria
        self.statusHistory = statusHistory
    }

    public var id: String { code }

    /// The status in force on `date`, or `nil` if no status was effective yet.
    ///
    /// Each authority's latest entry effective on or before `date` stands for that authority
    /// (a later FDA row supersedes an earlier FDA row, an NMPA approval does not supersede
    /// the FDA track); among those, the highest-ranked status is the indication's status.
    /// A status repeated by later rows (a trial's publication, then the review that cites it) stands
    /// from its first row, so the entry returned is the earliest of the latest unbroken run.
    public func status(asOf date: CalendarDate) -> TherapyStatusEntry? {
        var latestByAuthority: [String: TherapyStatusEntry] = [:]
        let effective = statusHistory.filter { $0.effectiveDate <= date }.sorted { $0.effectiveDate < $1.effectiveDate }
        for entry in effective where latestByAuthority[entry.authority]?.status != entry.status {
            latestByAuthority[entry.authority] = entry
        }
        return latestByAuthority.values.max { lhs, rhs in
            (lhs.status.precedence, lhs.effectiveDate, lhs.authority)
                < (rhs.status.precedence, rhs.effectiveDate, rhs.authority)
        }
    }
}
