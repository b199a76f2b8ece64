import RegistryDomain
import Testing

@Suite("An NCT number is NCT and eight digits, read the same wherever a trial is named")
struct NCTNumberTests {
    @Test("' nct03016819 ' as typed is NCT03016819, as stored")
    func typedInAnyCaseWithBlanks() throws {
        #expect(try NCTNumber.parse(" nct03016819 ", field: .trial) == "NCT03016819")
    }

    @Test(
        "NCT0301681 (seven digits), NCT030168190 (nine), NCT0301681X and 03016819 without NCT are refused naming the field and the value as typed",
        arguments: ["NCT0301681", "NCT030168190", "NCT0301681X", "03016819", "NCT-03016819", ""])
    func malformed(_ text: String) {
        #expect(
            throws: RegistryInputError.malformed(
                field: .trial, value: text, expected: "an NCT number such as NCT03016819")
        ) {
            try NCTNumber.parse(text, field: .trial)
        }
    }
}
