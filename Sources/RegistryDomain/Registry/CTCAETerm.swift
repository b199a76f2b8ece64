/// How an adverse event names what happened: a CTCAE v5.0 term from the registry's vocabulary (migration 0028,
/// built from the NCI's published list), spelled as CTCAE spells it, with its MedDRA code. Free text is kept
/// only beside a "<SOC> - Other, specify" term, the one way CTCAE records an event it has no term for.
public enum CTCAETerm {
    /// The version the registry's vocabulary holds.
    public static let version = "5.0"
    static let otherSpecifySuffix = " - Other, specify"

    /// Whether `term` is a SOC's "Other, specify" term, which needs the text that specifies the event.
    public static func isOtherSpecify(_ term: String) -> Bool {
        term.lowercased().hasSuffix(otherSpecifySuffix.lowercased())
    }

    /// The text an "Other, specify" term keeps, trimmed: required with such a term and refused with any other
    /// (a term of its own needs no text, and text beside it would be a second, unchecked name for the event).
    public static func specified(
        _ text: String?, for term: String, specifyField: Field
    ) throws(RegistryInputError) -> String? {
        let trimmed = text?.trimmingWhitespace
        let given = trimmed.flatMap { $0.isEmpty ? nil : $0 }
        if isOtherSpecify(term) {
            guard let given else { throw .otherSpecifyWithoutText(field: specifyField, term: term) }
            return given
        }
        if let given { throw .textWithoutOtherSpecify(field: specifyField, value: given, term: term) }
        return nil
    }

    /// The reason an import gives for a term the vocabulary does not hold, before its did-you-mean.
    public static let unknownReason =
        "not a CTCAE v\(version) term; an event CTCAE has no term for is recorded as '<SOC> - Other, specify' with the text that specifies it"
}
