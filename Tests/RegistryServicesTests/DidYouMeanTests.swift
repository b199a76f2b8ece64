import Foundation
import RegistryDomain
import RegistryServices
import Testing

@Suite("did you mean: unknown sites and agents are answered with the registry's closest value")
struct DidYouMeanTests {
    @Test("enrolling at site MUX, where MUC exists, is refused with 'did you mean MUC?' and writes nothing")
    func siteSlip() throws {
        let fixture = try RegistryFixture(sites: [("MUC", "Munich"), ("LYO", "Lyon")])
        let before = try fixture.counts()
        let error = try #require(#expect(throws: RegistryError.self) { try fixture.enroll(mrn: "DYM-1", site: "MUX") })
        #expect(error.description.hasPrefix("unknown site 'MUX'; did you mean MUC?"))
        #expect(try fixture.counts() == before)
        let far = try #require(#expect(throws: RegistryError.self) { try fixture.enroll(mrn: "DYM-2", site: "NYC") })
        #expect(!far.description.contains("did you mean"))
    }

    @Test(
        "a line of paclitaxol and doxorubicine is refused naming both with their agents, paclitaxel and doxorubicin; an unknown aspirin gets no guess"
    )
    func agentSlips() throws {
        let fixture = try RegistryFixture()
        let patient = try fixture.enroll(mrn: "DYM-3")
        let before = try fixture.counts()
        let error = try #require(
            #expect(throws: RegistryError.self) {
                _ = try fixture.treatment.start(
                    patient.registryID,
                    TherapyStart(
                        agents: ["paclitaxol", "doxorubicine", "aspirin"], intent: .palliative,
                        startDate: try CalendarDate(iso: "2024-03-01")))
            })
        #expect(error.description.contains("'doxorubicine' (did you mean doxorubicin?)"))
        #expect(error.description.contains("'paclitaxol' (did you mean paclitaxel?)"))
        #expect(error.description.contains("'aspirin';") || error.description.contains("'aspirin',"))
        #expect(!error.description.contains("'aspirin' (did you mean"))
        #expect(try fixture.counts() == before)
    }
}
