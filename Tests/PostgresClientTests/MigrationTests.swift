import Foundation
import PostgresClient
import Synchronization
import Testing
import TestSupport

@Suite("Migrations apply once, in order, and refuse edited history")
struct MigrationTests {
    let database: TestDatabase
    let folder: String

    init() throws {
        database = try TestDatabase.make(migrated: false)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try write(
            "0001_create_sites.sql",
            "CREATE TABLE sites (code text PRIMARY KEY);\nCREATE TABLE applied_log (file text);\nINSERT INTO applied_log VALUES ('0001');"
        )
        try write(
            "0002_add_site_name.sql",
            "ALTER TABLE sites ADD COLUMN name text;\nINSERT INTO applied_log VALUES ('0002');")
    }

    func write(_ name: String, _ sql: String) throws {
        try sql.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    func appliedLog(_ connection: Connection) throws -> [String] {
        try connection.query("SELECT file FROM applied_log ORDER BY file").map { try $0.decode(String.self, "file") }
    }

    @Test("pending migrations apply in order and are recorded with name and SHA-256; a rerun applies nothing")
    func appliesInOrder() throws {
        let connection = try database.connect()
        let migrator = try SchemaMigrator(directory: folder)
        let applied = try migrator.migrate(on: connection)
        #expect(applied.map(\.fileName) == ["0001_create_sites.sql", "0002_add_site_name.sql"])
        #expect(try migrator.migrate(on: connection).isEmpty)
        #expect(try appliedLog(connection) == ["0001", "0002"])
        let recorded = try connection.query("SELECT version, name, sha256 FROM schema_migrations ORDER BY version")
        #expect(try recorded.map { try $0.decode(String.self, "name") } == ["create_sites", "add_site_name"])
        #expect(try recorded[0].decode(String.self, "sha256").count == 64)
        let status = try migrator.status(on: connection)
        #expect(status.entries.map(\.state) == [.applied, .applied])
    }

    @Test("an applied migration edited afterwards is refused, naming the file, and nothing else is applied")
    func tamperedRefused() throws {
        let connection = try database.connect()
        try SchemaMigrator(directory: folder).migrate(on: connection)
        try write("0001_create_sites.sql", "CREATE TABLE sites (code text PRIMARY KEY, extra int);")
        try write("0003_more.sql", "INSERT INTO applied_log VALUES ('0003');")
        let migrator = try SchemaMigrator(directory: folder)
        let error = #expect(throws: MigrationError.self) { try migrator.migrate(on: connection) }
        #expect(error?.description.contains("0001_create_sites.sql") == true)
        #expect(try appliedLog(connection) == ["0001", "0002"])
        #expect(try migrator.status(on: connection).entries.map(\.state) == [.changed, .applied, .pending])
    }

    @Test(
        "a migration numbered below an applied one (0002 added after 0003 was applied) is refused naming both, and nothing is applied"
    )
    func belowAppliedRefused() throws {
        let connection = try database.connect()
        try FileManager.default.removeItem(atPath: folder + "/0002_add_site_name.sql")
        try write("0003_more.sql", "INSERT INTO applied_log VALUES ('0003');")
        try SchemaMigrator(directory: folder).migrate(on: connection)
        try write(
            "0002_add_site_name.sql",
            "ALTER TABLE sites ADD COLUMN name text;\nINSERT INTO applied_log VALUES ('0002');")
        try write("0004_after.sql", "INSERT INTO applied_log VALUES ('0004');")
        let error = #expect(throws: MigrationError.self) {
            try SchemaMigrator(directory: folder).migrate(on: connection)
        }
        #expect(
            error?.description.contains("0002_add_site_name.sql is numbered below 0003") == true,
            "\(String(describing: error))")
        #expect(try appliedLog(connection) == ["0001", "0003"])
    }

    @Test("a failing migration rolls back entirely and is not recorded")
    func failingRollsBack() throws {
        let connection = try database.connect()
        try write(
            "0003_broken.sql", "INSERT INTO applied_log VALUES ('0003');\nALTER TABLE no_such_table ADD COLUMN x int;")
        let error = #expect(throws: MigrationError.self) {
            try SchemaMigrator(directory: folder).migrate(on: connection)
        }
        #expect(error?.description.contains("0003_broken.sql") == true)
        #expect(try appliedLog(connection) == ["0001", "0002"])
        let versions = try connection.query("SELECT max(version) AS v FROM schema_migrations")
        #expect(try versions[0].decode(Int.self, "v") == 2)
    }

    @Test("a file not named NNNN_description.sql is refused by name")
    func badName() throws {
        try write("3_oops.sql", "SELECT 1;")
        let error = #expect(throws: MigrationError.self) { try SchemaMigrator(directory: folder) }
        #expect(error?.description.contains("3_oops.sql") == true)
    }

    @Test("two db migrate runs started together apply each migration exactly once")
    func concurrentRuns() throws {
        let connectionString = database.connectionString
        let directory = folder
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let connection = try Connection(connectionString)
                    try SchemaMigrator(directory: directory).migrate(on: connection)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        let connection = try database.connect()
        #expect(try appliedLog(connection) == ["0001", "0002"])
    }
}
