import Foundation
import PostgresClient

/// A database of its own for one test suite, cloned from a migrated template.
///
/// `Scripts/test.sh` starts a throwaway cluster and exports `DATABASE_URL`. The first suite to ask
/// migrates `sarcreg_template` once (under an advisory lock, so parallel suites wait for it), and
/// each suite then gets `CREATE DATABASE t_<random> TEMPLATE sarcreg_template`, dropped when it is done.
public final class TestDatabase: Sendable {
    public let name: String
    /// A connection string for this database: the server of DATABASE_URL with dbname replaced.
    public let connectionString: String

    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var migrationsDirectory: String { repositoryRoot + "/Migrations" }

    /// The server the tests run against, from DATABASE_URL (or libpq's defaults).
    public static var serverConnectionString: String {
        ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    }

    public static func connectionString(database: String) throws -> String {
        try ConnectionString.replacingDatabase(in: serverConnectionString, with: database)
    }

    private init(name: String) throws {
        self.name = name
        self.connectionString = try Self.connectionString(database: name)
    }

    /// A fresh database cloned from the migrated template (`migrated: false` gives an empty one).
    public static func make(migrated: Bool = true) throws -> TestDatabase {
        let admin = try Connection(try connectionString(database: "postgres"))
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        if migrated {
            try ensureTemplate(admin: admin)
            try createFromTemplate(admin: admin, name: name)
        } else {
            try admin.execute(Query(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        return try TestDatabase(name: name)
    }

    public func connect() throws -> Connection {
        try Connection(connectionString)
    }

    deinit {
        guard let admin = try? Connection(Self.connectionString(database: "postgres")) else { return }
        _ = try? admin.execute(Query(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }

    static let templateName = "sarcreg_template"
    static let templateLock: Int64 = 0x5A4C_7E57

    private static func ensureTemplate(admin: Connection) throws {
        try admin.execute("SELECT pg_advisory_lock(\(templateLock))")
        defer { _ = try? admin.execute("SELECT pg_advisory_unlock(\(templateLock))") }
        let migrator = try SchemaMigrator(directory: migrationsDirectory)
        let exists = try !admin.query("SELECT 1 FROM pg_database WHERE datname = \(templateName)").isEmpty
        if exists {
            // A template from an earlier run of a different schema is rebuilt, never reused.
            let template = try Connection(try connectionString(database: templateName))
            let status = try migrator.status(on: template)
            if status.entries.allSatisfy({ $0.state == .applied }) { return }
        }
        try admin.execute(Query(unsafeSQL: "DROP DATABASE IF EXISTS \(templateName) WITH (FORCE)"))
        try admin.execute(Query(unsafeSQL: "CREATE DATABASE \(templateName)"))
        // The migrating connection is closed before any clone: a template must have no sessions.
        do {
            let template = try Connection(try connectionString(database: templateName))
            try migrator.migrate(on: template)
        }
    }

    private static func createFromTemplate(admin: Connection, name: String) throws {
        var attempt = 0
        while true {
            do {
                try admin.execute(Query(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(templateName)"))
                return
            } catch let error as PostgresError where error.sqlState == "55006" && attempt < 20 {
                // Another suite's clone is still reading the template; wait and try again.
                attempt += 1
                usleep(100_000)
            }
        }
    }
}
