import Crypto
import Foundation
import PostgresClient
import RegistryDomain

/// An investigator's signature of one line's responses.
public struct ResponseSignature: Codable, Sendable, Hashable {
    public let signatureID: Int
    public let registryID: String
    public let lineNumber: Int
    public let evaluator: String
    public let meaning: String
    public let signedAt: Date
    /// The login that re-authenticated to sign.
    public let signedBy: String
    public let signerName: String
    /// SHA-256 of what was signed (``ResponseSignatureService/signedContent(_:)``), lower-case hex.
    public let contentSHA256: String
    /// Set by the database when the patient's assessments changed after signing; the signature stays.
    public let voidedAt: Date?
    public let voidReason: String?
}

/// Investigator sign-off. The signer proves who they are by their database password, checked by the server on a
/// connection of its own; the signature stores the SHA-256 of the series and the responses computed from it, and
/// the database voids it when any of the patient's lesions, assessments or results change (migration 0033).
public struct ResponseSignatureService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Signs the line's responses read by `evaluator` on `signer`, a connection the CLI opened afresh with the
    /// password the signer typed. Refused when the server did not ask that connection for a password (it would
    /// have accepted any), or when it is another login than this service's connection.
    public func sign(
        _ registryID: String, line: Int, evaluator: String?, meaning: String, signer: Connection
    ) throws(AssessmentError) -> ResponseSignature {
        let meaning = try Self.registry { () throws(RegistryError) in
            try validating { () throws(RegistryInputError) in try ChangeReason(meaning, field: .meaning) }
        }
        guard signer.usedPassword else {
            throw .registry(
                .signerNotAuthenticated(
                    "the server let this login in without asking for a password, so none was checked"))
        }
        let response = try ResponseService(connection: signer).response(
            registryID, evaluator: AssessmentService.evaluator(evaluator))
        guard response.lineNumber == line else {
            throw .registry(
                .signedLineMismatch(
                    registryID: response.registryID, evaluator: response.evaluator.rawValue, requested: line,
                    assessed: response.lineNumber))
        }
        do {
            let logins = try connection.query(
                "SELECT session_user AS login, coalesce(nullif(current_setting('sarcreg.app_user', true), ''), session_user) AS name"
            )[0]
            let login = try logins.decode(String.self, "login")
            let signerLogin = try signer.query("SELECT session_user AS login")[0].decode(String.self, "login")
            guard signerLogin == login else {
                throw RegistryError.signerNotAuthenticated(
                    "the password was checked for \(signerLogin), not for \(login)")
            }
            let id = try signer.query(
                """
                INSERT INTO response_signatures (patient_id, line_number, evaluator, meaning, content_sha256, signer_name)
                SELECT patient_id, \(line), \(response.evaluator.rawValue), \(meaning.text), \(Self.sha256(of: response)),
                    \(try logins.decode(String.self, "name"))
                FROM patients WHERE registry_id = \(response.registryID)
                RETURNING signature_id
                """)[0].decode(Int.self, "signature_id")
            return try Self.load(where: "s.signature_id = \(id)", on: connection)[0]
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// The patient's signatures, newest first, voided ones included.
    public func signatures(_ registryID: String) throws(AssessmentError) -> [ResponseSignature] {
        do {
            let patient = try PatientRow.find(registryID, on: connection)
            return try Self.load(where: "s.patient_id = \(patient.id)", on: connection)
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// Exactly what a signature covers, one line per fact: the patient, line, evaluator and trial; the baseline's
    /// lesions with their diameters; each time point's sums and responses with the rule that decided it; the best
    /// overall responses and the first progression.
    public static func signedContent(_ response: PatientResponse) -> String {
        let baseline = response.baseline
        let series = response.series
        var lines = [
            "patient \(response.registryID) line \(response.lineNumber) evaluator \(response.evaluator.rawValue) trial \(response.trialNCT ?? "none")",
            "baseline \(baseline.date) sum \(baseline.sumOfDiameters)",
        ]
        lines += baseline.targets.map { "target \($0.id) \($0.baselineDiameter) node \($0.isLymphNode)" }
        lines += baseline.nonTargets.map { "non-target \($0.id)" }
        lines += series.evaluations.map { evaluation in
            [
                "time point \(evaluation.date)", "sum \(evaluation.sumOfDiameters.map { "\($0)" } ?? "none")",
                "target \(evaluation.target.map { $0.response.rawValue } ?? "none")",
                "non-target \(evaluation.nonTarget.map { $0.response.rawValue } ?? "none")",
                "new \(evaluation.newLesion.map { "\($0)" } ?? "none")", "overall \(evaluation.overall.rawValue)",
                "rule \(evaluation.rule)", "after progression \(evaluation.isAfterProgression)",
            ].joined(separator: "; ")
        }
        lines.append("best overall response \(series.bestOverallResponse.unconfirmed.response.rawValue)")
        lines.append("confirmed best overall response \(series.bestOverallResponse.confirmed.response.rawValue)")
        lines.append("progression \(series.progression)")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func sha256(of response: PatientResponse) -> String {
        SHA256.hash(data: Data(signedContent(response).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func load(where condition: Query, on connection: Connection) throws -> [ResponseSignature] {
        var query: Query = """
            SELECT s.signature_id, p.registry_id, s.line_number, s.evaluator, s.meaning, s.signed_at, s.signed_by, s.signer_name,
                s.content_sha256, s.voided_at, s.void_reason
            FROM response_signatures s JOIN patients p USING (patient_id) WHERE
            """
        query.append(" ")
        query.append(condition)
        query.append(" ORDER BY s.signed_at DESC, s.signature_id DESC")
        return try connection.query(query).map { row in
            ResponseSignature(
                signatureID: try row.decode(Int.self, "signature_id"),
                registryID: try row.decode(String.self, "registry_id"),
                lineNumber: try row.decode(Int.self, "line_number"),
                evaluator: try row.decode(String.self, "evaluator"),
                meaning: try row.decode(String.self, "meaning"), signedAt: try row.decode(Date.self, "signed_at"),
                signedBy: try row.decode(String.self, "signed_by"),
                signerName: try row.decode(String.self, "signer_name"),
                contentSHA256: try row.decode(String.self, "content_sha256"),
                voidedAt: try row.decode(Date?.self, "voided_at"),
                voidReason: try row.decode(String?.self, "void_reason"))
        }
    }

    private static func registry<T>(_ body: () throws(RegistryError) -> T) throws(AssessmentError) -> T {
        do {
            return try body()
        } catch {
            throw .registry(error)
        }
    }
}
