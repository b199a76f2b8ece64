import Foundation
import PostgresClient
import RegistryDomain
import TestSupport
import Testing

extension SplitMix64 {
    /// The registry's seeded generator, so a failing variant is reproduced by its number alone; a bound of
    /// 0 or 1 (a one-byte file, a one-column row) gives 0 rather than trapping.
    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : draw(below: bound) }
}

/// The ways a site's export goes wrong, applied to a clean export file.
enum Malformation: Int, CaseIterable {
    case truncated, latin1, utf16, hugeField, injection, extraColumns, missingColumns, binaryGarbage, empty, headerOnly,
        oddBOM, unterminatedQuote, strayLineEndings, renamedHeader, absurdValues

    /// The n-th malformed variant of `clean`, a CSV file in UTF-8 with a header line.
    static func variant(_ n: Int, of clean: Data) -> (malformation: Malformation, data: Data) {
        var random = SplitMix64(seed: UInt64(n) + 1)
        let malformation = allCases[n % allCases.count]
        // Split on Characters that are line breaks: a CRLF is one Character, which components(separatedBy: "\n") never splits.
        var lines = String(decoding: clean, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0]
        let row = lines.count > 1 ? 1 + random.below(lines.count - 1) : 0
        var fields = lines[row].components(separatedBy: ",")
        let column = random.below(fields.count)
        func replacingField(_ value: String) -> Data {
            fields[column] = value
            lines[row] = fields.joined(separator: ",")
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        }
        let data: Data
        switch malformation {
        case .truncated:
            data = clean.prefix(1 + random.below(clean.count - 1))
        case .latin1:
            // "Müller, Sébastien" as ISO-8859-1: bytes that are not UTF-8.
            data = replacingField("M\u{FC}ller S\u{E9}bastien").replacingUTF8(of: "\u{FC}", with: [0xFC]).replacingUTF8(
                of: "\u{E9}", with: [0xE9])
        case .utf16:
            data = Data([0xFF, 0xFE]) + String(decoding: clean, as: UTF8.self).data(using: .utf16LittleEndian)!
        case .hugeField:
            data = replacingField(String(repeating: "X", count: 1_000_000 + random.below(3_000_000)))
        case .injection:
            let attacks = [
                "'); DROP TABLE patients; --", "\\.", "\"\",\"\"\\N", "$$; DELETE FROM sync_records; $$",
                "=cmd|'/C calc'!A0",
                "\u{0}", "1; COPY patients TO PROGRAM 'id'", "{\"$where\": \"1\"}",
            ]
            data = replacingField(attacks[random.below(attacks.count)])
        case .extraColumns:
            data = replacingField(fields[column] + ",surplus,\"more, quoted\"")
        case .missingColumns:
            fields = Array(fields.prefix(max(1, column)))
            lines[row] = fields.joined(separator: ",")
            data = Data((lines.joined(separator: "\n") + "\n").utf8)
        case .binaryGarbage:
            data = Data((0..<(64 + random.below(8_192))).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case .empty:
            data = Data()
        case .headerOnly:
            data = Data((header + "\n").utf8)
        case .oddBOM:
            let bom = "\u{FEFF}"
            data =
                random.below(2) == 0
                ? Data((bom + bom + lines.joined(separator: "\n")).utf8) : replacingField(bom + fields[column] + bom)
        case .unterminatedQuote:
            data = replacingField("\"" + fields[column] + " never closed")
        case .strayLineEndings:
            data = Data(
                lines.enumerated().map { $0.element + (["\r\n", "\r", "\n\n", "\r\r\n"][($0.offset + n) % 4]) }.joined()
                    .utf8)
        case .renamedHeader:
            var names = header.components(separatedBy: ",")
            let renamed = random.below(names.count)
            names[renamed] = names[renamed].lowercased() + "_X"
            lines[0] = names.joined(separator: ",")
            data = Data(lines.joined(separator: "\n").utf8)
        case .absurdValues:
            let absurd = ["9999-99-99", "-1e308", "NaN", "2014-02-30", "99999999999999999999", "-0", "１２", " "]
            data = replacingField(absurd[random.below(absurd.count)])
        }
        return (malformation, data)
    }
}

extension Data {
    /// The bytes with every UTF-8 encoding of `character` replaced by `bytes`.
    fileprivate func replacingUTF8(of character: String, with bytes: [UInt8]) -> Data {
        let pattern = Data(character.utf8)
        var result = Data()
        var index = startIndex
        while index < endIndex {
            if self[index...].starts(with: pattern) {
                result.append(contentsOf: bytes)
                index += pattern.count
            } else {
                result.append(self[index])
                index += 1
            }
        }
        return result
    }
}

@Suite("malformed import files")
struct MalformedImportTests {
    static let fixtures = TestDatabase.repositoryRoot + "/Tests/RegistrySyncTests/Fixtures"
    static let sdtmFiles = ["dm.csv", "ex.csv", "suppex.csv", "ae.csv", "tu.csv", "tr.csv", "rs.csv"]
    static let sdtmVariants = 140
    static let redcapVariants = 60

    /// What an import may change: the clinical tables and the sync's records.
    static func registryCounts(_ fixture: ReliabilityFixture) throws -> [Int] {
        try (clinicalTables + ["sync_records", "sync_record_renames"]).map {
            try fixture.count("SELECT count(*) AS n FROM \($0)")
        }
    }

    /// Checks one import's outcome and returns the rows it quarantined (0 when it was refused).
    static func check(
        _ run: CommandLineRun, _ label: String, fixture: ReliabilityFixture, before: [Int]
    ) throws -> Int {
        let last = try fixture.owner.query(
            "SELECT run_id, status, coalesce(error, '') AS error FROM sync_runs ORDER BY run_id DESC LIMIT 1")
        let runID = try last.first.map { try $0.decode(Int.self, "run_id") }
        let status = try last.first.map { try $0.decode(String.self, "status") }
        switch run.exitCode {
        case 0:
            let runID = try #require(runID, "\(label): accepted but no run logged")
            #expect(status == "succeeded", "\(label)")
            let unreconciled = try fixture.count(
                "SELECT count(*) AS n FROM sync_run_files WHERE run_id = \(runID) AND rows_read <> inserted + updated + unchanged + quarantined"
            )
            #expect(unreconciled == 0, "\(label): rows read differ from inserted + updated + unchanged + quarantined")
            let quarantined = try fixture.count(
                "SELECT coalesce(sum(quarantined), 0)::bigint AS n FROM sync_run_files WHERE run_id = \(runID)")
            let withReason = try fixture.count(
                "SELECT count(DISTINCT (file_name, line_number)) AS n FROM sync_quarantine WHERE run_id = \(runID) AND btrim(reason) <> ''"
            )
            #expect(withReason == quarantined, "\(label): every quarantined row has its reason")
            return quarantined
        case 1:
            let lines = run.stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            #expect(
                (1...2).contains(lines.count) && run.stderr.utf8.count < 1_000,
                "\(label): refused with a short message, not: \(run.stderr.prefix(600))")
            #expect(!run.stderr.contains("Fatal error"), "\(label)")
            #expect(try registryCounts(fixture) == before, "\(label): refused, yet the registry changed")
            // A refusal the import reached is logged; one refused before it (no file to read) leaves no run.
            if status == "failed" {
                #expect(try !last[0].decode(String.self, "error").isEmpty, "\(label): a failed run logs its reason")
            }
            return 0
        default:
            Issue.record("\(label): exit status \(run.exitCode), expected 0 or 1: \(run.stderr.prefix(600))")
            return 0
        }
    }

    @Test(
        "200 malformed SDTM and REDCap files (truncated, Latin-1, UTF-16, MB fields, injection, wrong column counts, garbage, empty, header-only, odd BOMs) never crash the CLI: each is refused with a short reason and nothing written, or imported with its bad rows quarantined and every row accounted for"
    )
    func malformedFiles() throws {
        let fixture = try ReliabilityFixture(sites: ["MUC", "BER"])
        let url = fixture.database.connectionString
        for (source, sourceSite, site) in [
            ("site-a", "701", "MUC"), ("site-a", "702", "BER"), ("site-r", "daga", "MUC"), ("site-r", "dagb", "BER"),
        ] {
            let mapped = try CommandLineRun.sarcreg([
                "sync", "map-site", "--source", source, "--source-site", sourceSite, "--site", site, "--database", url,
            ])
            try #require(mapped.exitCode == 0, "\(mapped.stderr)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("malformed-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var tried = 0, refused = 0, quarantined = 0

        let clean = try Dictionary(
            uniqueKeysWithValues: Self.sdtmFiles.map {
                ($0, try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/clean/" + $0)))
            })
        for n in 0..<Self.sdtmVariants {
            let folder = root + "/sdtm-\(n)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let target = Self.sdtmFiles[(n / Malformation.allCases.count) % Self.sdtmFiles.count]
            let (malformation, bytes) = Malformation.variant(n, of: clean[target]!)
            for file in Self.sdtmFiles {
                try (file == target ? bytes : clean[file]!).write(to: URL(fileURLWithPath: folder + "/" + file))
            }
            let before = try Self.registryCounts(fixture)
            let run = try CommandLineRun.sarcreg(["sync", "import", folder, "--source", "site-a", "--database", url])
            tried += 1
            let rows = try Self.check(
                run, "SDTM variant \(n) (\(malformation) \(target))", fixture: fixture, before: before)
            quarantined += rows
            if run.exitCode == 1 { refused += 1 }
            try FileManager.default.removeItem(atPath: folder)
        }

        let dictionary = Self.fixtures + "/redcap/dictionary.csv"
        let export = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/redcap/night1.csv"))
        for n in 0..<Self.redcapVariants {
            let (malformation, bytes) = Malformation.variant(n, of: export)
            let file = root + "/redcap-\(n).csv"
            try bytes.write(to: URL(fileURLWithPath: file))
            let before = try Self.registryCounts(fixture)
            let run = try CommandLineRun.sarcreg(
                [
                    "sync", "import", file, "--format", "redcap", "--dictionary", dictionary, "--source", "site-r",
                    "--database", url,
                ])
            tried += 1
            let rows = try Self.check(run, "REDCap variant \(n) (\(malformation))", fixture: fixture, before: before)
            quarantined += rows
            if run.exitCode == 1 { refused += 1 }
            try FileManager.default.removeItem(atPath: file)
        }

        #expect(tried == Self.sdtmVariants + Self.redcapVariants)
        // Both outcomes occur: a suite where every file was refused (or every file accepted) tests one path only.
        #expect(refused > 0 && refused < tried, "\(refused) of \(tried) refused")
        #expect(quarantined > 0)
        #expect(
            try fixture.count("SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('patients', 'sync_records')")
                == 2)
        try AuditCompletenessTests.expectImportsCountedPerRun(fixture, "malformed imports")
        ReliabilityFigure.filesTried.report(tried)
        ReliabilityFigure.rowsQuarantined.report(quarantined)
    }
}
