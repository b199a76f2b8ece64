import ArgumentParser

extension SingleValueParsingStrategy {
    /// For options that take a number: `--diameter -5` reads `-5` as the value, so the registry refuses it
    /// in its own words ("negative") instead of ArgumentParser calling `-5` an unknown option.
    static var number: Self { .unconditional }
}

/// Site codes as a person types them: `muc` is `MUC`, as registry ids are read whatever their case.
enum SiteCode {
    static func typed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).uppercased()
    }
}

/// A yes/no option of a correction (`--serious no`), where a flag could only turn the value on.
enum YesNo {
    static func parse(_ text: String) throws -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "yes", "true": return true
        case "no", "false": return false
        default: throw ValidationError("'\(text)' is not allowed; use yes or no")
        }
    }
}

/// What every correction names: the database, the patient, and the reason the audit trail keeps with the old
/// and new values.
struct CorrectionOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Registry id.") var registryID: String
    @Option(help: "Why the record is corrected (required; kept in the audit trail with the old and new values).")
    var reason: String?

    func validate() throws {
        if reason == nil {
            throw ValidationError("missing --reason (why the record is corrected; the audit trail keeps it)")
        }
    }
}
