import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Synchronization
import Testing
import TestSupport

@Suite("Enrollment hands out registry ids and keeps MRNs pseudonymized")
struct EnrollmentTests {
    @Test("the first two patients at MUC are MUC-0001 and MUC-0002")
    func consecutiveIDs() throws {
        let fixture = try RegistryFixture()
        #expect(try fixture.enroll(mrn: "A100").registryID == "MUC-0001")
        #expect(try fixture.enroll(mrn: "A101").registryID == "MUC-0002")
    }

    @Test(
        "enrolling MRN 4711 twice at MUC is refused with the existing registry id; spelling variants count as the same MRN"
    )
    func duplicateMRN() throws {
        let fixture = try RegistryFixture()
        try fixture.enroll(mrn: "ab-4711")
        let before = try fixture.counts()
        #expect {
            try fixture.enroll(mrn: " AB 4711 ")
        } throws: { error in
            guard case RegistryError.mrnAlreadyEnrolled(let site, let id) = error else { return false }
            return site == "MUC" && id == "MUC-0001"
        }
        #expect(try fixture.counts() == before)
        // The refused enrollment used no number: the next patient is MUC-0002.
        #expect(try fixture.enroll(mrn: "AB4712").registryID == "MUC-0002")
    }

    @Test("the same MRN may be enrolled at two sites (the hash is per site), each with its own id")
    func sameMRNOtherSite() throws {
        let fixture = try RegistryFixture(sites: [("MUC", "Munich"), ("LYO", "Lyon")])
        #expect(try fixture.enroll(mrn: "555", site: "MUC").registryID == "MUC-0001")
        #expect(try fixture.enroll(mrn: "555", site: "LYO").registryID == "LYO-0001")
    }

    @Test("20 coordinators enrolling at MUC at once get 20 distinct, consecutive registry ids")
    func parallelEnrollment() throws {
        let fixture = try RegistryFixture()
        let ids = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let connectionString = fixture.database.connectionString
        let key = fixture.key
        let today = fixture.today
        for index in 0..<20 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let service = PatientService(connection: try Connection(connectionString), today: today)
                    let patient = try service.enroll(
                        EnrollmentRequest(
                            site: "MUC", mrn: "PAR\(index)", birth: try PartialDate(iso: "1980"), sex: .male,
                            consentDate: try CalendarDate(iso: "2025-03-01")), key: key)
                    ids.withLock { $0.append(patient.registryID) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        let expected = (1...20).map { "MUC-" + String(format: "%04d", $0) }
        #expect(ids.withLock { $0 }.sorted() == expected)
        #expect(try fixture.patients.list(site: "MUC").map(\.registryID) == expected)
    }

    @Test("a birth year alone is accepted; a month-only birth date and a birth in the future are refused by field")
    func birthForms() throws {
        let fixture = try RegistryFixture()
        #expect(try fixture.enroll(mrn: "B1", birth: "1961").birthYear == 1961)
        #expect(throws: RegistryError.self) { try fixture.enroll(mrn: "B2", birth: "1961-04") }
        let future = #expect(throws: RegistryError.self) { try fixture.enroll(mrn: "B3", birth: "2030-01-01") }
        #expect(future?.description == "birth date 2030-01-01 is in the future (today is 2026-11-27)")
    }

    @Test("consent before the birth year is refused naming --consent-date")
    func consentBeforeBirth() throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.patients.enroll(
                EnrollmentRequest(
                    site: "MUC", mrn: "C1", birth: try PartialDate(iso: "1990"), sex: .female,
                    consentDate: try CalendarDate(iso: "1989-12-31")), key: fixture.key)
        }
        #expect(error?.description == "consent date 1989-12-31 is before the patient's birth (born 1990)")
        #expect(try fixture.counts()["patients"] == 0)
    }

    @Test("ECOG is a history: enrollment, then two follow-ups, listed by date; a score of 6 is refused")
    func ecogHistory() throws {
        let fixture = try RegistryFixture()
        let patient = try fixture.patients.enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "E1", birth: try PartialDate(iso: "1955"), sex: .male,
                consentDate: try CalendarDate(iso: "2024-01-02"), ecog: 1, ecogDate: try CalendarDate(iso: "2024-01-02")
            ), key: fixture.key)
        _ = try fixture.patients.update(
            patient.registryID, PatientUpdate(ecog: 2, ecogDate: try CalendarDate(iso: "2024-06-01")))
        _ = try fixture.patients.update(
            patient.registryID,
            PatientUpdate(
                lastContact: try CalendarDate(iso: "2024-09-01"), ecog: 3,
                ecogDate: try CalendarDate(iso: "2024-09-01")))
        let record = try fixture.patients.show(patient.registryID)
        #expect(record.ecog.map(\.ecog) == [1, 2, 3])
        #expect(record.patient.lastContactOn == CalendarDate(year: 2024, month: 9, day: 1))
        let error = #expect(throws: RegistryError.self) {
            try fixture.patients.update(
                patient.registryID, PatientUpdate(ecog: 6, ecogDate: try CalendarDate(iso: "2024-10-01")))
        }
        #expect(error?.description == "ECOG performance status 6 is out of range; allowed 0 to 5")
    }

    @Test("a date of death sets vital status to dead; a last contact after death is refused")
    func death() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.enroll(mrn: "D1").registryID
        let updated = try fixture.patients.update(id, PatientUpdate(deathDate: try CalendarDate(iso: "2025-05-05")))
        #expect(updated.vitalStatus == .dead)
        #expect(throws: RegistryError.self) {
            try fixture.patients.update(
                id,
                PatientUpdate(lastContact: try CalendarDate(iso: "2025-06-01")))
        }
        #expect(try fixture.patients.show(id).patient.lastContactOn == nil)
    }

    @Test("after consent is withdrawn the record stays but nothing new may be recorded")
    func withdrawal() throws {
        let fixture = try RegistryFixture()
        let id = try fixture.enroll(mrn: "W1").registryID
        let withdrawn = try fixture.patients.withdraw(id, on: try CalendarDate(iso: "2025-02-01"))
        #expect(withdrawn.consentWithdrawnOn == CalendarDate(year: 2025, month: 2, day: 1))
        let error = #expect(throws: RegistryError.self) {
            try fixture.diagnostics.recordDiagnosis(
                id,
                DiagnosisSubmission(
                    icdo3Code: try HistologyCode("8890/3"), icdoVersion: .v3_2,
                    primarySite: "uterus", diagnosed: try PartialDate(iso: "2023"), diseaseSetting: .metastatic))
        }
        #expect(error?.description == "MUC-0001 withdrew consent on 2025-02-01; nothing new may be recorded")
        #expect(try fixture.patients.list().count == 1)
    }

    @Test(
        "the 9,999th and the 10,000th patient of MUC are enrolled as MUC-9999 and MUC-10000, and the registry id check holds for both"
    )
    func registryIDsGrowPastFourDigits() throws {
        let fixture = try RegistryFixture()
        try fixture.connection.execute("UPDATE sites SET next_patient_number = 9998 WHERE site_code = 'MUC'")
        let enrolled = try (0..<3).map { try fixture.enroll(mrn: "GROW-\($0)").registryID }
        #expect(enrolled == ["MUC-9998", "MUC-9999", "MUC-10000"])
        #expect(try fixture.patients.list().map(\.registryID).suffix(3) == ["MUC-9998", "MUC-9999", "MUC-10000"])
        let stored = try fixture.connection.query("SELECT site_sequence FROM patients WHERE registry_id = 'MUC-10000'")
        #expect(try stored.first?.decode(Int.self, "site_sequence") == 10000)
    }

    @Test("the MRN key must be at least 32 bytes and comes from a key file before the variable")
    func keyRules() throws {
        #expect(throws: RegistryError.self) { try MRNKey(secret: Data("short".utf8)) }
        #expect(throws: RegistryError.self) { try MRNKey.fromEnvironment([:]) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mrn-key-\(UUID())").path
        try "a-key-file-that-is-long-enough-for-hmac-sha256\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try MRNKey.fromEnvironment([
            "SARCREG_MRN_KEY_FILE": path, "SARCREG_MRN_KEY": "another-key-that-is-long-enough-for-hmac",
        ])
        let direct = try MRNKey(secret: Data("a-key-file-that-is-long-enough-for-hmac-sha256".utf8))
        #expect(fromFile.hash(mrn: "123") == direct.hash(mrn: "123"))
        #expect(fromFile.hash(mrn: "123") != fromFile.hash(mrn: "124"))
        #expect(fromFile.hash(mrn: "123").count == 64)
    }

    /// A key file holding `contents` with mode `mode`, removed by the caller.
    static func keyFile(_ contents: String, mode: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mrn-key-\(UUID())").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test(
        "an MRN key file with mode 0644 (or 0666, 0640) is refused naming the file and its mode; 0600 and 0400 are accepted",
        arguments: [0o644, 0o666, 0o640, 0o600, 0o400])
    func keyFileMode(mode: Int) throws {
        let path = try Self.keyFile("a-key-file-that-is-long-enough-for-hmac-sha256", mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["SARCREG_MRN_KEY_FILE": path]
        if mode == 0o600 || mode == 0o400 {
            #expect(throws: Never.self) { try MRNKey.fromEnvironment(environment) }
        } else {
            let error = #expect(throws: RegistryError.self) { try MRNKey.fromEnvironment(environment) }
            #expect(
                error?.description.contains("\(path)) has mode \(String(mode, radix: 8))") == true,
                "\(String(describing: error))")
            #expect(error?.description.contains("a-key-file") == false)
        }
    }

    @Test(
        "an MRN key of 32 zero bytes, 32 ASCII zeros or a repeated pair is refused as too predictable; a random hex key is accepted"
    )
    func keyEntropy() throws {
        for weak in [
            Data(count: 32), Data(String(repeating: "0", count: 32).utf8),
            Data(String(repeating: "ab", count: 16).utf8),
        ] {
            let error = #expect(throws: RegistryError.self) { try MRNKey(secret: weak) }
            #expect(error?.description.contains("too predictable") == true, "\(String(describing: error))")
        }
        let path = try Self.keyFile(String(repeating: "0", count: 32) + "\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: RegistryError.self) { try MRNKey.fromEnvironment(["SARCREG_MRN_KEY_FILE": path]) }
        let random = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        #expect(throws: Never.self) { try MRNKey(secret: Data(random.utf8)) }
    }

    @Test("the first enrollment stores the key's fingerprint, which is neither the key nor an MRN hash")
    func fingerprintStored() throws {
        let fixture = try RegistryFixture()
        #expect(try fixture.connection.query("SELECT fingerprint FROM mrn_key_fingerprint").isEmpty)
        try fixture.enroll(mrn: "F-1")
        let stored = try fixture.connection.query("SELECT fingerprint FROM mrn_key_fingerprint")
        #expect(stored.count == 1)
        let fingerprint = try stored[0].decode(String.self, "fingerprint")
        #expect(fingerprint == fixture.key.fingerprint)
        #expect(fingerprint != fixture.key.hash(mrn: "F-1") && fingerprint.count == 64)
    }

    @Test("enrolling MRN 4711 with a second key after the first is refused as another key, and nothing is written")
    func secondKeyRefused() throws {
        let fixture = try RegistryFixture()
        try fixture.enroll(mrn: "4711")
        let before = try fixture.counts()
        let other = try MRNKey(secret: Data("a second key, 32 bytes or longer, must never be used here".utf8))
        #expect {
            try fixture.patients.enroll(
                EnrollmentRequest(
                    site: "MUC", mrn: "4711", birth: try PartialDate(iso: "1970-05-04"), sex: .female,
                    consentDate: try CalendarDate(iso: "2024-01-10")), key: other)
        } throws: { error in
            guard case RegistryError.mrnKeyMismatch = error else { return false }
            return "\(error)".contains("not the key this registry was keyed with")
                && "\(error)".contains("nothing was enrolled")
        }
        #expect(try fixture.counts() == before)
        #expect(
            try fixture.connection.query("SELECT fingerprint FROM mrn_key_fingerprint")[0].decode(
                String.self, "fingerprint") == fixture.key.fingerprint)
        #expect(try fixture.enroll(mrn: "4712").registryID == "MUC-0002", "the registry's own key still enrolls")
    }
}
