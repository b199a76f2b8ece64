import Foundation
import PostgresClient
import RegistrySync
import TestSupport
import Testing

/// The REDCap fixture's night 1 (MUC-0001 with an investigator read, BER-0001 without assessments), with
/// MUC-0001's ECOG 1 on 2024-01-02 and 2 on 2024-03-01 and the investigator's read marked accepted.
private struct ScoredRegistry {
    let fixture: REDCapFixture

    init() throws {
        fixture = try REDCapFixture()
        _ = try fixture.importFile("night1.csv")
        // A connection of its own: the import's session keeps its run setting, which the audit trigger reads.
        let clinician = try fixture.database.connect()
        try clinician.execute(
            """
            INSERT INTO patient_ecog (patient_id, assessed_on, ecog)
            SELECT patient_id, d, e FROM patients, (VALUES (DATE '2024-01-02', 1), (DATE '2024-03-01', 2)) AS v (d, e)
            WHERE registry_id = 'MUC-0001'
            """)
        try clinician.execute(
            """
            INSERT INTO evaluator_reads (patient_id, evaluator, accepted)
            SELECT patient_id, 'investigator', true FROM patients WHERE registry_id = 'MUC-0001'
            """)
    }

    func export() throws -> String {
        let path = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        _ = try SyncService(connection: fixture.connection).exportREDCap(to: path)
        return path
    }
}

/// A fresh registry whose source `site-r` maps the export's data access groups (the site codes) to MUC and BER.
private func freshRegistry() throws -> REDCapFixture {
    let fresh = try REDCapFixture()
    try fresh.connection.execute("DELETE FROM sync_site_map")
    try SyncService(connection: fresh.connection).mapSite(source: "site-r", sourceSite: "muc", site: "MUC")
    try SyncService(connection: fresh.connection).mapSite(source: "site-r", sourceSite: "ber", site: "BER")
    return fresh
}

private let published = TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv"

private func importPublished(_ path: String, into registry: REDCapFixture) throws -> SyncRun {
    try SyncService(connection: registry.connection).importREDCap(
        REDCapImportRequest(file: path, dictionary: published, source: "site-r"))
}

/// Each row of `sql` as PostgreSQL's text of the whole row: `(MUC-0001,investigator,t)`.
private func records(_ sql: String, on connection: Connection) throws -> [String] {
    try connection.query(Query(unsafeSQL: "SELECT t::text AS row FROM (\(sql)) t")).map {
        try $0.decode(String.self, "row")
    }
}

/// The first column of each row of `sql`, as text.
private func rows(_ sql: String, on connection: Connection) throws -> [String] {
    try connection.query(Query(unsafeSQL: "SELECT x::text AS row FROM (\(sql)) AS t (x)")).map {
        try $0.decode(String.self, "row")
    }
}

/// `text` with `row` appended, a row given by export column.
private func appending(_ row: [String: String], to path: String) throws -> String {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let header = try #require(text.split(separator: "\n").first).split(separator: ",", omittingEmptySubsequences: false)
        .map(String.init)
    let cells = header.map { row[$0] ?? "" }
    let out = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
    try (text + cells.joined(separator: ",") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    return out
}

@Suite("REDCap carries ECOG (repeating, dated) and the accepted-read flag", .serialized)
struct REDCapECOGReadTests {
    @Test(
        "MUC-0001's ECOG 1 (2024-01-02) and 2 (2024-03-01) and its accepted investigator read survive export and import into a fresh registry; the same file again changes nothing"
    )
    func ecogAndAcceptedReadRoundTrip() throws {
        let source = try ScoredRegistry()
        let path = try source.export()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let exported = try csvRows(path)
        let ecog = exported.filter { $0["redcap_repeat_instrument"] == "ecog" }
        #expect(
            ecog.map {
                "\($0["record_id"] ?? "") \($0["redcap_repeat_instance"] ?? "") \($0["ecog_date"] ?? "") \($0["ecog_score"] ?? "")"
            }
                == ["MUC-0001 1 2024-01-02 1", "MUC-0001 2 2024-03-01 2"])
        let assessments = exported.filter { !($0["assessment_date"] ?? "").isEmpty }
        #expect(
            Set(assessments.map { "\($0["record_id"] ?? "")=\($0["assessment_accepted"] ?? "")" }) == ["MUC-0001=1"])

        let fresh = try freshRegistry()
        let first = try importPublished(path, into: fresh)
        #expect(first.files.map(\.quarantined) == [0])
        let ecogRows =
            "SELECT p.registry_id, e.assessed_on, e.ecog FROM patient_ecog e JOIN patients p USING (patient_id) ORDER BY 1, 2"
        let readRows =
            "SELECT p.registry_id, r.evaluator, r.accepted FROM evaluator_reads r JOIN patients p USING (patient_id) ORDER BY 1, 2"
        #expect(try records(ecogRows, on: fresh.connection) == records(ecogRows, on: source.fixture.connection))
        #expect(try records(readRows, on: fresh.connection) == ["(MUC-0001,investigator,t)"])

        let second = try importPublished(path, into: fresh)
        #expect(
            second.files.map(\.quarantined) == [0] && second.files.map(\.inserted) == [0]
                && second.files.map(\.updated) == [0])
        #expect(try records(ecogRows, on: fresh.connection) == records(ecogRows, on: source.fixture.connection))
    }

    @Test(
        "an export from before the ECOG form (no ecog or assessment_accepted columns) leaves the stored ECOG scores and the accepted read as they are"
    )
    func olderExportLeavesScores() throws {
        let source = try ScoredRegistry()
        _ = try source.fixture.importFile("night1.csv")
        let scores = try rows("SELECT count(*) FROM patient_ecog", on: source.fixture.connection)
        #expect(scores == ["2"])
        #expect(try rows("SELECT accepted FROM evaluator_reads", on: source.fixture.connection) == ["true"])
    }

    @Test(
        "two ECOG rows of MUC-0001 on 2024-03-01 (2 and 3) are both quarantined naming ecog_date: the registry holds one score a day"
    )
    func twoScoresOneDay() throws {
        let source = try ScoredRegistry()
        let path = try source.export()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let doubled = try appending(
            [
                "record_id": "MUC-0001", "redcap_event_name": "enrollment_arm_1", "redcap_repeat_instrument": "ecog",
                "redcap_repeat_instance": "3",
                "ecog_date": "2024-03-01", "ecog_score": "3", "ecog_complete": "2",
            ], to: path)
        defer { try? FileManager.default.removeItem(atPath: doubled) }
        let fresh = try freshRegistry()
        let run = try importPublished(doubled, into: fresh)
        #expect(run.files.map(\.quarantined) == [2])
        let reasons = try rows(
            "SELECT column_name || ': ' || reason FROM sync_quarantine WHERE run_id = \(run.runID) ORDER BY line_number",
            on: fresh.connection)
        #expect(
            reasons
                == Array(
                    repeating:
                        "ecog_date: another ECOG row of this record has the same date; the registry holds one score a day",
                    count: 2))
        #expect(try rows("SELECT assessed_on FROM patient_ecog", on: fresh.connection) == ["2024-01-02"])
    }

    @Test("an ECOG score of 6 is quarantined as not a choice of ecog_score")
    func scoreOutOfRange() throws {
        let source = try ScoredRegistry()
        let path = try source.export()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wrong = try appending(
            [
                "record_id": "MUC-0001", "redcap_event_name": "enrollment_arm_1", "redcap_repeat_instrument": "ecog",
                "redcap_repeat_instance": "3",
                "ecog_date": "2024-05-01", "ecog_score": "6", "ecog_complete": "2",
            ], to: path)
        defer { try? FileManager.default.removeItem(atPath: wrong) }
        let fresh = try freshRegistry()
        let run = try importPublished(wrong, into: fresh)
        let reasons = try rows(
            "SELECT column_name || ' ' || value || ': ' || reason FROM sync_quarantine WHERE run_id = \(run.runID)",
            on: fresh.connection)
        #expect(reasons == ["ecog_score 6: not a choice of ecog_score; expected 0, 1, 2, 3, 4, 5"])
    }

    @Test(
        "assessments of the investigator disagreeing on the accepted-read flag (1 on the baseline, 0 on the follow-up) are both quarantined naming assessment_accepted"
    )
    func conflictingAcceptedFlags() throws {
        let source = try ScoredRegistry()
        let path = try source.export()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let header = try #require(text.split(separator: "\n").first).split(
            separator: ",", omittingEmptySubsequences: false
        ).map(String.init)
        let accepted = try #require(header.firstIndex(of: "assessment_accepted"))
        let event = try #require(header.firstIndex(of: "redcap_event_name"))
        text =
            text.split(separator: "\n").map { line in
                var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if cells.count == header.count, cells[event] == "assessment_2_arm_1", cells[accepted] == "1" {
                    cells[accepted] = "0"
                }
                return cells.joined(separator: ",")
            }.joined(separator: "\n") + "\n"
        let conflicting = NSTemporaryDirectory() + "redcap-\(UUID().uuidString).csv"
        try text.write(toFile: conflicting, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: conflicting) }
        let fresh = try freshRegistry()
        let run = try importPublished(conflicting, into: fresh)
        let columns = try rows(
            "SELECT DISTINCT column_name FROM sync_quarantine WHERE run_id = \(run.runID) AND column_name = 'assessment_accepted'",
            on: fresh.connection)
        #expect(columns == ["assessment_accepted"])
        #expect(
            try rows(
                "SELECT count(*) FROM sync_quarantine WHERE run_id = \(run.runID) AND column_name = 'assessment_accepted'",
                on: fresh.connection) == ["2"])
        #expect(try rows("SELECT count(*) FROM evaluator_reads", on: fresh.connection) == ["0"])
    }
}
