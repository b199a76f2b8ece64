import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Synchronization
import Testing
import TestSupport

@Suite("Trials: definitions, screening log, enrollment and accrual against the real database")
struct TrialServiceTests {
    static let apromiss = "NCT03016819-apromiss.json"

    @Test(
        "APROMISS screens a synovial sarcoma patient after doxorubicin as eligible for the synovial cohort and logs every criterion"
    )
    func screenSynovialAfterAnthracycline() throws {
        let fixture = try TrialFixture()
        try fixture.addShipped(Self.apromiss)
        let id = try fixture.patient(mrn: "SS-1")
        let result = try fixture.trials().screen(id, trial: "nct03016819", by: "Dr. Weber")
        #expect(result.outcome == .eligible)
        #expect(result.cohort == "synovial")
        #expect(result.criteria.allSatisfy { $0.outcome == .met })
        #expect(result.criteria.first { $0.kind == .requiredPriorTherapy }?.patientValue == "doxorubicin")
        let logged = try fixture.connection.query(
            "SELECT outcome, screened_by_name, screened_by = current_user AS by_user FROM trial_screenings WHERE screening_id = \(result.screeningID)"
        )
        #expect(try logged[0].decode((String, String, Bool).self) == ("eligible", "Dr. Weber", true))
        #expect(try fixture.counts()["trial_screening_criteria"] == result.criteria.count)
    }

    @Test(
        "a liposarcoma patient fails APROMISS on histology; the failure is logged and counted by reason in the status")
    func liposarcomaScreenFailure() throws {
        let fixture = try TrialFixture()
        try fixture.addShipped(Self.apromiss)
        let lps = try fixture.patient(mrn: "LPS-1", icdo3: "8852/3")
        let result = try fixture.trials().screen(lps, trial: "NCT03016819")
        #expect(result.outcome == .notEligible)
        let histology = result.criteria.filter { $0.outcome == .notMet }
        #expect(
            !histology.isEmpty && histology.allSatisfy { $0.kind == .histology && $0.patientValue.hasPrefix("8852/3") })
        _ = try fixture.trials().screen(lps, trial: "NCT03016819")
        let status = try fixture.trials().status("NCT03016819")
        #expect(status.screeningOutcomes.map(\.key) == ["not_eligible"] && status.screeningOutcomes.map(\.count) == [1])
        let reasons = Set(status.screenFailureReasons.map(\.key))
        #expect(reasons == Set(histology.map(\.criterion)))
        #expect(status.screenFailureReasons.allSatisfy { $0.count == 1 })
    }

    @Test("an ECOG never assessed screens as unknown and the enrollment is refused as incomplete, nothing written")
    func unknownECOGRefusesEnrollment() throws {
        let fixture = try TrialFixture()
        try fixture.addShipped(Self.apromiss)
        let id = try fixture.patient(mrn: "SS-2", ecog: nil)
        let screening = try fixture.trials().screen(id, trial: "NCT03016819")
        let ecog = try #require(screening.criteria.first { $0.kind == .maximumECOG })
        #expect(ecog.outcome == .unknown && ecog.patientValue == "unknown")
        #expect(screening.outcome == .incomplete)
        let before = try fixture.counts()
        #expect {
            try fixture.trials().enroll(id, TrialEnrollmentRequest(trialNCT: "NCT03016819", cohort: "synovial"))
        } throws: { error in
            guard case TrialError.eligibilityIncomplete(_, _, let unknown) = error else { return false }
            return unknown.count == 1 && unknown[0].hasPrefix("ECOG not recorded")
        }
        #expect(try fixture.counts() == before)
    }

    @Test("with no lesions recorded, measurable disease is unknown with the reason 'no baseline lesions recorded'")
    func noBaselineLesions() throws {
        let fixture = try TrialFixture()
        try fixture.addShipped(Self.apromiss)
        let id = try fixture.patient(mrn: "SS-3")
        let result = try fixture.trials(baseline: RecordedBaselineLesions()).screen(id, trial: "NCT03016819")
        let measurable = try #require(result.criteria.first { $0.kind == .measurableDisease })
        #expect(measurable.outcome == .unknown)
        #expect(measurable.reason == "no baseline lesions recorded")
    }

    @Test(
        "enrollment into APROMISS's synovial cohort reveals the first slot of its sequence and records who enrolled; a second enrollment is refused"
    )
    func enrollAndRefuseTwice() throws {
        let fixture = try TrialFixture()
        try fixture.addShipped(Self.apromiss)
        let id = try fixture.patient(mrn: "SS-4")
        let record = try fixture.trials().enroll(
            id, TrialEnrollmentRequest(trialNCT: "NCT03016819", cohort: "synovial", enrolledBy: "A. Coordinator"))
        let arms = [
            TrialArm(code: "anlotinib", label: "anlotinib", ratio: 2, agents: ["anlotinib"]),
            TrialArm(code: "dacarbazine", label: "dacarbazine", ratio: 1, agents: ["dacarbazine"]),
        ]
        let expected = PermutedBlockRandomization(arms: arms, blockSizes: [3, 6]).sequence(
            seed: 3_016_819, stream: "synovial|", minimumLength: 1)
        #expect(record.placeNumber == 1 && record.capacity == 95)
        #expect(record.sequencePosition == 1)
        #expect(record.armCode == expected[0].armCode)
        #expect(record.enrolledByName == "A. Coordinator")
        #expect(
            record.enrolledBy == (try fixture.connection.query("SELECT current_user AS u")[0].decode(String.self, "u")))
        let before = try fixture.counts()
        #expect {
            try fixture.trials().enroll(id, TrialEnrollmentRequest(trialNCT: "NCT03016819", cohort: "synovial"))
        } throws: { error in
            guard case TrialError.alreadyEnrolled(_, _, "synovial", 1) = error else { return false }
            return true
        }
        #expect(try fixture.counts() == before)
    }

    @Test(
        "an ineligible liposarcoma patient and an ASPS-cohort enrollment of synovial sarcoma are refused, nothing written"
    )
    func ineligibleRefused() throws {
        let fixture = try TrialFixture()
        try fixture.addShipped(Self.apromiss)
        let lps = try fixture.patient(mrn: "LPS-2", icdo3: "8852/3")
        let ss = try fixture.patient(mrn: "SS-5")
        let before = try fixture.counts()
        #expect(throws: TrialError.self) {
            try fixture.trials().enroll(lps, TrialEnrollmentRequest(trialNCT: "NCT03016819", cohort: "synovial"))
        }
        #expect {
            try fixture.trials().enroll(ss, TrialEnrollmentRequest(trialNCT: "NCT03016819", cohort: "asps"))
        } throws: { error in
            guard case TrialError.ineligible(_, _, let unmet) = error else { return false }
            return unmet.count == 1 && unmet[0].contains("9040/3")
        }
        #expect {
            try fixture.trials().enroll(ss, TrialEnrollmentRequest(trialNCT: "NCT03016819"))
        } throws: { error in
            guard case TrialError.cohortRequired(_, let cohorts) = error else { return false }
            return cohorts == ["asps", "lms", "synovial"]
        }
        #expect(try fixture.counts() == before)
    }

    @Test("a bad definition is refused naming the field and value, and writes nothing; the same trial twice is refused")
    func badDefinitionRefused() throws {
        let fixture = try TrialFixture()
        let before = try fixture.counts()
        let text = String(decoding: try TrialFixture.definition(Self.apromiss), as: UTF8.self)
        let bad = Data(text.replacingOccurrences(of: #""capacity": 95"#, with: #""capacity": 0"#).utf8)
        let error = #expect(throws: TrialError.self) { try fixture.trials().add(definition: bad) }
        #expect(error?.description == "cohorts[2].capacity 0 is out of range; allowed 1 to 10000")
        let unknownAgent = Data(
            text.replacingOccurrences(of: #""agents": ["dacarbazine"]"#, with: #""agents": ["dacarbazin"]"#).utf8)
        let agentError = #expect(throws: TrialError.self) { try fixture.trials().add(definition: unknownAgent) }
        #expect(
            agentError?.description
                == "arms[1].agents[0] 'dacarbazin' is not allowed; use one of: an agent code of the therapy catalog")
        let notJSON = #expect(throws: TrialError.self) {
            try fixture.trials().add(definition: Data("nct: NCT03016819".utf8))
        }
        #expect(notJSON?.description.hasPrefix("definition 'nct: NCT03016819' is malformed") == true)
        #expect(try fixture.counts() == before)
        try fixture.addShipped(Self.apromiss)
        let added = try fixture.counts()
        // Whole blocks of 3 or 6 covering each randomized cohort's capacity; none for the fixed-arm ASPS cohort.
        let slots = try fixture.connection.query(
            """
            SELECT c.cohort_code, c.capacity::bigint AS capacity, count(s.position)::bigint AS slots
            FROM trial_cohorts c LEFT JOIN trial_allocation_slots s USING (cohort_id)
            GROUP BY c.cohort_code, c.capacity, c.position ORDER BY c.position
            """
        ).map { try $0.decode((String, Int, Int).self) }
        #expect(slots.map(\.0) == ["asps", "lms", "synovial"])
        #expect(slots[0].2 == 0)
        #expect(slots.dropFirst().allSatisfy { $0.2 >= $0.1 && $0.2 < $0.1 + 6 })
        #expect {
            try fixture.addShipped(Self.apromiss)
        } throws: { error in
            guard case TrialError.trialExists("NCT03016819") = error else { return false }
            return true
        }
        #expect(try fixture.counts() == added)
    }

    @Test(
        "50 coordinators enrolling 50 eligible patients into a 30-place cohort at once: exactly 30 succeed, each place once, 20 told 'cohort full'"
    )
    func concurrentEnrollmentNeverOverfills() throws {
        let fixture = try TrialFixture()
        _ = try fixture.trials().add(definition: TrialFixture.leiomyosarcomaTrial(capacity: 30))
        let ids = try (0..<50).map { try fixture.patient(mrn: "LMS-\($0)", icdo3: "8890/3", priorAgents: []) }
        let places = Mutex<[Int]>([])
        let full = Mutex(0)
        let other = Mutex<[String]>([])
        let group = DispatchGroup()
        let connectionString = fixture.registry.database.connectionString
        let today = fixture.registry.today
        for id in ids {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let service = TrialService(
                        connection: try Connection(connectionString), today: today,
                        baselineDisease: StatedBaseline(status: .measurable(targetLesions: 1)))
                    let record = try service.enroll(
                        id, TrialEnrollmentRequest(trialNCT: "NCT09000001", enrolledBy: "thread"))
                    places.withLock { $0.append(record.placeNumber) }
                } catch TrialError.cohortFull(_, "main", 30) {
                    full.withLock { $0 += 1 }
                } catch {
                    other.withLock { $0.append("\(error)") }
                }
            }
        }
        group.wait()
        #expect(other.withLock { $0 } == [])
        #expect(places.withLock { $0 }.sorted() == Array(1...30))
        #expect(full.withLock { $0 } == 20)
        let stored = try fixture.connection.query(
            """
            SELECT (SELECT places_taken FROM trial_cohorts WHERE cohort_code = 'main')::bigint AS taken,
                   (SELECT count(*) FROM trial_enrollments)::bigint AS enrolled,
                   (SELECT count(DISTINCT place_number) FROM trial_enrollments)::bigint AS places,
                   (SELECT max(position) FROM trial_allocation_slots WHERE enrollment_id IS NOT NULL)::bigint AS last_slot,
                   (SELECT count(*) FROM trial_allocation_slots WHERE enrollment_id IS NOT NULL)::bigint AS revealed
            """)
        #expect(try stored[0].decode((Int, Int, Int, Int, Int).self) == (30, 30, 30, 30, 30))
    }

    @Test(
        "60 randomized enrollments 2:1 over two region strata follow each stratum's stored sequence; no stratum's imbalance exceeds 3"
    )
    func randomizedEnrollmentsStayBalanced() throws {
        let fixture = try TrialFixture()
        _ = try fixture.trials().add(
            definition: TrialFixture.leiomyosarcomaTrial(capacity: 60, stratified: true, seed: 4_242))
        let arms = [
            TrialArm(code: "experimental", label: "experimental", ratio: 2, agents: []),
            TrialArm(code: "control", label: "control", ratio: 1, agents: []),
        ]
        let generator = PermutedBlockRandomization(arms: arms, blockSizes: [3, 6])
        var expected: [String: [AllocationSlot]] = [:]
        var counts: [String: [String: Int]] = [:]
        var arrivals = SplitMix64(seed: 9)
        var worst = 0.0
        for index in 0..<60 {
            let region = arrivals.draw(below: 3) == 0 ? "non_us" : "us"
            let id = try fixture.patient(mrn: "R-\(index)", icdo3: "8890/3", priorAgents: [])
            let record = try fixture.trials().enroll(
                id, TrialEnrollmentRequest(trialNCT: "NCT09000001", strata: ["region=\(region)"]))
            let stream = "main|region=\(region)"
            let sequence = expected[stream, default: generator.sequence(seed: 4_242, stream: stream, minimumLength: 60)]
            expected[stream] = sequence
            let enrolledInStratum = counts[region, default: [:]].values.reduce(0, +)
            #expect(record.sequencePosition == enrolledInStratum + 1)
            #expect(record.armCode == sequence[enrolledInStratum].armCode)
            counts[region, default: [:]][record.armCode, default: 0] += 1
            let total = Double(enrolledInStratum + 1)
            worst = max(worst, abs(Double(counts[region]!["experimental", default: 0]) - total * 2 / 3))
        }
        #expect(worst <= 3.0)
        let status = try fixture.trials().status("NCT09000001")
        #expect(status.strata.map(\.key) == ["main: region=non_us", "main: region=us"])
        #expect(
            status.strata.map(\.count) == [counts["non_us"]!.values.reduce(0, +), counts["us"]!.values.reduce(0, +)])
        #expect(status.cohorts.map(\.key) == ["main"] && status.cohorts.map(\.count) == [60])
        #expect(status.cohorts.map(\.capacity) == [60])
        #expect(status.sites.map(\.key) == ["MUC"] && status.sites.map(\.count) == [60])
        #expect(status.arms.map(\.count).reduce(0, +) == 60)
    }

    @Test("a randomized enrollment without its stratum is refused naming --stratum, nothing written")
    func stratumRequired() throws {
        let fixture = try TrialFixture()
        _ = try fixture.trials().add(definition: TrialFixture.leiomyosarcomaTrial(capacity: 10, stratified: true))
        let id = try fixture.patient(mrn: "ST-1", icdo3: "8890/3", priorAgents: [])
        let before = try fixture.counts()
        let error = #expect(throws: TrialError.self) {
            try fixture.trials().enroll(id, TrialEnrollmentRequest(trialNCT: "NCT09000001", strata: []))
        }
        #expect(error?.description == "stratum region=… is required")
        #expect(try fixture.counts() == before)
    }
}
