import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

/// A registry with one patient recorded through the services: infantile fibrosarcoma (8814/3) with an
/// ETV6::NTRK3 fusion, first-line larotrectinib from 2024-01-08 stopped for progression on 2024-03-05, a grade 3
/// ALT increase on that line, and an investigator baseline (T1 liver 42 mm, NT1 bone) with a follow-up on
/// 2024-03-01 where T1 grew to 60 mm (+43 %: PD).
private struct FHIRFixture {
    let database: TestDatabase
    let connection: Connection
    let registryID: String

    init() throws {
        database = try TestDatabase.make()
        connection = try database.connect()
        let today = CalendarDate(year: 2026, month: 11, day: 27)!
        _ = try SiteService(connection: connection).add(code: "MUC", name: "Munich Sarcoma Center")
        let key = try MRNKey(secret: Data("test-only key, 32 bytes or longer, never used in production".utf8))
        registryID = try PatientService(connection: connection, today: today).enroll(
            EnrollmentRequest(site: "MUC", mrn: "F-1", birth: "1970-05-04", sex: "female", consentDate: "2024-01-02"), key: key
        ).registryID
        let diagnostics = DiagnosticService(connection: connection, today: today)
        _ = try diagnostics.recordDiagnosis(registryID, DiagnosisSubmission(
            icdo3Code: "8814/3", icdoVersion: "3.2", primarySite: "thigh", diagnosed: "2023-12", diseaseSetting: "metastatic"))
        _ = try diagnostics.recordMolecular(registryID, MolecularSubmission(
            gene: "NTRK3", alterationKind: "fusion", partnerGene: "ETV6", method: "ngs_rna", result: "positive", reportDate: "2023-12-20"))
        let treatment = TreatmentService(connection: connection, today: today)
        _ = try treatment.start(registryID, TherapyStart(agents: ["larotrectinib"], intent: "palliative", startDate: "2024-01-08", dose: "100 mg bid"))
        _ = try treatment.recordAdverseEvent(registryID, AdverseEventSubmission(
            term: "Alanine aminotransferase increased", ctcaeVersion: "5.0", grade: 3, onset: "2024-02-10", attribution: "probable", lineNumber: 1))
        let assessments = AssessmentService(connection: connection, today: today)
        _ = try assessments.addLesion(registryID, LesionSubmission(
            lesion: "T1", lesionClass: "target", organ: "liver", method: "ct", diameter: "42", date: "2024-01-05"))
        _ = try assessments.addLesion(registryID, LesionSubmission(lesion: "NT1", lesionClass: "non-target", organ: "bone", method: "mri", date: "2024-01-05"))
        _ = try assessments.record(registryID, AssessmentSubmission(
            date: "2024-03-01", results: [LesionResultEntry(lesion: "T1", value: "60"), LesionResultEntry(lesion: "NT1", value: "present")]))
        _ = try treatment.stop(registryID, line: 1, on: "2024-03-05", reason: "progression")
    }
}

/// A decoded bundle: its resources by type, and every fullUrl it holds.
private struct DecodedBundle {
    let json: [String: Any]
    let resources: [[String: Any]]
    let fullURLs: Set<String>

    init(_ data: Data) throws {
        json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(json["entry"] as? [[String: Any]])
        resources = try entries.map { try #require($0["resource"] as? [String: Any]) }
        fullURLs = Set(entries.compactMap { $0["fullUrl"] as? String })
    }

    func all(_ type: String) -> [[String: Any]] { resources.filter { $0["resourceType"] as? String == type } }

    /// Every `reference` anywhere in the bundle.
    var references: [String] {
        func collect(_ value: Any) -> [String] {
            switch value {
            case let object as [String: Any]:
                ((object["reference"] as? String).map { [$0] } ?? []) + object.values.flatMap(collect)
            case let array as [Any]: array.flatMap(collect)
            default: []
            }
        }
        return resources.flatMap(collect)
    }
}

private func extensionValues(_ resource: [String: Any], url: String) -> [[String: Any]] {
    ((resource["extension"] as? [[String: Any]]) ?? []).filter { $0["url"] as? String == url }
}

private func codings(_ concept: Any?) -> [[String: Any]] { ((concept as? [String: Any])?["coding"] as? [[String: Any]]) ?? [] }

private let installFHIRResources = "python3 -m pip install 'fhir.resources==8.3.0'"

/// Parses every line of `path` as an R4B Bundle with fhir.resources (pydantic, extra elements forbidden);
/// returns the validator's complaint, or nil when every bundle parses.
private func fhirResourcesComplaint(_ path: String) throws -> String? {
    let script = """
        import sys
        try:
            from fhir.resources.R4B.bundle import Bundle
        except ImportError as error:
            print(f"fhir.resources is not installed ({error}); install it with: \(installFHIRResources)")
            sys.exit(3)
        for number, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
            try:
                Bundle.model_validate_json(line)
            except Exception as error:
                print(f"bundle on line {number}: {error}")
                sys.exit(1)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, path]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return process.terminationStatus == 0 ? nil : "exit \(process.terminationStatus): " + output
}

@Suite("mCODE FHIR export", .serialized)
struct FHIRExportTests {
    @Test("a patient with an ETV6::NTRK3 fusion, larotrectinib stopped for progression, a grade 3 AE and a PD follow-up exports one mCODE bundle that fhir.resources parses")
    func patientBundle() throws {
        let fixture = try FHIRFixture()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try SyncService(connection: fixture.connection).exportFHIR(to: folder)
        #expect(written.file == "bundles.ndjson" && written.bundles == 1)
        let path = folder + "/bundles.ndjson"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let bundle = try DecodedBundle(Data(try #require(lines.first).utf8))

        #expect(bundle.json["type"] as? String == "collection")
        let types = Set(bundle.resources.compactMap { $0["resourceType"] as? String })
        #expect(types == ["Patient", "Condition", "Observation", "MedicationAdministration", "AdverseEvent", "BodyStructure"])

        let patient = try #require(bundle.all("Patient").first)
        let identifiers = try #require(patient["identifier"] as? [[String: Any]])
        #expect(identifiers.map { $0["value"] as? String } == [fixture.registryID])
        #expect(patient["name"] == nil && patient["birthDate"] == nil)
        #expect(!String(decoding: Data(lines[0].utf8), as: UTF8.self).contains("1970"))

        let condition = try #require(bundle.all("Condition").first)
        let histology = extensionValues(condition, url: "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior")
        let icdo = codings(histology.first?["valueCodeableConcept"])
        #expect(icdo.map { $0["system"] as? String } == ["http://terminology.hl7.org/CodeSystem/icd-o-3"])
        #expect(icdo.map { $0["code"] as? String } == ["8814/3"])

        let observations = bundle.all("Observation")
        let variants = observations.filter { ($0["meta"] as? [String: Any])?["profile"] as? [String] == ["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-genomic-variant"] }
        #expect(variants.count == 1)
        let genes = ((variants.first?["component"] as? [[String: Any]]) ?? [])
            .filter { codings($0["code"]).first?["code"] as? String == "48018-6" }
            .compactMap { ($0["valueCodeableConcept"] as? [String: Any])?["text"] as? String }
        #expect(genes == ["ETV6", "NTRK3"])

        let administration = try #require(bundle.all("MedicationAdministration").first)
        #expect(codings((administration["statusReason"] as? [Any])?.first).first?["code"] as? String == "266721009")
        #expect(extensionValues(administration, url: "https://sarcreg.org/fhir/StructureDefinition/line-of-therapy").first?["valuePositiveInt"] as? Int == 1)
        #expect(codings(extensionValues(administration, url: "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent").first?["valueCodeableConcept"])
            .first?["code"] as? String == "363676003")

        let event = try #require(bundle.all("AdverseEvent").first)
        #expect(extensionValues(event, url: "https://sarcreg.org/fhir/StructureDefinition/ctcae-grade").first?["valuePositiveInt"] as? Int == 3)

        let sizes = observations.filter { codings($0["code"]).first?["code"] as? String == "21889-1" }
        let millimetres = sizes.compactMap { ($0["component"] as? [[String: Any]])?.first?["valueQuantity"] as? [String: Any] }
        #expect(millimetres.compactMap { $0["value"] as? Double }.sorted() == [42, 60])
        #expect(Set(millimetres.compactMap { $0["code"] as? String }) == ["mm"])

        let recist = observations.filter { codings($0["code"]).first?["system"] as? String == "https://sarcreg.org/fhir/CodeSystem/recist-observation" }
        let responses = recist.map { (codings($0["code"]).first?["code"] as? String ?? "", ($0["valueCodeableConcept"] as? [String: Any])?["text"] as? String ?? "") }
        #expect(responses.map { "\($0.0)=\($0.1)" }.sorted() == ["best-overall-response=PD", "time-point-response=PD"])

        let references = bundle.references
        #expect(references.count >= 10)
        #expect(references.filter { !bundle.fullURLs.contains($0) }.isEmpty)

        if let complaint = try fhirResourcesComplaint(path) {
            Issue.record("fhir.resources refused the export: \(complaint)")
        }
    }

    @Test("the validator really refuses: a bundle with an element R4B does not define fails fhir.resources")
    func validatorRefuses() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-bad-\(UUID().uuidString).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","lineOfTherapy":1}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let complaint = try #require(try fhirResourcesComplaint(path))
        #expect(complaint.hasPrefix("exit 1:") && complaint.contains("lineOfTherapy"))
    }

    @Test("sarcreg sync export --format fhir --patient prints that patient's bundle; an unknown registry id is refused by name with a non-zero exit")
    func patientOption() throws {
        let fixture = try FHIRFixture()
        let environment = ["DATABASE_URL": fixture.database.connectionString]
        let run = try CommandLineRun.sarcreg(["sync", "export", "--format", "fhir", "--patient", fixture.registryID.lowercased()], environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let bundle = try DecodedBundle(Data(run.stdout.utf8))
        #expect(bundle.all("Patient").count == 1 && bundle.json["id"] as? String == fixture.registryID + "-mcode")

        let refused = try CommandLineRun.sarcreg(["sync", "export", "--format", "fhir", "--patient", "MUC-0099"], environment: environment)
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("--patient 'MUC-0099'"))
        #expect(refused.stdout.isEmpty)

        let sdtm = try CommandLineRun.sarcreg(["sync", "export", "--format", "sdtm", "--patient", fixture.registryID], environment: environment)
        #expect(sdtm.exitCode != 0 && sdtm.stderr.contains("--patient is for --format fhir only"))
    }

    @Test("sarcreg sync export --format fhir --out writes bundles.ndjson; a second export into the same folder is refused naming the file, which stays as it was")
    func folderExport() throws {
        let fixture = try FHIRFixture()
        let environment = ["DATABASE_URL": fixture.database.connectionString]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CommandLineRun.sarcreg(["sync", "export", "--format", "fhir", "--out", folder], environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout == "bundles.ndjson: 1 bundles\n")
        let written = try Data(contentsOf: URL(fileURLWithPath: folder + "/bundles.ndjson"))
        #expect(try DecodedBundle(written).all("Patient").count == 1)

        let again = try CommandLineRun.sarcreg(["sync", "export", "--format", "fhir", "--out", folder], environment: environment)
        #expect(again.exitCode != 0 && again.stderr.contains(folder + "/bundles.ndjson already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/bundles.ndjson")) == written)
    }
}
