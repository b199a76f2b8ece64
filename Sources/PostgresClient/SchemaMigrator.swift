import Foundation

/// One SQL file of the Migrations folder, `NNNN_description.sql`.
public struct MigrationFile: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let fileName: String
    public let sql: String
}

/// A migration recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sha256: String
    public let appliedAt: Date
}

/// What `db status` shows: each migration with where it stands.
public struct MigrationStatus: Sendable {
    public enum State: String, Sendable { case applied, pending, changed, missingFile = "missing file" }
    public struct Entry: Sendable {
        public let version: Int
        public let name: String
        public let state: State
        public let appliedAt: Date?
    }
    public let entries: [Entry]
    public var pending: [Entry] { entries.filter { $0.state == .pending } }
}

/// Why migrations were refused or failed; each message names the file to look at.
public enum MigrationError: Error, CustomStringConvertible {
    case unreadableDirectory(String)
    case badFileName(String)
    case duplicateVersion(Int, [String])
    case checksumChanged(fileName: String, recorded: String, actual: String)
    case fileMissing(version: Int, name: String)
    case belowApplied(fileName: String, highestApplied: Int)
    case failed(fileName: String, PostgresError)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            "cannot read the migrations folder \(path); give it with --migrations DIR"
        case .badFileName(let name):
            "migration file \(name) is not named NNNN_description.sql (four digits, lower-case words)"
        case .duplicateVersion(let version, let files):
            "two migration files share version \(version): \(files.joined(separator: ", "))"
        case .checksumChanged(let fileName, let recorded, let actual):
            "applied migration \(fileName) was edited after it was applied (recorded sha256 \(recorded.prefix(12))..., file now \(actual.prefix(12))...); restore it and add a new migration instead"
        case .fileMissing(let version, let name):
            "migration \(String(format: "%04d", version))_\(name) is recorded as applied but its file is missing from the migrations folder"
        case .belowApplied(let fileName, let highestApplied):
            "migration \(fileName) is numbered below \(String(format: "%04d", highestApplied)), which is already applied; nothing was applied: renumber it above every applied migration"
        case .failed(let fileName, let error):
            "migration \(fileName) failed and was rolled back: \(error)"
        }
    }
}

/// Applies the Migrations folder in order, each file in its own transaction with its bookkeeping row.
///
/// A session-level advisory lock serializes concurrent runs, so two `db migrate` started together
/// apply each file once: the second waits, then finds nothing pending. Applied files are checked
/// against their recorded SHA-256 on every run; an edited file stops everything, because the schema
/// it describes is no longer the schema in the database.
public struct SchemaMigrator {
    /// An arbitrary constant shared by every sarcreg process: the advisory lock key for migrations.
    static let lockKey: Int64 = 0x5A4C_0001

    public let files: [MigrationFile]

    public init(files: [MigrationFile]) { self.files = files }

    /// Reads `NNNN_description.sql` files from a folder; other `.sql` names are refused.
    public init(directory: String) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.unreadableDirectory(directory)
        }
        var files: [MigrationFile] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            guard let parsed = Self.parse(fileName) else { throw MigrationError.badFileName(fileName) }
            guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else {
                throw MigrationError.unreadableDirectory(directory + "/" + fileName)
            }
            files.append(
                MigrationFile(
                    version: parsed.version, name: parsed.name, fileName: fileName,
                    sql: String(decoding: data, as: UTF8.self)))
        }
        let byVersion = Dictionary(grouping: files, by: \.version)
        if let (version, clash) = byVersion.first(where: { $0.value.count > 1 }) {
            throw MigrationError.duplicateVersion(version, clash.map(\.fileName).sorted())
        }
        self.init(files: files.sorted { $0.version < $1.version })
    }

    static func parse(_ fileName: String) -> (version: Int, name: String)? {
        let stem = fileName.dropLast(4)
        guard stem.count > 5, stem.dropFirst(4).first == "_",
            let version = Int(stem.prefix(4)), stem.prefix(4).allSatisfy(\.isNumber)
        else { return nil }
        let name = stem.dropFirst(5)
        guard name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), name.allSatisfy(\.isASCII)
        else { return nil }
        return (version, String(name))
    }

    /// Applies every pending file and returns the ones it applied.
    @discardableResult
    public func migrate(on connection: Connection) throws -> [MigrationFile] {
        try connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))") }
        try ensureTable(on: connection)
        let applied = try verifiedApplied(on: connection)
        let pending = files.filter { applied[$0.version] == nil }
        // A migration written before a later one was applied was never tested on top of it: the database would
        // hold a schema no file sequence describes, and another installation would apply the two the other way round.
        if let highest = applied.keys.max(), let early = pending.first(where: { $0.version < highest }) {
            throw MigrationError.belowApplied(fileName: early.fileName, highestApplied: highest)
        }
        for file in pending {
            do {
                try connection.withTransaction { tx in
                    try tx.executeScript(file.sql)
                    try tx.execute(
                        """
                        INSERT INTO schema_migrations (version, name, sha256, applied_at)
                        VALUES (\(file.version), \(file.name), encode(sha256(convert_to(\(file.sql), 'UTF8')), 'hex'), now())
                        """)
                }
            } catch let error as PostgresError {
                throw MigrationError.failed(fileName: file.fileName, error)
            }
        }
        return pending
    }

    /// Lists applied and pending migrations without changing anything.
    public func status(on connection: Connection) throws -> MigrationStatus {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        let applied = try exists[0].decode(Bool.self, "present") ? try appliedMigrations(on: connection) : []
        let checksums = try checksums(on: connection)
        let appliedByVersion = Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0) })
        var entries: [MigrationStatus.Entry] = files.map { file in
            guard let record = appliedByVersion[file.version] else {
                return .init(version: file.version, name: file.name, state: .pending, appliedAt: nil)
            }
            let state: MigrationStatus.State = checksums[file.version] == record.sha256 ? .applied : .changed
            return .init(version: file.version, name: file.name, state: state, appliedAt: record.appliedAt)
        }
        let onDisk = Set(files.map(\.version))
        for record in applied where !onDisk.contains(record.version) {
            entries.append(
                .init(version: record.version, name: record.name, state: .missingFile, appliedAt: record.appliedAt))
        }
        return MigrationStatus(entries: entries.sorted { $0.version < $1.version })
    }

    private func ensureTable(on connection: Connection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                sha256 text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private func appliedMigrations(on connection: Connection) throws -> [AppliedMigration] {
        try connection.query("SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version")
            .map { row in
                let (version, name, sha256, appliedAt) = try row.decode((Int, String, String, Date).self)
                return AppliedMigration(version: version, name: name, sha256: sha256, appliedAt: appliedAt)
            }
    }

    /// SHA-256 of each file as PostgreSQL computes it, so no crypto library is needed here.
    private func checksums(on connection: Connection) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for file in files {
            let rows = try connection.query("SELECT encode(sha256(convert_to(\(file.sql), 'UTF8')), 'hex') AS digest")
            result[file.version] = try rows[0].decode(String.self, "digest")
        }
        return result
    }

    private func verifiedApplied(on connection: Connection) throws -> [Int: AppliedMigration] {
        let applied = try appliedMigrations(on: connection)
        let checksums = try checksums(on: connection)
        let filesByVersion = Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0) })
        for record in applied {
            guard let file = filesByVersion[record.version] else {
                throw MigrationError.fileMissing(version: record.version, name: record.name)
            }
            if checksums[record.version] != record.sha256 {
                throw MigrationError.checksumChanged(
                    fileName: file.fileName, recorded: record.sha256, actual: checksums[record.version] ?? "")
            }
        }
        return Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0) })
    }
}
