import Foundation
import PostgresClient

/// Benchmarks print figures; they never pass or fail on time. Usage:
///   sarcreg-bench copy [rows]      COPY through the client layer vs psql's \copy, and round trips
///   sarcreg-bench recist [points]  RECIST engine throughput on one core
///   sarcreg-bench report [patients] response summary over a generated registry (10 measurements per patient)
///   sarcreg-bench alerts [patients] every site's worklist, the alert refresh and every site's alert list
let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "copy"
let count = arguments.dropFirst().first.flatMap { Int($0) }

do {
    switch command {
    case "copy":
        try CopyBenchmark(rows: count ?? 1_000_000).run()
    case "recist":
        print(RecistThroughput.run(timePoints: count ?? 1_000_000))
    case "report":
        try ReportBenchmark(patients: count ?? 100_000).run()
    case "alerts":
        try AlertsBenchmark(patients: count ?? 100_000).run()
    default:
        FileHandle.standardError.write(Data("unknown benchmark \(command); use copy, recist, report or alerts\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
