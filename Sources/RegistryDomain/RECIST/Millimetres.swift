import Foundation

/// A lesion diameter or a sum of diameters, held as an integer number of hundredths of a millimetre.
///
/// RECIST thresholds are inclusive ("at least 30 %", "at least 5 mm"), so a value that sits exactly
/// on a threshold must compare exactly: 42 mm against 60 mm is PR, a `Double` computing
/// `42 / 60 - 1` is not quite -0.3. Radiologists record diameters to 0.1 mm and the RECIST worked
/// examples use 0.01 mm (a 4.95 mm regrowth), so hundredths hold every recorded value exactly and
/// the comparisons become integer products (`5 x sum >= 6 x nadir` for +20 %). Integers are used
/// rather than `Decimal` because the engine must score about a million time points a second;
/// `Decimal` appears only at the edges, for input and for the reported percentages.
public struct Millimetres: Sendable, Hashable, Comparable {
    public let hundredths: Int

    public init(hundredths: Int) {
        self.hundredths = hundredths
    }

    public init(_ wholeMillimetres: Int) {
        hundredths = wholeMillimetres * 100
    }

    /// A diameter from a decimal value, or `nil` when it is finer than 0.01 mm (it could not be
    /// compared exactly, and no scanner measures that finely).
    public init?(exactly value: Decimal) {
        var scaled = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        let whole = NSDecimalNumber(decimal: rounded).intValue
        guard rounded == scaled, Decimal(whole) == rounded else { return nil }
        hundredths = whole
    }

    public static let zero = Millimetres(hundredths: 0)

    public var decimalValue: Decimal {
        Decimal(hundredths) / 100
    }

    public static func < (lhs: Millimetres, rhs: Millimetres) -> Bool {
        lhs.hundredths < rhs.hundredths
    }

    public static func + (lhs: Millimetres, rhs: Millimetres) -> Millimetres {
        Millimetres(hundredths: lhs.hundredths + rhs.hundredths)
    }

    public static func - (lhs: Millimetres, rhs: Millimetres) -> Millimetres {
        Millimetres(hundredths: lhs.hundredths - rhs.hundredths)
    }
}

extension Millimetres: LosslessStringConvertible {
    /// Parses a plain decimal number of millimetres such as `42`, `4.95` or `-3.5`, exactly.
    public init?(_ text: String) {
        guard let value = Self.hundredths(of: text, roundingFinerDigits: false) else { return nil }
        hundredths = value
    }

    /// Parses a decimal number of millimetres with any number of decimals, kept to 0.01 mm with halves
    /// rounded away from zero: `33.6128` is 33.61, `12.345` is 12.35, `-0.005` is -0.01.
    ///
    /// Workstations write diameters with four or more decimals (`33.6128`); the registry keeps hundredths,
    /// which is finer than any scanner resolves, so the extra digits are rounded rather than refused. Every
    /// path that takes a recorded diameter (the command line and both imports) uses this rule, and the
    /// imports' SQL rounds `numeric` the same way (`round(x, 2)` rounds halves away from zero).
    public init?(recorded text: String) {
        guard let value = Self.hundredths(of: text, roundingFinerDigits: true) else { return nil }
        hundredths = value
    }

    /// The hundredths a decimal text names; digits past the second decimal are refused, or rounded on the
    /// third (halves away from zero) when `roundingFinerDigits`.
    private static func hundredths(of text: String, roundingFinerDigits: Bool) -> Int? {
        var bytes = Array(text.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = parts.first, !integerPart.isEmpty, integerPart.count <= 9 else { return nil }
        let fraction = parts.count == 2 ? parts[1] : []
        guard parts.count == 1 || !fraction.isEmpty, roundingFinerDigits || fraction.count <= 2 else { return nil }
        var value = 0
        for byte in integerPart {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + digit
        }
        var roundsUp = false
        for (index, byte) in fraction.enumerated() {
            guard let digit = digit(byte) else { return nil }
            if index < 2 {
                value = value * 10 + digit
            } else if index == 2 {
                roundsUp = digit >= 5
            }
        }
        for _ in min(fraction.count, 2)..<2 { value *= 10 }
        if roundsUp { value += 1 }
        return negative ? -value : value
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// The value in millimetres with no unit and no trailing zeros: `42`, `4.95`, `42.5`.
    public var description: String {
        let magnitude = hundredths.magnitude
        let sign = hundredths < 0 ? "-" : ""
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension Millimetres: Codable {
    /// Encoded as a JSON number in millimetres via `Decimal`, so `4.95` round-trips exactly.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Decimal.self)
        guard let millimetres = Millimetres(exactly: value) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "diameter \(value) mm is finer than 0.01 mm")
        }
        self = millimetres
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(decimalValue)
    }
}

/// A change relative to a reference sum, in tenths of a percent, rounded half away from zero.
///
/// Only used to report; the response thresholds are decided on the exact sums.
public struct PercentChange: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let tenthsOfPercent: Int

    /// `nil` when the reference is 0 mm (a change from nothing has no percentage).
    public init?(from reference: Millimetres, to value: Millimetres) {
        guard reference.hundredths > 0 else { return nil }
        let numerator = (value.hundredths - reference.hundredths) * 1000
        let denominator = reference.hundredths
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        let roundsAway = 2 * remainder.magnitude >= denominator.magnitude
        tenthsOfPercent = roundsAway ? quotient + (numerator < 0 ? -1 : 1) : quotient
    }

    /// The rounded change as a decimal percentage, for export.
    public var decimalValue: Decimal {
        Decimal(tenthsOfPercent) / 10
    }

    public static func < (lhs: PercentChange, rhs: PercentChange) -> Bool {
        lhs.tenthsOfPercent < rhs.tenthsOfPercent
    }

    /// Signed, one decimal: `-30.0%`, `+18.8%`.
    public var description: String {
        let magnitude = tenthsOfPercent.magnitude
        let sign = tenthsOfPercent < 0 ? "-" : "+"
        return "\(sign)\(magnitude / 10).\(magnitude % 10)%"
    }
}
