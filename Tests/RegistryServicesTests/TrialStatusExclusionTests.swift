import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing
import TestSupport

@Suite("trial status never fails for one enrollment: a stratum it cannot count is listed, not dropped")
struct TrialStatusExclusionTests {
    @Test(
        "MUC-0002's stored stratum overwritten to region=eu by SQL: status counts both in the cohort, one in region=us, lists MUC-0002 as excluded in table, CSV and JSON, and the command exits 3"
    )
    func unknownStratumIsListed() throws {
        let fixture = try TrialFixture()
        _ = try fixture.trials().add(definition: TrialFixture.leiomyosarcomaTrial(capacity: 10, stratified: true))
        for mrn in ["EX-1", "EX-2"] {
            let id = try fixture.patient(mrn: mrn, icdo3: "8890/3", priorAgents: [])
            _ = try fixture.trials().enroll(id, TrialEnrollmentRequest(trialNCT: "NCT09000001", strata: ["region=us"]))
        }
        let changed = try fixture.connection.run(
            """
            UPDATE trial_enrollments SET stratum_key = 'region=eu'
            WHERE patient_id = (SELECT patient_id FROM patients WHERE registry_id = 'MUC-0002')
            """)
        try #require(changed == 1)
        let reason = "its stratum 'region=eu' is not one of the trial's strata (region=us, region=non_us)"

        let status = try fixture.trials().status("NCT09000001")
        #expect(status.cohorts.map(\.count) == [2])
        #expect(status.strata.map(\.key) == ["main: region=us"] && status.strata.map(\.count) == [1])
        #expect(status.excludedEnrollments.map(\.registryID) == ["MUC-0002"])
        #expect(status.excludedEnrollments.map(\.cohort) == ["main"])
        #expect(status.excludedEnrollments.map(\.reason) == [reason])

        let environment = ["DATABASE_URL": fixture.registry.database.connectionString]
        let table = try CommandLineRun.sarcreg(["trial", "status", "NCT09000001"], environment: environment)
        #expect(table.exitCode == 3, "\(table.stderr)")
        // The table wraps the reason at 100 columns, its count beside the first line: look for both pieces.
        let flattened = table.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flattened.contains("excluded MUC-0002 cohort main: its stratum 'region=eu' is not one of the trial's"))
        #expect(flattened.contains("strata (region=us, region=non_us)"))
        #expect(
            table.stderr
                == "Warning: 1 enrollment left out of the report; each is listed in it with the reason (exit status 3)\n"
        )
        let csv = try CommandLineRun.sarcreg(
            ["trial", "status", "NCT09000001", "--format", "csv"], environment: environment)
        #expect(csv.exitCode == 3)
        #expect(csv.stdout.contains("excluded,\"MUC-0002 cohort main: \(reason)\",1,\r\n"), "\(csv.stdout)")
        let json = try CommandLineRun.sarcreg(
            ["trial", "status", "NCT09000001", "--format", "json"], environment: environment)
        #expect(json.exitCode == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let excluded = try #require(object["excludedEnrollments"] as? [[String: Any]])
        #expect(excluded.count == 1 && excluded.first?["registryID"] as? String == "MUC-0002")
    }

    @Test("a trial without enrollments outside its strata exits 0 and lists nothing as excluded")
    func nothingExcluded() throws {
        let fixture = try TrialFixture()
        _ = try fixture.trials().add(definition: TrialFixture.leiomyosarcomaTrial(capacity: 10, stratified: true))
        let id = try fixture.patient(mrn: "OK-1", icdo3: "8890/3", priorAgents: [])
        _ = try fixture.trials().enroll(id, TrialEnrollmentRequest(trialNCT: "NCT09000001", strata: ["region=non_us"]))
        #expect(try fixture.trials().status("NCT09000001").excludedEnrollments.isEmpty)
        let run = try CommandLineRun.sarcreg(
            ["trial", "status", "NCT09000001"],
            environment: ["DATABASE_URL": fixture.registry.database.connectionString])
        #expect(run.exitCode == 0 && run.stderr.isEmpty, "\(run.stderr)")
    }
}
