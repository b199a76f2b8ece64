/// A closed list of values a coordinator picks from; the raw value is what the database stores and
/// what the command line accepts.
public protocol RegistryVocabulary: RawRepresentable, CaseIterable, Hashable, Sendable, Codable
where RawValue == String {}

extension RegistryVocabulary {
    /// The accepted spellings, for prompts and error messages: `female, male, other, unknown`.
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a submitted value, or fails naming the field, the value and what is allowed.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> Self {
        let normalized = text.trimmingWhitespace.lowercased().replacingSpacesAndHyphensWithUnderscores
        guard let value = Self(rawValue: normalized) else {
            throw .notAllowed(field: field, value: text, allowed: allowedValues)
        }
        return value
    }
}

public enum Sex: String, RegistryVocabulary {
    case female, male, other, unknown
}

public enum VitalStatus: String, RegistryVocabulary {
    case alive, dead, unknown
}

public enum ICDOVersion: String, RegistryVocabulary {
    case v3_0 = "3.0"
    case v3_1 = "3.1"
    case v3_2 = "3.2"
}

public enum MolecularMethod: String, RegistryVocabulary, CustomStringConvertible {
    case ngsDNA = "ngs_dna"
    case ngsRNA = "ngs_rna"
    case fish, ihc, pcr

    /// As a pathology report names the method: `DNA NGS`, `FISH`, `IHC`.
    public var description: String {
        switch self {
        case .ngsDNA: "DNA NGS"
        case .ngsRNA: "RNA NGS"
        case .fish: "FISH"
        case .ihc: "IHC"
        case .pcr: "PCR"
        }
    }
}

public enum TherapyIntent: String, RegistryVocabulary {
    case neoadjuvant, adjuvant, curative, palliative, maintenance
    /// The source did not say: most EDC exports carry no intent, and guessing one would be invented data.
    case notRecorded = "not_recorded"
}

public enum StopReason: String, RegistryVocabulary {
    case progression, toxicity, completed
    case patientChoice = "patient_choice"
    case death, other
}

/// How likely an adverse event is caused by the therapy, as CTCAE reporting grades it.
public enum Attribution: String, RegistryVocabulary {
    case unrelated, unlikely, possible, probable, definite
}

public enum CTCAEVersion: String, RegistryVocabulary {
    case v4_0 = "4.0"
    case v4_03 = "4.03"
    case v5_0 = "5.0"
    case v6_0 = "6.0"
}

extension DiseaseSetting: RegistryVocabulary {}
extension MolecularAlterationKind: RegistryVocabulary {}
extension PatientProfile.TestResult: RegistryVocabulary {}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    var replacingSpacesAndHyphensWithUnderscores: String {
        String(map { $0 == " " || $0 == "-" ? "_" : $0 })
    }
}

/// What a name that is not an approved HGNC symbol is to the gene it names, in the vocabulary of
/// `gene_aliases.kind`: an alias (INI1 for SMARCB1) or an earlier approved symbol (MLL2 for KMT2D).
public enum GeneNameKind: String, RegistryVocabulary, CustomStringConvertible {
    case alias
    case previousSymbol = "previous_symbol"

    /// As the suggestion says it: "INI1 is its alias", "MLL2 is its previous symbol".
    public var description: String { rawValue.replacingUnderscoresWithSpaces }
}

/// An approved symbol offered for a name that is not one, with what the name is to it.
public struct GeneSuggestion: Hashable, Sendable, Codable {
    public let symbol: String
    public let kind: GeneNameKind

    public init(symbol: String, kind: GeneNameKind) {
        self.symbol = symbol
        self.kind = kind
    }

    /// "SMARCB1 (INI1 is its alias)".
    public func offered(for given: String) -> String { "\(symbol) (\(given) is its \(kind))" }
}

/// How a lesion was imaged or examined at baseline; the same method should follow it throughout.
public enum ImagingMethod: String, RegistryVocabulary {
    case ct, mri
    case petCT = "pet_ct"
    case xRay = "x_ray"
    case ultrasound
    /// Calipers at clinical examination.
    case clinical
}
