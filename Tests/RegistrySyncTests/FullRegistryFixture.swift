import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import TestSupport

/// A registry holding every kind of record the registry has, entered the way coordinators enter it, so an
/// exchange format's round trip (export, import into a fresh registry, export again) can be checked against it.
///
/// Three patients at two sites:
/// - MUC-0001, leiomyosarcoma (ICD-O-3.2 8890/3, FNCLCC 3, metastatic), a full birth date, an ECOG series, a
///   line of doxorubicin + ifosfamide stopped for progression, a trial line (NCT03016819) with a concurrent
///   line beside it, a baseline AE and AEs graded under CTCAE 4.03 and 5.0 linked to lines, last contact;
///   investigator and an independent reader (radiologist-1), with a nodal target and a non-target, results
///   measured, too small to measure, disappeared and absent; the independent read is the accepted one.
/// - MUC-0002, synovial sarcoma (ICD-O-3.1 9040/3, no grade, diagnosed 2023-12, localized), the birth year
///   alone, an SS18::SSX1 fusion, a neoadjuvant line completed, an AE under CTCAE 4.03, one investigator
///   read with no accepted flag, and consent withdrawn.
/// - BER-0001, undifferentiated pleomorphic sarcoma (ICD-O-3.2 8802/3, FNCLCC 2, diagnosed 2024), an MDM2
///   amplification, a TP53 mutation with its HGVS, a SMARCB1 (INI1) loss of expression, a line stopped by
///   death, and the death.
struct FullRegistryFixture {
    let database: TestDatabase
    let connection: Connection
    let key: MRNKey
    let today = CalendarDate(year: 2026, month: 11, day: 27)!

    /// The patients the fixture enters, and the readers whose responses the registry computes for each.
    static let readers: [(registryID: String, evaluators: [String?])] = [
        ("MUC-0001", [nil, "radiologist-1"]),
        ("MUC-0002", [nil]),
        ("BER-0001", [nil]),
    ]

    init() throws {
        database = try TestDatabase.make()
        connection = try database.connect()
        key = try MRNKey(secret: Data("test-only key, 32 bytes or longer, never used in production".utf8))
        let sites = SiteService(connection: connection)
        _ = try sites.add(code: "MUC", name: "Munich Sarcoma Center")
        _ = try sites.add(code: "BER", name: "Berlin Sarcoma Center")
        try enterLeiomyosarcoma()
        try enterSynovialSarcoma()
        try enterPleomorphicSarcoma()
    }

    var patients: PatientService { PatientService(connection: connection, today: today) }
    var diagnostics: DiagnosticService { DiagnosticService(connection: connection, today: today) }
    var treatment: TreatmentService { TreatmentService(connection: connection, today: today) }
    var assessments: AssessmentService { AssessmentService(connection: connection, today: today) }

    private func enterLeiomyosarcoma() throws {
        let id = try patients.enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "MRN-100001", birth: try PartialDate(iso: "1978-03-15"), sex: .female,
                consentDate: try CalendarDate(iso: "2024-01-10"),
                ecog: 1, ecogDate: try CalendarDate(iso: "2024-01-10")), key: key
        ).registryID
        _ = try diagnostics.recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8890/3"), icdoVersion: .v3_2, whoEntity: "Leiomyosarcoma",
                fnclccGrade: 3, primarySite: "uterus", diagnosed: try PartialDate(iso: "2023-11-20"),
                diseaseSetting: .metastatic))
        _ = try treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Fatigue", ctcaeVersion: .v4_03, grade: 1, onset: try CalendarDate(iso: "2024-01-11"),
                attribution: .unrelated, baseline: true))
        _ = try treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin", "ifosfamide"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-01-15"), dose: "75 mg/m2 d1 q21d"))
        for (reader, diameters) in [
            (.investigator, (Millimetres(42), Millimetres(18))),
            (
                "radiologist-1",
                (
                    Millimetres(40),
                    Millimetres(17)
                )
            ),
        ]
            as [(Evaluator, (Millimetres, Millimetres))]
        {
            _ = try assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "T1", lesionClass: .target, organ: "liver", method: .ct,
                    diameter: diameters.0, date: try CalendarDate(iso: "2024-01-12"),
                    evaluator: reader))
            _ = try assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "T2", lesionClass: .target, organ: "para-aortic lymph node",
                    isLymphNode: true, method: .ct, diameter: diameters.1,
                    date: try CalendarDate(iso: "2024-01-12"),
                    evaluator: reader))
            _ = try assessments.addLesion(
                id,
                LesionSubmission(
                    lesion: "NT1", lesionClass: .nonTarget, organ: "lung", method: .ct,
                    date: try CalendarDate(iso: "2024-01-12"), evaluator: reader))
        }
        _ = try treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Neutrophil count decreased", ctcaeVersion: .v5_0, grade: 3,
                onset: try CalendarDate(iso: "2024-02-02"), resolved: try CalendarDate(iso: "2024-02-12"),
                attribution: .probable, serious: true, lineNumber: 1))
        _ = try patients.update(id, PatientUpdate(ecog: 0, ecogDate: try CalendarDate(iso: "2024-03-04")))
        _ = try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-03-04"),
                results: [
                    try LesionResultEntry.parse(lesion: "T1", value: "24"),
                    try LesionResultEntry.parse(lesion: "T2", value: "9"),
                    try LesionResultEntry.parse(lesion: "NT1", value: "present"),
                ]))
        _ = try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-03-05"), evaluator: "radiologist-1",
                results: [
                    try LesionResultEntry.parse(lesion: "T1", value: "too-small"),
                    try LesionResultEntry.parse(lesion: "T2", value: "8"),
                    try LesionResultEntry.parse(lesion: "NT1", value: "present"),
                ]))
        _ = try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-04-15"),
                results: [
                    try LesionResultEntry.parse(lesion: "T1", value: "disappeared"),
                    try LesionResultEntry.parse(lesion: "T2", value: "7"),
                    try LesionResultEntry.parse(lesion: "NT1", value: "absent"),
                ]))
        _ = try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-04-16"), evaluator: "radiologist-1",
                results: [
                    try LesionResultEntry.parse(lesion: "T1", value: "disappeared"),
                    try LesionResultEntry.parse(lesion: "T2", value: "12"),
                    try LesionResultEntry.parse(lesion: "NT1", value: "unequivocal-progression"),
                ]))
        _ = try treatment.stop(id, line: 1, on: try CalendarDate(iso: "2024-04-30"), reason: .progression)
        _ = try treatment.start(
            id,
            TherapyStart(
                agents: ["trabectedin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-05-13"), dose: "1.5 mg/m2 q21d",
                trialNCT: "NCT03016819"))
        _ = try treatment.start(
            id,
            TherapyStart(
                agents: ["pazopanib"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-05-13"), dose: "800 mg daily", concurrent: true))
        _ = try treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Nausea", ctcaeVersion: .v4_03, grade: 2, onset: try CalendarDate(iso: "2024-05-20"),
                attribution: .possible, lineNumber: 2))
        _ = try treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Hypertension", ctcaeVersion: .v5_0, grade: 2, onset: try CalendarDate(iso: "2024-05-27"),
                resolved: try CalendarDate(iso: "2024-06-30"), attribution: .definite, lineNumber: 3))
        _ = try patients.update(id, PatientUpdate(ecog: 2, ecogDate: try CalendarDate(iso: "2024-09-02")))
        _ = try patients.update(id, PatientUpdate(lastContact: try CalendarDate(iso: "2024-10-01")))
        try recordReads(id, [("investigator", false), ("radiologist-1", true)])
        try recordSourceResponses(
            id,
            [
                ("investigator", "2", "FOLLOW-UP 1", "OVRLRESP", "PR", "2024-03-04", nil),
                ("investigator", "2", "FOLLOW-UP 1", "NEWLPROG", "N", "2024-03-04", nil),
                ("radiologist-1", "2", "FOLLOW-UP 1", "OVRLRESP", "PR", "2024-03", true),
                ("radiologist-1", "3", "FOLLOW-UP 2", "OVRLRESP", "PD", "2024-04-16", false),
            ])
    }

    private func enterSynovialSarcoma() throws {
        let id = try patients.enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "MRN-100002", birth: try PartialDate(iso: "1965"), sex: .male,
                consentDate: try CalendarDate(iso: "2024-02-01")), key: key
        ).registryID
        _ = try diagnostics.recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("9040/3"), icdoVersion: .v3_1, whoEntity: "Synovial sarcoma",
                primarySite: "thigh", diagnosed: try PartialDate(iso: "2023-12"), diseaseSetting: .localized))
        _ = try diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "SSX1", alterationKind: .fusion, partnerGene: "SS18", method: .ngsRNA, result: .positive,
                specimenDate: try CalendarDate(iso: "2023-12-10"), reportDate: try CalendarDate(iso: "2023-12-20"),
                laboratory: "Munich Molecular Pathology"))
        _ = try treatment.start(
            id,
            TherapyStart(agents: ["ifosfamide"], intent: .neoadjuvant, startDate: try CalendarDate(iso: "2024-02-12")))
        _ = try assessments.addLesion(
            id,
            LesionSubmission(
                lesion: "T1", lesionClass: .target, organ: "thigh", method: .mri,
                diameter: Millimetres(64), date: try CalendarDate(iso: "2024-02-08")))
        _ = try treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Anemia", ctcaeVersion: .v4_03, grade: 2, onset: try CalendarDate(iso: "2024-03-01"),
                attribution: .probable, lineNumber: 1))
        _ = try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-04-02"),
                results: [try LesionResultEntry.parse(lesion: "T1", value: "51")]))
        _ = try treatment.stop(id, line: 1, on: try CalendarDate(iso: "2024-04-20"), reason: .completed)
        _ = try patients.update(id, PatientUpdate(lastContact: try CalendarDate(iso: "2024-09-15")))
        _ = try patients.withdraw(id, on: try CalendarDate(iso: "2024-10-01"))
        try recordReads(id, [])
    }

    private func enterPleomorphicSarcoma() throws {
        let id = try patients.enroll(
            EnrollmentRequest(
                site: "BER", mrn: "MRN-200001", birth: try PartialDate(iso: "1950-07-01"), sex: .other,
                consentDate: try CalendarDate(iso: "2024-03-01"),
                ecog: 1, ecogDate: try CalendarDate(iso: "2024-03-01")), key: key
        ).registryID
        _ = try diagnostics.recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8802/3"), icdoVersion: .v3_2,
                whoEntity: "Undifferentiated pleomorphic sarcoma", fnclccGrade: 2, primarySite: "retroperitoneum",
                diagnosed: try PartialDate(iso: "2024"), diseaseSetting: .locallyAdvancedUnresectable))
        _ = try diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "MDM2", alterationKind: .amplification, method: .fish, result: .positive,
                reportDate: try CalendarDate(iso: "2024-02-20")))
        _ = try diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "TP53", alterationKind: .mutation, hgvs: "c.743G>A", method: .ngsDNA, result: .positive,
                specimenDate: try CalendarDate(iso: "2024-02-10"), reportDate: try CalendarDate(iso: "2024-02-26"),
                laboratory: "Charite Molecular Diagnostics"))
        _ = try diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "SMARCB1", alterationKind: .lossOfExpression, method: .ihc, result: .negative,
                reportDate: try CalendarDate(iso: "2024-02-22")))
        _ = try treatment.start(
            id,
            TherapyStart(
                agents: ["gemcitabine", "docetaxel"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-03-11")))
        _ = try assessments.addLesion(
            id,
            LesionSubmission(
                lesion: "T1", lesionClass: .target, organ: "retroperitoneum", method: .ct,
                diameter: Millimetres(110), date: try CalendarDate(iso: "2024-03-05")))
        _ = try assessments.record(
            id,
            AssessmentSubmission(
                date: try CalendarDate(iso: "2024-05-06"),
                results: [try LesionResultEntry.parse(lesion: "T1", value: "140")]))
        _ = try treatment.stop(id, line: 1, on: try CalendarDate(iso: "2024-07-19"), reason: .death)
        _ = try patients.update(id, PatientUpdate(deathDate: try CalendarDate(iso: "2024-07-19")))
    }

    /// Responses a source reported beside the registry's own (SDTM RS), with the accepted flag present and
    /// absent and a partial date; like the read flags, only an import writes them.
    private func recordSourceResponses(
        _ registryID: String,
        _ responses: [(
            evaluator: String, visitKey: String, visit: String, test: String, response: String, date: String,
            accepted: Bool?
        )]
    ) throws {
        for r in responses {
            try connection.execute(
                """
                INSERT INTO source_responses (patient_id, evaluator, visit_key, test_code, visit_number, visit, response, response_date, accepted)
                SELECT patient_id, \(r.evaluator), \(r.visitKey), \(r.test), \(r.visitKey)::numeric, \(r.visit), \(r.response), \(r.date),
                    \(r.accepted)
                FROM patients WHERE registry_id = \(registryID)
                """)
        }
    }

    /// Whether each reader's read is the accepted one. No service writes these flags: an import records what
    /// its source said (TUACPTFL), so the fixture writes them as an import would, and leaves a reader out
    /// to hold no flag at all.
    private func recordReads(_ registryID: String, _ reads: [(evaluator: String, accepted: Bool)]) throws {
        for read in reads {
            try connection.execute(
                """
                INSERT INTO evaluator_reads (patient_id, evaluator, accepted)
                SELECT patient_id, \(read.evaluator), \(read.accepted) FROM patients WHERE registry_id = \(registryID)
                """)
        }
    }
}
