import RegistryDomain
import Testing

@Suite("data management rules: records a query names, query states, waiting queries on the worklist")
struct DataManagementRuleTests {
    @Test(
        "assessment:Investigator/2024-03-01 reads as the investigator's 2024-03-01 visit, lesion_result adds the upper-cased lesion, adverse_event:147 an id; line:1, a partial date and a lesion result without its lesion are refused naming the form"
    )
    func recordReferences() throws {
        #expect(
            try DataRecord.parse("assessment:Investigator/2024-03-01", field: .record).description
                == "assessment investigator/2024-03-01")
        #expect(
            try DataRecord.parse("lesion_result:investigator/2024-03-01/t1", field: .record).reference
                == "investigator/2024-03-01/T1")
        #expect(
            try DataRecord.parse("adverse-event: 147", field: .record)
                == DataRecord(stored: .adverseEvent, reference: "147"))
        for bad in [
            "line:1", "assessment:investigator/2024-03", "lesion_result:investigator/2024-03-01", "therapy_line:0",
            "diagnosis",
        ] {
            #expect(throws: RegistryInputError.self, "\(bad)") { try DataRecord.parse(bad, field: .record) }
        }
        let error = #expect(throws: RegistryInputError.self) {
            try DataRecord.parse("assessment:2024-03-01", field: .record)
        }
        #expect(error?.description.contains("assessment:EVALUATOR/YYYY-MM-DD (the visit)") == true)
    }

    @Test(
        "a query moves open -> answered -> reopened -> answered -> closed -> reopened; an open query is not reopened, a closed one not answered"
    )
    func queryTransitions() {
        let path: [QueryStatus] = [.open, .answered, .reopened, .answered, .closed, .reopened]
        for (from, to) in zip(path, path.dropFirst()) { #expect(from.allows(to), "\(from) -> \(to)") }
        #expect(
            !QueryStatus.open.allows(.reopened) && !QueryStatus.closed.allows(.answered)
                && !QueryStatus.closed.allows(.open))
        #expect(QueryAction.allCases.map(\.status) == [.open, .answered, .closed, .reopened])
    }

    @Test(
        "a query opened 2024-05-01 is on the worklist from 2024-05-16 (one day past 14), not on 2024-05-15, and never once closed"
    )
    func waitingQueries() throws {
        let record = DataRecord(stored: .therapyLine, reference: "1")
        let opened = CalendarDate(year: 2024, month: 5, day: 1)!
        func item(_ status: QueryStatus, asOf day: Int) -> WorklistItem? {
            Worklist.waitingQuery(
                registryID: "MUC-0001", queryID: 3, record: record, status: status, openedOn: opened,
                asOf: CalendarDate(year: 2024, month: 5, day: day)!)
        }
        #expect(item(.open, asOf: 15) == nil)
        let late = try #require(item(.answered, asOf: 16))
        #expect(late.kind == .queryWaiting && late.daysLate == 1 && late.what == "query 3 on therapy_line 1 (answered)")
        #expect(item(.closed, asOf: 30) == nil)
    }
}
