import Crypto
import Foundation

/// One field of a CSV record, as bytes lent by ``CSVRecordReader`` until its next record.
public struct CSVField {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Whether the field was written in quotes: R writes a missing value as a bare `NA`, and `"NA"` is text.
    public let wasQuoted: Bool

    public var isEmpty: Bool { bytes.isEmpty }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A streaming RFC 4180 reader over a file: it reads fixed-size chunks, so memory stays flat whatever the
/// file's size, and it hashes (SHA-256) and counts the bytes as it goes.
///
/// A leading UTF-8 byte order mark is dropped. Fields may be quoted, with `""` for a quote and line breaks
/// inside quotes; records end with LF or CRLF. Bytes are handed out as read; ``FieldFault`` judges them.
public final class CSVRecordReader {
    public let path: String
    /// The physical line the current record starts on (1 is the header).
    public private(set) var line = 0
    public private(set) var byteCount = 0

    private let file: FileHandle
    private let chunkSize: Int
    private var hasher = SHA256()
    private var chunk: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var nextLine = 1
    private var isFirstChunk = true

    private var fieldBytes: [UInt8] = []
    private var fieldStarts: [Int] = []
    private var fieldQuoted: [Bool] = []

    public init(path: String, chunkSize: Int = 1 << 20) throws(SyncError) {
        guard let file = FileHandle(forReadingAtPath: path) else { throw .unreadableFile(path) }
        self.path = path
        self.file = file
        self.chunkSize = chunkSize
    }

    deinit { try? file.close() }

    /// The hex SHA-256 of every byte read so far; after the last record, of the whole file.
    public var sha256: String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Reads the next record and lends its fields to `body`; returns false at the end of the file.
    /// A blank line ends nothing and is skipped.
    public func next(_ body: ([CSVField]) throws -> Void) throws -> Bool {
        while true {
            guard try readRecord() else { return false }
            if fieldStarts.count == 1 && fieldBytes.isEmpty && !fieldQuoted[0] { continue }
            try fieldBytes.withUnsafeBufferPointer { all in
                var fields: [CSVField] = []
                fields.reserveCapacity(fieldStarts.count)
                for index in fieldStarts.indices {
                    let start = fieldStarts[index]
                    let end = index + 1 < fieldStarts.count ? fieldStarts[index + 1] : all.count
                    fields.append(
                        CSVField(bytes: UnsafeBufferPointer(rebasing: all[start..<end]), wasQuoted: fieldQuoted[index]))
                }
                try body(fields)
            }
            return true
        }
    }

    private func nextByte() throws(SyncError) -> UInt8? {
        if position == chunk.count {
            guard !atEnd else { return nil }
            try refill()
            if position == chunk.count { return nil }
        }
        let byte = chunk[position]
        position += 1
        return byte
    }

    private func peekByte() throws(SyncError) -> UInt8? {
        if position == chunk.count {
            guard !atEnd else { return nil }
            try refill()
            if position == chunk.count { return nil }
        }
        return chunk[position]
    }

    private func refill() throws(SyncError) {
        let data: Data?
        do {
            data = try file.read(upToCount: chunkSize)
        } catch {
            throw .unreadableFile(path)
        }
        guard let data, !data.isEmpty else {
            atEnd = true
            chunk = []
            position = 0
            return
        }
        hasher.update(data: data)
        byteCount += data.count
        chunk = [UInt8](data)
        position = 0
        if isFirstChunk {
            isFirstChunk = false
            if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }
    }

    /// Parses one record into the field buffers; false when the file has no more bytes.
    private func readRecord() throws -> Bool {
        fieldBytes.removeAll(keepingCapacity: true)
        fieldStarts.removeAll(keepingCapacity: true)
        fieldQuoted.removeAll(keepingCapacity: true)
        guard try peekByte() != nil else { return false }
        line = nextLine
        fieldStarts.append(0)
        fieldQuoted.append(false)
        var inQuotes = false
        var fieldHasContent = false
        while let byte = try nextByte() {
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if try peekByte() == UInt8(ascii: "\"") {
                        position += 1
                        fieldBytes.append(byte)
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { nextLine += 1 }
                    fieldBytes.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fieldStarts.append(fieldBytes.count)
                fieldQuoted.append(false)
                fieldHasContent = false
            case UInt8(ascii: "\""):
                guard !fieldHasContent else {
                    throw SyncError.malformedCSV(file: path, line: line, reason: "a quote inside an unquoted field")
                }
                inQuotes = true
                fieldQuoted[fieldQuoted.count - 1] = true
                fieldHasContent = true
            case UInt8(ascii: "\n"):
                nextLine += 1
                return true
            case UInt8(ascii: "\r"):
                if try peekByte() == UInt8(ascii: "\n") { continue }
                fieldBytes.append(byte)
                fieldHasContent = true
            default:
                guard !(fieldQuoted[fieldQuoted.count - 1]) else {
                    throw SyncError.malformedCSV(file: path, line: line, reason: "text after a closing quote")
                }
                fieldBytes.append(byte)
                fieldHasContent = true
            }
        }
        if inQuotes {
            throw SyncError.malformedCSV(
                file: path, line: line, reason: "a quoted field is not closed before the end of the file")
        }
        nextLine += 1
        return true
    }
}

/// What keeps a field's bytes out of the staging table. Each fault quarantines the field's row only: COPY
/// would refuse the bytes and with them the whole load (PostgreSQL's text holds neither U+0000 nor invalid
/// UTF-8), and a value of megabytes is a broken export rather than data.
public enum FieldFault: Equatable, Sendable {
    /// A NUL byte at this byte (counted from 1) of the value.
    case nulByte(at: Int)
    /// The first byte (counted from 1) that is not part of valid UTF-8.
    case invalidUTF8(at: Int)
    /// More characters than the column's limit.
    case tooLong(characters: Int, limit: Int)

    /// The first fault of a field's bytes, in byte order; the length is judged only on valid UTF-8 without NUL.
    ///
    /// Characters are Unicode scalars, as PostgreSQL's `length()` counts them in a UTF-8 database and as the
    /// import's SQL checks measure identifiers: "é" written as e and a combining accent is two.
    public static func first(in bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> FieldFault? {
        var index = 0
        var characters = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            characters += 1
            if lead < 0x80 {
                if lead == 0 { return .nulByte(at: index + 1) }
                index += 1
                continue
            }
            let (length, minimum): (Int, UInt32)
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: (length, minimum, scalar) = (2, 0x80, UInt32(lead & 0x1F))
            case 0xE0...0xEF: (length, minimum, scalar) = (3, 0x800, UInt32(lead & 0x0F))
            case 0xF0...0xF4: (length, minimum, scalar) = (4, 0x10000, UInt32(lead & 0x07))
            // Continuation bytes out of place, the overlong leads 0xC0 and 0xC1, and 0xF5 to 0xFF (past U+10FFFF).
            default: return .invalidUTF8(at: index + 1)
            }
            guard index + length <= count else { return .invalidUTF8(at: index + 1) }
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else { return .invalidUTF8(at: index + 1) }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            // Overlong forms, UTF-16 surrogates (CESU-8 writes a supplementary character as two) and values
            // past U+10FFFF are not UTF-8.
            if scalar < minimum || (0xD800...0xDFFF).contains(scalar) || scalar > 0x10FFFF {
                return .invalidUTF8(at: index + 1)
            }
            index += length
        }
        return characters > limit ? .tooLong(characters: characters, limit: limit) : nil
    }

    /// The quarantine's reason for a value of `column`; it never repeats the value, which may be megabytes.
    public func reason(column: String) -> String {
        switch self {
        case .nulByte(let byte): "\(column) has a NUL byte at byte \(byte) of the value"
        case .invalidUTF8(let byte): "invalid UTF-8 at byte \(byte) of the value"
        case .tooLong(let characters, let limit): "\(column) is \(characters) characters long; the limit is \(limit)"
        }
    }
}
