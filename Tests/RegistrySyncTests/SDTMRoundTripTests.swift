import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

@Suite("SDTM round trip", .serialized)
struct SDTMRoundTripTests {
    /// The columns SDTM does not carry, each listed by the export (``SyncService/sdtmOmissions()``): the MRN
    /// (pseudonymized), the full birth date (BRTHDTC is the year alone; the import keeps the exact AGE in its
    /// stead) and how the patient came in.
    static let notCarried: Set<String> = ["mrn_hmac", "birth_date", "age_at_consent", "origin"]

    @Test(
        """
        a registry of every kind of record, exported as SDTM and imported into a fresh registry, holds the same rows in every \
        table but the MRN, the full birth date and the origin; every reader's computed responses are the same; and it \
        exports again to the same files
        """)
    func everyRecordSurvives() throws {
        let original = try FullRegistryFixture()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sdtm-roundtrip-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let written = try SyncService(connection: original.connection).exportSDTM(to: base + "/a")
        #expect(
            written.map(\.file) == [
                "dm.csv", "ds.csv", "mh.csv", "suppmh.csv", "gf.csv", "suppgf.csv", "ex.csv", "suppex.csv", "ae.csv",
                "suppae.csv", "tu.csv",
                "tr.csv", "rs.csv",
            ])
        let omissions = try SyncService(connection: original.connection).sdtmOmissions()
        #expect(
            omissions.map { $0.what.components(separatedBy: " (")[0] } == [
                "MRNs", "full birth dates", "patients entered by hand", "site names",
            ])
        #expect(omissions.map(\.count) == [3, 2, 3, 2])

        // Every reader's computed best responses, confirmed and unconfirmed, travel as derived RS records.
        let responses = try String(contentsOfFile: base + "/a/rs.csv", encoding: .utf8).split(separator: "\n")
        #expect(responses.filter { $0.contains(",BESTRESP,") && $0.hasSuffix(",Y") }.count == 4)
        #expect(responses.filter { $0.contains(",UBESTRSP,") && $0.hasSuffix(",Y") }.count == 4)

        let database = try TestDatabase.make()
        let connection = try database.connect()
        _ = try SiteService(connection: connection).add(code: "MUC", name: "Munich Sarcoma Center")
        _ = try SiteService(connection: connection).add(code: "BER", name: "Berlin Sarcoma Center")
        let sync = SyncService(connection: connection)
        try sync.mapSite(source: "registry", sourceSite: "MUC", site: "MUC")
        try sync.mapSite(source: "registry", sourceSite: "BER", site: "BER")
        let outcome = try sync.runSDTMImport(SyncImportRequest(directory: base + "/a", source: "registry"))
        #expect(outcome.run.status == "succeeded")
        let rejects = try sync.rejects(run: outcome.run.runID)
        #expect(
            rejects.isEmpty,
            "\(rejects.map { "\($0.fileName):\($0.lineNumber) \($0.column ?? "") \($0.value ?? "") \($0.reason)" })")

        let before = try RegistryContents(of: original.connection).without(Self.notCarried, of: "patients")
        let after = try RegistryContents(of: connection).without(Self.notCarried, of: "patients")
        let differences = before.differences(from: after)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")

        for (registryID, evaluators) in FullRegistryFixture.readers {
            for evaluator in evaluators {
                let expected = try ResponseService(connection: original.connection).response(
                    registryID,
                    evaluator: Evaluator(evaluator ?? "investigator"))
                let actual = try ResponseService(connection: connection).response(
                    registryID,
                    evaluator: Evaluator(evaluator ?? "investigator"))
                #expect(
                    actual.timeline == expected.timeline && actual.series == expected.series,
                    "\(registryID) \(evaluator ?? "investigator")")
                #expect(
                    actual.baseline == expected.baseline,
                    "\(registryID) \(evaluator ?? "investigator"): \(actual.baseline) != \(expected.baseline)")
                #expect(actual.lineNumber == expected.lineNumber && actual.trialNCT == expected.trialNCT)
            }
        }

        _ = try sync.exportSDTM(to: base + "/b")
        for file in written.map(\.file) {
            let first = try String(contentsOfFile: base + "/a/" + file, encoding: .utf8).split(separator: "\n").sorted()
            let second = try String(contentsOfFile: base + "/b/" + file, encoding: .utf8).split(separator: "\n")
                .sorted()
            #expect(first == second, "\(file) differs after the round trip")
        }

        // The same export again changes nothing, the withdrawn patient's records included.
        let rerun = try sync.runSDTMImport(SyncImportRequest(directory: base + "/a", source: "registry"))
        #expect(
            rerun.run.files.allSatisfy { $0.inserted == 0 && $0.updated == 0 && $0.quarantined == 0 },
            "\(rerun.run.files.map { "\($0.fileName) +\($0.inserted) ~\($0.updated) !\($0.quarantined)" })")
        let rerunDifferences = after.differences(
            from: try RegistryContents(of: connection).without(Self.notCarried, of: "patients"))
        #expect(rerunDifferences.isEmpty, "\(rerunDifferences.joined(separator: "\n"))")
    }
}
