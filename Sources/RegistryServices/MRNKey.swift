import Crypto
import Foundation

/// The secret that turns a medical record number into its keyed hash (HMAC-SHA-256).
///
/// The registry stores and compares only the hash, so the database, its logs and its backups never
/// hold a clear MRN, and without the key a hash cannot be tested against guessed MRNs. The key comes
/// from the file named by `SARCREG_MRN_KEY_FILE` (preferred: it stays out of process listings) or
/// from `SARCREG_MRN_KEY`; it must hold at least 32 bytes and look random enough (at least
/// ``minimumEntropyBits`` bits by its byte frequencies), and a key file must be readable by its owner
/// only (mode 0600 or 0400). Its value is never printed.
public struct MRNKey: Sendable {
    private let secret: Data

    /// The least entropy a key may show, estimated from how often each byte value occurs in it (Shannon
    /// entropy per byte times its length). 32 zeros show 0 bits and a 32-byte repeated pair 32, while 32
    /// random bytes show about 155, the 64 characters of `openssl rand -hex 32` about 245, and even 32
    /// random hex digits 90 or more. The estimate cannot see order (`0123456789abcdef` twice passes), so
    /// it only refuses keys that are plainly not random: a guessable key lets anyone who reads the
    /// database test guessed MRNs against the stored hashes.
    public static let minimumEntropyBits = 80.0

    public init(secret: some DataProtocol) throws(RegistryError) {
        guard secret.count >= 32 else {
            throw .mrnKeyUnusable("it holds \(secret.count) bytes; at least 32 are required")
        }
        let bits = Self.estimatedEntropyBits(of: Data(secret))
        guard bits >= Self.minimumEntropyBits else {
            throw .mrnKeyUnusable(
                "it is too predictable: its bytes show about \(Int(bits)) bits of entropy, at least \(Int(Self.minimumEntropyBits)) "
                    + "are required; make a random key with `openssl rand -hex 32`")
        }
        self.secret = Data(secret)
    }

    static func estimatedEntropyBits(of bytes: Data) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        let perByte = counts.filter { $0 > 0 }.reduce(0.0) { sum, count in
            let share = Double(count) / total
            return sum - share * log2(share)
        }
        return perByte * total
    }

    /// Reads the key from the environment.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(RegistryError) -> MRNKey
    {
        if let path = environment["SARCREG_MRN_KEY_FILE"], !path.isEmpty {
            try refuseExposedFile(path)
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

    /// A key file others can read (or write) is as good as published: only modes 0600 and 0400 are accepted.
    private static func refuseExposedFile(_ path: String) throws(RegistryError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .mrnKeyUnusable("the file named by SARCREG_MRN_KEY_FILE (\(path)) cannot be read")
        }
        let mode = status.st_mode & 0o7777
        guard mode == 0o600 || mode == 0o400 else {
            throw .mrnKeyUnusable(
                "the file named by SARCREG_MRN_KEY_FILE (\(path)) has mode \(String(mode, radix: 8)); it must be readable "
                    + "by its owner only: `chmod 600 \(path)` (or 400)")
        }
    }

    /// Names the key without revealing it: the HMAC of a fixed label under the key, as 64 hex digits.
    ///
    /// The registry stores it on the first enrollment and compares it on every later one, so a second
    /// key (which would hash an enrolled MRN differently and enroll the patient twice) is refused.
    public var fingerprint: String {
        Self.hex(
            HMAC<SHA256>.authenticationCode(
                for: Data("sarcreg MRN key fingerprint v1".utf8), using: SymmetricKey(data: secret)))
    }

    /// The keyed hash of a normalized MRN, as 64 lower-case hex digits.
    ///
    /// Normalization (trimmed, upper-cased, inner spaces and hyphens removed) makes `ab-123 45` and
    /// `AB12345` the same record number, as hospital systems print them both ways.
    public func hash(mrn: String) -> String {
        let normalized = Self.normalize(mrn)
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: SymmetricKey(data: secret)))
    }

    private static func hex(_ code: HMAC<SHA256>.MAC) -> String {
        code.map { byte in
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
        guard !normalized.isEmpty else { throw .input(.missing(field: .mrn)) }
        guard normalized.count <= 40, normalized.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .input(.malformed(field: .mrn, value: "(not shown)", expected: "1 to 40 letters and digits"))
        }
    }
}
