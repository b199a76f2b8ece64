import Foundation
import PostgresClient

/// What a backup holds besides the dump: the migrations applied and every table's row count and checksum,
/// taken on the dump's own snapshot, so a restore can prove it gave back exactly what was saved.
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct AppliedMigration: Codable, Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sha256: String
    }

    /// One table's content: rows, and the sum of the first 64 bits of each row's MD5 (order does not matter).
    public struct TableContent: Codable, Sendable, Equatable {
        public let table: String
        public let rows: Int
        public let checksum: String
    }

    public static let currentFormat = "sarcreg-backup-1"
    public let format: String
    public let createdAt: Date
    public let migrations: [AppliedMigration]
    public let tables: [TableContent]

    /// Where the manifest of the dump `file` is kept: beside it, `FILE.manifest.json`.
    public static func path(forDump file: String) -> String { file + ".manifest.json" }
}

/// Why a backup or a restore stopped; each says what to do.
public enum BackupError: Error, CustomStringConvertible {
    case toolMissing(String)
    case toolFailed(tool: String, status: Int32, message: String)
    case targetNotEmpty(database: String, relations: [String])
    case manifestMissing(String)
    case manifestUnreadable(path: String, reason: String)
    case restoredDiffers([String])

    public var description: String {
        switch self {
        case .toolMissing(let path):
            "\(path) is not there; install the PostgreSQL 15 client (postgresql-client-15) or set PG_BINDIR to its bin folder"
        case .toolFailed(let tool, let status, let message):
            "\(tool) failed (exit \(status)): \(message)"
        case .targetNotEmpty(let database, let relations):
            "database \(database) is not empty (it holds \(relations.joined(separator: ", "))\(relations.count == 5 ? ", ..." : "")); "
                + "restore only into an empty database made with CREATE DATABASE; nothing was restored"
        case .manifestMissing(let path):
            "the backup's manifest \(path) is missing; a backup is the dump and its FILE.manifest.json together"
        case .manifestUnreadable(let path, let reason):
            "the backup's manifest \(path) cannot be read: \(reason)"
        case .restoredDiffers(let differences):
            "the restored database differs from the backup's manifest: \(differences.joined(separator: "; ")); "
                + "do not use it: drop it, and restore another backup"
        }
    }
}

/// `db backup` and `db restore`: pg_dump's custom format plus a manifest, and a restore that checks it.
///
/// pg_dump and pg_restore run as child processes with an argument list (no shell). The connection settings
/// go on their command line without the password, which goes in a passfile of mode 0600 instead: any local
/// user can read another process's arguments.
public struct DatabaseBackupService {
    let connectionString: String?
    let binaries: String

    public init(connectionString: String?, binaries: String? = nil) {
        self.connectionString = connectionString
        self.binaries = binaries ?? ProcessInfo.processInfo.environment["PG_BINDIR"] ?? "/usr/lib/postgresql/15/bin"
    }

    /// Dumps the database to `file` (custom format) and writes its manifest beside it, both from one snapshot.
    @discardableResult
    public func backup(to file: String) throws -> BackupManifest {
        let connection = try Connection(connectionString)
        return try connection.withTransaction(isolation: .repeatableRead) { tx in
            try tx.execute("SET TRANSACTION READ ONLY")
            // pg_dump reads the snapshot this transaction exported, so the dump and the manifest see the same rows.
            let snapshot = try tx.query("SELECT pg_export_snapshot() AS snapshot")[0].decode(String.self, "snapshot")
            let manifest = try Self.manifest(tx)
            try run("pg_dump", ["--format=custom", "--file=" + file, "--snapshot=" + snapshot])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(manifest).write(to: URL(fileURLWithPath: BackupManifest.path(forDump: file)))
            return manifest
        }
    }

    /// Restores `file` into this service's database, which must be empty, in one transaction; then compares
    /// every table and the applied migrations with the manifest and throws if anything differs.
    @discardableResult
    public func restore(from file: String) throws -> BackupManifest {
        let manifestPath = BackupManifest.path(forDump: file)
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw BackupError.manifestMissing(manifestPath)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let saved: BackupManifest
        do {
            saved = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError.manifestUnreadable(path: manifestPath, reason: String(describing: error))
        }
        guard saved.format == BackupManifest.currentFormat else {
            throw BackupError.manifestUnreadable(
                path: manifestPath, reason: "format \(saved.format), expected \(BackupManifest.currentFormat)")
        }
        let connection = try Connection(connectionString)
        let relations = try connection.query(
            """
            SELECT format('%I.%I', n.nspname, c.relname) AS relation
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
            ORDER BY 1 LIMIT 5
            """
        ).map { try $0.decode(String.self, "relation") }
        guard relations.isEmpty else {
            let database = try connection.query("SELECT current_database() AS name")[0].decode(String.self, "name")
            throw BackupError.targetNotEmpty(database: database, relations: relations)
        }
        try run("pg_restore", ["--exit-on-error", "--single-transaction", file])
        let restored = try connection.withTransaction(isolation: .repeatableRead) { try Self.manifest($0) }
        let differences = Self.differences(saved: saved, restored: restored)
        guard differences.isEmpty else { throw BackupError.restoredDiffers(differences) }
        return restored
    }

    /// The applied migrations and every table's content as the connection's transaction sees them.
    static func manifest(_ connection: Connection) throws -> BackupManifest {
        let migrations = try connection.query("SELECT version, name, sha256 FROM schema_migrations ORDER BY version")
            .map { row in
                let (version, name, sha256) = try row.decode((Int, String, String).self)
                return BackupManifest.AppliedMigration(version: version, name: name, sha256: sha256)
            }
        // The names come from the catalog, quoted by the server's format('%I'), never from input.
        let tables = try connection.query(
            """
            SELECT format('%I.%I', n.nspname, c.relname) AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
            ORDER BY 1
            """
        ).map { try $0.decode(String.self, "name") }
        let content = try tables.map { table in
            // A sum rather than a hash of the rows in order: constant memory on any table, and the same for
            // the same rows whatever order a restore wrote them in.
            let row = try connection.query(
                Query(
                    unsafeSQL: """
                        SELECT count(*) AS n, coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text AS checksum
                        FROM ONLY \(table) t
                        """))[0]
            return BackupManifest.TableContent(
                table: table, rows: try row.decode(Int.self, "n"), checksum: try row.decode(String.self, "checksum"))
        }
        return BackupManifest(
            format: BackupManifest.currentFormat, createdAt: Date(), migrations: migrations, tables: content)
    }

    /// What differs between the saved and the restored content, one phrase each.
    static func differences(saved: BackupManifest, restored: BackupManifest) -> [String] {
        var differences: [String] = []
        if saved.migrations != restored.migrations {
            differences.append(
                "schema_migrations holds \(restored.migrations.count) migrations, the backup \(saved.migrations.count)")
        }
        let restoredTables = Dictionary(uniqueKeysWithValues: restored.tables.map { ($0.table, $0) })
        for table in saved.tables {
            guard let other = restoredTables[table.table] else {
                differences.append("\(table.table) is missing")
                continue
            }
            if other.rows != table.rows {
                differences.append("\(table.table) has \(other.rows) rows, the backup \(table.rows)")
            } else if other.checksum != table.checksum {
                differences.append("\(table.table) has other content than the backup (same \(table.rows) rows)")
            }
        }
        let savedNames = Set(saved.tables.map(\.table))
        for table in restored.tables where !savedNames.contains(table.table) {
            differences.append("\(table.table) is not in the backup")
        }
        return differences
    }

    /// Runs a PostgreSQL client program with the connection's settings, the password in a passfile.
    private func run(_ tool: String, _ arguments: [String]) throws {
        let path = binaries + "/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else { throw BackupError.toolMissing(path) }
        let (conninfo, password) = try ConnectionString.separatingPassword(from: connectionString)
        // The child resolves what the settings leave out (PGHOST, PGPASSWORD, ...) as this process's libpq does.
        var environment = ProcessInfo.processInfo.environment
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sarcreg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        if let password {
            let passfile = folder + "/pgpass"
            let escaped = password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: ":", with: "\\:")
            guard
                FileManager.default.createFile(
                    atPath: passfile, contents: Data("*:*:*:*:\(escaped)\n".utf8),
                    attributes: [.posixPermissions: 0o600])
            else {
                throw BackupError.toolFailed(tool: tool, status: -1, message: "cannot write a passfile in \(folder)")
            }
            environment["PGPASSFILE"] = passfile
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = (conninfo.isEmpty ? [] : ["--dbname=" + conninfo]) + arguments
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let lines = message.split(separator: "\n").prefix(3).joined(separator: " / ")
            throw BackupError.toolFailed(
                tool: tool, status: process.terminationStatus,
                message: ConnectionString.redacting(lines, of: connectionString))
        }
    }
}
