import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("Medical record numbers never reach the database or its log in clear")
struct MRNPrivacyTests {
    /// Scripts/test.sh runs the server with `log_statement = all` and names its log in
    /// SARCREG_SERVER_LOG; without it (a hand-run `swift test`) the log half of the check cannot run.
    @Test(
        "after enrolling through the CLI and re-enrolling the same MRN, no table and no server log line holds the MRN")
    func mrnNeverInClear() throws {
        let mrns = ["QXMRN-880011", "QXMRN-880012"]
        let session = try CoordinatorSession()
        for mrn in mrns {
            let run = try session.run([
                "patient", "enroll", "--site", "MUC", "--mrn", mrn, "--birth", "1966", "--sex", "other",
                "--consent-date", "2023-05-05",
            ])
            #expect(run.exitCode == 0, "\(run.stderr)")
        }
        let duplicate = try session.run([
            "patient", "enroll", "--site", "MUC", "--mrn", mrns[0], "--birth", "1966", "--sex", "other",
            "--consent-date", "2023-05-05",
        ])
        #expect(duplicate.exitCode == 1)
        #expect(!duplicate.stderr.contains(mrns[0]))

        let connection = try session.database.connect()
        let tables = try connection.query(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'"
        )
        .map { try $0.decode(String.self, "name") }
        #expect(tables.count > 10)
        var rowsSeen = 0
        for table in tables {
            for row in try connection.query("SELECT t::text AS line FROM \(unsafeSQL: table) t") {
                let line = try row.decode(String.self, "line")
                rowsSeen += 1
                for mrn in mrns {
                    #expect(
                        !line.contains(mrn) && !line.contains(mrn.replacingOccurrences(of: "-", with: "")),
                        "\(table) holds an MRN")
                }
            }
        }
        #expect(rowsSeen > 2)

        let logPath = try #require(
            ProcessInfo.processInfo.environment["SARCREG_SERVER_LOG"],
            "run through Scripts/test.sh, which logs every statement")
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        // The log really records the enrollment statements and their parameters, so the check below can fail.
        #expect(log.contains("INSERT INTO patients"))
        #expect(log.contains("QXMRN") == false)
        #expect(log.contains("880011") == false)
    }
}
