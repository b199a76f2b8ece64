import PostgresClient
import RegistryDomain

/// One evaluator's RECIST scoring of a patient's stored assessments.
public struct PatientResponse: Sendable {
    public let registryID: String
    public let evaluator: Evaluator
    public let baseline: Baseline
    public let lineNumber: Int
    /// The trial whose response policy applied; nil for RECIST defaults outside a trial.
    public let trialNCT: String?
    public let timeline: ResponseTimeline
    /// The evaluator's series of ``timeline``.
    public let series: ResponseSeries
}

/// Responses computed from the registry's assessments, and the per-trial RECIST choices.
public struct ResponseService {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Scores one evaluator's baseline and follow-ups against the start of the therapy line they
    /// assess, under the response policy of that line's trial (RECIST defaults otherwise).
    public func response(
        _ registryID: String, evaluator: Evaluator = .investigator
    ) throws(AssessmentError)
        -> PatientResponse
    {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                let patient = try PatientRow.find(registryID, on: tx)
                let id = patient.summary.registryID
                guard let recorded = try RecordedSeries.load(patientID: patient.id, evaluator: evaluator, on: tx) else {
                    throw AssessmentError.noBaseline(registryID: id, evaluator: evaluator)
                }
                guard let line = recorded.line else {
                    throw AssessmentError.noFollowUp(registryID: id, evaluator: evaluator)
                }
                let policy = try ResponsePolicyRow.load(trial: line.trialNCT, on: tx)
                let timeline = try ResponseAssessment.evaluate(
                    baseline: recorded.baseline, timePoints: recorded.timePoints, therapyStart: line.startedOn,
                    policy: policy)
                guard let series = timeline.series(for: evaluator) else {
                    throw AssessmentError.noFollowUp(registryID: id, evaluator: evaluator)
                }
                return PatientResponse(
                    registryID: id, evaluator: evaluator, baseline: recorded.baseline, lineNumber: line.number,
                    trialNCT: line.trialNCT, timeline: timeline, series: series)
            }
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// The RECIST choices of a trial: its stored row, or RECIST's defaults.
    public func policy(trial: String) throws(AssessmentError) -> ResponsePolicy {
        let nct = try Self.trialNCT(trial)
        do {
            return try ResponsePolicyRow.load(trial: nct, on: connection)
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    /// Stores a trial's RECIST choices; later responses of lines given in that trial use them.
    public func setPolicy(trial: String, _ policy: ResponsePolicy) throws(AssessmentError) {
        let nct = try Self.trialNCT(trial)
        guard (1...365).contains(policy.minimumConfirmationInterval) else {
            throw .registry(
                .input(
                    .outOfRange(
                        field: Field(path: "confirmation interval"), value: "\(policy.minimumConfirmationInterval)",
                        range: "1 to 365 days")))
        }
        guard (0...365).contains(policy.stableDiseaseMinimumInterval) else {
            throw .registry(
                .input(
                    .outOfRange(
                        field: Field(path: "SD minimum interval"), value: "\(policy.stableDiseaseMinimumInterval)",
                        range: "0 to 365 days")))
        }
        let row = ResponsePolicyRow(policy)
        do {
            try connection.execute(
                """
                INSERT INTO trial_response_policies (trial_nct, confirmation_required, confirmation_interval_days,
                    sd_minimum_interval_days, continuing_partial_response, reappearance_after_complete_response)
                VALUES (\(nct), \(policy.confirmationRequired), \(policy.minimumConfirmationInterval),
                    \(policy.stableDiseaseMinimumInterval), \(row.continuingPartialResponse), \(row.reappearance))
                ON CONFLICT (trial_nct) DO UPDATE SET
                    confirmation_required = EXCLUDED.confirmation_required,
                    confirmation_interval_days = EXCLUDED.confirmation_interval_days,
                    sd_minimum_interval_days = EXCLUDED.sd_minimum_interval_days,
                    continuing_partial_response = EXCLUDED.continuing_partial_response,
                    reappearance_after_complete_response = EXCLUDED.reappearance_after_complete_response
                """)
        } catch {
            throw AssessmentError.wrap(error)
        }
    }

    private static func trialNCT(_ text: String) throws(AssessmentError) -> String {
        do {
            return try NCTNumber.parse(text, field: .trial)
        } catch {
            throw .registry(.input(error))
        }
    }
}

/// A trial_response_policies row in the database's spelling.
struct ResponsePolicyRow {
    let continuingPartialResponse: String
    let reappearance: String

    init(_ policy: ResponsePolicy) {
        continuingPartialResponse =
            switch policy.continuingPartialResponse {
            case .keepOnceEstablished: "keep_once_established"
            case .reapplyThresholds: "reapply_thresholds"
            }
        reappearance =
            switch policy.reappearanceAfterCompleteResponse {
            case .progression: "progression"
            case .reclassifyAsPartialResponse: "reclassify_as_partial_response"
            }
    }

    /// The trial's policy, or RECIST's defaults without a trial or without a stored row.
    static func load(trial: String?, on connection: Connection) throws -> ResponsePolicy {
        guard let trial else { return .recistDefault }
        let rows = try connection.query(
            """
            SELECT confirmation_required, confirmation_interval_days, sd_minimum_interval_days,
                continuing_partial_response, reappearance_after_complete_response
            FROM trial_response_policies WHERE trial_nct = \(trial)
            """)
        guard let row = rows.first else { return .recistDefault }
        return ResponsePolicy(
            confirmationRequired: try row.decode(Bool.self, "confirmation_required"),
            minimumConfirmationInterval: try row.decode(Int.self, "confirmation_interval_days"),
            stableDiseaseMinimumInterval: try row.decode(Int.self, "sd_minimum_interval_days"),
            continuingPartialResponse: try row.decode(String.self, "continuing_partial_response")
                == "reapply_thresholds"
                ? .reapplyThresholds : .keepOnceEstablished,
            reappearanceAfterCompleteResponse: try row.decode(String.self, "reappearance_after_complete_response")
                == "reclassify_as_partial_response" ? .reclassifyAsPartialResponse : .progression)
    }
}
