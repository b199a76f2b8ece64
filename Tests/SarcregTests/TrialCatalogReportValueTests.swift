import Testing
import TestSupport

/// The values the trial, catalog, alerts, query, report and sync commands parse before they connect: the services take typed
/// requests, so a malformed date or an unknown word is refused here, with the domain's message naming the flag
/// and the value, status 1 (a refused value, not wrong usage), and no database is needed.
@Suite("Trial, catalog, report and sync values refused before connecting, naming the flag and the value")
struct TrialCatalogReportValueTests {
    @Test(
        "a malformed or unknown value exits 1 with one line naming its flag (or the part of it) and the value",
        arguments: [
            (["report", "response", "--from", "2024-13-01"], "--from", "2024-13-01"),
            (["report", "ae", "--to", "2024-02-30"], "--to", "2024-02-30"),
            (["report", "response", "--biomarker", "NTRK3:fusionn"], "biomarker kind", "fusionn"),
            (
                [
                    "therapy", "catalog", "add-status", "--indication", "vimseltinib_tgct", "--status", "approved",
                    "--date", "2026-03-01",
                    "--authority", "FDA", "--source", "label update",
                ], "--status", "approved"
            ),
            (
                [
                    "therapy", "catalog", "add-status", "--indication", "vimseltinib_tgct", "--status",
                    "fda_approved_sts", "--date", "2026-13-01",
                    "--authority", "FDA", "--source", "label update",
                ], "--date", "2026-13-01"
            ),
            (
                [
                    "therapy", "catalog", "add-status", "--indication", "vimseltinib_tgct", "--status",
                    "fda_approved_sts", "--date", "2026-03-01",
                    "--authority", "MHRA", "--source", "label update",
                ], "--authority", "MHRA"
            ),
            (["therapy", "catalog", "list", "--status", "approved"], "--status", "approved"),
            (["therapy", "catalog", "list", "--as-of", "2026-02-30"], "--as-of", "2026-02-30"),
            (["trial", "set-status", "NCT03016819", "--status", "paused"], "--status", "paused"),
            (["alerts", "list", "--since", "2026-02-30"], "--since", "2026-02-30"),
            (["query", "list", "--status", "pending"], "--status", "pending"),
            (
                ["sync", "import", "/nonexistent", "--source", "site-a", "--ctcae-version", "4.1"], "--ctcae-version",
                "4.1"
            ),
        ])
    func refusedValue(arguments: [String], flag: String, value: String) throws {
        let run = try CommandLineRun.sarcreg(
            arguments + ["--database", "postgresql://nobody@/unreachable?host=/nonexistent"])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(
            run.stderr.hasPrefix("Error: ") && run.stderr.contains(flag) && run.stderr.contains(value), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
