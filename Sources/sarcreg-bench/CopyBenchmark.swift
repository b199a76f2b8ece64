import Foundation
import PostgresClient

/// Loads the same generated CSV with psql's `\copy` and with `Connection.copyIn`, alternating, three
/// rounds each, into the same table (truncated between loads), and reports the medians and their ratio.
/// Then times 1,000 trivial parameterized queries and reports the median round trip.
struct CopyBenchmark {
    let rows: Int
    let connectionString = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""

    func run() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sarcreg-bench-\(getpid()).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let bytes = try generate(to: file)
        print("generated \(rows) rows (\(bytes / 1_048_576) MiB) in \(file)")

        let connection = try Connection(connectionString)
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS bench_measurements (
                subject text NOT NULL, lesion text NOT NULL, visit integer NOT NULL,
                assessed_on date NOT NULL, diameter_mm numeric(6,1), note text)
            """)
        let columns = ["subject", "lesion", "visit", "assessed_on", "diameter_mm", "note"]
        var psqlTimes: [Double] = []
        var clientTimes: [Double] = []
        for _ in 0..<3 {
            try connection.execute("TRUNCATE bench_measurements")
            psqlTimes.append(try time { try psqlCopy(file: file) })
            try connection.execute("TRUNCATE bench_measurements")
            var loaded = 0
            clientTimes.append(
                try time {
                    loaded = try connection.copyIn(table: "bench_measurements", columns: columns, fromFile: file)
                })
            guard loaded == rows else { throw BenchmarkError("client COPY loaded \(loaded) rows, expected \(rows)") }
        }
        try connection.execute("DROP TABLE bench_measurements")
        let psql = median(psqlTimes), client = median(clientTimes)
        print(
            String(
                format: "psql \\copy:          median %.3f s of 3 (%@)", psql,
                psqlTimes.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        print(
            String(
                format: "Connection.copyIn:   median %.3f s of 3 (%@)", client,
                clientTimes.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        print(String(format: "ratio copyIn / psql: %.3f (goal <= 1.1)", client / psql))
        // psql's figure includes starting psql and connecting; measured here so the ratio can be read fairly.
        let startup = median(
            try (0..<3).map { _ in try time { try runPsql(["-c", "SELECT 1"], on: connectionString) } })
        print(String(format: "psql start-up and connect alone: median %.3f s (included in the psql figure)", startup))

        var roundTrips: [Double] = []
        for index in 0..<1_000 {
            roundTrips.append(try time { _ = try connection.query("SELECT \(index)::integer + 1 AS value") })
        }
        print(
            String(format: "parameterized round trip: median %.1f us over 1000 calls", median(roundTrips) * 1_000_000))
    }

    private func generate(to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchmarkError("cannot create \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw BenchmarkError("cannot write \(path)") }
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        var buffer = ""
        var total = 0
        for index in 0..<rows {
            let diameter = Double(Int.random(in: 0...2500, using: &generator)) / 10
            let note = index % 7 == 0 ? "\"re-read, \"\"split\"\" lesion\"" : ""
            buffer +=
                "STS-\(index / 20),T\(index % 5 + 1),\(index % 20),2024-\(String(format: "%02d", index % 12 + 1))-15,\(diameter),\(note)\n"
            if buffer.utf8.count > 1 << 20 {
                total += buffer.utf8.count
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        total += buffer.utf8.count
        handle.write(Data(buffer.utf8))
        return total
    }

    private func psqlCopy(file: String) throws {
        try runPsql(
            [
                "-c",
                "\\copy bench_measurements (subject, lesion, visit, assessed_on, diameter_mm, note) FROM '\(file)' (FORMAT csv)",
            ], on: connectionString)
    }
}

/// Runs psql with `arguments` against `connectionString` (the environment's database when empty), output discarded.
func runPsql(_ arguments: [String], on connectionString: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let target = connectionString.isEmpty ? [] : ["-d", connectionString]
    process.arguments = ["psql", "-X", "-q", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1"] + target + arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchmarkError("psql exited \(process.terminationStatus)") }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
