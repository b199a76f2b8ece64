import Foundation
import Synchronization

/// The outcome of running the built `sarcreg` executable.
public struct CommandLineRun: Sendable {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String

    /// Runs `sarcreg` from the build folder of the test bundle with the given arguments and extra
    /// environment; standard input is empty and not a terminal, as under cron.
    public static func sarcreg(
        _ arguments: [String], environment: [String: String] = [:], input: String? = nil
    ) throws -> CommandLineRun {
        try program(executable, arguments, environment: environment, input: input)
    }

    /// Runs any program to its end, e.g. `/usr/bin/env` with `["python3", script]`, collecting both outputs.
    public static func program(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil
    ) throws -> CommandLineRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        // Terminal text is fitted to COLUMNS: the tests read it at the default width, whatever the shell says.
        merged["COLUMNS"] = nil
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes before waiting, so a large output cannot block the child.
        let collectedErr = Mutex<Data?>(nil)
        let errReader = Thread {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            collectedErr.withLock { $0 = data }
        }
        errReader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while collectedErr.withLock({ $0 == nil }) { usleep(1_000) }
        return CommandLineRun(
            exitCode: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: collectedErr.withLock { $0 ?? Data() }, as: UTF8.self))
    }

    /// `.build/<config>/sarcreg`, beside the test bundle.
    public static var executable: URL {
        var folder = Bundle.main.bundleURL
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        let candidate = folder.appendingPathComponent("sarcreg")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "sarcreg")
    }
}
