/// The extent of disease at evaluation, in the vocabulary of `therapy_indications.disease_settings`.
public enum DiseaseSetting: String, CaseIterable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible
{
    case localized
    case locallyAdvancedUnresectable = "locally_advanced_unresectable"
    case metastatic

    public var description: String { rawValue.replacingUnderscoresWithSpaces }

    public static func < (lhs: DiseaseSetting, rhs: DiseaseSetting) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
