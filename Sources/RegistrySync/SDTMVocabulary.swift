import RegistryDomain

/// The DS (disposition) records the SDTM export writes and the import reads, one per patient date: consent
/// (a protocol milestone), withdrawal of consent and death (disposition events), and last contact, which
/// SDTMIG has no variable for and which goes in as an other event, as SDTMIG lets a sponsor do.
enum SDTMDisposition: String, CaseIterable {
    case informedConsent = "INFORMED CONSENT OBTAINED"
    case withdrawal = "WITHDRAWAL BY SUBJECT"
    case death = "DEATH"
    case lastContact = "LAST CONTACT"

    var sequence: Int {
        switch self {
        case .informedConsent: 1
        case .withdrawal: 2
        case .death: 3
        case .lastContact: 4
        }
    }

    var category: String {
        switch self {
        case .informedConsent: "PROTOCOL MILESTONE"
        case .withdrawal, .death: "DISPOSITION EVENT"
        case .lastContact: "OTHER EVENT"
        }
    }

    /// The `patients` column the record's date is.
    var patientColumn: String {
        switch self {
        case .informedConsent: "consent_date"
        case .withdrawal: "consent_withdrawn_on"
        case .death: "death_on"
        case .lastContact: "last_contact_on"
        }
    }

    /// One row of the export's VALUES list over the patient `p`: (DSSEQ, DSDECOD, DSCAT, date).
    var exportRow: String { "(\(sequence), '\(rawValue)', '\(category)', p.\(patientColumn))" }

    static var allowedTerms: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The MH record of a primary diagnosis: MHTERM the WHO entity, MHDECOD the ICD-O-3 morphology code, MHLOC
/// the primary site, MHSTDTC the date of diagnosis as precise as it is known; the ICD-O edition, the FNCLCC
/// grade and the disease setting have no MH variable and go to SUPPMH.
enum SDTMDiagnosis {
    static let category = "PRIMARY DIAGNOSIS"
}

/// ECOG performance status as SDTMIG 3.3 and later hold a clinical classification: an RS record of category
/// ECOG with the CDISC QRS test code of the ECOG scale.
enum SDTMPerformanceStatus {
    static let category = "ECOG"
    static let testCode = "ECOG101"
    static let testName = "ECOG1-Performance Status"
}

/// A molecular result as a GF (genomics findings, SDTMIG 3.4) record: the kind of alteration is the test,
/// GFSYM the gene, a fusion's both genes in HGNC notation (5' partner first, ``FusionNotation``), GFORRES
/// the result, GFMETHOD the method, GFNAM the laboratory and GFDTC the specimen date; the HGVS description,
/// the report date, an acquired resistance mark and a void reason go to SUPPGF.
enum SDTMGenomicFinding {
    static func testCode(_ kind: MolecularAlterationKind) -> String {
        switch kind {
        case .fusion: "FUSION"
        case .amplification: "AMPLIF"
        case .mutation: "MUTATION"
        case .deletion: "DELETION"
        case .lossOfExpression: "LOSSEXPR"
        case .overexpression: "OVEREXPR"
        case .rearrangement: "REARRANG"
        }
    }

    static func testName(_ kind: MolecularAlterationKind) -> String {
        switch kind {
        case .fusion: "Gene Fusion"
        case .amplification: "Gene Amplification"
        case .mutation: "Gene Mutation"
        case .deletion: "Gene Deletion"
        case .lossOfExpression: "Loss of Protein Expression"
        case .overexpression: "Protein Overexpression"
        case .rearrangement: "Gene Rearrangement"
        }
    }

    /// `WHEN 'fusion' THEN 'FUSION' ...` over the registry's alteration kinds, for the export's CASE.
    static var testCodeCases: String { cases(MolecularAlterationKind.allCases.map { ($0.rawValue, testCode($0)) }) }
    static var testNameCases: String { cases(MolecularAlterationKind.allCases.map { ($0.rawValue, testName($0)) }) }
    /// The methods as a pathology report names them (`DNA NGS`, `FISH`).
    static var methodCases: String {
        cases(MolecularMethod.allCases.map { ($0.rawValue, $0.description.uppercased()) })
    }
    /// The reverse mappings, for the import's CASE over an upper-cased value.
    static var kindCases: String { cases(MolecularAlterationKind.allCases.map { (testCode($0), $0.rawValue) }) }
    static var methodCodeCases: String {
        cases(MolecularMethod.allCases.map { ($0.description.uppercased(), $0.rawValue) })
    }

    private static func cases(_ pairs: [(String, String)]) -> String {
        pairs.map { "WHEN '\($0.0)' THEN '\($0.1)'" }.joined(separator: " ")
    }
}
