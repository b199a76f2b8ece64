import PostgresClient
import RegistryDomain

/// Diameters travel as SQL `numeric(6,2)` text (`32.00`, `4.95`), so they round-trip exactly.
extension Millimetres: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .numeric }
    public var postgresText: String? { description }

    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = Millimetres(text) else {
            throw PostgresDecodingFailure("not a diameter in hundredths of a millimetre")
        }
        self = value
    }
}
