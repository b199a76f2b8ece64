import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import TestSupport

/// A migrated database of its own with a site, a fixed "today" and a test MRN key.
struct RegistryFixture {
    let database: TestDatabase
    let connection: Connection
    let key: MRNKey
    let today = CalendarDate(year: 2026, month: 11, day: 27)!

    init(sites: [(String, String)] = [("MUC", "Munich Sarcoma Center")]) throws {
        database = try TestDatabase.make()
        connection = try database.connect()
        key = try MRNKey(secret: Data("test-only key, 32 bytes or longer, never used in production".utf8))
        for (code, name) in sites { _ = try SiteService(connection: connection).add(code: code, name: name) }
    }

    var patients: PatientService { PatientService(connection: connection, today: today) }
    var diagnostics: DiagnosticService { DiagnosticService(connection: connection, today: today) }
    var treatment: TreatmentService { TreatmentService(connection: connection, today: today) }

    @discardableResult
    func enroll(
        mrn: String, site: String = "MUC", birth: String = "1970-05-04", sex: String = "female"
    ) throws -> PatientSummary {
        try patients.enroll(
            EnrollmentRequest(
                site: site, mrn: mrn, birth: try PartialDate(iso: birth),
                sex: try Sex.parse(
                    sex,
                    field: .sex), consentDate: try CalendarDate(iso: "2024-01-10")), key: key)
    }

    /// Row counts of every clinical table, to show that a refused request wrote nothing.
    func counts() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for table in [
            "sites", "patients", "patient_ecog", "diagnoses", "molecular_results", "therapy_lines",
            "therapy_line_agents", "adverse_events",
        ] {
            let rows = try connection.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")
            result[table] = try rows[0].decode(Int.self, "n")
        }
        return result
    }
}
