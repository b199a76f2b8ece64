import Foundation

/// The review the therapy catalog is seeded from, and the references its sources cite by number ("[50]").
///
/// The stored review text (`../shared/seed`) carries the citations' numbers but not the reference list, so a
/// number is resolved here only as far as the catalog itself identifies the report beside it ("[14];
/// Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)"); every other number is looked up in the published review.
public enum CatalogReview {
    public static let authors = "Fuchs JW, Schulte BC, Fuchs JR, Agulnik M"
    public static let title = "Targeted therapies for the treatment of soft tissue sarcoma"
    public static let journal = "Front Oncol"
    public static let year = 2023
    public static let volume = "13:1122508"
    public static let doi = "10.3389/fonc.2023.1122508"
    public static let pmid = "36969064"

    public static var citation: String {
        "\(authors). \(title). \(journal). \(year);\(volume). doi:\(doi). PMID \(pmid)."
    }
}

/// One numbered reference of the review as the catalog cites it.
public struct CitedReference: Hashable, Sendable, Codable {
    public let number: Int
    /// The catalog entries (agents, indications, status rows) whose source cites the number.
    public let citedBy: [String]
    /// The reports the catalog names beside the number, e.g. "Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)".
    public let identifiedAs: [String]

    public init(number: Int, citedBy: [String], identifiedAs: [String]) {
        self.number = number
        self.citedBy = citedBy
        self.identifiedAs = identifiedAs
    }

    /// The numbered references the sources cite, in number order. A source is the catalog entry that cites
    /// and its source text, e.g. ("pazopanib_desmoid", "[14]; Toulmonde et al., Lancet Oncol 2019 (DESMOPAZ)").
    public static func cited(in sources: [(citedBy: String, text: String)]) -> [CitedReference] {
        var citedBy: [Int: [String]] = [:]
        var identified: [Int: [String]] = [:]
        for source in sources {
            let numbers = numbers(in: source.text)
            let reports = source.text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.contains("[") && !$0.hasPrefix("review") }
            for number in numbers {
                if !(citedBy[number] ?? []).contains(source.citedBy) {
                    citedBy[number, default: []].append(source.citedBy)
                }
                for report in reports where !(identified[number] ?? []).contains(report) {
                    identified[number, default: []].append(report)
                }
            }
        }
        return citedBy.keys.sorted().map {
            CitedReference(number: $0, citedBy: citedBy[$0] ?? [], identifiedAs: identified[$0] ?? [])
        }
    }

    /// The numbers a source text cites as `[n]`, in order, each once.
    static func numbers(in text: String) -> [Int] {
        var numbers: [Int] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "]") else { break }
            if let number = Int(rest[afterOpen..<close]), !numbers.contains(number) { numbers.append(number) }
            rest = rest[rest.index(after: close)...]
        }
        return numbers
    }
}
