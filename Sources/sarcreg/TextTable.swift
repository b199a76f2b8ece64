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
        var text = TextBuffer(capacity: (rows.count + 2) * (widths.reduce(2 * widths.count, +) + 1))
        func append(_ cells: [String], _ sizes: [(width: Int, longestWord: Int)]) {
            // Only a cell wider than its column is wrapped; most cells, and most rows, are written as they are.
            var wrapped: [(column: Int, lines: [Substring])] = []
            for index in cells.indices where index < widths.count && sizes[index].width > widths[index] {
                wrapped.append((index, Self.wrap(cells[index], to: widths[index])))
            }
            let height = wrapped.reduce(1) { max($0, $1.lines.count) }
            for row in 0..<height {
                var next = 0
                for index in cells.indices {
                    let part: Substring
                    let partWidth: Int
                    if next < wrapped.count, wrapped[next].column == index {
                        let lines = wrapped[next].lines
                        next += 1
                        part = row < lines.count ? lines[row] : ""
                        partWidth = Self.width(of: part)
                    } else {
                        part = row == 0 ? cells[index][...] : ""
                        partWidth = row == 0 ? sizes[index].width : 0
                    }
                    text.append(part)
                    if index < cells.count - 1, index < widths.count { text.pad(widths[index] - partWidth + 2) }
                }
                text.endLine()
            }
        }
        append(header, measured[0])
        let rules = widths.map { String(repeating: "-", count: $0) }
        append(rules, rules.map(Self.measure))
        for (row, sizes) in zip(rows, measured.dropFirst()) { append(row, sizes) }
        return text.string
    }

    /// A cell's width in characters and its longest word's, counted on the bytes when the text is ASCII.
    private static func measure(_ cell: String) -> (width: Int, longestWord: Int) {
        var longest = 0, run = 0
        for byte in cell.utf8 {
            guard byte < 0x80 else {
                return (cell.count, cell.split(separator: " ").map(\.count).max() ?? 0)
            }
            run = byte == UInt8(ascii: " ") ? 0 : run + 1
            longest = max(longest, run)
        }
        return (cell.utf8.count, longest)
    }

    /// A wrapped line's width in characters, counted on the bytes when the text is ASCII.
    private static func width(of part: Substring) -> Int {
        part.utf8.allSatisfy { $0 < 0x80 } ? part.utf8.count : part.count
    }

    /// A table too wide to narrow without cutting words, as one block per row of `column  value` lines, the
    /// way psql's expanded display shows a wide row.
    private func expanded(_ rows: [[String]]) -> String {
        let nameWidth = header.map(\.count).max() ?? 0
        let valueWidth = max(width - nameWidth - 2, 20)
        var text = TextBuffer(capacity: rows.count * header.count * width / 2)
        for (number, row) in rows.enumerated() {
            text.append("-[ \(number + 1) ]")
            text.append(String(repeating: "-", count: max(width - 8 - String(number + 1).count, 0)))
            text.endLine()
            for (index, title) in header.enumerated() {
                let value = index < row.count ? row[index] : ""
                for (lineNumber, part) in Self.wrap(value, to: valueWidth).enumerated() {
                    let name = lineNumber == 0 ? title : ""
                    text.append(name)
                    text.pad(nameWidth - name.count + 2)
                    text.append(part)
                    text.endLine()
                }
            }
        }
        return text.string
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

    /// The cell's text in lines of at most `width` characters, broken at spaces where it can be.
    static func wrap(_ text: String, to width: Int) -> [Substring] {
        // ASCII text, nearly every cell, is wrapped on its bytes: counting characters and building a String per
        // line took most of the time of the nightly site reports.
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            let utf8 = text.utf8
            return lineRanges(count: bytes.count, width: width) { bytes[$0] == UInt8(ascii: " ") }.map {
                text[
                    utf8.index(
                        utf8.startIndex, offsetBy: $0.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: $0.upperBound)
                ]
            }
        }
        let characters = Array(text)
        let indices = Array(text.indices) + [text.endIndex]
        return lineRanges(count: characters.count, width: width) { characters[$0] == " " }.map {
            text[indices[$0.lowerBound]..<indices[$0.upperBound]]
        }
    }

    /// The lines of a text of `count` characters as ranges of character offsets: words (between single spaces)
    /// joined while they fit in `width`, a word longer than a line cut. Each line is one stretch of the text, since
    /// words are joined by the space that stood between them.
    private static func lineRanges(count: Int, width: Int, isSpace: (Int) -> Bool) -> [Range<Int>] {
        guard count > width, width > 0 else { return [0..<count] }
        var lines: [Range<Int>] = []
        var current = 0..<0
        var wordStart = 0
        for position in 0...count where position == count || isSpace(position) {
            var word = wordStart..<position
            wordStart = position + 1
            while word.count > width {
                if !current.isEmpty {
                    lines.append(current)
                    current = word.lowerBound..<word.lowerBound
                }
                lines.append(word.lowerBound..<word.lowerBound + width)
                word = word.lowerBound + width..<word.upperBound
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current = current.lowerBound..<word.upperBound
            } else {
                lines.append(current)
                current = word
            }
        }
        lines.append(current)
        return lines
    }
}

/// A table's text built as UTF-8 bytes, line by line: appending to a String cell by cell took most of the time of
/// the nightly site reports (80,000 worklist rows for a registry of 100,000 patients).
private struct TextBuffer {
    private var bytes: [UInt8] = []
    private var lineStart = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ text: some StringProtocol) {
        // A native string's bytes are copied at once; only a bridged one is read byte by byte.
        if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: text.utf8)
        }
    }

    mutating func pad(_ count: Int) {
        for _ in 0..<max(count, 0) { bytes.append(UInt8(ascii: " ")) }
    }

    /// Ends the line without its trailing spaces.
    mutating func endLine() {
        while bytes.count > lineStart, bytes[bytes.count - 1] == UInt8(ascii: " ") { bytes.removeLast() }
        bytes.append(UInt8(ascii: "\n"))
        lineStart = bytes.count
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
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
                String(repeating: " ", count: index == 0 ? indent : hanging) + String(part)
            }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// `print` for the human text of the `table` format and of messages: fitted to the terminal's width.
/// JSON, CSV and other text a program reads back go through `print` unchanged.
func say(_ text: String = "", terminator: String = "\n") {
    print(TerminalText.fitted(text), terminator: terminator)
}
