/// An ICD-O-3 morphology code with its behaviour digit, e.g. `8890/3` for leiomyosarcoma.
///
/// The behaviour digit is part of the identity: DFSP is `8832/1` under ICD-O-3.2 but `8832/3`
/// under ICD-O-3.0, so codes are compared whole and grouped through ``HistologyEntityGroup``.
public struct HistologyCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws(EligibilityInputError) {
        let bytes = Array(text.utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard bytes.count == 6, bytes[4] == UInt8(ascii: "/"),
            bytes[0..<4].allSatisfy(isDigit), isDigit(bytes[5])
        else {
            throw .malformedHistologyCode(text)
        }
        rawValue = text
    }

    /// Parses a submitted code, surrounding blanks aside, naming the field on failure: the registry's refusal of
    /// `8890` typed for `8890/3`, where ``init(_:)`` is the matcher's.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> HistologyCode {
        do {
            return try HistologyCode(text.trimmingWhitespace)
        } catch {
            throw .malformed(field: field, value: text, expected: "an ICD-O-3 morphology code such as 8890/3")
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The behaviour digit: 0 benign, 1 uncertain/borderline, 3 malignant.
    public var behaviour: Int { Int(rawValue.utf8.last! - UInt8(ascii: "0")) }

    public var description: String { rawValue }

    public static func < (lhs: HistologyCode, rhs: HistologyCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A named set of histology codes that criteria include or exclude as a whole, mirroring
/// `histology_entity_groups` (e.g. `adipocytic`: every liposarcoma and atypical lipomatous tumour).
public struct HistologyEntityGroup: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String
    public let members: Set<HistologyCode>

    public init(code: String, members: Set<HistologyCode>) {
        self.code = code
        self.members = members
    }

    /// The group code as a coordinator reads it: `adipocytic`, `tenosynovial giant cell tumour`.
    public var description: String { code.replacingUnderscoresWithSpaces }
}

/// One entry of a histology criterion: a single code, a group, or every histology.
public enum HistologySelector: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Tumour-agnostic: matches every code, including codes added to the vocabulary later.
    case anyHistology
    case code(HistologyCode)
    case group(HistologyEntityGroup)

    public func matches(_ code: HistologyCode) -> Bool {
        switch self {
        case .anyHistology: true
        case .code(let selected): selected == code
        case .group(let group): group.members.contains(code)
        }
    }

    public var description: String {
        switch self {
        case .anyHistology: "any histology"
        case .code(let code): code.rawValue
        case .group(let group): group.description
        }
    }
}

/// The histologies an indication covers: any included selector matches and no excluded one does.
public struct HistologyCriterion: Hashable, Sendable, Codable {
    public let included: [HistologySelector]
    public let excluded: [HistologySelector]

    public init(included: [HistologySelector], excluded: [HistologySelector] = []) throws(EligibilityInputError) {
        guard !included.isEmpty else { throw .histologyCriterionWithoutInclusion }
        self.included = included
        self.excluded = excluded
    }
}

extension String {
    var replacingUnderscoresWithSpaces: String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
