import Foundation
import PostgresClient
import RegistryDomain

/// A participating site; its code prefixes every registry id it hands out (`MUC-0001`).
public struct Site: Codable, Sendable, Hashable {
    public let code: String
    public let name: String
    public let patientCount: Int
}

public struct SiteService {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The registry's site code closest to an unknown one, for "did you mean" (``SpellingSuggestion``).
    static func closestSite(to code: String, on connection: Connection) throws -> String? {
        let codes = try connection.query("SELECT site_code FROM sites").map { try $0.decode(String.self, "site_code") }
        return SpellingSuggestion.closest(to: code, among: codes)
    }

    /// Adds a site. The code is 2 to 10 upper-case letters or digits starting with a letter.
    public func add(code: String, name: String) throws(RegistryError) -> Site {
        let code = code.trimmingCharacters(in: .whitespaces)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard code.range(of: "^[A-Z][A-Z0-9]{1,9}$", options: .regularExpression) != nil else {
            throw .input(
                .malformed(
                    field: .code, value: code,
                    expected: "2 to 10 upper-case letters or digits, starting with a letter (e.g. MUC)"))
        }
        guard !name.isEmpty else { throw .input(.missing(field: .name)) }
        do {
            _ = try connection.withTransaction { tx in
                try tx.execute("INSERT INTO sites (site_code, name) VALUES (\(code), \(name))")
            }
        } catch let error as PostgresError where error.constraint == "sites_pkey" {
            throw .siteExists(code)
        } catch {
            throw RegistryError.wrap(error)
        }
        return Site(code: code, name: name, patientCount: 0)
    }

    public func list() throws(RegistryError) -> [Site] {
        do {
            return try connection.query(
                """
                SELECT s.site_code, s.name, count(p.patient_id)::bigint AS patients
                FROM sites s LEFT JOIN patients p USING (site_code)
                GROUP BY s.site_code, s.name ORDER BY s.site_code
                """
            ).map { row in
                let (code, name, count) = try row.decode((String, String, Int).self)
                return Site(code: code, name: name, patientCount: count)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
