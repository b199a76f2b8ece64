import ArgumentParser
import Foundation
import RegistryServices

extension Sarcreg {
    struct UserCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user",
            abstract: "Database users for coordinators, investigators, the sync and administrators.",
            subcommands: [Add.self])
    }
}

extension Sarcreg.UserCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a login for a person (administrators only).",
            discussion: """
                The password is asked for without echo on a terminal, or read from --password-file in a script; \
                only its SCRAM-SHA-256 verifier is sent to the server. A coordinator works on the patients of \
                the given sites only.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name: lower-case letters, digits and _.") var name: String
        @Option(help: "Group: \(RegistryRole.allowedValues).") var role: String
        @Option(
            name: .customLong("site"),
            help: "A site the user works for (repeat for several); required for coordinators.")
        var sites: [String] = []
        @Option(help: "File holding the password (a trailing newline is ignored).") var passwordFile: String?

        func validate() throws { _ = try group() }

        func run() throws {
            let role = try group()
            let password = try readPassword()
            let added = try UserAccountService(connection: database.connect())
                .add(UserAccountRequest(name: name, role: role, sites: sites, password: password))
            let scope = added.sites.isEmpty ? "" : " for \(added.sites.joined(separator: ", "))"
            say("Added \(name) as \(added.role.rawValue)\(scope).")
        }

        private func group() throws(CommandLineRefusal) -> RegistryRole {
            do {
                return try RegistryRole.parse(role)
            } catch {
                throw CommandLineRefusal(error)
            }
        }

        private func readPassword() throws -> String {
            guard let passwordFile else {
                return try Prompt.value(nil, option: "--password-file", question: "Password for \(name)", secret: true)
            }
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw ValidationError("--password-file '\(passwordFile)' cannot be read")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
    }
}
