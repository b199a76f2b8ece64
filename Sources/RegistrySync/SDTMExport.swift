import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices

/// The registry as SDTM CSV (DM, DS, MH with SUPPMH, GF with SUPPGF, EX with SUPPEX, AE with SUPPAE, TU, TR, RS), in
/// the shape the importer reads, so that an export imported into an empty registry exports again to the same files.
/// What each file carries is in ``SDTMDisposition``, ``SDTMDiagnosis``, ``SDTMGenomicFinding`` and
/// ``SDTMPerformanceStatus``; what SDTM leaves out in ``omissions``.
///
/// Pseudonymized: DM has BRTHDTC as the birth year alone (an ISO 8601 partial date) and AGE in whole years at
/// consent, from the birth date where the registry holds it (or the age an import of such an export read); never
/// the birth date itself. TU lists each reader's lesions in the order they were entered, the order `response show`
/// lists them in, which an import keeps. AE carries the CTCAE grade in AETOXGR.
/// Line of therapy, intent, stop reason and trial are not EX variables and go to SUPPEX. Readers other than
/// the investigator are exported as TUEVAL "INDEPENDENT ASSESSOR" with their name as TUEVALID. The timeline's
/// marks have no SDTM variable either: a concurrent line is SUPPEX QNAM CONCURNT = Y, an AE present before the
/// first line SUPPAE QNAM BASELINE = Y. AEDECOD is the CTCAE term with its MedDRA code in AELLTCD; AETERM is the
/// text of an "Other, specify" term, and the term itself otherwise.
enum SDTMExport {
    static let responsesFile = "rs.csv"

    static let evaluatorColumns = """
        CASE WHEN e.evaluator = 'investigator' THEN 'INVESTIGATOR' ELSE 'INDEPENDENT ASSESSOR' END AS "%EVAL",
        CASE WHEN e.evaluator <> 'investigator' THEN upper(replace(e.evaluator, '-', ' ')) END AS "%EVALID"
        """

    static func evaluator(prefix: String) -> String {
        evaluatorColumns.replacingOccurrences(of: "%", with: prefix)
    }

    static let files: [(String, String)] = [
        (
            "dm.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'DM' AS "DOMAIN", p.registry_id AS "USUBJID", p.site_code AS "SITEID",
                p.consent_date AS "RFICDTC", p.birth_year AS "BRTHDTC",
                coalesce(extract(year FROM age(p.consent_date, p.birth_date))::int, p.age_at_consent,
                    extract(year FROM p.consent_date)::int - p.birth_year) AS "AGE",
                'YEARS' AS "AGEU",
                CASE p.sex WHEN 'male' THEN 'M' WHEN 'female' THEN 'F' WHEN 'other' THEN 'UNDIFFERENTIATED' ELSE 'U' END AS "SEX",
                p.death_on AS "DTHDTC", CASE WHEN p.death_on IS NOT NULL THEN 'Y' END AS "DTHFL"
            FROM patients p ORDER BY p.registry_id
            """
        ),
        (
            "ds.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'DS' AS "DOMAIN", p.registry_id AS "USUBJID", d.dsseq AS "DSSEQ", d.term AS "DSTERM",
                d.term AS "DSDECOD", d.category AS "DSCAT", d.day AS "DSSTDTC"
            FROM patients p
            CROSS JOIN LATERAL (VALUES \(SDTMDisposition.allCases.map(\.exportRow).joined(separator: ", "))) AS d(dsseq, term, category, day)
            WHERE d.day IS NOT NULL
            ORDER BY p.registry_id, d.dsseq
            """
        ),
        (
            "mh.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'MH' AS "DOMAIN", p.registry_id AS "USUBJID", d.mhseq AS "MHSEQ", d.who_entity AS "MHTERM",
                d.icdo3_code AS "MHDECOD", '\(SDTMDiagnosis.category)' AS "MHCAT", d.primary_site AS "MHLOC",
                d.diagnosed_year || coalesce('-' || lpad(d.diagnosed_month::text, 2, '0'), '') || coalesce('-' || lpad(d.diagnosed_day::text, 2, '0'), '') AS "MHSTDTC"
            FROM sync_export_mh d JOIN patients p ON p.patient_id = d.patient_id
            ORDER BY p.registry_id, d.mhseq
            """
        ),
        (
            "suppmh.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'MH' AS "RDOMAIN", p.registry_id AS "USUBJID", 'MHSEQ' AS "IDVAR", d.mhseq AS "IDVARVAL",
                q.qnam AS "QNAM", q.qlabel AS "QLABEL", q.qval AS "QVAL"
            FROM sync_export_mh d JOIN patients p ON p.patient_id = d.patient_id
            CROSS JOIN LATERAL (VALUES
                (1, 'ICDOVER', 'ICD-O-3 Edition', d.icdo_version),
                (2, 'FNCLCCGR', 'FNCLCC Grade', d.fnclcc_grade::text),
                (3, 'DISSET', 'Disease Setting', upper(replace(d.disease_setting, '_', ' ')))) AS q(position, qnam, qlabel, qval)
            WHERE q.qval IS NOT NULL
            ORDER BY p.registry_id, d.mhseq, q.position
            """
        ),
        (
            "gf.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'GF' AS "DOMAIN", p.registry_id AS "USUBJID", m.gfseq AS "GFSEQ",
                CASE m.alteration_kind \(SDTMGenomicFinding.testCodeCases) END AS "GFTESTCD",
                CASE m.alteration_kind \(SDTMGenomicFinding.testNameCases) END AS "GFTEST",
                coalesce(m.partner_gene || '::', '') || m.gene AS "GFSYM", upper(m.result) AS "GFORRES", upper(m.result) AS "GFSTRESC",
                CASE m.method \(SDTMGenomicFinding.methodCases) END AS "GFMETHOD", m.laboratory AS "GFNAM", m.specimen_date AS "GFDTC"
            FROM sync_export_gf m JOIN patients p ON p.patient_id = m.patient_id
            ORDER BY p.registry_id, m.gfseq
            """
        ),
        (
            "suppgf.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'GF' AS "RDOMAIN", p.registry_id AS "USUBJID", 'GFSEQ' AS "IDVAR", m.gfseq AS "IDVARVAL",
                q.qnam AS "QNAM", q.qlabel AS "QLABEL", q.qval AS "QVAL"
            FROM sync_export_gf m JOIN patients p ON p.patient_id = m.patient_id
            CROSS JOIN LATERAL (VALUES
                (1, 'HGVS', 'HGVS Variant Description', m.hgvs),
                (2, 'RPTDTC', 'Date of Report', m.report_date::text),
                (3, 'ACQRES', 'Acquired Resistance Mutation', CASE WHEN m.acquired_resistance THEN 'Y' END),
                (4, 'VOIDRSN', 'Reason Result Voided', m.void_reason)) AS q(position, qnam, qlabel, qval)
            WHERE q.qval IS NOT NULL
            ORDER BY p.registry_id, m.gfseq, q.position
            """
        ),
        (
            "ex.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'EX' AS "DOMAIN", x.registry_id AS "USUBJID", x.exseq AS "EXSEQ", upper(x.name) AS "EXTRT",
                x.dose AS "EXDOSTXT", x.started_on AS "EXSTDTC", x.stopped_on AS "EXENDTC"
            FROM sync_export_ex x ORDER BY x.registry_id, x.exseq
            """
        ),
        (
            "suppex.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'EX' AS "RDOMAIN", x.registry_id AS "USUBJID", 'EXSEQ' AS "IDVAR", x.exseq AS "IDVARVAL",
                q.qnam AS "QNAM", q.qlabel AS "QLABEL", q.qval AS "QVAL"
            FROM sync_export_ex x
            CROSS JOIN LATERAL (VALUES
                (1, 'LINENUM', 'Line of Therapy', x.line_number::text),
                (2, 'INTENT', 'Intent of Therapy', upper(x.intent)),
                (3, 'STOPRSN', 'Reason Therapy Stopped', upper(replace(x.stop_reason, '_', ' '))),
                (4, 'TRIALNCT', 'Trial NCT Number', x.trial_nct),
                (5, 'CONCURNT', 'Concurrent Line of Therapy', CASE WHEN x.concurrent THEN 'Y' END)) AS q(position, qnam, qlabel, qval)
            WHERE q.qval IS NOT NULL
            ORDER BY x.registry_id, x.exseq, q.position
            """
        ),
        (
            "ae.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'AE' AS "DOMAIN", p.registry_id AS "USUBJID", a.aeseq AS "AESEQ",
                coalesce(a.term_specified, a.ctcae_term) AS "AETERM", a.ctcae_term AS "AEDECOD", a.meddra_code AS "AELLTCD",
                a.grade AS "AETOXGR", a.onset_on AS "AESTDTC", a.resolved_on AS "AEENDTC",
                CASE a.attribution WHEN 'unrelated' THEN 'NOT RELATED' WHEN 'unlikely' THEN 'UNLIKELY RELATED' WHEN 'possible' THEN 'POSSIBLY RELATED'
                    WHEN 'probable' THEN 'PROBABLY RELATED' ELSE 'DEFINITELY RELATED' END AS "AEREL",
                CASE WHEN a.serious THEN 'Y' ELSE 'N' END AS "AESER"
            FROM sync_export_ae a JOIN patients p ON p.patient_id = a.patient_id
            ORDER BY p.registry_id, a.aeseq
            """
        ),
        (
            "suppae.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'AE' AS "RDOMAIN", p.registry_id AS "USUBJID", 'AESEQ' AS "IDVAR", a.aeseq AS "IDVARVAL",
                q.qnam AS "QNAM", q.qlabel AS "QLABEL", q.qval AS "QVAL"
            FROM sync_export_ae a JOIN patients p ON p.patient_id = a.patient_id
            LEFT JOIN therapy_lines t ON t.therapy_line_id = a.therapy_line_id
            CROSS JOIN LATERAL (VALUES
                (1, 'BASELINE', 'Present Before the First Line', CASE WHEN a.baseline THEN 'Y' END),
                (2, 'CTCAEV', 'CTCAE Version', a.ctcae_version),
                (3, 'LINENUM', 'Line of Therapy', t.line_number::text)) AS q(position, qnam, qlabel, qval)
            WHERE q.qval IS NOT NULL
            ORDER BY p.registry_id, a.aeseq, q.position
            """
        ),
        (
            "tu.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'TU' AS "DOMAIN", p.registry_id AS "USUBJID", e.label AS "TULNKID", 'TUMIDENT' AS "TUTESTCD",
                'Tumor Identification' AS "TUTEST",
                CASE e.lesion_class WHEN 'target' THEN 'TARGET' WHEN 'non_target' THEN 'NON-TARGET' ELSE 'NEW' END AS "TUORRES",
                CASE e.lesion_class WHEN 'target' THEN 'TARGET' WHEN 'non_target' THEN 'NON-TARGET' ELSE 'NEW' END AS "TUSTRESC",
                e.organ AS "TULOC",
                CASE e.imaging_method WHEN 'ct' THEN 'CT SCAN' WHEN 'mri' THEN 'MRI' WHEN 'pet_ct' THEN 'PET/CT' WHEN 'x_ray' THEN 'X-RAY'
                    WHEN 'ultrasound' THEN 'ULTRASOUND' WHEN 'clinical' THEN 'PHYSICAL EXAMINATION' END AS "TUMETHOD",
                \(evaluator(prefix: "TU")),
                CASE r.accepted WHEN true THEN 'Y' WHEN false THEN 'N' END AS "TUACPTFL"
            FROM lesions e JOIN patients p ON p.patient_id = e.patient_id
            LEFT JOIN evaluator_reads r ON r.patient_id = e.patient_id AND r.evaluator = e.evaluator
            ORDER BY p.registry_id, e.evaluator, e.lesion_id
            """
        ),
        (
            "tr.csv",
            """
            SELECT 'SARCREG' AS "STUDYID", 'TR' AS "DOMAIN", p.registry_id AS "USUBJID", l.label AS "TRLNKID",
                CASE WHEN l.lesion_class <> 'target' THEN 'TUMSTATE' WHEN l.is_lymph_node THEN 'LPERP' ELSE 'LDIAM' END AS "TRTESTCD",
                CASE r.result WHEN 'measured' THEN r.diameter_mm::text WHEN 'too_small_to_measure' THEN 'TOO SMALL TO MEASURE'
                    WHEN 'disappeared' THEN '0' WHEN 'not_done' THEN NULL WHEN 'present' THEN 'PRESENT' WHEN 'absent' THEN 'ABSENT'
                    WHEN 'unequivocal_progression' THEN 'UNEQUIVOCAL' WHEN 'not_evaluable' THEN 'NOT EVALUABLE'
                    WHEN 'unequivocal' THEN 'UNEQUIVOCAL' WHEN 'equivocal' THEN 'EQUIVOCAL' END AS "TRORRES",
                CASE WHEN l.lesion_class <> 'target' THEN upper(replace(replace(r.result, 'unequivocal_progression', 'unequivocal'), '_', ' ')) END AS "TRSTRESC",
                CASE r.result WHEN 'measured' THEN r.diameter_mm WHEN 'too_small_to_measure' THEN 5 WHEN 'disappeared' THEN 0 END AS "TRSTRESN",
                CASE WHEN l.lesion_class = 'target' AND r.result <> 'not_done' THEN 'mm' END AS "TRSTRESU",
                CASE WHEN r.result = 'not_done' THEN 'NOT DONE' END AS "TRSTAT",
                dense_rank() OVER (PARTITION BY a.patient_id, a.evaluator ORDER BY a.assessed_on) AS "VISITNUM",
                CASE WHEN a.is_baseline THEN 'BASELINE'
                    ELSE 'FOLLOW-UP ' || (dense_rank() OVER (PARTITION BY a.patient_id, a.evaluator ORDER BY a.assessed_on) - 1) END AS "VISIT",
                \(evaluator(prefix: "TR")),
                a.assessed_on AS "TRDTC"
            FROM assessment_results r
            JOIN assessments a ON a.assessment_id = r.assessment_id
            JOIN lesions l ON l.lesion_id = r.lesion_id
            JOIN patients p ON p.patient_id = a.patient_id
            CROSS JOIN LATERAL (SELECT a.evaluator) AS e(evaluator)
            WHERE a.void_reason IS NULL
            ORDER BY p.registry_id, a.evaluator, a.assessed_on, l.label
            """
        ),
        (
            "rs.csv",
            """
            SELECT "STUDYID", "DOMAIN", "USUBJID", "RSCAT", "RSTESTCD", "RSTEST", "RSORRES", "RSSTRESC", "RSEVAL", "RSEVALID", "RSACPTFL",
                "VISITNUM", "VISIT", "RSDTC", NULL AS "RSDRVFL"
            FROM (
                SELECT 'SARCREG' AS "STUDYID", 'RS' AS "DOMAIN", p.registry_id AS "USUBJID", 'RECIST 1.1' AS "RSCAT", s.test_code AS "RSTESTCD",
                    NULL AS "RSTEST", s.response AS "RSORRES", s.response AS "RSSTRESC", \(evaluator(prefix: "RS")),
                    CASE s.accepted WHEN true THEN 'Y' WHEN false THEN 'N' END AS "RSACPTFL",
                    s.visit_number AS "VISITNUM", s.visit AS "VISIT", s.response_date AS "RSDTC",
                    1 AS kind, s.evaluator AS sort_evaluator, s.visit_key AS sort_key
                FROM source_responses s JOIN patients p ON p.patient_id = s.patient_id
                CROSS JOIN LATERAL (SELECT s.evaluator) AS e(evaluator)
                UNION ALL
                SELECT 'SARCREG', 'RS', p.registry_id, '\(SDTMPerformanceStatus.category)', '\(SDTMPerformanceStatus.testCode)',
                    '\(SDTMPerformanceStatus.testName)', e.ecog::text, e.ecog::text, NULL, NULL, NULL, NULL, NULL, e.assessed_on::text,
                    0, '', e.assessed_on::text
                FROM patient_ecog e JOIN patients p ON p.patient_id = e.patient_id
            ) r
            ORDER BY "USUBJID", kind, sort_evaluator, sort_key, "RSTESTCD"
            """
        ),
    ]
}

extension SyncService {
    /// Writes the registry's SDTM export into `directory` (created; it must not hold export files yet),
    /// streaming each file with COPY so no table is held in memory. Returns the files with their row counts.
    public func exportSDTM(to directory: String) throws(SyncError) -> [(file: String, rows: Int)] {
        let manager = FileManager.default
        for (name, _) in SDTMExport.files
        where manager.fileExists(atPath: (directory as NSString).appendingPathComponent(name)) {
            throw .outputExists((directory as NSString).appendingPathComponent(name))
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let written = try connection.withTransaction(isolation: .repeatableRead) { tx in
                try tx.execute(
                    """
                    CREATE TEMP TABLE sync_export_ex ON COMMIT DROP AS
                    SELECT p.registry_id, t.line_number, t.intent, t.stop_reason, t.trial_nct, t.dose, t.started_on, t.stopped_on, t.concurrent, g.name,
                        row_number() OVER (PARTITION BY p.patient_id ORDER BY t.line_number, g.agent_code) AS exseq
                    FROM therapy_lines t JOIN patients p ON p.patient_id = t.patient_id
                    JOIN therapy_line_agents a ON a.therapy_line_id = t.therapy_line_id
                    JOIN therapy_agents g ON g.agent_code = a.agent_code
                    """)
                try tx.execute(
                    """
                    CREATE TEMP TABLE sync_export_mh ON COMMIT DROP AS
                    SELECT d.*, row_number() OVER (PARTITION BY d.patient_id ORDER BY d.diagnosis_id) AS mhseq FROM diagnoses d
                    """)
                try tx.execute(
                    """
                    CREATE TEMP TABLE sync_export_gf ON COMMIT DROP AS
                    SELECT m.*, row_number() OVER (PARTITION BY m.patient_id ORDER BY m.molecular_result_id) AS gfseq FROM molecular_results m
                    """)
                try tx.execute(
                    """
                    CREATE TEMP TABLE sync_export_ae ON COMMIT DROP AS
                    SELECT a.*, row_number() OVER (PARTITION BY a.patient_id ORDER BY a.onset_on, a.adverse_event_id) AS aeseq
                    FROM adverse_events a
                    """)
                var written: [(file: String, rows: Int)] = []
                for (name, query) in SDTMExport.files {
                    let path = (directory as NSString).appendingPathComponent(name)
                    guard manager.createFile(atPath: path, contents: nil),
                        let handle = FileHandle(forWritingAtPath: path)
                    else {
                        throw SyncError.unreadableFile(path)
                    }
                    defer { try? handle.close() }
                    let rows = try tx.copyOut(Query(unsafeSQL: "COPY (\(query)) TO STDOUT (FORMAT csv, HEADER true)")) {
                        bytes in
                        try handle.write(contentsOf: Data(bytes))
                    }
                    written.append((name, rows))
                }
                return written
            }
            // The responses are computed after the files' transaction: the response service opens its own.
            let computed = try appendComputedResponses(
                to: (directory as NSString).appendingPathComponent(SDTMExport.responsesFile))
            return written.map { $0.file == SDTMExport.responsesFile ? ($0.file, $0.rows + computed) : $0 }
        } catch {
            throw SyncError.wrap(error)
        }
    }

    /// Appends every reader's time-point responses (OVRLRESP, one per follow-up, numbered as TR numbers its
    /// visits) and best overall responses, confirmed (BESTRESP) and unconfirmed (UBESTRSP), as the registry
    /// computes them (`response show`), flagged derived (RSDRVFL Y). An import derives its own from TU and TR
    /// and skips these with a note. Returns the number of rows appended.
    func appendComputedResponses(to path: String) throws -> Int {
        let pairs = try connection.query(
            """
            SELECT DISTINCT p.registry_id, a.evaluator FROM assessments a JOIN patients p ON p.patient_id = a.patient_id
            WHERE NOT a.is_baseline AND a.void_reason IS NULL ORDER BY p.registry_id, a.evaluator
            """)
        let service = ResponseService(connection: connection)
        var lines: [String] = []
        for pair in pairs {
            let registryID = try pair.decode(String.self, "registry_id")
            let evaluator = try pair.decode(String.self, "evaluator")
            let response: PatientResponse
            do {
                response = try service.response(registryID, evaluator: Evaluator(evaluator))
            } catch {
                // A series the engine cannot score (as `response show` would refuse it) has no response to give.
                continue
            }
            let reader =
                evaluator == "investigator"
                ? "INVESTIGATOR,"
                : "INDEPENDENT ASSESSOR," + evaluator.replacingOccurrences(of: "-", with: " ").uppercased()
            func line(_ test: String, _ name: String, _ result: String, visit: (Int, String)?, date: String) -> String {
                [
                    "SARCREG", "RS", registryID, "RECIST 1.1", test, name, result, result, reader, "",
                    visit.map { String($0.0) } ?? "",
                    visit?.1 ?? "", date, "Y",
                ].joined(separator: ",")
            }
            for (index, evaluation) in response.series.evaluations.enumerated() {
                lines.append(
                    line(
                        "OVRLRESP", "Overall Response", evaluation.overall.rawValue,
                        visit: (index + 2, "FOLLOW-UP \(index + 1)"),
                        date: evaluation.date.description))
            }
            let best = response.series.bestOverallResponse
            lines.append(
                line(
                    "BESTRESP", "Best Overall Response", best.confirmed.response.rawValue, visit: nil,
                    date: best.confirmed.date?.description ?? ""))
            lines.append(
                line(
                    "UBESTRSP", "Unconfirmed Best Overall Response", best.unconfirmed.response.rawValue, visit: nil,
                    date: best.unconfirmed.date?.description ?? ""))
        }
        guard !lines.isEmpty else { return 0 }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SyncError.unreadableFile(path) }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        return lines.count
    }
}
