/// What a coordinator or an administrator can do next about a refusal, named without a front end's
/// spelling of it: the command line words `listSites` as `` `sarcreg site list` ``, a web page would link it.
public enum NextStep: Hashable, Sendable {
    case listSites
    case addSite
    case showPatient(registryID: String)
    case listAgents
    case showAgent
    case listAlerts
    case grantSite
    case grantSyncRole
    case addLesions
    case amendLesions
    case startTherapyLine
    case recordAssessment
    case correctAdverseEvent(registryID: String, eventID: Int)
    case addTrial
    case listSyncRuns
    case mapSourceSite

    /// The step in plain words, for a front end that has no name of its own for it.
    public var plainWords: String {
        switch self {
        case .listSites: "the list of sites"
        case .addSite: "a new site"
        case .showPatient(let id): "the record of \(id)"
        case .listAgents: "the therapy catalog"
        case .showAgent: "the agent's entry in the therapy catalog"
        case .listAlerts: "the list of eligibility alerts"
        case .grantSite: "a login that works for the site"
        case .grantSyncRole: "the sync role"
        case .addLesions: "the baseline lesions"
        case .amendLesions: "a lesion amendment"
        case .startTherapyLine: "a new therapy line"
        case .recordAssessment: "a follow-up assessment"
        case .correctAdverseEvent(let id, let event): "a correction of \(id) adverse event \(event)"
        case .addTrial: "the trial's definition"
        case .listSyncRuns: "the list of sync runs"
        case .mapSourceSite: "a mapping of the source site to a registry site"
        }
    }
}

/// How a front end names the fields and next steps a message refers to. The services and the sync word
/// their messages through it, so the command line prints its flags and commands and another front end its
/// own labels, from the same error.
public struct Wording: Sendable {
    public let field: @Sendable (Field) -> String
    public let step: @Sendable (NextStep) -> String

    public init(field: @escaping @Sendable (Field) -> String, step: @escaping @Sendable (NextStep) -> String) {
        self.field = field
        self.step = step
    }

    /// Fields by their names in the registry's words and next steps in plain words.
    public static let plain = Wording(field: \.description, step: \.plainWords)

    /// The fields joined as a coordinator reads a choice: `a, b or c`.
    public func anyOf(_ fields: [Field]) -> String {
        let names = fields.map(field)
        guard let last = names.last, names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }
}

/// A refusal whose message names fields and next steps through a ``Wording``; its `description` is the
/// plain wording.
public protocol WordedMessage: CustomStringConvertible {
    func message(_ wording: Wording) -> String
}

extension WordedMessage {
    public var description: String { message(.plain) }
}
