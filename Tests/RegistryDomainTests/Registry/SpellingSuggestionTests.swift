import RegistryDomain
import Testing

@Suite("did you mean: the closest registry value to a slip")
struct SpellingSuggestionTests {
    static let sites = ["BER", "LYO", "MUC", "PAR"]
    static let agents = ["doxorubicin", "ifosfamide", "paclitaxel", "pazopanib", "nab-sirolimus", "trabectedin"]

    @Test(
        "one slip in a site code is answered with the site (MUX: MUC, muc is MUC in any case, LOY: LYO by the swap)",
        arguments: [("MUX", "MUC"), ("muc", "MUC"), ("LOY", "LYO"), ("BR", "BER")])
    func siteSlips(_ typed: String, _ expected: String) {
        #expect(SpellingSuggestion.closest(to: typed, among: Self.sites) == expected)
    }

    @Test(
        "an agent misspelt by up to two letters is answered with the agent (paclitaxol, doxorubicine, nab sirolimus, trabectidin)",
        arguments: [
            ("paclitaxol", "paclitaxel"), ("doxorubicine", "doxorubicin"), ("nab sirolimus", "nab-sirolimus"),
            ("trabectidin", "trabectedin"),
        ])
    func agentSlips(_ typed: String, _ expected: String) {
        #expect(SpellingSuggestion.closest(to: typed, among: Self.agents) == expected)
    }

    @Test(
        "a value far from every candidate gets no suggestion (XYZ among the sites, aspirin among the agents, an empty value)",
        arguments: [("XYZ", sites), ("aspirin", agents), ("", sites), ("NYC", sites)])
    func noGuess(_ typed: String, _ candidates: [String]) {
        #expect(SpellingSuggestion.closest(to: typed, among: candidates) == nil)
    }

    @Test(
        "equally close candidates give the first in alphabetical order, whatever order they came in (BAR is one letter from BER and from PAR: BER)"
    )
    func tiesAreAlphabetical() {
        #expect(SpellingSuggestion.closest(to: "BAR", among: ["PAR", "BER"]) == "BER")
        #expect(SpellingSuggestion.closest(to: "BAR", among: ["BER", "PAR"]) == "BER")
    }
}
