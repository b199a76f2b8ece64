import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

/// An import whose client dies must not leave its server backend running with the sync lock and the row locks
/// on `sites`, or enrollment at those sites waits for it.
///
/// A client killed while the server is reading its COPY data is noticed at once; the danger is a kill during a
/// statement that runs on the server alone, such as the apply of the TR rows, which the server finished before
/// it looked at the client again (minutes, on a 500,000-row export). The tests make that statement last as
/// long as they need, however fast the import becomes: a session of the test holds a SHARE lock on
/// `assessment_results`, so the import's first write there waits, after the new patients' site rows are
/// locked. The client is killed while the import waits, and enrollment at MUC must not wait for it.
@Suite("an import whose client dies leaves no backend holding locks", .serialized)
struct ClientDeathTests {
    /// TR rows of the export: the import takes several seconds before it reaches its TR apply.
    static let trRows = 100_000
    /// How long enrolling at MUC may wait for a lock before it fails instead of hanging.
    static let enrollmentLockTimeout = 10.0

    let fixture: ReliabilityFixture
    let folder: String

    init() throws {
        fixture = try ReliabilityFixture(sites: ["MUC", "BER", "HAM", "FRA"])
        let sync = SyncService(connection: fixture.owner)
        for (sourceSite, site) in [("701", "MUC"), ("702", "BER"), ("703", "HAM"), ("704", "FRA")] {
            try sync.mapSite(source: "nightly", sourceSite: sourceSite, site: site)
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("client-death-\(UUID())").path
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = [
            "python3", TestDatabase.repositoryRoot + "/Scripts/generate-sdtm.py", folder, String(Self.trRows),
        ]
        try generator.run()
        generator.waitUntilExit()
        try #require(generator.terminationStatus == 0, "generate-sdtm.py failed")
    }

    @Test(
        "a nightly import killed with SIGKILL while it applies 100,000 TR rows leaves no backend: enrolling MUC's next patient takes under 10 s and nothing of the import was written"
    )
    func killedImportLeavesNoBackend() throws {
        try signalImportInApply(SIGKILL) { ended, _, _, _ in
            #expect(ended.signal == SIGKILL)
        }
    }

    @Test(
        "a nightly import stopped with SIGTERM while it applies 100,000 TR rows cancels its statement: exit 143 with 'interrupted by SIGTERM; the import was rolled back, nothing was written', no backend left, MUC's next patient enrolled at once"
    )
    func terminatedImportCancelsItsStatement() throws {
        try signalImportInApply(SIGTERM) { ended, seconds, child, importBackend throws in
            #expect(ended.exitCode == 128 + SIGTERM, "the import ended with \(ended), stderr: \(child.stderr)")
            #expect(seconds < 5, "the import took \(seconds) s to end after SIGTERM")
            #expect(child.stderr == "Error: interrupted by SIGTERM; the import was rolled back, nothing was written\n")
            // The cancel request and the rollback end the backend with its client, well before the dead-client check's 2 s.
            #expect(
                try Self.isGone(importBackend, within: 1, on: fixture.owner), "the import's backend outlived its client"
            )
        }
    }

    /// Starts the import, sends it `signal` once it waits in its apply, lets `check` look at how the child ended
    /// (with the seconds it took after the signal and the import's backend pid), then enrolls at MUC, releases
    /// the hold and checks that nothing of the import was written.
    func signalImportInApply(
        _ signal: Int32,
        check: (_ ended: (exitCode: Int32?, signal: Int32?), _ seconds: Double, ImportChild, Int32) throws -> Void
    ) throws {
        let before = try ServerStopTests.counts(fixture.database.connectionString)
        let auditBefore = try lastAuditID()
        let hold = try Self.holdAssessmentResults(fixture.database)
        let child = try ImportChild(folder: folder, database: fixture.database.connectionString)
        let importBackend = try Self.waitForImportInApply(fixture.owner, child: child)

        let signalled = Date()
        kill(child.pid, signal)
        let ended = child.wait()
        try check(ended, Date().timeIntervalSince(signalled), child, importBackend)

        try expectEnrollmentAtMUCNotBlocked(importBackend: importBackend)
        try hold.execute("ROLLBACK")
        try expectNothingImported(before: before, auditBefore: auditBefore)
    }

    // MARK: - Steps

    /// A transaction that holds a SHARE lock on assessment_results, which an import's TR apply must wait for.
    static func holdAssessmentResults(_ database: TestDatabase) throws -> Connection {
        let hold = try database.connect()
        try hold.execute("BEGIN")
        try hold.execute("LOCK TABLE assessment_results IN SHARE MODE")
        return hold
    }

    /// The import's backend pid once it waits for the held lock, i.e. once it has locked the site rows of its
    /// new patients and is inside its apply.
    static func waitForImportInApply(_ monitor: Connection, child: ImportChild) throws -> Int32 {
        for _ in 0..<1_200 where child.isRunning {
            let waiting = try monitor.query(
                """
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                    AND query ILIKE '%assessment_results%'
                """)
            if let row = waiting.first { return try row.decode(Int32.self, "pid") }
            usleep(50_000)
        }
        kill(child.pid, SIGKILL)
        _ = child.wait()
        Issue.record("the import never reached its write to assessment_results; stderr: \(child.stderr)")
        throw CancellationError()
    }

    /// Whether the backend has ended, waiting for it at most `seconds`.
    static func isGone(_ backend: Int32, within seconds: Double, on connection: Connection) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try connection.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(Int(backend))").isEmpty {
                return true
            }
            if Date() > deadline { return false }
            usleep(20_000)
        }
    }

    /// Enrolls MUC's next patient on a connection that gives up after ``enrollmentLockTimeout``, so a
    /// backend left holding MUC's row fails the test instead of hanging it; then checks the backend is gone.
    func expectEnrollmentAtMUCNotBlocked(importBackend: Int32) throws {
        let coordinator = try fixture.database.connect()
        try coordinator.execute(Query(unsafeSQL: "SET lock_timeout = '\(Int(Self.enrollmentLockTimeout))s'"))
        let started = Date()
        let enrolled = try PatientService(connection: coordinator).enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "MUC-4711", birth: try PartialDate(iso: "1968"), sex: .female,
                consentDate: try CalendarDate(iso: "2026-11-20")),
            key: fixture.key)
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < Self.enrollmentLockTimeout, "enrolling at MUC took \(seconds) s")
        #expect(enrolled.registryID == "MUC-0001", "the import took none of MUC's numbers")
        #expect(
            try Self.isGone(importBackend, within: 2, on: fixture.owner),
            "the import's backend \(importBackend) is still running")
        let advisory = try fixture.count(
            """
            SELECT count(*) AS n FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)
        #expect(advisory == 0, "the sync lock is still held")
    }

    /// Every sync and clinical table holds what it held before the import, but for the one enrolled patient,
    /// and the audit log's new entries are the enrollment's alone (one transaction).
    func expectNothingImported(before: [String: Int], auditBefore: Int) throws {
        var after = try ServerStopTests.counts(fixture.database.connectionString)
        #expect(after["patients"] == (before["patients"] ?? 0) + 1)
        after["patients"] = before["patients"]
        after["audit_log"] = before["audit_log"]
        #expect(after == before)
        let writers = try fixture.count(
            "SELECT count(DISTINCT transaction_id) AS n FROM audit_log WHERE audit_id > \(auditBefore)")
        #expect(writers == 1, "audit entries of \(writers) transactions, not only the enrollment's")
    }

    func lastAuditID() throws -> Int {
        try fixture.count("SELECT coalesce(max(audit_id), 0) AS n FROM audit_log")
    }
}

/// `sarcreg sync import` of the test's export as a child process, its stderr in a file.
///
/// Spawned with every signal at its default action and none blocked, as a shell or cron starts it: Foundation's
/// Process passes on the test runner's signal mask, under which SIGTERM never reaches a child without a handler.
final class ImportChild {
    let pid: pid_t
    private var status: Int32?
    private let stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID()).err").path

    init(folder: String, database: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let arguments = [
            CommandLineRun.executable.path, "sync", "import", folder, "--source", "nightly", "--database", database,
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        try #require(spawned == 0, "cannot start sarcreg: \(String(cString: strerror(spawned)))")
        self.pid = pid
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = wait()
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    var isRunning: Bool {
        if status == nil {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
        }
        return status == nil
    }

    var stderr: String {
        String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self)
    }

    /// Waits for the child to end; a child still running 30 s on is killed, so a hung import fails the test.
    func wait() -> (exitCode: Int32?, signal: Int32?) {
        let deadline = Date().addingTimeInterval(30)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            Issue.record("the import was still running 30 s after the signal")
        }
        if status == nil {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            status = raw
        }
        // A normal exit has 0 in the low 7 bits and the exit code in the next 8; otherwise they hold the signal.
        let raw = status ?? 0
        return raw & 0x7F == 0 ? ((raw >> 8) & 0xFF, nil) : (nil, raw & 0x7F)
    }
}
