import ArgumentParser
import Foundation
import RegistryServices

extension Site: TabularRow {
    static var columns: [String] { ["site", "name", "patients"] }
    var cells: [String] { [code, name, String(patientCount)] }
}

extension Sarcreg {
    struct SiteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "site", abstract: "Add and list participating sites; set their default assessment schedule.",
            subcommands: [Add.self, List.self, Schedule.self])
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
            say("Added site \(site.code) (\(site.name)).")
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

    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the site's default assessment schedule, followed outside trials.",
            discussion: """
                With --file, sets it from a JSON file shaped as a trial definition's "schedule" (see README, Worklist and \
                alerts), e.g. {"imaging": [{"every": {"weeks": 12}, "windowDays": 14}], "survival": [{"every": \
                {"months": 3}, "windowDays": 14}]}; a refused file writes nothing. Without --file, prints the stored one.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Site code, e.g. MUC.", transform: SiteCode.typed) var site: String
        @Option(help: "Schedule file (JSON) to set.") var file: String?

        func run() throws {
            let sites = SiteService(connection: try database.connect())
            guard let file else {
                print(try sites.schedule(site: site) ?? "Site \(site) has no default schedule.")
                return
            }
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("--file '\(file)' cannot be read: \(error.localizedDescription)")
            }
            let schedules = try sites.setSchedule(site: site, document: data)
            let kinds = [schedules.imaging.map { _ in "imaging" }, schedules.survival.map { _ in "survival" }].compactMap { $0 }
            say("Set the default schedule of site \(site): \(kinds.joined(separator: " and ")).")
        }
    }
}
