import PostgresClient
import RegistryDomain

/// The registry's CTCAE terms (`ctcae_terms`, loaded by migration 0028 from the NCI's published v5.0 list).
enum CTCAEVocabulary {
    /// A submitted term as CTCAE spells it, with its MedDRA code and the text an "Other, specify" term keeps.
    struct Named: Sendable, Hashable {
        let term: String
        let meddraCode: Int
        let specified: String?
    }

    /// The term `text` names in any case (`nausea` is `Nausea`) and the text that specifies it
    /// (``CTCAETerm/specified(_:for:specifyField:)``); an unknown term is refused with the closest term.
    static func named(
        _ text: String, specified: String?, termField: Field, specifyField: Field, on connection: Connection
    ) throws -> Named {
        let row = try connection.query(
            "SELECT t.term, t.meddra_code FROM ctcae_terms t WHERE t.meddra_code = ctcae_term_code(\(text))"
        ).first
        guard let row else {
            throw RegistryError.unknownCTCAETerm(
                field: termField, term: text,
                didYouMean: SpellingSuggestion.closest(to: text, among: try terms(on: connection)))
        }
        let term = try row.decode(String.self, "term")
        let specifiedText = try validating { () throws(RegistryInputError) in
            try CTCAETerm.specified(specified, for: term, specifyField: specifyField)
        }
        return Named(term: term, meddraCode: try row.decode(Int.self, "meddra_code"), specified: specifiedText)
    }

    /// Every term, for "did you mean".
    static func terms(on connection: Connection) throws -> [String] {
        try connection.query("SELECT term FROM ctcae_terms").map { try $0.decode(String.self, "term") }
    }
}
