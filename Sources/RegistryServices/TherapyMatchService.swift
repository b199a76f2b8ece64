import Foundation
import PostgresClient
import RegistryDomain

/// The therapy classes a patient's history has, in the vocabulary of prior-therapy criteria.
///
/// Agents carry one ``DrugClass`` (`doxorubicin`: `anthracycline`); criteria may also ask for
/// `cytotoxic_chemotherapy` ("after prior chemotherapy"), which every cytotoxic class belongs to.
enum PriorTherapyClasses {
    static func classes(ofDrugClasses drugClasses: Set<String>) -> Set<String> {
        let cytotoxic = drugClasses.contains { DrugClass(rawValue: $0)?.isCytotoxic == true }
        return cytotoxic ? drugClasses.union([DrugClass.cytotoxicChemotherapy]) : drugClasses
    }

    /// Every class a criterion may name: the agents' drug classes and the umbrella class.
    static func known(on connection: Connection) throws -> Set<String> {
        let rows = try connection.query("SELECT DISTINCT drug_class FROM therapy_agents")
        return Set(try rows.map { try $0.decode(String.self, "drug_class") }).union([DrugClass.cytotoxicChemotherapy])
    }
}

/// A patient's age on the evaluation date, as exactly as the record allows.
public enum AgeAtEvaluation: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Completed years, from the recorded birth date.
    case exact(years: Int)
    /// Only the birth year is recorded: the patient is `lower` or `lower + 1` years old,
    /// depending on whether the birthday has passed.
    case birthYearOnly(birthYear: Int, lower: Int, upper: Int)

    public var description: String {
        switch self {
        case .exact(let years): "\(years) years"
        case .birthYearOnly(let birthYear, let lower, let upper):
            lower == upper
                ? "\(lower) years (born \(birthYear))"
                : "\(lower) or \(upper) years (born \(birthYear), birth date not recorded)"
        }
    }

    /// The youngest and oldest the patient can be on the evaluation date.
    public var youngest: Int {
        switch self {
        case .exact(let years): years
        case .birthYearOnly(_, let lower, _): lower
        }
    }

    public var oldest: Int {
        switch self {
        case .exact(let years): years
        case .birthYearOnly(_, _, let upper): upper
        }
    }

    /// Completed years on `date` for a patient born on `birthDate`; a 29 February birthday
    /// passes on 1 March in common years.
    static func completedYears(bornOn birthDate: CalendarDate, on date: CalendarDate) -> Int {
        let beforeBirthday = (date.month, date.day) < (birthDate.month, birthDate.day)
        return date.year - birthDate.year - (beforeBirthday ? 1 : 0)
    }
}

/// Which catalog therapies a patient fits on a date, and why each criterion is met or not.
public struct TherapyMatch: Codable, Sendable {
    public let registryID: String
    public let age: AgeAtEvaluation
    public let report: EligibilityReport
}

/// Builds a patient's eligibility profile from the registry and runs the matcher over the catalog.
///
/// The profile holds what was known on the evaluation date: diagnoses made by then (a partial
/// diagnosis date counts from its first possible day), molecular results reported by then and
/// therapy lines started by then. A patient with no therapy line recorded has an unknown treatment
/// history, not an empty one: the registry cannot tell "untreated" from "not yet entered", so
/// prior-therapy criteria stay unknown until a line is recorded.
public struct TherapyMatchService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    /// Evaluates every catalog indication for the patient on `date` (default: today).
    ///
    /// With only a birth year recorded, the patient is one of two ages on the date; a minimum-age
    /// criterion is met or not met when both ages agree and unknown when they differ (a 16-year
    /// minimum for a patient born in 2009, evaluated in 2025), never guessed.
    public func match(_ registryID: String, asOf date: CalendarDate? = nil) throws(RegistryError) -> TherapyMatch {
        let date = date ?? today
        do {
            return try connection.withTransaction(isolation: .repeatableRead) { tx in
                let patient = try PatientRow.find(registryID, on: tx)
                let age = try Self.age(of: patient, on: date)
                let catalog = try TherapyCatalogService.loadIndications(on: tx)
                let diagnoses = try Self.diagnoses(patientID: patient.id, asOf: date, on: tx)
                let findings = try Self.molecularFindings(patientID: patient.id, asOf: date, on: tx)
                let history = try Self.priorTherapy(patientID: patient.id, asOf: date, on: tx)
                let matcher = EligibilityMatcher(catalog: catalog)
                let report: EligibilityReport
                switch age {
                case .exact(let years):
                    let profile = try PatientProfile(
                        ageInYears: years, diagnoses: diagnoses, molecularFindings: findings, priorTherapy: history)
                    report = matcher.evaluate(profile, asOf: date)
                case .birthYearOnly(_, let lower, let upper):
                    let younger = try PatientProfile(
                        ageInYears: lower, diagnoses: diagnoses, molecularFindings: findings, priorTherapy: history)
                    let older = try PatientProfile(
                        ageInYears: upper, diagnoses: diagnoses, molecularFindings: findings, priorTherapy: history)
                    report = Self.combine(
                        matcher.evaluate(younger, asOf: date), matcher.evaluate(older, asOf: date), age: age)
                }
                return TherapyMatch(registryID: patient.summary.registryID, age: age, report: report)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    static func age(of patient: PatientRow, on date: CalendarDate) throws -> AgeAtEvaluation {
        let birthYear = patient.summary.birthYear
        if let birthDate = patient.birthDate {
            guard date >= birthDate else {
                throw RegistryError.input(.beforeBirth(field: .asOf, value: date, birthYear: birthYear))
            }
            return .exact(years: AgeAtEvaluation.completedYears(bornOn: birthDate, on: date))
        }
        guard date.year >= birthYear else {
            throw RegistryError.input(.beforeBirth(field: .asOf, value: date, birthYear: birthYear))
        }
        let upper = date.year - birthYear
        return .birthYearOnly(birthYear: birthYear, lower: max(upper - 1, 0), upper: upper)
    }

    /// Joins the evaluations for the two possible ages: they differ only in minimum-age criteria,
    /// which are restated for the age range (and unknown where the two ages disagree).
    static func combine(
        _ younger: EligibilityReport, _ older: EligibilityReport, age: AgeAtEvaluation
    ) -> EligibilityReport {
        let evaluations = zip(younger.evaluations, older.evaluations).map { young, old in
            IndicationEvaluation(
                indication: young.indication, status: young.status, diagnosis: young.diagnosis,
                criteria: zip(young.criteria, old.criteria).map { youngCriterion, oldCriterion in
                    guard case .minimumAge(let minimum) = youngCriterion.criterion else { return youngCriterion }
                    let outcome: CriterionOutcome
                    let reason: String
                    switch (youngCriterion.outcome, oldCriterion.outcome) {
                    case (.met, .met):
                        (outcome, reason) = (.met, "age at least \(age.youngest) ≥ minimum \(minimum)")
                    case (.notMet, .notMet):
                        (outcome, reason) = (.notMet, "age at most \(age.oldest) < minimum \(minimum)")
                    default:
                        (outcome, reason) = (
                            .unknown, "birth date not recorded: \(age) on \(younger.evaluationDate), minimum \(minimum)"
                        )
                    }
                    return CriterionEvaluation(
                        criterion: youngCriterion.criterion, outcome: outcome, patientValue: age.description,
                        reason: reason)
                })
        }
        return EligibilityReport(evaluationDate: younger.evaluationDate, evaluations: evaluations)
    }

    static func diagnoses(
        patientID: Int, asOf date: CalendarDate, on connection: Connection
    ) throws -> [PatientProfile.Diagnosis] {
        try connection.query(
            """
            SELECT icdo3_code, who_entity, disease_setting FROM diagnoses
            WHERE patient_id = \(patientID)
              AND make_date(diagnosed_year, coalesce(diagnosed_month, 1), coalesce(diagnosed_day, 1)) <= \(date)
            ORDER BY diagnosis_id
            """
        ).map { row in
            let code = try row.decode(String.self, "icdo3_code")
            return PatientProfile.Diagnosis(
                histologyCode: try TherapyCatalogService.catalogValue { () throws(EligibilityInputError) in
                    try HistologyCode(code)
                },
                entity: try row.decode(String.self, "who_entity"),
                diseaseSetting: DiseaseSetting(rawValue: try row.decode(String.self, "disease_setting")))
        }
    }

    static func molecularFindings(
        patientID: Int, asOf date: CalendarDate, on connection: Connection
    ) throws -> [PatientProfile.MolecularFinding] {
        try connection.query(
            """
            SELECT gene, alteration_kind, partner_gene, hgvs, method, result, acquired_resistance FROM molecular_results
            WHERE patient_id = \(patientID) AND report_date <= \(date) AND void_reason IS NULL
            ORDER BY report_date, molecular_result_id
            """
        ).map { row in
            let kindText = try row.decode(String.self, "alteration_kind")
            let resultText = try row.decode(String.self, "result")
            guard let kind = MolecularAlterationKind(rawValue: kindText),
                let result = PatientProfile.TestResult(rawValue: resultText)
            else {
                throw TherapyCatalogService.catalogDataError(
                    "molecular result \(kindText) \(resultText) is not in the registry's vocabulary")
            }
            return PatientProfile.MolecularFinding(
                gene: try row.decode(String.self, "gene"), kind: kind,
                partnerGene: try row.decode(String?.self, "partner_gene"),
                result: result, variant: try row.decode(String?.self, "hgvs"),
                isAcquiredResistanceMutation: try row.decode(Bool.self, "acquired_resistance"),
                method: MolecularMethod(rawValue: try row.decode(String.self, "method")))
        }
    }

    static func priorTherapy(
        patientID: Int, asOf date: CalendarDate, on connection: Connection
    ) throws -> PatientProfile.PriorTherapyHistory? {
        let rows = try connection.query(
            """
            SELECT count(DISTINCT l.therapy_line_id) AS lines,
                   coalesce(array_agg(DISTINCT a.agent_code) FILTER (WHERE a.agent_code IS NOT NULL), '{}') AS agents,
                   coalesce(array_agg(DISTINCT g.drug_class) FILTER (WHERE g.drug_class IS NOT NULL), '{}') AS drug_classes
            FROM therapy_lines l
            LEFT JOIN therapy_line_agents a USING (therapy_line_id)
            LEFT JOIN therapy_agents g USING (agent_code)
            WHERE l.patient_id = \(patientID) AND l.started_on <= \(date)
            """)
        let lines = try rows[0].decode(Int.self, "lines")
        guard lines > 0 else { return nil }
        let drugClasses = Set(try rows[0].decode([String].self, "drug_classes"))
        return try PatientProfile.PriorTherapyHistory(
            agents: Set(try rows[0].decode([String].self, "agents")),
            classes: PriorTherapyClasses.classes(ofDrugClasses: drugClasses), lineCount: lines)
    }
}
