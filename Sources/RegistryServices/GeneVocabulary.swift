import PostgresClient
import RegistryDomain

/// The registry's gene list (`genes`, every human protein-coding gene) and the aliases and previous symbols
/// that name its genes (`gene_aliases`), loaded by migrations 0018 and 0032 from published releases.
enum GeneVocabulary {
    /// The approved symbol of `text`, matched in any case (`c1orf112` is `C1orf112`).
    ///
    /// An alias or previous symbol is refused with the approved symbols it stands for and what it is to each
    /// (`INI1`: `SMARCB1`, its alias; `MLL2`: `KMT2D`, its previous symbol), so that results are stored and
    /// matched under one name.
    static func approvedSymbol(_ text: String, field: Field, on connection: Connection) throws -> String {
        let symbol = try connection.query("SELECT approved_gene_symbol(\(text)) AS symbol")[0].decode(
            String?.self, "symbol")
        if let symbol { return symbol }
        let candidates = try connection.query("SELECT symbol, kind FROM gene_alias_matches(\(text))").map { row in
            let kind = try row.decode(String.self, "kind")
            guard let nameKind = GeneNameKind(rawValue: kind) else {
                throw RegistryError.database(
                    PostgresError(
                        kind: .client, message: "gene_aliases: kind '\(kind)' is not in the registry's vocabulary"))
            }
            return GeneSuggestion(symbol: try row.decode(String.self, "symbol"), kind: nameKind)
        }
        guard candidates.isEmpty else { throw RegistryError.geneAlias(field: field, given: text, symbols: candidates) }
        throw RegistryError.unknownGene(field: field, symbol: text)
    }
}
