import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import Testing

/// An export shaped as CDISC's RECIST examples and pharmaversesdtm write it (`Fixtures/real-world`): quoted
/// values and `NA`, three readers, both axes of every target (LDIAM and LPERP), diameters with four decimals,
/// TUMSTATE rows repeated but for TRSEQ, the older DIAMETER test code, an EX without SUPPEX and a placebo arm.
@Suite("SDTM exports as real systems write them", .serialized)
struct RealWorldExportTests {
    @Test(
        "both axes of every target, four decimals, TUMSTATE repeated but for TRSEQ: 17 of 28 TR rows scored, 11 skipped with a note, none quarantined"
    )
    func exportIsRead() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importFixture("real-world")
        for file in run.files {
            #expect(
                file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined + file.skipped,
                "\(file.fileName)")
            #expect(file.quarantined == 0, "\(file.fileName)")
        }
        let tr = try outcome(run, "tr.csv")
        #expect((tr.rowsRead, tr.inserted, tr.skipped) == (28, 17, 11))

        let notes = try fixture.service.notes(run: run.runID)
        #expect(notes.count == 11)
        #expect(
            notes.filter {
                $0.reason.hasPrefix("identical to tr.csv line") && $0.reason.hasSuffix("but for its TRSEQ; read once")
            }.count == 2)
        let axes = notes.filter { $0.reason.hasPrefix("the other axis of target") }
        #expect(axes.count == 9)
        #expect(axes.allSatisfy { $0.column == "TRTESTCD" })
        #expect(
            axes.filter { $0.value == "LPERP" }.allSatisfy {
                $0.reason.contains("scored by its longest diameter (LDIAM)")
            })
        #expect(
            axes.filter { $0.value == "LDIAM" }.allSatisfy {
                $0.reason.contains("lymph node is scored by its short axis (LPERP)")
            })

        #expect(try resultsPerLesion(fixture.connection) == ["NT01x5", "T01x7", "T02x3", "T01x2"])
    }

    @Test(
        "a diameter is kept to 0.01 mm with halves away from zero: 33.6128 is 33.61, 35.005 is 35.01; a node's baseline is its 17.9 mm short axis"
    )
    func diametersAreRounded() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("real-world")
        let baselines = try fixture.connection.query(
            """
            SELECT l.evaluator || ' ' || l.label AS lesion, r.diameter_mm::text AS diameter
            FROM assessment_results r JOIN lesions l ON l.lesion_id = r.lesion_id JOIN assessments a ON a.assessment_id = r.assessment_id
            JOIN patients p ON p.patient_id = a.patient_id
            WHERE a.is_baseline AND r.lesion_class = 'target' AND p.registry_id = 'MUC-0001' ORDER BY 1
            """
        ).map { "\(try $0.decode(String.self, "lesion"))=\(try $0.decode(String.self, "diameter"))" }
        #expect(
            baselines == [
                "investigator T01=34.00", "radiologist-1 T01=33.61", "radiologist-1 T02=17.90",
                "radiologist-2 T01=35.01",
            ])
        #expect(Millimetres(recorded: "33.6128") == Millimetres(hundredths: 3361))
        #expect(Millimetres(recorded: "35.005") == Millimetres(hundredths: 3501))
    }

    @Test(
        "every reader of the export is scored afterwards: radiologist 1 a confirmed PR (51.51 to 30 mm), the investigator SD by DIAMETER, the placebo patient PD"
    )
    func everyReaderIsScored() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("real-world")
        let responses = ResponseService(connection: fixture.connection)
        let first = try responses.response("MUC-0001", evaluator: "radiologist-1").series
        #expect(first.evaluations.map(\.overall) == [.partialResponse, .partialResponse])
        #expect(first.evaluations[0].baselineSum == Millimetres(hundredths: 5151))
        #expect(first.bestOverallResponse.confirmed.response == .partialResponse)
        let investigator = try responses.response("MUC-0001", evaluator: "investigator").series
        #expect(investigator.evaluations.map(\.overall) == [.stableDisease])
        let second = try responses.response("MUC-0001", evaluator: "radiologist-2").series
        #expect(second.evaluations.map(\.overall) == [.partialResponse])
        let placebo = try responses.response("MUC-0002", evaluator: "radiologist-2").series
        #expect(placebo.evaluations.map(\.overall) == [.progressiveDisease])
    }

    @Test(
        "an EX record without SUPPEX is a line whose intent was not recorded; EXTRT PLACEBO is the placebo arm's line")
    func linesWithoutIntentAndPlacebo() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("real-world")
        let lines = try fixture.connection.query(
            """
            SELECT p.registry_id || ' ' || t.line_number || ' ' || t.intent || ' ' || a.agent_code AS line
            FROM therapy_lines t JOIN patients p USING (patient_id) JOIN therapy_line_agents a USING (therapy_line_id) ORDER BY 1
            """
        ).map { try $0.decode(String.self, "line") }
        #expect(lines == ["MUC-0001 1 not_recorded doxorubicin", "MUC-0002 1 not_recorded placebo"])
    }

    @Test("the same real-world export again changes nothing: 17 TR rows unchanged, the same 11 skipped again")
    func rerunChangesNothing() throws {
        let fixture = try SyncFixture()
        _ = try fixture.importFixture("real-world")
        let before = try fixture.snapshot()
        let again = try fixture.importFixture("real-world")
        #expect(again.changedNothing)
        let tr = try outcome(again, "tr.csv")
        #expect((tr.unchanged, tr.skipped, tr.inserted, tr.updated, tr.quarantined) == (17, 11, 0, 0, 0))
        var after = try fixture.snapshot()
        // Only the run log grows: one more sync_runs row.
        after[10] -= 1
        #expect(after == before)
    }
}
