import PostgresClient

/// The registry's gene list (`genes`, every human protein-coding gene) and the aliases and previous symbols
/// that name its genes (`gene_aliases`), loaded by migration 0018 from a published release.
enum GeneVocabulary {
    /// The approved symbol of `text`, matched in any case (`c1orf112` is `C1orf112`).
    ///
    /// An alias or previous symbol is refused with the approved symbols it stands for (`INI1`: `SMARCB1`),
    /// so that results are stored and matched under one name.
    static func approvedSymbol(_ text: String, field: String, on connection: Connection) throws -> String {
        let row = try connection.query(
            "SELECT approved_gene_symbol(\(text)) AS symbol, coalesce(gene_alias_symbols(\(text)), '{}') AS candidates")[0]
        if let symbol = try row.decode(String?.self, "symbol") { return symbol }
        let candidates = try row.decode([String].self, "candidates")
        guard candidates.isEmpty else { throw RegistryError.geneAlias(field: field, given: text, symbols: candidates) }
        throw RegistryError.unknownGene(field: field, symbol: text)
    }
}
