import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing
import TestSupport

/// A registry with MUC's default schedule (imaging every 12 weeks +/- 14 days, survival every 3 months +/- 14
/// days) and lines recorded straight into the tables, so each test states only the dates it is about.
struct WorklistFixture {
    let registry: RegistryFixture
    static let siteSchedule = Data(
        #"{"imaging": [{"every": {"weeks": 12}, "windowDays": 14}], "survival": [{"every": {"months": 3}, "windowDays": 14}]}"#
            .utf8)

    init(siteSchedule: Bool = true, sites: [(String, String)] = [("MUC", "Munich Sarcoma Center")]) throws {
        registry = try RegistryFixture(sites: sites)
        if siteSchedule {
            _ = try SiteService(connection: registry.connection).setSchedule(site: "MUC", document: Self.siteSchedule)
        }
    }

    var connection: Connection { registry.connection }

    /// Enrolls a patient and starts line 1 on `start`, with follow-up scans on `scans` and a baseline unless told not.
    @discardableResult
    func patient(
        _ mrn: String, site: String = "MUC", start: String, scans: [String] = [], baseline: Bool = true,
        trial: String? = nil,
        progressed: String? = nil, lastContact: String? = nil
    ) throws -> String {
        let summary = try registry.enroll(mrn: mrn, site: site)
        let patientID = try connection.query(
            "SELECT patient_id FROM patients WHERE registry_id = \(summary.registryID)")[0].decode(
                Int.self, "patient_id")
        let stopReason: String? = progressed == nil ? nil : "progression"
        let lineID = try connection.query(
            """
            INSERT INTO therapy_lines (patient_id, line_number, intent, started_on, stopped_on, stop_reason, trial_nct)
            VALUES (\(patientID), 1, 'palliative', \(start)::date, \(progressed)::date, \(stopReason), \(trial)) RETURNING therapy_line_id
            """)[0].decode(Int.self, "therapy_line_id")
        if baseline {
            try connection.execute(
                "INSERT INTO assessments (patient_id, evaluator, assessed_on, is_baseline) VALUES (\(patientID), 'investigator', \(start)::date - 7, true)"
            )
        }
        for scan in scans {
            try connection.execute(
                "INSERT INTO assessments (patient_id, evaluator, assessed_on, therapy_line_id) VALUES (\(patientID), 'investigator', \(scan)::date, \(lineID))"
            )
        }
        if let lastContact {
            try connection.execute(
                "UPDATE patients SET last_contact_on = \(lastContact)::date WHERE patient_id = \(patientID)")
        }
        return summary.registryID
    }

    func worklist(asOf: String = "2026-11-27") throws -> WorklistReport {
        try WorklistService(connection: connection).worklist(site: "MUC", asOf: try CalendarDate(iso: asOf))
    }
}

@Suite("Worklist service: a site's overdue and due assessments from set-wise reads, one patient never failing the list")
struct WorklistServiceTests {
    @Test(
        "MUC on 2026-11-27: a survival contact overdue since 2026-07-15, a 12-weekly scan overdue since 2026-08-24, a line with no assessment, APROMISS week 6 due"
    )
    func siteWorklist() throws {
        let fixture = try WorklistFixture()
        _ = try TrialService(connection: fixture.connection, today: fixture.registry.today)
            .add(definition: try TrialFixture.definition("NCT03016819-apromiss.json"))
        let overdue = try fixture.patient("W-1", start: "2026-06-01")
        let onTrial = try fixture.patient("W-2", start: "2026-10-26", trial: "NCT03016819")
        let progressed = try fixture.patient(
            "W-3", start: "2026-01-05", scans: ["2026-03-30"], progressed: "2026-04-15", lastContact: "2026-05-01")
        let bare = try fixture.patient("W-4", start: "2026-11-20", baseline: false)
        let report = try fixture.worklist()
        #expect(report.excluded.isEmpty)
        #expect(report.items.map(\.registryID) == [progressed, overdue, bare, onTrial])
        #expect(report.items.map(\.kind) == [.survivalContactOverdue, .imagingOverdue, .noAssessment, .imagingDue])
        // A contact 16 days after progression is nearer progression than the first 3-monthly contact: it counts for none.
        let survival = report.items[0]
        #expect(survival.dueSince == (try CalendarDate(iso: "2026-07-15")))
        #expect(survival.daysLate == 121)
        #expect(survival.missedVisits == 1)
        // Week 12 (due 2026-08-24, window closed 2026-09-07) can no longer be made up; week 24 is in its window.
        let scan = report.items[1]
        #expect(scan.dueSince == (try CalendarDate(iso: "2026-08-24")))
        #expect(scan.daysLate == 81)
        #expect(scan.missedVisits == 1)
        #expect(scan.schedule == "site MUC")
        #expect(report.items[2].daysLate == 7)
        #expect(report.items[3].dueSince == (try CalendarDate(iso: "2026-12-07")))
        #expect(report.items[3].schedule == "NCT03016819")
    }

    @Test(
        "every site in one pass reads as each site alone: MUC's overdue scan and survival contact, BER's patient excluded for want of a schedule, VIE with nothing to do"
    )
    func everySiteInOnePass() throws {
        let fixture = try WorklistFixture(sites: [
            ("MUC", "Munich Sarcoma Center"), ("BER", "Berlin Sarcoma Center"), ("VIE", "Vienna"),
        ])
        try fixture.patient("W-1", start: "2026-06-01")
        try fixture.patient(
            "W-2", start: "2026-01-05", scans: ["2026-03-30"], progressed: "2026-04-15", lastContact: "2026-05-01")
        let unscheduled = try fixture.patient("B-1", site: "BER", start: "2026-06-01")
        let service = WorklistService(connection: fixture.connection)
        let asOf = try CalendarDate(iso: "2026-11-27")
        let all = try service.worklists(asOf: asOf)
        #expect(all.map(\.site) == ["BER", "MUC", "VIE"])
        for report in all {
            let alone = try service.worklist(site: report.site, asOf: asOf)
            #expect(report.items == alone.items && report.excluded == alone.excluded, "site \(report.site)")
        }
        #expect(all[0].items.isEmpty && all[0].excluded.map(\.registryID) == [unscheduled])
        #expect(all[1].items.map(\.kind) == [.survivalContactOverdue, .imagingOverdue] && all[1].excluded.isEmpty)
        #expect(all[2].items.isEmpty && all[2].excluded.isEmpty)
    }

    @Test(
        "a scan inside the window clears the line: W-1 scanned 2026-08-30 for week 12 has week 24 due 2026-11-16 listed as overdue only after 30 November"
    )
    func scanClearsVisit() throws {
        let fixture = try WorklistFixture()
        let id = try fixture.patient("W-1", start: "2026-06-01", scans: ["2026-08-30"])
        #expect(try fixture.worklist(asOf: "2026-11-30").items.map(\.kind) == [.imagingDue])
        let later = try fixture.worklist(asOf: "2026-12-01")
        #expect(later.items.map(\.registryID) == [id])
        #expect(later.items.map(\.kind) == [.imagingOverdue])
    }

    @Test(
        "as of a past day, later records are not read: W-1 with no baseline, scanned 2026-08-30, had no assessment and a scan due on 2026-08-20"
    )
    func pastDay() throws {
        let fixture = try WorklistFixture()
        try fixture.patient("W-1", start: "2026-06-01", scans: ["2026-08-30"], baseline: false)
        #expect(try fixture.worklist(asOf: "2026-08-20").items.map(\.kind) == [.noAssessment, .imagingDue])
        #expect(try fixture.worklist(asOf: "2026-09-01").items.isEmpty)
    }

    @Test(
        "as of a day between two scans the earlier one counts: W-1 scanned 2026-08-30 and 2026-11-20 has week 24 (due 2026-11-16) due on 2026-11-10 and nothing due on 2026-11-27"
    )
    func dayBetweenScans() throws {
        let fixture = try WorklistFixture()
        let id = try fixture.patient("W-1", start: "2026-06-01", scans: ["2026-08-30", "2026-11-20"])
        let before = try fixture.worklist(asOf: "2026-11-10")
        #expect(before.items.map(\.registryID) == [id])
        #expect(before.items.map(\.kind) == [.imagingDue])
        #expect(before.items.first?.dueSince == (try CalendarDate(iso: "2026-11-16")))
        #expect(try fixture.worklist(asOf: "2026-11-27").items.isEmpty)
    }

    @Test(
        "the dates the worklist reads follow every change to the assessments: W-1's scan added, corrected, moved to line 2, deleted, its baseline removed, and a truncation"
    )
    func storedDatesFollowAssessments() throws {
        let fixture = try WorklistFixture()
        let connection = fixture.connection
        try fixture.patient("W-1", start: "2026-06-01", scans: ["2026-08-30"])
        try fixture.patient("W-2", start: "2026-06-01", scans: ["2026-07-01", "2026-09-01"], baseline: false)
        let patientID = try connection.query("SELECT patient_id FROM patients WHERE site_sequence = 1")[0]
            .decode(Int.self, "patient_id")
        try connection.execute(
            "INSERT INTO therapy_lines (patient_id, line_number, intent, started_on) VALUES (\(patientID), 2, 'palliative', '2026-10-01')"
        )
        func stored() throws -> [String] {
            try connection.query(
                """
                SELECT 'line ' || l.line_number || ' of ' || p.registry_id || ': ' || f.last_assessed_on AS fact
                FROM line_follow_up_dates f JOIN therapy_lines l USING (therapy_line_id) JOIN patients p ON p.patient_id = l.patient_id
                UNION ALL
                SELECT 'baseline of ' || p.registry_id || ': ' || b.first_baseline_on FROM patient_baseline_dates b JOIN patients p USING (patient_id)
                ORDER BY 1
                """
            ).map { try $0.decode(String.self, "fact") }
        }
        func recomputed() throws -> [String] {
            try connection.query(
                """
                SELECT 'line ' || l.line_number || ' of ' || p.registry_id || ': ' || max(a.assessed_on) AS fact
                FROM assessments a JOIN therapy_lines l USING (therapy_line_id) JOIN patients p ON p.patient_id = l.patient_id
                WHERE NOT a.is_baseline GROUP BY l.line_number, p.registry_id
                UNION ALL
                SELECT 'baseline of ' || p.registry_id || ': ' || min(a.assessed_on) FROM assessments a JOIN patients p USING (patient_id)
                WHERE a.is_baseline GROUP BY p.registry_id
                ORDER BY 1
                """
            ).map { try $0.decode(String.self, "fact") }
        }
        let id = try #require(
            try connection.query("SELECT registry_id FROM patients WHERE patient_id = \(patientID)").first
        )
        .decode(String.self, "registry_id")
        #expect(try stored().contains("line 1 of \(id): 2026-08-30"))
        #expect(try stored() == recomputed())
        let steps: [(String, Query)] = [
            (
                "a later scan",
                "INSERT INTO assessments (patient_id, evaluator, assessed_on, therapy_line_id) SELECT \(patientID), 'investigator', '2026-11-20', therapy_line_id FROM therapy_lines WHERE patient_id = \(patientID) AND line_number = 1"
            ),
            (
                "the later scan's date corrected back",
                "UPDATE assessments SET assessed_on = '2026-08-01' WHERE patient_id = \(patientID) AND assessed_on = '2026-11-20'"
            ),
            (
                "the first scan moved to line 2",
                "UPDATE assessments SET therapy_line_id = (SELECT therapy_line_id FROM therapy_lines WHERE patient_id = \(patientID) AND line_number = 2) WHERE patient_id = \(patientID) AND assessed_on = '2026-08-30'"
            ),
            (
                "the scan on line 2 deleted",
                "DELETE FROM assessments WHERE patient_id = \(patientID) AND assessed_on = '2026-08-30'"
            ),
            ("the baseline deleted", "DELETE FROM assessments WHERE patient_id = \(patientID) AND is_baseline"),
        ]
        for (step, statement) in steps {
            try connection.execute(statement)
            #expect(try stored() == recomputed(), "after \(step)")
        }
        #expect(try stored().contains("line 1 of \(id): 2026-08-01"))
        #expect(try !stored().contains { $0.hasPrefix("line 2 of \(id)") || $0.hasPrefix("baseline of \(id)") })
        try connection.execute("TRUNCATE assessment_results, assessments")
        #expect(try stored().isEmpty)
    }

    @Test(
        "with no default schedule at MUC, W-1 outside trials is excluded with the reason while W-2 on APROMISS is listed"
    )
    func exclusion() throws {
        let fixture = try WorklistFixture(siteSchedule: false)
        _ = try TrialService(connection: fixture.connection, today: fixture.registry.today)
            .add(definition: try TrialFixture.definition("NCT03016819-apromiss.json"))
        let outside = try fixture.patient("W-1", start: "2026-06-01")
        let onTrial = try fixture.patient("W-2", start: "2026-10-26", trial: "NCT03016819")
        let report = try fixture.worklist()
        #expect(report.items.map(\.registryID) == [onTrial])
        #expect(report.excluded.map(\.registryID) == [outside])
        #expect(report.excluded.first?.reason.contains("site MUC has no default imaging schedule") == true)
    }

    @Test(
        "a trial whose definition says \"schedule\": null leaves its line to MUC's default instead of failing the worklist"
    )
    func nullTrialSchedule() throws {
        let fixture = try WorklistFixture()
        let text = try String(decoding: TrialFixture.definition("NCT03016819-apromiss.json"), as: UTF8.self)
        let start = try #require(text.range(of: #""schedule": {"#))
        let end = try #require(text.range(of: "},\n  \"eligibility\"", range: start.upperBound..<text.endIndex))
        let withoutSchedule = text.replacingCharacters(
            in: start.lowerBound..<end.upperBound, with: "\"schedule\": null,\n  \"eligibility\"")
        _ = try TrialService(connection: fixture.connection, today: fixture.registry.today).add(
            definition: Data(withoutSchedule.utf8))
        let id = try fixture.patient("W-1", start: "2026-06-01", trial: "NCT03016819")
        let report = try fixture.worklist()
        #expect(report.excluded.isEmpty)
        #expect(report.items.map(\.registryID) == [id])
        #expect(report.items.first?.schedule == "site MUC")
    }

    @Test("dead, withdrawn and stopped lines are not on the worklist: W-1 died, W-2 withdrew, W-3 stopped for toxicity")
    func notFollowed() throws {
        let fixture = try WorklistFixture()
        let dead = try fixture.patient("W-1", start: "2026-06-01")
        try fixture.connection.execute(
            "UPDATE patients SET vital_status = 'dead', death_on = '2026-09-01' WHERE registry_id = \(dead)")
        let withdrawn = try fixture.patient("W-2", start: "2026-06-01")
        try fixture.connection.execute(
            "UPDATE patients SET consent_withdrawn_on = '2026-07-01' WHERE registry_id = \(withdrawn)")
        let stopped = try fixture.patient("W-3", start: "2026-06-01")
        try fixture.connection.execute(
            "UPDATE therapy_lines SET stopped_on = '2026-07-01', stop_reason = 'toxicity' WHERE patient_id = (SELECT patient_id FROM patients WHERE registry_id = \(stopped))"
        )
        #expect(try fixture.worklist().items.isEmpty)
    }

    @Test(
        "a site schedule with a 60-day window around 12-weekly scans is refused naming schedule.imaging[0].windowDays, and nothing is written"
    )
    func siteScheduleRefused() throws {
        let fixture = try WorklistFixture(siteSchedule: false)
        let sites = SiteService(connection: fixture.connection)
        let refusal = #expect(throws: RegistryError.self) {
            _ = try sites.setSchedule(
                site: "MUC", document: Data(#"{"imaging": [{"every": {"weeks": 12}, "windowDays": 60}]}"#.utf8))
        }
        guard case .input(.outOfRange(let field, let value, _))? = refusal else {
            Issue.record("expected outOfRange, got \(String(describing: refusal))")
            return
        }
        #expect(field == "schedule.imaging[0].windowDays")
        #expect(value == "60")
        #expect(try sites.schedule(site: "MUC") == nil)
        let unknown = #expect(throws: RegistryError.self) {
            _ = try sites.setSchedule(site: "MUX", document: WorklistFixture.siteSchedule)
        }
        guard case .unknownSite("MUX", let suggestion)? = unknown else {
            Issue.record("expected unknownSite, got \(String(describing: unknown))")
            return
        }
        #expect(suggestion == "MUC")
    }

    @Test("setting MUC's schedule again replaces it: one row, the new calendar")
    func siteScheduleReplaced() throws {
        let fixture = try WorklistFixture()
        let sites = SiteService(connection: fixture.connection)
        _ = try sites.setSchedule(
            site: "MUC", document: Data(#"{"survival": [{"every": {"months": 6}, "windowDays": 30}]}"#.utf8))
        #expect(try sites.schedule(site: "MUC")?.contains("\"months\": 6") == true)
        #expect(
            try fixture.connection.query("SELECT count(*) AS n FROM site_assessment_schedules")[0].decode(Int.self, "n")
                == 1)
    }

    @Test(
        "trial add refuses APROMISS with a 30-day window around 6-weekly scans naming schedule.imaging[0].windowDays; no trial is written"
    )
    func trialScheduleRefused() throws {
        let fixture = try WorklistFixture()
        let text = try String(decoding: TrialFixture.definition("NCT03016819-apromiss.json"), as: UTF8.self)
        let broken = text.replacingOccurrences(
            of: #"{"every": {"weeks": 6}, "windowDays": 7"#, with: #"{"every": {"weeks": 6}, "windowDays": 30"#)
        #expect(broken != text, "fixture drifted")
        let refusal = #expect(throws: TrialError.self) {
            _ = try TrialService(connection: fixture.connection, today: fixture.registry.today).add(
                definition: Data(broken.utf8))
        }
        #expect(refusal?.description.contains("schedule.imaging[0].windowDays 30 is out of range") == true)
        #expect(try fixture.connection.query("SELECT count(*) AS n FROM trials")[0].decode(Int.self, "n") == 0)
    }
}
