import Foundation

/// A report's biomarker filter, `GENE` or `GENE:kind` (`NTRK3:fusion`): a positive molecular result of the gene,
/// of that kind when one is given. The gene is as submitted, in upper case; the registry's gene vocabulary, which
/// lives in the database, says whether it is an approved symbol.
public struct BiomarkerFilter: Hashable, Sendable {
    public let gene: String
    public let kind: MolecularAlterationKind?

    public init(gene: String, kind: MolecularAlterationKind? = nil) {
        self.gene = gene
        self.kind = kind
    }

    /// Reads `GENE` or `GENE:kind`, or fails naming the field and the value.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> BiomarkerFilter {
        let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let symbol = parts.first?.uppercased(), !symbol.isEmpty else {
            throw .malformed(field: field, value: text, expected: "GENE or GENE:kind, e.g. NTRK3:fusion")
        }
        guard parts.count == 2 else { return BiomarkerFilter(gene: symbol) }
        return BiomarkerFilter(
            gene: symbol, kind: try MolecularAlterationKind.parse(parts[1], field: field.item("kind")))
    }
}
