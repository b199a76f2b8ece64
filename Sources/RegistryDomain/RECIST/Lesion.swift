/// The identity a lesion keeps for the whole study ("T1", "NT2", "N1").
///
/// RECIST follows the same lesion from baseline to the last scan; results are matched to the
/// baseline by this identifier, never by position.
public struct LesionID: Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public var description: String { rawValue }
}

/// The organ or site a lesion lies in, used for the limit of two target lesions per organ.
///
/// Lymph nodes are not named by site for that limit: all nodes together count as one organ
/// ([FAQ] "Two target lesions"), which ``TargetLesion/organ`` applies.
public struct AnatomicSite: Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    /// The single "organ" that every lymph node belongs to.
    public static let lymphNodes = AnatomicSite("lymph nodes")

    public var description: String { rawValue }
}

/// Whether a lesion is followed as a target, as a non-target, or appeared after baseline.
///
/// The class is fixed at baseline ([E09] §4.3.2); a result that reports a lesion under another
/// class is refused rather than silently re-scored.
public enum LesionClass: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case target
    case nonTarget = "non-target"
    case new

    public var description: String { rawValue }
}

/// A measurable lesion chosen at baseline and measured at every time point.
public struct TargetLesion: Sendable, Hashable, Codable {
    public var id: LesionID
    public var site: AnatomicSite
    /// A node is measured by its short axis and is "normal" again below 10 mm, so a CR can keep a
    /// non-zero sum.
    public var isLymphNode: Bool
    /// Longest diameter, or short axis for a lymph node.
    public var baselineDiameter: Millimetres

    public init(id: LesionID, site: AnatomicSite, isLymphNode: Bool = false, baselineDiameter: Millimetres) {
        self.id = id
        self.site = site
        self.isLymphNode = isLymphNode
        self.baselineDiameter = baselineDiameter
    }

    /// The organ counted for the two-per-organ limit: the site, or one shared organ for all nodes.
    public var organ: AnatomicSite { isLymphNode ? .lymphNodes : site }
}

/// A lesion or site recorded at baseline and followed only as present, absent or progressing.
public struct NonTargetLesion: Sendable, Hashable, Codable {
    public var id: LesionID
    public var site: AnatomicSite
    public var isLymphNode: Bool
    /// Optional: non-targets are not measured, but a node's short axis shows it is pathological
    /// (at least 10 mm).
    public var baselineDiameter: Millimetres?

    public init(id: LesionID, site: AnatomicSite, isLymphNode: Bool = false, baselineDiameter: Millimetres? = nil) {
        self.id = id
        self.site = site
        self.isLymphNode = isLymphNode
        self.baselineDiameter = baselineDiameter
    }
}

/// A target lesion's result at one time point.
public enum LesionMeasurement: Sendable, Hashable, Codable {
    /// Longest diameter, or short axis for a node, as recorded even when very small.
    case measured(Millimetres)
    /// Present but too faint to measure: RECIST scores it as 5 mm.
    case tooSmallToMeasure
    /// The radiologist judges it gone: 0 mm.
    case disappeared
    /// Not imaged or not read at this time point.
    case notDone

    /// The diameter that enters the sum, or `nil` when the lesion was not assessed.
    public var scoredDiameter: Millimetres? {
        switch self {
        case .measured(let value): value
        case .tooSmallToMeasure: Millimetres.faintLesionDefault
        case .disappeared: .zero
        case .notDone: nil
        }
    }
}

extension Millimetres {
    /// The default diameter for a lesion present but too small to measure ([FAQ] "Lesions less than 5 mm").
    public static let faintLesionDefault = Millimetres(5)
    /// Above this a recorded diameter is a typing error (a metre-long lesion), not a measurement.
    public static let largestPlausible = Millimetres(1000)
}

/// A non-target lesion's state at one time point ([E09] §4.3.3).
public enum NonTargetState: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case present
    /// Disappeared; for a node, back below 10 mm short axis.
    case absent
    /// A worsening that by itself would merit stopping therapy, not a modest increase.
    case unequivocalProgression = "unequivocal progression"
    case notEvaluable = "not evaluable"

    public var description: String { rawValue }
}

/// How sure the reader is that a lesion seen after baseline is new tumour ([E09] §4.3.5).
public enum NewLesionState: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Possibly new: scoring continues; if a later scan confirms it, progression is dated back to this scan.
    case equivocal
    /// New tumour: progression at this time point.
    case unequivocal

    public var description: String { rawValue }
}

/// One lesion's result at a time point, tagged with the class the reader reported it under.
public struct LesionResult: Sendable, Hashable, Codable {
    public enum Finding: Sendable, Hashable, Codable {
        case target(LesionMeasurement)
        case nonTarget(NonTargetState)
        case new(NewLesionState)

        public var lesionClass: LesionClass {
            switch self {
            case .target: .target
            case .nonTarget: .nonTarget
            case .new: .new
            }
        }
    }

    public var lesion: LesionID
    public var finding: Finding

    public init(lesion: LesionID, finding: Finding) {
        self.lesion = lesion
        self.finding = finding
    }

    public static func target(_ lesion: LesionID, _ measurement: LesionMeasurement) -> LesionResult {
        LesionResult(lesion: lesion, finding: .target(measurement))
    }

    public static func target(_ lesion: LesionID, _ diameter: Millimetres) -> LesionResult {
        LesionResult(lesion: lesion, finding: .target(.measured(diameter)))
    }

    public static func nonTarget(_ lesion: LesionID, _ state: NonTargetState) -> LesionResult {
        LesionResult(lesion: lesion, finding: .nonTarget(state))
    }

    public static func new(_ lesion: LesionID, _ state: NewLesionState) -> LesionResult {
        LesionResult(lesion: lesion, finding: .new(state))
    }
}

/// Who read the scans. Nadir, confirmation and best response are kept apart per evaluator,
/// because an investigator and a blinded central reader each have their own series.
public struct Evaluator: Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public static let investigator = Evaluator("investigator")

    public var description: String { rawValue }
}

/// One evaluator's reading of one assessment: every lesion's result on a date.
///
/// A lesion without a result counts as not assessed. When the scans of one time point span
/// several days, the caller passes one date for all of them (the registry convention is the
/// earliest scan date) so that progression is not dated later than it was seen.
public struct TimePoint: Sendable, Hashable, Codable {
    public var date: CalendarDate
    public var evaluator: Evaluator
    public var results: [LesionResult]

    public init(date: CalendarDate, evaluator: Evaluator = .investigator, results: [LesionResult]) {
        self.date = date
        self.evaluator = evaluator
        self.results = results
    }
}
