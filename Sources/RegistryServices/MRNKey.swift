import Crypto
import Foundation

/// The secret that turns a medical record number into its keyed hash (HMAC-SHA-256).
///
/// The registry stores and compares only the hash, so the database, its logs and its backups never
/// hold a clear MRN, and without the key a hash cannot be tested against guessed MRNs. The key comes
/// from the file named by `SARCREG_MRN_KEY_FILE` (preferred: it stays out of process listings) or
/// from `SARCREG_MRN_KEY`; it must hold at least 32 bytes. Its value is never printed.
public struct MRNKey: Sendable {
    private let secret: Data

    public init(secret: some DataProtocol) throws(RegistryError) {
        guard secret.count >= 32 else {
            throw .mrnKeyUnusable("it holds \(secret.count) bytes; at least 32 are required")
        }
        self.secret = Data(secret)
    }

    /// Reads the key from the environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(RegistryError) -> MRNKey
    {
        if let path = environment["SARCREG_MRN_KEY_FILE"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .mrnKeyUnusable("the file named by SARCREG_MRN_KEY_FILE (\(path)) cannot be read")
            }
            // A trailing newline from `echo > keyfile` is not part of the key.
            var bytes = data
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            return try MRNKey(secret: bytes)
        }
        if let secret = environment["SARCREG_MRN_KEY"], !secret.isEmpty {
            return try MRNKey(secret: Data(secret.utf8))
        }
        throw .mrnKeyMissing
    }

    /// The keyed hash of a normalized MRN, as 64 lower-case hex digits.
    ///
    /// Normalization (trimmed, upper-cased, inner spaces and hyphens removed) makes `ab-123 45` and
    /// `AB12345` the same record number, as hospital systems print them both ways.
    public func hash(mrn: String) -> String {
        let normalized = Self.normalize(mrn)
        let code = HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: SymmetricKey(data: secret))
        return code.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func normalize(_ mrn: String) -> String {
        String(mrn.uppercased().filter { !$0.isWhitespace && $0 != "-" })
    }

    /// Checks a submitted MRN without ever echoing it: error messages describe it, never show it.
    static func validate(_ mrn: String) throws(RegistryError) {
        let normalized = normalize(mrn)
        guard !normalized.isEmpty else { throw .input(.missing(field: "--mrn")) }
        guard normalized.count <= 40, normalized.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .input(.malformed(field: "--mrn", value: "(not shown)", expected: "1 to 40 letters and digits"))
        }
    }
}
