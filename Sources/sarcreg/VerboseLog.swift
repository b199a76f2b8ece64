import Foundation
import Logging

/// The `--verbose` log on stderr: every event down to trace, which is where PostgresClient logs each
/// statement's SQL as sent (with `$1`-style placeholders; bound values, such as an MRN's hash or a password
/// verifier, are never in it). Each line carries the milliseconds since the log was opened, just before
/// connecting, so the first statement's stamp is the connection's cost and the gap between two statements what
/// the first one cost.
struct VerboseLogHandler: LogHandler {
    private static let started = ContinuousClock.now

    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    init() { _ = Self.started }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let elapsed = ContinuousClock.now - Self.started
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
            .sorted { $0.key < $1.key }
            .map { " \($0.key)=\($0.value)" }
            .joined()
        let line = String(format: "%10.3f ms ", milliseconds) + "\(event.level) \(event.message)\(fields)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
