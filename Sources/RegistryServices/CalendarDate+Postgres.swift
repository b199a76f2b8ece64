import PostgresClient
import RegistryDomain

/// Registry dates travel as SQL `date` text (`YYYY-MM-DD`).
extension CalendarDate: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .date }
    public var postgresText: String? { description }

    public init(postgresText text: String, type: PostgresType) throws(PostgresDecodingFailure) {
        do {
            self = try CalendarDate(iso: text)
        } catch {
            throw PostgresDecodingFailure("not a date the registry supports")
        }
    }
}
