import Foundation
import PostgresClient
import RegistryServices
import Testing
import TestSupport

/// Each invariant of `db check` on a registry of two MUC patients with a baseline each, broken the way only a
/// superuser can: with `session_replication_role = replica` the foreign keys and triggers do not run, as in a
/// restore with triggers off.
@Suite("db check: the registry's invariants, each found broken with what breaks it")
struct RegistryCheckTests {
    let fixture: RegistryFixture
    let migrations: [MigrationFile]

    init() throws {
        fixture = try RegistryFixture()
        _ = try fixture.patientWithBaseline(mrn: "MRN-CHECK-1")
        _ = try fixture.patientWithBaseline(mrn: "MRN-CHECK-2")
        migrations = try SchemaMigrator(directory: TestDatabase.migrationsDirectory).files
    }

    func breaks(_ invariant: RegistryInvariant, migrations: [MigrationFile]? = nil) throws -> [String] {
        let results = try RegistryCheckService(connection: fixture.connection)
            .run([invariant], context: RegistryCheckContext(migrations: migrations ?? self.migrations))
        return results[0].breaks
    }

    /// Runs the statements without foreign keys and triggers.
    func bypassingChecks(_ statements: String...) throws {
        try fixture.connection.execute("SET session_replication_role = replica")
        defer { _ = try? fixture.connection.execute("RESET session_replication_role") }
        for sql in statements { try fixture.connection.execute(Query(unsafeSQL: sql)) }
    }

    @Test("a registry written through the services (MUC-0001 and MUC-0002 with baselines) holds every invariant")
    func healthyRegistryHoldsAll() throws {
        let results = try RegistryCheckService(connection: fixture.connection).run(
            context: RegistryCheckContext(migrations: migrations))
        #expect(results.map(\.invariant.name) == RegistryInvariant.all.map(\.name))
        for result in results {
            #expect(result.holds, "\(result.invariant.name): \(result.breaks)")
        }
    }

    @Test("MUC's counter at 4 with MUC-0001 and MUC-0002 enrolled: MUC-0003 is missing")
    func missingRegistryID() throws {
        try fixture.connection.execute("UPDATE sites SET next_patient_number = 4 WHERE site_code = 'MUC'")
        #expect(try breaks(.registryIDsGapless) == ["MUC-0003 is missing (the site's ids run to MUC-0003)"])
    }

    @Test(
        "MUC's counter set back to 2: MUC-0002 is numbered at its site's counter, and the next enrollment would take its id"
    )
    func registryIDPastCounter() throws {
        try fixture.connection.execute("UPDATE sites SET next_patient_number = 2 WHERE site_code = 'MUC'")
        let found = try breaks(.registryIDsGapless)
        #expect(found.count == 1)
        #expect(
            found.first?.hasPrefix("MUC-0002 is numbered at or past its site's counter (next number 2)") == true,
            "\(found)")
    }

    @Test(
        "MUC-0001's lesion T1 turned non-target under its target results: every result of T1 is named with both classes"
    )
    func resultClassMismatch() throws {
        try bypassingChecks(
            "UPDATE lesions SET lesion_class = 'non_target' WHERE label = 'T1' AND patient_id = (SELECT patient_id FROM patients WHERE registry_id = 'MUC-0001')"
        )
        let found = try breaks(.resultClassMatchesLesion)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix("MUC-0001 lesion T1 (lesion id ") == true, "\(found)")
        #expect(
            found.first?.hasSuffix("the result of 2024-01-05 is filed as target, the lesion is non_target") == true,
            "\(found)")
    }

    @Test(
        "MUC-0002 deleted under its lesions, and MUC-0001's NT1 deleted under its result: four orphan lesions and one orphan result"
    )
    func orphanLesions() throws {
        try bypassingChecks(
            "DELETE FROM lesions WHERE label = 'NT1' AND patient_id = (SELECT patient_id FROM patients WHERE registry_id = 'MUC-0001')",
            "DELETE FROM patients WHERE registry_id = 'MUC-0002'")
        let found = try breaks(.noOrphanLesions)
        #expect(found.count == 5, "\(found)")
        #expect(
            found.filter { $0.hasSuffix("which does not exist") && $0.contains(" names patient id ") }.count == 4,
            "\(found)")
        #expect(
            found.filter { $0.hasPrefix("the result of assessment id ") && $0.contains(" names lesion id ") }.count
                == 1, "\(found)")
    }

    @Test("0003's recorded SHA-256 no longer that of its file, and the last migration's file gone: both named")
    func editedMigration() throws {
        try fixture.connection.execute("UPDATE schema_migrations SET sha256 = repeat('0', 64) WHERE version = 3")
        let last = try #require(migrations.last)
        let found = try breaks(.migrationsUnedited, migrations: migrations.dropLast())
        #expect(
            found == [
                "0003_registry_core.sql was edited after it was applied: its SHA-256 is not the one schema_migrations recorded",
                "\(last.fileName) is recorded as applied but its file is missing",
            ])
    }

    @Test(
        "0005 recorded as applied a day after 0006, and a file 0008_late.sql on disk below the applied 0019: both named"
    )
    func migrationsOutOfOrder() throws {
        try fixture.connection.execute(
            "UPDATE schema_migrations SET applied_at = applied_at + interval '1 day' WHERE version = 5")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("check-migrations-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in migrations {
            try file.sql.write(toFile: folder + "/" + file.fileName, atomically: true, encoding: .utf8)
        }
        try "SELECT 1;".write(toFile: folder + "/0008_late.sql", atomically: true, encoding: .utf8)
        let found = try breaks(.migrationsInOrder, migrations: try SchemaMigrator(directory: folder).files)
        #expect(
            found == [
                "0006_sync.sql was applied before 0005_trials.sql",
                "0008_late.sql is not applied, but \(try #require(migrations.last).fileName) is",
            ])
    }
}
