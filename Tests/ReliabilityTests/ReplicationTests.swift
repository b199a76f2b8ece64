import Foundation
import PostgresClient
import TestSupport
import Testing

extension ThrowawayCluster {
    /// The folder of the server's Unix socket, as pg-local.sh makes it for a short cluster folder.
    var socketFolder: String { directory + "/socket" }

    /// Runs a PostgreSQL program as the user the server runs as (`postgres` when the tests run as root).
    @discardableResult
    static func runAsServerUser(_ arguments: [String]) throws -> String {
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        let result = try run(command, environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else {
            throw ClusterFailure(command: arguments.joined(separator: " "), output: result.output)
        }
        return result.output
    }

    /// Makes this cluster a streaming hot standby of `primary` (`pg_basebackup -R`: a copy of its files and the
    /// `primary_conninfo` to follow it) and starts it; returns its DATABASE_URL.
    func startAsStandby(of primary: ThrowawayCluster) throws -> String {
        try Self.runAsServerUser(["/bin/mkdir", "-p", directory])
        try Self.runAsServerUser([
            Self.serverBinaries + "/pg_basebackup", "-D", directory + "/data", "-R", "-X", "stream", "-c", "fast",
            "-h", primary.socketFolder, "-p", String(primary.port), "-U", "postgres",
        ])
        return try start()
    }

    /// `pg_ctl promote -w`: the standby ends recovery and takes writes.
    func promote() throws {
        try Self.runAsServerUser([Self.serverBinaries + "/pg_ctl", "-D", directory + "/data", "-w", "promote"])
    }

    /// A libpq URL naming several clusters' sockets, in order, with the given query parameters.
    static func multiHostURL(_ clusters: [ThrowawayCluster], _ parameters: String) -> String {
        let hosts = clusters.map { cluster in
            cluster.socketFolder.replacingOccurrences(of: "/", with: "%2F") + ":" + String(cluster.port)
        }
        return "postgresql://postgres@" + hosts.joined(separator: ",") + "/postgres?" + parameters
    }
}

/// The figures of the operations tests, one line each (`operations-figure NAME=VALUE`), collected by Scripts/test.sh.
enum OperationsFigure {
    static func report(_ name: String, _ value: String) {
        print("operations-figure \(name)=\(value)")
    }
}

@Suite("A primary and a streaming hot standby on loopback: reads on the standby, failover in mid-import")
struct ReplicationTests {
    /// The nightly exports: the first night's subjects again with as many new ones on the second night
    /// (generate-sdtm.py writes the same rows for the same subject numbers).
    static let firstNightTRRows = 10_000
    static let secondNightTRRows = 20_000
    static let sites = ["SA": "701", "SB": "702", "SC": "703", "SD": "704"]

    static func count(_ table: String, _ url: String) throws -> Int {
        try Connection(url).query(Query(unsafeSQL: "SELECT count(*) AS n FROM \(table)"))[0].decode(Int.self, "n")
    }

    @Test(
        "reports, audit, db check and db backup run on the standby (the first two through prefer-standby), a write given the standby alone is refused as a read-only server with exit 1, and an import cut by the primary's stop completes on the promoted standby with every row once and gapless registry ids"
    )
    func failoverInMidImport() throws {
        let tag = UUID().uuidString.prefix(8).lowercased()
        // Commits wait until the standby has applied them (set once the standby runs, or the first commits would
        // wait for a standby not yet there): what the primary acknowledged is on the standby when it stops.
        let primary = ThrowawayCluster(
            directory: "/tmp/sarcreg-primary-" + tag, port: 54_462, options: "-c synchronous_commit=remote_apply")
        let standby = ThrowawayCluster(
            directory: "/tmp/sarcreg-standby-" + tag, port: 54_463, options: "-c log_connections=on")
        defer {
            for cluster in [primary, standby] {
                _ = try? cluster.script("destroy")
                try? FileManager.default.removeItem(atPath: cluster.directory)
            }
        }
        let primaryURL = try primary.start()
        var setup = [["db", "migrate"]]
        for (site, source) in Self.sites.sorted(by: { $0.key < $1.key }) {
            setup.append(["site", "add", "--code", site, "--name", "Site \(site)"])
            setup.append(["sync", "map-site", "--source", "bench", "--source-site", source, "--site", site])
        }
        for command in setup {
            let run = try CommandLineRun.sarcreg(command + ["--database", primaryURL])
            try #require(run.exitCode == 0, "\(command): \(run.stderr)")
        }
        let standbyURL = try standby.startAsStandby(of: primary)
        do {
            let admin = try Connection(primaryURL)
            try admin.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            try admin.execute("SELECT pg_reload_conf()")
            var synchronous = false
            for _ in 0..<500 where !synchronous {
                usleep(20_000)
                synchronous = try !admin.query("SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'").isEmpty
            }
            try #require(synchronous, "the standby never became the primary's synchronous standby")
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("replication-\(tag)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ServerStopTests.generateExport(into: folder + "/night1", trRows: Self.firstNightTRRows)
        try ServerStopTests.generateExport(into: folder + "/night2", trRows: Self.secondNightTRRows)
        let night1 = try CommandLineRun.sarcreg([
            "sync", "import", folder + "/night1", "--source", "bench", "--database", primaryURL,
        ])
        try #require(night1.exitCode == 0, "\(night1.stderr)")

        // Investigators' URL: every host, the standby preferred; the application name marks the sessions in its log.
        let readerURL = ThrowawayCluster.multiHostURL(
            [primary, standby], "target_session_attrs=prefer-standby&application_name=investigator_read")
        let report = try CommandLineRun.sarcreg(["report", "response", "--format", "csv", "--database", readerURL])
        #expect(report.exitCode == 0, "\(report.stderr)")
        #expect(
            report.stdout.contains("population,treated lines,\(Self.firstNightTRRows / 50)"),
            "the standby's report counts the first night: \(report.stdout)")
        let audit = try CommandLineRun.sarcreg(["audit", "SA-0001", "--database", readerURL])
        #expect(audit.exitCode == 0, "\(audit.stderr)")
        let standbyLog = String(
            decoding: FileManager.default.contents(atPath: standby.directory + "/server.log") ?? Data(), as: UTF8.self)
        #expect(
            standbyLog.components(separatedBy: "application_name=investigator_read").count - 1 >= 2,
            "both read commands connected to the standby")

        // The nightly backup and the invariants read only, so they may run on the standby too.
        let standbyCheck = try CommandLineRun.sarcreg(["db", "check", "--database", standbyURL])
        #expect(standbyCheck.exitCode == 0, "db check on the standby: \(standbyCheck.stdout)\(standbyCheck.stderr)")
        let standbyBackup = try CommandLineRun.sarcreg([
            "db", "backup", "--out", folder + "/standby.dump", "--database", standbyURL,
        ])
        #expect(standbyBackup.exitCode == 0, "db backup on the standby: \(standbyBackup.stderr)")

        for write in [
            ["site", "add", "--code", "SE", "--name", "Site E"],
            ["sync", "import", folder + "/night2", "--source", "bench"],
        ] {
            let refused = try CommandLineRun.sarcreg(write + ["--database", standbyURL])
            #expect(refused.exitCode == 1, "\(write): \(refused.stderr)")
            #expect(refused.stderr.contains("read-only server"), "\(write): \(refused.stderr)")
        }

        let rowsBeforeFailover = try Self.count("assessment_results", standbyURL)
        #expect(rowsBeforeFailover == Self.firstNightTRRows)

        let child = Process()
        child.executableURL = CommandLineRun.executable
        child.arguments = ["sync", "import", folder + "/night2", "--source", "bench", "--database", primaryURL]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        try #require(
            try ServerStopTests.waitUntilStreamingTR(child, url: primaryURL),
            "the second night's import never reached tr.csv while running")
        let stopped = Date()
        try primary.stopImmediately()
        child.waitUntilExit()
        #expect(child.terminationStatus == 1, "the cut import fails")

        try standby.promote()
        // The nightly job's URL: every host, whichever takes writes now.
        let writerURL = ThrowawayCluster.multiHostURL([primary, standby], "target_session_attrs=read-write")
        _ = try Connection(writerURL)
        let failoverSeconds = Date().timeIntervalSince(stopped)
        #expect(
            try Self.count("assessment_results", standbyURL) == rowsBeforeFailover,
            "the promoted standby holds the first night, nothing of the cut import")

        let rerun = try CommandLineRun.sarcreg([
            "sync", "import", folder + "/night2", "--source", "bench", "--database", writerURL,
        ])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        let subjects = Self.secondNightTRRows / 50
        let expected = [
            "patients": subjects, "therapy_lines": subjects, "lesions": subjects * 5,
            "assessments": subjects * 10, "assessment_results": Self.secondNightTRRows, "sync_subjects": subjects,
        ]
        for (table, rows) in expected {
            #expect(try Self.count(table, writerURL) == rows, "\(table) on the new primary")
        }
        #expect(try Self.count("sync_quarantine", writerURL) == 0)
        let check = try CommandLineRun.sarcreg(["db", "check", "--database", writerURL])
        #expect(check.exitCode == 0, "db check on the new primary: \(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("ok     registry-ids-gapless"), "\(check.stdout)")
        let rowsAfterFailover = try Self.count("assessment_results", writerURL) - rowsBeforeFailover

        OperationsFigure.report("rows-before-failover", String(rowsBeforeFailover))
        OperationsFigure.report("rows-after-failover", String(rowsAfterFailover))
        OperationsFigure.report("failover-seconds", String(format: "%.2f", failoverSeconds))
    }
}
