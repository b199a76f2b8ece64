import Foundation
import PostgresClient
import RegistryDomain

/// A promise the registry makes about what it stores, with the query that finds what breaks it.
///
/// The constraints and triggers keep these true for every write that goes through them; a check finds what got
/// past them anyway: a restore with triggers off, a hand-edited row as the owner, an edited migration file.
/// A new invariant is a value in an extension of its own file, added to ``all``.
public struct RegistryInvariant: Sendable {
    /// A short stable name for scripts, e.g. `registry-ids-gapless`.
    public let name: String
    /// The promise in a coordinator's words.
    public let promise: String
    /// Each thing that breaks the promise, said with the ids to look at; at most ``RegistryInvariant/breakLimit``.
    let findBreaks: @Sendable (Connection, RegistryCheckContext) throws -> [String]

    public init(
        name: String, promise: String,
        findBreaks: @escaping @Sendable (Connection, RegistryCheckContext) throws -> [String]
    ) {
        self.name = name
        self.promise = promise
        self.findBreaks = findBreaks
    }

    /// A database broken in bulk would otherwise print every row; the first ones say where to look.
    public static let breakLimit = 100
}

/// What a check may compare the database with besides itself.
public struct RegistryCheckContext: Sendable {
    /// The migration files on disk, in version order.
    public let migrations: [MigrationFile]
    /// How the findings name the next step, e.g. the command that corrects a record.
    public let wording: Wording

    public init(migrations: [MigrationFile], wording: Wording = .plain) {
        self.migrations = migrations
        self.wording = wording
    }
}

/// One invariant and what breaks it (nothing when it holds).
public struct RegistryCheckResult: Sendable {
    public let invariant: RegistryInvariant
    public let breaks: [String]
    public var holds: Bool { breaks.isEmpty }
}

/// Runs the registry's invariants on one snapshot.
///
/// Read-only, so it runs on a hot standby too. Row-level security applies: run it as the registry's owner, or a
/// coordinator's check sees their own sites only.
public struct RegistryCheckService {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public func run(
        _ invariants: [RegistryInvariant] = RegistryInvariant.all, context: RegistryCheckContext
    ) throws -> [RegistryCheckResult] {
        // One snapshot for every check: a write committed halfway must not make two checks disagree.
        try connection.withTransaction(isolation: .repeatableRead) { tx in
            try tx.execute("SET TRANSACTION READ ONLY")
            return try invariants.map { invariant in
                RegistryCheckResult(invariant: invariant, breaks: try invariant.findBreaks(tx, context))
            }
        }
    }
}
