import Foundation
import RegistryDomain
import RegistryServices
import Testing

/// The services, the sync and the schema speak the registry's words: a message names a ``Field`` or a
/// ``NextStep`` and the command line words it as a flag or a command. A flag or a `sarcreg` command in their
/// text would make a second front end (a web page, a scheduled job) pretend to be the command line, and a
/// quarantine reason or a RAISE message would keep that text in the database.
@Suite("The services, the sync and the migrations name no command-line flag and no sarcreg command")
struct FrontEndWordingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The arguments the backup passes to `pg_dump` and `pg_restore`: another program's flags, not the registry's.
    static let externalProgramFlags: Set = [
        "--format=", "--file=", "--snapshot=", "--exit-on-error", "--single-transaction", "--dbname=",
    ]

    /// What a line of text shows a front end of its own: a flag such as `--site` or a command such as `sarcreg site list`.
    static func frontEndWords(in text: String) -> [String] {
        var found = text.matches(of: /--[a-z][a-z0-9-]*=?/).map { String($0.output) }
            .filter { !externalProgramFlags.contains($0) }
        found += text.matches(of: /sarcreg [a-z][a-z-]*/).map { String($0.output) }
        return found
    }

    /// Each line of Swift code of a target, without its comments (a doc comment may say which command calls a
    /// function); SQL comments inside a query (`-- why`) have a space after the dashes and are not flags.
    static func swiftCode(of target: String) throws -> [(file: String, line: Int, text: String)] {
        let folder = root.appendingPathComponent("Sources/\(target)")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
            .sorted()
            .flatMap { file in
                try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                    .split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                    .filter { !$0.element.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
                    .map { (file: "\(target)/\(file)", line: $0.offset + 1, text: String($0.element)) }
            }
    }

    /// The single-quoted literals of a migration: the text it stores or raises. SQL comments are left out,
    /// so a comment may name the command that uses a table.
    static func sqlLiterals(_ sql: String) -> [String] {
        var literals: [String] = []
        var current: String?
        var previous: Character = "\n"
        var inComment = false
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
            } else if var literal = current {
                if character == "'" {
                    literals.append(literal)
                    current = nil
                } else {
                    literal.append(character)
                    current = literal
                }
            } else if character == "'" {
                current = ""
            } else if character == "-" && previous == "-" {
                inComment = true
            }
            previous = inComment ? "\n" : character
        }
        return literals
    }

    @Test(
        "the check finds --site and `sarcreg site list` in a message, and no flag in an SQL comment '-- why' or a pg_dump argument"
    )
    func checkFindsFrontEndWords() {
        #expect(
            Self.frontEndWords(in: #""unknown site; list sites with `sarcreg site list` or pass --site""#) == [
                "--site", "sarcreg site",
            ])
        #expect(Self.frontEndWords(in: "    -- why the join is lateral") == [])
        #expect(
            Self.frontEndWords(in: #"try run("pg_restore", ["--exit-on-error", "--single-transaction", file])"#) == [])
        #expect(
            Self.sqlLiterals("RAISE EXCEPTION 'pass --site'; -- 'sarcreg site list' in a comment\nSELECT 'ok'") == [
                "pass --site", "ok",
            ])
    }

    @Test(
        "no --flag and no sarcreg command in the code of RegistryServices and RegistrySync (their messages name a Field or a NextStep)"
    )
    func servicesAndSyncNameNoFlag() throws {
        let lines = try Self.swiftCode(of: "RegistryServices") + Self.swiftCode(of: "RegistrySync")
        #expect(lines.count > 10_000)
        let offending = lines.compactMap { line -> String? in
            let words = Self.frontEndWords(in: line.text)
            return words.isEmpty ? nil : "\(line.file):\(line.line): \(words.joined(separator: ", "))"
        }
        #expect(offending == [])
    }

    @Test(
        "no --flag and no sarcreg command in the text the migrations store or raise (SQL comments may name a command)")
    func migrationsStoreNoFlag() throws {
        let folder = Self.root.appendingPathComponent("Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(files.count > 20)
        let offending = try files.flatMap { file in
            Self.sqlLiterals(try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
                .filter { !Self.frontEndWords(in: $0).isEmpty }.map { "\(file): '\($0)'" }
        }
        #expect(offending == [])
    }

    @Test(
        "a refusal names the field in the registry's words, and a front end words it its own way: diagnosis date, or --diagnosed"
    )
    func wordingNamesTheField() throws {
        let error = RegistryError.input(
            .inFuture(
                field: .diagnosisDate, value: try CalendarDate(iso: "2027-01-01"),
                today: try CalendarDate(iso: "2026-11-27")))
        #expect(error.description == "diagnosis date 2027-01-01 is in the future (today is 2026-11-27)")
        let flags = Wording(field: { $0 == .diagnosisDate ? "--diagnosed" : $0.description }, step: \.plainWords)
        #expect(error.message(flags) == "--diagnosed 2027-01-01 is in the future (today is 2026-11-27)")
    }
}
