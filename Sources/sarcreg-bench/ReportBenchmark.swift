import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices

/// Generates a registry of `patients` patients (one doxorubicin line each, two target lesions measured at
/// baseline and four follow-ups: ten lesion measurements per patient) with COPY, then times the full
/// response summary and, beside it, the server time of its SQL alone (EXPLAIN ANALYZE's execution time).
///
/// It empties the registry tables first, so it refuses to run unless SARCREG_BENCH_DISPOSABLE=1 says the
/// database is a throwaway one (Scripts/bench-report.sh starts its own cluster).
struct ReportBenchmark {
    let patients: Int
    let connectionString = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    let patientsPerSite = 5000

    func run() throws {
        guard ProcessInfo.processInfo.environment["SARCREG_BENCH_DISPOSABLE"] == "1" else {
            throw BenchmarkError("the report benchmark empties the registry; run it through Scripts/bench-report.sh")
        }
        let connection = try Connection(connectionString)
        let loading = try time { try generate(on: connection) }
        let measurements = try connection.query("SELECT count(*) AS n FROM assessment_results")[0].decode(Int.self, "n")
        print(
            String(
                format: "generated %d patients and %d lesion measurements with COPY in %.2f s", patients, measurements,
                loading))

        let service = ReportService(connection: connection)
        var totals: [Double] = []
        var summaryLines = 0
        for _ in 0..<3 {
            totals.append(try time { summaryLines = try service.responseSummary(ReportFilter()).evaluableLines })
        }
        var sqlTimes: [Double] = []
        var transferTimes: [Double] = []
        let statements = try service.responseStatements(ReportFilter())
        for _ in 0..<3 {
            // The same settings and transaction as the report, so the plans are the report's plans.
            try connection.withTransaction(isolation: .repeatableRead) { tx in
                for setting in ReportService.responseSettings { try tx.execute(setting) }
                var milliseconds = 0.0
                for statement in statements {
                    var explain: Query = "EXPLAIN (ANALYZE, FORMAT JSON) "
                    explain.append(statement)
                    let plan = try tx.query(explain)[0].decode(String.self, at: 0)
                    milliseconds += try executionTime(plan)
                }
                sqlTimes.append(milliseconds / 1000)
                // The report's own pipeline with nothing decoded: the SQL and its rows as the report receives them.
                transferTimes.append(try time { try tx.pipeline(statements) { _, _ in } })
            }
        }
        print(
            String(
                format: "response summary (%d evaluable lines): median %.3f s of 3 (%@); its SQL alone: median %.3f s",
                summaryLines, median(totals), totals.map { String(format: "%.3f", $0) }.joined(separator: ", "),
                median(sqlTimes)))
        print(
            String(
                format:
                    "  breakdown: SQL %.3f s, + sending the rows to the client %.3f s, + decoding, scoring and statistics not hidden behind them %.3f s",
                median(sqlTimes), max(0, median(transferTimes) - median(sqlTimes)),
                max(0, median(totals) - median(transferTimes))))
        // Other work on the machine stretches every figure; the load average says how much there was.
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").first {
            print(
                "  load average (1 min) after the runs: \(load) on \(ProcessInfo.processInfo.activeProcessorCount) cores"
            )
        }
    }

    private func executionTime(_ plan: String) throws -> Double {
        guard let entries = try JSONSerialization.jsonObject(with: Data(plan.utf8)) as? [[String: Any]],
            let milliseconds = entries.first?["Execution Time"] as? Double
        else { throw BenchmarkError("EXPLAIN gave no execution time") }
        return milliseconds
    }

    func generate(on connection: Connection) throws {
        try connection.execute(
            """
            TRUNCATE assessment_results, assessments, lesions, adverse_events, therapy_line_agents, therapy_lines,
                molecular_results, diagnoses, patient_ecog, eligibility_alert_dismissals, eligibility_alerts, eligibility_states,
                eligibility_refresh_queue, eligibility_targets, patients, sites CASCADE
            """)
        let sites = (patients + patientsPerSite - 1) / patientsPerSite
        try copy(connection, "sites", ["site_code", "name", "next_patient_number"], count: sites) { site in
            "B\(site),Bench site \(site),\(patientsPerSite + 1)\n"
        }
        let patientBase = try copyWithIDs(
            connection, "patients", "patient_id",
            [
                "registry_id", "site_code", "site_sequence", "mrn_hmac", "birth_year", "sex", "consent_date",
                "last_contact_on",
            ]
        ) { i in
            let sequence = i % patientsPerSite + 1
            let id =
                "B\(i / patientsPerSite)-" + String(repeating: "0", count: max(0, 4 - String(sequence).count))
                + String(sequence)
            return
                "\(id),B\(i / patientsPerSite),\(sequence),\(String(format: "%064x", i)),1960,female,2022-12-01,\(date(i % 365 + 200))\n"
        }
        let lineBase = try copyWithIDs(
            connection, "therapy_lines", "therapy_line_id", ["patient_id", "line_number", "intent", "started_on"]
        ) { i in
            "\(patientBase + i),1,palliative,\(date(i % 365))\n"
        }
        try copy(connection, "therapy_line_agents", ["therapy_line_id", "agent_code"], count: patients) { i in
            "\(lineBase + i),doxorubicin\n"
        }
        let lesionBase = try copyWithIDs(
            connection, "lesions", "lesion_id",
            ["patient_id", "evaluator", "label", "lesion_class", "organ", "imaging_method"],
            count: 2 * patients
        ) { row in
            "\(patientBase + row / 2),investigator,T\(row % 2 + 1),target,\(row % 2 == 0 ? "liver" : "lung"),ct\n"
        }
        let assessmentBase = try copyWithIDs(
            connection, "assessments", "assessment_id",
            ["patient_id", "evaluator", "assessed_on", "is_baseline", "therapy_line_id"],
            count: 5 * patients
        ) { row in
            let i = row / 5, visit = row % 5
            let day = i % 365 + (visit == 0 ? -3 : visit * 42)
            return
                "\(patientBase + i),investigator,\(date(day)),\(visit == 0),\(visit == 0 ? "" : String(lineBase + i))\n"
        }
        // Each patient follows one of four courses (shrinking, slowly shrinking, stable, growing), so the
        // summary meets PR, SD and PD.
        try copy(
            connection, "assessment_results",
            ["patient_id", "assessment_id", "lesion_id", "lesion_class", "result", "diameter_mm"],
            count: 10 * patients
        ) { row in
            let i = row / 10, visit = row % 10 / 2, lesion = row % 2
            let baseline = Double(lesion == 0 ? 30 + i % 40 : 20 + i % 25)
            let slope = [-0.15, -0.06, 0.01, 0.09][i % 4]
            let size = max(0, baseline * (1 + slope * Double(visit)))
            return
                "\(patientBase + i),\(assessmentBase + 5 * i + visit),\(lesionBase + 2 * i + lesion),target,measured,\(String(format: "%.1f", size))\n"
        }
        try connection.execute("ANALYZE")
    }

    /// The first patient id of the generated registry (ids are consecutive, checked as they are loaded).
    func firstPatientID(on connection: Connection) throws -> Int {
        try connection.query("SELECT min(patient_id) AS low FROM patients")[0].decode(Int.self, "low")
    }

    func date(_ dayOffset: Int) -> String {
        CalendarDate(year: 2023, month: 1, day: 1)!.adding(days: dayOffset).description
    }

    func copy(_ connection: Connection, _ table: String, _ columns: [String], count: Int, row: (Int) -> String) throws {
        try connection.copyIn(table: table, columns: columns) { writer in
            var buffer = ""
            buffer.reserveCapacity(1 << 20)
            for index in 0..<count {
                buffer += row(index)
                if buffer.utf8.count > 1 << 20 {
                    try writer.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try writer.write(buffer)
        }
    }

    /// Loads `count` rows into a table with an identity column and returns the first id; a fresh COPY in
    /// a database nobody else writes to hands out consecutive ids, which is checked.
    private func copyWithIDs(
        _ connection: Connection, _ table: String, _ idColumn: String, _ columns: [String], count: Int? = nil,
        row: (Int) -> String
    ) throws -> Int {
        let rows = count ?? patients
        try copy(connection, table, columns, count: rows, row: row)
        let range = try connection.query(
            "SELECT min(\(unsafeSQL: idColumn)) AS low, max(\(unsafeSQL: idColumn)) AS high FROM \(unsafeSQL: table)")[
                0]
        let low = try range.decode(Int.self, "low"), high = try range.decode(Int.self, "high")
        guard high - low + 1 == rows else { throw BenchmarkError("\(table) ids are not consecutive") }
        return low
    }
}
