import ArgumentParser
import Foundation
import RegistryServices

extension Sarcreg.Database {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up the database: a pg_dump custom-format file and its manifest beside it.",
            discussion: """
                Writes FILE (pg_dump --format=custom) and FILE.manifest.json (the applied migrations and every \
                table's row count and checksum), both from one snapshot. Keep the two together; `db restore` \
                needs both. Run it as the registry's owner or a superuser, so row-level security hides nothing. \
                pg_dump is taken from PG_BINDIR, else /usr/lib/postgresql/15/bin.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("The dump file to write.", valueName: "file")) var out: String

        func run() throws {
            let manifest = try DatabaseBackupService(connectionString: database.connectionString).backup(to: out)
            let rows = manifest.tables.map(\.rows).reduce(0, +)
            say(
                "Backed up \(manifest.tables.count) tables (\(rows) rows) and \(manifest.migrations.count) applied migrations to \(out)"
            )
            say("Manifest: \(BackupManifest.path(forDump: out))")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a backup into an empty database and prove every table came back.",
            discussion: """
                The database named by --database must be empty (made with CREATE DATABASE); any other is \
                refused. The restore runs in one transaction, then every table's row count and checksum and the \
                applied migrations are compared with the backup's manifest; any difference exits 1. Roles are \
                cluster-wide and not in the dump: on a new cluster, create them first (pg_dumpall --roles-only).
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(
            help: ArgumentHelp("The dump file written by `db backup` (its manifest beside it).", valueName: "file"))
        var file: String

        func run() throws {
            let manifest = try DatabaseBackupService(connectionString: database.connectionString).restore(from: file)
            let rows = manifest.tables.map(\.rows).reduce(0, +)
            say(
                "Restored \(manifest.tables.count) tables (\(rows) rows) and \(manifest.migrations.count) applied migrations; every table's row count and checksum equal the backup's."
            )
        }
    }
}
