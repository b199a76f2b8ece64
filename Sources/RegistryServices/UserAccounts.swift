import Foundation
import PostgresClient
import RegistryDomain

/// The registry's groups (migrations 0007 and 0033); a person's login role is a member of exactly one.
public enum RegistryRole: String, Sendable, CaseIterable, Codable {
    case coordinator, investigator, sync, admin, monitor

    /// Coordinators and monitors work for sites of their own; the other groups see every site.
    public var needsSite: Bool { self == .coordinator || self == .monitor }

    /// The PostgreSQL group role that carries the privileges.
    public var groupRole: String { "sarcreg_" + rawValue }

    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Reads a group as typed, in any case.
    public static func parse(_ text: String) throws(UserAccountError) -> RegistryRole {
        guard let role = RegistryRole(rawValue: text.lowercased()) else { throw .unknownRole(text) }
        return role
    }
}

/// Why a user account was refused.
public enum UserAccountError: Error, WordedMessage {
    case invalidName(String)
    case unknownRole(String)
    case siteRequired(name: String, role: RegistryRole)
    case invalidSite(String)
    case unknownSite(String)
    case emptyPassword
    case userExists(String)
    case notAllowed(String)
    case database(PostgresError)
    /// A write broke one of the registry's named rules (SQLSTATE class 23), said as the rule.
    case refused(ConstraintRefusal)
    /// A failure neither the database nor the request explains: a defect of the registry, reported as one.
    case unexpected(String)

    public func message(_ wording: Wording) -> String {
        switch self {
        case .invalidName(let name):
            "user name '\(name)' is not allowed: use 1-63 lower-case letters, digits and _, starting with a letter (not pg_ or sarcreg_)"
        case .unknownRole(let role): "\(wording.field(.role)) '\(role)' is not one of \(RegistryRole.allowedValues)"
        case .siteRequired(let name, let role): "\(role.rawValue) '\(name)' needs at least one \(wording.field(.site))"
        case .invalidSite(let code):
            "\(wording.field(.site)) '\(code)' is not a site code (A-Z and 0-9, 2-10 characters)"
        case .unknownSite(let code): "unknown site '\(code)'; list sites with \(wording.step(.listSites))"
        case .emptyPassword: "the password is empty"
        case .userExists(let name): "a database user '\(name)' already exists"
        case .notAllowed(let name):
            "only administrators (members of sarcreg_admin) may add users; '\(name)' was not added"
        case .database(let error): error.description
        case .refused(let refusal): refusal.description
        case .unexpected(let failure):
            "an unexpected failure, a defect of the registry rather than of the request: \(failure)"
        }
    }
}

/// A new login with its group and sites.
public struct UserAccountRequest: Sendable {
    public var name: String
    public var role: RegistryRole
    public var sites: [String]
    public var password: String

    public init(name: String, role: RegistryRole, sites: [String], password: String) {
        self.name = name
        self.role = role
        self.sites = sites
        self.password = password
    }
}

/// Adds login roles for people; run by an administrator.
public struct UserAccountService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Creates a LOGIN role in the requested group with its site memberships, in one transaction.
    /// Only a SCRAM verifier computed here leaves the process; the password is never sent, logged or
    /// part of an error.
    public func add(_ request: UserAccountRequest) throws(UserAccountError) -> (role: RegistryRole, sites: [String]) {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard name.wholeMatch(of: /[a-z][a-z0-9_]{0,62}/) != nil, !name.hasPrefix("pg_"), !name.hasPrefix("sarcreg_")
        else {
            throw .invalidName(name)
        }
        let role = request.role
        let sites = request.sites.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        if let bad = sites.first(where: { $0.wholeMatch(of: /[A-Z][A-Z0-9]{1,9}/) == nil }) { throw .invalidSite(bad) }
        if role.needsSite, sites.isEmpty { throw .siteRequired(name: name, role: role) }
        guard !request.password.isEmpty else { throw .emptyPassword }
        do {
            let verifier = try connection.scramVerifier(password: request.password, user: name)
            try connection.withTransaction { tx in
                let known = try tx.query("SELECT site_code FROM sites WHERE site_code = ANY (\(sites))").map {
                    try $0.decode(String.self, "site_code")
                }
                if let unknown = sites.first(where: { !known.contains($0) }) {
                    throw UserAccountError.unknownSite(unknown)
                }
                if try !tx.query("SELECT 1 FROM pg_roles WHERE rolname = \(name)").isEmpty {
                    throw UserAccountError.userExists(name)
                }
                try tx.execute("SELECT sarcreg_add_user(\(name), \(role.rawValue), \(verifier), \(sites))")
            }
            return (role, Array(Set(sites)).sorted())
        } catch let error as UserAccountError {
            throw error
        } catch let error as PostgresError where error.sqlState == .insufficientPrivilege {
            throw .notAllowed(name)
        } catch let error as PostgresError where error.sqlState == .duplicateObject {
            throw .userExists(name)
        } catch let error as PostgresError {
            throw ConstraintRefusal(error).map(UserAccountError.refused) ?? .database(error)
        } catch {
            throw .unexpected("\(error)")
        }
    }
}
