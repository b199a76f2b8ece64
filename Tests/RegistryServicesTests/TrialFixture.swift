import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import TestSupport

/// A baseline supplied by the test, so measurable disease can be decided without recording assessments.
struct StatedBaseline: BaselineDiseaseSource {
    let status: BaselineDiseaseStatus

    func baselineDisease(registryID: String, patientID: Int, on connection: Connection) throws -> BaselineDiseaseStatus
    { status }
}

/// A registry fixture with the trial service and patients built for screening.
struct TrialFixture {
    let registry: RegistryFixture

    init(sites: [(String, String)] = [("MUC", "Munich Sarcoma Center")]) throws {
        registry = try RegistryFixture(sites: sites)
    }

    var connection: Connection { registry.connection }

    /// The trial service; measurable disease is stated as two target lesions unless `baseline` says otherwise.
    func trials(
        baseline: any BaselineDiseaseSource = StatedBaseline(status: .measurable(targetLesions: 2))
    ) -> TrialService {
        TrialService(connection: connection, today: registry.today, baselineDisease: baseline)
    }

    static func definition(_ file: String) throws -> Data {
        try Data(
            contentsOf: URL(fileURLWithPath: TestDatabase.repositoryRoot).appendingPathComponent("Trials")
                .appendingPathComponent(file))
    }

    @discardableResult
    func addShipped(_ file: String) throws -> TrialSummary {
        try trials().add(definition: try Self.definition(file))
    }

    /// A leiomyosarcoma trial randomized 2:1 with the given capacity, block sizes 3 and 6, and optional region strata.
    static func leiomyosarcomaTrial(
        nct: String = "NCT09000001", capacity: Int, stratified: Bool = false, seed: Int = 90_001
    ) -> Data {
        let strata = stratified ? #"[{"factor": "region", "levels": ["us", "non_us"]}]"# : "[]"
        return Data(
            """
            {"nct": "\(nct)", "title": "LMS test trial", "phase": "2", "status": "recruiting", "sponsor": "registry tests",
             "arms": [{"code": "experimental", "label": "experimental", "ratio": 2, "agents": ["pazopanib"]},
                      {"code": "control", "label": "control", "ratio": 1, "agents": ["dacarbazine"]}],
             "randomization": {"blockSizes": [3, 6], "seed": \(seed), "strata": \(strata)},
             "eligibility": {"histology": {"include": ["8890/3"]}, "age": {"minimum": 18}},
             "cohorts": [{"code": "main", "label": "main", "capacity": \(capacity)}]}
            """.utf8)
    }

    /// Enrolls a patient and records a diagnosis, an ECOG and a prior therapy line (2025-02-01, stopped for
    /// progression on 2025-03-01, before any trial line); returns the registry id.
    func patient(
        mrn: String, icdo3: String = "9040/3", setting: DiseaseSetting = .metastatic, ecog: Int? = 1,
        priorAgents: [String] = ["doxorubicin"], birth: String = "1974-03-02", site: String = "MUC",
        on connection: Connection? = nil
    ) throws -> String {
        let connection = connection ?? self.connection
        let patients = PatientService(connection: connection, today: registry.today)
        let id = try patients.enroll(
            EnrollmentRequest(
                site: site, mrn: mrn, birth: try PartialDate(iso: birth), sex: .female,
                consentDate: try CalendarDate(iso: "2025-01-05"),
                ecog: ecog, ecogDate: try ecog.map { _ in try CalendarDate(iso: "2026-11-02") }),
            key: registry.key
        ).registryID
        _ = try DiagnosticService(connection: connection, today: registry.today).recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode(icdo3), icdoVersion: .v3_2, primarySite: "thigh",
                diagnosed: try PartialDate(iso: "2024-06"),
                diseaseSetting: setting))
        if !priorAgents.isEmpty {
            let treatment = TreatmentService(connection: connection, today: registry.today)
            _ = try treatment.start(
                id,
                TherapyStart(
                    agents: priorAgents, intent: .palliative,
                    startDate: try CalendarDate(iso: "2025-02-01")))
            _ = try treatment.stop(id, line: 1, on: try CalendarDate(iso: "2025-03-01"), reason: .progression)
        }
        return id
    }

    /// Row counts of the trial tables, to show a refused request wrote nothing.
    func counts() throws -> [String: Int] {
        var result = try registry.counts()
        for table in [
            "trials", "trial_arms", "trial_cohorts", "trial_strata_factors", "trial_allocation_slots",
            "trial_screenings",
            "trial_screening_criteria", "trial_enrollments",
        ] {
            result[table] = try connection.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode(
                Int.self, "n")
        }
        return result
    }
}
