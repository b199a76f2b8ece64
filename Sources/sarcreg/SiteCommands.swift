import ArgumentParser
import RegistryServices

extension Site: TabularRow {
    static var columns: [String] { ["site", "name", "patients"] }
    var cells: [String] { [code, name, String(patientCount)] }
}

extension Sarcreg {
    struct SiteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "site", abstract: "Add and list participating sites.", subcommands: [Add.self, List.self])
    }
}

extension Sarcreg.SiteCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a site; its code prefixes its registry ids (MUC-0001).")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code: 2 to 10 letters or digits, starting with a letter; kept in upper case.", transform: SiteCode.typed)
        var code: String
        @Option(help: "Site name.") var name: String

        func run() throws {
            let site = try SiteService(connection: database.connect()).add(code: code, name: name)
            print("Added site \(site.code) (\(site.name)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sites with their patient counts.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            try Output.print(SiteService(connection: database.connect()).list(), as: output.format)
        }
    }
}
