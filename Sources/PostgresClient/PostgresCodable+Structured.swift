import Foundation

/// A `jsonb` (or `json`) value decoded to and encoded from a `Codable` type.
public struct JSONB<Value: Codable & Sendable>: PostgresCodable, Sendable {
    public var value: Value

    public init(_ value: Value) { self.value = value }

    public static var postgresType: PostgresType { .jsonb }

    public var postgresText: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a value of a Codable type into JSON only fails for non-finite floats, which
        // PostgreSQL's jsonb could not store either; binding NULL would hide that, so it traps.
        guard let data = try? encoder.encode(value) else {
            preconditionFailure("\(Value.self) holds a value JSON cannot represent")
        }
        return String(decoding: data, as: UTF8.self)
    }

    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresDecodingFailure("JSON does not match \(Value.self): \(error)")
        }
    }
}

/// An element of a one-dimensional PostgreSQL array sent and read in text form.
public protocol PostgresArrayElement: PostgresCodable {
    static var postgresArrayType: PostgresType { get }
}

extension String: PostgresArrayElement { public static var postgresArrayType: PostgresType { .textArray } }
extension Int16: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int2Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int4Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }

    public var postgresText: String? {
        // Escaped byte by byte: Foundation's replacingOccurrences took a third of an alert refresh that bound the
        // ids of 100,000 patients.
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(count * 10 + 2)
        for (index, element) in enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in (element.postgresText ?? "").utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        self = try PostgresArrayText.elements(of: text).map { item throws(PostgresDecodingFailure) in
            guard let item else { throw PostgresDecodingFailure("the array holds a NULL element") }
            return try Element(postgresText: item, type: .unspecified)
        }
    }
}

/// Parses the text form of a one-dimensional array: `{a,"b c",NULL,"q\"uote"}`.
///
/// Read as UTF-8 bytes: the delimiters are ASCII, which never occurs inside a multi-byte character, and an
/// unquoted element is taken whole rather than character by character (a worklist reads 400,000 dates so).
enum PostgresArrayText {
    static func elements(of text: String) throws(PostgresDecodingFailure) -> [String?] {
        let bytes = Array(text.utf8)
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}"), quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        guard bytes.first == open, bytes.last == close, bytes.count >= 2 else {
            throw PostgresDecodingFailure("not a one-dimensional array literal")
        }
        if bytes.count == 2 { return [] }
        var result: [String?] = []
        var index = 1
        let end = bytes.count - 1
        while index < end {
            if bytes[index] == quote {
                var item: [UInt8] = []
                index += 1
                while index < end, bytes[index] != quote {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < end { index += 1 }
                    item.append(bytes[index])
                    index += 1
                }
                guard index < end else { throw PostgresDecodingFailure("unterminated quoted array element") }
                index += 1
                result.append(String(decoding: item, as: UTF8.self))
            } else {
                let start = index
                while index < end, bytes[index] != comma {
                    if bytes[index] == open { throw PostgresDecodingFailure("nested arrays are not supported") }
                    index += 1
                }
                let value = String(decoding: bytes[start..<index], as: UTF8.self)
                result.append(value == "NULL" ? nil : value)
            }
            if index < end {
                guard bytes[index] == comma else { throw PostgresDecodingFailure("malformed array literal") }
                index += 1
            }
        }
        return result
    }
}

extension JSONB: Equatable where Value: Equatable {}
extension JSONB: Hashable where Value: Hashable {}
