import ArgumentParser
import Foundation

/// How a read command prints: an aligned table for people, JSON or CSV for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table
}

/// A value printed as one row of a table or CSV.
protocol TabularRow {
    static var columns: [String] { get }
    var cells: [String] { get }
}

enum Output {
    /// Prints rows in the chosen format; JSON is the full Codable value, not just the table columns.
    static func print<Item: Encodable & TabularRow>(_ items: [Item], as format: OutputFormat) throws {
        switch format {
        case .table:
            Swift.print(TextTable(header: Item.columns).render(items.map(\.cells)), terminator: "")
        case .json:
            try printJSON(items)
        case .csv:
            Swift.print(csv(header: Item.columns, rows: items.map(\.cells)), terminator: "")
        }
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled, CRLF line ends.
    /// Cells a spreadsheet would run as a formula are escaped first (``spreadsheetSafe(_:)``).
    static func csv(header: [String], rows: [[String]]) -> String {
        func field(_ cell: String) -> String {
            let text = spreadsheetSafe(cell)
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// The cell with a leading `'` when a spreadsheet opening the CSV would run it as a formula: it starts
    /// with `=`, `+`, `-`, `@`, a tab or a carriage return (an adverse event term or a trial title typed as
    /// `=HYPERLINK(...)` would otherwise run on the reader's machine). A number such as `-12.5` is left
    /// as it is: it runs nothing and stays a number.
    static func spreadsheetSafe(_ cell: String) -> String {
        guard let first = cell.first, "=+-@\t\r".contains(first), Double(cell) == nil else { return cell }
        return "'" + cell
    }
}

extension Optional where Wrapped: CustomStringConvertible {
    /// The value's text, or empty for nil, for table and CSV cells.
    var cell: String { self?.description ?? "" }
}
