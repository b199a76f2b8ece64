import Foundation
import PostgresClient
import Testing
import TestSupport

/// The README's fenced blocks. A `sh` block is an example a newcomer types as written on the quick start's
/// registry; a `console` block sets up a machine or gives a synopsis and is not run.
struct ReadmeBlocks {
    struct Block {
        let language: String
        /// README line numbers (1-based) and their text.
        let lines: [(number: Int, text: String)]
    }

    let readmeLines: [Substring]
    let blocks: [Block]

    init(readme: String) {
        readmeLines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        var blocks: [Block] = []
        var open: (language: String, lines: [(Int, String)])?
        for (index, line) in readmeLines.enumerated() {
            if line.hasPrefix("```") {
                if let current = open {
                    blocks.append(Block(language: current.language, lines: current.lines))
                    open = nil
                } else {
                    open = (String(line.dropFirst(3)), [])
                }
            } else if open != nil {
                open!.lines.append((index + 1, String(line)))
            }
        }
        self.blocks = blocks
    }

    /// One bash script whose line N is README line N (other lines left blank), so a failure names the README line.
    var script: String {
        var lines = Array(repeating: "", count: readmeLines.count)
        for block in blocks where block.language == "sh" {
            for (number, text) in block.lines { lines[number - 1] = text }
        }
        // README line 1 is the title, never in a block: the script's preamble takes its place.
        lines[0] = #"set -eEuo pipefail; trap 'echo "README line $LINENO failed (exit $?): $BASH_COMMAND" >&2' ERR"#
        return lines.joined(separator: "\n") + "\n"
    }
}

@Suite("The README's examples run as written")
struct ReadmeExampleTests {
    static let root = TestDatabase.repositoryRoot
    static let readme = ReadmeBlocks(readme: try! String(contentsOfFile: root + "/README.md", encoding: .utf8))

    @Test(
        "Every sh block runs in order on the quick start's demo registry: BER-0001 enrolled, corrected and scored, BCN-0012 enrolled in the stratified MOTION trial"
    )
    func shBlocksRunOnTheQuickStartRegistry() throws {
        let shBlocks = Self.readme.blocks.filter { $0.language == "sh" }
        #expect(shBlocks.count >= 13, "the README's runnable examples went missing")

        let database = try TestDatabase.make()
        // The README adds the login `ana`; roles belong to the cluster, so a leftover of an earlier run goes first.
        let admin = try Connection(try TestDatabase.connectionString(database: "postgres"))
        try admin.execute("DROP ROLE IF EXISTS ana")

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch + "/home", withIntermediateDirectories: true)
        for folder in ["Trials", "Demo", "REDCap", "Scripts"] {
            try FileManager.default.createSymbolicLink(
                atPath: scratch + "/" + folder, withDestinationPath: Self.root + "/" + folder)
        }
        try Self.readme.script.write(toFile: scratch + "/readme.sh", atomically: true, encoding: .utf8)

        // What `eval "$(Scripts/pg-local.sh env)"` gives a shell after the quick start, and no MRN key yet.
        let path =
            CommandLineRun.executable.deletingLastPathComponent().path + ":"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let environment = [
            "DATABASE_URL": database.connectionString, "PATH": path, "HOME": scratch + "/home",
            "SARCREG_MRN_KEY_FILE": "", "SARCREG_MRN_KEY": "",
        ]
        let bash = URL(fileURLWithPath: "/bin/bash")
        let load = try CommandLineRun.program(
            bash, [Self.root + "/Scripts/demo/load-demo.sh"], environment: environment)
        try #require(load.exitCode == 0, "loading the demo as the quick start does: \(load.stderr)")
        #expect(load.stdout.contains("Run 2 of demo-redcap: 204 inserted, 0 updated, 0 unchanged, 0 quarantined"))

        let run = try CommandLineRun.program(
            bash, ["-c", #"cd "$1" && bash readme.sh"#, "readme", scratch], environment: environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        // Terminal text wraps at 100 columns: compare with the line breaks and indents read as spaces.
        let output = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(output.contains("Enrolled BER-0001 at BER."))
        #expect(output.contains("Enrolled BCN-0012 in NCT05059262 cohort part1"))
        #expect(output.contains("stratum tumor_location=lower_limb;region=non_us"))
        #expect(FileManager.default.fileExists(atPath: scratch + "/report.html"))
    }

    @Test(
        "A block not fenced sh or console holds no command: a sarcreg line in a json block, say, would be neither run nor marked a synopsis"
    )
    func everyCommandBlockIsShOrConsole() {
        for block in Self.readme.blocks where block.language != "sh" && block.language != "console" {
            for (number, text) in block.lines {
                #expect(
                    !text.hasPrefix("sarcreg ") && !text.hasPrefix("Scripts/"),
                    "README line \(number) is a command in a `\(block.language)` block")
            }
        }
        #expect(Self.readme.blocks.contains { $0.language == "console" })
    }
}
