/// A ClinicalTrials.gov identifier, `NCT` and eight digits: the one check every entry of a trial number
/// uses (a trial definition, a therapy line's trial, a report's or a response policy's trial), so they
/// cannot drift apart. The database's CHECK constraints (`*_nct_format`) hold the same form.
public enum NCTNumber {
    /// The identifier as stored, upper case without blanks, or a refusal naming the field and the value.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> String {
        let nct = text.trimmingWhitespace.uppercased()
        guard nct.utf8.count == 11, nct.hasPrefix("NCT"), nct.utf8.dropFirst(3).allSatisfy({ (48...57).contains($0) })
        else {
            throw .malformed(field: field, value: text, expected: "an NCT number such as NCT03016819")
        }
        return nct
    }
}
