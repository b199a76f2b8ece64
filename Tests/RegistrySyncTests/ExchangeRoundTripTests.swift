import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import TestSupport
import Testing

/// A fresh registry with the fixture's sites under the same names, and the REDCap export's data access groups
/// (the site codes in lower case) of source `registry` mapped to them.
private func freshRegistry() throws -> (database: TestDatabase, connection: Connection) {
    let database = try TestDatabase.make()
    let connection = try database.connect()
    let sites = SiteService(connection: connection)
    _ = try sites.add(code: "MUC", name: "Munich Sarcoma Center")
    _ = try sites.add(code: "BER", name: "Berlin Sarcoma Center")
    let sync = SyncService(connection: connection)
    try sync.mapSite(source: "registry", sourceSite: "muc", site: "MUC")
    try sync.mapSite(source: "registry", sourceSite: "ber", site: "BER")
    return (database, connection)
}

/// The facts found in the bundles are the registry's, each missing or extra one named.
private func expectSame(_ found: Set<String>, _ registry: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = Set(registry)
    #expect(
        found == expected,
        "missing from the bundles: \(expected.subtracting(found).sorted()); not in the registry: \(found.subtracting(expected).sorted())",
        sourceLocation: sourceLocation)
}

private func temporaryPath(_ name: String) -> String { NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)" }

/// `sarcreg response show` of every reader of every fixture patient, as the command prints it.
private func responsesShown(in database: TestDatabase) throws -> [String] {
    try FullRegistryFixture.readers.flatMap { patient in
        try patient.evaluators.map { evaluator in
            let run = try CommandLineRun.sarcreg(
                ["response", "show", patient.registryID] + (evaluator.map { ["--evaluator", $0] } ?? []),
                environment: ["DATABASE_URL": database.connectionString])
            return "exit \(run.exitCode)\n" + run.stdout + run.stderr
        }
    }
}

private func text(_ sql: String, on connection: Connection) throws -> [String] {
    try connection.query(Query(unsafeSQL: "SELECT x::text AS v FROM (\(sql)) AS t (x) ORDER BY 1")).map {
        try $0.decode(String.self, "v")
    }
}

/// The REDCap round trip keeps every table but what the README's REDCap list says the format does not carry.
/// Of the fixture's records that is: the MRN's keyed hash (no format carries it), whether a patient was enrolled
/// here or imported, the exact birth date (the year is carried), and the responses a source reported.
private let redcapNotCarried: (columns: [String: Set<String>], tables: Set<String>) = (
    ["patients": ["mrn_hmac", "origin", "birth_date"]], ["source_responses"]
)

@Suite("Exchange round trips: REDCap (export, import, export) and FHIR (export only)", .serialized)
struct ExchangeRoundTripTests {
    @Test(
        "REDCap: the full registry exported, imported into a fresh registry and exported again: every table equal ids aside (but what REDCap does not carry), every reader's response show equal, the two files byte-identical; the same file imported again changes nothing, withdrawn MUC-0002's line and AE included"
    )
    func redcap() throws {
        let fixture = try FullRegistryFixture()
        let first = temporaryPath("redcap-first") + ".csv"
        defer { try? FileManager.default.removeItem(atPath: first) }
        let original = SyncService(connection: fixture.connection)
        _ = try original.exportREDCap(to: first)
        let omitted = try original.redcapOmissions()
        #expect(
            omitted.map(\.what) == [
                "exact birth dates (the birth year is carried)", "responses reported by a source (SDTM RS)",
            ])

        let fresh = try freshRegistry()
        let dictionary = TestDatabase.repositoryRoot + "/REDCap/sarcreg_data_dictionary.csv"
        let request = REDCapImportRequest(file: first, dictionary: dictionary, source: "registry")
        let imported = try SyncService(connection: fresh.connection).importREDCap(request)
        #expect(imported.files.map(\.quarantined) == [0])

        var expected = try RegistryContents(of: fixture.connection)
        var actual = try RegistryContents(of: fresh.connection)
        for (table, columns) in redcapNotCarried.columns {
            expected = try expected.without(columns, of: table)
            actual = try actual.without(columns, of: table)
        }
        let differences = expected.differences(from: actual).filter { line in
            !redcapNotCarried.tables.contains { line.hasPrefix($0 + ":") }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        #expect(try responsesShown(in: fresh.database) == responsesShown(in: fixture.database))

        let second = temporaryPath("redcap-second") + ".csv"
        defer { try? FileManager.default.removeItem(atPath: second) }
        _ = try SyncService(connection: fresh.connection).exportREDCap(to: second)
        #expect(try Data(contentsOf: URL(fileURLWithPath: second)) == Data(contentsOf: URL(fileURLWithPath: first)))

        // The withdrawal fixed last session: MUC-0002 withdrew on 2024-10-01, and the rerun keeps its rows.
        let importedOnce = try RegistryContents(of: fresh.connection)
        let again = try SyncService(connection: fresh.connection).importREDCap(request)
        #expect(
            again.files.map(\.quarantined) == [0] && again.files.map(\.inserted) == [0]
                && again.files.map(\.updated) == [0])
        #expect(try RegistryContents(of: fresh.connection) == importedOnce)
        #expect(try text("SELECT count(*) FROM sync_quarantine", on: fresh.connection) == ["0"])
        let withdrawnRows = """
            SELECT 'line ' || t.line_number FROM therapy_lines t JOIN patients p USING (patient_id) WHERE p.registry_id = 'MUC-0002'
            UNION ALL SELECT 'AE ' || a.ctcae_term FROM adverse_events a JOIN patients p USING (patient_id) WHERE p.registry_id = 'MUC-0002'
            """
        #expect(try text(withdrawnRows, on: fresh.connection) == ["AE Anemia", "line 1"])
    }

    @Test(
        "FHIR (the registry does not import FHIR): the full registry exported twice is byte-identical and valid R4B; every fact is in the bundles or counted among what the export left out"
    )
    func fhir() throws {
        let fixture = try FullRegistryFixture()
        let sync = SyncService(connection: fixture.connection)
        let first = temporaryPath("fhir-first"), second = temporaryPath("fhir-second")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        _ = try sync.exportFHIR(to: first)
        _ = try sync.exportFHIR(to: second)
        let path = first + "/bundles.ndjson"
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(written == (try Data(contentsOf: URL(fileURLWithPath: second + "/bundles.ndjson"))))
        if let complaint = try fhirResourcesComplaint(path) {
            Issue.record("fhir.resources refused the export: \(complaint)")
        }

        let bundles = try BundleFacts(ndjson: written)
        let db = fixture.connection
        expectSame(
            bundles.patients,
            try text(
                "SELECT registry_id || ' ' || sex || ' ' || coalesce(death_on::text, '-') FROM patients", on: db))
        expectSame(
            bundles.diagnoses,
            try text(
                """
                SELECT p.registry_id || ' ' || d.icdo3_code || ' ' || d.icdo_version || ' ' || d.who_entity || ' ' || d.primary_site || ' '
                    || d.diagnosed_year || coalesce('-' || lpad(d.diagnosed_month::text, 2, '0'), '') || coalesce('-' || lpad(d.diagnosed_day::text, 2, '0'), '')
                    || ' ' || replace(d.disease_setting, '_', '-') || ' grade ' || coalesce(d.fnclcc_grade::text, '-')
                FROM diagnoses d JOIN patients p USING (patient_id)
                """, on: db))
        expectSame(
            bundles.molecular,
            try text(
                """
                SELECT p.registry_id || ' ' || coalesce(m.partner_gene || '::', '') || m.gene || ' ' || m.alteration_kind || ' ' || m.method
                    || ' ' || m.result || ' ' || coalesce(m.hgvs, '-')
                FROM molecular_results m JOIN patients p USING (patient_id) WHERE m.void_reason IS NULL
                """, on: db))
        expectSame(
            bundles.administrations,
            try text(
                """
                SELECT p.registry_id || ' line ' || t.line_number || ' ' || a.agent_code || ' ' || t.intent || ' ' || t.started_on || ' '
                    || coalesce(t.stopped_on::text, '-') || ' ' || coalesce(t.stop_reason, '-') || ' ' || coalesce(t.dose, '-') || ' '
                    || coalesce(t.trial_nct, '-')
                FROM therapy_lines t JOIN therapy_line_agents a USING (therapy_line_id) JOIN patients p ON p.patient_id = t.patient_id
                """, on: db))
        expectSame(
            bundles.researchSubjects,
            try text(
                """
                SELECT DISTINCT p.registry_id || ' ' || t.trial_nct FROM therapy_lines t JOIN patients p USING (patient_id)
                WHERE t.trial_nct IS NOT NULL
                UNION SELECT p.registry_id || ' ' || e.trial_nct FROM trial_enrollments e JOIN patients p USING (patient_id)
                """, on: db))
        expectSame(
            bundles.adverseEvents,
            try text(
                """
                SELECT p.registry_id || ' ' || a.ctcae_term || ' ' || a.ctcae_version || ' grade ' || a.grade || ' ' || a.onset_on || ' '
                    || a.attribution || ' ' || a.serious || ' ' || (a.resolved_on IS NOT NULL) || ' line ' || coalesce(t.line_number::text, '-')
                FROM adverse_events a JOIN patients p USING (patient_id) LEFT JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
                """, on: db))
        expectSame(
            bundles.lesions,
            try text(
                """
                SELECT p.registry_id || ' ' || l.evaluator || ' ' || l.label || ' ' || replace(l.lesion_class, '_', '-') || ' ' || coalesce(l.organ, '-')
                FROM lesions l JOIN patients p USING (patient_id)
                """, on: db))
        expectSame(
            bundles.sizes,
            try text(
                """
                SELECT p.registry_id || ' ' || l.evaluator || ' ' || l.label || ' ' || a.assessed_on || ' ' || CASE
                    WHEN r.diameter_mm IS NOT NULL THEN trim_scale(r.diameter_mm)::text || ' mm'
                    WHEN r.result = 'disappeared' THEN '0 mm' WHEN r.result = 'too_small_to_measure' THEN 'as-text' ELSE 'not-performed' END
                    || ' ' || coalesce(l.imaging_method, '-')
                FROM assessment_results r JOIN assessments a USING (assessment_id) JOIN lesions l ON l.lesion_id = r.lesion_id
                JOIN patients p ON p.patient_id = a.patient_id
                WHERE a.void_reason IS NULL AND (r.diameter_mm IS NOT NULL OR l.lesion_class = 'target')
                """, on: db))

        var responses: Set<String> = []
        for (registryID, evaluators) in FullRegistryFixture.readers {
            for evaluator in evaluators {
                let response = try ResponseService(connection: db).response(
                    registryID, evaluator: Evaluator(evaluator ?? "investigator"))
                let name = evaluator ?? "investigator"
                let best = response.series.bestOverallResponse
                responses.insert("\(registryID) \(name) best confirmed \(best.confirmed.response.rawValue)")
                responses.insert("\(registryID) \(name) best unconfirmed \(best.unconfirmed.response.rawValue)")
                for evaluation in response.series.evaluations {
                    responses.insert("\(registryID) \(name) \(evaluation.date) \(evaluation.overall.rawValue)")
                }
            }
        }
        #expect(bundles.responses == responses)

        // What the bundles leave out is counted, each kind from the registry's own rows.
        let omitted = Dictionary(uniqueKeysWithValues: try sync.fhirOmissions().map { ($0.what, $0.count) })
        #expect(
            omitted["ECOG scores"] == (try text("SELECT count(*) FROM patient_ecog", on: db)).first.flatMap { Int($0) })
        #expect(
            omitted["accepted-read flags"]
                == (try text("SELECT count(*) FROM evaluator_reads", on: db)).first.flatMap { Int($0) })
        #expect(
            omitted["responses reported by a source (SDTM RS; the registry's computed responses are carried)"]
                == (try text("SELECT count(*) FROM source_responses", on: db)).first.flatMap { Int($0) })
        #expect(omitted["birth years and dates (the Patient is pseudonymized)"] == 3)
        #expect(omitted["consent dates and withdrawals"] == 4)
        #expect(
            omitted["last contact dates"]
                == (try text("SELECT count(last_contact_on) FROM patients", on: db)).first.flatMap { Int($0) })
        #expect(
            omitted["non-target and new lesion results"]
                == (try text(
                    """
                    SELECT count(*) FROM assessment_results r JOIN lesions l USING (lesion_id) WHERE l.lesion_class <> 'target' AND r.diameter_mm IS NULL
                    """, on: db)).first.flatMap { Int($0) })
    }
}

/// The facts of an NDJSON of bundles in the words of the registry, one string per fact, to be compared with
/// the same strings built from the registry's tables.
private struct BundleFacts {
    var patients: Set<String> = []
    var diagnoses: Set<String> = []
    var molecular: Set<String> = []
    var administrations: Set<String> = []
    var researchSubjects: Set<String> = []
    var adverseEvents: Set<String> = []
    var lesions: Set<String> = []
    var sizes: Set<String> = []
    var responses: Set<String> = []

    init(ndjson: Data) throws {
        for line in ndjson.split(separator: UInt8(ascii: "\n")) {
            try read(try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]))
        }
    }

    private static let sarcreg = "https://sarcreg.org/fhir/StructureDefinition/"
    private static let mcode = "http://hl7.org/fhir/us/mcode/StructureDefinition/"

    private static func extensions(_ resource: [String: Any], _ url: String) -> [[String: Any]] {
        ((resource["extension"] as? [[String: Any]]) ?? []).filter { $0["url"] as? String == url }
    }

    private static func codings(_ concept: Any?) -> [[String: Any]] {
        ((concept as? [String: Any])?["coding"] as? [[String: Any]]) ?? []
    }
    private static func text(_ concept: Any?) -> String? { (concept as? [String: Any])?["text"] as? String }
    private static func reference(_ value: Any?) -> String? { (value as? [String: Any])?["reference"] as? String }

    private mutating func read(_ bundle: [String: Any]) throws {
        let entries = try #require(bundle["entry"] as? [[String: Any]])
        var byURL: [String: [String: Any]] = [:]
        for entry in entries {
            if let url = entry["fullUrl"] as? String, let resource = entry["resource"] as? [String: Any] {
                byURL[url] = resource
            }
        }
        let resources = entries.compactMap { $0["resource"] as? [String: Any] }
        let patient = try #require(resources.first { $0["resourceType"] as? String == "Patient" })
        let id = try #require(((patient["identifier"] as? [[String: Any]])?.first)?["value"] as? String)
        patients.insert("\(id) \(patient["gender"] as? String ?? "") \(patient["deceasedDateTime"] as? String ?? "-")")

        var grades: [String: String] = [:]
        for resource in resources
        where (resource["meta"] as? [String: Any])?["profile"] as? [String] == [Self.mcode + "mcode-histologic-grade"] {
            let condition =
                Self.reference(
                    Self.extensions(resource, Self.mcode + "mcode-related-condition").first?["valueReference"]) ?? ""
            grades[condition] =
                Self.codings(resource["valueCodeableConcept"]).first {
                    $0["system"] as? String == "https://sarcreg.org/fhir/CodeSystem/fnclcc-grade"
                }?["code"] as? String
        }
        for (url, resource) in byURL {
            switch resource["resourceType"] as? String {
            case "Condition":
                let histology = Self.codings(
                    Self.extensions(resource, Self.mcode + "mcode-histology-morphology-behavior").first?[
                        "valueCodeableConcept"]
                ).first
                let setting =
                    Self.extensions(resource, Self.sarcreg + "disease-setting").first?["valueCode"] as? String ?? "-"
                let site = Self.text((resource["bodySite"] as? [Any])?.first) ?? "-"
                diagnoses.insert(
                    [
                        id, histology?["code"] as? String ?? "-", histology?["version"] as? String ?? "-",
                        Self.text(resource["code"]) ?? "-",
                        site, resource["onsetDateTime"] as? String ?? "-", setting, "grade", grades[url] ?? "-",
                    ].joined(separator: " "))
            case "Observation":
                readObservation(resource, patient: id, byURL: byURL)
            case "MedicationAdministration":
                let line =
                    Self.extensions(resource, Self.sarcreg + "line-of-therapy").first?["valuePositiveInt"] as? Int
                let agent = Self.codings(resource["medicationCodeableConcept"]).first?["code"] as? String ?? "-"
                let intent =
                    Self.text(
                        Self.extensions(resource, Self.mcode + "mcode-procedure-intent").first?["valueCodeableConcept"])
                    ?? "-"
                let period = resource["effectivePeriod"] as? [String: Any]
                let reason = Self.text((resource["statusReason"] as? [Any])?.first) ?? "-"
                let dose = (resource["dosage"] as? [String: Any])?["text"] as? String ?? "-"
                let trial =
                    ((Self.extensions(resource, "http://hl7.org/fhir/StructureDefinition/workflow-researchStudy")
                    .first?["valueReference"]
                    as? [String: Any])?["identifier"] as? [String: Any])?["value"] as? String ?? "-"
                administrations.insert(
                    [
                        id, "line", line.map(String.init) ?? "-", agent, intent, period?["start"] as? String ?? "-",
                        period?["end"] as? String ?? "-", reason, dose, trial,
                    ].joined(separator: " "))
            case "ResearchSubject":
                let study =
                    ((resource["study"] as? [String: Any])?["identifier"] as? [String: Any])?["value"] as? String ?? "-"
                researchSubjects.insert("\(id) \(study)")
            case "AdverseEvent":
                let version =
                    Self.extensions(resource, Self.sarcreg + "ctcae-version").first?["valueString"] as? String ?? "-"
                let grade = Self.extensions(resource, Self.sarcreg + "ctcae-grade").first?["valuePositiveInt"] as? Int
                let line =
                    Self.extensions(resource, Self.sarcreg + "line-of-therapy").first?["valuePositiveInt"] as? Int
                let serious = Self.codings(resource["seriousness"]).first?["code"] as? String == "serious"
                let resolved = Self.codings(resource["outcome"]).first?["code"] as? String == "resolved"
                let attribution =
                    Self.extensions(resource, Self.sarcreg + "therapy-attribution").first?["valueCode"] as? String
                adverseEvents.insert(
                    [
                        id, Self.text(resource["event"]) ?? "-", version, "grade", grade.map(String.init) ?? "-",
                        resource["date"] as? String ?? "-", attribution ?? "-", String(serious), String(resolved),
                        "line", line.map(String.init) ?? "-",
                    ].joined(separator: " "))
            case "BodyStructure":
                let evaluator =
                    Self.extensions(resource, Self.sarcreg + "recist-evaluator").first?["valueString"] as? String ?? "-"
                let lesionClass =
                    Self.extensions(resource, Self.sarcreg + "recist-lesion-class").first?["valueCode"] as? String
                    ?? "-"
                let label = (resource["identifier"] as? [[String: Any]])?.first?["value"] as? String ?? "-"
                lesions.insert("\(id) \(evaluator) \(label) \(lesionClass) \(Self.text(resource["location"]) ?? "-")")
            default: break
            }
        }
    }

    private mutating func readObservation(_ resource: [String: Any], patient id: String, byURL: [String: [String: Any]])
    {
        let code = Self.codings(resource["code"]).first?["code"] as? String ?? ""
        let evaluator =
            Self.extensions(resource, Self.sarcreg + "recist-evaluator").first?["valueString"] as? String ?? "-"
        let profile = ((resource["meta"] as? [String: Any])?["profile"] as? [String])?.first ?? ""
        switch code {
        case "21889-1":
            let focus = (resource["focus"] as? [[String: Any]])?.first?["reference"] as? String
            let lesion: [String: Any] = focus.flatMap { byURL[$0] } ?? [:]
            if lesion.isEmpty {
                Issue.record(
                    "TumorSize \(resource["id"] ?? "") has focus \(focus ?? "none"), not a BodyStructure of its bundle")
            }
            let lesionEvaluator =
                Self.extensions(lesion, Self.sarcreg + "recist-evaluator").first?["valueString"] as? String ?? "-"
            let label = (lesion["identifier"] as? [[String: Any]])?.first?["value"] as? String ?? "-"
            let component = (resource["component"] as? [[String: Any]])?.first ?? [:]
            let size =
                ((component["valueQuantity"] as? [String: Any])?["value"] as? NSNumber).map { "\($0) mm" }
                ?? Self.codings(component["dataAbsentReason"]).first?["code"] as? String ?? "-"
            let method = Self.text(resource["method"]) ?? "-"
            sizes.insert(
                "\(id) \(lesionEvaluator) \(label) \(resource["effectiveDateTime"] as? String ?? "-") \(size) \(method)"
            )
        case "time-point-response":
            responses.insert(
                "\(id) \(evaluator) \(resource["effectiveDateTime"] as? String ?? "-") \(Self.text(resource["valueCodeableConcept"]) ?? "-")"
            )
        case "best-overall-response-confirmed", "best-overall-response-unconfirmed":
            let kind = code.replacingOccurrences(of: "best-overall-response-", with: "")
            responses.insert("\(id) \(evaluator) best \(kind) \(Self.text(resource["valueCodeableConcept"]) ?? "-")")
        default:
            guard profile.hasSuffix("mcode-genomic-variant") || profile.hasSuffix("mcode-tumor-marker-test") else {
                return
            }
            let result = Self.text(resource["valueCodeableConcept"]) ?? "failed"
            let method = Self.text(resource["method"]) ?? "-"
            let hgvs = ((resource["component"] as? [[String: Any]]) ?? []).first {
                Self.codings($0["code"]).first?["code"] as? String == "48004-6"
            }
            let hgvsCode = Self.codings(hgvs?["valueCodeableConcept"]).first?["code"] as? String ?? "-"
            molecular.insert("\(id) \(Self.text(resource["code"]) ?? "-") \(method) \(result) \(hgvsCode)")
        }
    }
}
