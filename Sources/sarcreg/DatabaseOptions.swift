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

    @Flag(name: .long, help: "Log debug details to stderr.")
    var verbose = false

    /// The connection string in force: the option, then DATABASE_URL, then nil (libpq defaults).
    var connectionString: String? {
        url ?? ProcessInfo.processInfo.environment["DATABASE_URL"]
    }

    func logger() -> Logger {
        _ = loggingBootstrap
        var logger = Logger(label: "sarcreg")
        logger.logLevel = verbose ? .debug : .notice
        return logger
    }

    func connect() throws -> Connection {
        try Connection(connectionString, logger: logger())
    }
}

/// Console logging goes to stderr so stdout stays clean for table, JSON and CSV output.
private let loggingBootstrap: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
