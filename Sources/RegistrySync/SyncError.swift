import PostgresClient
import RegistryDomain
import RegistryServices

/// Why a sync refused to run or stopped, in words an administrator can act on.
public enum SyncError: Error, WordedMessage {
    case unreadableFile(String)
    case notADirectory(String)
    case noExportFiles(directory: String, expected: [String])
    case missingColumns(file: String, columns: [String])
    case malformedCSV(file: String, line: Int, reason: String)
    case invalidSource(String)
    case invalidValue(field: Field, value: String, expected: String)
    /// The site code, and the registry's closest site code when one is a slip away.
    case unknownSite(String, didYouMean: String? = nil)
    case sourceBusy(String)
    case runNotFound(Int)
    case outputExists(String)
    case database(PostgresError)
    /// A write broke one of the registry's named rules (SQLSTATE class 23), said as the rule.
    case refused(ConstraintRefusal)
    /// A registry service refused part of the sync.
    case registry(RegistryError)
    /// A failure neither the database nor the files explain: a defect of the registry, reported as one.
    case unexpected(String)
    /// The login lacks a privilege the sync needs (SQLSTATE 42501).
    case notPermitted(PrivilegeRefusal)
    // REDCap imports: a data dictionary or a record export that does not fit it.
    case invalidDictionary(file: String, line: Int, reason: String)
    case unknownColumns(file: String, columns: [String])
    case identifierFields([String])
    case fieldsOutsideRegistry([String])
    /// Each problem names the field and its offending value.
    case dictionaryDiffers(file: String, problems: [String])
    case invalidRename(String)
    /// Series the RECIST engine still refused after the rows of the refused ones were quarantined: stored
    /// data the import did not write and cannot mend.
    case seriesStillRefused([String])
    /// Subjects new to the source whose ids are registry ids the registry holds (at most 11 named).
    case knownRegistryIDs(source: String, ids: [String])

    public func message(_ wording: Wording) -> String {
        switch self {
        case .unreadableFile(let path): "cannot read \(path)"
        case .notADirectory(let path): "\(path) is not a directory"
        case .noExportFiles(let directory, let expected):
            "\(directory) holds none of the export files \(expected.joined(separator: ", "))"
        case .missingColumns(let file, let columns):
            "\(file) lacks the required column\(columns.count == 1 ? "" : "s") \(Self.list(columns)) in its header"
        case .malformedCSV(let file, let line, let reason): "\(file) line \(line) is not valid CSV: \(reason)"
        case .invalidSource(let name):
            "\(wording.field(.source)) '\(name)' must be 1 to 40 lower-case letters, digits, - or _, starting with a letter"
        case .invalidValue(let field, let value, let expected):
            "\(wording.field(field)) '\(Self.shown(value))' is not valid: expected \(expected)"
        case .unknownSite(let code, let suggestion):
            "unknown site '\(code)'" + (suggestion.map { "; did you mean \($0)?" } ?? "")
                + "; list sites with \(wording.step(.listSites))"
        case .sourceBusy(let source):
            "another sync of source '\(source)' is running; wait for it, or pass \(wording.field(.wait)) to queue behind it"
        case .runNotFound(let id): "no sync run \(id); list runs with \(wording.step(.listSyncRuns))"
        case .outputExists(let path): "\(path) already exists; choose an empty or new \(wording.field(.out)) directory"
        case .database(let error): error.description
        case .refused(let refusal): refusal.description
        case .registry(let error): error.message(wording)
        case .unexpected(let failure):
            "an unexpected failure, a defect of the registry rather than of the files: \(failure)"
        case .notPermitted(let refusal):
            "your database login\(refusal.login.map { " (\($0))" } ?? "") "
                + (refusal.isWrite
                    ? "may not run sync imports or change the sync site map: it may not write \(refusal.object ?? "the sync tables"); "
                        + "ask an administrator for the sarcreg_sync role (\(wording.step(.grantSyncRole))) and run imports as that login"
                    : "may not read \(refusal.object ?? "the sync log"); ask an administrator for the sarcreg_investigator, "
                        + "sarcreg_admin or sarcreg_sync role")
        case .invalidDictionary(let file, let line, let reason): "data dictionary \(file) line \(line): \(reason)"
        case .unknownColumns(let file, let columns):
            "\(file) has column\(columns.count == 1 ? "" : "s") \(Self.list(columns)) that the data dictionary does not define; nothing was imported"
        case .identifierFields(let fields):
            "the data dictionary flags \(Self.list(fields)) as identifier\(fields.count == 1 ? "" : "s"); the registry is pseudonymized and refuses identifying fields"
        case .fieldsOutsideRegistry(let fields):
            "the data dictionary has field\(fields.count == 1 ? "" : "s") \(Self.list(fields)) that the registry's REDCap dictionary (REDCap/sarcreg_data_dictionary.csv) does not define"
        case .knownRegistryIDs(let source, let ids):
            "the export carries registry ids this registry already holds, as subjects new to source '\(source)': "
                + ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? " and more" : "")
                + "; it looks like the registry's own export, and importing it would enroll those patients a second time. "
                + "Nothing was imported; pass \(wording.field(.allowKnownIDs)) if these subjects are other patients"
        case .seriesStillRefused(let series):
            "the RECIST engine refuses stored series this import did not change, so nothing was applied: "
                + series.prefix(10).joined(separator: "; ")
        case .dictionaryDiffers(let file, let problems):
            "data dictionary \(file) does not match the registry's REDCap dictionary (REDCap/sarcreg_data_dictionary.csv), so nothing was imported: "
                + problems.prefix(10).joined(separator: "; ")
                + (problems.count > 10 ? "; and \(problems.count - 10) more" : "")
        case .invalidRename(let value):
            "\(wording.field(.rename)) '\(value)' is not valid: expected OLD=NEW, two different record ids"
        }
    }

    /// A name or value as the message shows it: a header cell of megabytes (a broken or hostile file) would
    /// otherwise make the message unreadable, so long ones are cut and their length said.
    static func shown(_ text: String) -> String {
        text.count <= 60 ? text : "\(text.prefix(60))… (\(text.utf8.count) bytes)"
    }

    /// At most ten names, each shown, then how many more there are.
    static func list(_ names: [String]) -> String {
        let head = names.prefix(10).map(shown).joined(separator: ", ")
        return names.count > 10 ? "\(head) and \(names.count - 10) more" : head
    }

    static func wrap(_ error: any Error) -> SyncError {
        switch error {
        case let error as SyncError: error
        case let error as PostgresError:
            error.privilegeRefusal.map(SyncError.notPermitted) ?? ConstraintRefusal(error).map(SyncError.refused)
                ?? .database(error)
        case let error as RegistryError: .registry(error)
        default: .unexpected("\(error)")
        }
    }

    /// Checks a source name: it keys the crosswalk, the site map and the lock.
    static func checkSource(_ name: String) throws(SyncError) -> String {
        guard name.range(of: "^[a-z][a-z0-9_-]{0,39}$", options: .regularExpression) != nil else {
            throw .invalidSource(name)
        }
        return name
    }
}
