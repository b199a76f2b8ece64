import PostgresClient
import RegistryDomain
import RegistryServices

/// A visit where a source's reported overall response (RS OVRLRESP) and the registry's RECIST engine differ.
public struct ResponseDiscrepancy: Codable, Sendable, Hashable {
    public let registryID: String
    public let evaluator: String
    public let visit: String
    /// The source's date, full or partial as it was sent.
    public let date: String?
    public let sourceResponse: String
    /// nil when the engine cannot score the visit; ``rule`` then says why.
    public let engineResponse: String?
    public let rule: String
}

extension SyncService {
    /// The visits whose source response differs from the engine's, per evaluator. A source date that is
    /// partial is matched to the engine's only assessment in that month or year.
    public func discrepancies(registryID: String? = nil) throws(SyncError) -> [ResponseDiscrepancy] {
        let rows: [Row]
        do {
            var query: Query = """
                SELECT p.registry_id, s.evaluator, coalesce(s.visit, s.visit_key) AS visit, s.response, s.response_date
                FROM source_responses s JOIN patients p ON p.patient_id = s.patient_id
                WHERE s.test_code = 'OVRLRESP'
                """
            if let registryID { query.append(" AND p.registry_id = \(registryID.uppercased())") }
            query.append(" ORDER BY p.registry_id, s.evaluator, s.visit_number, s.response_date")
            rows = try connection.query(query)
        } catch {
            throw SyncError.wrap(error)
        }
        let responses = ResponseService(connection: connection)
        var scored: [String: Result<[TimePointEvaluation], AssessmentError>] = [:]
        var found: [ResponseDiscrepancy] = []
        for row in rows {
            let (registryID, evaluator, visit, date, reported): (String, String, String, String?, String)
            do {
                (registryID, evaluator, visit, reported) = try row.decode((String, String, String, String).self)
                date = try row.decode(String?.self, "response_date")
            } catch {
                throw SyncError.wrap(error)
            }
            let key = registryID + "/" + evaluator
            let result: Result<[TimePointEvaluation], AssessmentError>
            if let cached = scored[key] {
                result = cached
            } else {
                do {
                    result = .success(
                        try responses.response(registryID, evaluator: Evaluator(evaluator)).series.evaluations)
                } catch {
                    result = .failure(error)
                }
                scored[key] = result
            }
            switch result {
            case .success(let evaluations):
                let candidates = evaluations.filter { date.map($0.date.description.hasPrefix) ?? false }
                guard candidates.count == 1, let evaluation = candidates.first else {
                    found.append(
                        ResponseDiscrepancy(
                            registryID: registryID, evaluator: evaluator, visit: visit, date: date,
                            sourceResponse: reported,
                            engineResponse: nil,
                            rule: "no single assessment of this evaluator on \(date ?? "an unknown date")"))
                    continue
                }
                if evaluation.overall.rawValue != reported {
                    found.append(
                        ResponseDiscrepancy(
                            registryID: registryID, evaluator: evaluator, visit: visit, date: date,
                            sourceResponse: reported,
                            engineResponse: evaluation.overall.rawValue, rule: evaluation.rule.description))
                }
            case .failure(let error):
                found.append(
                    ResponseDiscrepancy(
                        registryID: registryID, evaluator: evaluator, visit: visit, date: date,
                        sourceResponse: reported,
                        engineResponse: nil, rule: error.description))
            }
        }
        return found
    }
}
