import Foundation
import PostgresClient
import Testing
import TestSupport

/// A registry with sites MUC and BER, the given source sites mapped to them with `sarcreg sync map-site`,
/// and an empty inbox in a temp folder, for running `Scripts/nightly-sync` as cron would.
final class NightlyInbox {
    let database: TestDatabase
    let inbox: String
    private let scratch: String

    static let script = TestDatabase.repositoryRoot + "/Scripts/nightly-sync"
    static let fixtures = TestDatabase.repositoryRoot + "/Tests/RegistrySyncTests/Fixtures"
    typealias Mapping = (source: String, sourceSite: String, site: String)
    static let standardMappings: [Mapping] = [
        ("site-a", "701", "MUC"), ("site-a", "702", "BER"), ("site-r", "daga", "MUC"), ("site-r", "dagb", "BER"),
    ]

    init(mappings: [Mapping] = standardMappings) throws {
        database = try TestDatabase.make()
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nightly-\(UUID())").path
        inbox = scratch + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        var setup = [
            ["site", "add", "--code", "MUC", "--name", "Munich"], ["site", "add", "--code", "BER", "--name", "Berlin"],
        ]
        setup += mappings.map {
            ["sync", "map-site", "--source", $0.source, "--source-site", $0.sourceSite, "--site", $0.site]
        }
        for command in setup {
            let run = try CommandLineRun.sarcreg(command + ["--database", database.connectionString])
            try #require(run.exitCode == 0, "\(command): \(run.stderr)")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    /// Copies fixture files into INBOX/<night>, renaming them as `files` says (fixture name to inbox name).
    @discardableResult
    func arrive(_ night: String, from fixture: String, files: [String: String]) throws -> String {
        let folder = inbox + "/" + night
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, arrivedAs) in files {
            try FileManager.default.copyItem(
                atPath: Self.fixtures + "/\(fixture)/" + name, toPath: folder + "/" + arrivedAs)
        }
        return folder
    }

    /// The seven SDTM files of the clean fixture as INBOX/<night>.
    @discardableResult
    func arriveSDTM(_ night: String) throws -> String {
        let names = ["dm.csv", "suppex.csv", "ex.csv", "ae.csv", "tu.csv", "tr.csv", "rs.csv"]
        return try arrive(night, from: "clean", files: Dictionary(uniqueKeysWithValues: names.map { ($0, $0) }))
    }

    /// The REDCap fixture's night1.csv and dictionary.csv as INBOX/<night>, named as REDCap names its downloads.
    @discardableResult
    func arriveREDCap(_ night: String) throws -> String {
        try arrive(
            night, from: "redcap",
            files: [
                "night1.csv": "SarcomaRegistry_DATA_2026-11-27_0100.csv",
                "dictionary.csv": "SarcomaRegistry_DataDictionary_2026-11-27.csv",
            ])
    }

    /// Runs the script on the inbox with stdout and stderr in files (not a terminal, as under cron).
    func run(
        database url: String? = nil, sarcreg: String = CommandLineRun.executable.path, _ extra: [String] = []
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.script)
        process.arguments = [inbox, "--sarcreg", sarcreg, "--database", url ?? database.connectionString] + extra
        let out = scratch + "/stdout-\(UUID())", err = scratch + "/stderr-\(UUID())"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus, try String(contentsOfFile: out, encoding: .utf8),
            try String(contentsOfFile: err, encoding: .utf8)
        )
    }

    /// The day the script names its reports folder by: today in UTC.
    static var runDay: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    func files(in relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: inbox + "/" + relative)) ?? []).sorted()
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: inbox + "/" + relative)
    }

    var log: String {
        get throws { try String(contentsOfFile: inbox + "/nightly-sync.log", encoding: .utf8) }
    }

    func count(_ sql: String) throws -> Int {
        try database.connect().query(Query(unsafeSQL: "SELECT count(*) AS n FROM \(sql)"))[0].decode(Int.self, "n")
    }

    /// A connection string that no server answers, with a password that must never reach the output.
    static let unreachable = "postgresql://registrar:hunter2@127.0.0.1:1/sarcreg?connect_timeout=2"
}

@Suite("Scripts/nightly-sync: SDTM and REDCap nights filed, set-up faults kept in the inbox", .serialized)
struct NightlySyncScriptTests {
    static let sdtmFiles = ["ae.csv", "dm.csv", "ex.csv", "rs.csv", "suppex.csv", "tr.csv", "tu.csv"]

    @Test(
        "an SDTM night (site-a/2026-11-27, seven domain files) and a REDCap night (site-r/2026-11-27, record export + *_DataDictionary_*) are imported as sdtm and redcap and moved to processed/"
    )
    func sdtmAndREDCapNights() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveSDTM("site-a/2026-11-27")
        try fixture.arriveREDCap("site-r/2026-11-27")
        let run = try fixture.run()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(fixture.files(in: "processed/site-a/2026-11-27") == Self.sdtmFiles)
        #expect(
            fixture.files(in: "processed/site-r/2026-11-27") == [
                "SarcomaRegistry_DATA_2026-11-27_0100.csv", "SarcomaRegistry_DataDictionary_2026-11-27.csv",
            ])
        #expect(fixture.files(in: "site-a").isEmpty && fixture.files(in: "site-r").isEmpty)
        #expect(!fixture.exists("failed"))
        #expect(
            try fixture.count("sync_runs WHERE source = 'site-a' AND format = 'sdtm' AND status = 'succeeded'") == 1)
        #expect(
            try fixture.count("sync_runs WHERE source = 'site-r' AND format = 'redcap' AND status = 'succeeded'") == 1)
        #expect(try fixture.count("sync_quarantine") == 0)
        // The REDCap fixture holds two records, the SDTM fixture three subjects.
        #expect(try fixture.count("patients") == 5)
        let lines = run.stdout.split(separator: "\n")
        try #require(lines.count == 6, "\(run.stdout)")
        #expect(
            lines[0].hasSuffix(
                "site-a/2026-11-27: Run 1 of site-a: 45 inserted, 0 updated, 0 unchanged, 0 quarantined, 0 skipped"))
        #expect(
            lines[1].hasSuffix(
                "site-r/2026-11-27: Run 2 of site-r: 14 inserted, 0 updated, 0 unchanged, 0 quarantined, 0 skipped"))
        #expect(
            lines[2].contains("Alerts refreshed: ") && lines[2].contains("against 11 open target(s) (11 new, 0 closed)")
        )
        #expect(lines[3].hasSuffix("Discrepancy queries: 1 opened, 0 reopened, 0 closed, 0 unchanged."))
        #expect(lines[4].hasSuffix("site reports: 2 written to \(fixture.inbox)/reports/\(NightlyInbox.runDay)"))
        #expect(lines[5].hasSuffix("nightly sync done: 2 export(s), 0 failure(s)"))
    }

    @Test(
        "a night that arrives twice is kept as site-a/2026-11-27-2, not merged into the first; a name taken under failed/ counts as taken"
    )
    func duplicateNight() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveSDTM("site-a/2026-11-27")
        #expect(try fixture.run().status == 0)
        // The second arrival carries only dm.csv and a note, so a merge would show in either folder.
        let again = try fixture.arrive("site-a/2026-11-27", from: "clean", files: ["dm.csv": "dm.csv"])
        try "resent by the site".write(toFile: again + "/note.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(
            atPath: fixture.inbox + "/failed/site-a/2026-11-28", withIntermediateDirectories: true)
        try fixture.arriveSDTM("site-a/2026-11-28")
        let second = try fixture.run()
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(fixture.files(in: "processed/site-a/2026-11-27") == Self.sdtmFiles)
        #expect(fixture.files(in: "processed/site-a/2026-11-27-2") == ["dm.csv", "note.txt"])
        #expect(fixture.files(in: "processed/site-a/2026-11-28-2") == Self.sdtmFiles)
        #expect(fixture.files(in: "failed/site-a/2026-11-28").isEmpty)
        #expect(!fixture.exists("processed/site-a/2026-11-28"))
        #expect(
            second.stdout.contains(
                "site-a/2026-11-27: Run 2 of site-a: nothing changed: every row is unchanged; kept as processed/site-a/2026-11-27-2"
            ))
    }

    @Test(
        "no sarcreg at --sarcreg /nonexistent/sarcreg: exit 69, site-a/2026-11-27 stays in the inbox and nothing is filed"
    )
    func sarcregMissing() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveSDTM("site-a/2026-11-27")
        let run = try fixture.run(sarcreg: "/nonexistent/sarcreg")
        #expect(run.status == 69)
        #expect(fixture.files(in: "site-a/2026-11-27") == Self.sdtmFiles)
        #expect(!fixture.exists("processed") && !fixture.exists("failed"))
        #expect(try fixture.log.contains("set-up fault: no sarcreg executable '/nonexistent/sarcreg'"))
    }

    @Test(
        "a database that does not answer (127.0.0.1:1): exit 69, site-a/2026-11-27 stays in the inbox, the log masks the password"
    )
    func databaseUnreachable() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveSDTM("site-a/2026-11-27")
        let run = try fixture.run(database: NightlyInbox.unreachable)
        #expect(run.status == 69)
        #expect(fixture.files(in: "site-a/2026-11-27") == Self.sdtmFiles)
        #expect(!fixture.exists("processed") && !fixture.exists("failed"))
        let log = try fixture.log
        #expect(
            log.contains(
                "set-up fault: the database does not answer: Error: cannot connect to postgresql://registrar:***@127.0.0.1:1/sarcreg"
            ))
        #expect(!log.contains("hunter2") && !run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"))
    }

    @Test(
        "a malformed --database (%zz in the password, an unclosed [, a / in the password): exit 69, and neither half of the password is in the 0600 log, stdout or stderr",
        arguments: [
            "postgresql://registrar:hunter%zzsecond@127.0.0.1:1/sarcreg",
            "postgresql://registrar:huntersecond@[::1:1/sarcreg",
            "postgresql://registrar:hunter/second@127.0.0.1:1/sarcreg",
        ])
    func malformedDatabaseURL(url: String) throws {
        let fixture = try NightlyInbox()
        try fixture.arriveSDTM("site-a/2026-11-27")
        let run = try fixture.run(database: url)
        #expect(run.status == 69)
        let log = try fixture.log
        #expect(
            log.contains(
                "set-up fault: the database does not answer: Error: cannot connect to postgresql://registrar:***@"),
            "\(log)")
        for half in ["hunter", "second"] {
            #expect(!log.contains(half) && !run.stdout.contains(half) && !run.stderr.contains(half), "\(half): \(log)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.inbox + "/nightly-sync.log")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test(
        "the server gone after the set-up check (the import cannot connect): exit 69, site-a/2026-11-27 stays in the inbox, not in failed/"
    )
    func connectionLostDuringImport() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveSDTM("site-a/2026-11-27")
        // A sarcreg whose first call (the set-up check) reaches the database and whose later calls find it gone.
        let wrapper = fixture.inbox + "/../sarcreg-server-goes-away"
        let marker = fixture.inbox + "/../checked"
        try """
        #!/bin/sh
        if [ -e '\(marker)' ]; then DATABASE_URL='\(NightlyInbox.unreachable)'; export DATABASE_URL; fi
        touch '\(marker)'
        exec '\(CommandLineRun.executable.path)' "$@"
        """.write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let run = try fixture.run(sarcreg: wrapper)
        #expect(run.status == 69, "\(run.stdout)\(run.stderr)")
        #expect(fixture.files(in: "site-a/2026-11-27") == Self.sdtmFiles)
        #expect(!fixture.exists("processed") && !fixture.exists("failed"))
        #expect(
            run.stdout.contains(
                "site-a/2026-11-27: set-up fault, left in the inbox: sarcreg exited 69: Error: cannot connect to"))
        #expect(try fixture.count("sync_runs") == 0)
    }

    @Test(
        "an export sarcreg refuses (dm.csv without a USUBJID column) while the database answers goes to failed/ with sarcreg's message, exit 1"
    )
    func refusedExport() throws {
        let fixture = try NightlyInbox()
        let folder = try fixture.arrive("site-a/2026-11-27", from: "clean", files: ["dm.csv": "dm.csv"])
        let dm = try String(contentsOfFile: folder + "/dm.csv", encoding: .utf8)
        try dm.replacingOccurrences(of: ",USUBJID,", with: ",SUBJECT,").write(
            toFile: folder + "/dm.csv", atomically: true, encoding: .utf8)
        let run = try fixture.run()
        #expect(run.status == 1)
        #expect(fixture.files(in: "failed/site-a/2026-11-27") == ["dm.csv"])
        #expect(
            run.stdout.contains(
                "site-a/2026-11-27: failed with exit status 1: Error: dm.csv lacks the required column USUBJID in its header"
            ))
        #expect(try fixture.log.contains("Error: dm.csv lacks the required column USUBJID"))
    }

    @Test(
        "a night of 13 TR rows whose subjects have no DM record (source site-a) quarantines all 13 and goes to failed/, exit 1"
    )
    func allRowsQuarantined() throws {
        let fixture = try NightlyInbox()
        try fixture.arrive("site-a/2026-11-27", from: "clean", files: ["tr.csv": "tr.csv"])
        let run = try fixture.run()
        #expect(run.status == 1)
        #expect(fixture.files(in: "failed/site-a/2026-11-27") == ["tr.csv"])
        #expect(!fixture.exists("processed"))
        #expect(try fixture.count("sync_quarantine") == 13)
        #expect(
            run.stdout.contains("site-a/2026-11-27: failed: all 13 rows quarantined (see `sarcreg sync rejects 1`)"))
        #expect(run.stdout.contains("nightly sync done: 1 export(s), 1 failure(s)"))
    }

    @Test("site 702 of site-a unmapped: the night goes to failed/ naming the site, though site 701's rows are applied")
    func unmappedSourceSite() throws {
        let fixture = try NightlyInbox(mappings: [("site-a", "701", "MUC")])
        try fixture.arriveSDTM("site-a/2026-11-27")
        let run = try fixture.run()
        #expect(run.status == 1)
        #expect(fixture.files(in: "failed/site-a/2026-11-27") == Self.sdtmFiles)
        #expect(!fixture.exists("processed"))
        #expect(run.stdout.contains("site-a/2026-11-27: failed: site 702 of source site-a is not mapped"))
        #expect(try fixture.count("patients") == 2)
    }

    @Test(
        "a REDCap night from source site-x, which has no site mapped, goes to failed/ naming its data access groups daga and dagb"
    )
    func unmappedSource() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveREDCap("site-x/2026-11-27")
        let run = try fixture.run()
        #expect(run.status == 1)
        #expect(fixture.files(in: "failed/site-x/2026-11-27").count == 2)
        #expect(
            run.stdout.contains(
                "site-x/2026-11-27: failed: data access group daga of source site-x is not mapped; data access group dagb of source site-x is not mapped"
            ))
        #expect(try fixture.count("patients") == 0)
    }

    @Test(
        "a folder with two data dictionaries and one record export is neither SDTM nor REDCap: failed/, both dictionaries named, nothing imported"
    )
    func ambiguousFolder() throws {
        let fixture = try NightlyInbox()
        try fixture.arrive(
            "site-r/2026-11-27", from: "redcap",
            files: [
                "night1.csv": "records.csv", "dictionary.csv": "dictionary.csv",
                "dictionary-identifier.csv": "Old_DataDictionary_2026-11-01.csv",
            ])
        let run = try fixture.run()
        #expect(run.status == 1)
        #expect(fixture.files(in: "failed/site-r/2026-11-27").count == 3)
        #expect(run.stdout.contains("site-r/2026-11-27: not imported: the folder is neither SDTM nor REDCap"))
        #expect(run.stdout.contains("Old_DataDictionary_2026-11-01.csv") && run.stdout.contains("dictionary.csv"))
        #expect(try fixture.count("sync_runs") == 0)
    }

    @Test(
        "the log is mode 0600, also when it existed as 0644, and holds no password of --database, on success and on failure"
    )
    func logModeAndPassword() throws {
        let fixture = try NightlyInbox()
        let logPath = fixture.inbox + "/nightly-sync.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil, attributes: [.posixPermissions: 0o644])
        try fixture.arriveSDTM("site-a/2026-11-27")
        try fixture.arrive("site-a/2026-11-28", from: "clean", files: ["tr.csv": "tr.csv", "tu.csv": "tu.csv"])
        // The test cluster trusts local logins, so a password in the connection string is carried, never checked.
        let withPassword = fixture.database.connectionString + " password='s3cret-nightly'"
        let run = try fixture.run(database: withPassword)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try fixture.run(database: NightlyInbox.unreachable).status == 69)
        let attributes = try FileManager.default.attributesOfItem(atPath: logPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let log = try fixture.log
        #expect(log.contains("nightly sync done: 2 export(s), 0 failure(s)"))
        #expect(log.contains("registrar:***@"))
        #expect(!log.contains("s3cret-nightly") && !log.contains("hunter2"))
    }

    @Test(
        "after the imports the alerts are refreshed and each site's worklist and alerts go to reports/<day>/MUC.txt and BER.txt (mode 0600); --reports puts them elsewhere; a second run replaces the day's report"
    )
    func siteReports() throws {
        let fixture = try NightlyInbox()
        try fixture.arriveREDCap("site-r/2026-11-27")
        let run = try fixture.run()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let folder = "reports/\(NightlyInbox.runDay)"
        #expect(fixture.files(in: folder) == ["BER.txt", "MUC.txt"])
        let muc = try String(contentsOfFile: fixture.inbox + "/" + folder + "/MUC.txt", encoding: .utf8)
        #expect(muc.contains("Worklist of site MUC on "))
        #expect(muc.contains("alert") && muc.contains("registry id") && muc.contains("criterion"))
        let mode =
            try FileManager.default.attributesOfItem(atPath: fixture.inbox + "/" + folder + "/MUC.txt")[
                .posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!muc.contains("BER-"))
        #expect(try fixture.count("eligibility_refresh_queue") == 0)

        let elsewhere = fixture.inbox + "/../morning"
        let again = try fixture.run(["--reports", elsewhere])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(
            ((try? FileManager.default.contentsOfDirectory(atPath: elsewhere + "/" + NightlyInbox.runDay)) ?? [])
                .sorted() == ["BER.txt", "MUC.txt"])
        #expect(again.stdout.contains("Alerts refreshed: 0 queued change(s)"))
    }

    @Test("--help prints the usage with the SDTM/REDCap rule and exits 0; an unknown option exits 64")
    func help() throws {
        let fixture = try NightlyInbox(mappings: [])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NightlyInbox.script)
        process.arguments = ["--help"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("usage: nightly-sync INBOX [--sarcreg PATH] [--database URL] [--log FILE]"))
        #expect(text.contains("*_DataDictionary_*.csv") && text.contains("dm.csv, suppex.csv"))
        #expect(try fixture.run(["--colour"]).status == 64)
    }
}
