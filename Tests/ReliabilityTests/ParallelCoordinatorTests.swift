import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Synchronization
import TestSupport
import Testing

/// What the coordinator threads say they did, added up across threads.
final class CoordinatorTally: Sendable {
    struct Counts {
        var enrollments = 0
        var assessments = 0
        var conflicts = 0
        var failures: [String] = []
    }

    private let counts = Mutex(Counts())

    func enrolled() { counts.withLock { $0.enrollments += 1 } }
    func assessed() { counts.withLock { $0.assessments += 1 } }
    func conflicted() { counts.withLock { $0.conflicts += 1 } }
    func failed(_ message: String) { counts.withLock { $0.failures.append(message) } }
    var snapshot: Counts { counts.withLock { $0 } }
}

/// One coordinator at one site, working on a thread and a connection of its own under its own login until the deadline.
///
/// Each round enrolls a new patient, then records the next follow-up of one of the site's shared patients. Coordinators
/// of a site race for the same next date; the loser is told the time point exists, and retries with the day after.
final class Coordinator: Sendable {
    let number: Int
    let site: String
    let sharedPatients: [String]
    let connectionString: String
    let key: MRNKey
    let deadline: Date
    let tally: CoordinatorTally

    /// The first date a follow-up may take: the day after the shared patients' therapy started.
    static let firstFollowUp = CalendarDate(year: 2020, month: 1, day: 11)!

    init(
        number: Int, site: String, sharedPatients: [String], connectionString: String, key: MRNKey, deadline: Date,
        tally: CoordinatorTally
    ) {
        self.number = number
        self.site = site
        self.sharedPatients = sharedPatients
        self.connectionString = connectionString
        self.key = key
        self.deadline = deadline
        self.tally = tally
    }

    func run() {
        do {
            let connection = try Connection(connectionString)
            let patients = PatientService(connection: connection)
            let assessments = AssessmentService(connection: connection)
            var round = 0
            while Date() < deadline {
                round += 1
                // Hyphens do not count in an MRN ("1-11" is "11-1"); letters between the numbers keep them apart.
                _ = try patients.enroll(
                    EnrollmentRequest(
                        site: site, mrn: "C\(number)R\(round)", birth: try PartialDate(iso: "1970"), sex: .female,
                        consentDate: try CalendarDate(iso: "2024-01-02")),
                    key: key)
                tally.enrolled()
                try recordNextFollowUp(
                    of: sharedPatients[(number + round) % sharedPatients.count], connection: connection,
                    service: assessments)
            }
        } catch {
            tally.failed("coordinator \(number) at \(site): \(error)")
        }
    }

    /// Retries until it records or the deadline passes: under load a slow coordinator can lose the race for the next
    /// date many times in a row, which is a conflict it retries, not an error.
    private func recordNextFollowUp(of registryID: String, connection: Connection, service: AssessmentService) throws {
        while Date() < deadline {
            let last = try connection.query(
                "SELECT max(a.assessed_on) AS last FROM assessments a JOIN patients p USING (patient_id) WHERE p.registry_id = \(registryID)"
            )[0].decode(CalendarDate.self, "last")
            let next = max(last.adding(days: 1), Self.firstFollowUp)
            do {
                _ = try service.record(
                    registryID,
                    AssessmentSubmission(
                        date: next,
                        results: [
                            try LesionResultEntry.parse(
                                lesion: "T1",
                                value: "38")
                        ]))
                tally.assessed()
                return
            } catch AssessmentError.recist(.duplicateTimePoint) {
                tally.conflicted()
            }
        }
    }
}

@Suite("parallel coordinators")
struct ParallelCoordinatorTests {
    /// SARCREG_RELIABILITY_SECONDS, default 60.
    static var seconds: Double {
        ProcessInfo.processInfo.environment["SARCREG_RELIABILITY_SECONDS"].flatMap(Double.init) ?? 60
    }

    static let sites = ["PA", "PB", "PC", "PD", "PE"]
    static let sharedPerSite = 4

    /// Each site's shared patients, each with a target lesion at baseline and a therapy line, ready for follow-ups.
    static func sharedPatients(_ fixture: ReliabilityFixture) throws -> [String: [String]] {
        var shared: [String: [String]] = [:]
        for site in sites {
            for n in 1...sharedPerSite {
                let patient = try PatientService(connection: fixture.owner).enroll(
                    EnrollmentRequest(
                        site: site, mrn: "shared-\(site)-\(n)", birth: try PartialDate(iso: "1960"), sex: .male,
                        consentDate: try CalendarDate(iso: "2020-01-02")), key: fixture.key)
                _ = try AssessmentService(connection: fixture.owner).addLesion(
                    patient.registryID,
                    LesionSubmission(
                        lesion: "T1", lesionClass: .target, organ: "liver", method: .ct, diameter: Millimetres(40),
                        date: try CalendarDate(iso: "2020-01-05")))
                _ = try TreatmentService(connection: fixture.owner).start(
                    patient.registryID,
                    TherapyStart(
                        agents: ["doxorubicin"], intent: .palliative,
                        startDate: try CalendarDate(iso: "2020-01-10")))
                shared[site, default: []].append(patient.registryID)
            }
        }
        return shared
    }

    @Test(
        "50 coordinators at 5 sites, each its own login, enroll and record follow-ups at once: no error but retried date conflicts, every write counted in the tables and the audit log, registry ids gapless"
    )
    func fiftyCoordinators() throws {
        let fixture = try ReliabilityFixture(sites: Self.sites)
        let shared = try Self.sharedPatients(fixture)
        let seeded = Self.sites.count * Self.sharedPerSite
        let tally = CoordinatorTally()
        let deadline = Date().addingTimeInterval(Self.seconds)
        let coordinators = try (0..<50).map { number in
            let site = Self.sites[number % Self.sites.count]
            let login = try fixture.addLogin("coord", role: .coordinator, sites: [site])
            return Coordinator(
                number: number, site: site, sharedPatients: shared[site] ?? [],
                connectionString: try fixture.connectionString(as: login),
                key: fixture.key, deadline: deadline, tally: tally)
        }
        let finished = DispatchGroup()
        for coordinator in coordinators {
            finished.enter()
            Thread {
                coordinator.run()
                finished.leave()
            }.start()
        }
        finished.wait()

        let done = tally.snapshot
        #expect(done.failures.isEmpty, "\(done.failures.count) coordinators failed, first: \(done.failures.prefix(3))")
        #expect(done.enrollments > 0)
        #expect(done.assessments > 0)

        let enrolled = try fixture.count("SELECT count(*) AS n FROM patients") - seeded
        let followUps = try fixture.count("SELECT count(*) AS n FROM assessments WHERE NOT is_baseline")
        let results = try fixture.count(
            "SELECT count(*) AS n FROM assessment_results r JOIN assessments a USING (assessment_id) WHERE NOT a.is_baseline"
        )
        let auditedEnrollments = try fixture.count(
            "SELECT count(*) AS n FROM audit_log WHERE table_name = 'patients' AND operation = 'INSERT' AND database_user LIKE 'coord\\_%'"
        )
        let auditedFollowUps = try fixture.count(
            "SELECT count(*) AS n FROM audit_log WHERE table_name = 'assessments' AND operation = 'INSERT' AND database_user LIKE 'coord\\_%'"
        )
        #expect(enrolled == done.enrollments, "patients in the table against enrollments the coordinators made")
        #expect(followUps == done.assessments, "follow-ups in the table against those the coordinators recorded")
        #expect(results == done.assessments, "one lesion result per follow-up")
        #expect(auditedEnrollments == done.enrollments, "the audit log's patient inserts by the coordinators")
        #expect(auditedFollowUps == done.assessments, "the audit log's assessment inserts by the coordinators")
        let lost = [
            enrolled - done.enrollments, followUps - done.assessments, results - done.assessments,
            auditedEnrollments - done.enrollments, auditedFollowUps - done.assessments,
        ].map(abs).reduce(0, +)

        // Gapless: each site's sequence numbers are exactly 1...count, and every registry id spells its number.
        let gapped = try fixture.count(
            "SELECT count(*) AS n FROM (SELECT site_code FROM patients GROUP BY site_code HAVING min(site_sequence) <> 1 OR max(site_sequence) <> count(*) OR count(DISTINCT site_sequence) <> count(*)) g"
        )
        #expect(gapped == 0, "sites whose registry ids have gaps or duplicates")
        try AuditCompletenessTests.expectEveryChangeAudited(fixture, "parallel coordinators")

        ReliabilityFigure.enrollments.report(done.enrollments)
        ReliabilityFigure.conflictsRetried.report(done.conflicts)
        ReliabilityFigure.writesLost.report(lost)
    }
}
