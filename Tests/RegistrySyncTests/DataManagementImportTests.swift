import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import Testing

/// The clean fixture's export as a later night sends it, with the week-12 investigator response replaced.
private func nightWithWeek12(_ response: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dm-night-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for file in try FileManager.default.contentsOfDirectory(atPath: SyncFixture.fixtures + "/clean") {
        var text = try String(contentsOfFile: SyncFixture.fixtures + "/clean/" + file, encoding: .utf8)
        if file == "rs.csv" {
            text = text.replacingOccurrences(
                of: "OVRLRESP,Overall Response,RECIST 1.1,SD,SD,INVESTIGATOR,,Y,3,WEEK 12",
                with: "OVRLRESP,Overall Response,RECIST 1.1,\(response),\(response),INVESTIGATOR,,Y,3,WEEK 12")
        }
        try text.write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)
    }
    return folder
}

/// A night's reconciliation as opened, reopened, closed, unchanged.
private func reconcile(_ fixture: SyncFixture) throws -> [Int] {
    let done = try fixture.service.reconcileDiscrepancyQueries()
    return [done.opened, done.reopened, done.closed, done.unchanged]
}

@Suite("data management in the nightly import: discrepancy queries and locked patients", .serialized)
struct DataManagementImportTests {
    @Test(
        "night 1's week-12 SD against the engine's PD opens one query on the investigator's 2014-03 visit; a rerun leaves it; night 2 sending PD closes it; night 3 sending SD again reopens it"
    )
    func discrepancyQueriesOpenAndClose() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        let first = try reconcile(fixture)
        #expect(first == [1, 0, 0, 0])
        let queries = DataQueryService(connection: fixture.connection)
        let opened = try #require(try queries.list(QueryFilter()).first)
        #expect(opened.registryID == "MUC-0001" && opened.status == .open)
        #expect(opened.record == DataRecord(stored: .assessment, reference: "investigator/2014-03"))
        #expect(opened.field == "overall response" && opened.discrepancyKey == "MUC-0001/investigator/WEEK 12")
        #expect(
            opened.messages.map(\.body) == [
                "the source reports SD for visit WEEK 12 on 2014-03; the registry computes PD (\(try fixture.service.discrepancies()[0].rule))"
            ])
        #expect(try reconcile(fixture) == [0, 0, 0, 1])

        let agreeing = try nightWithWeek12("PD")
        defer { try? FileManager.default.removeItem(atPath: agreeing) }
        _ = try fixture.service.importSDTM(SyncImportRequest(directory: agreeing, source: "site-a"))
        #expect(try reconcile(fixture) == [0, 0, 1, 0])
        let closed = try queries.query(opened.queryID)
        #expect(closed.status == .closed)
        #expect(closed.messages.map(\.action) == [.open, .close])
        #expect(closed.messages.last?.body.hasPrefix("a later import agrees") == true)

        let disagreeing = try nightWithWeek12("SD")
        defer { try? FileManager.default.removeItem(atPath: disagreeing) }
        _ = try fixture.service.importSDTM(SyncImportRequest(directory: disagreeing, source: "site-a"))
        #expect(try reconcile(fixture) == [0, 1, 0, 0])
        #expect(try queries.query(opened.queryID).status == .reopened)
        #expect(try fixture.count("data_queries") == 1)
    }

    @Test(
        "a locked patient's rows of a later night are quarantined with 'patient MUC-0001 is locked' and the rule, the run succeeds, and the patient's week-12 response is not changed"
    )
    func lockedPatientQuarantined() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("clean")
        _ = try PatientLockService(connection: fixture.connection).lock("MUC-0001")
        let changed = try nightWithWeek12("PD")
        defer { try? FileManager.default.removeItem(atPath: changed) }
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: changed, source: "site-a"))
        #expect(run.status == "succeeded")
        let rejects = try fixture.service.rejects(run: run.runID)
        let locked = rejects.filter { $0.reason.hasPrefix("patient MUC-0001 is locked; ") }
        #expect(Set(locked.map(\.fileName)).isSuperset(of: ["dm.csv", "rs.csv", "tr.csv"]), "\(rejects)")
        #expect(locked.allSatisfy { $0.reason.hasSuffix(ConstraintRefusal.raisedRules["patient_records_locked"]!) })
        let week12 = try fixture.connection.query(
            "SELECT response FROM source_responses WHERE evaluator = 'investigator' AND visit = 'WEEK 12' AND test_code = 'OVRLRESP'"
        )
        #expect(try week12.map { try $0.decode(String.self, "response") } == ["SD"])
    }
}
