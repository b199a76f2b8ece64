import Foundation
import PostgresClient
import RegistryDomain

/// A primary diagnosis as submitted, its code and vocabularies parsed; the diagnosis date may be a year or a month.
public struct DiagnosisSubmission: Sendable {
    public var icdo3Code: HistologyCode
    public var icdoVersion: ICDOVersion
    public var whoEntity: String?
    public var fnclccGrade: Int?
    public var primarySite: String
    public var diagnosed: PartialDate
    public var diseaseSetting: DiseaseSetting

    public init(
        icdo3Code: HistologyCode, icdoVersion: ICDOVersion, whoEntity: String? = nil, fnclccGrade: Int? = nil,
        primarySite: String, diagnosed: PartialDate, diseaseSetting: DiseaseSetting
    ) {
        self.icdo3Code = icdo3Code
        self.icdoVersion = icdoVersion
        self.whoEntity = whoEntity
        self.fnclccGrade = fnclccGrade
        self.primarySite = primarySite
        self.diagnosed = diagnosed
        self.diseaseSetting = diseaseSetting
    }
}

/// A molecular result as submitted, its vocabularies and dates parsed; gene symbols are checked against the registry's
/// gene list when it is recorded.
public struct MolecularSubmission: Sendable {
    public var gene: String
    public var alterationKind: MolecularAlterationKind
    public var partnerGene: String?
    public var hgvs: String?
    public var method: MolecularMethod
    public var result: PatientProfile.TestResult
    public var acquiredResistance: Bool
    public var specimenDate: CalendarDate?
    public var reportDate: CalendarDate
    public var laboratory: String?

    public init(
        gene: String, alterationKind: MolecularAlterationKind, partnerGene: String? = nil, hgvs: String? = nil,
        method: MolecularMethod, result: PatientProfile.TestResult, acquiredResistance: Bool = false,
        specimenDate: CalendarDate? = nil, reportDate: CalendarDate, laboratory: String? = nil
    ) {
        self.gene = gene
        self.alterationKind = alterationKind
        self.partnerGene = partnerGene
        self.hgvs = hgvs
        self.method = method
        self.result = result
        self.acquiredResistance = acquiredResistance
        self.specimenDate = specimenDate
        self.reportDate = reportDate
        self.laboratory = laboratory
    }
}

/// Diagnoses and molecular results of enrolled patients.
public struct DiagnosticService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    /// Records a primary diagnosis. The ICD-O-3 code must be in the histology vocabulary as submitted:
    /// a code is never recoded (e.g. DFSP 8832/1 under ICD-O-3.2 stays 8832/1), and the WHO entity
    /// defaults to the vocabulary's entity for that code.
    public func recordDiagnosis(
        _ registryID: String, _ submission: DiagnosisSubmission
    ) throws(RegistryError) -> DiagnosisRecord {
        let code = submission.icdo3Code.rawValue
        let version = submission.icdoVersion
        let setting = submission.diseaseSetting
        let diagnosed = submission.diagnosed
        if let grade = submission.fnclccGrade, !(1...3).contains(grade) {
            throw .input(.outOfRange(field: .grade, value: "\(grade)", range: "1 to 3 (FNCLCC)"))
        }
        let primarySite = submission.primarySite.trimmingCharacters(in: .whitespaces)
        guard !primarySite.isEmpty else { throw .input(.missing(field: .primarySite)) }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                // A partial date is checked by its first possible day: "2030" is in the future, "2024" is not.
                try patient.validate(diagnosed.firstDay, field: .diagnosisDate, today: today)
                try patient.timeline(on: tx).check(diagnosed.firstDay, field: .diagnosisDate)
                let vocabulary = try tx.query("SELECT entity FROM histology_codes WHERE code = \(code)")
                guard let entity = try vocabulary.first?.decode(String.self, "entity") else {
                    throw RegistryError.unknownHistologyCode(code)
                }
                let whoEntity = submission.whoEntity?.trimmingCharacters(in: .whitespaces).nonEmpty ?? entity
                let (year, month, day) = diagnosed.parts
                let rows = try tx.query(
                    """
                    INSERT INTO diagnoses (patient_id, icdo3_code, icdo_version, who_entity, fnclcc_grade, primary_site,
                        diagnosed_year, diagnosed_month, diagnosed_day, disease_setting)
                    VALUES (\(patient.id), \(code), \(version.rawValue), \(whoEntity), \(submission.fnclccGrade), \(primarySite),
                        \(year), \(month), \(day), \(setting.rawValue))
                    RETURNING diagnosis_id
                    """)
                return DiagnosisRecord(
                    id: try rows[0].decode(Int.self, "diagnosis_id"), icdo3Code: code, icdoVersion: version.rawValue,
                    whoEntity: whoEntity, fnclccGrade: submission.fnclccGrade, primarySite: primarySite,
                    diagnosed: diagnosed.description, diseaseSetting: setting.rawValue)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Records a molecular result. Gene symbols are approved symbols of the registry's gene list, in any
    /// case on input and stored as approved; an alias is refused with its approved symbol. A fusion's
    /// partner is its 5' gene (ETV6 of ETV6::NTRK3).
    public func recordMolecular(
        _ registryID: String, _ submission: MolecularSubmission
    ) throws(RegistryError) -> MolecularResultRecord {
        let submittedGene = submission.gene.trimmingCharacters(in: .whitespaces)
        let submittedPartner = submission.partnerGene?.trimmingCharacters(in: .whitespaces).nonEmpty
        let kind = submission.alterationKind
        let method = submission.method
        let result = submission.result
        let report = submission.reportDate
        let specimen = submission.specimenDate
        if let submittedPartner, kind != .fusion, kind != .rearrangement {
            throw .input(
                .notAllowed(
                    field: .partner, value: submittedPartner,
                    allowed: "a partner gene only with the kind fusion or rearrangement"))
        }
        if submission.acquiredResistance, kind != .mutation {
            throw .input(
                .notAllowed(field: .acquiredResistance, value: kind.rawValue, allowed: "only for the kind mutation"))
        }
        if let specimen, specimen > report {
            throw .input(.beforeDate(field: .reportDate, value: report, otherField: .specimenDate, other: specimen))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.findRecordable(registryID, on: tx)
                try patient.validate(report, field: .reportDate, today: today)
                if let specimen { try patient.validate(specimen, field: .specimenDate, today: today) }
                let timeline = try patient.timeline(on: tx)
                try timeline.check(report, field: .reportDate)
                if let specimen { try timeline.check(specimen, field: .specimenDate) }
                let gene = try GeneVocabulary.approvedSymbol(submittedGene, field: .gene, on: tx)
                let partner = try submittedPartner.map { symbol in
                    try GeneVocabulary.approvedSymbol(symbol, field: .partner, on: tx)
                }
                let rows = try tx.query(
                    """
                    INSERT INTO molecular_results (patient_id, gene, alteration_kind, partner_gene, hgvs, method, result,
                        acquired_resistance, specimen_date, report_date, laboratory)
                    VALUES (\(patient.id), \(gene), \(kind.rawValue), \(partner), \(submission.hgvs?.nonEmpty), \(method.rawValue),
                        \(result.rawValue), \(submission.acquiredResistance), \(specimen), \(report), \(submission.laboratory?.nonEmpty))
                    RETURNING molecular_result_id
                    """)
                return MolecularResultRecord(
                    id: try rows[0].decode(Int.self, "molecular_result_id"), gene: gene, alterationKind: kind.rawValue,
                    partnerGene: partner, hgvs: submission.hgvs?.nonEmpty, method: method.rawValue,
                    result: result.rawValue,
                    acquiredResistance: submission.acquiredResistance, specimenDate: specimen, reportDate: report,
                    laboratory: submission.laboratory?.nonEmpty)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}

extension PartialDate {
    /// Year, month and day as the diagnoses table stores them (unknown parts NULL).
    var parts: (Int, Int?, Int?) {
        switch self {
        case .year(let year): (year, nil, nil)
        case .yearMonth(let year, let month): (year, month, nil)
        case .day(let date): (date.year, date.month, date.day)
        }
    }
}

extension String {
    var nonEmpty: String? {
        let trimmed = trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
