import PostgresClient
import RegistryDomain

/// Why the registry refused a request, in words a coordinator can act on.
public enum RegistryError: Error, WordedMessage {
    case input(RegistryInputError)
    /// A date that breaks the patient's timeline (death, birth, overlapping lines, withdrawal).
    case timeline(TimelineViolation)
    /// A record a correction names that the patient does not have.
    case correctionTargetNotFound(registryID: String, record: String)
    /// A follow-up correction that names the baseline's date: the baseline is corrected lesion by lesion.
    case correctionTargetIsBaseline(registryID: String, evaluator: String, date: CalendarDate)
    /// A correction after which the RECIST engine would refuse a stored series of the patient.
    case seriesRefused(RefusedSeries)
    /// The site code, and the registry's closest site code when one is a slip away.
    case unknownSite(String, didYouMean: String? = nil)
    case siteExists(String)
    case patientNotFound(String)
    case mrnAlreadyEnrolled(site: String, registryID: String)
    case consentWithdrawn(registryID: String, on: CalendarDate)
    case unknownHistologyCode(String)
    case unknownGene(field: Field, symbol: String)
    /// A gene alias or previous symbol: the registry stores approved symbols only, so it names them instead.
    case geneAlias(field: Field, given: String, symbols: [GeneSuggestion])
    case unknownAgent(String)
    /// A term the CTCAE vocabulary does not hold, with its closest term where one is a slip away.
    case unknownCTCAETerm(field: Field, term: String, didYouMean: String?)
    /// Every agent of one submission that is neither an agent code, a catalog name nor a known alias.
    /// The names no agent code, catalog name or alias matches, each with the closest agent where one is a slip away.
    case unknownAgents([String], didYouMean: [String: String] = [:])
    case unknownIndication(String)
    case therapyLineNotFound(registryID: String, line: Int)
    case therapyLineExists(registryID: String, line: Int)
    case therapyLineAlreadyStopped(registryID: String, line: Int, on: CalendarDate)
    case alertNotFound(Int)
    case alertAlreadyDismissed(Int)
    case queryNotFound(Int)
    /// A state change ``QueryStatus/transitions`` does not allow.
    case queryTransition(queryID: Int, from: QueryStatus, to: QueryStatus)
    /// A record a query or a verification names that the patient does not have.
    case recordNotFound(registryID: String, record: DataRecord)
    case patientAlreadyLocked(registryID: String, since: CalendarDate)
    case patientNotLocked(String)
    /// The evaluator's series assesses another line than the one to be signed.
    case signedLineMismatch(registryID: String, evaluator: String, requested: Int, assessed: Int)
    /// A signature needs the signer's password checked by the server on a connection of its own.
    case signerNotAuthenticated(String)
    case mrnKeyMissing
    case mrnKeyUnusable(String)
    /// The key's fingerprint differs from the one stored when the registry enrolled its first patient.
    case mrnKeyMismatch
    case database(PostgresError)
    /// A write broke one of the registry's named rules (SQLSTATE class 23), said as the rule.
    case refused(ConstraintRefusal)
    /// The login lacks a privilege, or a row policy keeps it to its own sites (SQLSTATE 42501).
    case notPermitted(PrivilegeRefusal)
    /// A failure neither the database nor the request explains: a defect of the registry, reported as one.
    case unexpected(String)

    public func message(_ wording: Wording) -> String {
        switch self {
        case .input(let error): error.message(wording)
        case .timeline(let violation): violation.message(wording)
        case .correctionTargetNotFound(let id, let record):
            "\(id) has no \(record); \(wording.step(.showPatient(registryID: id))) lists the records"
        case .correctionTargetIsBaseline(let id, let evaluator, let date):
            "\(id) has no follow-up assessment on \(date) read by \(evaluator) (\(date) is the baseline: correct its lesions with "
                + "\(wording.step(.amendLesions))); \(wording.step(.showPatient(registryID: id))) lists the records"
        case .seriesRefused(let series):
            "the correction would leave the assessments of \(series.registryID) read by \(series.evaluator) refused by the RECIST engine: "
                + "\(series.reason); nothing was written"
        case .unknownSite(let code, let suggestion):
            "unknown site '\(code)'" + (suggestion.map { "; did you mean \($0)?" } ?? "")
                + "; list sites with \(wording.step(.listSites)) or add it with \(wording.step(.addSite))"
        case .siteExists(let code): "site '\(code)' already exists"
        case .patientNotFound(let id): "no patient with registry id '\(id)'"
        case .mrnAlreadyEnrolled(let site, let id):
            "this medical record number is already enrolled at site \(site) as \(id)"
        case .consentWithdrawn(let id, let date): "\(id) withdrew consent on \(date); nothing new may be recorded"
        case .unknownHistologyCode(let code): "ICD-O-3 code '\(code)' is not in the registry's histology vocabulary"
        case .unknownGene(let field, let symbol): "\(wording.field(field)) '\(symbol)' is not a known HGNC gene symbol"
        case .geneAlias(let field, let given, let symbols):
            "\(wording.field(field)) '\(given)' is not an approved HGNC symbol; did you mean "
                + symbols.map { $0.offered(for: given) }.joined(separator: " or ")
        case .unknownAgent(let code): "unknown agent '\(code)'; see \(wording.step(.listAgents))"
        case .unknownCTCAETerm(let field, let term, let suggestion):
            "\(wording.field(field)) '\(term)' is not a CTCAE v\(CTCAETerm.version) term"
                + (suggestion.map { "; did you mean \($0)?" } ?? "")
                + "; an event CTCAE has no term for is recorded as '<SOC> - Other, specify' with \(wording.field(.specifiedTerm)) TEXT"
        case .unknownAgents(let names, let suggestions):
            "unknown agent\(names.count == 1 ? "" : "s") "
                + names.map { name in "'\(name)'" + (suggestions[name].map { " (did you mean \($0)?)" } ?? "") }.joined(
                    separator: ", ") + "; "
                + "nothing was recorded: see \(wording.step(.listAgents)) for agent names"
        case .unknownIndication(let code): "unknown indication '\(code)'; see \(wording.step(.showAgent))"
        case .therapyLineNotFound(let id, let line): "\(id) has no therapy line \(line)"
        case .therapyLineExists(let id, let line): "\(id) already has a therapy line \(line)"
        case .therapyLineAlreadyStopped(let id, let line, let date): "\(id) line \(line) was already stopped on \(date)"
        case .alertNotFound(let id):
            "no eligibility alert \(id) among your sites' patients; \(wording.step(.listAlerts)) lists them"
        case .alertAlreadyDismissed(let id):
            "alert \(id) is already dismissed; a dismissal is not changed or taken back"
        case .queryNotFound(let id): "no query \(id) among the queries of your sites' patients"
        case .queryTransition(let id, let from, let to):
            "query \(id) is \(from.rawValue) and cannot become \(to.rawValue); a query that is "
                + QueryStatus.allCases.map { status in
                    "\(status.rawValue) becomes "
                        + QueryStatus.allCases.filter(status.allows).map(\.rawValue).joined(separator: " or ")
                }.joined(separator: ", one ")
        case .recordNotFound(let id, let record): "\(id) has no \(record.kind.rawValue) \(record.reference)"
        case .patientAlreadyLocked(let id, let since): "\(id) is already locked (since \(since))"
        case .patientNotLocked(let id): "\(id) is not locked"
        case .signedLineMismatch(let id, let evaluator, let requested, let assessed):
            "the assessments of \(id) read by \(evaluator) assess therapy line \(assessed), not line \(requested); nothing was signed"
        case .signerNotAuthenticated(let reason):
            "the signature needs your database password checked by the server: \(reason); nothing was signed"
        case .mrnKeyMissing:
            "the MRN key is not set: set SARCREG_MRN_KEY_FILE to a file holding the key (or SARCREG_MRN_KEY)"
        case .mrnKeyUnusable(let reason): "the MRN key cannot be used: \(reason)"
        case .mrnKeyMismatch:
            "the MRN key is not the key this registry was keyed with (its fingerprint differs from the one stored at the "
                + "first enrollment); nothing was enrolled: set SARCREG_MRN_KEY_FILE to the registry's key file, as another "
                + "key would enroll an already enrolled patient a second time"
        case .database(let error): error.description
        case .refused(let refusal): refusal.description
        case .unexpected(let failure):
            "an unexpected failure, a defect of the registry rather than of the request: \(failure)"
        case .notPermitted(let refusal):
            "your database login\(refusal.login.map { " (\($0))" } ?? "") "
                + (refusal.isRowPolicy
                    ? "may not write rows of \(refusal.object ?? "this table") for a site it does not work for; ask an administrator "
                        + "to add the site to your login (\(wording.step(.grantSite)))"
                    : "may not \(refusal.isWrite ? "change" : "read") \(refusal.object ?? "these records"); ask an administrator "
                        + "for a role that may: coordinators change their sites' patients, investigators read, administrators "
                        + "change sites, the catalog and trials")
        }
    }
}

extension RegistryError {
    /// Keeps registry errors as they are and wraps database failures; anything else is a defect of the
    /// registry and is reported as one (``RegistryError/unexpected(_:)``), not as a database or input error.
    static func wrap(_ error: any Error) -> RegistryError {
        switch error {
        case let error as RegistryError: error
        case let error as PostgresError:
            error.privilegeRefusal.map(RegistryError.notPermitted) ?? ConstraintRefusal(error).map(
                RegistryError.refused) ?? .database(error)
        case let error as RegistryInputError: .input(error)
        case let error as TimelineViolation: .timeline(error)
        case let error as PostgresTransactionError: .database(PostgresError(kind: .client, message: error.description))
        default: .unexpected("\(error)")
        }
    }
}

/// Runs `body`, turning pure input errors into ``RegistryError/input(_:)``.
func validating<T>(_ body: () throws(RegistryInputError) -> T) throws(RegistryError) -> T {
    do {
        return try body()
    } catch {
        throw .input(error)
    }
}
