import Foundation
import PostgresClient
import RegistrySync
import TestSupport
import Testing

/// The demo's REDCap export (site BCN) with BCN-R04's consent withdrawn on 2024-12-01.
@Suite("REDCap: a withdrawn patient's rows already held are kept on a rerun, and only new rows are refused")
struct REDCapWithdrawalTests {
    static let root = TestDatabase.repositoryRoot

    static func withdrawn(adding extraRow: [String: String]? = nil) throws -> String {
        var lines = try String(contentsOfFile: root + "/Demo/redcap/export.csv", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = { (name: String) in try #require(header.firstIndex(of: name)) }
        let withdrawnColumn = try column("consent_withdrawn_date")
        let enrollment = try #require(lines.firstIndex { $0.hasPrefix("BCN-R04,enrollment_arm_1,,") })
        var cells = lines[enrollment].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[withdrawnColumn] = "2024-12-01"
        lines[enrollment] = cells.joined(separator: ",")
        if let extraRow {
            var row = Array(repeating: "", count: header.count)
            for (name, value) in extraRow { row[try column(name)] = value }
            lines.append(row.joined(separator: ","))
        }
        let path = NSTemporaryDirectory() + "withdrawn-\(UUID().uuidString).csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "BCN-R04 withdrew on 2024-12-01: the same export twice quarantines nothing the second time; an AE new in a third export is refused with the withdrawal"
    )
    func rerunKeepsHeldRowsOfAWithdrawnPatient() throws {
        let database = try TestDatabase.make()
        let connection = try database.connect()
        try connection.execute("INSERT INTO sites (site_code, name) VALUES ('BCN', 'Barcelona')")
        let sync = SyncService(connection: connection)
        try sync.mapSite(source: "demo-redcap", sourceSite: "demo_bcn", site: "BCN")
        let dictionary = Self.root + "/REDCap/sarcreg_data_dictionary.csv"
        let first = try Self.withdrawn()
        defer { try? FileManager.default.removeItem(atPath: first) }

        let run1 = try sync.importREDCap(
            REDCapImportRequest(file: first, dictionary: dictionary, source: "demo-redcap"))
        #expect(run1.files.map(\.quarantined) == [0])
        let run2 = try sync.importREDCap(
            REDCapImportRequest(file: first, dictionary: dictionary, source: "demo-redcap"))
        #expect(run2.files.map(\.quarantined) == [0])
        #expect(run2.files.map(\.inserted) == [0] && run2.files.map(\.updated) == [0])
        #expect(run2.files.map(\.unchanged) == run2.files.map(\.rowsRead))

        let third = try Self.withdrawn(adding: [
            "record_id": "BCN-R04", "redcap_event_name": "enrollment_arm_1",
            "redcap_repeat_instrument": "adverse_event",
            "redcap_repeat_instance": "9", "redcap_data_access_group": "demo_bcn", "ae_term": "Fatigue",
            "ae_ctcae_version": "5.0",
            "ae_grade": "1", "ae_onset_date": "2024-08-01", "ae_attribution": "possible", "ae_serious": "0",
            "ae_line": "2",
            "adverse_event_complete": "2",
        ])
        defer { try? FileManager.default.removeItem(atPath: third) }
        let run3 = try sync.importREDCap(
            REDCapImportRequest(file: third, dictionary: dictionary, source: "demo-redcap"))
        #expect(run3.files.map(\.quarantined) == [1])
        let reasons = try connection.query("SELECT reason FROM sync_quarantine WHERE run_id = \(run3.runID)").map {
            try $0.decode(String.self, "reason")
        }
        #expect(reasons == ["the patient withdrew consent on 2024-12-01; nothing new may be recorded"])
    }
}
