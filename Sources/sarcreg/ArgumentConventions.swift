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
