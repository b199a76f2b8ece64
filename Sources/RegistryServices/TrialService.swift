import Foundation
import PostgresClient
import RegistryDomain

/// A trial as listed: identification, status and accrual against capacity.
public struct TrialSummary: Codable, Sendable, Hashable {
    public let nct: String
    public let acronym: String?
    public let title: String
    public let phase: String
    public let status: String
    public let sponsor: String
    public let enrolled: Int
    public let capacity: Int
}

/// A screening as logged, with every criterion's outcome and the patient's value beside it.
public struct ScreeningResult: Codable, Sendable {
    public let screeningID: Int
    public let registryID: String
    public let trialNCT: String
    public let cohort: String?
    public let screenedOn: CalendarDate
    public let outcome: ScreeningOutcome
    public let criteria: [TrialCriterionEvaluation]
}

/// What a coordinator submits to enroll a screened patient.
public struct TrialEnrollmentRequest: Sendable {
    public var trialNCT: String
    public var cohort: String?
    /// `factor=level` pairs, e.g. `region=us`.
    public var strata: [String]
    /// The person enrolling, recorded beside the database user.
    public var enrolledBy: String?

    public init(trialNCT: String, cohort: String? = nil, strata: [String] = [], enrolledBy: String? = nil) {
        self.trialNCT = trialNCT
        self.cohort = cohort
        self.strata = strata
        self.enrolledBy = enrolledBy
    }
}

/// An enrollment: the place taken in the cohort and the arm revealed for it.
public struct TrialEnrollmentRecord: Codable, Sendable, Hashable {
    public let registryID: String
    public let trialNCT: String
    public let cohort: String
    public let placeNumber: Int
    public let capacity: Int
    public let armCode: String
    public let armLabel: String
    public let stratum: String
    /// Position in the cohort and stratum's allocation sequence; `nil` for a fixed-arm cohort.
    public let sequencePosition: Int?
    public let enrolledOn: CalendarDate
    public let enrolledBy: String
    public let enrolledByName: String?
}

/// Trials: definitions, screening with its log, enrollment with concealed stratified randomization.
public struct TrialService {
    let connection: Connection
    let today: CalendarDate
    let baselineDisease: any BaselineDiseaseSource

    public init(
        connection: Connection, today: CalendarDate = .today,
        baselineDisease: any BaselineDiseaseSource = RecordedBaselineLesions()
    ) {
        self.connection = connection
        self.today = today
        self.baselineDisease = baselineDisease
    }

    /// Adds a trial from its JSON definition and generates every randomized cohort's allocation sequences.
    ///
    /// - Throws: the first problem of the definition, naming the field and value; nothing is written.
    public func add(definition json: Data) throws(TrialError) -> TrialSummary {
        let document: DefinitionValue
        do {
            document = try JSONDecoder().decode(DefinitionValue.self, from: json)
        } catch {
            throw .registry(
                .input(
                    .malformed(
                        field: Field(path: "definition"), value: Self.excerpt(json),
                        expected: "a JSON object (\(Self.reason(error)))")))
        }
        do {
            return try connection.withTransaction { tx in
                let trial = try TrialDefinition(document: document, vocabulary: try Self.vocabulary(on: tx))
                if try !tx.query("SELECT 1 FROM trials WHERE trial_nct = \(trial.nct)").isEmpty {
                    throw TrialError.trialExists(trial.nct)
                }
                try Self.insert(trial, definition: String(decoding: json, as: UTF8.self), on: tx)
                return TrialSummary(
                    nct: trial.nct, acronym: trial.acronym, title: trial.title, phase: trial.phase.rawValue,
                    status: trial.status.rawValue, sponsor: trial.sponsor, enrolled: 0,
                    capacity: trial.cohorts.map(\.capacity).reduce(0, +))
            }
        } catch {
            throw TrialError.wrap(error)
        }
    }

    public func list() throws(TrialError) -> [TrialSummary] {
        do {
            return try connection.query(
                """
                SELECT t.trial_nct, t.acronym, t.title, t.phase, t.status, t.sponsor,
                       coalesce(sum(c.places_taken), 0)::bigint AS enrolled, coalesce(sum(c.capacity), 0)::bigint AS capacity
                FROM trials t LEFT JOIN trial_cohorts c USING (trial_nct)
                GROUP BY t.trial_nct ORDER BY t.trial_nct
                """
            ).map(Self.summary)
        } catch {
            throw TrialError.wrap(error)
        }
    }

    /// Sets the trial's recruitment status and returns the one it replaces; moving to recruiting opens its cohorts.
    public func setStatus(
        _ nctText: String, _ status: TrialRecruitmentStatus
    ) throws(TrialError) -> (nct: String, previous: TrialRecruitmentStatus) {
        let nct = try Self.validateNCT(nctText)
        do {
            return try connection.withTransaction { tx in
                let rows = try tx.query("SELECT status FROM trials WHERE trial_nct = \(nct) FOR UPDATE")
                guard let row = rows.first else { throw TrialError.trialNotFound(nct) }
                let previousText = try row.decode(String.self, "status")
                try tx.execute("UPDATE trials SET status = \(status.rawValue) WHERE trial_nct = \(nct)")
                return (nct, TrialRecruitmentStatus(rawValue: previousText) ?? status)
            }
        } catch {
            throw TrialError.wrap(error)
        }
    }

    /// Screens a patient against a trial (and a cohort), logs the screening and returns it.
    public func screen(
        _ registryID: String, trial nctText: String, cohort: String? = nil, by name: String? = nil
    ) throws(TrialError) -> ScreeningResult {
        let nct = try Self.validateNCT(nctText)
        do {
            return try connection.withTransaction { tx in
                let (trial, _) = try Self.loadTrial(nct, on: tx)
                if let cohort { _ = try Self.cohort(cohort, of: trial) }
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                let screening = TrialScreener.screen(
                    try candidate(patient, on: tx), for: trial, cohort: cohort, on: today)
                let id = try Self.log(screening, patientID: patient.id, by: name?.nonEmpty, on: tx)
                return ScreeningResult(
                    screeningID: id, registryID: patient.summary.registryID, trialNCT: nct,
                    cohort: screening.cohortCode,
                    screenedOn: today, outcome: screening.outcome, criteria: screening.criteria)
            }
        } catch {
            throw TrialError.wrap(error)
        }
    }

    /// Enrolls an eligible patient into a cohort and, in a randomized cohort, reveals the next slot of the
    /// stratum's allocation sequence.
    ///
    /// The cohort row is updated first under its row lock (`places_taken < capacity`), so concurrent
    /// enrollments queue on it: each place is handed out once, and when the cohort is full the rest are
    /// told so. The slot is taken with `FOR UPDATE SKIP LOCKED` in sequence order.
    public func enroll(
        _ registryID: String, _ request: TrialEnrollmentRequest
    ) throws(TrialError) -> TrialEnrollmentRecord {
        let nct = try Self.validateNCT(request.trialNCT)
        let name = request.enrolledBy?.nonEmpty
        do {
            return try connection.withTransaction { tx in
                let (trial, status) = try Self.loadTrial(nct, on: tx)
                guard status == .recruiting else { throw TrialError.notRecruiting(trial: nct, status: status) }
                let cohort: TrialCohort
                if let code = request.cohort?.nonEmpty {
                    cohort = try Self.cohort(code, of: trial)
                } else if trial.cohorts.count == 1 {
                    cohort = trial.cohorts[0]
                } else {
                    throw TrialError.cohortRequired(trial: nct, cohorts: trial.cohorts.map(\.code))
                }
                let stratum = try Self.stratumKey(request.strata, trial: trial, cohort: cohort)
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                let id = patient.summary.registryID
                let existing = try tx.query(
                    """
                    SELECT c.cohort_code, e.place_number FROM trial_enrollments e JOIN trial_cohorts c USING (cohort_id)
                    WHERE e.trial_nct = \(nct) AND e.patient_id = \(patient.id)
                    """)
                if let row = existing.first {
                    let (code, place) = try row.decode((String, Int).self)
                    throw TrialError.alreadyEnrolled(registryID: id, trial: nct, cohort: code, place: place)
                }
                let screening = TrialScreener.screen(
                    try candidate(patient, on: tx), for: trial, cohort: cohort.code, on: today)
                switch screening.outcome {
                case .notEligible:
                    throw TrialError.ineligible(
                        registryID: id, trial: nct, unmet: screening.unmetCriteria.map(\.reason))
                case .incomplete:
                    throw TrialError.eligibilityIncomplete(
                        registryID: id, trial: nct, unknown: screening.unknownCriteria.map(\.reason))
                case .eligible: break
                }
                let cohortID = try Self.cohortID(nct, cohort.code, on: tx)
                let screeningID = try Self.log(screening, patientID: patient.id, by: name, on: tx)
                // The database takes the cohort's next place and reveals the stratum's next slot as the row goes in
                // (migration 0021): no login reads an unrevealed slot or sets a cohort's count.
                let inserted: [Row]
                do {
                    inserted = try tx.query(
                        """
                        INSERT INTO trial_enrollments (trial_nct, cohort_id, patient_id, site_code, stratum_key, screening_id,
                            enrolled_on, enrolled_by_name)
                        VALUES (\(nct), \(cohortID), \(patient.id), \(patient.summary.site), \(stratum), \(screeningID), \(today), \(name))
                        RETURNING enrolled_by, place_number, arm_code, allocation_position
                        """)
                } catch let error as PostgresError where error.constraint == "trial_enrollments_place_available" {
                    throw TrialError.cohortFull(trial: nct, cohort: cohort.code, capacity: cohort.capacity)
                } catch let error as PostgresError where error.constraint == "trial_enrollments_slot_available" {
                    throw TrialError.allocationExhausted(trial: nct, cohort: cohort.code, stratum: stratum)
                }
                let databaseUser = try inserted[0].decode(String.self, "enrolled_by")
                let placeNumber = try inserted[0].decode(Int.self, "place_number")
                let armCode = try inserted[0].decode(String.self, "arm_code")
                let position = try inserted[0].decode(Int?.self, "allocation_position")
                return TrialEnrollmentRecord(
                    registryID: id, trialNCT: nct, cohort: cohort.code, placeNumber: placeNumber,
                    capacity: cohort.capacity,
                    armCode: armCode, armLabel: trial.arms.first { $0.code == armCode }?.label ?? armCode,
                    stratum: stratum,
                    sequencePosition: position, enrolledOn: today, enrolledBy: databaseUser, enrolledByName: name)
            }
        } catch {
            throw TrialError.wrap(error)
        }
    }

    // MARK: - Loading

    static func validateNCT(_ text: String) throws(TrialError) -> String {
        do {
            return try NCTNumber.parse(text, field: .trial)
        } catch {
            throw .registry(.input(error))
        }
    }

    static func summary(_ row: Row) throws -> TrialSummary {
        TrialSummary(
            nct: try row.decode(String.self, "trial_nct"), acronym: try row.decode(String?.self, "acronym"),
            title: try row.decode(String.self, "title"), phase: try row.decode(String.self, "phase"),
            status: try row.decode(String.self, "status"), sponsor: try row.decode(String.self, "sponsor"),
            enrolled: try row.decode(Int.self, "enrolled"), capacity: try row.decode(Int.self, "capacity"))
    }

    static func cohortID(_ nct: String, _ code: String, on tx: Connection) throws -> Int {
        try tx.query("SELECT cohort_id FROM trial_cohorts WHERE trial_nct = \(nct) AND cohort_code = \(code)")[0]
            .decode(Int.self, "cohort_id")
    }

    static func cohort(_ code: String, of trial: TrialDefinition) throws -> TrialCohort {
        let code = code.trimmingCharacters(in: .whitespaces).lowercased()
        guard let cohort = trial.cohort(code) else {
            throw TrialError.cohortNotFound(trial: trial.nct, cohort: code, cohorts: trial.cohorts.map(\.code))
        }
        return cohort
    }

    static func stratumKey(_ pairs: [String], trial: TrialDefinition, cohort: TrialCohort) throws -> String {
        guard let scheme = trial.randomization, cohort.assignment == .randomized || !pairs.isEmpty else { return "" }
        return try scheme.stratumKey(pairs, field: .stratum)
    }

    /// The trial as stored, re-read against today's vocabulary, with its current recruitment status.
    static func loadTrial(
        _ nct: String, on connection: Connection, vocabulary known: TrialVocabulary? = nil
    ) throws
        -> (TrialDefinition, TrialRecruitmentStatus)
    {
        let rows = try connection.query(
            "SELECT definition::text AS definition, status FROM trials WHERE trial_nct = \(nct)")
        guard let row = rows.first else { throw TrialError.trialNotFound(nct) }
        let (text, statusText) = try row.decode((String, String).self)
        let document = try JSONDecoder().decode(DefinitionValue.self, from: Data(text.utf8))
        let trial = try TrialDefinition(document: document, vocabulary: try known ?? vocabulary(on: connection))
        return (trial, TrialRecruitmentStatus(rawValue: statusText) ?? trial.status)
    }

    static func vocabulary(on connection: Connection) throws -> TrialVocabulary {
        let codes = try connection.query("SELECT code FROM histology_codes").map {
            try HistologyCode(try $0.decode(String.self, "code"))
        }
        var groups: [String: HistologySelector] = [:]
        let groupRows = try connection.query(
            """
            SELECT g.group_code, g.is_universal, coalesce(array_agg(m.code) FILTER (WHERE m.code IS NOT NULL), '{}') AS members
            FROM histology_entity_groups g LEFT JOIN histology_entity_group_members m USING (group_code)
            GROUP BY g.group_code, g.is_universal
            """)
        for row in groupRows {
            let (code, universal, members) = try row.decode((String, Bool, [String]).self)
            groups[code] =
                universal
                ? .anyHistology
                : .group(HistologyEntityGroup(code: code, members: Set(try members.map { try HistologyCode($0) })))
        }
        let agents = try connection.query("SELECT agent_code, drug_class FROM therapy_agents").map {
            try $0.decode((String, String).self)
        }
        return TrialVocabulary(
            histologyCodes: Set(codes), histologyGroups: groups,
            genes: Set(try connection.query("SELECT symbol FROM genes").map { try $0.decode(String.self, "symbol") }),
            agents: Set(agents.map(\.0)), drugClasses: Set(agents.map(\.1)))
    }

    /// What the registry knows about the patient on `today`, as the screener reads it.
    func candidate(_ patient: PatientRow, on connection: Connection) throws -> TrialCandidate {
        let id = patient.id
        let diagnoses = try connection.query(
            "SELECT icdo3_code, who_entity, disease_setting FROM diagnoses WHERE patient_id = \(id) ORDER BY diagnosis_id"
        ).map { row in
            let (code, entity, setting) = try row.decode((String, String, String).self)
            return PatientProfile.Diagnosis(
                histologyCode: try HistologyCode(code), entity: entity,
                diseaseSetting: DiseaseSetting(rawValue: setting))
        }
        let findings = try connection.query(
            "SELECT gene, alteration_kind, partner_gene, result, hgvs, acquired_resistance FROM molecular_results WHERE patient_id = \(id) AND report_date <= \(today) AND void_reason IS NULL"
        ).compactMap { row -> PatientProfile.MolecularFinding? in
            guard let kind = MolecularAlterationKind(rawValue: try row.decode(String.self, "alteration_kind")),
                let result = PatientProfile.TestResult(rawValue: try row.decode(String.self, "result"))
            else { return nil }
            return PatientProfile.MolecularFinding(
                gene: try row.decode(String.self, "gene"), kind: kind,
                partnerGene: try row.decode(String?.self, "partner_gene"),
                result: result, variant: try row.decode(String?.self, "hgvs"),
                isAcquiredResistanceMutation: try row.decode(Bool.self, "acquired_resistance"))
        }
        // Every line started before the screening counts; a patient with no line recorded has had none.
        let prior = try connection.query(
            """
            SELECT count(DISTINCT l.therapy_line_id)::bigint AS lines,
                   coalesce(array_agg(DISTINCT a.agent_code) FILTER (WHERE a.agent_code IS NOT NULL), '{}') AS agents,
                   coalesce(array_agg(DISTINCT g.drug_class) FILTER (WHERE g.drug_class IS NOT NULL), '{}') AS classes
            FROM therapy_lines l
            LEFT JOIN therapy_line_agents a USING (therapy_line_id)
            LEFT JOIN therapy_agents g USING (agent_code)
            WHERE l.patient_id = \(id) AND l.started_on <= \(today)
            """)[0]
        let history = try PatientProfile.PriorTherapyHistory(
            agents: Set(try prior.decode([String].self, "agents")),
            classes: Set(try prior.decode([String].self, "classes")),
            lineCount: try prior.decode(Int.self, "lines"))
        let ecog = try connection.query(
            "SELECT ecog, assessed_on FROM patient_ecog WHERE patient_id = \(id) AND assessed_on <= \(today) ORDER BY assessed_on DESC LIMIT 1"
        ).first.map { row in
            let (score, date) = try row.decode((Int, CalendarDate).self)
            return ECOGObservation(score: score, assessedOn: date)
        }
        return TrialCandidate(
            profile: try PatientProfile(
                ageInYears: nil, diagnoses: diagnoses, molecularFindings: findings, priorTherapy: history),
            possibleAges: TrialCandidate.possibleAges(
                birthYear: patient.summary.birthYear, birthDate: patient.birthDate, on: today),
            ecog: ecog,
            baselineDisease: try baselineDisease.baselineDisease(
                registryID: patient.summary.registryID, patientID: id, on: connection))
    }

    // MARK: - Writing

    static func insert(_ trial: TrialDefinition, definition: String, on tx: Connection) throws {
        let blockSizes = trial.randomization.map(\.blockSizes)
        let seed = trial.randomization.map { Int(bitPattern: UInt($0.seed)) }
        try tx.execute(
            """
            INSERT INTO trials (trial_nct, acronym, title, phase, status, sponsor, definition, randomization_seed, block_sizes)
            VALUES (\(trial.nct), \(trial.acronym), \(trial.title), \(trial.phase.rawValue), \(trial.status.rawValue), \(trial.sponsor),
                \(definition)::jsonb, \(seed), \(blockSizes)::integer[])
            """)
        for (position, arm) in trial.arms.enumerated() {
            try tx.execute(
                """
                INSERT INTO trial_arms (trial_nct, arm_code, label, allocation_ratio, agents, position)
                VALUES (\(trial.nct), \(arm.code), \(arm.label), \(arm.ratio), \(arm.agents), \(position + 1))
                """)
        }
        for (position, factor) in (trial.randomization?.strata ?? []).enumerated() {
            try tx.execute(
                "INSERT INTO trial_strata_factors (trial_nct, factor_code, levels, position) VALUES (\(trial.nct), \(factor.code), \(factor.levels), \(position + 1))"
            )
        }
        for (position, cohort) in trial.cohorts.enumerated() {
            let fixedArm: String? = if case .fixed(let arm) = cohort.assignment { arm } else { nil }
            let rows = try tx.query(
                """
                INSERT INTO trial_cohorts (trial_nct, cohort_code, label, capacity, fixed_arm_code, position)
                VALUES (\(trial.nct), \(cohort.code), \(cohort.label), \(cohort.capacity), \(fixedArm), \(position + 1))
                RETURNING cohort_id
                """)
            guard cohort.assignment == .randomized, let scheme = trial.randomization else { continue }
            let cohortID = try rows[0].decode(Int.self, "cohort_id")
            let generator = PermutedBlockRandomization(arms: trial.arms, blockSizes: scheme.blockSizes)
            // Each stratum gets enough slots for the whole cohort, as every patient may fall into one stratum.
            for stratum in scheme.strataKeys {
                let slots = generator.sequence(
                    seed: scheme.seed, stream: "\(cohort.code)|\(stratum)", minimumLength: cohort.capacity)
                try tx.execute(
                    """
                    INSERT INTO trial_allocation_slots (cohort_id, stratum_key, position, block_number, block_size, trial_nct, arm_code)
                    SELECT \(cohortID), \(stratum), s.position, s.block_number, s.block_size, \(trial.nct), s.arm_code
                    FROM unnest(\(slots.map(\.position))::integer[], \(slots.map(\.blockNumber))::integer[],
                                \(slots.map(\.blockSize))::integer[], \(slots.map(\.armCode))::text[])
                         AS s(position, block_number, block_size, arm_code)
                    """)
            }
        }
    }

    static func log(_ screening: TrialScreening, patientID: Int, by name: String?, on tx: Connection) throws -> Int {
        let rows = try tx.query(
            """
            INSERT INTO trial_screenings (trial_nct, patient_id, cohort_code, screened_on, outcome, screened_by_name)
            VALUES (\(screening.trialNCT), \(patientID), \(screening.cohortCode), \(screening.screenedOn), \(screening.outcome.rawValue), \(name))
            RETURNING screening_id
            """)
        let id = try rows[0].decode(Int.self, "screening_id")
        let criteria = screening.criteria
        try tx.execute(
            """
            INSERT INTO trial_screening_criteria (screening_id, position, criterion_kind, criterion, outcome, patient_value, reason)
            SELECT \(id), c.position, c.kind, c.criterion, c.outcome, c.patient_value, c.reason
            FROM unnest(\(criteria.indices.map { $0 + 1 })::integer[], \(criteria.map(\.kind.rawValue))::text[],
                        \(criteria.map(\.criterion))::text[], \(criteria.map(\.outcome.rawValue))::text[],
                        \(criteria.map(\.patientValue))::text[], \(criteria.map(\.reason))::text[])
                 AS c(position, kind, criterion, outcome, patient_value, reason)
            """)
        return id
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(40), as: UTF8.self)
        return data.count > 40 ? text + "…" : text
    }

    static func reason(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context): return context.debugDescription
        default: return "not valid JSON"
        }
    }
}
