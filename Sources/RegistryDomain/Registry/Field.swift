/// What a submitted value is, in the registry's words: the diagnosis date, the CTCAE term, the result of
/// lesion T2. Errors name a `Field`, never a front end's spelling of it: the command line maps each field to
/// its flag when it prints a message (`diagnosisDate` is `--diagnosed` there), a form would map it to its
/// label. A field of a submitted document (a trial definition's `arms[0].code`) is named by its path, which a
/// string literal gives.
public struct Field: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The field in the registry's words, e.g. `diagnosis date`, or a document path such as `arms[0].code`.
    public let name: String
    /// What narrows the field to one item, e.g. the lesion label of a lesion's result (`result T2`).
    public let item: String?
    /// The field is a path in a submitted document (`cohorts[0].arm`), never one of the registry's fields
    /// even where a key has the same word (a trial definition's `status` is not the catalog's status).
    public let isPath: Bool

    public init(_ name: String, item: String? = nil) {
        self.name = name
        self.item = item
        self.isPath = false
    }

    /// A path in a submitted document: a trial definition, a schedule, an indication file, a stored column.
    public init(path: String) {
        self.name = path
        self.item = nil
        self.isPath = true
    }

    public init(stringLiteral path: String) { self.init(path: path) }

    /// The same field narrowed to one item: `Field.result.item("T2")` is the result of lesion T2.
    public func item(_ item: String) -> Field { isPath ? Field(path: "\(name) \(item)") : Field(name, item: item) }

    /// The field without its item, the key a front end looks its own name up by.
    public var unqualified: Field { isPath ? self : Field(name) }

    public var description: String { item.map { "\(name) \($0)" } ?? name }
}

/// The fields of the registry's requests, one constant per thing a coordinator submits.
extension Field {
    public static let date = Field("date")
    public static let stopDate = Field("stop date")
    public static let specimenDate = Field("specimen date")
    public static let result = Field("result")
    public static let resolvedDate = Field("resolution date")
    public static let reportDate = Field("report date")
    public static let startDate = Field("start date")
    public static let diagnosisDate = Field("diagnosis date")
    public static let method = Field("method")
    public static let grade = Field("grade")
    public static let trial = Field("trial")
    public static let term = Field("CTCAE term")
    public static let specifiedTerm = Field("specified event")
    public static let line = Field("therapy line")
    public static let site = Field("site")
    public static let onsetDate = Field("onset date")
    public static let ecogDate = Field("ECOG date")
    public static let diameter = Field("diameter")
    public static let deathDate = Field("date of death")
    public static let arm = Field("arm")
    public static let stopReason = Field("stop reason")
    public static let setting = Field("disease setting")
    public static let role = Field("role")
    public static let rename = Field("record rename")
    public static let reason = Field("reason")
    public static let primarySite = Field("primary site")
    public static let organ = Field("organ")
    public static let lastContact = Field("last contact date")
    public static let kind = Field("kind")
    public static let icdo3 = Field("ICD-O-3 code")
    public static let birth = Field("birth date")
    public static let biomarker = Field("biomarker")
    public static let attribution = Field("attribution")
    public static let vitalStatus = Field("vital status")
    public static let to = Field("end date")
    public static let status = Field("status")
    public static let source = Field("source")
    public static let partner = Field("fusion partner gene")
    public static let mrn = Field("medical record number")
    public static let lesion = Field("lesion")
    public static let indication = Field("indication")
    public static let histology = Field("histology")
    public static let from = Field("start of period")
    public static let file = Field("file")
    public static let evaluator = Field("evaluator")
    public static let ecog = Field("ECOG performance status")
    public static let ctcaeVersion = Field("CTCAE version")
    public static let consentDate = Field("consent date")
    public static let cohort = Field("cohort")
    public static let asOf = Field("reference date")
    public static let agent = Field("agent")
    public static let wait = Field("wait for a running sync")
    public static let stratum = Field("stratum")
    public static let sourceSite = Field("source site")
    public static let sex = Field("sex")
    public static let serious = Field("seriousness")
    public static let patient = Field("patient")
    public static let out = Field("output directory")
    public static let name = Field("name")
    public static let minPercent = Field("minimum percent")
    public static let intent = Field("intent")
    public static let recordID = Field("record id")
    public static let icdoVersion = Field("ICD-O version")
    public static let gene = Field("gene")
    public static let concurrent = Field("the concurrent mark")
    public static let code = Field("code")
    public static let lesionClass = Field("lesion class")
    public static let authority = Field("authority")
    public static let allowKnownIDs = Field("permission to import known registry ids")
    public static let acquiredResistance = Field("acquired resistance")
    public static let since = Field("since date")
    public static let baseline = Field("the baseline mark")
    public static let record = Field("record")
    public static let message = Field("message")
    public static let meaning = Field("meaning of the signature")
    public static let olderThan = Field("age in days")
}
