import Foundation
import PostgresClient

/// One SDTM dataset the sync reads: its file name, the variables it stages (all other columns are
/// ignored) and the variables its header must have. Columns are matched by header name, never position.
public struct SDTMFile: Sendable, Hashable {
    public let domain: String
    public let fileName: String
    public let columns: [String]
    public let required: [String]

    var stagingTable: String { "sync_stage_" + domain.lowercased() }

    public static let dm = SDTMFile(
        domain: "DM", fileName: "dm.csv",
        columns: ["USUBJID", "SITEID", "RFICDTC", "BRTHDTC", "AGE", "SEX", "DTHDTC"],
        required: ["USUBJID", "SITEID", "RFICDTC", "SEX"])
    public static let ex = SDTMFile(
        domain: "EX", fileName: "ex.csv",
        columns: ["USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXDOSTXT", "EXSTDTC", "EXENDTC"],
        required: ["USUBJID", "EXSEQ", "EXTRT", "EXSTDTC"])
    /// Line of therapy, intent, stop reason and trial of an EX record: not EX variables, so SUPPEX carries them.
    public static let suppex = SDTMFile(
        domain: "SUPPEX", fileName: "suppex.csv",
        columns: ["USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"],
        required: ["USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"])
    public static let ae = SDTMFile(
        domain: "AE", fileName: "ae.csv",
        columns: ["USUBJID", "AESEQ", "AETERM", "AEDECOD", "AETOXGR", "AESTDTC", "AEENDTC", "AEREL", "AESER"],
        required: ["USUBJID", "AESEQ", "AETERM", "AETOXGR", "AESTDTC"])
    public static let tu = SDTMFile(
        domain: "TU", fileName: "tu.csv",
        columns: ["USUBJID", "TULNKID", "TUTESTCD", "TUORRES", "TUSTRESC", "TULOC", "TUMETHOD", "TUEVAL", "TUEVALID", "TUACPTFL"],
        required: ["USUBJID", "TULNKID", "TUTESTCD"])
    public static let tr = SDTMFile(
        domain: "TR", fileName: "tr.csv",
        columns: ["USUBJID", "TRLNKID", "TRTESTCD", "TRORRES", "TRSTRESC", "TRSTRESN", "TRSTAT", "VISITNUM", "VISIT",
                  "TREVAL", "TREVALID", "TRDTC"],
        required: ["USUBJID", "TRLNKID", "TRTESTCD", "TRDTC"])
    public static let rs = SDTMFile(
        domain: "RS", fileName: "rs.csv",
        columns: ["USUBJID", "RSTESTCD", "RSORRES", "RSSTRESC", "RSEVAL", "RSEVALID", "RSACPTFL", "VISITNUM", "VISIT", "RSDTC"],
        required: ["USUBJID", "RSTESTCD"])

    /// In the order they are applied: subjects first, therapy lines before the assessments that name them.
    public static let all: [SDTMFile] = [.dm, .suppex, .ex, .ae, .tu, .tr, .rs]
}

/// A file streamed into its staging table: digest, size and rows.
public struct StagedFile: Sendable {
    public let file: SDTMFile
    public let sha256: String
    public let sizeBytes: Int
    public let rows: Int
}

/// Streams one CSV file into a TEMP staging table of text columns with COPY, row by row, recording each
/// record's line number and any read error (a wrong field count, or a ``FieldFault``: a NUL byte or invalid
/// UTF-8) for the quarantine. A read error quarantines its row only.
struct StagingLoader {
    let connection: Connection

    func stage(_ file: SDTMFile, path: String, progress: (Int) -> Void) throws -> StagedFile {
        let columns = ["line_number", "read_error_column", "read_error"] + file.columns.map { $0.lowercased() }
        try connection.execute(Query(unsafeSQL: """
            CREATE TEMP TABLE \(file.stagingTable) (\(columns.enumerated().map { "\($0.element) \($0.offset == 0 ? "bigint" : "text")" }.joined(separator: ", ")))
            ON COMMIT DROP
            """))
        let reader = try CSVRecordReader(path: path)
        var positions: [Int?] = []
        var headerCount = 0
        _ = try reader.next { header in
            let names = header.map { $0.text.trimmingCharacters(in: .whitespaces).uppercased() }
            headerCount = names.count
            positions = file.columns.map { names.firstIndex(of: $0) }
            let missing = zip(file.columns, positions).filter { $0.1 == nil }.map(\.0).filter(file.required.contains)
            if !missing.isEmpty { throw SyncError.missingColumns(file: file.fileName, columns: missing) }
        }
        if positions.isEmpty { throw SyncError.missingColumns(file: file.fileName, columns: file.required) }
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
                    if readError == nil, let fault = FieldFault.first(in: field.bytes) {
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
                for value in values {
                    buffer.append(0x09)
                    guard let value, !value.isEmpty, !(value.bytes.elementsEqual("NA".utf8) && !value.wasQuoted) else {
                        buffer.append(contentsOf: [0x5C, 0x4E])
                        continue
                    }
                    if readError != nil {
                        Self.appendEscaped(Array(Self.shown(value).utf8), to: &buffer)
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
    /// they are, so invalid UTF-8 and NUL bytes show as U+FFFD.
    private static func shown(_ field: CSVField) -> String {
        field.text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(value).utf8)
    }

    /// COPY text format: backslash, tab, line feed and carriage return are escaped.
    private static func appendEscaped<Bytes: Sequence>(_ bytes: Bytes, to buffer: inout [UInt8]) where Bytes.Element == UInt8 {
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
