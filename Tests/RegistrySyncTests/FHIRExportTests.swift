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
            EnrollmentRequest(
                site: "MUC", mrn: "F-1", birth: try PartialDate(iso: "1970-05-04"), sex: .female,
                consentDate: try CalendarDate(iso: "2024-01-02")), key: key
        ).registryID
        let diagnostics = DiagnosticService(connection: connection, today: today)
        _ = try diagnostics.recordDiagnosis(
            registryID,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8814/3"), icdoVersion: .v3_2, primarySite: "thigh",
                diagnosed: try PartialDate(iso: "2023-12"),
                diseaseSetting: .metastatic))
        _ = try diagnostics.recordMolecular(
            registryID,
            MolecularSubmission(
                gene: "NTRK3", alterationKind: .fusion, partnerGene: "ETV6", method: .ngsRNA, result: .positive,
                reportDate: try CalendarDate(iso: "2023-12-20")))
        let treatment = TreatmentService(connection: connection, today: today)
        _ = try treatment.start(
            registryID,
            TherapyStart(
                agents: ["larotrectinib"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-01-08"), dose: "100 mg bid"))
        _ = try treatment.recordAdverseEvent(
            registryID,
            AdverseEventSubmission(
                term: "Alanine aminotransferase increased", ctcaeVersion: .v5_0, grade: 3,
                onset: try CalendarDate(iso: "2024-02-10"),
                attribution: .probable, lineNumber: 1))
        let assessments = AssessmentService(connection: connection, today: today)
        _ = try assessments.addLesion(
            registryID,
            LesionSubmission(
                lesion: "T1", lesionClass: .target, organ: "liver", method: .ct, diameter: Millimetres(42),
                date: try CalendarDate(iso: "2024-01-05")))
        _ = try assessments.addLesion(
            registryID,
            LesionSubmission(
                lesion: "NT1", lesionClass: .nonTarget, organ: "bone", method: .mri,
                date: try CalendarDate(iso: "2024-01-05")))
        _ = try assessments.record(
            registryID,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-03-01"),
                results: [
                    try LesionResultEntry.parse(lesion: "T1", value: "60"),
                    try LesionResultEntry.parse(lesion: "NT1", value: "present"),
                ]))
        _ = try treatment.stop(registryID, line: 1, on: try CalendarDate(iso: "2024-03-05"), reason: .progression)
    }
}

/// A registry with one patient whose facts mCODE carries in its grade and staging-side profiles or in documented
/// extensions: leiomyosarcoma (8890/3) FNCLCC grade 2, locally advanced and unresectable; line 1 doxorubicin in
/// trial NCT01234567 from 2024-01-08; targets T1 liver 40 mm and T2 lung 20 mm at baseline (2024-01-05) and, on
/// 2024-02-20, T1 disappeared and T2 too small to measure (a PR, not confirmed by a second assessment).
private struct GradedTrialFixture {
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
            EnrollmentRequest(
                site: "MUC", mrn: "G-1", birth: try PartialDate(iso: "1961-02-03"), sex: .male,
                consentDate: try CalendarDate(iso: "2024-01-02")), key: key
        ).registryID
        _ = try DiagnosticService(connection: connection, today: today).recordDiagnosis(
            registryID,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8890/3"), icdoVersion: .v3_2, fnclccGrade: 2,
                primarySite: "retroperitoneum",
                diagnosed: try PartialDate(iso: "2023-11-14"), diseaseSetting: .locallyAdvancedUnresectable))
        _ = try TreatmentService(connection: connection, today: today).start(
            registryID,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative, startDate: try CalendarDate(iso: "2024-01-08"),
                trialNCT: "NCT01234567"))
        let assessments = AssessmentService(connection: connection, today: today)
        _ = try assessments.addLesion(
            registryID,
            LesionSubmission(
                lesion: "T1", lesionClass: .target, organ: "liver", method: .ct, diameter: Millimetres(40),
                date: try CalendarDate(iso: "2024-01-05")))
        _ = try assessments.addLesion(
            registryID,
            LesionSubmission(
                lesion: "T2", lesionClass: .target, organ: "lung", method: .ct, diameter: Millimetres(20),
                date: try CalendarDate(iso: "2024-01-05")))
        _ = try assessments.record(
            registryID,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-02-20"),
                results: [
                    try LesionResultEntry.parse(lesion: "T1", value: "disappeared"),
                    try LesionResultEntry.parse(lesion: "T2", value: "too-small"),
                ]))
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

    /// The fullUrl of the entry holding `resource` (matched by type and id).
    func fullURL(of resource: [String: Any]) -> String? {
        let entries = (json["entry"] as? [[String: Any]]) ?? []
        return entries.first {
            let held = $0["resource"] as? [String: Any]
            return held?["resourceType"] as? String == resource["resourceType"] as? String
                && held?["id"] as? String == resource["id"] as? String
        }?["fullUrl"] as? String
    }

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

private func codings(_ concept: Any?) -> [[String: Any]] {
    ((concept as? [String: Any])?["coding"] as? [[String: Any]]) ?? []
}

private let installFHIRResources = "python3 -m pip install 'fhir.resources==8.3.0'"

/// Parses every line of `path` as an R4B Bundle with fhir.resources (pydantic, extra elements forbidden);
/// returns the validator's complaint, or nil when every bundle parses.
func fhirResourcesComplaint(_ path: String) throws -> String? {
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
    @Test(
        "a patient with an ETV6::NTRK3 fusion, larotrectinib stopped for progression, a grade 3 AE and a PD follow-up exports one mCODE bundle that fhir.resources parses"
    )
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
        #expect(
            types == [
                "Patient", "Condition", "Observation", "MedicationAdministration", "AdverseEvent", "BodyStructure",
            ])

        let patient = try #require(bundle.all("Patient").first)
        let identifiers = try #require(patient["identifier"] as? [[String: Any]])
        #expect(identifiers.map { $0["value"] as? String } == [fixture.registryID])
        #expect(patient["name"] == nil && patient["birthDate"] == nil)
        #expect(!String(decoding: Data(lines[0].utf8), as: UTF8.self).contains("1970"))

        let condition = try #require(bundle.all("Condition").first)
        let histology = extensionValues(
            condition, url: "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior")
        let icdo = codings(histology.first?["valueCodeableConcept"])
        #expect(icdo.map { $0["system"] as? String } == ["http://terminology.hl7.org/CodeSystem/icd-o-3"])
        #expect(icdo.map { $0["code"] as? String } == ["8814/3"])

        let observations = bundle.all("Observation")
        let variants = observations.filter {
            ($0["meta"] as? [String: Any])?["profile"] as? [String] == [
                "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-genomic-variant"
            ]
        }
        #expect(variants.count == 1)
        let genes = ((variants.first?["component"] as? [[String: Any]]) ?? [])
            .filter { codings($0["code"]).first?["code"] as? String == "48018-6" }
            .compactMap { ($0["valueCodeableConcept"] as? [String: Any])?["text"] as? String }
        #expect(genes == ["ETV6", "NTRK3"])

        let administration = try #require(bundle.all("MedicationAdministration").first)
        #expect(codings((administration["statusReason"] as? [Any])?.first).first?["code"] as? String == "266721009")
        #expect(
            extensionValues(administration, url: "https://sarcreg.org/fhir/StructureDefinition/line-of-therapy").first?[
                "valuePositiveInt"] as? Int == 1)
        #expect(
            codings(
                extensionValues(
                    administration, url: "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-procedure-intent"
                ).first?["valueCodeableConcept"]
            )
            .first?["code"] as? String == "363676003")

        let event = try #require(bundle.all("AdverseEvent").first)
        #expect(
            extensionValues(event, url: "https://sarcreg.org/fhir/StructureDefinition/ctcae-grade").first?[
                "valuePositiveInt"] as? Int == 3)

        let sizes = observations.filter { codings($0["code"]).first?["code"] as? String == "21889-1" }
        let millimetres = sizes.compactMap {
            ($0["component"] as? [[String: Any]])?.first?["valueQuantity"] as? [String: Any]
        }
        #expect(millimetres.compactMap { $0["value"] as? Double }.sorted() == [42, 60])
        #expect(Set(millimetres.compactMap { $0["code"] as? String }) == ["mm"])

        let recist = observations.filter {
            codings($0["code"]).first?["system"] as? String == "https://sarcreg.org/fhir/CodeSystem/recist-observation"
        }
        let responses = recist.map {
            (
                codings($0["code"]).first?["code"] as? String ?? "",
                ($0["valueCodeableConcept"] as? [String: Any])?["text"] as? String ?? ""
            )
        }
        #expect(
            responses.map { "\($0.0)=\($0.1)" }.sorted() == [
                "best-overall-response-confirmed=PD", "best-overall-response-unconfirmed=PD", "time-point-response=PD",
            ])

        let references = bundle.references
        #expect(references.count >= 10)
        #expect(references.filter { !bundle.fullURLs.contains($0) }.isEmpty)

        if let complaint = try fhirResourcesComplaint(path) {
            Issue.record("fhir.resources refused the export: \(complaint)")
        }
    }

    @Test("the validator really refuses: a bundle with an element R4B does not define fails fhir.resources")
    func validatorRefuses() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-bad-\(UUID().uuidString).ndjson")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(
            #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","lineOfTherapy":1}}]}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: path))
        let complaint = try #require(try fhirResourcesComplaint(path))
        #expect(complaint.hasPrefix("exit 1:") && complaint.contains("lineOfTherapy"))
    }

    @Test(
        "sarcreg sync export --format fhir --patient prints that patient's bundle; an unknown registry id is refused by name with a non-zero exit"
    )
    func patientOption() throws {
        let fixture = try FHIRFixture()
        let environment = ["DATABASE_URL": fixture.database.connectionString]
        let run = try CommandLineRun.sarcreg(
            ["sync", "export", "--format", "fhir", "--patient", fixture.registryID.lowercased()],
            environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let bundle = try DecodedBundle(Data(run.stdout.utf8))
        #expect(bundle.all("Patient").count == 1 && bundle.json["id"] as? String == fixture.registryID + "-mcode")

        let refused = try CommandLineRun.sarcreg(
            ["sync", "export", "--format", "fhir", "--patient", "MUC-0099"], environment: environment)
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("--patient 'MUC-0099'"))
        #expect(refused.stdout.isEmpty)

        let sdtm = try CommandLineRun.sarcreg(
            ["sync", "export", "--format", "sdtm", "--patient", fixture.registryID], environment: environment)
        #expect(sdtm.exitCode != 0 && sdtm.stderr.contains("--patient is for --format fhir only"))
    }

    @Test(
        "sarcreg sync export --format fhir --out writes bundles.ndjson; a second export into the same folder is refused naming the file, which stays as it was"
    )
    func folderExport() throws {
        let fixture = try FHIRFixture()
        let environment = ["DATABASE_URL": fixture.database.connectionString]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try CommandLineRun.sarcreg(
            ["sync", "export", "--format", "fhir", "--out", folder], environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("bundles.ndjson: 1 bundles\nleft out (FHIR does not carry them):\n"))
        #expect(run.stdout.contains("\n  1 birth years and dates (the Patient is pseudonymized)\n"))
        let written = try Data(contentsOf: URL(fileURLWithPath: folder + "/bundles.ndjson"))
        #expect(try DecodedBundle(written).all("Patient").count == 1)

        let again = try CommandLineRun.sarcreg(
            ["sync", "export", "--format", "fhir", "--out", folder], environment: environment)
        #expect(again.exitCode != 0 && again.stderr.contains(folder + "/bundles.ndjson already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/bundles.ndjson")) == written)
    }

    @Test(
        "FNCLCC grade 2 is an mcode-histologic-grade Observation (SNOMED intermediate grade), the setting a Condition extension, the trial line a ResearchSubject, both best responses are named, and a disappeared target is 0 mm, a too-small one a data-absent reason"
    )
    func gradeSettingTrialAndAbsentSizes() throws {
        let fixture = try GradedTrialFixture()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SyncService(connection: fixture.connection).exportFHIR(to: folder)
        let path = folder + "/bundles.ndjson"
        let bundle = try DecodedBundle(
            try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n")).first.map { Data($0) }
                ?? Data())
        let observations = bundle.all("Observation")
        let profile = { (resource: [String: Any]) in
            ((resource["meta"] as? [String: Any])?["profile"] as? [String])?.first ?? ""
        }

        let condition = try #require(bundle.all("Condition").first)
        #expect(
            extensionValues(condition, url: "https://sarcreg.org/fhir/StructureDefinition/disease-setting").first?[
                "valueCode"] as? String
                == "locally-advanced-unresectable")
        let grade = try #require(
            observations.first {
                profile($0) == "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histologic-grade"
            })
        #expect(codings(grade["code"]).first?["code"] as? String == "C18000")
        #expect(
            Set(codings(grade["valueCodeableConcept"]).compactMap { $0["code"] as? String }) == ["2", "1286893008"])
        let related = extensionValues(
            grade, url: "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-condition"
        ).first?["valueReference"]
        #expect((related as? [String: Any])?["reference"] as? String == bundle.fullURL(of: condition))

        let subject = try #require(bundle.all("ResearchSubject").first)
        let study = try #require(subject["study"] as? [String: Any])
        #expect((study["identifier"] as? [String: Any])?["value"] as? String == "NCT01234567")
        #expect(
            subject["status"] as? String == "on-study"
                && (subject["period"] as? [String: Any])?["start"] as? String == "2024-01-08")
        let administration = try #require(bundle.all("MedicationAdministration").first)
        let trial = extensionValues(
            administration, url: "http://hl7.org/fhir/StructureDefinition/workflow-researchStudy"
        ).first?["valueReference"]
        #expect(((trial as? [String: Any])?["identifier"] as? [String: Any])?["value"] as? String == "NCT01234567")

        let best = observations.compactMap { observation -> String? in
            guard let code = codings(observation["code"]).first?["code"] as? String,
                code.hasPrefix("best-overall-response")
            else { return nil }
            return "\(code)=\((observation["valueCodeableConcept"] as? [String: Any])?["text"] as? String ?? "")"
        }
        #expect(best.count == 2)
        #expect(best.contains("best-overall-response-unconfirmed=PR"))
        #expect(
            best.contains {
                $0.hasPrefix("best-overall-response-confirmed=") && $0 != "best-overall-response-confirmed=PR"
            })

        let followUp = observations.filter {
            codings($0["code"]).first?["code"] as? String == "21889-1"
                && $0["effectiveDateTime"] as? String == "2024-02-20"
        }
        let components = followUp.compactMap { ($0["component"] as? [[String: Any]])?.first }
        #expect(components.count == 2)
        #expect(components.compactMap { ($0["valueQuantity"] as? [String: Any])?["value"] as? Double } == [0])
        #expect(components.compactMap { codings($0["dataAbsentReason"]).first?["code"] as? String } == ["as-text"])

        if let complaint = try fhirResourcesComplaint(path) {
            Issue.record("fhir.resources refused the export: \(complaint)")
        }
    }
}
