import ArgumentParser
import Foundation
import Logging
import PostgresClient

/// How every command finds the database and how loudly it logs.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "PostgreSQL URL or key=value settings. Default: $DATABASE_URL, else libpq's defaults (PGHOST, PGPORT, ...).",
            valueName: "url"))
    var url: String?

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Log each SQL statement as sent (never its bound values) to stderr, with the milliseconds since connecting began; "
                + "on a database error, also print the server's whole report, whose DETAIL may quote row values."))
    var verbose = false

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "The person this command acts for, recorded in the audit trail. Default: the OS user.", valueName: "name"))
    var appUser: String?

    /// The longest `--as` name: enough for a full name with a title, short enough for a table cell.
    static let appUserMaximumLength = 64

    /// `--as` is written to the audit trail and printed by `sarcreg audit`, so a line break, tab or
    /// terminal escape in it could forge lines or recolour the terminal of whoever reads the trail.
    func validate() throws {
        guard let appUser else { return }
        let length = appUser.count
        guard appUser.unicodeScalars.allSatisfy(Self.isPrintable), (1...Self.appUserMaximumLength).contains(length),
            !appUser.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw ValidationError(
                "--as must be 1 to \(Self.appUserMaximumLength) printable characters (no line breaks, tabs, control "
                    + "or terminal escape characters), got \(Self.shown(appUser)) (\(length) characters)")
        }
    }

    /// The value with every character that is not printable written as its code point, so the message
    /// shows what was refused without passing it to the terminal.
    private static func shown(_ value: String) -> String {
        let shown = value.prefix(Self.appUserMaximumLength).unicodeScalars.map { scalar in
            isPrintable(scalar) ? String(scalar) : "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }.joined()
        return "'" + shown + (value.count > Self.appUserMaximumLength ? "...'" : "'")
    }

    /// Format characters (U+202E reverses the text after it) are as invisible as control characters.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: false
        default: true
        }
    }

    /// The connection string in force: the option, then DATABASE_URL, then nil (libpq defaults).
    var connectionString: String? {
        url ?? ProcessInfo.processInfo.environment["DATABASE_URL"]
    }

    func logger() -> Logger {
        if verbose { return Logger(label: "sarcreg") { _ in VerboseLogHandler() } }
        _ = loggingBootstrap
        var logger = Logger(label: "sarcreg")
        logger.logLevel = .notice
        return logger
    }

    /// Opens the connection as the database user it names and tells the audit triggers who is acting
    /// (`sarcreg.app_user`, a session setting the triggers read with `current_setting`).
    /// Connects; when the server asks for a password that nothing gave and a person is at the terminal, asks
    /// for it (without echo) and connects once more. A script never waits on a question: it gets the error.
    func connect() throws -> Connection {
        let connection: Connection
        do {
            connection = try Connection(connectionString, logger: logger())
        } catch let error as PostgresError where error.kind == .passwordRequired && Prompt.isInteractive {
            let password = try Prompt.secret("Password for \(ConnectionString.redacted(connectionString))")
            connection = try Connection(connectionString, password: password, logger: logger())
        }
        if verbose { connection.logger.info("connected to \(connection.resolvedTarget)") }
        try connection.execute("SELECT set_config('sarcreg.app_user', \(actingFor), false)")
        return connection
    }

    /// The person the command acts for: `--as`, or the OS user.
    var actingFor: String { appUser ?? Self.operatingSystemUser }

    private static var operatingSystemUser: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}

/// Console logging goes to stderr so stdout stays clean for table, JSON and CSV output.
private let loggingBootstrap: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
