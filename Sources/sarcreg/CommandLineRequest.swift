import ArgumentParser
import RegistryDomain

/// A value typed on the command line that the registry's rules refuse, found while the command validates its
/// options, before it connects or asks for a password: the domain's message, with each field named as its flag.
///
/// It is not ArgumentParser's `ValidationError` on purpose. A value the registry refuses (an unknown CTCAE
/// term, a 31 February) has exited with status 1 and one line since the first release, and scripts tell it
/// from wrong usage (an unknown option, a missing value: ArgumentParser's own refusal, status 64) by that.
struct CommandLineRefusal: Error, CustomStringConvertible {
    let description: String

    init(_ refusal: some WordedMessage) {
        description = refusal.message(.commandLine)
    }

    /// Builds a service's typed request from option text with the domain's parsers, so the command line reads
    /// a value exactly as an import does. A command calls it from `validate()`, to refuse a value before any
    /// database work, and again from `run()` for the request it sends; parsing is pure and cheap.
    static func parsing<Request>(
        _ build: () throws(RegistryInputError) -> Request
    ) throws(CommandLineRefusal) -> Request {
        do {
            return try build()
        } catch {
            throw CommandLineRefusal(error)
        }
    }
}
