/// The kind of molecular alteration, in the vocabulary shared with the registry schema.
public enum MolecularAlterationKind: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case fusion
    case amplification
    case mutation
    case deletion
    case lossOfExpression = "loss_of_expression"
    case overexpression
    case rearrangement

    public var description: String { rawValue.replacingUnderscoresWithSpaces }

    /// Whether a finding of this kind answers a criterion asking for `required`.
    ///
    /// A gene fusion is a rearrangement, so an "ALK rearrangement" criterion is met by a reported
    /// TPM3-ALK fusion; the converse does not hold, because a rearrangement found by break-apart
    /// FISH does not name a fusion partner.
    public func satisfies(_ required: MolecularAlterationKind) -> Bool {
        self == required || (self == .fusion && required == .rearrangement)
    }
}

/// How the registry writes a gene fusion everywhere: 5' gene first, joined by a double colon
/// (`ETV6::NTRK3`), the HGNC notation. A result's or criterion's partner gene is the 5' gene.
public enum FusionNotation {
    public static func write(gene: String, partnerGene: String?) -> String {
        partnerGene.map { "\($0)::\(gene)" } ?? gene
    }
}

/// One gene alteration a criterion asks about, as stored in `therapy_indication_biomarkers`.
public struct BiomarkerSpecification: Hashable, Sendable, Codable, CustomStringConvertible {
    public let gene: String
    public let kind: MolecularAlterationKind
    /// For fusions: the partner that must be involved; `nil` accepts any partner.
    public let partnerGene: String?
    /// Only mutations flagged as known acquired resistance mutations count.
    public let acquiredResistanceOnly: Bool

    public init(
        gene: String, kind: MolecularAlterationKind, partnerGene: String? = nil, acquiredResistanceOnly: Bool = false
    ) {
        self.gene = gene.uppercased()
        self.kind = kind
        self.partnerGene = partnerGene?.uppercased()
        self.acquiredResistanceOnly = acquiredResistanceOnly
    }

    public var description: String {
        let subject = FusionNotation.write(gene: gene, partnerGene: partnerGene)
        return acquiredResistanceOnly ? "\(subject) acquired resistance \(kind)" : "\(subject) \(kind)"
    }
}

/// A molecular criterion: any one of the alternatives satisfies it (NTRK1, NTRK2 or NTRK3 fusion).
public struct BiomarkerCriterion: Hashable, Sendable, Codable {
    /// The name a coordinator reads in results, e.g. "NTRK fusion".
    public let label: String
    public let alternatives: [BiomarkerSpecification]

    public init(label: String, alternatives: [BiomarkerSpecification]) throws(EligibilityInputError) {
        guard !alternatives.isEmpty else { throw .biomarkerCriterionWithoutAlternatives(label: label) }
        guard alternatives.allSatisfy({ !$0.gene.isEmpty }) else { throw .blankGene(criterion: label) }
        self.label = label
        self.alternatives = alternatives
    }
}
