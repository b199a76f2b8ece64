import Foundation
import PostgresClient
import RegistryDomain
import Synchronization

/// A site's worklist on one day: what is overdue or due, and the patients it could not place on a calendar.
public struct WorklistReport: Codable, Sendable {
    public let site: String
    public let asOf: CalendarDate
    /// Latest first (``Worklist/sorted(_:)``).
    public let items: [WorklistItem]
    /// Patients left out, each with the reason; the rest of the worklist stands.
    public let excluded: [Exclusion]

    public struct Exclusion: Codable, Sendable, Hashable {
        public let registryID: String
        public let reason: String
    }
}

extension SiteService {
    /// Sets the site's default schedule from a JSON document shaped as a trial definition's `schedule`.
    ///
    /// - Throws: the first problem of the document, naming the field and value; nothing is written.
    public func setSchedule(site code: String, document json: Data) throws(RegistryError) -> AssessmentSchedules {
        let document: DefinitionValue
        do {
            document = try JSONDecoder().decode(DefinitionValue.self, from: json)
        } catch {
            throw .input(
                .malformed(
                    field: .file, value: String(decoding: json.prefix(40), as: UTF8.self), expected: "a JSON object"))
        }
        do {
            let schedules = try AssessmentSchedules(document: document, path: "schedule")
            try connection.withTransaction { tx in
                try Self.requireSite(code, on: tx)
                try tx.execute(
                    """
                    INSERT INTO site_assessment_schedules (site_code, schedule) VALUES (\(code), \(String(decoding: json, as: UTF8.self))::jsonb)
                    ON CONFLICT (site_code) DO UPDATE SET schedule = EXCLUDED.schedule, updated_at = now(), updated_by = current_user
                    """)
            }
            return schedules
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The site's default schedule document as stored, or nil when it has none.
    public func schedule(site code: String) throws(RegistryError) -> String? {
        do {
            try Self.requireSite(code, on: connection)
            return try connection.query(
                "SELECT schedule::text AS schedule FROM site_assessment_schedules WHERE site_code = \(code)"
            )
            .first.map { try $0.decode(String.self, "schedule") }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    static func requireSite(_ code: String, on connection: Connection) throws {
        if try connection.query("SELECT 1 FROM sites WHERE site_code = \(code)").isEmpty {
            throw RegistryError.unknownSite(code, didYouMean: try closestSite(to: code, on: connection))
        }
    }
}

/// The coordinator's morning list: fetched set-wise for one site or every site at once, computed by ``Worklist``.
public struct WorklistService {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The worklist of `site` on `asOf`, read in one snapshot so lines, dates and schedules agree.
    public func worklist(site code: String, asOf: CalendarDate) throws(RegistryError) -> WorklistReport {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                try SiteService.requireSite(code, on: tx)
                return try Self.worklists(sites: [code], asOf: asOf, on: tx)[0]
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The worklist of every site the login sees on `asOf`, in site order, from one snapshot and one pass over
    /// the registry: what the nightly site reports need, without a query per site.
    public func worklists(asOf: CalendarDate) throws(RegistryError) -> [WorklistReport] {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                let sites = try tx.query("SELECT site_code FROM sites ORDER BY site_code").map {
                    try $0.decode(String.self, "site_code")
                }
                return try Self.worklists(sites: sites, asOf: asOf, on: tx)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// One report per site of `codes`, in that order; a site with nothing to do gets an empty report.
    static func worklists(
        sites codes: [String], asOf: CalendarDate, on connection: Connection
    ) throws -> [WorklistReport] {
        // The lines query's per-line subquery for past days makes it look costly enough for JIT compilation, which
        // took most of its time for a site of 5,000 patients in a registry of 100,000 (460 of 614 ms).
        try connection.execute("SET LOCAL jit = off")
        var unreadable: [String: String] = [:]
        var siteDefaults: [String: AssessmentSchedules] = [:]
        for row in try connection.query(
            "SELECT site_code, schedule::text AS schedule FROM site_assessment_schedules WHERE site_code = ANY(\(codes))"
        ) {
            let (site, text) = try row.decode((String, String).self)
            do {
                siteDefaults[site] = try Self.schedules(text)
            } catch {
                unreadable["site \(site)"] = "the stored default schedule of site \(site) no longer reads: \(error)"
            }
        }
        var trialSchedules: [String: AssessmentSchedules] = [:]
        for row in try connection.query(
            "SELECT trial_nct, definition->'schedule' #>> '{}' AS schedule FROM trials WHERE jsonb_typeof(definition->'schedule') = 'object'"
        ) {
            let (nct, text) = try row.decode((String, String).self)
            do {
                trialSchedules[nct] = try Self.schedules(text)
            } catch {
                unreadable[nct] = "the stored schedule of \(nct) no longer reads: \(error)"
            }
        }
        var items: [String: [WorklistItem]] = [:]
        var excluded: [String: Set<WorklistReport.Exclusion>] = [:]
        func resolve(
            _ kind: ScheduleKind, site: String, _ registryID: String, _ trial: String?
        ) -> (schedule: VisitSchedule, name: String)? {
            switch Worklist.schedule(
                kind, trialNCT: trial, trialSchedules: trialSchedules, site: site, siteDefault: siteDefaults[site])
            {
            case .success(let found): return found
            case .failure(let missing):
                let reason = trial.flatMap { unreadable[$0] } ?? unreadable["site \(site)"] ?? missing.description
                excluded[site, default: []].insert(.init(registryID: registryID, reason: reason))
                return nil
            }
        }
        // Lines open on the day, of living patients who have not withdrawn consent by then, with what was
        // recorded up to the day, so a worklist as of a past day reads as it would have then. The outstanding visit
        // follows from the latest follow-up assessment alone (``Worklist/imaging``), which migration 0036 keeps per
        // line with each patient's first baseline: one row per line instead of searching each line's assessments.
        // Only a day before a line's latest assessment searches that line's assessments for the latest up to it.
        // Read in place: copying 100,000 rows into row values took as long as computing their entries.
        var scheduled: [ScheduledLine] = []
        try connection.forEachRow(
            """
            SELECT p.site_code, p.registry_id, l.line_number, l.started_on, l.trial_nct,
                   CASE WHEN f.last_assessed_on <= \(asOf) THEN f.last_assessed_on
                        WHEN f.last_assessed_on IS NOT NULL THEN
                            (SELECT max(a.assessed_on) FROM assessments a
                             WHERE a.therapy_line_id = l.therapy_line_id AND NOT a.is_baseline AND a.assessed_on <= \(asOf))
                   END AS last_assessed_on,
                   coalesce(b.first_baseline_on <= \(asOf), false) AS has_baseline
            FROM patients p JOIN therapy_lines l ON l.patient_id = p.patient_id
            LEFT JOIN line_follow_up_dates f ON f.therapy_line_id = l.therapy_line_id
            LEFT JOIN patient_baseline_dates b ON b.patient_id = p.patient_id
            WHERE p.site_code = ANY(\(codes)) AND l.started_on <= \(asOf) AND (l.stopped_on IS NULL OR l.stopped_on > \(asOf))
              AND (p.consent_withdrawn_on IS NULL OR p.consent_withdrawn_on > \(asOf))
              AND NOT (p.vital_status = 'dead' AND (p.death_on IS NULL OR p.death_on <= \(asOf)))
            """
        ) { row in
            let site = try row.decode(String.self, at: 0)
            let registryID = try row.decode(String.self, at: 1)
            let trial = try row.decode(String?.self, at: 4)
            guard let (schedule, name) = resolve(.imaging, site: site, registryID, trial) else { return }
            scheduled.append(
                ScheduledLine(
                    site: site, registryID: registryID, lineNumber: try row.integer(at: 2),
                    start: try row.decode(CalendarDate.self, at: 3),
                    lastAssessed: try row.decode(CalendarDate?.self, at: 5),
                    hasBaseline: try row.boolean(at: 6), schedule: schedule, scheduleName: name))
        }
        for (site, entries) in Self.imagingEntries(of: scheduled, asOf: asOf) {
            items[site, default: []] += entries
        }
        // Survival follow-up counts from the first progression: the first line stopped for it.
        let progressed = try connection.query(
            """
            SELECT p.site_code, p.registry_id, p.last_contact_on,
                   (array_agg(l.stopped_on ORDER BY l.stopped_on, l.line_number))[1] AS progressed_on,
                   (array_agg(l.trial_nct ORDER BY l.stopped_on, l.line_number))[1] AS trial_nct
            FROM patients p JOIN therapy_lines l USING (patient_id)
            WHERE p.site_code = ANY(\(codes)) AND l.stop_reason = 'progression' AND l.stopped_on <= \(asOf)
              AND (p.consent_withdrawn_on IS NULL OR p.consent_withdrawn_on > \(asOf))
              AND NOT (p.vital_status = 'dead' AND (p.death_on IS NULL OR p.death_on <= \(asOf)))
            GROUP BY p.patient_id
            """)
        for row in progressed {
            let (site, registryID) = try row.decode((String, String).self)
            let lastContact = try row.decode(CalendarDate?.self, "last_contact_on")
            let progressedOn = try row.decode(CalendarDate.self, "progressed_on")
            let trial = try row.decode(String?.self, "trial_nct")
            guard let (schedule, name) = resolve(.survival, site: site, registryID, trial) else { continue }
            if let item = Worklist.survival(
                registryID: registryID, progressedOn: progressedOn, lastContact: lastContact, schedule: schedule,
                scheduleName: name,
                asOf: asOf)
            {
                items[site, default: []].append(item)
            }
        }
        // Queries as they stand now: a query's past states are in its thread, not in the row the list reads.
        for row in try connection.query(
            """
            SELECT p.site_code, p.registry_id, q.query_id, q.record_kind, q.record_reference, q.status,
                   (q.opened_at AT TIME ZONE 'UTC')::date AS opened_on
            FROM data_queries q JOIN patients p USING (patient_id)
            WHERE p.site_code = ANY(\(codes)) AND q.status <> 'closed' AND (q.opened_at AT TIME ZONE 'UTC')::date <= \(asOf)
            """)
        {
            let record = DataRecord(
                stored: DataRecordKind(rawValue: try row.decode(String.self, "record_kind")) ?? .assessment,
                reference: try row.decode(String.self, "record_reference"))
            if let item = Worklist.waitingQuery(
                registryID: try row.decode(String.self, "registry_id"), queryID: try row.decode(Int.self, "query_id"),
                record: record,
                status: QueryStatus(rawValue: try row.decode(String.self, "status")) ?? .open,
                openedOn: try row.decode(CalendarDate.self, "opened_on"), asOf: asOf)
            {
                items[try row.decode(String.self, "site_code"), default: []].append(item)
            }
        }
        return codes.map { site in
            WorklistReport(
                site: site, asOf: asOf, items: Worklist.sorted(items[site] ?? []),
                excluded: (excluded[site] ?? []).sorted { ($0.registryID, $0.reason) < ($1.registryID, $1.reason) })
        }
    }

    /// An open line with the calendar it follows, as read for the worklist.
    struct ScheduledLine: Sendable {
        let site: String
        let registryID: String
        let lineNumber: Int
        let start: CalendarDate
        let lastAssessed: CalendarDate?
        let hasBaseline: Bool
        let schedule: VisitSchedule
        let scheduleName: String
    }

    /// Every line's imaging entries by site, computed on every core: a line's entries depend on that line alone.
    static func imagingEntries(of lines: [ScheduledLine], asOf: CalendarDate) -> [(site: String, [WorklistItem])] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 5_000))
        let computed = Mutex<[Int: [(site: String, [WorklistItem])]]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let entries = lines[lines.count * part / parts..<lines.count * (part + 1) / parts].map { line in
                (
                    line.site,
                    Worklist.imaging(
                        registryID: line.registryID, lineNumber: line.lineNumber, lineStart: line.start,
                        assessedOn: line.lastAssessed.map { [$0] } ?? [], hasBaseline: line.hasBaseline,
                        schedule: line.schedule, scheduleName: line.scheduleName, asOf: asOf)
                )
            }
            computed.withLock { $0[part] = entries }
        }
        return computed.withLock { parts in parts.keys.sorted().flatMap { parts[$0] ?? [] } }
    }

    static func schedules(_ text: String) throws(RegistryInputError) -> AssessmentSchedules {
        let document: DefinitionValue
        do {
            document = try JSONDecoder().decode(DefinitionValue.self, from: Data(text.utf8))
        } catch {
            throw .malformed(field: Field(path: "schedule"), value: String(text.prefix(40)), expected: "a JSON object")
        }
        return try AssessmentSchedules(document: document, path: "schedule")
    }
}
