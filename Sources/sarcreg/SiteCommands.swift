import ArgumentParser
import Foundation
import RegistryServices
import Synchronization

extension Site: TabularRow {
    static var columns: [String] { ["site", "name", "patients"] }
    var cells: [String] { [code, name, String(patientCount)] }
}

extension Sarcreg {
    struct SiteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "site", abstract: "Add and list participating sites; set their default assessment schedule.",
            subcommands: [Add.self, List.self, Schedule.self, Reports.self])
    }
}

extension Sarcreg.SiteCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a site; its code prefixes its registry ids (MUC-0001).")

        @OptionGroup var database: DatabaseOptions
        @Option(
            help: "Site code: 2 to 10 letters or digits, starting with a letter; kept in upper case.",
            transform: SiteCode.typed)
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
            let kinds = [schedules.imaging.map { _ in "imaging" }, schedules.survival.map { _ in "survival" }]
                .compactMap { $0 }
            say("Set the default schedule of site \(site): \(kinds.joined(separator: " and ")).")
        }
    }

    struct Reports: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every site's morning report, its worklist and its alerts, to one file per site.",
            discussion: """
                Writes DIRECTORY/SITE.txt for every site: the worklist as `sarcreg worklist --site SITE` prints it, a \
                blank line, and the alerts not dismissed as `sarcreg alerts --site SITE` prints them. The worklists of \
                all sites are read in one pass over the registry; each file replaces the last one whole. The nightly \
                sync runs it after the alerts refresh, with the sync or administrator login. Patients no schedule \
                applies to are listed as excluded in their site's worklist and the exit status is 3. The files are mode \
                0600.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Folder to write the reports to; created if missing.") var directory: String
        @OptionGroup var asOf: AsOfOption

        func run() throws {
            let connection = try database.connect()
            let worklists = try WorklistService(connection: connection).worklists(asOf: asOf.date())
            let alerts = Dictionary(grouping: try EligibilityAlertService(connection: connection).alerts(), by: \.site)
            let folder = URL(fileURLWithPath: directory, isDirectory: true)
            // The reports name patients: a folder this command creates is its login's alone.
            do {
                try FileManager.default.createDirectory(
                    at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ValidationError("cannot create --directory \(folder.path): \(error.localizedDescription)")
            }
            // Each site's file is rendered and written on its own, on every core: the tables of a large registry's
            // sites took as long as reading them.
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: worklists.count) { index in
                let report = worklists[index]
                let file = folder.appendingPathComponent("\(report.site).txt")
                let text =
                    WorklistLine.table(report) + "\n" + AlertLine.table(alerts[report.site] ?? [], site: report.site)
                // Each file is readable by its owner only, whatever the umask.
                do {
                    try Data(text.utf8).write(to: file, options: .atomic)
                    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
                } catch {
                    failures.withLock {
                        $0.append("cannot write --directory \(file.path): \(error.localizedDescription)")
                    }
                }
            }
            if let failure = failures.withLock({ $0.sorted().first }) { throw ValidationError(failure) }
            let excluded = worklists.reduce(0) { $0 + $1.excluded.count }
            print("site reports: \(worklists.count) written to \(folder.path)")
            if let left = RecordsExcluded([(excluded, "patient", "patients")]) { throw left }
        }
    }
}
