import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing
import TestSupport

@Suite("Diagnoses, molecular results, therapy lines and adverse events")
struct ClinicalRecordingTests {
    let fixture: RegistryFixture
    let id: String

    init() throws {
        fixture = try RegistryFixture()
        id = try fixture.enroll(mrn: "CR1", birth: "1970").registryID
    }

    func diagnosis(
        code: String = "8832/1", version: ICDOVersion = .v3_2, diagnosed: String = "2021-03"
    ) throws -> DiagnosisSubmission {
        DiagnosisSubmission(
            icdo3Code: try HistologyCode(code), icdoVersion: version, primarySite: "trunk",
            diagnosed: try PartialDate(iso: diagnosed),
            diseaseSetting: .locallyAdvancedUnresectable)
    }

    @Test("DFSP 8832/1 under ICD-O-3.2 is stored as submitted, entity from the vocabulary, partial date kept")
    func diagnosisAsSubmitted() throws {
        let record = try fixture.diagnostics.recordDiagnosis(id, diagnosis())
        #expect(record.icdo3Code == "8832/1")
        #expect(record.whoEntity.lowercased().contains("dermatofibrosarcoma"))
        #expect(record.diagnosed == "2021-03")
        #expect(record.diseaseSetting == "locally_advanced_unresectable")
        #expect(try fixture.patients.show(id).diagnoses == [record])
    }

    @Test("a patient may have two primary diagnoses")
    func twoDiagnoses() throws {
        _ = try fixture.diagnostics.recordDiagnosis(id, diagnosis())
        _ = try fixture.diagnostics.recordDiagnosis(id, diagnosis(code: "8890/3", diagnosed: "2024"))
        #expect(try fixture.patients.show(id).diagnoses.map(\.icdo3Code) == ["8832/1", "8890/3"])
    }

    @Test("an ETV6-NTRK3 fusion by NGS RNA and an acquired NTRK3 G623R mutation are recorded as such")
    func molecular() throws {
        let fusion = try fixture.diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "ntrk3", alterationKind: .fusion, partnerGene: "ETV6", method: .ngsRNA, result: .positive,
                reportDate: try CalendarDate(iso: "2024-02-01")))
        #expect(fusion.gene == "NTRK3")
        #expect(fusion.partnerGene == "ETV6")
        #expect(fusion.method == "ngs_rna")
        let resistance = try fixture.diagnostics.recordMolecular(
            id,
            MolecularSubmission(
                gene: "NTRK3", alterationKind: .mutation, hgvs: "p.G623R", method: .ngsDNA, result: .positive,
                acquiredResistance: true, specimenDate: try CalendarDate(iso: "2025-01-01"),
                reportDate: try CalendarDate(iso: "2025-01-10")))
        #expect(resistance.acquiredResistance)
        #expect(try fixture.patients.show(id).molecularResults.count == 2)
    }

    @Test("a therapy line with two agents starts as line 1 and stops for progression before line 2 starts")
    func therapyLine() throws {
        let line = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin", "ifosfamide"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-03-01")))
        #expect(line.lineNumber == 1)
        #expect(line.agents == ["doxorubicin", "ifosfamide"])
        let stopped = try fixture.treatment.stop(
            id, line: 1, on: try CalendarDate(iso: "2024-08-15"), reason: .progression)
        #expect(stopped.stopReason == "progression")
        #expect(stopped.stoppedOn == CalendarDate(year: 2024, month: 8, day: 15))
        let second = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: ["pazopanib"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-09-01"), trialNCT: nil))
        #expect(second.lineNumber == 2)
        #expect(throws: RegistryError.self) {
            try fixture.treatment.stop(id, line: 1, on: try CalendarDate(iso: "2024-08-16"), reason: .toxicity)
        }
    }

    @Test("a grade 3 neutropenia on line 1 is recorded with its attribution")
    func adverseEvent() throws {
        _ = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-03-01")))
        let event = try fixture.treatment.recordAdverseEvent(
            id,
            AdverseEventSubmission(
                term: "Neutrophil count decreased", ctcaeVersion: .v5_0, grade: 3,
                onset: try CalendarDate(iso: "2024-03-20"),
                resolved: try CalendarDate(iso: "2024-04-02"),
                attribution: .probable, serious: false, lineNumber: 1))
        #expect(event.grade == 3)
        #expect(try fixture.patients.show(id).adverseEvents == [event])
    }

    /// Each bad input names its field and value, and leaves every table as it was.
    @Test(
        "bad clinical input is refused with the field and value, and nothing is written",
        arguments: [
            ("unknown ICD-O-3 code", "ICD-O-3 code '9999/3' is not in the registry's histology vocabulary"),
            ("diagnosis in the future", "diagnosis date 2027-01-01 is in the future (today is 2026-11-27)"),
            ("diagnosis before birth", "diagnosis date 1969-01-01 is before the patient's birth (born 1970)"),
            ("unknown gene", "gene 'NTRK9' is not a known HGNC gene symbol"),
            ("unknown partner gene", "fusion partner gene 'XYZ1' is not a known HGNC gene symbol"),
            ("stop before start", "stop date 2024-02-01 is before the line's start 2024-03-01"),
            ("grade 7", "grade 7 is out of range; allowed 1 to 5 (CTCAE)"),
            ("grade 0", "grade 0 is out of range; allowed 1 to 5 (CTCAE)"),
            (
                "unknown agent",
                "unknown agent 'doxorubicine' (did you mean doxorubicin?); nothing was recorded: see the therapy catalog for agent names"
            ),
            ("unknown patient", "no patient with registry id 'MUC-0999'"),
            ("AE resolved before onset", "resolution date 2024-03-01 is before onset date 2024-03-20"),
        ])
    func badInput(example: String, message: String) throws {
        _ = try fixture.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-03-01")))
        let before = try fixture.counts()
        let error = #expect(throws: RegistryError.self, "\(example)") {
            switch example {
            case "unknown ICD-O-3 code": _ = try fixture.diagnostics.recordDiagnosis(id, diagnosis(code: "9999/3"))
            case "diagnosis in the future":
                _ = try fixture.diagnostics.recordDiagnosis(id, diagnosis(diagnosed: "2027-01-01"))
            case "diagnosis before birth":
                _ = try fixture.diagnostics.recordDiagnosis(id, diagnosis(diagnosed: "1969-01-01"))
            case "unknown gene":
                _ = try fixture.diagnostics.recordMolecular(
                    id,
                    MolecularSubmission(
                        gene: "NTRK9", alterationKind: .fusion, method: .fish,
                        result: .positive, reportDate: try CalendarDate(iso: "2024-01-01")))
            case "unknown partner gene":
                _ = try fixture.diagnostics.recordMolecular(
                    id,
                    MolecularSubmission(
                        gene: "NTRK3", alterationKind: .fusion,
                        partnerGene: "XYZ1", method: .fish, result: .positive,
                        reportDate: try CalendarDate(iso: "2024-01-01")))
            case "stop before start":
                _ = try fixture.treatment.stop(
                    id, line: 1, on: try CalendarDate(iso: "2024-02-01"),
                    reason: .toxicity)
            case "grade 7", "grade 0":
                _ = try fixture.treatment.recordAdverseEvent(
                    id,
                    AdverseEventSubmission(
                        term: "Fatigue", ctcaeVersion: .v5_0,
                        grade: example == "grade 7" ? 7 : 0, onset: try CalendarDate(iso: "2024-03-20"),
                        attribution: .possible))
            case "unknown agent":
                _ = try fixture.treatment.start(
                    id,
                    TherapyStart(
                        agents: ["doxorubicine"], intent: .palliative,
                        startDate: try CalendarDate(iso: "2024-05-01")))
            case "unknown patient": _ = try fixture.diagnostics.recordDiagnosis("MUC-0999", diagnosis())
            case "AE resolved before onset":
                _ = try fixture.treatment.recordAdverseEvent(
                    id,
                    AdverseEventSubmission(
                        term: "Fatigue", ctcaeVersion: .v5_0, grade: 2,
                        onset: try CalendarDate(iso: "2024-03-20"), resolved: try CalendarDate(iso: "2024-03-01"),
                        attribution: .possible))
            default: Issue.record("no case for \(example)")
            }
        }
        #expect(error?.description == message)
        #expect(try fixture.counts() == before)
    }
}
