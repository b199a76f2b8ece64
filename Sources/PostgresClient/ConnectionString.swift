internal import CLibPQ
import Foundation

/// Shows a connection string without its secrets.
public enum ConnectionString {
    /// The connection string with every password replaced by `***`: the `user:password@` part of a
    /// URL, a `password=` query parameter, and a `password=` conninfo setting (quoted or not).
    public static func redacted(_ connectionString: String?) -> String {
        guard let text = connectionString, !text.isEmpty else {
            return "the default database (libpq defaults and PG* environment variables)"
        }
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            return redactURL(text)
        }
        return redactKeyValue(text)
    }

    private static func redactURL(_ url: String) -> String {
        let schemeEnd = url.range(of: "://")!.upperBound
        var result = String(url[..<schemeEnd])
        var rest = url[schemeEnd...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                result += userInfo[..<colon] + ":***"
            } else {
                result += userInfo
            }
            result += authority[at...]
        } else {
            result += authority
        }
        rest = rest[authorityEnd...]
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        let parameters = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        result += parameters.map { parameter in
            parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
        }.joined(separator: "&")
        return result
    }

    private static func redactKeyValue(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            guard let match = text[index...].range(of: "password", options: .caseInsensitive) else {
                output += text[index...]
                break
            }
            output += text[index..<match.upperBound]
            var cursor = match.upperBound
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            guard cursor < text.endIndex, text[cursor] == "=" else {
                index = match.upperBound
                continue
            }
            output += "=***"
            cursor = text.index(after: cursor)
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            if cursor < text.endIndex, text[cursor] == "'" {
                cursor = text.index(after: cursor)
                while cursor < text.endIndex, text[cursor] != "'" {
                    if text[cursor] == "\\" { cursor = text.index(after: cursor) }
                    if cursor < text.endIndex { cursor = text.index(after: cursor) }
                }
                if cursor < text.endIndex { cursor = text.index(after: cursor) }
            } else {
                while cursor < text.endIndex, text[cursor] != " " { cursor = text.index(after: cursor) }
            }
            index = cursor
        }
        return output
    }
}

extension ConnectionString {
    /// The same server settings with another database name, as `key='value'` conninfo.
    ///
    /// libpq parses the input (URL or conninfo), so every form it accepts works here too.
    public static func replacingDatabase(in connectionString: String?, with database: String) throws -> String {
        var settings = try parse(connectionString ?? "").filter { $0.key != "dbname" }
        settings.append((key: "dbname", value: database))
        return settings.map { "\($0.key)='\(escape($0.value))'" }.joined(separator: " ")
    }

    /// The settings a connection string spells out, in libpq's order.
    public static func parse(_ connectionString: String) throws -> [(key: String, value: String)] {
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(
                kind: .connection,
                message: "malformed connection string \(redacted(connectionString)): \(reason.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        defer { PQconninfoFree(options) }
        var settings: [(key: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                settings.append((key: String(cString: keyword), value: String(cString: value)))
            }
            option += 1
        }
        return settings
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }
}
