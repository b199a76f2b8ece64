import RegistryDomain

/// The SQL of the SDTM import, one domain at a time: field checks, checks against the registry, the
/// valid rows with their natural key and row hash, and the set-based apply.
///
/// Every statement is fixed text: the source, run id and CTCAE version reach it through the
/// transaction-local settings `sarcreg.sync_source`, `sarcreg.sync_run` and `sarcreg.sync_ctcae`, set with
/// bound parameters. The staging table of a file is aliased `s` in every fragment.
enum SDTMRules {
    static let source = "current_setting('sarcreg.sync_source')"
    static let run = "current_setting('sarcreg.sync_run')::bigint"

    /// A check that writes every failing (row, column) of a staging table to `sync_errors`. `checks` are
    /// SQL triples (column name, value, reason or NULL); `onlyClean` skips rows already quarantined.
    /// The triples are an array of `sync_check` unnested per row rather than a LATERAL VALUES list: a VALUES
    /// list that refers to the outer row sets up its expressions anew for every row, which cost more than
    /// the checks themselves.
    /// `rows`, when given, limits the check to the rows it holds for.
    static func check(
        _ file: SDTMFile, from: String? = nil, joins: String = "", checks: [String], onlyClean: Bool,
        rows: String? = nil
    ) -> String {
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
        SELECT '\(file.fileName)', s.line_number, e.column_name, e.value, e.reason
        FROM \(from ?? file.stagingTable) s
        \(joins)
        CROSS JOIN LATERAL unnest(ARRAY[\(checks.map { "(\($0))::sync_check" }.joined(separator: ",\n    "))]) AS e
        WHERE e.reason IS NOT NULL AND s.read_error IS NULL
        \(onlyClean ? "AND \(clean(file))" : "")
        \(rows.map { "AND \($0)" } ?? "")
        """
    }

    /// Invalid UTF-8 and field-count errors found while reading, with the value as far as it could be read.
    /// A SUPP-- row's IDVARVAL is the --SEQ of a record of its parent domain (`parent`) for the same subject.
    static func parentRecordCheck(_ parent: SDTMFile) -> String {
        let domain = parent.domain.uppercased()
        return """
            'IDVARVAL', s.idvarval, CASE WHEN NOT EXISTS (SELECT 1 FROM \(parent.stagingTable) e
                WHERE e.usubjid = s.usubjid AND e.\(parent.domain.lowercased())seq = s.idvarval)
                THEN 'no \(domain) record with this \(domain)SEQ for this USUBJID' END
            """
    }

    static func readErrors(_ file: SDTMFile) -> String {
        let value =
            "CASE s.read_error_column "
            + file.columns.map { "WHEN '\($0)' THEN s.\($0.lowercased())" }.joined(separator: " ") + " END"
        return """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT '\(file.fileName)', s.line_number, s.read_error_column, \(value), s.read_error
            FROM \(file.stagingTable) s WHERE s.read_error IS NOT NULL
            """
    }

    /// The row has no quarantine entry.
    static func clean(_ file: SDTMFile, alias: String = "s") -> String {
        "NOT EXISTS (SELECT 1 FROM sync_errors q WHERE q.file_name = '\(file.fileName)' AND q.line_number = \(alias).line_number)"
    }

    /// The staged rows with their natural key's copies in the file: `copies`, `first_line` (the first copy's
    /// line) and `identical` (every copy has the same values). Exports repeat rows that differ only in their
    /// --SEQ (which the sync does not read): such copies are read once, the others skipped with a note
    /// (``identicalCopies(_:key:)``); copies that disagree are all quarantined, since nothing says which is right.
    static func withCopies(_ file: SDTMFile, key: String) -> String {
        """
        (SELECT s.*, count(*) OVER w AS copies, min(s.line_number) OVER w AS first_line,
            min(s.copy_hash) OVER w = max(s.copy_hash) OVER w AS identical
        FROM (SELECT s.*, \(hash(file)) AS copy_hash FROM \(file.stagingTable) s) s
        WINDOW w AS (PARTITION BY \(key)))
        """
    }

    /// Skips every copy of a row but the first, with a note, where all copies of its natural key are identical.
    static func identicalCopies(_ file: SDTMFile, key: String) -> String {
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason, skipped)
        SELECT '\(file.fileName)', s.line_number, NULL, NULL,
            'identical to \(file.fileName) line ' || s.first_line || ' but for its \(file.domain)SEQ; read once', true
        FROM \(withCopies(file, key: key)) s
        WHERE s.read_error IS NULL AND s.copies > 1 AND s.identical AND s.line_number <> s.first_line
        """
    }

    /// Rows that are neither skipped copies nor read with an error; what the first check of a file reads.
    static let notSkippedCopy = "NOT (s.copies > 1 AND s.identical AND s.line_number <> s.first_line)"

    /// A key with copies that disagree: every copy is quarantined.
    static let conflictingCopies = "(s.copies > 1 AND NOT s.identical)"

    /// `computed` is the full date's expression where a table already holds it.
    static func fullDate(_ column: String, required: Bool, computed: String? = nil) -> String {
        let name = column.uppercased()
        return """
            '\(name)', s.\(column), CASE WHEN s.\(column) IS NULL THEN \(required ? "'\(name) is required'" : "NULL")
                WHEN \(computed ?? "sync_full_date(s.\(column))") IS NOT NULL THEN NULL
                WHEN sync_date_part(s.\(column)) IS NOT NULL THEN 'a full date (YYYY-MM-DD) is required; this is a partial date'
                ELSE 'not an ISO 8601 date' END
            """
    }

    /// The domain's timeline rules over a date column of a row joined to its patient `p` by ``subjectJoin``.
    static func patientTimeline(_ column: String) -> String {
        ImportRules.timelineCheck(
            column: column.uppercased(), value: "s.\(column)", date: "sync_full_date(s.\(column))",
            birthYear: "p.birth_year",
            deathOn: "p.death_on")
    }

    /// The subject: known from a DM record of this or an earlier run, consent not withdrawn.
    static let subjectJoin = """
        LEFT JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        LEFT JOIN patients p ON p.patient_id = x.patient_id
        LEFT JOIN sync_site_conflicts c ON c.usubjid = s.usubjid
        """
    /// ``subjectCheck(patient:withdrawnOn:held:)`` for a row of `domain` whose natural key is `key`, joined by ``subjectJoin``.
    static func subjectCheck(_ domain: String, key: String) -> String {
        subjectCheck(
            patient: "x.patient_id", withdrawnOn: "p.consent_withdrawn_on",
            held:
                "EXISTS (SELECT 1 FROM sync_records h WHERE h.source = \(source) AND h.domain = '\(domain)' AND h.natural_key = \(key))"
        )
    }

    /// The subject is known, bound to a patient of the site its SITEID maps to (``siteConflicts``), and
    /// the patient is not locked and has not withdrawn consent, or the row is a record the registry holds from the source
    /// (`held`): after a withdrawal nothing new is recorded, but the same export read again changes nothing,
    /// and a held record's change is a correction, which a withdrawal allows. `c` is the subject's row of
    /// `sync_site_conflicts`, if any.
    static func subjectCheck(patient: String, withdrawnOn: String, held: String) -> String {
        """
        'USUBJID', s.usubjid, CASE WHEN s.usubjid IS NULL THEN 'USUBJID is required'
            WHEN \(patient) IS NULL THEN \(ImportRules.Reason.unknownSubject)
            WHEN c.usubjid IS NOT NULL THEN \(siteConflictReason)
            WHEN \(withdrawnOn) IS NOT NULL AND NOT \(held) THEN \(ImportRules.Reason.consentWithdrawn(withdrawnOn))
            WHEN \(ImportRules.Reason.locked(patient)) THEN \(ImportRules.Reason.lockedReason(patient))
            END
        """
    }

    static let siteConflictReason = """
        'the subject is bound to patient ' || c.registry_id || ' of site ' || c.site_code || ', but SITEID ' || c.siteid
            || ' maps to site ' || c.mapped_site || '; a subject delivers data only to a patient of its own site'
        """

    /// Subjects bound to a patient of another site than the one their DM row's SITEID maps to now: a remapped
    /// site or a crosswalk entry that was never this site's. Nothing of theirs is applied.
    static let siteConflicts = """
        CREATE TEMP TABLE sync_site_conflicts ON COMMIT DROP AS
        SELECT DISTINCT s.usubjid, s.siteid, m.site_code AS mapped_site, p.registry_id, p.site_code
        FROM sync_stage_dm s
        JOIN sync_site_map m ON m.source = \(source) AND m.source_site = s.siteid
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        JOIN patients p ON p.patient_id = x.patient_id
        WHERE s.read_error IS NULL AND p.site_code <> m.site_code
        """

    /// The registry's evaluator name for an SDTM reader: the investigator, or the reader's id (TUEVALID),
    /// lower-cased with spaces as hyphens ("RADIOLOGIST 1" is `radiologist-1`).
    static func evaluator(_ eval: String, _ evalID: String) -> String {
        """
        (CASE WHEN s.\(eval) IS NULL OR upper(btrim(s.\(eval))) = 'INVESTIGATOR' THEN 'investigator'
            ELSE lower(regexp_replace(btrim(coalesce(s.\(evalID), s.\(eval))), '\\s+', '-', 'g')) END)
        """
    }

    /// The test that `expression` is not an identifier of one `first` character and then `rest` characters,
    /// `maximumLength` in all (NULL when it is NULL). An unbounded repeat and a length test rather than a
    /// bounded repeat such as `{0,39}`: PostgreSQL's regular expressions make a state per repetition, and the
    /// evaluator's test took 2.4 s a million rows that way against 0.3 s this way.
    static func breaksIdentifier(_ expression: String, first: String, rest: String, maximumLength: Int) -> String {
        "(\(expression) !~ '^\(first)\(rest)*$' OR length(\(expression)) > \(maximumLength))"
    }

    /// `computed` is the evaluator's expression where a table already holds it.
    static func evaluatorCheck(_ eval: String, _ evalID: String, computed: String? = nil) -> String {
        """
        '\(evalID.uppercased())', coalesce(s.\(evalID), s.\(eval)),
            CASE WHEN \(breaksIdentifier(computed ?? evaluator(eval, evalID), first: "[a-z]", rest: "[a-z0-9_-]", maximumLength: 40))
            THEN 'the evaluator must be INVESTIGATOR or a reader id of letters, digits, spaces, - and _' END
        """
    }

    /// RECIST 1.1's target counts (``Baseline/maximumTargets``, ``Baseline/maximumTargetsPerOrgan``) over the
    /// target rows of each subject's and evaluator's baseline, as a query of the rows that break them, each with
    /// its quarantine `column_name`, `value` and `reason`. `targets` yields one row per baseline target with the
    /// ``baselineTargetColumns`` (`line_number`, `subject`, `evaluator`, `label`, `organ`, `is_lymph_node` and,
    /// for the quarantine, `lesion_value` and `organ_value`; the column names are the file's) and the caller's
    /// `extraColumns`. The limits are the domain's own constants. Whether a target is measurable is not asked
    /// here: the engine itself judges each stored series (``SyncService/applyKeepingSeriesScorable(touched:on:_:)``),
    /// in the words `sarcreg lesion add` uses.
    ///
    /// A breach of a count quarantines every target of the offending organ (or, past the total, every
    /// target of that baseline), not the excess ones in lesion order: which lesions a reader chose as
    /// targets is a clinical decision, and a lesion's label order says nothing about it, so keeping the
    /// first two would score the patient against a baseline nobody chose.
    ///
    /// The counts also weigh the targets the registry already holds for the subject and evaluator with a
    /// baseline result (``storedBaselineTargets(of:)``), less the lesions the export sends again: a source that
    /// sends only what changed would otherwise add a third liver target to two stored ones unseen. Only the
    /// export's rows break a rule; a stored target is never quarantined. The counts are windows over the
    /// export's and the stored targets together: an anti-join or a join back to the export's targets, which
    /// the planner cannot estimate inside one statement, became a nested loop over every pair of targets.
    static func baselineBreaches(
        targets: String, extraColumns: [String] = [], lesionColumn: String, organColumn: String
    ) -> String {
        let perOrgan = Baseline.maximumTargetsPerOrgan
        let total = Baseline.maximumTargets
        let columns = baselineTargetColumns + extraColumns
        let stored = ["subject", "evaluator", "label", "organ", "is_lymph_node"]
        return """
            SELECT t.*,
                CASE t.breach WHEN 'organ' THEN '\(organColumn)' ELSE '\(lesionColumn)' END AS column_name,
                CASE t.breach WHEN 'organ' THEN t.organ_value ELSE t.lesion_value END AS value,
                'baseline breaks RECIST 1.1: ' || CASE t.breach
                    WHEN 'organ' THEN t.in_organ || ' target lesions in ' || t.organ || ', at most \(perOrgan) per organ'
                    ELSE t.targets || ' target lesions, at most \(total)' END AS reason
            FROM (SELECT t.*, CASE
                    WHEN t.in_organ > \(perOrgan) THEN 'organ'
                    WHEN t.targets > \(total) THEN 'total' END AS breach
                FROM (SELECT t.*, count(*) OVER (PARTITION BY t.subject, t.evaluator) AS targets,
                        count(*) OVER (PARTITION BY t.subject, t.evaluator, t.organ) AS in_organ
                    FROM (SELECT t.*, count(t.line_number) OVER (PARTITION BY t.subject, t.evaluator, t.label) AS sent
                        FROM (WITH staged AS (\(targets))
                            SELECT \(columns.joined(separator: ", ")) FROM staged
                            UNION ALL
                            SELECT \(columns.map { stored.contains($0) ? "l.\($0)" : "NULL" }.joined(separator: ", "))
                            FROM (\(storedBaselineTargets(of: "SELECT DISTINCT subject, evaluator FROM staged"))) l) t) t
                    WHERE t.line_number IS NOT NULL OR t.sent = 0) t) t
            WHERE t.breach IS NOT NULL AND t.line_number IS NOT NULL
            """
    }

    /// The columns of the targets ``baselineBreaches(targets:extraColumns:lesionColumn:organColumn:)`` weighs.
    static let baselineTargetColumns = [
        "line_number", "subject", "evaluator", "label", "organ", "is_lymph_node", "lesion_value", "organ_value",
    ]

    /// The registry's baseline targets of the subjects and evaluators `pairs` yields (`subject`, the source's
    /// USUBJID or record id, and `evaluator`), one row per lesion with `subject`, `evaluator`, `label`, `organ`
    /// (all nodes one) and `is_lymph_node`: a target lesion with a result at its evaluator's baseline. Joined
    /// from the one baseline assessment of each (`assessments_one_baseline`) to its results and their
    /// lesions, each by its index: from the lesions to all their results read every follow-up result too,
    /// three times the time.
    static func storedBaselineTargets(of pairs: String) -> String {
        """
        SELECT k.subject, l.evaluator, l.label, CASE WHEN l.is_lymph_node THEN '\(AnatomicSite.lymphNodes)' ELSE l.organ END AS organ,
            l.is_lymph_node
        FROM (\(pairs)) k
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = k.subject
        JOIN assessments a ON a.patient_id = x.patient_id AND a.evaluator = k.evaluator AND a.is_baseline
        JOIN assessment_results r ON r.assessment_id = a.assessment_id AND r.lesion_class = 'target'
        JOIN lesions l ON l.lesion_id = r.lesion_id
        """
    }

    static let keySeparator = "E'\\x1f'"

    /// A vocabulary's values as an SQL list, from the domain's cases: the import accepts exactly what the
    /// command line does.
    static func values<Vocabulary: RegistryVocabulary>(
        of vocabulary: Vocabulary.Type, except excluded: Set<Vocabulary> = []
    ) -> String {
        vocabulary.allCases.filter { !excluded.contains($0) }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }

    /// A submitted value spelled as ``RegistryVocabulary/parse(_:field:)`` reads it: trimmed, lower case,
    /// spaces and hyphens as underscores ("Patient choice" is `patient_choice`).
    static func vocabularySpelling(_ expression: String) -> String {
        "lower(translate(btrim(\(expression)), ' -', '__'))"
    }

    static func key(_ parts: [String]) -> String {
        parts.map { "coalesce(\($0), '')" }.joined(separator: " || \(keySeparator) || ")
    }

    /// The md5 of a row's staged values: equal hashes mean an unchanged record.
    static func hash(_ file: SDTMFile, extra: [String] = []) -> String {
        "md5(ROW(\((file.columns.map { "s." + $0.lowercased() } + extra).joined(separator: ", ")))::text)"
    }

    /// Joins the valid rows to their records, for the outcome and the registry row of earlier runs.
    static func recordJoin(domain: String, key: String) -> String {
        "LEFT JOIN sync_records r ON r.source = \(source) AND r.domain = '\(domain)' AND r.natural_key = \(key)"
    }

    // MARK: DM

    static let dmKey = "s.usubjid"
    static let dmSex =
        "CASE upper(s.sex) WHEN 'M' THEN 'male' WHEN 'F' THEN 'female' WHEN 'U' THEN 'unknown' WHEN 'UNDIFFERENTIATED' THEN 'other' END"
    static let dmBirthYear =
        "coalesce(left(sync_date_part(s.brthdtc), 4)::int, extract(year FROM sync_full_date(s.rficdtc))::int - s.age::int)"

    /// The patient an earlier run bound a DM row's subject to, if any.
    static let dmKnownPatient =
        "(SELECT k.patient_id FROM sync_subjects k WHERE k.source = \(source) AND k.usubjid = s.usubjid)"

    static let dm: [String] =
        [
            readErrors(.dm),
            siteConflicts,
            identicalCopies(.dm, key: dmKey),
            check(
                .dm, from: withCopies(.dm, key: dmKey),
                joins: """
                    LEFT JOIN sync_site_map m ON m.source = \(source) AND m.source_site = s.siteid
                    LEFT JOIN sync_site_conflicts c ON c.usubjid = s.usubjid
                    """,
                checks: [
                    """
                    'USUBJID', s.usubjid, CASE WHEN s.usubjid IS NULL THEN 'USUBJID is required' WHEN \(conflictingCopies) THEN 'duplicate USUBJID in dm.csv'
                        WHEN \(ImportRules.Reason.locked(dmKnownPatient)) THEN \(ImportRules.Reason.lockedReason(dmKnownPatient)) END
                    """,
                    """
                    'SITEID', s.siteid, CASE WHEN s.siteid IS NULL THEN 'SITEID is required'
                        WHEN m.site_code IS NULL THEN 'site ' || s.siteid || ' of source ' || \(source) || ' is not mapped to a registry site; map the source site to one first'
                        WHEN c.usubjid IS NOT NULL THEN \(siteConflictReason) END
                    """,
                    fullDate("rficdtc", required: true),
                    "'BRTHDTC', s.brthdtc, CASE WHEN s.brthdtc IS NOT NULL AND sync_date_part(s.brthdtc) IS NULL THEN 'not an ISO 8601 date' END",
                    """
                    'AGE', s.age, CASE WHEN s.age IS NULL AND s.brthdtc IS NULL THEN 'AGE or BRTHDTC is required'
                        WHEN s.age !~ '^[0-9]{1,3}$' THEN 'AGE must be a whole number of years' END
                    """,
                    "'SEX', s.sex, CASE WHEN s.sex IS NULL THEN 'SEX is required' WHEN \(dmSex) IS NULL THEN 'unknown SEX code; expected M, F, U or UNDIFFERENTIATED' END",
                    fullDate("dthdtc", required: false),
                ], onlyClean: false, rows: notSkippedCopy),
            check(
                .dm,
                checks: [
                    """
                    'AGE', s.age, CASE WHEN \(dmBirthYear) NOT BETWEEN \(PatientTimeline.birthYears.lowerBound) AND \(PatientTimeline.birthYears.upperBound)
                        THEN 'gives the birth year ' || \(dmBirthYear) || ', outside \(PatientTimeline.birthYears.lowerBound) to \(PatientTimeline.birthYears.upperBound)'
                        WHEN extract(year FROM sync_full_date(s.rficdtc)) < \(dmBirthYear) THEN 'gives a birth year after the consent date' END
                    """,
                    "'DTHDTC', s.dthdtc, CASE WHEN extract(year FROM sync_full_date(s.dthdtc)) < \(dmBirthYear) THEN 'date of death before the birth year' END",
                ], onlyClean: true),
            """
            CREATE TEMP TABLE sync_valid_dm ON COMMIT DROP AS
            SELECT s.line_number, \(dmKey) AS natural_key, \(hash(.dm, extra: ["m.site_code"])) AS row_hash, r.row_hash AS old_hash,
                s.usubjid, m.site_code, sync_full_date(s.rficdtc) AS consent_date, \(dmBirthYear) AS birth_year,
                \(dmSex) AS sex, sync_full_date(s.dthdtc) AS death_on, x.patient_id, s.age::smallint AS age
            FROM sync_stage_dm s
            JOIN sync_site_map m ON m.source = \(source) AND m.source_site = s.siteid
            LEFT JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
            \(recordJoin(domain: "DM", key: dmKey))
            WHERE \(clean(.dm))
            """,
        ]
        + ImportRules.enrollSubjects(
            """
            SELECT usubjid AS subject, site_code, patient_id, old_hash IS DISTINCT FROM row_hash AS changed, birth_year, sex, consent_date,
                death_on, NULL::text AS vital_status, NULL::date AS consent_withdrawn_on, NULL::date AS last_contact_on,
                CASE WHEN extract(year FROM consent_date)::int - birth_year - age IN (0, 1) THEN age END AS age_at_consent
            FROM sync_valid_dm
            """, carried: [], ageAtConsent: true)

    // MARK: SUPPEX and EX

    static let exKey = key(["s.usubjid", "s.exseq"])
    static let suppexKey = key(["s.usubjid", "s.idvarval", "s.qnam"])
    /// EXTRT read as `therapy start` reads an agent: a code, a catalog name or an alias (`KEYTRUDA`).
    static let exAgent = "therapy_agent_code(s.extrt)"
    static let suppexQualifiers = """
        LEFT JOIN (SELECT q.usubjid, q.idvarval,
                max(q.qval) FILTER (WHERE q.qnam = 'LINENUM') AS linenum,
                max(\(vocabularySpelling("q.qval"))) FILTER (WHERE q.qnam = 'INTENT') AS intent,
                max(\(vocabularySpelling("q.qval"))) FILTER (WHERE q.qnam = 'STOPRSN') AS stoprsn,
                max(upper(q.qval)) FILTER (WHERE q.qnam = 'TRIALNCT') AS trialnct,
                coalesce(bool_or(upper(q.qval) = 'Y') FILTER (WHERE q.qnam = 'CONCURNT'), false) AS concurnt,
                string_agg(q.qnam || '=' || q.qval, ';' ORDER BY q.qnam) AS all_values
            FROM sync_stage_suppex q WHERE \(clean(.suppex, alias: "q")) GROUP BY q.usubjid, q.idvarval) g
            ON g.usubjid = s.usubjid AND g.idvarval = s.exseq
        """

    /// The export's lines as its valid EX records make them (one record per agent), for the timeline's overlap rule:
    /// a line is concurrent when any of its records is marked so.
    static let exLines = """
        SELECT usubjid AS subject, min(patient_id) AS patient_id, line_number_of_therapy AS line_number, min(started_on) AS started_on,
            CASE WHEN bool_and(stopped_on IS NOT NULL) THEN max(stopped_on) END AS stopped_on, bool_or(concurrent) AS concurrent
        FROM sync_valid_ex GROUP BY usubjid, line_number_of_therapy
        """

    static let ex: [String] =
        [
            readErrors(.suppex),
            identicalCopies(.suppex, key: suppexKey),
            check(
                .suppex, from: withCopies(.suppex, key: suppexKey),
                checks: [
                    "'IDVAR', s.idvar, CASE WHEN s.idvar IS DISTINCT FROM 'EXSEQ' THEN 'IDVAR must be EXSEQ' END",
                    "'QNAM', s.qnam, CASE WHEN s.qnam IS NULL OR s.qnam NOT IN ('LINENUM', 'INTENT', 'STOPRSN', 'TRIALNCT', 'CONCURNT') THEN 'unknown QNAM; expected LINENUM, INTENT, STOPRSN, TRIALNCT or CONCURNT' WHEN \(conflictingCopies) THEN 'duplicate QNAM for this EX record' END",
                    """
                    'QVAL', s.qval, CASE WHEN s.qval IS NULL THEN 'QVAL is required'
                        WHEN s.qnam = 'LINENUM' AND (s.qval !~ '^[0-9]{1,2}$' OR s.qval::int NOT BETWEEN 1 AND 30) THEN 'LINENUM must be a line of therapy 1 to 30'
                        WHEN s.qnam = 'INTENT' AND \(vocabularySpelling("s.qval")) NOT IN (\(values(of: TherapyIntent.self)))
                            THEN 'unknown INTENT; expected \(TherapyIntent.allowedValues)'
                        WHEN s.qnam = 'STOPRSN' AND \(vocabularySpelling("s.qval")) NOT IN (\(values(of: StopReason.self)))
                            THEN 'unknown STOPRSN; expected \(StopReason.allowedValues)'
                        WHEN s.qnam = 'TRIALNCT' AND upper(s.qval) !~ '^NCT[0-9]{8}$' THEN 'TRIALNCT must be an NCT number'
                        WHEN s.qnam = 'CONCURNT' AND upper(s.qval) NOT IN ('Y', 'N') THEN 'CONCURNT must be Y or N' END
                    """,
                    parentRecordCheck(.ex),
                ], onlyClean: false, rows: notSkippedCopy),
            readErrors(.ex),
            identicalCopies(.ex, key: exKey),
            check(
                .ex, from: withCopies(.ex, key: exKey), joins: subjectJoin + "\n" + suppexQualifiers,
                checks: [
                    subjectCheck("EX", key: exKey),
                    "'EXSEQ', s.exseq, CASE WHEN s.exseq IS NULL OR s.exseq !~ '^[0-9]{1,9}$' THEN 'EXSEQ must be a whole number' WHEN \(conflictingCopies) THEN 'duplicate EXSEQ for this USUBJID' END",
                    "'EXTRT', s.extrt, CASE WHEN s.extrt IS NULL THEN 'EXTRT is required' WHEN \(exAgent) IS NULL THEN 'unknown agent; not an agent code, name or alias of the therapy catalog' END",
                    fullDate("exstdtc", required: true),
                    fullDate("exendtc", required: false),
                    patientTimeline("exstdtc"),
                    patientTimeline("exendtc"),
                ], onlyClean: false, rows: notSkippedCopy),
            check(
                .ex, joins: suppexQualifiers,
                checks: [
                    "'EXENDTC', s.exendtc, CASE WHEN sync_full_date(s.exendtc) < sync_full_date(s.exstdtc) THEN 'EXENDTC is before EXSTDTC' END",
                    "'SUPPEX.STOPRSN', g.stoprsn, CASE WHEN (s.exendtc IS NULL) <> (g.stoprsn IS NULL) THEN 'a stop reason (SUPPEX STOPRSN) goes with EXENDTC, and EXENDTC with a stop reason' END",
                ], onlyClean: true),
            """
            CREATE TEMP TABLE sync_valid_ex ON COMMIT DROP AS
            SELECT s.line_number, \(exKey) AS natural_key, \(hash(.ex, extra: ["g.all_values"])) AS row_hash, r.row_hash AS old_hash,
                s.usubjid, s.exseq, x.patient_id, \(exAgent) AS agent_code,
                coalesce(g.linenum::int, dense_rank() OVER (PARTITION BY s.usubjid ORDER BY sync_full_date(s.exstdtc))::int) AS line_number_of_therapy,
                coalesce(g.intent, '\(TherapyIntent.notRecorded.rawValue)') AS intent, sync_full_date(s.exstdtc) AS started_on, sync_full_date(s.exendtc) AS stopped_on, g.stoprsn AS stop_reason,
                coalesce(s.exdostxt, nullif(btrim(coalesce(s.exdose, '') || ' ' || coalesce(s.exdosu, '')), '')) AS dose, g.trialnct,
                coalesce(g.concurnt, false) AS concurrent
            FROM sync_stage_ex s
            JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
            \(suppexQualifiers)
            \(recordJoin(domain: "EX", key: exKey))
            WHERE \(clean(.ex))
            """,
            // A line the timeline refuses is refused with all its EX records, and the other lines are judged without it.
            """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT 'ex.csv', v.line_number, 'EXSTDTC', s.exstdtc, o.reason
            FROM sync_valid_ex v JOIN sync_stage_ex s ON s.line_number = v.line_number
            JOIN (\(ImportRules.overlappingLines(exLines, mark: "SUPPEX QNAM CONCURNT = Y"))) o
                ON o.subject = v.usubjid AND o.line_number = v.line_number_of_therapy
            """,
            "DELETE FROM sync_valid_ex v WHERE NOT \(clean(.ex, alias: "v"))",
            """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT 'suppex.csv', s.line_number, 'IDVARVAL', s.idvarval, 'its EX record (ex.csv line ' || e.line_number || ') is quarantined'
            FROM sync_stage_suppex s JOIN sync_stage_ex e ON e.usubjid = s.usubjid AND e.exseq = s.idvarval
            WHERE \(clean(.suppex)) AND NOT EXISTS (SELECT 1 FROM sync_valid_ex v WHERE v.usubjid = s.usubjid AND v.exseq = s.idvarval)
            """,
        ]
        + ImportRules.applyTherapyLines(
            """
            SELECT patient_id, line_number_of_therapy AS line_number, min(intent) AS intent, min(started_on) AS started_on,
                CASE WHEN bool_and(stopped_on IS NOT NULL) THEN max(stopped_on) END AS stopped_on,
                CASE WHEN bool_and(stopped_on IS NOT NULL) THEN min(stop_reason) END AS stop_reason, min(dose) AS dose, min(trialnct) AS trial_nct,
                bool_or(concurrent) AS concurrent
            FROM sync_valid_ex GROUP BY patient_id, line_number_of_therapy
            HAVING bool_or(old_hash IS DISTINCT FROM row_hash)
            """,
            agents: """
                SELECT patient_id, line_number_of_therapy AS line_number, agent_code FROM sync_valid_ex WHERE old_hash IS DISTINCT FROM row_hash
                """,
            replacingAgents: false)

    // MARK: AE

    static let aeKey = key(["s.usubjid", "s.aeseq"])
    static let aeAttribution = """
        (CASE upper(btrim(s.aerel))
            WHEN 'NOT RELATED' THEN 'unrelated' WHEN 'UNRELATED' THEN 'unrelated' WHEN 'NONE' THEN 'unrelated'
            WHEN 'UNLIKELY RELATED' THEN 'unlikely' WHEN 'UNLIKELY' THEN 'unlikely'
            WHEN 'POSSIBLY RELATED' THEN 'possible' WHEN 'POSSIBLE' THEN 'possible'
            WHEN 'PROBABLY RELATED' THEN 'probable' WHEN 'PROBABLE' THEN 'probable'
            WHEN 'DEFINITELY RELATED' THEN 'definite' WHEN 'DEFINITE' THEN 'definite' WHEN 'RELATED' THEN 'definite' END)
        """

    static let suppaeKey = key(["s.usubjid", "s.idvarval", "s.qnam"])
    static let suppaeQualifiers = """
        LEFT JOIN (SELECT q.usubjid, q.idvarval,
                coalesce(bool_or(upper(q.qval) = 'Y') FILTER (WHERE q.qnam = 'BASELINE'), false) AS baseline,
                max(q.qval) FILTER (WHERE q.qnam = 'CTCAEV') AS ctcaev,
                max(q.qval::smallint) FILTER (WHERE q.qnam = 'LINENUM') AS linenum,
                string_agg(q.qnam || '=' || q.qval, ';' ORDER BY q.qnam) AS all_values
            FROM sync_stage_suppae q WHERE \(clean(.suppae, alias: "q")) GROUP BY q.usubjid, q.idvarval) g
            ON g.usubjid = s.usubjid AND g.idvarval = s.aeseq
        """
    /// The CTCAE term an AE record names: its dictionary term, or the reported term where it has none.
    static let aeTerm = "coalesce(s.aedecod, s.aeterm)"
    /// The text an "Other, specify" term keeps: the reported term, where it says more than the coded one. Beside a
    /// term of its own the reported term is the verbatim report the term codes, and is not kept.
    static let aeSpecified = """
        CASE WHEN \(ImportRules.isOtherSpecify(aeTerm)) AND lower(btrim(s.aeterm)) <> lower(btrim(coalesce(s.aedecod, ''))) THEN btrim(s.aeterm) END
        """

    static let ae: [String] = [
        readErrors(.suppae),
        identicalCopies(.suppae, key: suppaeKey),
        check(
            .suppae, from: withCopies(.suppae, key: suppaeKey),
            checks: [
                "'IDVAR', s.idvar, CASE WHEN s.idvar IS DISTINCT FROM 'AESEQ' THEN 'IDVAR must be AESEQ' END",
                "'QNAM', s.qnam, CASE WHEN s.qnam IS NULL OR s.qnam NOT IN ('BASELINE', 'CTCAEV', 'LINENUM') THEN 'unknown QNAM; expected BASELINE, CTCAEV or LINENUM' WHEN \(conflictingCopies) THEN 'duplicate QNAM for this AE record' END",
                """
                'QVAL', s.qval, CASE WHEN s.qval IS NULL THEN 'QVAL is required'
                    WHEN s.qnam = 'BASELINE' AND upper(s.qval) NOT IN ('Y', 'N') THEN 'BASELINE must be Y or N'
                    WHEN s.qnam = 'CTCAEV' AND s.qval NOT IN (\(values(of: CTCAEVersion.self))) THEN 'unknown CTCAEV; expected \(CTCAEVersion.allowedValues)'
                    WHEN s.qnam = 'LINENUM' AND (s.qval !~ '^[0-9]{1,2}$' OR s.qval::int NOT BETWEEN 1 AND 30) THEN 'LINENUM must be a line of therapy 1 to 30' END
                """,
                parentRecordCheck(.ae),
            ], onlyClean: false, rows: notSkippedCopy),
        readErrors(.ae),
        identicalCopies(.ae, key: aeKey),
        check(
            .ae, from: withCopies(.ae, key: aeKey),
            joins: subjectJoin + "\nLEFT JOIN sync_ctcae_suggestions d ON d.submitted = \(aeTerm)",
            checks: [
                subjectCheck("AE", key: aeKey),
                "'AESEQ', s.aeseq, CASE WHEN s.aeseq IS NULL OR s.aeseq !~ '^[0-9]{1,9}$' THEN 'AESEQ must be a whole number' WHEN \(conflictingCopies) THEN 'duplicate AESEQ for this USUBJID' END",
                "'AETERM', s.aeterm, CASE WHEN s.aeterm IS NULL OR btrim(s.aeterm) = '' THEN 'AETERM is required' END",
                "CASE WHEN s.aedecod IS NULL THEN 'AETERM' ELSE 'AEDECOD' END, \(aeTerm), "
                    + ImportRules.termReason(
                        term: aeTerm, specified: aeSpecified, specifiedField: "AETERM (the reported term)",
                        textOnlyWithOther: false),
                """
                'AELLTCD', s.aelltcd, CASE WHEN s.aelltcd IS NOT NULL AND ctcae_term_code(\(aeTerm)) IS NOT NULL
                    AND s.aelltcd IS DISTINCT FROM ctcae_term_code(\(aeTerm))::text
                    THEN 'not the MedDRA code of the CTCAE term ' || (SELECT term FROM ctcae_terms WHERE meddra_code = ctcae_term_code(\(aeTerm)))
                        || ' (' || ctcae_term_code(\(aeTerm)) || ')' END
                """,
                "'AETOXGR', s.aetoxgr, CASE WHEN s.aetoxgr IS NULL THEN 'AETOXGR is required' WHEN s.aetoxgr !~ '^[1-5]$' THEN 'AETOXGR must be a CTCAE grade 1 to 5' END",
                fullDate("aestdtc", required: true),
                fullDate("aeendtc", required: false),
                patientTimeline("aestdtc"),
                patientTimeline("aeendtc"),
                "'AEREL', s.aerel, CASE WHEN s.aerel IS NULL THEN 'AEREL (the attribution) is required' WHEN \(aeAttribution) IS NULL THEN 'unknown AEREL; expected NOT RELATED, UNLIKELY RELATED, POSSIBLY RELATED, PROBABLY RELATED or DEFINITELY RELATED' END",
                "'AESER', s.aeser, CASE WHEN s.aeser IS NOT NULL AND upper(s.aeser) NOT IN ('Y', 'N') THEN 'AESER must be Y or N' END",
            ], onlyClean: false, rows: notSkippedCopy),
        // The lines this run applied (EX comes first) and the stored ones give the patient's first line.
        check(
            .ae,
            joins: """
                JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
                \(suppaeQualifiers)
                LEFT JOIN (SELECT patient_id, min(started_on) AS started_on FROM therapy_lines GROUP BY patient_id) f ON f.patient_id = x.patient_id
                """,
            checks: [
                "'AEENDTC', s.aeendtc, CASE WHEN sync_full_date(s.aeendtc) < sync_full_date(s.aestdtc) THEN 'AEENDTC is before AESTDTC' END",
                ImportRules.baselineCheck(
                    column: "AESTDTC", value: "s.aestdtc", onset: "sync_full_date(s.aestdtc)",
                    baseline: "coalesce(g.baseline, false)",
                    firstStart: "f.started_on", mark: "SUPPAE QNAM BASELINE = Y"),
                """
                'SUPPAE.LINENUM', g.linenum::text, CASE WHEN g.linenum IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM therapy_lines t WHERE t.patient_id = x.patient_id AND t.line_number = g.linenum)
                    THEN 'the patient has no line of therapy ' || g.linenum || ' in the registry or in this export' END
                """,
            ], onlyClean: true),
        """
        CREATE TEMP TABLE sync_valid_ae ON COMMIT DROP AS
        SELECT s.line_number, \(aeKey) AS natural_key, \(hash(.ae, extra: ["g.all_values"])) AS row_hash, r.row_hash AS old_hash,
            coalesce(r.registry_row, CASE WHEN r.natural_key IS NULL THEN sarcreg_next_id('adverse_events') END) AS registry_row,
            s.usubjid, s.aeseq, x.patient_id, \(aeTerm) AS ctcae_term, \(aeSpecified) AS term_specified, s.aetoxgr::smallint AS grade,
            sync_full_date(s.aestdtc) AS onset_on, sync_full_date(s.aeendtc) AS resolved_on, \(aeAttribution) AS attribution,
            coalesce(upper(s.aeser) = 'Y', false) AS serious, coalesce(g.baseline, false) AS baseline,
            coalesce(g.ctcaev, current_setting('sarcreg.sync_ctcae')) AS ctcae_version, g.linenum AS line_number_of_therapy
        FROM sync_stage_ae s
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        \(suppaeQualifiers)
        \(recordJoin(domain: "AE", key: aeKey))
        WHERE \(clean(.ae))
        """,
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
        SELECT 'suppae.csv', s.line_number, 'IDVARVAL', s.idvarval, 'its AE record (ae.csv line ' || e.line_number || ') is quarantined'
        FROM sync_stage_suppae s JOIN sync_stage_ae e ON e.usubjid = s.usubjid AND e.aeseq = s.idvarval
        WHERE \(clean(.suppae)) AND NOT EXISTS (SELECT 1 FROM sync_valid_ae v WHERE v.usubjid = s.usubjid AND v.aeseq = s.idvarval)
        """,
        ImportRules.applyAdverseEvents(
            """
            SELECT registry_row, patient_id, line_number_of_therapy AS line_number, ctcae_term, term_specified, ctcae_version, grade,
                onset_on, resolved_on, attribution, serious, baseline
            FROM sync_valid_ae WHERE old_hash IS DISTINCT FROM row_hash
            """),
    ]

    // MARK: TU

    static let tuEvaluator = evaluator("tueval", "tuevalid")
    static let tuLabel = "upper(btrim(s.tulnkid))"
    static let tuKey = key(["s.usubjid", tuEvaluator, tuLabel])
    static let tuClass =
        "(CASE upper(coalesce(s.tustresc, s.tuorres)) WHEN 'TARGET' THEN 'target' WHEN 'NON-TARGET' THEN 'non_target' WHEN 'NEW' THEN 'new' END)"
    static let tuMethod = """
        (CASE upper(btrim(s.tumethod)) WHEN 'CT SCAN' THEN 'ct' WHEN 'CT' THEN 'ct' WHEN 'MRI' THEN 'mri'
            WHEN 'PET/CT' THEN 'pet_ct' WHEN 'PET-CT' THEN 'pet_ct' WHEN 'X-RAY' THEN 'x_ray' WHEN 'ULTRASOUND' THEN 'ultrasound'
            WHEN 'PHYSICAL EXAMINATION' THEN 'clinical' WHEN 'CLINICAL' THEN 'clinical' END)
        """

    /// RECIST 1.1's baseline rules for the export's target lesions (TU) with their baseline diameters (TR),
    /// checked before the lesions are written: a target lesion without its baseline result makes the
    /// report refuse the patient, so the TU row of a lesion that breaks them is quarantined with its TR rows
    /// (``trBaselineRules``). Only TR values that read as a size are weighed; the TR checks name the others.
    /// One baseline row per lesion (the first), since a second is quarantined by the TR checks anyway.
    static let tuBaselineRules: [String] = [
        """
        CREATE TEMP TABLE sync_baseline_breaches ON COMMIT DROP AS
        \(baselineBreaches(targets: """
            SELECT DISTINCT ON (u.line_number) u.line_number, u.usubjid AS subject, u.evaluator, u.label,
                CASE WHEN u.is_lymph_node THEN '\(AnatomicSite.lymphNodes)' ELSE u.tuloc END AS organ, u.is_lymph_node,
                u.tulnkid AS lesion_value, u.tuloc AS organ_value,
                s.line_number AS tr_line
            FROM (SELECT s.line_number, s.usubjid, \(tuEvaluator) AS evaluator, \(tuLabel) AS label, s.tulnkid, s.tuloc,
                    coalesce(upper(s.tuloc) LIKE '%LYMPH NODE%', false) AS is_lymph_node
                FROM sync_stage_tu s WHERE \(tuClass) = 'target' AND \(clean(.tu))) u
            JOIN (SELECT DISTINCT ON (s.usubjid, \(trEvaluator), \(trLabel), s.trtestcd) s.*, \(trEvaluator) AS evaluator, \(trLabel) AS label
                FROM sync_stage_tr s
                WHERE \(trBaseline) AND \(trIsDiameter) AND s.read_error IS NULL
                    AND (\(trNotDone) OR \(trTooSmall) OR s.trstresn ~ '^[0-9]+(\\.[0-9]+)?$')
                ORDER BY s.usubjid, \(trEvaluator), \(trLabel), s.trtestcd, s.line_number) s
                ON s.usubjid = u.usubjid AND s.evaluator = u.evaluator AND s.label = u.label
                    AND s.trtestcd IN ('DIAMETER', CASE WHEN u.is_lymph_node THEN 'LPERP' ELSE 'LDIAM' END)
            ORDER BY u.line_number, s.line_number
            """, extraColumns: ["tr_line"], lesionColumn: "TULNKID", organColumn: "TULOC"))
        """,
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
        SELECT 'tu.csv', line_number, column_name, value, reason FROM sync_baseline_breaches
        """,
    ]

    static let tu: [String] =
        [
            readErrors(.tu),
            identicalCopies(.tu, key: tuKey),
            check(
                .tu, from: withCopies(.tu, key: tuKey), joins: subjectJoin,
                checks: [
                    subjectCheck("TU", key: tuKey),
                    "'TULNKID', s.tulnkid, CASE WHEN s.tulnkid IS NULL OR \(breaksIdentifier(tuLabel, first: "[A-Z0-9]", rest: "[A-Z0-9_.-]", maximumLength: 20)) THEN 'TULNKID must be a lesion id such as T01, NT02 or NEW01' WHEN \(conflictingCopies) THEN 'duplicate lesion for this USUBJID and evaluator' END",
                    "'TUTESTCD', s.tutestcd, CASE WHEN s.tutestcd IS DISTINCT FROM 'TUMIDENT' THEN 'unknown TUTESTCD; only TUMIDENT (tumor identification) is read' END",
                    "'TUSTRESC', coalesce(s.tustresc, s.tuorres), CASE WHEN \(tuClass) IS NULL THEN 'unknown lesion class; expected TARGET, NON-TARGET or NEW' END",
                    "'TULOC', s.tuloc, CASE WHEN s.tuloc IS NULL AND \(tuClass) <> 'new' THEN 'TULOC is required for a target or non-target lesion' END",
                    "'TUMETHOD', s.tumethod, CASE WHEN s.tumethod IS NULL AND \(tuClass) <> 'new' THEN 'TUMETHOD is required for a target or non-target lesion' WHEN s.tumethod IS NOT NULL AND \(tuMethod) IS NULL THEN 'unknown TUMETHOD; expected CT SCAN, MRI, PET/CT, X-RAY, ULTRASOUND or PHYSICAL EXAMINATION' END",
                    evaluatorCheck("tueval", "tuevalid"),
                    "'TUACPTFL', s.tuacptfl, CASE WHEN s.tuacptfl IS NOT NULL AND s.tuacptfl NOT IN ('Y', 'N') THEN 'TUACPTFL must be Y or N' END",
                ], onlyClean: false, rows: notSkippedCopy),
            check(
                .tu,
                joins: subjectJoin
                    + " LEFT JOIN lesions l ON l.patient_id = x.patient_id AND l.evaluator = \(tuEvaluator) AND l.label = \(tuLabel)",
                checks: [
                    "'TUSTRESC', coalesce(s.tustresc, s.tuorres), CASE WHEN l.lesion_class <> \(tuClass) THEN 'the lesion was identified as ' || l.lesion_class || ' earlier; a lesion never changes class' END"
                ], onlyClean: true),
            check(
                .tu,
                joins: subjectJoin
                    + " JOIN sync_refused_series z ON z.subject = s.usubjid AND z.evaluator = \(tuEvaluator) AND (z.label IS NULL OR z.label = \(tuLabel))",
                checks: ["'TULNKID', s.tulnkid, \(ImportRules.refusedSeriesReason)"], onlyClean: true),
        ] + tuBaselineRules + [
            """
            CREATE TEMP TABLE sync_valid_tu ON COMMIT DROP AS
            SELECT s.line_number, \(tuKey) AS natural_key, \(hash(.tu)) AS row_hash, r.row_hash AS old_hash,
                x.patient_id, \(tuEvaluator) AS evaluator, \(tuLabel) AS label, \(tuClass) AS lesion_class, s.tuloc AS organ,
                coalesce(upper(s.tuloc) LIKE '%LYMPH NODE%', false) AS is_lymph_node, \(tuMethod) AS imaging_method, s.tuacptfl = 'Y' AS accepted
            FROM sync_stage_tu s
            JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
            \(recordJoin(domain: "TU", key: tuKey))
            WHERE \(clean(.tu))
            """,
            // In the file's order, which keeps a reader's lesions in the order the exporting registry lists them.
            ImportRules.applyLesions(
                """
                SELECT patient_id, evaluator, label, lesion_class, organ, is_lymph_node, imaging_method
                FROM sync_valid_tu WHERE old_hash IS DISTINCT FROM row_hash ORDER BY line_number
                """),
            """
            INSERT INTO evaluator_reads (patient_id, evaluator, accepted)
            SELECT patient_id, evaluator, bool_or(accepted) FROM sync_valid_tu
            GROUP BY patient_id, evaluator HAVING bool_or(old_hash IS DISTINCT FROM row_hash) AND bool_or(accepted) IS NOT NULL
            ON CONFLICT (patient_id, evaluator) DO UPDATE SET accepted = EXCLUDED.accepted
            """,
            // A read whose flag the export no longer gives has no flag, not a false one.
            """
            DELETE FROM evaluator_reads r USING (
                SELECT patient_id, evaluator FROM sync_valid_tu
                GROUP BY patient_id, evaluator HAVING bool_or(old_hash IS DISTINCT FROM row_hash) AND bool_or(accepted) IS NULL) v
            WHERE r.patient_id = v.patient_id AND r.evaluator = v.evaluator
            """,
        ]

    // MARK: TR

    static let trEvaluator = evaluator("treval", "trevalid")
    static let trLabel = "upper(btrim(s.trlnkid))"
    static let trVisit = "coalesce(s.visitnum, s.visit, s.trdtc)"
    /// Over `evaluator` and `label` as ``trRows`` computes them.
    static let trKey = key(["s.usubjid", "s.evaluator", "s.label", trVisit, "s.trtestcd"])
    static let trIsDiameter = "s.trtestcd IN ('LDIAM', 'LPERP', 'DIAMETER')"
    static let trNotDone = "upper(coalesce(s.trstat, '')) = 'NOT DONE'"
    static let trTooSmall = "upper(coalesce(s.trorres, '')) = 'TOO SMALL TO MEASURE'"
    static let trState = "upper(coalesce(s.trstresc, s.trorres))"
    static let trBaseline = "coalesce(upper(s.visit) IN ('BASELINE', 'SCREENING'), false)"

    /// Every staged TR row with what the checks and the apply read, computed in one pass: its evaluator,
    /// lesion label, natural key, row hash and date, its subject, lesion and stored record. Each check
    /// recomputed these (regular expressions, the key, four joins), 5 to 22 s per pass at a million rows.
    /// OFFSET 0 keeps each inner level from being flattened into the next, which would evaluate the
    /// evaluator's expression once per reference.
    static let trRows = """
        CREATE TEMP TABLE sync_tr ON COMMIT DROP AS
        SELECT s.*, x.patient_id, p.consent_withdrawn_on, p.birth_year, p.death_on, l.lesion_id, l.lesion_class, l.is_lymph_node,
            r.row_hash AS old_hash
        FROM (SELECT s.*, \(trKey) AS natural_key, sync_full_date(s.trdtc) AS assessed_on, \(trBaseline) AS is_baseline
            FROM (SELECT s.*, \(trEvaluator) AS evaluator, \(trLabel) AS label, \(hash(.tr)) AS row_hash
                FROM sync_stage_tr s OFFSET 0) s
            OFFSET 0) s
        LEFT JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        LEFT JOIN patients p ON p.patient_id = x.patient_id
        LEFT JOIN lesions l ON l.patient_id = x.patient_id AND l.evaluator = s.evaluator AND l.label = s.label
        \(recordJoin(domain: "TR", key: "s.natural_key"))
        """

    /// The natural keys more than one TR row has. Counted apart from `sync_tr`: a window over it sorted
    /// whole rows, spilling a million of them to disk. Grouped in byte order ("C"), which makes the same
    /// groups as the database's collation without its comparisons.
    static let trCopies = """
        CREATE TEMP TABLE sync_tr_copies ON COMMIT DROP AS
        SELECT natural_key COLLATE "C" AS natural_key, count(*) AS copies, min(line_number) AS first_line,
            min(row_hash) = max(row_hash) AS identical
        FROM sync_tr GROUP BY 1 HAVING count(*) > 1
        """

    /// `sync_tr` with each row's number of copies in the file and whether they are identical.
    static let trWithCopies = """
        (SELECT s.*, coalesce(c.copies, 1) AS copies, coalesce(c.identical, true) AS identical
        FROM sync_tr s LEFT JOIN sync_tr_copies c ON c.natural_key = s.natural_key COLLATE "C")
        """

    /// The diameter test that scores a target: a node's short axis (LPERP), any other lesion's longest
    /// diameter (LDIAM); DIAMETER, the older SDTMIG code, is either.
    static let trScoredAxis = "(CASE WHEN s.is_lymph_node THEN 'LPERP' ELSE 'LDIAM' END)"

    /// The visits at which a target has both axes (LDIAM and LPERP), as CDISC's RECIST examples send them.
    static let trBothAxes = """
        CREATE TEMP TABLE sync_tr_both_axes ON COMMIT DROP AS
        SELECT usubjid, evaluator, label, \(trVisit) AS visit FROM sync_tr s
        WHERE s.trtestcd IN ('LDIAM', 'LPERP') AND s.lesion_class = 'target'
        GROUP BY 1, 2, 3, 4 HAVING count(DISTINCT s.trtestcd) = 2
        """

    /// Rows read but not scored, each with a note: copies identical but for TRSEQ after the first, and the
    /// axis of a target that does not score it where the scoring axis is there too. They leave `sync_tr`, so
    /// no check or apply sees them; their natural keys stay known to the missing-from-source check through
    /// the copy or axis that is read.
    static let trSkips = [
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason, skipped)
        SELECT 'tr.csv', s.line_number, NULL, NULL, 'identical to tr.csv line ' || c.first_line || ' but for its TRSEQ; read once', true
        FROM sync_tr s JOIN sync_tr_copies c ON c.natural_key = s.natural_key COLLATE "C"
        WHERE c.identical AND s.line_number <> c.first_line AND s.read_error IS NULL
        UNION ALL
        SELECT 'tr.csv', s.line_number, 'TRTESTCD', s.trtestcd,
            'the other axis of target ' || s.label || ': a ' || CASE WHEN s.is_lymph_node THEN 'lymph node is scored by its short axis (LPERP)'
                ELSE 'lesion other than a node is scored by its longest diameter (LDIAM)' END || '; kept out of the score', true
        FROM sync_tr s JOIN sync_tr_both_axes b ON b.usubjid = s.usubjid AND b.evaluator = s.evaluator AND b.label = s.label
            AND b.visit = \(trVisit)
        WHERE s.trtestcd <> \(trScoredAxis) AND s.read_error IS NULL
            AND NOT EXISTS (SELECT 1 FROM sync_tr_copies c WHERE c.natural_key = s.natural_key COLLATE "C" AND c.identical AND s.line_number <> c.first_line)
        """,
        "DELETE FROM sync_tr s USING sync_errors e WHERE e.skipped AND e.file_name = 'tr.csv' AND e.line_number = s.line_number",
    ]

    /// A recorded diameter kept to 0.01 mm, as ``Millimetres/init(recorded:)`` keeps it (halves away from zero).
    static let trDiameter = "trim_scale(round(s.trstresn::numeric, 2))"

    /// The TR rows of the lesions whose TU row ``tuBaselineRules`` quarantined: the baseline row with the
    /// rule it breaks, every later row because it would be scored against a baseline that is not there.
    static let trBaselineRules = """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
        SELECT 'tr.csv', s.line_number,
            'TRLNKID', s.trlnkid,
            CASE WHEN s.line_number = b.tr_line THEN b.reason
                ELSE 'the baseline of lesion ' || b.label || ' (tr.csv line ' || b.tr_line || ') is quarantined: ' || b.reason END
        FROM sync_tr s JOIN sync_baseline_breaches b ON b.subject = s.usubjid AND b.evaluator = s.evaluator AND b.label = s.label
        """

    /// The TR rows the field and lesion checks read: those the registry does not hold as they are, and
    /// every copy of a duplicated key. A row whose stored record has its hash passed these checks when it
    /// was applied and has the same values now, and its lesion cannot change class; checking it again found
    /// nothing and was a sixth of an unchanged rerun of a million rows. What the registry may have changed
    /// since (the subject's consent, the baseline, the dates of other rows) is still checked on every row.
    static let trRowsToCheck = "(s.old_hash IS DISTINCT FROM s.row_hash OR NOT s.identical)"

    static let tr: [String] =
        [
            readErrors(.tr),
            trRows,
            "ANALYZE sync_tr (natural_key)",
            trCopies,
            trBothAxes,
        ] + trSkips + [
            check(
                .tr, from: "sync_tr", joins: "LEFT JOIN sync_site_conflicts c ON c.usubjid = s.usubjid",
                checks: [
                    subjectCheck(
                        patient: "s.patient_id", withdrawnOn: "s.consent_withdrawn_on", held: "s.old_hash IS NOT NULL"),
                    ImportRules.timelineCheck(
                        column: "TRDTC", value: "s.trdtc", date: "s.assessed_on", birthYear: "s.birth_year",
                        deathOn: "s.death_on"),
                ], onlyClean: false),
            check(
                .tr, from: "sync_tr",
                joins:
                    "JOIN sync_refused_series z ON z.subject = s.usubjid AND z.evaluator = s.evaluator AND (z.label IS NULL OR z.label = s.label)",
                checks: ["'TRLNKID', s.trlnkid, \(ImportRules.refusedSeriesReason)"], onlyClean: true),
            check(
                .tr, from: trWithCopies,
                checks: [
                    "'TRTESTCD', s.trtestcd, CASE WHEN s.trtestcd IS NULL OR s.trtestcd NOT IN ('LDIAM', 'LPERP', 'DIAMETER', 'TUMSTATE', 'LNSTATE', 'SUMDIAM') THEN 'unknown TRTESTCD; expected LDIAM, LPERP, DIAMETER, TUMSTATE, LNSTATE or SUMDIAM' WHEN NOT s.identical THEN 'duplicate result for this lesion, evaluator, visit and test' END",
                    "'TRLNKID', s.trlnkid, CASE WHEN s.trlnkid IS NULL AND s.trtestcd IS DISTINCT FROM 'SUMDIAM' THEN 'TRLNKID is required' END",
                    fullDate("trdtc", required: true, computed: "s.assessed_on"),
                    evaluatorCheck("treval", "trevalid", computed: "s.evaluator"),
                    "'VISITNUM', s.visitnum, CASE WHEN s.visitnum !~ '^[0-9]+(\\.[0-9]+)?$' THEN 'VISITNUM must be a number' END",
                    """
                    'TRSTRESN', s.trstresn, CASE WHEN NOT (\(trIsDiameter) OR s.trtestcd = 'SUMDIAM') OR \(trNotDone) OR \(trTooSmall) THEN NULL
                        WHEN s.trstresn IS NULL THEN 'TRSTRESN (the diameter in mm) is required'
                        WHEN s.trstresn ~ '^-[0-9]+(\\.[0-9]+)?$' THEN 'negative diameter'
                        WHEN s.trstresn !~ '^[0-9]+(\\.[0-9]+)?$' THEN 'TRSTRESN must be a number of mm'
                        WHEN s.trtestcd <> 'SUMDIAM' AND \(trDiameter) > \(Millimetres.largestPlausible.hundredths / 100) THEN 'a diameter above \(Millimetres.largestPlausible) mm' END
                    """,
                    """
                    'TRSTRESC', coalesce(s.trstresc, s.trorres), CASE WHEN s.trtestcd NOT IN ('TUMSTATE', 'LNSTATE') OR \(trNotDone) THEN NULL
                        WHEN \(trState) IS NULL OR \(trState) NOT IN ('PRESENT', 'ABSENT', 'UNEQUIVOCAL', 'EQUIVOCAL', 'NOT EVALUABLE', 'NE')
                        THEN 'unknown tumor state; expected PRESENT, ABSENT, UNEQUIVOCAL, EQUIVOCAL or NOT EVALUABLE' END
                    """,
                ], onlyClean: false, rows: trRowsToCheck),
            trBaselineRules,
            check(
                .tr, from: "sync_tr",
                checks: [
                    """
                    'TRLNKID', s.trlnkid, CASE WHEN s.trtestcd = 'SUMDIAM' THEN NULL
                        WHEN s.lesion_id IS NULL THEN 'no TU record identifies this lesion for this evaluator'
                        WHEN \(trIsDiameter) AND s.lesion_class <> 'target' THEN 'a diameter test for a ' || s.lesion_class || ' lesion; only targets are measured'
                        WHEN s.trtestcd IN ('LDIAM', 'LPERP') AND s.trtestcd <> \(trScoredAxis) THEN CASE WHEN s.is_lymph_node
                            THEN 'target node ' || s.label || ' is scored by its short axis (LPERP); this visit sends only its LDIAM'
                            ELSE 'target ' || s.label || ' is scored by its longest diameter (LDIAM); this visit sends only its LPERP' END
                        WHEN s.trtestcd IN ('TUMSTATE', 'LNSTATE') AND s.lesion_class = 'target' THEN 'a state test for a target lesion; targets are measured'
                        WHEN s.lesion_class = 'new' AND NOT \(trNotDone) AND \(trState) NOT IN ('UNEQUIVOCAL', 'EQUIVOCAL', 'PRESENT') THEN 'a new lesion is UNEQUIVOCAL or EQUIVOCAL'
                        WHEN s.lesion_class = 'new' AND s.is_baseline THEN 'a new lesion cannot be reported at baseline'
                        WHEN s.lesion_class = 'non_target' AND \(trState) = 'EQUIVOCAL' THEN 'EQUIVOCAL is for new lesions only' END
                    """
                ], onlyClean: true, rows: "s.old_hash IS DISTINCT FROM s.row_hash"),
            """
            CREATE TEMP TABLE sync_tr_checked ON COMMIT DROP AS
            SELECT s.line_number, s.patient_id, s.evaluator, s.lesion_id, s.lesion_class, s.assessed_on, s.is_baseline, s.trtestcd,
                count(*) OVER (PARTITION BY s.lesion_id, s.assessed_on) AS results_that_day
            FROM sync_tr s
            WHERE \(clean(.tr)) AND s.trtestcd <> 'SUMDIAM' AND s.patient_id IS NOT NULL AND s.lesion_id IS NOT NULL
            """,
            """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT 'tr.csv', e.line_number, 'TRDTC', e.assessed_on::text, e.reason
            FROM (SELECT c.line_number, c.assessed_on, CASE
                    WHEN c.results_that_day > 1 THEN 'a second result for this lesion on this date'
                    WHEN c.is_baseline AND c.assessed_on <> b.baseline_on THEN 'a second baseline date; the baseline of this evaluator is ' || b.baseline_on
                    WHEN NOT c.is_baseline AND b.baseline_on IS NULL THEN 'a follow-up without a baseline for this evaluator'
                    WHEN NOT c.is_baseline AND c.assessed_on <= b.baseline_on THEN 'a follow-up on or before the baseline date ' || b.baseline_on
                    WHEN NOT c.is_baseline AND coalesce(t.first_started_on > c.assessed_on, true) THEN \(ImportRules.Reason.noLineBeforeFollowUp)
                    END AS reason
                FROM sync_tr_checked c
                LEFT JOIN (SELECT patient_id, evaluator, min(assessed_on) AS baseline_on FROM (
                        SELECT patient_id, evaluator, assessed_on FROM sync_tr_checked WHERE is_baseline
                        UNION ALL SELECT patient_id, evaluator, assessed_on FROM assessments WHERE is_baseline) b
                    GROUP BY patient_id, evaluator) b ON b.patient_id = c.patient_id AND b.evaluator = c.evaluator
                -- A line started on or before the date exists exactly when the patient's first line did: one hash
                -- join, where looking the line up per row cost an index search for every follow-up result.
                LEFT JOIN (SELECT patient_id, min(started_on) AS first_started_on FROM therapy_lines GROUP BY patient_id) t
                    ON t.patient_id = c.patient_id) e
            WHERE e.reason IS NOT NULL
            """,
            """
            CREATE TEMP TABLE sync_valid_tr ON COMMIT DROP AS
            SELECT s.line_number, s.natural_key, s.row_hash, s.old_hash, s.patient_id, s.evaluator, s.lesion_id, s.lesion_class,
                s.assessed_on, s.is_baseline, s.trtestcd,
                CASE
                    WHEN s.trtestcd = 'SUMDIAM' THEN NULL
                    WHEN s.lesion_class = 'target' THEN CASE WHEN \(trNotDone) THEN 'not_done' WHEN \(trTooSmall) THEN 'too_small_to_measure'
                        WHEN \(trDiameter) = 0 THEN 'disappeared' ELSE 'measured' END
                    WHEN s.lesion_class = 'non_target' THEN CASE WHEN \(trNotDone) THEN 'not_evaluable' ELSE CASE \(trState)
                        WHEN 'PRESENT' THEN 'present' WHEN 'ABSENT' THEN 'absent' WHEN 'UNEQUIVOCAL' THEN 'unequivocal_progression' ELSE 'not_evaluable' END END
                    ELSE CASE \(trState) WHEN 'EQUIVOCAL' THEN 'equivocal' ELSE 'unequivocal' END
                END AS result,
                CASE WHEN s.lesion_class IS DISTINCT FROM 'target' OR \(trNotDone) OR \(trTooSmall) THEN NULL
                    WHEN s.trstresn::numeric > 0 THEN \(trDiameter) END AS diameter_mm
            FROM sync_tr s
            WHERE \(clean(.tr)) AND s.patient_id IS NOT NULL
            """,
            // Planned without statistics, a table this size is taken for a few rows.
            "ANALYZE sync_valid_tr",
        ]
        + ImportRules.applyAssessmentsAndResults(
            assessments: """
                SELECT DISTINCT patient_id, evaluator, assessed_on, is_baseline FROM sync_valid_tr
                WHERE result IS NOT NULL AND old_hash IS DISTINCT FROM row_hash
                """,
            results: """
                SELECT patient_id, evaluator, assessed_on, lesion_id, lesion_class, result, diameter_mm FROM sync_valid_tr
                WHERE result IS NOT NULL AND old_hash IS DISTINCT FROM row_hash
                """)

    // MARK: RS

    static let rsEvaluator = evaluator("rseval", "rsevalid")
    static let rsVisit = "coalesce(s.visitnum, s.visit, s.rsdtc)"
    /// A derived response (``rsDerived``) has a key of its own, apart from the source's response of the same visit and test.
    static let rsKey =
        key(["s.usubjid", rsEvaluator, rsVisit, "s.rstestcd"])
        + " || CASE WHEN \(rsDerived) THEN \(keySeparator) || 'RSDRVFL' ELSE '' END"
    static let rsResponse = "upper(coalesce(s.rsstresc, s.rsorres))"

    /// A response the exporting registry derived from its TU and TR (RSDRVFL Y), as this registry's own export writes them.
    static let rsDerived = "upper(coalesce(s.rsdrvfl, '')) = 'Y'"

    static let rs: [String] = [
        readErrors(.rs),
        identicalCopies(.rs, key: rsKey),
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason, skipped)
        SELECT 'rs.csv', s.line_number, 'RSDRVFL', s.rsdrvfl,
            'a response the exporting registry derived from its TU and TR; this registry derives its own', true
        FROM sync_stage_rs s WHERE s.read_error IS NULL AND \(rsDerived) AND \(clean(.rs))
        """,
        check(
            .rs, from: withCopies(.rs, key: rsKey), joins: subjectJoin,
            checks: [
                subjectCheck("RS", key: rsKey),
                "'RSTESTCD', s.rstestcd, CASE WHEN s.rstestcd IS NULL OR s.rstestcd NOT IN ('OVRLRESP', 'TRGRESP', 'NTRGRESP', 'NEWLPROG', \(rsECOG)) THEN 'unknown RSTESTCD; expected OVRLRESP, TRGRESP, NTRGRESP, NEWLPROG or \(SDTMPerformanceStatus.testCode)' WHEN \(conflictingCopies) THEN 'duplicate response for this evaluator, visit and test' END",
                """
                'RSSTRESC', coalesce(s.rsstresc, s.rsorres), CASE
                    WHEN s.rstestcd = \(rsECOG) AND coalesce(\(rsResponse) !~ '^[0-5]$', true) THEN 'an ECOG performance status is 0 to 5'
                    WHEN s.rstestcd = \(rsECOG) THEN NULL
                    WHEN s.rstestcd = 'NEWLPROG' AND coalesce(\(rsResponse) NOT IN ('Y', 'N'), true) THEN 'NEWLPROG is Y or N'
                    WHEN s.rstestcd <> 'NEWLPROG' AND coalesce(\(rsResponse) NOT IN ('CR', 'PR', 'SD', 'PD', 'NE', 'NON-CR/NON-PD'), true)
                    THEN 'unknown response; expected CR, PR, SD, PD, NE or NON-CR/NON-PD' END
                """,
                """
                'RSDTC', s.rsdtc, CASE WHEN s.rstestcd = \(rsECOG) AND sync_full_date(s.rsdtc) IS NULL
                    THEN 'an ECOG performance status needs its full date (YYYY-MM-DD)' END
                """,
                "'RSDTC', s.rsdtc, CASE WHEN s.rsdtc IS NOT NULL AND sync_date_part(s.rsdtc) IS NULL THEN 'not an ISO 8601 date' END",
                "'VISITNUM', s.visitnum, CASE WHEN s.visitnum !~ '^[0-9]+(\\.[0-9]+)?$' THEN 'VISITNUM must be a number' WHEN \(rsVisit) IS NULL THEN 'VISITNUM, VISIT or RSDTC is required' END",
                evaluatorCheck("rseval", "rsevalid"),
                "'RSACPTFL', s.rsacptfl, CASE WHEN s.rsacptfl IS NOT NULL AND s.rsacptfl NOT IN ('Y', 'N') THEN 'RSACPTFL must be Y or N' END",
            ], onlyClean: false, rows: "\(notSkippedCopy) AND NOT \(rsDerived)"),
        """
        CREATE TEMP TABLE sync_valid_rs ON COMMIT DROP AS
        SELECT s.line_number, \(rsKey) AS natural_key, \(hash(.rs)) AS row_hash, r.row_hash AS old_hash,
            x.patient_id, \(rsEvaluator) AS evaluator, \(rsVisit) AS visit_key, s.rstestcd, s.visitnum::numeric AS visit_number, s.visit,
            \(rsResponse) AS response, sync_date_part(s.rsdtc) AS response_date, CASE s.rsacptfl WHEN 'Y' THEN true WHEN 'N' THEN false END AS accepted
        FROM sync_stage_rs s
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        \(recordJoin(domain: "RS", key: rsKey))
        WHERE \(clean(.rs))
        """,
        """
        INSERT INTO source_responses (patient_id, evaluator, visit_key, test_code, visit_number, visit, response, response_date, accepted)
        SELECT patient_id, evaluator, visit_key, rstestcd, visit_number, visit, response, response_date, accepted
        FROM sync_valid_rs WHERE old_hash IS DISTINCT FROM row_hash AND rstestcd <> \(rsECOG)
        ON CONFLICT (patient_id, evaluator, visit_key, test_code) DO UPDATE SET visit_number = EXCLUDED.visit_number,
            visit = EXCLUDED.visit, response = EXCLUDED.response, response_date = EXCLUDED.response_date, accepted = EXCLUDED.accepted
        """,
        """
        INSERT INTO patient_ecog (patient_id, assessed_on, ecog)
        SELECT patient_id, response_date::date, response::smallint
        FROM sync_valid_rs WHERE old_hash IS DISTINCT FROM row_hash AND rstestcd = \(rsECOG)
        ON CONFLICT (patient_id, assessed_on) DO UPDATE SET ecog = EXCLUDED.ecog
        """,
    ]

    static let rsECOG = "'\(SDTMPerformanceStatus.testCode)'"

    // MARK: SUPPMH and MH

    static let mhKey = key(["s.usubjid", "s.mhseq"])
    static let suppmhKey = key(["s.usubjid", "s.idvarval", "s.qnam"])
    static let suppmhQualifiers = """
        LEFT JOIN (SELECT q.usubjid, q.idvarval,
                max(q.qval) FILTER (WHERE q.qnam = 'ICDOVER') AS icdover,
                max(q.qval::smallint) FILTER (WHERE q.qnam = 'FNCLCCGR') AS fnclccgr,
                max(\(vocabularySpelling("q.qval"))) FILTER (WHERE q.qnam = 'DISSET') AS disset,
                string_agg(q.qnam || '=' || q.qval, ';' ORDER BY q.qnam) AS all_values
            FROM sync_stage_suppmh q WHERE \(clean(.suppmh, alias: "q")) GROUP BY q.usubjid, q.idvarval) g
            ON g.usubjid = s.usubjid AND g.idvarval = s.mhseq
        """
    /// Medical history other than the primary diagnosis: the registry keeps none of it.
    static let mhOtherHistory = "upper(btrim(coalesce(s.mhcat, ''))) <> '\(SDTMDiagnosis.category)'"

    static let mh: [String] = [
        readErrors(.suppmh),
        identicalCopies(.suppmh, key: suppmhKey),
        check(
            .suppmh, from: withCopies(.suppmh, key: suppmhKey),
            checks: [
                "'IDVAR', s.idvar, CASE WHEN s.idvar IS DISTINCT FROM 'MHSEQ' THEN 'IDVAR must be MHSEQ' END",
                "'QNAM', s.qnam, CASE WHEN s.qnam IS NULL OR s.qnam NOT IN ('ICDOVER', 'FNCLCCGR', 'DISSET') THEN 'unknown QNAM; expected ICDOVER, FNCLCCGR or DISSET' WHEN \(conflictingCopies) THEN 'duplicate QNAM for this MH record' END",
                """
                'QVAL', s.qval, CASE WHEN s.qval IS NULL THEN 'QVAL is required'
                    WHEN s.qnam = 'ICDOVER' AND s.qval NOT IN (\(values(of: ICDOVersion.self))) THEN 'unknown ICDOVER; expected \(ICDOVersion.allowedValues)'
                    WHEN s.qnam = 'FNCLCCGR' AND s.qval NOT IN ('1', '2', '3') THEN 'FNCLCCGR must be an FNCLCC grade 1 to 3'
                    WHEN s.qnam = 'DISSET' AND \(vocabularySpelling("s.qval")) NOT IN (\(values(of: DiseaseSetting.self)))
                        THEN 'unknown DISSET; expected \(DiseaseSetting.allowedValues)' END
                """,
                parentRecordCheck(.mh),
            ], onlyClean: false, rows: notSkippedCopy),
        readErrors(.mh),
        identicalCopies(.mh, key: mhKey),
        """
        INSERT INTO sync_errors (file_name, line_number, column_name, value, reason, skipped)
        SELECT 'mh.csv', s.line_number, 'MHCAT', s.mhcat, 'not the primary diagnosis (MHCAT \(SDTMDiagnosis.category)); the registry keeps no other history', true
        FROM sync_stage_mh s WHERE s.read_error IS NULL AND \(mhOtherHistory) AND \(clean(.mh))
        """,
        check(
            .mh, from: withCopies(.mh, key: mhKey),
            joins: subjectJoin + "\n" + suppmhQualifiers + "\nLEFT JOIN histology_codes h ON h.code = btrim(s.mhdecod)",
            checks: [
                subjectCheck("MH", key: mhKey),
                "'MHSEQ', s.mhseq, CASE WHEN s.mhseq IS NULL OR s.mhseq !~ '^[0-9]{1,9}$' THEN 'MHSEQ must be a whole number' WHEN \(conflictingCopies) THEN 'duplicate MHSEQ for this USUBJID' END",
                "'MHTERM', s.mhterm, CASE WHEN s.mhterm IS NULL OR btrim(s.mhterm) = '' THEN 'MHTERM (the WHO entity) is required' END",
                "'MHDECOD', s.mhdecod, CASE WHEN s.mhdecod IS NULL THEN 'MHDECOD (the ICD-O-3 morphology code) is required' WHEN h.code IS NULL THEN 'not an ICD-O-3 morphology code the registry knows, such as 8890/3' END",
                "'MHLOC', s.mhloc, CASE WHEN s.mhloc IS NULL OR btrim(s.mhloc) = '' THEN 'MHLOC (the primary site) is required' END",
                """
                'MHSTDTC', s.mhstdtc, CASE WHEN s.mhstdtc IS NULL THEN 'MHSTDTC (the date of diagnosis) is required'
                    WHEN sync_date_part(s.mhstdtc) IS NULL THEN 'not an ISO 8601 date'
                    WHEN left(sync_date_part(s.mhstdtc), 4)::int < p.birth_year THEN 'the date of diagnosis is before the birth year ' || p.birth_year END
                """,
                "'SUPPMH.ICDOVER', g.icdover, CASE WHEN g.icdover IS NULL THEN 'the ICD-O edition (SUPPMH QNAM ICDOVER) is required' END",
                "'SUPPMH.DISSET', g.disset, CASE WHEN g.disset IS NULL THEN 'the disease setting (SUPPMH QNAM DISSET) is required' END",
            ], onlyClean: true),
        """
        CREATE TEMP TABLE sync_valid_mh ON COMMIT DROP AS
        SELECT s.line_number, \(mhKey) AS natural_key, \(hash(.mh, extra: ["g.all_values"])) AS row_hash, r.row_hash AS old_hash,
            coalesce(r.registry_row, CASE WHEN r.natural_key IS NULL THEN sarcreg_next_id('diagnoses') END) AS registry_row,
            s.usubjid, s.mhseq, x.patient_id, btrim(s.mhdecod) AS icdo3_code, g.icdover AS icdo_version, btrim(s.mhterm) AS who_entity,
            g.fnclccgr AS fnclcc_grade, btrim(s.mhloc) AS primary_site, sync_date_part(s.mhstdtc) AS diagnosis_date, g.disset AS disease_setting
        FROM sync_stage_mh s
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        \(suppmhQualifiers)
        \(recordJoin(domain: "MH", key: mhKey))
        WHERE \(clean(.mh))
        """,
        supplementOfQuarantined(.suppmh, parent: .mh),
        """
        INSERT INTO diagnoses (diagnosis_id, patient_id, icdo3_code, icdo_version, who_entity, fnclcc_grade, primary_site,
            diagnosed_year, diagnosed_month, diagnosed_day, disease_setting)
        OVERRIDING SYSTEM VALUE
        SELECT registry_row, patient_id, icdo3_code, icdo_version, who_entity, fnclcc_grade, primary_site,
            split_part(diagnosis_date, '-', 1)::smallint, nullif(split_part(diagnosis_date, '-', 2), '')::smallint,
            nullif(split_part(diagnosis_date, '-', 3), '')::smallint, disease_setting
        FROM sync_valid_mh WHERE old_hash IS DISTINCT FROM row_hash
        ON CONFLICT (diagnosis_id) DO UPDATE SET icdo3_code = EXCLUDED.icdo3_code, icdo_version = EXCLUDED.icdo_version,
            who_entity = EXCLUDED.who_entity, fnclcc_grade = EXCLUDED.fnclcc_grade, primary_site = EXCLUDED.primary_site,
            diagnosed_year = EXCLUDED.diagnosed_year, diagnosed_month = EXCLUDED.diagnosed_month, diagnosed_day = EXCLUDED.diagnosed_day,
            disease_setting = EXCLUDED.disease_setting
        """,
    ]

    /// Quarantines the supplemental qualifiers of a quarantined parent record, naming the parent's line.
    static func supplementOfQuarantined(_ supplement: SDTMFile, parent: SDTMFile) -> String {
        let seq = parent.domain.lowercased() + "seq"
        return """
            INSERT INTO sync_errors (file_name, line_number, column_name, value, reason)
            SELECT '\(supplement.fileName)', s.line_number, 'IDVARVAL', s.idvarval,
                'its \(parent.domain) record (\(parent.fileName) line ' || e.line_number || ') is quarantined'
            FROM \(supplement.stagingTable) s JOIN \(parent.stagingTable) e ON e.usubjid = s.usubjid AND e.\(seq) = s.idvarval
            WHERE \(clean(supplement)) AND NOT EXISTS (SELECT 1 FROM sync_valid_\(parent.domain.lowercased()) v WHERE v.usubjid = s.usubjid AND v.\(seq) = s.idvarval)
            """
    }

    // MARK: SUPPGF and GF

    static let gfKey = key(["s.usubjid", "s.gfseq"])
    static let suppgfKey = key(["s.usubjid", "s.idvarval", "s.qnam"])
    static let suppgfQualifiers = """
        LEFT JOIN (SELECT q.usubjid, q.idvarval,
                max(q.qval) FILTER (WHERE q.qnam = 'HGVS') AS hgvs,
                max(q.qval) FILTER (WHERE q.qnam = 'RPTDTC') AS rptdtc,
                coalesce(bool_or(upper(q.qval) = 'Y') FILTER (WHERE q.qnam = 'ACQRES'), false) AS acqres,
                max(q.qval) FILTER (WHERE q.qnam = 'VOIDRSN') AS voidrsn,
                string_agg(q.qnam || '=' || q.qval, ';' ORDER BY q.qnam) AS all_values
            FROM sync_stage_suppgf q WHERE \(clean(.suppgf, alias: "q")) GROUP BY q.usubjid, q.idvarval) g
            ON g.usubjid = s.usubjid AND g.idvarval = s.gfseq
        """
    static let gfKind = "(CASE upper(btrim(s.gftestcd)) \(SDTMGenomicFinding.kindCases) END)"
    static let gfMethod = "(CASE upper(btrim(s.gfmethod)) \(SDTMGenomicFinding.methodCodeCases) END)"
    /// GFSYM is the gene, or a fusion's partners in HGNC notation, 5' partner first: `SS18::SSX1`.
    static let gfGene =
        "approved_gene_symbol(CASE WHEN s.gfsym LIKE '%::%' THEN split_part(s.gfsym, '::', 2) ELSE s.gfsym END)"
    static let gfPartner = "approved_gene_symbol(CASE WHEN s.gfsym LIKE '%::%' THEN split_part(s.gfsym, '::', 1) END)"
    static let gfResult = "lower(btrim(coalesce(s.gfstresc, s.gforres)))"

    static let gf: [String] = [
        readErrors(.suppgf),
        identicalCopies(.suppgf, key: suppgfKey),
        check(
            .suppgf, from: withCopies(.suppgf, key: suppgfKey),
            checks: [
                "'IDVAR', s.idvar, CASE WHEN s.idvar IS DISTINCT FROM 'GFSEQ' THEN 'IDVAR must be GFSEQ' END",
                "'QNAM', s.qnam, CASE WHEN s.qnam IS NULL OR s.qnam NOT IN ('HGVS', 'RPTDTC', 'ACQRES', 'VOIDRSN') THEN 'unknown QNAM; expected HGVS, RPTDTC, ACQRES or VOIDRSN' WHEN \(conflictingCopies) THEN 'duplicate QNAM for this GF record' END",
                """
                'QVAL', s.qval, CASE WHEN s.qval IS NULL THEN 'QVAL is required'
                    WHEN s.qnam = 'RPTDTC' AND sync_full_date(s.qval) IS NULL THEN 'RPTDTC must be a full date (YYYY-MM-DD)'
                    WHEN s.qnam = 'ACQRES' AND upper(s.qval) NOT IN ('Y', 'N') THEN 'ACQRES must be Y or N' END
                """,
                parentRecordCheck(.gf),
            ], onlyClean: false, rows: notSkippedCopy),
        readErrors(.gf),
        identicalCopies(.gf, key: gfKey),
        check(
            .gf, from: withCopies(.gf, key: gfKey), joins: subjectJoin + "\n" + suppgfQualifiers,
            checks: [
                subjectCheck("GF", key: gfKey),
                "'GFSEQ', s.gfseq, CASE WHEN s.gfseq IS NULL OR s.gfseq !~ '^[0-9]{1,9}$' THEN 'GFSEQ must be a whole number' WHEN \(conflictingCopies) THEN 'duplicate GFSEQ for this USUBJID' END",
                "'GFTESTCD', s.gftestcd, CASE WHEN \(gfKind) IS NULL THEN 'unknown GFTESTCD; expected \(MolecularAlterationKind.allCases.map(SDTMGenomicFinding.testCode).joined(separator: ", "))' END",
                """
                'GFSYM', s.gfsym, CASE WHEN s.gfsym IS NULL THEN 'GFSYM (the gene) is required'
                    WHEN \(gfGene) IS NULL OR (s.gfsym LIKE '%::%' AND \(gfPartner) IS NULL) THEN 'not an HGNC gene symbol the registry knows'
                    WHEN s.gfsym LIKE '%::%' AND \(gfKind) NOT IN ('fusion', 'rearrangement') THEN 'two genes (A::B) name a fusion or rearrangement only' END
                """,
                "'GFSTRESC', coalesce(s.gfstresc, s.gforres), CASE WHEN \(gfResult) IS NULL OR \(gfResult) NOT IN (\(values(of: PatientProfile.TestResult.self))) THEN 'unknown result; expected \(PatientProfile.TestResult.allowedValues.uppercased())' END",
                "'GFMETHOD', s.gfmethod, CASE WHEN \(gfMethod) IS NULL THEN 'unknown GFMETHOD; expected \(MolecularMethod.allCases.map { $0.description.uppercased() }.joined(separator: ", "))' END",
                "'GFDTC', s.gfdtc, CASE WHEN s.gfdtc IS NOT NULL AND sync_full_date(s.gfdtc) IS NULL THEN 'GFDTC (the specimen date) must be a full date (YYYY-MM-DD)' END",
                """
                'SUPPGF.RPTDTC', g.rptdtc, CASE WHEN g.rptdtc IS NULL THEN 'the report date (SUPPGF QNAM RPTDTC) is required'
                    WHEN sync_full_date(g.rptdtc) < sync_full_date(s.gfdtc) THEN 'the report date is before the specimen date (GFDTC)' END
                """,
                "'SUPPGF.ACQRES', g.acqres::text, CASE WHEN g.acqres AND \(gfKind) <> 'mutation' THEN 'only a mutation confers acquired resistance' END",
            ], onlyClean: false, rows: notSkippedCopy),
        """
        CREATE TEMP TABLE sync_valid_gf ON COMMIT DROP AS
        SELECT s.line_number, \(gfKey) AS natural_key, \(hash(.gf, extra: ["g.all_values"])) AS row_hash, r.row_hash AS old_hash,
            coalesce(r.registry_row, CASE WHEN r.natural_key IS NULL THEN sarcreg_next_id('molecular_results') END) AS registry_row,
            s.usubjid, s.gfseq, x.patient_id, \(gfGene) AS gene, \(gfKind) AS alteration_kind, \(gfPartner) AS partner_gene, g.hgvs,
            \(gfMethod) AS method, \(gfResult) AS result, g.acqres AS acquired_resistance, sync_full_date(s.gfdtc) AS specimen_date,
            sync_full_date(g.rptdtc) AS report_date, btrim(s.gfnam) AS laboratory, g.voidrsn AS void_reason
        FROM sync_stage_gf s
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        \(suppgfQualifiers)
        \(recordJoin(domain: "GF", key: gfKey))
        WHERE \(clean(.gf))
        """,
        supplementOfQuarantined(.suppgf, parent: .gf),
        """
        INSERT INTO molecular_results (molecular_result_id, patient_id, gene, alteration_kind, partner_gene, hgvs, method, result,
            acquired_resistance, specimen_date, report_date, laboratory, void_reason)
        OVERRIDING SYSTEM VALUE
        SELECT registry_row, patient_id, gene, alteration_kind, partner_gene, hgvs, method, result, acquired_resistance, specimen_date,
            report_date, laboratory, void_reason
        FROM sync_valid_gf WHERE old_hash IS DISTINCT FROM row_hash
        ON CONFLICT (molecular_result_id) DO UPDATE SET gene = EXCLUDED.gene, alteration_kind = EXCLUDED.alteration_kind,
            partner_gene = EXCLUDED.partner_gene, hgvs = EXCLUDED.hgvs, method = EXCLUDED.method, result = EXCLUDED.result,
            acquired_resistance = EXCLUDED.acquired_resistance, specimen_date = EXCLUDED.specimen_date,
            report_date = EXCLUDED.report_date, laboratory = EXCLUDED.laboratory, void_reason = EXCLUDED.void_reason
        """,
    ]

    // MARK: DS

    static let dsKey = key(["s.usubjid", "upper(btrim(s.dsdecod))"])
    static let dsTerm = "upper(btrim(s.dsdecod))"
    static let dsDate = "sync_full_date(s.dsstdtc)"

    /// The patient's dates from DS. Its subject check is the others' without the withdrawal: a withdrawn
    /// patient's own withdrawal, death and last contact are read again on every run.
    static let ds: [String] = [
        readErrors(.ds),
        identicalCopies(.ds, key: dsKey),
        check(
            .ds, from: withCopies(.ds, key: dsKey), joins: subjectJoin,
            checks: [
                subjectCheck(patient: "x.patient_id", withdrawnOn: "NULL", held: "true"),
                """
                'DSDECOD', s.dsdecod, CASE WHEN \(dsTerm) IS NULL OR \(dsTerm) NOT IN (\(SDTMDisposition.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
                    THEN 'unknown DSDECOD; expected \(SDTMDisposition.allowedTerms)' WHEN \(conflictingCopies) THEN 'duplicate DSDECOD for this USUBJID' END
                """,
                fullDate("dsstdtc", required: true),
                patientTimeline("dsstdtc"),
                """
                'DSSTDTC', s.dsstdtc, CASE
                    WHEN \(dsTerm) = '\(SDTMDisposition.informedConsent.rawValue)' AND \(dsDate) IS DISTINCT FROM p.consent_date
                        THEN 'the consent date differs from DM RFICDTC ' || coalesce(p.consent_date::text, 'none')
                    WHEN \(dsTerm) = '\(SDTMDisposition.death.rawValue)' AND \(dsDate) IS DISTINCT FROM p.death_on
                        THEN 'the date of death differs from DM DTHDTC ' || coalesce(p.death_on::text, 'none')
                    WHEN \(dsTerm) = '\(SDTMDisposition.withdrawal.rawValue)' AND \(dsDate) < p.consent_date
                        THEN 'the withdrawal is before the consent date ' || p.consent_date END
                """,
            ], onlyClean: false, rows: notSkippedCopy),
        """
        CREATE TEMP TABLE sync_valid_ds ON COMMIT DROP AS
        SELECT s.line_number, \(dsKey) AS natural_key, \(hash(.ds)) AS row_hash, r.row_hash AS old_hash,
            s.usubjid, x.patient_id, \(dsTerm) AS term, \(dsDate) AS day
        FROM sync_stage_ds s
        JOIN sync_subjects x ON x.source = \(source) AND x.usubjid = s.usubjid
        \(recordJoin(domain: "DS", key: dsKey))
        WHERE \(clean(.ds))
        """,
        """
        UPDATE patients p SET
            consent_withdrawn_on = coalesce(v.withdrawn_on, p.consent_withdrawn_on),
            last_contact_on = coalesce(v.last_contact_on, p.last_contact_on)
        FROM (SELECT patient_id,
                max(day) FILTER (WHERE term = '\(SDTMDisposition.withdrawal.rawValue)') AS withdrawn_on,
                max(day) FILTER (WHERE term = '\(SDTMDisposition.lastContact.rawValue)') AS last_contact_on
            FROM sync_valid_ds GROUP BY patient_id HAVING bool_or(old_hash IS DISTINCT FROM row_hash)) v
        WHERE p.patient_id = v.patient_id
        """,
    ]

    /// The natural key of each record domain over the rows that have it, all staged rows of its file: a
    /// stored record whose key no staged row has is missing from the source. TR's keys are in `sync_tr`.
    static let naturalKeys: [String: (rows: String, key: String)] = [
        "DM": ("sync_stage_dm", dmKey), "EX": ("sync_stage_ex", exKey), "AE": ("sync_stage_ae", aeKey),
        "TU": ("sync_stage_tu", tuKey), "TR": ("sync_tr", "s.natural_key"), "RS": ("sync_stage_rs", rsKey),
        "MH": ("sync_stage_mh", mhKey), "GF": ("sync_stage_gf", gfKey), "DS": ("sync_stage_ds", dsKey),
    ]

    /// The domains whose records keep the registry row they wrote (``records(_:)``), for an update to find it.
    static let keepsRegistryRow: Set<SDTMFile> = [.ae, .mh, .gf]

    /// The readers' series whose lesions or results this run changes: the ones ``StoredSeriesCheck`` scores.
    static let touchedSeries = """
        SELECT patient_id, evaluator FROM sync_valid_tu WHERE old_hash IS DISTINCT FROM row_hash
        UNION SELECT patient_id, evaluator FROM sync_valid_tr WHERE old_hash IS DISTINCT FROM row_hash AND patient_id IS NOT NULL
        """

    /// Records the valid rows of a domain, each new one with the file and line it was read from (its
    /// provenance, which `sarcreg audit` shows: the audit log counts an import's inserts per run), and clears
    /// the flag of records seen again.
    static func records(_ file: SDTMFile) -> [String] {
        let valid = "sync_valid_" + file.domain.lowercased()
        // A valid row without a stored hash has no record (the run holds the source's lock, and a key is
        // valid once per file), so new records are a plain insert, without an upsert's conflict check per row.
        return [
            """
            INSERT INTO sync_records (source, domain, natural_key, row_hash, registry_row, first_run, last_changed_run, first_file, first_line)
            SELECT \(source), '\(file.domain)', natural_key, row_hash, \(keepsRegistryRow.contains(file) ? "registry_row" : "NULL"), \(run), \(run),
                '\(file.fileName)', line_number
            FROM \(valid) WHERE old_hash IS NULL
            """,
            """
            UPDATE sync_records r SET row_hash = v.row_hash, last_changed_run = \(run), missing_since_run = NULL
            FROM \(valid) v
            WHERE r.source = \(source) AND r.domain = '\(file.domain)' AND r.natural_key = v.natural_key AND v.old_hash <> v.row_hash
            """,
            """
            UPDATE sync_records r SET missing_since_run = NULL
            FROM \(valid) v
            WHERE r.source = \(source) AND r.domain = '\(file.domain)' AND r.natural_key = v.natural_key AND r.missing_since_run IS NOT NULL
            """,
        ]
    }

    /// Flags the records of a domain that an export of its file no longer has; never deletes them.
    static func missing(_ file: SDTMFile) -> String {
        """
        UPDATE sync_records r SET missing_since_run = \(run)
        WHERE r.source = \(source) AND r.domain = '\(file.domain)' AND r.missing_since_run IS NULL
            AND NOT EXISTS (SELECT 1 FROM \(naturalKeys[file.domain]?.rows ?? file.stagingTable) s
                WHERE \(naturalKeys[file.domain]?.key ?? "NULL") = r.natural_key)
        """
    }

    /// The supplemental qualifier files and the domain whose records they qualify.
    static let supplemented: [SDTMFile: SDTMFile] = [.suppex: .ex, .suppae: .ae, .suppmh: .mh, .suppgf: .gf]

    /// Counts a file's rows by outcome; SUPPEX and SUPPAE rows take the outcome of their EX or AE record.
    static func outcome(_ file: SDTMFile) -> String {
        let quarantined =
            "(SELECT count(DISTINCT line_number) FROM sync_errors WHERE file_name = '\(file.fileName)' AND NOT skipped)"
        let skipped =
            "(SELECT count(DISTINCT line_number) FROM sync_errors WHERE file_name = '\(file.fileName)' AND skipped)"
        let rowsRead = "(SELECT count(*) FROM \(file.stagingTable))"
        let valid: String
        let missing: String
        if let parent = supplemented[file] {
            valid = """
                (SELECT v.old_hash, v.row_hash FROM \(file.stagingTable) s
                 JOIN sync_valid_\(parent.domain.lowercased()) v ON v.usubjid = s.usubjid AND v.\(parent.domain.lowercased())seq = s.idvarval
                 WHERE \(clean(file)))
                """
            missing = "0"
        } else {
            valid = "sync_valid_" + file.domain.lowercased()
            missing =
                "(SELECT count(*) FROM sync_records WHERE source = \(source) AND domain = '\(file.domain)' AND missing_since_run IS NOT NULL)"
        }
        return """
            SELECT \(rowsRead) AS rows_read,
                count(*) FILTER (WHERE old_hash IS NULL) AS inserted,
                count(*) FILTER (WHERE old_hash IS NOT NULL AND old_hash <> row_hash) AS updated,
                count(*) FILTER (WHERE old_hash = row_hash) AS unchanged,
                \(quarantined) AS quarantined, \(skipped) AS skipped, \(missing) AS missing_from_source
            FROM \(valid) o
            """
    }
}
