import Foundation
import PostgresClient
import RegistryDomain

extension TherapyStatus: RegistryVocabulary {}

/// An agent of the therapy catalog as `therapy_agents` holds it.
public struct CatalogAgent: Codable, Sendable, Hashable {
    public let code: String
    public let name: String
    public let drugClass: String
    public let targets: [String]
    /// `nil` when the cited source does not state the route.
    public let route: String?
    public let source: String
}

/// One indication in the catalog listing, with the status in force on the listing date.
public struct CatalogIndicationSummary: Codable, Sendable, Hashable {
    public let code: String
    public let label: String
    /// `nil` when no status was effective yet on the listing date.
    public let status: TherapyStatusEntry?
}

/// An agent with its indications, for the catalog's listing.
public struct CatalogListing: Codable, Sendable, Hashable {
    public let agent: CatalogAgent
    public let indications: [CatalogIndicationSummary]
}

/// One dated row of an indication's status history, with how precisely the source dates it.
public struct CatalogStatusRecord: Codable, Sendable, Hashable {
    public let indication: String
    public let status: TherapyStatus
    public let effectiveDate: CalendarDate
    /// `day`, `month` or `year`: month and year precision store the first day of the period.
    public let precision: String
    /// Who set the status: a regulator or the evidence (``StatusAuthority``).
    public let authority: String
    public let source: String
    public let note: String?
    /// Why a later row replaced this one (it named the FDA for a studied use); `nil` while the row stands.
    /// A superseded row stays in the history and no longer counts.
    public let supersededBecause: String?
}

/// An indication with everything a reviewer needs: criteria in words, warnings, status history.
public struct CatalogIndicationDetail: Codable, Sendable, Hashable {
    public let code: String
    public let label: String
    /// The partner agent of a combination (lenvatinib with eribulin), `nil` for a single agent.
    public let combinedWith: String?
    public let criteria: [String]
    public let boxedWarning: String?
    public let remsRequired: Bool
    public let evidenceSummary: String
    public let source: String
    public let currentStatus: TherapyStatusEntry?
    /// Oldest first.
    public let statusHistory: [CatalogStatusRecord]
}

/// One agent with all its indications, for the catalog's page of one agent.
public struct CatalogAgentDetail: Codable, Sendable, Hashable {
    public let agent: CatalogAgent
    public let asOf: CalendarDate
    public let indications: [CatalogIndicationDetail]
}

/// A status change an administrator submits; every field is text as typed, validated by the service.
public struct StatusChangeSubmission: Sendable {
    public var indication: String
    public var status: TherapyStatus
    public var effectiveDate: CalendarDate
    public var authority: StatusAuthority
    public var source: String
    public var note: String?

    public init(
        indication: String, status: TherapyStatus, effectiveDate: CalendarDate, authority: StatusAuthority,
        source: String,
        note: String? = nil
    ) {
        self.indication = indication
        self.status = status
        self.effectiveDate = effectiveDate
        self.authority = authority
        self.source = source
        self.note = note
    }
}

/// The therapy catalog: reading it, and the two changes an administrator may make.
///
/// The catalog is reference data with a history: a change of regulatory status is a new dated row
/// (the table refuses updates and deletes), and a new indication arrives complete, criteria and
/// first status in one transaction, so the matcher never sees half an indication.
public struct TherapyCatalogService {
    let connection: Connection
    let today: CalendarDate

    /// Who may set a status, as `therapy_indication_status_authority_known` allows: the regulators and the evidence.
    public static let authorities = StatusAuthority.allCases.map(\.rawValue)

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    /// Every agent with its indications and their status on `date`; with `status`, only the agents
    /// and indications holding that status then.
    public func list(asOf date: CalendarDate, status: TherapyStatus? = nil) throws(RegistryError) -> [CatalogListing] {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                let indications = Dictionary(grouping: try Self.loadIndications(on: tx), by: \.agentCode)
                return try Self.loadAgents(on: tx).compactMap { agent in
                    let summaries = (indications[agent.code] ?? []).map { indication in
                        CatalogIndicationSummary(
                            code: indication.code, label: indication.label, status: indication.status(asOf: date))
                    }
                    guard let status else { return CatalogListing(agent: agent, indications: summaries) }
                    let held = summaries.filter { $0.status?.status == status }
                    return held.isEmpty ? nil : CatalogListing(agent: agent, indications: held)
                }
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// The review's numbered references the catalog cites, each with the entries citing it and the reports the
    /// catalog names beside it: agents, indications and every status row, superseded ones included.
    public func citedReferences() throws(RegistryError) -> [CitedReference] {
        do {
            let rows = try connection.query(
                """
                SELECT agent_code AS cited_by, source_citation AS text FROM therapy_agents
                UNION ALL SELECT indication_code, source_citation FROM therapy_indications
                UNION ALL SELECT i.indication_code, s.source
                FROM therapy_indication_status s JOIN therapy_indications i USING (indication_id)
                ORDER BY 1
                """)
            return CitedReference.cited(
                in: try rows.map { (try $0.decode(String.self, "cited_by"), try $0.decode(String.self, "text")) })
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// One agent: each indication's criteria in words, warnings, evidence and full status history.
    /// The agent is named as `therapy start --agent` names it: its code, its catalog name as `catalog list` shows
    /// it ("BI 907828") or an alias.
    public func show(agent agentText: String, asOf date: CalendarDate) throws(RegistryError) -> CatalogAgentDetail {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                let agentCode = try tx.query("SELECT therapy_agent_code(\(agentText)) AS code")[0].decode(
                    String?.self, "code")
                guard let agentCode, let agent = try Self.loadAgents(on: tx, code: agentCode).first else {
                    throw RegistryError.unknownAgent(agentText)
                }
                let criteriaByCode = Dictionary(
                    uniqueKeysWithValues: try Self.loadIndications(on: tx, agent: agent.code).map { ($0.code, $0) })
                let entities = try Self.histologyEntities(on: tx)
                let history = Dictionary(grouping: try Self.statusRecords(on: tx, agent: agent.code), by: \.indication)
                let rows = try tx.query(
                    """
                    SELECT indication_code, label, combined_with_agent_code, boxed_warning, rems_required,
                           evidence_summary, source_citation
                    FROM therapy_indications WHERE agent_code = \(agent.code) ORDER BY indication_id
                    """)
                let indications = try rows.map { row in
                    let code = try row.decode(String.self, "indication_code")
                    let indication = criteriaByCode[code]
                    return CatalogIndicationDetail(
                        code: code, label: try row.decode(String.self, "label"),
                        combinedWith: try row.decode(String?.self, "combined_with_agent_code"),
                        criteria: (indication?.criteria ?? []).map { $0.wording(histologyEntities: entities) },
                        boxedWarning: try row.decode(String?.self, "boxed_warning"),
                        remsRequired: try row.decode(Bool.self, "rems_required"),
                        evidenceSummary: try row.decode(String.self, "evidence_summary"),
                        source: try row.decode(String.self, "source_citation"),
                        currentStatus: indication?.status(asOf: date),
                        statusHistory: history[code] ?? [])
                }
                return CatalogAgentDetail(agent: agent, asOf: date, indications: indications)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Records a change of an indication's status as a new dated row; earlier rows stay as they were.
    ///
    /// Refused, with nothing written: an unknown indication, a status the authority cannot grant (an FDA
    /// approval from the EMA), a date in the future, a blank source, and a second row for the same
    /// indication, authority and date.
    public func addStatus(_ submission: StatusChangeSubmission) throws(RegistryError) -> CatalogStatusRecord {
        let change = try validating { () throws(RegistryInputError) in
            try StatusChange.validate(submission, fields: .request, today: today)
        }
        let indicationCode = submission.indication.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !indicationCode.isEmpty else { throw .input(.missing(field: .indication)) }
        do {
            return try connection.withTransaction { tx in
                let rows = try tx.query(
                    "SELECT indication_id FROM therapy_indications WHERE indication_code = \(indicationCode)")
                guard let indicationID = try rows.first?.decode(Int.self, "indication_id") else {
                    throw RegistryError.input(
                        .notAllowed(
                            field: .indication, value: submission.indication,
                            allowed: "an indication code of the agent in the therapy catalog"))
                }
                try change.insert(indicationID: indicationID, indicationCode: indicationCode, fields: .request, on: tx)
                return change.record(indication: indicationCode)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Adds an indication described by a JSON document (see ``IndicationSubmission``), with its
    /// histology and biomarker criteria and its first status, in one transaction.
    public func addIndication(json data: Data) throws(RegistryError) -> CatalogIndicationDetail {
        let submission = try validating { () throws(RegistryInputError) in
            try IndicationSubmission(json: data, today: today)
        }
        return try addIndication(submission)
    }

    /// Adds a validated indication; the names in the vocabulary (agent, codes, groups, genes,
    /// therapy classes) are checked against the database inside the transaction.
    func addIndication(_ submission: IndicationSubmission) throws(RegistryError) -> CatalogIndicationDetail {
        do {
            try connection.withTransaction { tx in
                try submission.checkVocabulary(on: tx)
                try submission.insert(on: tx)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
        let detail = try show(agent: submission.agent, asOf: submission.initialStatus.effectiveDate)
        guard let added = detail.indications.first(where: { $0.code == submission.code }) else {
            throw .unknownIndication(submission.code)
        }
        return added
    }

    /// The whole catalog as the eligibility matcher reads it.
    public func indications() throws(RegistryError) -> [TherapyIndication] {
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in try Self.loadIndications(on: tx) }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}

// MARK: - Reading the catalog

extension TherapyCatalogService {
    static func loadAgents(on connection: Connection, code: String? = nil) throws -> [CatalogAgent] {
        var query: Query = "SELECT agent_code, name, drug_class, targets, route, source_citation FROM therapy_agents"
        if let code { query.append(" WHERE agent_code = \(code)") }
        query.append(" ORDER BY agent_code")
        return try connection.query(query).map { row in
            CatalogAgent(
                code: try row.decode(String.self, "agent_code"), name: try row.decode(String.self, "name"),
                drugClass: try row.decode(String.self, "drug_class"), targets: try row.decode([String].self, "targets"),
                route: try row.decode(String?.self, "route"), source: try row.decode(String.self, "source_citation"))
        }
    }

    /// Loads indications (all, or one agent's) with their criteria and standing status history (superseded
    /// rows left out) in five
    /// queries, whatever the size of the catalog: indications, entity groups, histology rows,
    /// biomarker rows and status rows, joined up in memory.
    ///
    /// Run it inside a repeatable-read transaction so the five queries see one snapshot.
    static func loadIndications(on connection: Connection, agent: String? = nil) throws -> [TherapyIndication] {
        var filter: Query = ""
        if let agent { filter = " WHERE i.agent_code = \(agent)" }
        let indicationRows = try connection.query(
            """
            SELECT i.indication_id, i.indication_code, i.agent_code, i.label, i.minimum_age_years, i.disease_settings,
                   i.required_prior_therapy_classes, i.minimum_prior_lines
            FROM therapy_indications i\(filter) ORDER BY i.indication_id
            """)
        let groups = try entityGroups(on: connection)
        var histologies: [Int: (included: [HistologySelector], excluded: [HistologySelector])] = [:]
        for row in try connection.query(
            """
            SELECT h.indication_id, h.selection, h.code, h.group_code
            FROM therapy_indication_histologies h JOIN therapy_indications i USING (indication_id)\(filter)
            ORDER BY h.indication_histology_id
            """)
        {
            let id = try row.decode(Int.self, "indication_id")
            let selector: HistologySelector
            if let code = try row.decode(String?.self, "code") {
                selector = .code(try catalogValue { () throws(EligibilityInputError) in try HistologyCode(code) })
            } else {
                let groupCode = try row.decode(String.self, "group_code")
                guard let group = groups[groupCode] else {
                    throw catalogDataError("entity group '\(groupCode)' is missing")
                }
                selector = group
            }
            if try row.decode(String.self, "selection") == "exclude" {
                histologies[id, default: ([], [])].excluded.append(selector)
            } else {
                histologies[id, default: ([], [])].included.append(selector)
            }
        }
        // Rows with one requirement and label are alternatives of one criterion. Required criteria
        // come before excluding ones, then by label and gene: the seed's row ids follow no clinical order.
        var biomarkers: [Int: [(requirement: String, label: String, alternatives: [BiomarkerSpecification])]] = [:]
        for row in try connection.query(
            """
            SELECT b.indication_id, b.requirement, b.criterion_label, b.gene, b.alteration_kind, b.partner_gene,
                   b.acquired_resistance_only
            FROM therapy_indication_biomarkers b JOIN therapy_indications i USING (indication_id)\(filter)
            ORDER BY b.indication_id, b.requirement DESC, b.criterion_label, b.gene, b.partner_gene NULLS FIRST
            """)
        {
            let id = try row.decode(Int.self, "indication_id")
            let requirement = try row.decode(String.self, "requirement")
            let label = try row.decode(String.self, "criterion_label")
            let kindText = try row.decode(String.self, "alteration_kind")
            guard let kind = MolecularAlterationKind(rawValue: kindText) else {
                throw catalogDataError("alteration kind '\(kindText)' is not in the registry's vocabulary")
            }
            let specification = BiomarkerSpecification(
                gene: try row.decode(String.self, "gene"), kind: kind,
                partnerGene: try row.decode(String?.self, "partner_gene"),
                acquiredResistanceOnly: try row.decode(Bool.self, "acquired_resistance_only"))
            var criteria = biomarkers[id, default: []]
            if let index = criteria.firstIndex(where: { $0.requirement == requirement && $0.label == label }) {
                criteria[index].alternatives.append(specification)
            } else {
                criteria.append((requirement, label, [specification]))
            }
            biomarkers[id] = criteria
        }
        var statuses: [Int: [TherapyStatusEntry]] = [:]
        for row in try connection.query(
            """
            SELECT s.indication_id, s.status, s.effective_date, s.effective_date_precision, s.authority, s.source
            FROM standing_indication_status s JOIN therapy_indications i USING (indication_id)\(filter)
            ORDER BY s.effective_date, s.indication_status_id
            """)
        {
            let statusText = try row.decode(String.self, "status")
            let precisionText = try row.decode(String.self, "effective_date_precision")
            guard let status = TherapyStatus(rawValue: statusText),
                let precision = TherapyStatusEntry.Precision(rawValue: precisionText)
            else {
                throw catalogDataError(
                    "status '\(statusText)' dated to the \(precisionText) is not in the registry's vocabulary")
            }
            statuses[try row.decode(Int.self, "indication_id"), default: []].append(
                TherapyStatusEntry(
                    status: status, effectiveDate: try row.decode(CalendarDate.self, "effective_date"),
                    authority: try row.decode(String.self, "authority"), source: try row.decode(String.self, "source"),
                    precision: precision))
        }
        return try indicationRows.map { row in
            let id = try row.decode(Int.self, "indication_id")
            let code = try row.decode(String.self, "indication_code")
            var criteria: [EligibilityCriterion] = []
            if let histology = histologies[id] {
                criteria.append(
                    .histology(
                        try catalogValue(of: code) { () throws(EligibilityInputError) in
                            try HistologyCriterion(included: histology.included, excluded: histology.excluded)
                        }))
            }
            for biomarker in biomarkers[id] ?? [] {
                let criterion = try catalogValue(of: code) { () throws(EligibilityInputError) in
                    try BiomarkerCriterion(label: biomarker.label, alternatives: biomarker.alternatives)
                }
                criteria.append(
                    biomarker.requirement == "excluding"
                        ? .excludingBiomarker(criterion) : .requiredBiomarker(criterion))
            }
            if let age = try row.decode(Int?.self, "minimum_age_years") {
                criteria.append(.minimumAge(years: age))
            }
            let settings = try row.decode([String].self, "disease_settings").map { text in
                guard let setting = DiseaseSetting(rawValue: text) else {
                    throw catalogDataError(
                        "indication \(code): disease setting '\(text)' is not in the registry's vocabulary")
                }
                return setting
            }
            criteria.append(.diseaseSetting(allowed: Set(settings)))
            let priorClasses = Set(try row.decode([String].self, "required_prior_therapy_classes"))
            let priorLines = try row.decode(Int.self, "minimum_prior_lines")
            if !priorClasses.isEmpty || priorLines > 0 {
                criteria.append(
                    .priorTherapy(PriorTherapyCriterion(requiredClasses: priorClasses, minimumLines: priorLines)))
            }
            return TherapyIndication(
                code: code, agentCode: try row.decode(String.self, "agent_code"),
                label: try row.decode(String.self, "label"),
                criteria: criteria, statusHistory: statuses[id] ?? [])
        }
    }

    /// Entity groups as selectors: a universal group matches every code, the others their members.
    static func entityGroups(on connection: Connection) throws -> [String: HistologySelector] {
        let rows = try connection.query(
            """
            SELECT g.group_code, g.is_universal, coalesce(array_agg(m.code) FILTER (WHERE m.code IS NOT NULL), '{}') AS members
            FROM histology_entity_groups g LEFT JOIN histology_entity_group_members m USING (group_code)
            GROUP BY g.group_code, g.is_universal
            """)
        var groups: [String: HistologySelector] = [:]
        for row in rows {
            let code = try row.decode(String.self, "group_code")
            if try row.decode(Bool.self, "is_universal") {
                groups[code] = .anyHistology
            } else {
                let members = try row.decode([String].self, "members").map { text in
                    try catalogValue { () throws(EligibilityInputError) in try HistologyCode(text) }
                }
                groups[code] = .group(HistologyEntityGroup(code: code, members: Set(members)))
            }
        }
        return groups
    }

    static func histologyEntities(on connection: Connection) throws -> [String: String] {
        var entities: [String: String] = [:]
        for row in try connection.query("SELECT code, entity FROM histology_codes") {
            let (code, entity) = try row.decode((String, String).self)
            entities[code] = entity
        }
        return entities
    }

    static func statusRecords(on connection: Connection, agent: String) throws -> [CatalogStatusRecord] {
        try connection.query(
            """
            SELECT i.indication_code, s.status, s.effective_date, s.effective_date_precision, s.authority, s.source, s.note,
                   x.reason AS superseded_because
            FROM therapy_indication_status s JOIN therapy_indications i USING (indication_id)
            LEFT JOIN therapy_indication_status_supersessions x USING (indication_status_id)
            WHERE i.agent_code = \(agent)
            ORDER BY s.effective_date, s.indication_status_id
            """
        ).map { row in
            let statusText = try row.decode(String.self, "status")
            guard let status = TherapyStatus(rawValue: statusText) else {
                throw catalogDataError("status '\(statusText)' is not in the registry's vocabulary")
            }
            return CatalogStatusRecord(
                indication: try row.decode(String.self, "indication_code"), status: status,
                effectiveDate: try row.decode(CalendarDate.self, "effective_date"),
                precision: try row.decode(String.self, "effective_date_precision"),
                authority: try row.decode(String.self, "authority"), source: try row.decode(String.self, "source"),
                note: try row.decode(String?.self, "note"),
                supersededBecause: try row.decode(String?.self, "superseded_because"))
        }
    }

    /// Catalog rows the schema allows but the matcher cannot read (e.g. exclusions without an
    /// inclusion, entered by hand in SQL) are reported as a database problem, naming the row.
    static func catalogDataError(_ message: String) -> RegistryError {
        .database(PostgresError(kind: .client, message: "therapy catalog: \(message)"))
    }

    static func catalogValue<T>(of indication: String? = nil, _ body: () throws(EligibilityInputError) -> T) throws -> T
    {
        do {
            return try body()
        } catch {
            throw catalogDataError(indication.map { "indication \($0): \(error)" } ?? error.description)
        }
    }
}

// MARK: - Criteria in words

extension EligibilityCriterion {
    /// The criterion as a reviewer reads it, e.g. "histology: soft tissue sarcoma, excluding adipocytic".
    ///
    /// - Parameter histologyEntities: entity names by ICD-O-3 code, so single codes read "8804/3 Epithelioid sarcoma".
    public func wording(histologyEntities: [String: String] = [:]) -> String {
        func selector(_ selector: HistologySelector) -> String {
            guard case .code(let code) = selector, let entity = histologyEntities[code.rawValue] else {
                return selector.description
            }
            return "\(code) \(entity)"
        }
        switch self {
        case .histology(let criterion):
            let included = criterion.included.map(selector).joined(separator: " or ")
            let excluded = criterion.excluded.map(selector).joined(separator: " or ")
            return excluded.isEmpty ? "histology: \(included)" : "histology: \(included), excluding \(excluded)"
        case .requiredBiomarker(let criterion):
            return "\(criterion.label): requires \(criterion.alternatives.map(\.description).joined(separator: " or "))"
        case .excludingBiomarker(let criterion):
            return
                "\(criterion.label): ruled out by a recorded \(criterion.alternatives.map(\.description).joined(separator: " or "))"
        case .minimumAge(let years):
            return "age: \(years) years or older"
        case .diseaseSetting(let allowed):
            return "disease setting: \(allowed.sorted().map(\.description).joined(separator: " or "))"
        case .priorTherapy(let criterion):
            let lines =
                criterion.minimumLines == 1 ? "at least 1 prior line" : "at least \(criterion.minimumLines) prior lines"
            guard !criterion.requiredClasses.isEmpty else { return "prior therapy: \(lines)" }
            let classes = criterion.requiredClasses.sorted().map { String($0.map { $0 == "_" ? " " : $0 }) }
            return "prior therapy: \(lines), including \(classes.joined(separator: " or "))"
        }
    }

    /// A short name for the criterion in match results: "histology", "NTRK fusion", "minimum age 16".
    public var name: String {
        switch self {
        case .histology: "histology"
        case .requiredBiomarker(let criterion): criterion.label
        case .excludingBiomarker(let criterion): "no \(criterion.label)"
        case .minimumAge(let years): "minimum age \(years)"
        case .diseaseSetting: "disease setting"
        case .priorTherapy: "prior therapy"
        }
    }
}
