import Foundation
import PostgresClient
import RegistryDomain

extension RegistryInvariant {
    /// Every invariant the registry check runs, in the order it reports them.
    public static let all: [RegistryInvariant] = [
        registryIDsGapless, resultClassMatchesLesion, noOrphanLesions, timelineKept, ctcaeTermsKnown, migrationsInOrder,
        migrationsUnedited,
    ]

    /// Every command and import names an adverse event by a term of the CTCAE vocabulary (migration 0028); terms
    /// stored before it that it does not hold, or an "Other, specify" term without its text, are listed to correct
    /// with an adverse event correction.
    public static let ctcaeTermsKnown = RegistryInvariant(
        name: "ctcae-terms-known",
        promise:
            "every adverse event names a CTCAE v5.0 term as CTCAE spells it with its MedDRA code, and an 'Other, specify' term the event it specifies"
    ) { connection, context in
        try connection.query(
            """
            SELECT p.registry_id, e.adverse_event_id, e.ctcae_term, t.term AS known, t.meddra_code AS code, t.other_specify,
                e.term_specified IS NOT NULL AS specified
            FROM adverse_events e JOIN patients p USING (patient_id)
            LEFT JOIN ctcae_terms t ON lower(t.term) = lower(btrim(e.ctcae_term))
            WHERE t.term IS NULL OR t.other_specify <> (e.term_specified IS NOT NULL) OR e.ctcae_term <> t.term
                OR e.meddra_code IS DISTINCT FROM t.meddra_code
            ORDER BY p.registry_id, e.adverse_event_id
            LIMIT \(RegistryInvariant.breakLimit)
            """
        ).map { row in
            let (registryID, id, term) = try row.decode((String, Int, String).self)
            let known = try row.decode(String?.self, "known"), code = try row.decode(Int?.self, "code")
            let otherSpecify = try row.decode(Bool?.self, "other_specify"),
                specified = try row.decode(Bool.self, "specified")
            let problem =
                if let known, let code, let otherSpecify {
                    otherSpecify && !specified
                        ? "'\(term)' has no text saying what the event was"
                        : !otherSpecify && specified
                            ? "'\(term)' is a CTCAE term of its own, yet has text specifying the event"
                            : "'\(term)' is stored without CTCAE's spelling and MedDRA code (\(known), \(code))"
                } else {
                    "'\(term)' is not a CTCAE v\(CTCAETerm.version) term"
                }
            return
                "\(registryID) adverse event \(id): \(problem); correct it with \(context.wording.step(NextStep.correctAdverseEvent(registryID: registryID, eventID: id)))"
        }
    }

    /// The timeline rules every command and import applies before it writes (``PatientTimeline``), over the stored
    /// rows: rows written before the rules, and imported lines and events a format cannot mark concurrent or
    /// baseline, are listed with the rule and what to correct.
    public static let timelineKept = RegistryInvariant(
        name: "timeline-kept",
        promise:
            "nothing dated after a death or before a birth, no overlapping lines unless concurrent, no adverse event before the first line unless baseline, nothing new after a withdrawal"
    ) { connection, _ in
        try TimelineCheckService.findings(on: connection).prefix(RegistryInvariant.breakLimit).map { finding in
            "\(finding.registryID) \(finding.record): \(finding.rule.rawValue): \(finding.problem)"
        }
    }

    /// A site's counter is the next registry number; ids are handed out under the site's row lock in the
    /// enrolling transaction, so a rolled-back enrollment returns its number.
    public static let registryIDsGapless = RegistryInvariant(
        name: "registry-ids-gapless",
        promise: "each site's registry ids run from 1 to the number before its counter, each once, none missing"
    ) { connection, _ in
        let missing = try connection.query(
            """
            SELECT sarcreg_registry_id(s.site_code, n) AS missing, sarcreg_registry_id(s.site_code, s.next_patient_number - 1) AS last
            FROM sites s CROSS JOIN LATERAL generate_series(1, s.next_patient_number - 1) AS n
            WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.site_code = s.site_code AND p.site_sequence = n)
            ORDER BY s.site_code, n
            LIMIT \(RegistryInvariant.breakLimit)
            """
        ).map { row in
            let (missing, last) = try row.decode((String, String).self)
            return "\(missing) is missing (the site's ids run to \(last))"
        }
        let beyond = try connection.query(
            """
            SELECT p.registry_id, s.next_patient_number
            FROM patients p JOIN sites s USING (site_code)
            WHERE p.site_sequence >= s.next_patient_number
            ORDER BY p.site_code, p.site_sequence
            LIMIT \(RegistryInvariant.breakLimit)
            """
        ).map { row in
            let (registryID, next) = try row.decode((String, Int).self)
            return
                "\(registryID) is numbered at or past its site's counter (next number \(next)): the next enrollment would take its id"
        }
        return Array((missing + beyond).prefix(RegistryInvariant.breakLimit))
    }

    /// RECIST scores a result by its lesion's class; a result filed under another class is scored wrongly.
    public static let resultClassMatchesLesion = RegistryInvariant(
        name: "result-class-matches-lesion",
        promise: "every assessment result has its lesion's class (target, non-target or new)"
    ) { connection, _ in
        try connection.query(
            """
            SELECT coalesce(p.registry_id, 'no patient') AS registry_id, l.label, l.lesion_id, coalesce(a.assessed_on::text, 'a missing assessment') AS assessed_on,
                   r.lesion_class AS result_class, l.lesion_class
            FROM assessment_results r
            JOIN lesions l ON l.lesion_id = r.lesion_id
            LEFT JOIN assessments a ON a.assessment_id = r.assessment_id
            LEFT JOIN patients p ON p.patient_id = l.patient_id
            WHERE r.lesion_class <> l.lesion_class
            ORDER BY l.lesion_id, r.assessment_id
            LIMIT \(RegistryInvariant.breakLimit)
            """
        ).map { row in
            let (registryID, label, lesionID, assessedOn, resultClass, lesionClass) =
                try row.decode((String, String, Int, String, String, String).self)
            return "\(registryID) lesion \(label) (lesion id \(lesionID)): the result of \(assessedOn) "
                + "is filed as \(resultClass), the lesion is \(lesionClass)"
        }
    }

    /// A lesion without its patient is counted by no report and shown by no audit; a result without its lesion
    /// cannot be scored.
    public static let noOrphanLesions = RegistryInvariant(
        name: "no-orphan-lesions",
        promise: "every lesion belongs to a patient, and every result to a lesion"
    ) { connection, _ in
        let lesions = try connection.query(
            """
            SELECT l.lesion_id, l.label, l.patient_id FROM lesions l
            WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = l.patient_id)
            ORDER BY l.lesion_id
            LIMIT \(RegistryInvariant.breakLimit)
            """
        ).map { row in
            let (lesionID, label, patientID) = try row.decode((Int, String, Int).self)
            return "lesion \(label) (lesion id \(lesionID)) names patient id \(patientID), which does not exist"
        }
        let results = try connection.query(
            """
            SELECT r.assessment_id, r.lesion_id FROM assessment_results r
            WHERE NOT EXISTS (SELECT 1 FROM lesions l WHERE l.lesion_id = r.lesion_id)
            ORDER BY r.lesion_id, r.assessment_id
            LIMIT \(RegistryInvariant.breakLimit)
            """
        ).map { row in
            let (assessmentID, lesionID) = try row.decode((Int, Int).self)
            return "the result of assessment id \(assessmentID) names lesion id \(lesionID), which does not exist"
        }
        return Array((lesions + results).prefix(RegistryInvariant.breakLimit))
    }

    /// The schema is the files applied in number order; a file applied out of order, or skipped while a later
    /// one was applied, gives a schema no installation from scratch has.
    public static let migrationsInOrder = RegistryInvariant(
        name: "migrations-in-order",
        promise: "migrations were applied in number order, and none on disk is skipped below an applied one"
    ) { connection, context in
        let entries = try SchemaMigrator(files: context.migrations).status(on: connection).entries
        let applied = entries.filter { $0.state != .pending }
        var breaks: [String] = []
        for (earlier, later) in zip(applied, applied.dropFirst()) {
            if let earlierAt = earlier.appliedAt, let laterAt = later.appliedAt, laterAt < earlierAt {
                breaks.append("\(fileName(later)) was applied before \(fileName(earlier))")
            }
        }
        if let highest = applied.last {
            for entry in entries where entry.state == .pending && entry.version < highest.version {
                breaks.append("\(fileName(entry)) is not applied, but \(fileName(highest)) is")
            }
        }
        return breaks
    }

    /// An applied file edited afterwards no longer says what the database holds.
    public static let migrationsUnedited = RegistryInvariant(
        name: "migrations-unedited",
        promise: "every applied migration's file has the SHA-256 recorded in schema_migrations when it was applied"
    ) { connection, context in
        try SchemaMigrator(files: context.migrations).status(on: connection).entries.compactMap { entry in
            switch entry.state {
            case .changed:
                "\(fileName(entry)) was edited after it was applied: its SHA-256 is not the one schema_migrations recorded"
            case .missingFile: "\(fileName(entry)) is recorded as applied but its file is missing"
            case .applied, .pending: nil
            }
        }
    }

    private static func fileName(_ entry: MigrationStatus.Entry) -> String {
        String(format: "%04d", entry.version) + "_" + entry.name + ".sql"
    }
}
