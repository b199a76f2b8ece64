import Foundation

/// Renders rows as an aligned plain-text table for the terminal, at most `width` columns wide: when the
/// cells do not fit, the widest columns are narrowed and their cells wrapped at spaces onto more lines, so
/// nothing is cut off (JSON and CSV keep every value on one line).
struct TextTable {
    let header: [String]
    var width: Int = TextTable.outputWidth

    /// `COLUMNS` when set (as shells export it), else 100: the width a report pasted into an e-mail or a
    /// ticket still reads at.
    static var outputWidth: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 40 {
            return columns
        }
        return 100
    }

    func render(_ rows: [[String]]) -> String {
        // Each cell is measured once; a worklist of a large site is tens of thousands of rows.
        let measured = ([header] + rows).map { $0.map(Self.measure) }
        var natural = [Int](repeating: 0, count: header.count)
        // A column is never narrower than its longest word: a date, a code or a name is never cut.
        var longestWord = natural
        for row in measured {
            for (index, size) in row.enumerated() where index < natural.count {
                natural[index] = max(natural[index], size.width)
                longestWord[index] = max(longestWord[index], size.longestWord)
            }
        }
        guard let widths = fitted(natural, floors: longestWord) else { return expanded(rows) }
        var text = ""
        func append(_ cells: [String], _ sizes: [(width: Int, longestWord: Int)]) {
            // Most rows fit on one line: their cells are padded as they are, with no wrapping.
            if cells.indices.allSatisfy({ $0 >= widths.count || sizes[$0].width <= widths[$0] }) {
                var line = ""
                for (index, cell) in cells.enumerated() {
                    line += cell
                    if index < cells.count - 1 { line += Self.spaces(widths[index] - sizes[index].width + 2) }
                }
                text += line.trimmingTrailingSpaces() + "\n"
                return
            }
            let wrapped = cells.enumerated().map { index, cell in
                index < widths.count ? Self.wrap(cell, to: widths[index]) : [cell]
            }
            let height = wrapped.map(\.count).max() ?? 1
            for row in 0..<height {
                var line = ""
                for (index, cellLines) in wrapped.enumerated() {
                    let part = row < cellLines.count ? cellLines[row] : ""
                    line += part
                    if index < wrapped.count - 1 { line += Self.spaces(widths[index] - part.count + 2) }
                }
                text += line.trimmingTrailingSpaces() + "\n"
            }
        }
        append(header, measured[0])
        let rules = widths.map { String(repeating: "-", count: $0) }
        append(rules, rules.map(Self.measure))
        for (row, sizes) in zip(rows, measured.dropFirst()) { append(row, sizes) }
        return text
    }

    /// A cell's width in characters and its longest word's, counted on the bytes when the text is ASCII.
    private static func measure(_ cell: String) -> (width: Int, longestWord: Int) {
        guard cell.utf8.allSatisfy({ $0 < 0x80 }) else {
            return (cell.count, cell.split(separator: " ").map(\.count).max() ?? 0)
        }
        var longest = 0, run = 0
        for byte in cell.utf8 {
            run = byte == UInt8(ascii: " ") ? 0 : run + 1
            longest = max(longest, run)
        }
        return (cell.utf8.count, longest)
    }

    /// A table too wide to narrow without cutting words, as one block per row of `column  value` lines, the
    /// way psql's expanded display shows a wide row.
    private func expanded(_ rows: [[String]]) -> String {
        let nameWidth = header.map(\.count).max() ?? 0
        let valueWidth = max(width - nameWidth - 2, 20)
        return rows.enumerated().map { number, row in
            var block =
                "-[ \(number + 1) ]" + String(repeating: "-", count: max(width - 8 - String(number + 1).count, 0))
                + "\n"
            for (index, title) in header.enumerated() {
                let value = index < row.count ? row[index] : ""
                for (lineNumber, part) in Self.wrap(value, to: valueWidth).enumerated() {
                    let name = lineNumber == 0 ? title : ""
                    block += (name + Self.spaces(nameWidth - name.count + 2) + part).trimmingTrailingSpaces() + "\n"
                }
            }
            return block
        }.joined()
    }

    /// The columns' widths within `width`: the widest columns capped at the narrowest cap that makes the
    /// table fit, none below its floor; nil when even the floors do not fit.
    private func fitted(_ natural: [Int], floors: [Int]) -> [Int]? {
        let separators = 2 * max(natural.count - 1, 0)
        guard natural.reduce(separators, +) > width else { return natural }
        let budget = width - separators
        guard floors.reduce(0, +) <= budget else { return nil }
        var cap = natural.max() ?? 0
        while cap > 0, natural.indices.reduce(0, { $0 + min(natural[$1], max(cap, floors[$1])) }) > budget {
            cap -= 1
        }
        return natural.indices.map { min(natural[$0], max(cap, floors[$0])) }
    }

    /// Padding in Swift: Foundation's `padding(toLength:withPad:startingAt:)` bridges through NSString and took
    /// most of the time of a 100,000-patient worklist's tables.
    private static func spaces(_ count: Int) -> String {
        String(repeating: " ", count: max(count, 0))
    }

    /// The cell's text in lines of at most `width` characters, broken at spaces where it can be.
    static func wrap(_ text: String, to width: Int) -> [String] {
        guard text.count > width, width > 0 else { return [text] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = Substring(word)
            while word.count > width {
                if !current.isEmpty {
                    lines.append(current)
                    current = ""
                }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        return lines
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        // The last byte that is not a space ends a character, since only spaces follow it.
        guard let last = utf8.lastIndex(where: { $0 != UInt8(ascii: " ") }) else { return "" }
        return String(decoding: utf8[...last], as: UTF8.self)
    }
}

/// Human text for the terminal, each line that is wider than `TextTable.outputWidth` wrapped at spaces, its
/// continuation lines indented two more than the line itself, so indented lists stay lists.
enum TerminalText {
    static func fitted(_ text: String, width: Int = TextTable.outputWidth) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            let indent = line.prefix { $0 == " " }.count
            let hanging = min(indent + 2, width / 2)
            let parts = TextTable.wrap(String(line.dropFirst(indent)), to: width - hanging)
            return parts.enumerated().map { index, part in
                String(repeating: " ", count: index == 0 ? indent : hanging) + part
            }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// `print` for the human text of the `table` format and of messages: fitted to the terminal's width.
/// JSON, CSV and other text a program reads back go through `print` unchanged.
func say(_ text: String = "", terminator: String = "\n") {
    print(TerminalText.fitted(text), terminator: terminator)
}
