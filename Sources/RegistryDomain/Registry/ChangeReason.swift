/// Why a coordinator corrects a stored record, as the audit log keeps it beside the old and new values.
public struct ChangeReason: Sendable, Hashable, CustomStringConvertible {
    /// Long enough for "transcription error: 999 typed for 21 mm, see CT report of 2024-03-01" and more.
    public static let maximumLength = 500

    public let text: String

    /// A reason of 1 to 500 printable characters: a line break or control character would let a reason
    /// forge lines of `sarcreg audit`.
    public init(_ submitted: String?, field: Field = .reason) throws(RegistryInputError) {
        guard let trimmed = submitted?.trimmingWhitespace, !trimmed.isEmpty else { throw .missing(field: field) }
        guard trimmed.count <= Self.maximumLength else {
            throw .outOfRange(
                field: field, value: "of \(trimmed.count) characters", range: "1 to \(Self.maximumLength) characters")
        }
        guard
            !trimmed.unicodeScalars.contains(where: {
                $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            })
        else {
            throw .malformed(field: field, value: trimmed, expected: "one line of text without control characters")
        }
        text = trimmed
    }

    public var description: String { text }
}
