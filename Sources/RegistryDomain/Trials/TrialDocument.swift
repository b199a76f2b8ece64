/// A trial definition file as parsed JSON, before validation.
///
/// Kept as a tree rather than decoded into fixed types so that every refusal can name the field by its
/// path (`cohorts[1].capacity`) together with the value found there.
public indirect enum DefinitionValue: Hashable, Sendable, Decodable, CustomStringConvertible {
    case object([String: DefinitionValue])
    case array([DefinitionValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([DefinitionValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: DefinitionValue].self))
        }
    }

    public var description: String {
        switch self {
        case .object: "{…}"
        case .array: "[…]"
        case .string(let text): text
        case .number(let number):
            number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): String(flag)
        case .null: "null"
        }
    }
}

/// The registry's vocabulary a definition is checked against, loaded by the services layer.
public struct TrialVocabulary: Sendable {
    public let histologyCodes: Set<HistologyCode>
    /// Entity groups by code; the universal group (`any`) maps to ``HistologySelector/anyHistology``.
    public let histologyGroups: [String: HistologySelector]
    public let genes: Set<String>
    public let agents: Set<String>
    public let drugClasses: Set<String>

    public init(
        histologyCodes: Set<HistologyCode>, histologyGroups: [String: HistologySelector], genes: Set<String>,
        agents: Set<String>, drugClasses: Set<String>
    ) {
        self.histologyCodes = histologyCodes
        self.histologyGroups = histologyGroups
        self.genes = genes
        self.agents = agents
        self.drugClasses = drugClasses
    }
}

/// One object of the definition with its path, for reading fields with errors that name them.
struct DefinitionObject {
    let fields: [String: DefinitionValue]
    let path: String

    init(_ value: DefinitionValue, path: String, allowed: [String]) throws(RegistryInputError) {
        guard case .object(let fields) = value else {
            throw .malformed(
                field: Field(path: path.isEmpty ? "definition" : path), value: value.description, expected: "an object")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .notAllowed(
                field: Field(path: Self.join(path, unknown)), value: fields[unknown]!.description,
                allowed: "fields " + allowed.joined(separator: ", "))
        }
        self.fields = fields
        self.path = path
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func field(_ key: String) -> Field { Field(path: Self.join(path, key)) }

    func has(_ key: String) -> Bool {
        if let value = fields[key], value != .null { return true }
        return false
    }

    func string(_ key: String) throws(RegistryInputError) -> String {
        guard let text = try optionalString(key) else { throw .missing(field: field(key)) }
        return text
    }

    func optionalString(_ key: String) throws(RegistryInputError) -> String? {
        switch fields[key] {
        case nil, .null: return nil
        case .string(let text):
            let trimmed = text.trimmingWhitespace
            guard !trimmed.isEmpty else { throw .missing(field: field(key)) }
            return trimmed
        case let other?: throw .malformed(field: field(key), value: other.description, expected: "text")
        }
    }

    func code(_ key: String) throws(RegistryInputError) -> String {
        let text = try string(key)
        try Self.checkCode(text, field: field(key))
        return text
    }

    static func checkCode(_ text: String, field: Field) throws(RegistryInputError) {
        let bytes = Array(text.utf8)
        let valid =
            (1...40).contains(bytes.count) && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_")
            }
        guard valid else {
            throw .malformed(
                field: field, value: text,
                expected: "a code of lower-case letters, digits and _ starting with a letter, e.g. lower_limb")
        }
    }

    func integer(_ key: String, range: ClosedRange<Int>) throws(RegistryInputError) -> Int {
        guard let value = try optionalInteger(key, range: range) else { throw .missing(field: field(key)) }
        return value
    }

    func optionalInteger(_ key: String, range: ClosedRange<Int>) throws(RegistryInputError) -> Int? {
        switch fields[key] {
        case nil, .null: return nil
        case .number(let number) where number == number.rounded() && abs(number) < 1e15:
            let value = Int(number)
            guard range.contains(value) else {
                throw .outOfRange(
                    field: field(key), value: String(value), range: "\(range.lowerBound) to \(range.upperBound)")
            }
            return value
        case let other?: throw .malformed(field: field(key), value: other.description, expected: "a whole number")
        }
    }

    func optionalBool(_ key: String) throws(RegistryInputError) -> Bool? {
        switch fields[key] {
        case nil, .null: return nil
        case .bool(let flag): return flag
        case let other?: throw .malformed(field: field(key), value: other.description, expected: "true or false")
        }
    }

    /// The elements of an array field with their paths; a missing field is an empty array.
    func array(_ key: String) throws(RegistryInputError) -> [(value: DefinitionValue, path: String)] {
        switch fields[key] {
        case nil, .null: return []
        case .array(let items):
            return items.enumerated().map { (value: $0.element, path: "\(field(key))[\($0.offset)]") }
        case let other?: throw .malformed(field: field(key), value: other.description, expected: "a list")
        }
    }

    func strings(_ key: String) throws(RegistryInputError) -> [(text: String, path: String)] {
        try array(key).map { item throws(RegistryInputError) in
            guard case .string(let text) = item.value, !text.trimmingWhitespace.isEmpty else {
                throw .malformed(field: Field(path: item.path), value: item.value.description, expected: "text")
            }
            return (text: text.trimmingWhitespace, path: item.path)
        }
    }

    func object(_ key: String, allowed: [String]) throws(RegistryInputError) -> DefinitionObject? {
        guard let value = fields[key], value != .null else { return nil }
        return try DefinitionObject(value, path: Self.join(path, key), allowed: allowed)
    }
}
