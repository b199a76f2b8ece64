import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

extension RegistryFixture {
    var corrections: CorrectionService { CorrectionService(connection: connection, today: today) }

    /// The audit entries of one table for a patient, newest last, with their reason.
    func audit(_ registryID: String, table: String) throws -> [AuditEntry] {
        try AuditTrailService(connection: connection).history(of: registryID).changes.filter { $0.table == table }
    }

    func scalar(_ sql: String) throws -> String? {
        try connection.query(Query(unsafeSQL: sql))[0].decode(String?.self, "v")
    }
}

@Suite("Corrections with a reason")
struct CorrectionTests {
    let fixture: RegistryFixture
    let id: String

    init() throws {
        fixture = try RegistryFixture()
        id = try fixture.patientWithBaseline(mrn: "COR-1")
    }

    @Test(
        "T1=999 typed for 21 mm makes 2024-03-01 PD; assess amend T1=21 with a reason re-scores it PR and the audit keeps 999, 21 and the reason"
    )
    func assessmentAmendRescores() throws {
        let typo = try fixture.record(id, "2024-03-01", ["T1": "999", "T2": "20", "N1": "9", "NT1": "present"])
        #expect(typo.evaluation.overall == .progressiveDisease)
        let amended = try fixture.assessments.amend(
            id, date: try CalendarDate(iso: "2024-03-01"), evaluator: .investigator,
            results: [
                try LesionResultEntry.parse(
                    lesion: "T1",
                    value: "21")
            ],
            reason: "transcription error: 999 typed for 21 mm (CT report 2024-03-01)")
        #expect(amended.evaluation.overall == .partialResponse)
        #expect(try fixture.responses.response(id).series.evaluations.map(\.overall) == [.partialResponse])
        let update = try #require(try fixture.audit(id, table: "assessment_results").last)
        #expect(update.operation == "UPDATE")
        #expect(update.reason == "transcription error: 999 typed for 21 mm (CT report 2024-03-01)")
        #expect(update.oldRow?["diameter_mm"] == "999.00")
        #expect(update.newRow?["diameter_mm"] == "21.00")
    }

    @Test("an amendment the RECIST engine refuses (T1=-5, or a non-target result for target T2) changes nothing")
    func assessmentAmendRefusedByEngine() throws {
        try fixture.record(id, "2024-03-01", ["T1": "21", "T2": "20", "N1": "9", "NT1": "present"])
        let before = try fixture.assessmentCounts()
        let audited = try fixture.audit(id, table: "assessment_results").count
        for value in [("T1", "-5"), ("T2", "present")] {
            #expect(throws: AssessmentError.self) {
                try fixture.assessments.amend(
                    id, date: try CalendarDate(iso: "2024-03-01"), evaluator: .investigator,
                    results: [try LesionResultEntry.parse(lesion: value.0, value: value.1)], reason: "re-read")
            }
        }
        #expect(try fixture.assessmentCounts() == before)
        #expect(try fixture.audit(id, table: "assessment_results").count == audited)
        #expect(try fixture.responses.response(id).series.evaluations.map(\.overall) == [.partialResponse])
    }

    @Test("a correction without --reason is refused naming --reason, and nothing changes")
    func reasonRequired() throws {
        try fixture.record(id, "2024-03-01", ["T1": "999", "T2": "20", "N1": "9", "NT1": "present"])
        let error = #expect(throws: AssessmentError.self) {
            try fixture.assessments.amend(
                id, date: try CalendarDate(iso: "2024-03-01"), evaluator: .investigator,
                results: [try LesionResultEntry.parse(lesion: "T1", value: "21")], reason: nil)
        }
        #expect(error?.description == "reason is required")
        #expect(try fixture.responses.response(id).series.evaluations.map(\.overall) == [.progressiveDisease])
    }

    @Test(
        "a voided follow-up of 2024-03-01 stays stored with its reason; response show and the response report skip it")
    func assessmentVoidSkipped() throws {
        try fixture.record(id, "2024-03-01", ["T1": "999", "T2": "20", "N1": "9", "NT1": "present"])
        try fixture.record(id, "2024-04-01", ["T1": "21", "T2": "20", "N1": "9", "NT1": "present"])
        let voided = try fixture.assessments.void(
            id, date: try CalendarDate(iso: "2024-03-01"), evaluator: .investigator,
            reason: "scan of another patient filed here")
        #expect(voided.date == CalendarDate(year: 2024, month: 3, day: 1))
        #expect(
            try fixture.scalar("SELECT void_reason AS v FROM assessments WHERE assessed_on = '2024-03-01'")
                == "scan of another patient filed here")
        let series = try fixture.responses.response(id).series
        #expect(series.evaluations.map(\.date) == [CalendarDate(year: 2024, month: 4, day: 1)])
        #expect(series.evaluations.map(\.overall) == [.partialResponse])
        let summary = try ReportService(connection: fixture.connection).responseSummary(ReportFilter())
        #expect(summary.excludedLines.isEmpty)
        #expect(summary.bestResponses.first { $0.response == .partialResponse }?.unconfirmed == 1)
        #expect(summary.bestResponses.first { $0.response == .progressiveDisease }?.unconfirmed ?? 0 == 0)
        #expect(try fixture.audit(id, table: "assessments").last?.reason == "scan of another patient filed here")
        #expect(throws: AssessmentError.self) {
            try fixture.assessments.void(
                id, date: try CalendarDate(iso: "2024-01-05"), evaluator: .investigator, reason: "the baseline")
        }
    }

    @Test(
        "lesion amend: T1's baseline 42 mm corrected to 8 mm is refused as not measurable; to 44 mm it is kept and the series scored against 94 mm"
    )
    func lesionAmend() throws {
        try fixture.record(id, "2024-03-01", ["T1": "21", "T2": "20", "N1": "9", "NT1": "present"])
        #expect(throws: AssessmentError.self) {
            try fixture.assessments.amendLesion(
                id, lesion: "T1", evaluator: .investigator, LesionAmendment(diameter: Millimetres(8)),
                reason: "re-measured")
        }
        let update = try fixture.assessments.amendLesion(
            id, lesion: "T1", evaluator: .investigator, LesionAmendment(method: .mri, diameter: Millimetres(44)),
            reason: "re-measured on the baseline MRI")
        #expect(update.baseline.sumOfDiameters == Millimetres(94))
        #expect(try fixture.responses.response(id).series.evaluations.first?.baselineSum == Millimetres(94))
        #expect(try fixture.scalar("SELECT imaging_method AS v FROM lesions WHERE label = 'T1'") == "mri")
    }

    @Test(
        "ae update: a grade 2 nausea becomes grade 3 and resolved 2024-02-20, with old and new values and the reason in the audit"
    )
    func adverseEventUpdate() throws {
        let event = try fixture.treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Nausea", ctcaeVersion: .v5_0, grade: 2, onset: try CalendarDate(iso: "2024-02-10"),
                attribution: .possible,
                lineNumber: 1))
        let updated = try fixture.corrections.updateAdverseEvent(
            id, id: event.id, AdverseEventUpdate(grade: 3, resolved: try CalendarDate(iso: "2024-02-20")),
            reason: "hospitalised 2024-02-12; resolved per discharge letter")
        #expect(updated.grade == 3)
        #expect(updated.resolvedOn == CalendarDate(year: 2024, month: 2, day: 20))
        let entry = try #require(try fixture.audit(id, table: "adverse_events").last)
        #expect(entry.reason == "hospitalised 2024-02-12; resolved per discharge letter")
        #expect(entry.oldRow?["grade"] == "2" && entry.newRow?["grade"] == "3")
        #expect(entry.oldRow?["resolved_on"] == .some(nil) && entry.newRow?["resolved_on"] == "2024-02-20")
        #expect(throws: RegistryError.self) {
            try fixture.corrections.updateAdverseEvent(
                id, id: event.id, AdverseEventUpdate(resolved: try CalendarDate(iso: "2024-02-01")),
                reason: "typo")
        }
        #expect(throws: RegistryError.self) {
            try fixture.corrections.updateAdverseEvent(id, id: event.id, AdverseEventUpdate(grade: 6), reason: "typo")
        }
        #expect(try fixture.patients.show(id).adverseEvents == [updated])
    }

    @Test(
        "therapy amend: line 1's start moved to 2024-01-06 with a reason is audited; a start after its follow-up of 2024-03-01 is refused naming both dates"
    )
    func therapyAmend() throws {
        try fixture.record(id, "2024-03-01", ["T1": "21", "T2": "20", "N1": "9", "NT1": "present"])
        let amended = try fixture.corrections.amendTherapyLine(
            id, line: 1, TherapyAmendment(start: try CalendarDate(iso: "2024-01-06")),
            reason: "first dose per pharmacy record")
        #expect(amended.startedOn == CalendarDate(year: 2024, month: 1, day: 6))
        #expect(try fixture.audit(id, table: "therapy_lines").last?.reason == "first dose per pharmacy record")
        let stopped = try fixture.corrections.amendTherapyLine(
            id, line: 1, TherapyAmendment(stop: try CalendarDate(iso: "2024-06-01"), stopReason: .progression),
            reason: "stop not entered")
        #expect(stopped.stopReason == "progression")
        #expect(throws: RegistryError.self) {
            try fixture.corrections.amendTherapyLine(
                id, line: 1, TherapyAmendment(stop: try CalendarDate(iso: "2023-12-01")),
                reason: "typo")
        }
        let late = #expect(throws: RegistryError.self) {
            try fixture.corrections.amendTherapyLine(
                id, line: 1, TherapyAmendment(start: try CalendarDate(iso: "2024-05-01")),
                reason: "typo")
        }
        #expect(late?.description == "a follow-up assessment of the line 2024-03-01 is before start date 2024-05-01")
        #expect(
            try fixture.patients.show(id).therapyLines.first?.startedOn == CalendarDate(year: 2024, month: 1, day: 6))
    }

    @Test(
        "diagnosis amend: 8890/3 corrected to 9040/3 (synovial sarcoma) with its WHO entity; molecular amend and void: a voided SS18::SSX1 is skipped by patient show and kept with its reason"
    )
    func diagnosisAndMolecular() throws {
        let diagnosis = try fixture.diagnostics.recordDiagnosis(
            id,
            DiagnosisSubmission(
                icdo3Code: try HistologyCode("8890/3"), icdoVersion: .v3_2, primarySite: "thigh",
                diagnosed: try PartialDate(iso: "2023-11"),
                diseaseSetting: .metastatic))
        let amended = try fixture.corrections.amendDiagnosis(
            id, id: diagnosis.id,
            DiagnosisAmendment(icdo3Code: try HistologyCode("9040/3")), reason: "pathology review")
        #expect(amended.icdo3Code == "9040/3")
        #expect(amended.whoEntity.lowercased().contains("synovial"))
        #expect(throws: RegistryError.self) {
            try fixture.corrections.amendDiagnosis(
                id, id: diagnosis.id, DiagnosisAmendment(icdo3Code: try HistologyCode("9999/3")),
                reason: "typo")
        }
        let result = try fixture.diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "SSX1", alterationKind: .fusion, partnerGene: "SS18", method: .fish, result: .equivocal,
                reportDate: try CalendarDate(iso: "2023-12-01")))
        let corrected = try fixture.corrections.amendMolecular(
            id, id: result.id, MolecularAmendment(result: .positive),
            reason: "addendum report")
        #expect(corrected.result == "positive")
        try fixture.corrections.voidMolecular(id, id: result.id, reason: "specimen mix-up")
        #expect(try fixture.patients.show(id).molecularResults.isEmpty)
        #expect(try fixture.scalar("SELECT void_reason AS v FROM molecular_results") == "specimen mix-up")
        #expect(try fixture.audit(id, table: "molecular_results").last?.reason == "specimen mix-up")
        #expect(throws: RegistryError.self) {
            try fixture.corrections.voidMolecular(id, id: result.id, reason: "again")
        }
    }
}
