import Foundation
import PostgresClient
import RegistryServices
import TestSupport

/// A suite's database with sites, and login roles created the way an administrator does it.
final class ReliabilityFixture {
    let database: TestDatabase
    let owner: Connection
    let key: MRNKey
    private var logins: [String] = []

    init(sites: [String]) throws {
        database = try TestDatabase.make()
        owner = try database.connect()
        key = try MRNKey(secret: Data("reliability suite key, 32 bytes or longer, test only".utf8))
        for site in sites { _ = try SiteService(connection: owner).add(code: site, name: "Site \(site)") }
    }

    /// A unique login name for this run (role names are cluster-wide).
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10)
    }

    /// Creates a LOGIN role in `role`'s group with its sites, through the same SQL function `sarcreg user add` uses.
    func addLogin(_ prefix: String, role: RegistryRole, sites: [String] = []) throws -> String {
        let name = Self.uniqueName(prefix)
        let verifier = try owner.scramVerifier(password: "not-used-with-trust-auth", user: name)
        try owner.execute("SELECT sarcreg_add_user(\(name), \(role.rawValue), \(verifier), \(sites))")
        logins.append(name)
        return name
    }

    /// Remembers a login created elsewhere (by the CLI) so it is dropped with the fixture.
    func adopt(_ login: String) { logins.append(login) }

    /// The suite database's connection string with `user` as the login (the test cluster trusts local logins).
    func connectionString(as user: String) throws -> String {
        try Self.replacingUser(in: database.connectionString, with: user)
    }

    func connect(as user: String) throws -> Connection {
        try Connection(try connectionString(as: user))
    }

    /// `connectionString` with another login (and password), as key=value settings.
    static func replacingUser(in connectionString: String, with user: String, password: String? = nil) throws -> String
    {
        var settings = try ConnectionString.parse(connectionString).filter { $0.key != "user" && $0.key != "password" }
        settings.append((key: "user", value: user))
        if let password { settings.append((key: "password", value: password)) }
        return settings.map {
            "\($0.key)='\($0.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'"
        }
        .joined(separator: " ")
    }

    func count(_ sql: String, on connection: Connection? = nil) throws -> Int {
        try (connection ?? owner).query(Query(unsafeSQL: sql))[0].decode(Int.self, "n")
    }

    deinit {
        // The suite's database goes with TestDatabase; its logins are cluster-wide and are dropped here.
        guard let admin = try? Connection(TestDatabase.connectionString(database: "postgres")) else { return }
        for login in logins { _ = try? admin.execute(Query(unsafeSQL: "DROP ROLE IF EXISTS \(login)")) }
    }
}
