import Foundation

// How a reader's typed values become the engine's lesion types. The command line and every import read
// them with these functions, so a value means the same wherever it was typed.

extension LesionID {
    /// Reads a lesion identifier in any case (`t1` is `T1`): a letter or digit, then up to 19 of A-Z, 0-9, `_`, `.`
    /// and `-`.
    public static func parse(_ text: String, field: Field) throws(RegistryInputError) -> LesionID {
        let label = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard label.range(of: "^[A-Z0-9][A-Z0-9_.-]{0,19}$", options: .regularExpression) != nil else {
            throw .malformed(field: field, value: text, expected: "a lesion identifier such as T1, NT2 or NEW1")
        }
        return LesionID(label)
    }
}

extension Evaluator {
    /// Reads a reader's name in any case: `investigator`, or an independent reader's name of letters, digits,
    /// `-` and `_`.
    public static func parse(_ text: String, field: Field = .evaluator) throws(RegistryInputError) -> Evaluator {
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard name.range(of: "^[a-z][a-z0-9_-]{0,39}$", options: .regularExpression) != nil else {
            throw .malformed(
                field: field, value: text, expected: "investigator or a reader's name of letters, digits, - and _")
        }
        return Evaluator(name)
    }
}

extension LesionClass {
    /// The classes a lesion may be chosen under at baseline, as a refusal lists them.
    public static let baselineAllowedValues =
        "target, non-target (a lesion first seen at a follow-up is reported there as a new lesion, NEW1=unequivocal)"

    /// Reads the class of a lesion chosen at baseline: `target` or `non-target` (`non_target`, `nontarget`).
    public static func parseBaseline(
        _ text: String, field: Field = .lesionClass
    ) throws(RegistryInputError) -> LesionClass {
        switch text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-") {
        case "target": return .target
        case "non-target", "nontarget": return .nonTarget
        default: throw .notAllowed(field: field, value: text, allowed: baselineAllowedValues)
        }
    }
}

extension Millimetres {
    /// Reads a recorded diameter (see ``init(recorded:)``), naming the field on failure; a negative value is read,
    /// and refused by the engine in its own words.
    public static func parseDiameter(_ text: String, field: Field) throws(RegistryInputError) -> Millimetres {
        guard let value = Millimetres(recorded: text.trimmingCharacters(in: .whitespaces)) else {
            throw .malformed(field: field, value: text, expected: "a diameter in mm, e.g. 32 or 4.95 (kept to 0.01 mm)")
        }
        return value
    }
}

/// A lesion's result as a reader reports it at a follow-up. The kind of value says which class the reader
/// reports the lesion under, so a class change reaches the engine and is refused there; only "not done"
/// follows the lesion's baseline class, which the stored series knows.
public enum ReportedFinding: Sendable, Hashable {
    case finding(LesionResult.Finding)
    case notDone

    /// The engine's finding; "not done" of a non-target lesion is "not evaluable".
    public func finding(baselineClass: LesionClass?) -> LesionResult.Finding {
        switch self {
        case .finding(let finding): finding
        case .notDone: baselineClass == .nonTarget ? .nonTarget(.notEvaluable) : .target(.notDone)
        }
    }

    /// Reads a typed result of `lesion`: a diameter in mm, or a word such as `disappeared`, `present`, `unequivocal`
    /// (any case, with `-`, `_` or spaces).
    public static func parse(_ text: String, lesion: LesionID) throws(RegistryInputError) -> ReportedFinding {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
        switch word {
        case "too-small", "too-small-to-measure": return .finding(.target(.tooSmallToMeasure))
        case "disappeared": return .finding(.target(.disappeared))
        case "not-done": return .notDone
        case "present": return .finding(.nonTarget(.present))
        case "absent": return .finding(.nonTarget(.absent))
        case "unequivocal-progression": return .finding(.nonTarget(.unequivocalProgression))
        case "not-evaluable": return .finding(.nonTarget(.notEvaluable))
        case "equivocal": return .finding(.new(.equivocal))
        case "unequivocal": return .finding(.new(.unequivocal))
        default:
            guard let value = Millimetres(text.trimmingCharacters(in: .whitespaces)) else {
                throw .malformed(
                    field: Field.result.item(lesion.description), value: text,
                    expected: "a diameter in mm (e.g. 25 or 4.95), too-small, disappeared or not-done for a target; "
                        + "present, absent, unequivocal-progression or not-evaluable for a non-target; "
                        + "equivocal or unequivocal for a new lesion")
            }
            return .finding(.target(.measured(value)))
        }
    }
}
