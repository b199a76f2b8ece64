/// A value handed to the eligibility matcher that cannot be interpreted.
///
/// Raised when catalog rows or a patient profile are built, so that the matcher itself never
/// has to guess what a malformed code or date meant.
public enum EligibilityInputError: Error, Hashable, Sendable, CustomStringConvertible {
    case malformedHistologyCode(String)
    case negativeAge(Int)
    case negativePriorLineCount(Int)
    case histologyCriterionWithoutInclusion
    case biomarkerCriterionWithoutAlternatives(label: String)
    case blankGene(criterion: String)

    public var description: String {
        switch self {
        case .malformedHistologyCode(let text):
            "ICD-O-3 histology code \"\(text)\" is malformed: expected four digits, a slash and the behaviour "
                + "digit, e.g. 8890/3"
        case .negativeAge(let age):
            "patient age \(age) is negative; record the age in completed years at the evaluation date"
        case .negativePriorLineCount(let count):
            "prior therapy line count \(count) is negative; record the number of prior systemic lines"
        case .histologyCriterionWithoutInclusion:
            "histology criterion includes no code or group; use 'any histology' for tumour-agnostic indications"
        case .biomarkerCriterionWithoutAlternatives(let label):
            "biomarker criterion \"\(label)\" lists no gene alteration"
        case .blankGene(let criterion):
            "biomarker criterion \"\(criterion)\" has a blank gene symbol"
        }
    }
}
