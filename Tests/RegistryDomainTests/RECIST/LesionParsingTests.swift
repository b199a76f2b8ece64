import RegistryDomain
import Testing

@Suite("A reader's typed lesion values, read by the domain's parsers as the command line and the imports read them")
struct LesionParsingTests {
    @Test(
        "a result that is neither a diameter in hundredths of a mm nor a result word is refused, naming the lesion and the value",
        arguments: [("T2", "abc", ["result T2", "abc"]), ("T1", "24.125", ["result T1", "24.125"])])
    func badResultRefused(lesion: String, value: String, named: [String]) throws {
        let error = #expect(throws: RegistryInputError.self) {
            try ReportedFinding.parse(value, lesion: LesionID(lesion))
        }
        let message = try #require(error).description
        for text in named { #expect(message.contains(text), "\(message)") }
    }
}
