import Foundation

/// A CSV table of reference values written by a script in `Scripts/reference/`, read from
/// `Tests/RegistryDomainTests/Fixtures/` next to this file. The scripts write plain
/// comma-separated numbers and identifiers only, so no quoting rules are needed.
struct ReferenceTable {
    let rows: [[String: String]]

    init(fixture name: String, filePath: String = #filePath) throws {
        let fixtures = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
            .appendingPathComponent(name)
        let lines = try String(contentsOf: fixtures, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
        let header =
            lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        rows = lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
    }
}

extension [String: String] {
    /// The cell as a number; an empty cell (a value the reference could not estimate) is `nil`.
    func number(_ column: String) -> Double? {
        self[column].flatMap { $0.isEmpty ? nil : Double($0) }
    }
}
