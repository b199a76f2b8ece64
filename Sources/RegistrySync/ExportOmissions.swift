import PostgresClient

/// What an export format cannot carry, counted in the registry as it stands, so that an export says what it
/// left out. The README lists the same per format ("What each format carries").
public struct ExportOmission: Sendable, Hashable {
    /// What was left out, in domain words: "ECOG scores", "voided tumor assessments".
    public let what: String
    public let count: Int
}

/// The facts each export format leaves out, each with the fixed query that counts them. Registry-wide
/// records that no exchange format carries (the audit trail, corrections, eligibility alerts, the sync run
/// log and crosswalk) are in the README and not counted here.
enum ExportOmissions {
    /// Everything else the registry holds an SDTM import reads back as it was.
    static let sdtm: [(what: String, count: String)] = [
        (
            "MRNs (pseudonymized: never exported; an imported patient has none)",
            "SELECT count(*) FROM patients WHERE mrn_hmac IS NOT NULL"
        ),
        (
            "full birth dates (BRTHDTC carries the year alone; AGE is exact)",
            "SELECT count(*) FROM patients WHERE birth_date IS NOT NULL"
        ),
        (
            "patients entered by hand (an imported patient is marked as imported)",
            "SELECT count(*) FROM patients WHERE origin = 'enrolled'"
        ),
        (
            "an unknown vital status (without a date of death an imported patient is alive)",
            "SELECT count(*) FROM patients WHERE vital_status = 'unknown'"
        ),
        (
            "site names (DM carries SITEID; the importing registry names and maps its sites)",
            "SELECT count(*) FROM sites"
        ),
        (
            "voided assessments (TR carries the assessments that stand)",
            "SELECT count(*) FROM assessments WHERE void_reason IS NOT NULL"
        ),
        (
            "trial screenings and enrollments (SUPPEX carries a line's trial, not the trial's records)",
            "SELECT (SELECT count(*) FROM trial_screenings) + (SELECT count(*) FROM trial_enrollments)"
        ),
    ]

    static let redcap: [(what: String, count: String)] = [
        ("exact birth dates (the birth year is carried)", "SELECT count(*) FROM patients WHERE birth_date IS NOT NULL"),
        (
            "diagnoses after a patient's first (one diagnosis per record)",
            "SELECT count(*) - count(DISTINCT patient_id) FROM diagnoses"
        ),
        ("voided molecular results", "SELECT count(*) FROM molecular_results WHERE void_reason IS NOT NULL"),
        ("voided tumor assessments", "SELECT count(*) FROM assessments WHERE void_reason IS NOT NULL"),
        ("responses reported by a source (SDTM RS)", "SELECT count(*) FROM source_responses"),
        ("trial screenings", "SELECT count(*) FROM trial_screenings"),
        ("trial enrollments (a line's trial is carried)", "SELECT count(*) FROM trial_enrollments"),
    ]

    static let fhir: [(what: String, count: String)] = [
        ("birth years and dates (the Patient is pseudonymized)", "SELECT count(*) FROM patients"),
        ("consent dates and withdrawals", "SELECT count(*) + count(consent_withdrawn_on) FROM patients"),
        ("last contact dates", "SELECT count(last_contact_on) FROM patients"),
        ("ECOG scores", "SELECT count(*) FROM patient_ecog"),
        ("accepted-read flags", "SELECT count(*) FROM evaluator_reads"),
        (
            "molecular result details (laboratory, acquired resistance, report date beside a specimen date)",
            """
            SELECT count(laboratory) + count(*) FILTER (WHERE acquired_resistance) + count(specimen_date) FROM molecular_results
            WHERE void_reason IS NULL
            """
        ),
        ("concurrent-line marks", "SELECT count(*) FROM therapy_lines WHERE concurrent"),
        (
            "adverse event details (resolution date, specified term, baseline mark)",
            """
            SELECT count(resolved_on) + count(term_specified) + count(*) FILTER (WHERE baseline) FROM adverse_events
            """
        ),
        (
            "non-target and new lesion results",
            """
            SELECT count(*) FROM assessment_results r JOIN lesions l ON l.lesion_id = r.lesion_id
            JOIN assessments s ON s.assessment_id = r.assessment_id
            WHERE s.void_reason IS NULL AND l.lesion_class <> 'target' AND r.diameter_mm IS NULL
            """
        ),
        ("voided molecular results", "SELECT count(*) FROM molecular_results WHERE void_reason IS NOT NULL"),
        ("voided tumor assessments", "SELECT count(*) FROM assessments WHERE void_reason IS NOT NULL"),
        (
            "responses reported by a source (SDTM RS; the registry's computed responses are carried)",
            "SELECT count(*) FROM source_responses"
        ),
        ("trial screenings", "SELECT count(*) FROM trial_screenings"),
    ]
}

extension SyncService {
    /// What an SDTM export of the registry leaves out now, the kinds the registry holds none of omitted.
    public func sdtmOmissions() throws(SyncError) -> [ExportOmission] {
        try omissions(ExportOmissions.sdtm)
    }

    /// What a REDCap export of the registry leaves out now, the kinds the registry holds none of omitted.
    public func redcapOmissions() throws(SyncError) -> [ExportOmission] {
        try omissions(ExportOmissions.redcap)
    }

    /// What an mCODE FHIR export of the registry leaves out now, the kinds the registry holds none of omitted.
    public func fhirOmissions() throws(SyncError) -> [ExportOmission] {
        try omissions(ExportOmissions.fhir)
    }

    private func omissions(_ kinds: [(what: String, count: String)]) throws(SyncError) -> [ExportOmission] {
        do {
            return try kinds.compactMap { kind in
                let count = try connection.query(Query(unsafeSQL: kind.count))[0].decode(Int.self, at: 0)
                return count == 0 ? nil : ExportOmission(what: kind.what, count: count)
            }
        } catch {
            throw SyncError.wrap(error)
        }
    }
}
