/// Every catalog indication evaluated for one patient, grouped by status on the evaluation date.
public struct EligibilityReport: Hashable, Sendable, Codable {
    public let evaluationDate: CalendarDate
    /// In catalog order.
    public let evaluations: [IndicationEvaluation]

    public init(evaluationDate: CalendarDate, evaluations: [IndicationEvaluation]) {
        self.evaluationDate = evaluationDate
        self.evaluations = evaluations
    }

    /// Evaluations under one status heading; `status` is `nil` for indications with no status yet.
    public struct StatusGroup: Hashable, Sendable, Codable {
        public let status: TherapyStatus?
        public let evaluations: [IndicationEvaluation]
    }

    /// Groups from FDA approved to in development, then indications without a status; empty groups omitted.
    public var statusGroups: [StatusGroup] {
        let headings: [TherapyStatus?] = TherapyStatus.allCases.map(Optional.some) + [nil]
        return headings.compactMap { status in
            let members = evaluations.filter { $0.status?.status == status }
            return members.isEmpty ? nil : StatusGroup(status: status, evaluations: members)
        }
    }

    public func evaluations(withStatus status: TherapyStatus) -> [IndicationEvaluation] {
        evaluations.filter { $0.status?.status == status }
    }

    /// Indications under `status` for which no criterion is not met.
    public func fitting(withStatus status: TherapyStatus) -> [IndicationEvaluation] {
        evaluations(withStatus: status).filter(\.fits)
    }

    public func evaluation(forIndication code: String) -> IndicationEvaluation? {
        evaluations.first { $0.indication.code == code }
    }
}
