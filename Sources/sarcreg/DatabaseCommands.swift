import ArgumentParser
import Foundation
import PostgresClient
import RegistryServices

extension Sarcreg {
    struct Database: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db",
            abstract: "Apply and inspect the schema migrations, check the invariants, back up and restore.",
            subcommands: [Migrate.self, Status.self, Check.self, Backup.self, Restore.self]
        )
    }
}

/// Where the Migrations folder is: `--migrations DIR`, else `SARCREG_MIGRATIONS`, else the first
/// `Migrations` folder found walking up from the executable (the package it was built in, or an
/// install that keeps `Migrations/` beside `bin/`).
struct MigrationsOptions: ParsableArguments {
    @Option(
        name: .customLong("migrations"), help: ArgumentHelp("Folder of NNNN_description.sql files.", valueName: "dir"))
    var directory: String?

    func resolvedDirectory() throws -> String {
        if let directory { return directory }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SARCREG_MIGRATIONS"] {
            return fromEnvironment
        }
        // The running executable's own path, not argv[0]: run from PATH, argv[0] is a bare name that
        // would be read against the working directory.
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("Migrations").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        throw ValidationError("cannot find the Migrations folder next to the executable; give it with --migrations DIR")
    }
}

extension Sarcreg.Database {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations in order, each in its own transaction.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var migrations: MigrationsOptions

        func run() throws {
            let migrator = try SchemaMigrator(directory: migrations.resolvedDirectory())
            let connection = try database.connect()
            let applied = try migrator.migrate(on: connection)
            if applied.isEmpty {
                say("Schema is up to date (\(migrator.files.count) migrations applied).")
            } else {
                for file in applied { say("applied \(file.fileName)") }
                say("Applied \(applied.count) migration(s).")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applied and pending migrations.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var migrations: MigrationsOptions

        func run() throws {
            let migrator = try SchemaMigrator(directory: migrations.resolvedDirectory())
            let connection = try database.connect()
            let status = try migrator.status(on: connection)
            say("Database: \(connection.redactedTarget)")
            let table = TextTable(header: ["version", "name", "state", "applied at"])
            let rows = status.entries.map { entry in
                [
                    String(format: "%04d", entry.version), entry.name, entry.state.rawValue,
                    entry.appliedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "",
                ]
            }
            say(table.render(rows), terminator: "")
            let pending = status.pending.count
            say(pending == 0 ? "No pending migrations." : "\(pending) pending migration(s): run `sarcreg db migrate`.")
            if status.entries.contains(where: { $0.state == .changed || $0.state == .missingFile }) {
                throw ExitCode.failure
            }
        }
    }
}
