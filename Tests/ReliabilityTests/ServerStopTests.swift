import Foundation
import PostgresClient
import TestSupport
import Testing

/// A PostgreSQL cluster of the test's own, started with Scripts/pg-local.sh, so the test can stop it without
/// disturbing the suite's server.
struct ThrowawayCluster {
    let directory: String
    let port: Int
    /// Server settings beyond pg-local.sh's own (`-c name=value ...`); a later setting of the same name wins.
    var options = ""

    static var serverBinaries: String {
        ProcessInfo.processInfo.environment["PG_BINDIR"] ?? "/usr/lib/postgresql/15/bin"
    }

    /// Runs `Scripts/pg-local.sh COMMAND` for this cluster and returns its exit status and output.
    @discardableResult
    func script(_ command: String) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["PGLOCAL_DIR"] = directory
        environment["PGLOCAL_PORT"] = String(port)
        environment["PGLOCAL_OPTIONS"] = options
        return try Self.run([TestDatabase.repositoryRoot + "/Scripts/pg-local.sh", command], environment: environment)
    }

    /// Starts the cluster and returns its DATABASE_URL.
    func start() throws -> String {
        let started = try script("start")
        let line = started.output.split(separator: "\n").first { $0.hasPrefix("DATABASE_URL=") }
        guard started.status == 0, let line else { throw ClusterFailure(command: "start", output: started.output) }
        return String(line.dropFirst("DATABASE_URL=".count))
    }

    /// `pg_ctl stop -m immediate`: the server processes quit at once, as in a power cut, and recover at the next start.
    func stopImmediately() throws {
        let stop = [Self.serverBinaries + "/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"]
        // PostgreSQL refuses to run as root; as root, pg-local.sh runs the server as `postgres`, and so does this.
        let stopped = try Self.run(
            getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + stop : stop,
            environment: ProcessInfo.processInfo.environment)
        guard stopped.status == 0 else {
            throw ClusterFailure(command: "pg_ctl stop -m immediate", output: stopped.output)
        }
    }

    /// Runs a program to its end, with its output in a file and no descriptor of this process but stdio inherited.
    ///
    /// Not Foundation's Process: on Linux it learns that a child ended when a socket it passes the child closes, and
    /// the server that pg-local.sh starts inherits that socket and keeps it open, so waitUntilExit never returns.
    static func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID()).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Every other descriptor this process has open now (Glibc does not export closefrom for spawn actions).
        let open =
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }) ?? []
        for descriptor in open where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw ClusterFailure(command: arguments.joined(separator: " "), output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        // A normal exit has 0 in the low 7 bits and the exit code in the next 8; a signal counts as a failure.
        return (status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }

    struct ClusterFailure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "the throwaway cluster's \(command) failed: \(output)" }
    }
}

@Suite("PostgreSQL stopped in mid-import")
struct ServerStopTests {
    /// TR rows of the generated export: enough that its COPY lasts long enough to be caught in flight.
    static let trRows = 60_000
    /// generate-sdtm.py: 5 target lesions and 10 visits per subject.
    static var subjects: Int { trRows / 50 }

    static func generateExport(into folder: String, trRows: Int = trRows) throws {
        let generator = try CommandLineRun.program(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", TestDatabase.repositoryRoot + "/Scripts/generate-sdtm.py", folder, String(trRows)])
        try #require(generator.exitCode == 0, "generate-sdtm.py failed: \(generator.stderr)")
    }

    /// Waits until `child`, an import into `url`, streams its TR file (its COPY into the TR staging table is
    /// running, so rows are already sent); false if it ended or took 30 s before that.
    static func waitUntilStreamingTR(_ child: Process, url: String) throws -> Bool {
        let watcher = try Connection(url)
        for _ in 0..<3_000 where child.isRunning {
            let streaming =
                try watcher.query(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY \"sync\\_stage\\_tr\"%'"
                )[0].decode(Int.self, "n") > 0
            if streaming { return true }
            usleep(10_000)
        }
        return false
    }

    /// Row counts of every clinical and sync table and of the audit log, by table.
    static func counts(_ url: String) throws -> [String: Int] {
        let connection = try Connection(url)
        let tables =
            try connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'sync\\_%' ORDER BY tablename"
            ).map { try $0.decode(String.self, "tablename") } + clinicalTables + ["audit_log"]
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try connection.query(Query(unsafeSQL: "SELECT count(*) AS n FROM \(table)"))[0].decode(
                Int.self, "n")
        }
        return counts
    }

    @Test(
        "the server stopped (immediate) while an import streams its TR file: exit 1 with a short message naming the lost connection, nothing partial after restart, and the rerun imports everything"
    )
    func serverStoppedMidImport() throws {
        let cluster = ThrowawayCluster(
            directory: "/tmp/sarcreg-stop-" + UUID().uuidString.prefix(8).lowercased(), port: 54_407)
        defer {
            _ = try? cluster.script("destroy")
            try? FileManager.default.removeItem(atPath: cluster.directory)
        }
        let url = try cluster.start()
        let setup = [
            ["db", "migrate"],
            ["site", "add", "--code", "SA", "--name", "Site A"], ["site", "add", "--code", "SB", "--name", "Site B"],
            ["site", "add", "--code", "SC", "--name", "Site C"], ["site", "add", "--code", "SD", "--name", "Site D"],
            ["sync", "map-site", "--source", "bench", "--source-site", "701", "--site", "SA"],
            ["sync", "map-site", "--source", "bench", "--source-site", "702", "--site", "SB"],
            ["sync", "map-site", "--source", "bench", "--source-site", "703", "--site", "SC"],
            ["sync", "map-site", "--source", "bench", "--source-site", "704", "--site", "SD"],
        ]
        for command in setup {
            let run = try CommandLineRun.sarcreg(command + ["--database", url])
            try #require(run.exitCode == 0, "\(command): \(run.stderr)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("server-stop-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.generateExport(into: folder)
        let before = try Self.counts(url)

        let child = Process()
        child.executableURL = CommandLineRun.executable
        child.arguments = ["sync", "import", folder, "--source", "bench", "--database", url]
        let errors = Pipe()
        child.standardOutput = FileHandle.nullDevice
        child.standardError = errors
        try child.run()
        // Stop the server once the import's transaction is streaming tr.csv, i.e. with rows already sent.
        try #require(try Self.waitUntilStreamingTR(child, url: url), "the import never reached tr.csv while running")
        try cluster.stopImmediately()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()

        #expect(child.terminationReason == .exit, "the import died of a signal: \(message)")
        #expect(child.terminationStatus == 1)
        let lines = message.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect((1...2).contains(lines.count), "a one- or two-line message, not: \(message)")
        #expect(
            message.lowercased().contains("server") || message.lowercased().contains("connection"),
            "the message names the lost server: \(message)")

        _ = try cluster.start()
        #expect(try Self.counts(url) == before, "after the restart every table holds what it held before the import")

        let rerun = try CommandLineRun.sarcreg(["sync", "import", folder, "--source", "bench", "--database", url])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        let after = try Self.counts(url)
        let expected = [
            "patients": Self.subjects, "therapy_lines": Self.subjects, "lesions": Self.subjects * 5,
            "assessments": Self.subjects * 10, "assessment_results": Self.trRows, "sync_subjects": Self.subjects,
        ]
        for (table, count) in expected {
            #expect(after[table] == count, "\(table) after the rerun")
        }
        #expect(after["sync_quarantine"] == 0)
        let lost = expected.map { abs($0.value - (after[$0.key] ?? 0)) }.reduce(0, +)
        ReliabilityFigure.writesLost.report(lost)
    }
}
