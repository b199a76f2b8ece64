/// "Did you mean": the registry's own value closest to a submitted one that is not in its vocabulary, for a
/// site code, an agent or a term typed with a slip (`MUX` for `MUC`, `paclitaxol` for `paclitaxel`).
///
/// Close means few single-character edits (insert, delete, replace, or swap of two neighbours), letter case
/// and the separators space, `-` and `_` aside: one edit for words of up to four characters, two up to eight,
/// three beyond. A value far from every candidate gets no suggestion: a wrong guess would mislead more than
/// none. Of equally close candidates the first in alphabetical order is taken, so the answer never depends
/// on the order the candidates came in.
public enum SpellingSuggestion {
    public static func closest(to submitted: String, among candidates: [String]) -> String? {
        let typed = folded(submitted)
        guard !typed.isEmpty else { return nil }
        let allowed = typed.count <= 4 ? 1 : typed.count <= 8 ? 2 : 3
        var best: (candidate: String, distance: Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(typed, folded(candidate))
            guard distance <= allowed, distance < (best?.distance ?? .max) else { continue }
            best = (candidate, distance)
        }
        return best?.candidate
    }

    static func folded(_ text: String) -> [Character] {
        Array(text.lowercased().filter { !" -_".contains($0) })
    }

    /// The optimal string alignment distance: Levenshtein's edits plus the swap of two neighbouring characters.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [Int](repeating: 0, count: b.count + 1)
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count]
    }
}
