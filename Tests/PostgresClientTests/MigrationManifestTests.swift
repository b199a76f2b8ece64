import Foundation
import Testing
import TestSupport

@Suite("Committed migrations keep the SHA-256 recorded in Migrations/SHA256SUMS")
struct MigrationManifestTests {
    /// `sha256sum` lines, `HASH  FILE`, by file.
    static func parse(_ text: String) -> [String: String] {
        var sums: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2 else { continue }
            sums[fields[1].trimmingCharacters(in: CharacterSet(charactersIn: " *"))] = String(fields[0])
        }
        return sums
    }

    static func sha256sums(of files: [String], in folder: String) throws -> [String: String] {
        let run = try CommandLineRun.program(
            URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "--"] + files.map { folder + "/" + $0 })
        try #require(run.exitCode == 0, "sha256sum failed: \(run.stderr)")
        return parse(run.stdout.replacingOccurrences(of: folder + "/", with: ""))
    }

    @Test(
        "every migration file (0001_histology_vocabulary.sql ... 0019) has its line in SHA256SUMS and still hashes to it"
    )
    func filesMatchManifest() throws {
        let folder = TestDatabase.migrationsDirectory
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        let recorded = Self.parse(try String(contentsOfFile: folder + "/SHA256SUMS", encoding: .utf8))
        let actual = try Self.sha256sums(of: files, in: folder)
        for file in files {
            let line = recorded[file]
            #expect(
                line != nil,
                "\(file) has no line in Migrations/SHA256SUMS: add it with `sha256sum \(file) >> SHA256SUMS`")
            if let line {
                #expect(
                    actual[file] == line,
                    "\(file) was edited after it was committed: restore it and add a new migration instead")
            }
        }
        for file in recorded.keys.sorted() where !files.contains(file) {
            Issue.record(
                "\(file) is in Migrations/SHA256SUMS but not in the folder: a committed migration was deleted or renamed"
            )
        }
    }

    @Test("the manifest check catches a changed file: one byte added to a copy of 0019 no longer hashes to its line")
    func changedCopyDetected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = "0019_registry_ids_past_9999.sql"
        let original = try String(contentsOfFile: TestDatabase.migrationsDirectory + "/" + name, encoding: .utf8)
        try (original + " ").write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        let recorded = Self.parse(
            try String(contentsOfFile: TestDatabase.migrationsDirectory + "/SHA256SUMS", encoding: .utf8))
        #expect(try Self.sha256sums(of: [name], in: folder)[name] != recorded[name])
    }
}
