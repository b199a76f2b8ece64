import RegistryDomain
import Testing

@Suite("Recorded diameters")
struct MillimetresTests {
    @Test(
        "a recorded diameter is kept to 0.01 mm, halves away from zero: a workstation's 33.6128 mm is 33.61 mm",
        arguments: [
            ("33.6128", 3361), ("12.345", 1235), ("12.3449", 1234), ("35.005", 3501), ("-0.005", -1), ("42", 4200),
            ("4.9", 490), ("4.95", 495), ("0.004", 0), ("999.995", 100_000),
        ])
    func recordedDiameterIsRounded(text: String, hundredths: Int) {
        #expect(Millimetres(recorded: text) == Millimetres(hundredths: hundredths))
    }

    @Test(
        "text that is not a decimal number of millimetres is refused whatever its precision",
        arguments: ["", "-", "1.", ".5", "3,5", "1e3", "12 mm", "1.2.3"])
    func malformedDiameterIsRefused(text: String) {
        #expect(Millimetres(recorded: text) == nil)
        #expect(Millimetres(text) == nil)
    }

    @Test("the exact reading (reports, sums) still refuses digits past the hundredth: 33.6128 is not an exact value")
    func exactReadingRefusesFinerDigits() {
        #expect(Millimetres("33.6128") == nil)
        #expect(Millimetres("33.61") == Millimetres(hundredths: 3361))
    }
}
