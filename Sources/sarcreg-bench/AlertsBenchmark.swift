import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices

/// The coordinator's morning on a large registry: the report benchmark's registry (one open line, lesions and
/// assessments per patient) with a diagnosis, an ECOG and for one patient in three a molecular result, every
/// site on a default schedule and the shipped trials added. Times every site's worklist, the alert refresh (the
/// registry's first, which evaluates every patient against every open target and records the states; a nightly
/// one after 1,000 new molecular results; one after a trial added, every patient against its cohort), every
/// site's alert list, and `sarcreg site reports`, the command the nightly script runs for the per-site files.
///
/// It empties the registry tables first, so it refuses to run unless SARCREG_BENCH_DISPOSABLE=1 says the
/// database is a throwaway one (Scripts/bench-alerts.sh starts its own cluster).
struct AlertsBenchmark {
    let patients: Int
    let connectionString = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    let today = CalendarDate(year: 2024, month: 6, day: 1)!

    /// Histologies, settings and findings in rotation, so that every kind of target is met by someone.
    static let histologies = [
        ("9040/3", "Synovial sarcoma"), ("8890/3", "Leiomyosarcoma"), ("8858/3", "Dedifferentiated liposarcoma"),
        ("8851/3", "Well-differentiated liposarcoma"), ("9581/3", "Alveolar soft part sarcoma"),
        ("8825/1", "Inflammatory myofibroblastic tumour"), ("8804/3", "Epithelioid sarcoma"),
        ("8830/3", "Undifferentiated pleomorphic sarcoma"),
    ]
    static let settings = ["metastatic", "locally_advanced_unresectable", "localized"]
    static let findings = [
        "SS18,fusion,SSX1", "MDM2,amplification,", "CDK4,amplification,", "NTRK3,fusion,ETV6", "ALK,fusion,TPM3",
        "SMARCB1,loss_of_expression,",
    ]

    func run() throws {
        guard ProcessInfo.processInfo.environment["SARCREG_BENCH_DISPOSABLE"] == "1" else {
            throw BenchmarkError("the alerts benchmark empties the registry; run it through Scripts/bench-alerts.sh")
        }
        let connection = try Connection(connectionString)
        let registry = ReportBenchmark(patients: patients)
        let loading = try time { try generate(registry, on: connection) }
        print(
            String(
                format: "generated %d patients (diagnosis, ECOG, line, lesions, a result for one in three) in %.2f s",
                patients, loading))
        let sites = try connection.query("SELECT site_code FROM sites ORDER BY site_code").map {
            try $0.decode(String.self, "site_code")
        }

        let service = EligibilityAlertService(connection: connection, today: today)
        var refreshed: AlertRefreshSummary?
        let firstRefresh = try time { refreshed = try service.refresh() }
        let first = try refreshed ?? { throw BenchmarkError("the refresh returned nothing") }()
        print(
            String(
                format:
                    "first alert refresh (every patient against %d open targets, states recorded): %.3f s, %d patients, %d alerts",
                first.openTargets, firstRefresh, first.patientsEvaluated, first.alertsRaised))

        let firstID = try registry.firstPatientID(on: connection)
        /// 1,000 new molecular results, one patient in a hundred from `offset`, then the refresh a nightly runs.
        func addResultsAndRefresh(
            offset: Int, reportedOn: CalendarDate
        ) throws -> (seconds: Double, AlertRefreshSummary) {
            try connection.execute(
                """
                INSERT INTO molecular_results (patient_id, gene, alteration_kind, partner_gene, method, result, report_date)
                SELECT p, 'NTRK1', 'fusion', 'TPM3', 'ngs_rna', 'positive', \(reportedOn)
                FROM generate_series(\(firstID + offset), \(firstID + patients - 1), \(max(1, patients / 1000))) AS p
                """)
            let seconds = try time { refreshed = try service.refresh() }
            return (seconds, try refreshed ?? { throw BenchmarkError("the refresh returned nothing") }())
        }
        let (unsettledRefresh, unsettled) = try addResultsAndRefresh(offset: 0, reportedOn: today.adding(days: -2))
        print(
            String(
                format:
                    "nightly alert refresh straight after the first (100,000 states just written): %.3f s, %d results, %d alerts",
                unsettledRefresh, unsettled.queueEntries, unsettled.alertsRaised))
        // Between two nights autovacuum vacuums and analyzes the tables the first refresh filled; the benchmark does
        // it at once rather than wait for it.
        try connection.execute("VACUUM ANALYZE")
        let (nightlyRefresh, nightly) = try addResultsAndRefresh(offset: 1, reportedOn: today.adding(days: -1))
        print(
            String(
                format:
                    "nightly alert refresh after %d new molecular results (tables vacuumed and analyzed): %.3f s, %d alerts",
                nightly.queueEntries, nightlyRefresh, nightly.alertsRaised))

        // A trial added: every patient is evaluated against its cohort, and the eligible ones are alerted.
        _ = try TrialService(connection: connection, today: today).add(
            definition: Data(
                """
                {"nct": "NCT09000001", "title": "Leiomyosarcoma benchmark trial", "phase": "2", "status": "recruiting", "sponsor": "benchmark",
                 "arms": [{"code": "experimental", "label": "experimental", "ratio": 1, "agents": ["pazopanib"]}],
                 "eligibility": {"histology": {"include": ["8890/3"]}, "age": {"minimum": 18}, "maximumECOG": 1,
                                 "diseaseSettings": ["locally_advanced_unresectable", "metastatic"]},
                 "cohorts": [{"code": "main", "label": "main", "capacity": 500, "arm": "experimental"}]}
                """.utf8))
        let trialRefresh = try time { refreshed = try service.refresh() }
        let afterTrial = try refreshed ?? { throw BenchmarkError("the refresh returned nothing") }()
        print(
            String(
                format:
                    "alert refresh after a trial added (every patient against its cohort): %.3f s, %d patients, %d alerts",
                trialRefresh, afterTrial.patientsEvaluated, afterTrial.alertsRaised))

        let worklists = WorklistService(connection: connection)
        var perSiteTimes: [Double] = [], onePassTimes: [Double] = [], listTimes: [Double] = [],
            commandTimes: [Double] = [], floorTimes: [Double] = []
        var items = 0, listed = 0
        for _ in 0..<3 {
            perSiteTimes.append(
                try time {
                    items = try sites.reduce(0) { $0 + (try worklists.worklist(site: $1, asOf: today).items.count) }
                })
            onePassTimes.append(try time { _ = try worklists.worklists(asOf: today) })
            listTimes.append(try time { listed = try service.alerts().count })
            commandTimes.append(try time { try siteReports() })
            // The baseline of the same run: psql writing every patient's lines with the patient's site and id to
            // /dev/null, which any worklist over every open line has to read at least.
            floorTimes.append(
                try time {
                    try runPsql(
                        [
                            "-c",
                            "\\copy (SELECT p.site_code, p.registry_id, l.* FROM patients p JOIN therapy_lines l USING (patient_id)) TO '/dev/null'",
                        ], on: connectionString)
                })
        }
        let reports = median(commandTimes)
        print(
            String(
                format: "every site's worklist, a query per site (%d sites, %d items): median %.3f s of 3", sites.count,
                items, median(perSiteTimes)))
        print(String(format: "every site's worklist in one pass: median %.3f s of 3", median(onePassTimes)))
        print(String(format: "every site's alerts (%d): median %.3f s of 3", listed, median(listTimes)))
        print(
            String(
                format:
                    "`sarcreg site reports` (every site's worklist and alerts to a file each, as the nightly runs it): median %.3f s of 3",
                reports))
        print(
            String(
                format:
                    "worklist and alerts for %d patients (nightly refresh + site reports): %.3f s; with the refresh after a trial added instead: %.3f s (goal: under 2 s)",
                patients, nightlyRefresh + reports, trialRefresh + reports))
        print(
            String(
                format:
                    "baseline of the same run: psql \\copy of every patient's lines with site and id to /dev/null: median %.3f s of 3; site reports / baseline = %.1f",
                median(floorTimes), reports / median(floorTimes)))
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").first {
            print(
                "  load average (1 min) after the runs: \(load) on \(ProcessInfo.processInfo.activeProcessorCount) cores"
            )
        }
    }

    /// Runs the release `sarcreg` beside this benchmark as the nightly script does, into a scratch folder.
    private func siteReports() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sarcreg-bench-reports")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sarcreg")
        process.arguments = ["site", "reports", "--directory", folder.path, "--as-of", today.description]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 || process.terminationStatus == 3 else {
            throw BenchmarkError("sarcreg site reports exited with \(process.terminationStatus)")
        }
    }

    private func generate(_ registry: ReportBenchmark, on connection: Connection) throws {
        try registry.generate(on: connection)
        let firstID = try registry.firstPatientID(on: connection)
        try registry.copy(
            connection, "diagnoses",
            [
                "patient_id", "icdo3_code", "icdo_version", "who_entity", "primary_site", "diagnosed_year",
                "disease_setting",
            ],
            count: patients
        ) { i in
            let (code, entity) = Self.histologies[i % Self.histologies.count]
            return
                "\(firstID + i),\(code),3.2,\(entity),thigh,2022,\(Self.settings[i / Self.histologies.count % Self.settings.count])\n"
        }
        try registry.copy(connection, "patient_ecog", ["patient_id", "assessed_on", "ecog"], count: patients) { i in
            "\(firstID + i),\(registry.date(i % 365)),\(i % 3)\n"
        }
        try registry.copy(
            connection, "molecular_results",
            ["patient_id", "gene", "alteration_kind", "partner_gene", "method", "result", "report_date"],
            count: patients / 3
        ) { row in
            "\(firstID + 3 * row),\(Self.findings[row % Self.findings.count]),ngs_rna,positive,\(registry.date(row % 300))\n"
        }
        let schedule =
            #"{"imaging": [{"every": {"weeks": 12}, "windowDays": 14}], "survival": [{"every": {"months": 3}, "windowDays": 14}]}"#
        try connection.execute(
            "INSERT INTO site_assessment_schedules (site_code, schedule) SELECT site_code, \(schedule)::jsonb FROM sites"
        )
        // A cluster kept from an earlier run holds the trials already.
        try connection.execute("TRUNCATE trials CASCADE")
        let trials = TrialService(connection: connection, today: today)
        for file in ["NCT03016819-apromiss.json", "NCT04979442-mantra.json", "NCT05059262-motion.json"] {
            _ = try trials.add(definition: try Data(contentsOf: URL(fileURLWithPath: "Trials/" + file)))
        }
        try connection.execute("ANALYZE")
    }
}
