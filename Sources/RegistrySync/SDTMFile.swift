import Foundation
import PostgresClient

/// The most characters (Unicode scalars, see ``FieldFault/first(in:limit:)``) a staged value may have; a
/// longer one quarantines its row. The limits are a guard against broken exports, set above what any clinical
/// value needs: the import's field checks still judge each value's form (a lesion id of up to 20 characters,
/// a reader id of up to 40).
public struct FieldLimit: Sendable, Hashable {
    public let characters: Int

    public init(characters: Int) { self.characters = characters }

    /// Subject, record, sequence and lesion ids.
    public static let identifier = FieldLimit(characters: 40)
    /// Dates, numbers, controlled terms, flags and reader ids.
    public static let code = FieldLimit(characters: 64)
    /// Free text such as an adverse event term, a treatment or a location: the 200 characters SDTM allows a
    /// character variable (SAS V5 transport's limit).
    public static let text = FieldLimit(characters: 200)

    /// The limit of a column that its file does not set: a REDCap export column by its field in the
    /// registry's published dictionary (the record id an identifier, text without validation free text,
    /// and dates, numbers, choices, checkbox and form-status columns and REDCap's own columns codes); any
    /// other column free text.
    static func byREDCapField(_ column: String) -> FieldLimit {
        let name = column.lowercased()
        let registry = REDCapDictionary.registry
        if name == registry.recordIDField { return .identifier }
        if REDCapDictionary.systemColumns.contains(name) || registry.forms.contains(where: { name == $0 + "_complete" })
        {
            return .code
        }
        let fieldName = name.components(separatedBy: "___")[0]
        guard let field = registry.fields.first(where: { $0.name == fieldName }) else { return .text }
        return (field.type == .text || field.type == .notes) && field.validation.isEmpty ? .text : .code
    }
}

/// One SDTM dataset the sync reads: its file name, the variables it stages (all other columns are
/// ignored), the variables its header must have and each staged variable's length limit. Columns are
/// matched by header name, never position.
public struct SDTMFile: Sendable, Hashable {
    public let domain: String
    public let fileName: String
    /// The staging table's columns, names from code.
    public let columns: [String]
    /// The header names the file's columns are found by, one per column of `columns` and in its order: the
    /// same names, except where a format lets a source name a column itself (a REDCap record id field), whose
    /// name then never reaches SQL.
    public let headers: [String]
    /// Header names the file must have.
    public let required: [String]
    /// The limit of each of `columns`, in their order.
    public let limits: [FieldLimit]

    var stagingTable: String { "sync_stage_" + domain.lowercased() }

    /// A file whose columns each state their limit.
    public init(domain: String, fileName: String, columns: KeyValuePairs<String, FieldLimit>, required: [String]) {
        self.domain = domain
        self.fileName = fileName
        self.columns = columns.map(\.key)
        headers = self.columns
        self.required = required
        limits = columns.map(\.value)
    }

    /// A file whose columns take their limits from ``FieldLimit/byREDCapField(_:)``: the REDCap import
    /// builds its file this way from the run's dictionary.
    public init(domain: String, fileName: String, columns: [String], headers: [String], required: [String]) {
        self.domain = domain
        self.fileName = fileName
        self.columns = columns
        self.headers = headers
        self.required = required
        limits = columns.map(FieldLimit.byREDCapField)
    }

    public static let dm = SDTMFile(
        domain: "DM", fileName: "dm.csv",
        columns: [
            "USUBJID": .identifier, "SITEID": .identifier, "RFICDTC": .code, "BRTHDTC": .code, "AGE": .code,
            "SEX": .code,
            "DTHDTC": .code,
        ],
        required: ["USUBJID", "SITEID", "RFICDTC", "SEX"])
    public static let ex = SDTMFile(
        domain: "EX", fileName: "ex.csv",
        columns: [
            "USUBJID": .identifier, "EXSEQ": .identifier, "EXTRT": .text, "EXDOSE": .code, "EXDOSU": .code,
            "EXDOSTXT": .text,
            "EXSTDTC": .code, "EXENDTC": .code,
        ],
        required: ["USUBJID", "EXSEQ", "EXTRT", "EXSTDTC"])
    /// Line of therapy, intent, stop reason, trial and concurrency of an EX record: not EX variables, so SUPPEX carries them.
    public static let suppex = SDTMFile(
        domain: "SUPPEX", fileName: "suppex.csv",
        columns: ["USUBJID": .identifier, "IDVAR": .code, "IDVARVAL": .identifier, "QNAM": .code, "QVAL": .text],
        required: ["USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"])
    /// AEDECOD (or AETERM where it is empty) is the CTCAE term; AELLTCD, where given, its MedDRA code (a CTCAE
    /// term is a MedDRA lowest level term); AETERM the reported text an "Other, specify" term keeps.
    public static let ae = SDTMFile(
        domain: "AE", fileName: "ae.csv",
        columns: [
            "USUBJID": .identifier, "AESEQ": .identifier, "AETERM": .text, "AEDECOD": .text, "AELLTCD": .code,
            "AETOXGR": .code,
            "AESTDTC": .code, "AEENDTC": .code, "AEREL": .code, "AESER": .code,
        ],
        required: ["USUBJID", "AESEQ", "AETERM", "AETOXGR", "AESTDTC"])
    /// What an AE record's variables do not hold: whether it was present before the first line (QNAM BASELINE),
    /// the CTCAE version it was graded under (CTCAEV) and the line of therapy it occurred on (LINENUM).
    public static let suppae = SDTMFile(
        domain: "SUPPAE", fileName: "suppae.csv",
        columns: ["USUBJID": .identifier, "IDVAR": .code, "IDVARVAL": .identifier, "QNAM": .code, "QVAL": .text],
        required: ["USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"])
    public static let tu = SDTMFile(
        domain: "TU", fileName: "tu.csv",
        columns: [
            "USUBJID": .identifier, "TULNKID": .identifier, "TUTESTCD": .code, "TUORRES": .text, "TUSTRESC": .text,
            "TULOC": .text,
            "TUMETHOD": .code, "TUEVAL": .code, "TUEVALID": .code, "TUACPTFL": .code,
        ],
        required: ["USUBJID", "TULNKID", "TUTESTCD"])
    public static let tr = SDTMFile(
        domain: "TR", fileName: "tr.csv",
        columns: [
            "USUBJID": .identifier, "TRLNKID": .identifier, "TRTESTCD": .code, "TRORRES": .text, "TRSTRESC": .text,
            "TRSTRESN": .code,
            "TRSTAT": .code, "VISITNUM": .code, "VISIT": .text, "TREVAL": .code, "TREVALID": .code, "TRDTC": .code,
        ],
        required: ["USUBJID", "TRLNKID", "TRTESTCD", "TRDTC"])
    /// A source's responses (category RECIST 1.1) and ECOG performance status (category ECOG, test ECOG101); the
    /// responses an exporting registry derived itself (RSDRVFL Y) are skipped, this registry derives its own.
    public static let rs = SDTMFile(
        domain: "RS", fileName: "rs.csv",
        columns: [
            "USUBJID": .identifier, "RSCAT": .code, "RSTESTCD": .code, "RSORRES": .text, "RSSTRESC": .text,
            "RSEVAL": .code,
            "RSEVALID": .code, "RSACPTFL": .code, "VISITNUM": .code, "VISIT": .text, "RSDTC": .code, "RSDRVFL": .code,
        ],
        required: ["USUBJID", "RSTESTCD"])
    /// Consent, withdrawal of consent, death and last contact (``SDTMDisposition``).
    public static let ds = SDTMFile(
        domain: "DS", fileName: "ds.csv",
        columns: [
            "USUBJID": .identifier, "DSSEQ": .identifier, "DSTERM": .text, "DSDECOD": .text, "DSCAT": .code,
            "DSSTDTC": .code,
        ],
        required: ["USUBJID", "DSDECOD", "DSSTDTC"])
    /// The primary diagnosis (``SDTMDiagnosis``).
    public static let mh = SDTMFile(
        domain: "MH", fileName: "mh.csv",
        columns: [
            "USUBJID": .identifier, "MHSEQ": .identifier, "MHTERM": .text, "MHDECOD": .code, "MHCAT": .text,
            "MHLOC": .text,
            "MHSTDTC": .code,
        ],
        required: ["USUBJID", "MHSEQ", "MHTERM", "MHDECOD"])
    /// The ICD-O edition, FNCLCC grade and disease setting of a diagnosis.
    public static let suppmh = SDTMFile(
        domain: "SUPPMH", fileName: "suppmh.csv",
        columns: ["USUBJID": .identifier, "IDVAR": .code, "IDVARVAL": .identifier, "QNAM": .code, "QVAL": .text],
        required: ["USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"])
    /// Molecular results (``SDTMGenomicFinding``).
    public static let gf = SDTMFile(
        domain: "GF", fileName: "gf.csv",
        columns: [
            "USUBJID": .identifier, "GFSEQ": .identifier, "GFTESTCD": .code, "GFSYM": .code, "GFORRES": .text,
            "GFSTRESC": .text,
            "GFMETHOD": .code, "GFNAM": .text, "GFDTC": .code,
        ],
        required: ["USUBJID", "GFSEQ", "GFTESTCD", "GFSYM", "GFMETHOD"])
    /// The HGVS description, report date, acquired resistance mark and void reason of a molecular result.
    public static let suppgf = SDTMFile(
        domain: "SUPPGF", fileName: "suppgf.csv",
        columns: ["USUBJID": .identifier, "IDVAR": .code, "IDVARVAL": .identifier, "QNAM": .code, "QVAL": .text],
        required: ["USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"])

    /// In the order they are applied: subjects first, therapy lines before the assessments and AEs that name
    /// them, and the disposition last, so that a withdrawal of consent does not refuse the records the same
    /// export holds from before it.
    public static let all: [SDTMFile] = [
        .dm, .suppex, .ex, .suppae, .ae, .suppmh, .mh, .suppgf, .gf, .tu, .tr, .rs, .ds,
    ]
}

/// A file streamed into its staging table: digest, size and rows.
public struct StagedFile: Sendable {
    public let file: SDTMFile
    public let sha256: String
    public let sizeBytes: Int
    public let rows: Int
}

/// Streams one CSV file into a TEMP staging table of text columns with COPY, row by row, recording each
/// record's line number and any read error (a wrong field count, or a ``FieldFault``: a NUL byte, invalid
/// UTF-8, a value over its column's limit) for the quarantine. A read error quarantines its row only.
struct StagingLoader {
    let connection: Connection

    func stage(_ file: SDTMFile, path: String, progress: (Int) -> Void) throws -> StagedFile {
        let columns = ["line_number", "read_error_column", "read_error"] + file.columns.map { $0.lowercased() }
        try connection.execute(
            Query(
                unsafeSQL: """
                    CREATE TEMP TABLE \(file.stagingTable) (\(columns.enumerated().map { "\($0.element) \($0.offset == 0 ? "bigint" : "text")" }.joined(separator: ", ")))
                    ON COMMIT DROP
                    """))
        let reader = try CSVRecordReader(path: path)
        var positions: [Int?] = []
        var headerCount = 0
        _ = try reader.next { header in
            let names = header.map { $0.text.trimmingCharacters(in: .whitespaces).uppercased() }
            headerCount = names.count
            positions = file.headers.map { names.firstIndex(of: $0) }
            let missing = zip(file.headers, positions).filter { $0.1 == nil }.map(\.0).filter(file.required.contains)
            if !missing.isEmpty { throw SyncError.missingColumns(file: file.fileName, columns: missing) }
        }
        if positions.isEmpty { throw SyncError.missingColumns(file: file.fileName, columns: file.required) }
        let limits = file.limits.map(\.characters)
        var rows = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 18)
        try connection.copyIn(table: file.stagingTable, columns: columns, format: .text) { writer in
            while try reader.next({ fields in
                rows += 1
                Self.appendDecimal(reader.line, to: &buffer)
                var readError: (column: String, reason: String)?
                if fields.count != headerCount {
                    readError = (file.columns[0], "the record has \(fields.count) fields, the header \(headerCount)")
                }
                var values: [CSVField?] = []
                values.reserveCapacity(positions.count)
                for (index, position) in positions.enumerated() {
                    guard let position, position < fields.count else {
                        values.append(nil)
                        continue
                    }
                    let field = fields[position]
                    if readError == nil, let fault = FieldFault.first(in: field.bytes, limit: limits[index]) {
                        readError = (file.columns[index], fault.reason(column: file.columns[index]))
                    }
                    values.append(field)
                }
                if let readError {
                    buffer.append(0x09)
                    Self.appendEscaped(Array(readError.column.utf8), to: &buffer)
                    buffer.append(0x09)
                    Self.appendEscaped(Array(readError.reason.utf8), to: &buffer)
                } else {
                    buffer.append(contentsOf: [0x09, 0x5C, 0x4E, 0x09, 0x5C, 0x4E])
                }
                for (index, value) in values.enumerated() {
                    buffer.append(0x09)
                    guard let value, !value.isEmpty, !(value.bytes.elementsEqual("NA".utf8) && !value.wasQuoted) else {
                        buffer.append(contentsOf: [0x5C, 0x4E])
                        continue
                    }
                    if readError != nil {
                        Self.appendEscaped(Array(Self.shown(value, limit: limits[index]).utf8), to: &buffer)
                    } else {
                        Self.appendEscaped(value.bytes, to: &buffer)
                    }
                }
                buffer.append(0x0A)
                if rows % 10_000 == 0 { progress(rows) }
            }) {
                if buffer.count >= 1 << 18 {
                    try writer.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try writer.write(buffer)
        }
        progress(rows)
        return StagedFile(file: file, sha256: reader.sha256, sizeBytes: reader.byteCount, rows: rows)
    }

    /// A value of a quarantined row as the quarantine shows it. Its bytes may not reach a UTF-8 database as
    /// they are, so invalid UTF-8 and NUL bytes show as U+FFFD; a value over its limit, which may be
    /// megabytes, is cut as ``SyncError`` cuts long names.
    private static func shown(_ field: CSVField, limit: Int) -> String {
        let text = field.text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
        return text.unicodeScalars.count > limit ? SyncError.shown(text) : text
    }

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(value).utf8)
    }

    /// COPY text format: backslash, tab, line feed and carriage return are escaped.
    private static func appendEscaped<Bytes: Sequence>(_ bytes: Bytes, to buffer: inout [UInt8])
    where Bytes.Element == UInt8 {
        for byte in bytes {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            default: buffer.append(byte)
            }
        }
    }
}
