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

    /// libpq's message about a connection string with every password, and every part of one, hidden.
    ///
    /// libpq quotes what it cannot parse: the whole URL (an unclosed `[`), the password itself (`%zz` in
    /// it), or a piece of it (an unencoded `/` in the password makes libpq read the part before it as the
    /// port). So the connection string is replaced by its redacted form, and any quoted text that holds
    /// a password or a piece of one (split where a URL splits) becomes `"***"`; a password quoted or
    /// not is hidden too.
    public static func redacting(_ message: String, of connectionString: String?) -> String {
        guard let connectionString, !connectionString.isEmpty else { return message }
        let passwords = passwords(in: connectionString)
        guard !passwords.isEmpty else { return message }
        let pieces = passwords.flatMap { password in
            [password] + password.split(whereSeparator: { urlDelimiters.contains($0) }).map(String.init)
        }
        var text = message.replacingOccurrences(of: connectionString, with: redacted(connectionString))
        for password in passwords.sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: password, with: "***")
        }
        // Odd segments are quoted: libpq writes each value it quotes between double quotes.
        return text.split(separator: "\"", omittingEmptySubsequences: false).enumerated().map { index, segment in
            index.isMultiple(of: 2) || !pieces.contains(where: { segment.contains($0) }) ? String(segment) : "***"
        }.joined(separator: "\"")
    }

    private static let urlDelimiters: Set<Character> = ["/", "?", "#", "@", ":", "[", "]", "&", "=", ",", " "]

    /// The passwords a connection string holds, as written and percent-decoded: the URL's user info after
    /// its first `:` (up to the last `@`), `password=` query parameters, and `password=` settings.
    static func passwords(in connectionString: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = connectionString.range(of: "://")?.upperBound {
            let rest = connectionString[schemeEnd...]
            if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                found.append(String(rest[rest.index(after: colon)..<at]))
            }
            if let question = rest.firstIndex(of: "?") {
                for parameter in rest[rest.index(after: question)...].split(separator: "&")
                where parameter.lowercased().hasPrefix("password=") {
                    found.append(String(parameter.dropFirst("password=".count)))
                }
            }
        } else {
            for setting in keyValuePasswordRanges(connectionString) {
                let value = connectionString[setting.value]
                found.append(String(value))
                if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                    found.append(
                        value.dropFirst().dropLast().replacingOccurrences(of: "\\'", with: "'").replacingOccurrences(
                            of: "\\\\", with: "\\"))
                }
            }
        }
        found += found.compactMap { $0.removingPercentEncoding }
        return Array(Set(found.filter { !$0.isEmpty }))
    }

    private static func redactURL(_ url: String) -> String {
        let schemeEnd = url.range(of: "://")!.upperBound
        var result = String(url[..<schemeEnd])
        var rest = url[schemeEnd...]
        // The user info ends at the last `@`, not at the first `/`: a password may hold an unencoded `/` (or `@`),
        // which libpq then misreads, and the whole of it must still be hidden.
        if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            result += rest[..<colon] + ":***"
            rest = rest[at...]
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        result += rest[..<authorityEnd]
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
        for setting in keyValuePasswordRanges(text) {
            output += text[index..<setting.afterKeyword.lowerBound] + "=***"
            index = setting.afterKeyword.upperBound
        }
        return output + text[index...]
    }

    /// Where each `password=` setting stands in conninfo text: all after its keyword (` = 'value'`), and
    /// its value alone (quoted values with their quotes).
    private static func keyValuePasswordRanges(
        _ text: String
    ) -> [(afterKeyword: Range<String.Index>, value: Range<String.Index>)] {
        var ranges: [(afterKeyword: Range<String.Index>, value: Range<String.Index>)] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard let match = text[index...].range(of: "password", options: .caseInsensitive) else { break }
            var cursor = match.upperBound
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            guard cursor < text.endIndex, text[cursor] == "=" else {
                index = match.upperBound
                continue
            }
            cursor = text.index(after: cursor)
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            let start = cursor
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
            ranges.append((afterKeyword: match.upperBound..<cursor, value: start..<cursor))
            index = cursor
        }
        return ranges
    }
}

extension ConnectionString {
    /// The same server settings with another database name, as `key='value'` conninfo.
    ///
    /// libpq parses the input (URL or conninfo), so every form it accepts works here too.
    public static func replacingDatabase(in connectionString: String?, with database: String) throws -> String {
        var settings = try parse(connectionString ?? "").filter { $0.key != "dbname" }
        settings.append((key: "dbname", value: database))
        return conninfo(settings)
    }

    /// The same settings without the password, as `key='value'` conninfo, and the password apart: for a
    /// program that takes the settings on its command line, where any local user can read them.
    public static func separatingPassword(
        from connectionString: String?
    ) throws -> (conninfo: String, password: String?) {
        let settings = try parse(connectionString ?? "")
        return (conninfo(settings.filter { $0.key != "password" }), settings.last { $0.key == "password" }?.value)
    }

    private static func conninfo(_ settings: [(key: String, value: String)]) -> String {
        settings.map { "\($0.key)='\(escape($0.value))'" }.joined(separator: " ")
    }

    /// The settings a connection string spells out, in libpq's order.
    public static func parse(_ connectionString: String) throws -> [(key: String, value: String)] {
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(
                kind: .connection,
                message:
                    "malformed connection string \(redacted(connectionString)): \(redacting(reason.trimmingCharacters(in: .whitespacesAndNewlines), of: connectionString))"
            )
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
