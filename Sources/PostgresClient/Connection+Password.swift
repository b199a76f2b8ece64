internal import CLibPQ

extension Connection {
    /// The SCRAM-SHA-256 verifier of a password, computed here by libpq, for `CREATE ROLE ... PASSWORD`.
    ///
    /// Sending the verifier instead of the password keeps the password out of the server's statement log
    /// and out of `pg_stat_activity`; the server stores a verifier as it is.
    /// - Throws: ``PostgresError`` of kind `.client` with libpq's reason (never the password).
    public func scramVerifier(password: String, user: String) throws -> String {
        guard let verifier = PQencryptPasswordConn(handle, password, user, "scram-sha-256") else {
            throw clientError("cannot compute the password verifier: \(Self.firstLine(PQerrorMessage(handle)))")
        }
        defer { PQfreemem(verifier) }
        return String(cString: verifier)
    }
}

extension Connection {
    /// Whether the server asked for a password when this connection was opened, so a password given to it was
    /// checked by the server; a login the server trusts (`trust`, `peer`) connects with any password or none.
    public var usedPassword: Bool { PQconnectionUsedPassword(handle) == 1 }
}
