import ArgumentParser
import Foundation
import PostgresClient
import RegistryServices

extension Sarcreg.Database {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the invariants the registry promises; exit 1 when any is broken.",
            discussion: """
                Each invariant is printed as ok or BROKEN with its promise, and each thing that breaks it (at most \
                \(RegistryInvariant.breakLimit) an invariant) with the ids to look at. Read-only: it may run on a \
                standby. Run it as the registry's owner; row-level security shows a coordinator their own sites only.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var migrations: MigrationsOptions

        func run() throws {
            let files = try SchemaMigrator(directory: migrations.resolvedDirectory()).files
            let results = try RegistryCheckService(connection: database.connect())
                .run(context: RegistryCheckContext(migrations: files, wording: .commandLine))
            for result in results {
                say("\(result.holds ? "ok    " : "BROKEN") \(result.invariant.name): \(result.invariant.promise)")
                for broken in result.breaks { say("         \(broken)") }
            }
            let broken = results.filter { !$0.holds }.map(\.invariant.name)
            guard broken.isEmpty else { throw InvariantsBroken(names: broken, checked: results.count) }
        }
    }
}

/// `db check` found broken invariants; they are listed on stdout above this one-line summary.
struct InvariantsBroken: Error, CustomStringConvertible {
    let names: [String]
    let checked: Int
    var description: String { "\(names.count) of \(checked) invariants broken: \(names.joined(separator: ", "))" }
}
