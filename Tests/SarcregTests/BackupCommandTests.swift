import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("sarcreg db backup and db restore: a round trip that gives back every row, audit log included")
struct BackupCommandTests {
    let source: TestDatabase
    let environment: [String: String]
    let folder: String

    /// MUC-0001 with a line of doxorubicin, two target lesions and a follow-up, and BER-0001: rows in the clinical
    /// tables and in the audit log, written through the CLI.
    init() throws {
        source = try TestDatabase.make()
        environment = [
            "DATABASE_URL": source.connectionString,
            "SARCREG_MRN_KEY": "test-only key, 32 bytes or longer, never used in production",
        ]
        for arguments in [
            ["site", "add", "--code", "MUC", "--name", "Munich Sarcoma Center"],
            ["site", "add", "--code", "BER", "--name", "Berlin Sarcoma Center"],
            [
                "patient", "enroll", "--site", "MUC", "--mrn", "B-1", "--birth", "1970", "--sex", "male",
                "--consent-date", "2024-01-02",
            ],
            [
                "patient", "enroll", "--site", "BER", "--mrn", "B-2", "--birth", "1981", "--sex", "female",
                "--consent-date", "2024-01-03",
            ],
            [
                "therapy", "start", "MUC-0001", "--agent", "doxorubicin", "--intent", "palliative", "--start",
                "2024-01-08",
            ],
            [
                "lesion", "add", "MUC-0001", "--lesion", "T1", "--class", "target", "--organ", "liver", "--method",
                "ct", "--diameter", "40", "--date", "2024-01-05",
            ],
            [
                "lesion", "add", "MUC-0001", "--lesion", "T2", "--class", "target", "--organ", "lung", "--method", "ct",
                "--diameter", "20", "--date", "2024-01-05",
            ],
            ["assess", "record", "MUC-0001", "--date", "2024-02-19", "--result", "T1=28", "--result", "T2=14"],
        ] {
            let run = try CommandLineRun.sarcreg(arguments, environment: environment)
            try #require(run.exitCode == 0, "\(arguments): \(run.stderr)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Every table's row count and an MD5 of its rows in text order, computed here independently of the
    /// manifest `db backup` writes.
    static func contents(_ connectionString: String) throws -> [String: String] {
        let connection = try Connection(connectionString)
        let tables = try connection.query(
            "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).map { try $0.decode(String.self, "name") }
        var contents: [String: String] = [:]
        for table in tables {
            let row = try connection.query(
                "SELECT count(*) AS n, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS digest FROM \(unsafeSQL: table) t"
            )[0]
            contents[table] = "\(try row.decode(Int.self, "n")) rows, md5 \(try row.decode(String.self, "digest"))"
        }
        return contents
    }

    @Test(
        "backup of MUC-0001's registry, restore into an empty database: every table has the same rows and checksum, audit log included"
    )
    func roundTrip() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/registry.dump"
        let backup = try CommandLineRun.sarcreg(["db", "backup", "--out", file], environment: environment)
        try #require(backup.exitCode == 0, "\(backup.stderr)")
        #expect(FileManager.default.fileExists(atPath: file + ".manifest.json"))
        #expect(
            try FileHandle(forReadingFrom: URL(fileURLWithPath: file)).read(upToCount: 5) == Data("PGDMP".utf8),
            "pg_dump's custom format")

        let target = try TestDatabase.make(migrated: false)
        let restore = try CommandLineRun.sarcreg(
            ["db", "restore", file, "--database", target.connectionString], environment: environment)
        #expect(restore.exitCode == 0, "\(restore.stderr)")
        #expect(
            restore.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(
                "every table's row count and checksum equal the backup's"), "\(restore.stdout)")

        let saved = try Self.contents(source.connectionString)
        let restored = try Self.contents(target.connectionString)
        #expect(restored == saved)
        #expect(saved["public.audit_log"]?.hasPrefix("0 rows") == false, "the audit log has rows to compare")
        #expect(saved["public.schema_migrations"]?.hasPrefix("0 rows") == false)
        let tables = saved.count, rows = saved.values.compactMap { Int($0.prefix { $0.isNumber }) }.reduce(0, +)
        print("operations-figure backup-round-trip-tables=\(tables)")
        print("operations-figure backup-round-trip-rows=\(rows)")
    }

    @Test(
        "restore into a database that holds tables (the source itself) is refused naming the database, exit 1, nothing changed"
    )
    func nonEmptyTargetRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/registry.dump"
        try #require(
            try CommandLineRun.sarcreg(["db", "backup", "--out", file], environment: environment).exitCode == 0)
        let before = try Self.contents(source.connectionString)
        let restore = try CommandLineRun.sarcreg(
            ["db", "restore", file, "--database", source.connectionString], environment: environment)
        #expect(restore.exitCode == 1)
        #expect(restore.stderr.contains("database \(source.name) is not empty"), "\(restore.stderr)")
        #expect(restore.stderr.contains("nothing was restored"))
        #expect(try Self.contents(source.connectionString) == before)
    }

    @Test("a backup without its manifest beside it is refused before anything is restored")
    func manifestRequired() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/registry.dump"
        try #require(
            try CommandLineRun.sarcreg(["db", "backup", "--out", file], environment: environment).exitCode == 0)
        try FileManager.default.removeItem(atPath: file + ".manifest.json")
        let target = try TestDatabase.make(migrated: false)
        let restore = try CommandLineRun.sarcreg(
            ["db", "restore", file, "--database", target.connectionString], environment: environment)
        #expect(restore.exitCode == 1)
        #expect(restore.stderr.contains("registry.dump.manifest.json is missing"), "\(restore.stderr)")
        #expect(try Self.contents(target.connectionString).isEmpty)
    }

    @Test("a manifest that records 3 patients where the dump holds 2 makes the restore exit 1 naming public.patients")
    func restoreProvesItself() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/registry.dump"
        try #require(
            try CommandLineRun.sarcreg(["db", "backup", "--out", file], environment: environment).exitCode == 0)
        let manifestPath = file + ".manifest.json"
        var manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
                as? [String: Any])
        var tables = try #require(manifest["tables"] as? [[String: Any]])
        let patients = try #require(tables.firstIndex { $0["table"] as? String == "public.patients" })
        #expect(tables[patients]["rows"] as? Int == 2)
        tables[patients]["rows"] = 3
        manifest["tables"] = tables
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        let target = try TestDatabase.make(migrated: false)
        let restore = try CommandLineRun.sarcreg(
            ["db", "restore", file, "--database", target.connectionString], environment: environment)
        #expect(restore.exitCode == 1)
        #expect(restore.stderr.contains("public.patients has 2 rows, the backup 3"), "\(restore.stderr)")
    }

    @Test(
        "the settings pg_dump gets on its command line never hold the password of postgresql://registrar:s3cret@db/sarcreg"
    )
    func passwordKeptOffCommandLine() throws {
        let (conninfo, password) = try ConnectionString.separatingPassword(
            from: "postgresql://registrar:s3cret@db/sarcreg")
        #expect(!conninfo.contains("s3cret"))
        #expect(conninfo.contains("user='registrar'") && conninfo.contains("host='db'"))
        #expect(password == "s3cret")
    }
}
