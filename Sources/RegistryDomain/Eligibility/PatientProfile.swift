/// What the registry knows about a patient that bears on therapy eligibility, at one evaluation date.
///
/// Missing facts are `nil` or absent rather than defaulted: the matcher reports them as unknown,
/// so a coordinator sees which test or record is missing instead of a silent "not eligible".
public struct PatientProfile: Hashable, Sendable, Codable {
    /// Completed years at the evaluation date; `nil` when the birth date is not recorded.
    public let ageInYears: Int?
    public let diagnoses: [Diagnosis]
    public let molecularFindings: [MolecularFinding]
    /// `nil` when the treatment history has not been recorded.
    public let priorTherapy: PriorTherapyHistory?

    public init(
        ageInYears: Int?, diagnoses: [Diagnosis], molecularFindings: [MolecularFinding] = [],
        priorTherapy: PriorTherapyHistory? = nil
    ) throws(EligibilityInputError) {
        if let ageInYears, ageInYears < 0 { throw .negativeAge(ageInYears) }
        self.ageInYears = ageInYears
        self.diagnoses = diagnoses
        self.molecularFindings = molecularFindings
        self.priorTherapy = priorTherapy
    }

    public struct Diagnosis: Hashable, Sendable, Codable {
        public let histologyCode: HistologyCode
        public let entity: String
        /// `nil` when staging has not been recorded.
        public let diseaseSetting: DiseaseSetting?

        public init(histologyCode: HistologyCode, entity: String, diseaseSetting: DiseaseSetting?) {
            self.histologyCode = histologyCode
            self.entity = entity
            self.diseaseSetting = diseaseSetting
        }
    }

    public enum TestResult: String, CaseIterable, Hashable, Sendable, Codable {
        case positive
        case negative
        case equivocal
        case failed
    }

    public struct MolecularFinding: Hashable, Sendable, Codable, CustomStringConvertible {
        public let gene: String
        public let kind: MolecularAlterationKind
        public let partnerGene: String?
        public let result: TestResult
        /// The variant as reported, e.g. "G623R"; informational.
        public let variant: String?
        /// The laboratory or tumour board flagged this mutation as a known acquired resistance mutation.
        public let isAcquiredResistanceMutation: Bool
        /// How the result was obtained, when recorded: reasons say why a result does not settle a criterion.
        public let method: MolecularMethod?

        public init(
            gene: String, kind: MolecularAlterationKind, partnerGene: String? = nil, result: TestResult,
            variant: String? = nil, isAcquiredResistanceMutation: Bool = false, method: MolecularMethod? = nil
        ) {
            self.method = method
            self.gene = gene.uppercased()
            self.kind = kind
            self.partnerGene = partnerGene?.uppercased()
            self.result = result
            self.variant = variant
            self.isAcquiredResistanceMutation = isAcquiredResistanceMutation
        }

        public var description: String {
            let subject = FusionNotation.write(gene: gene, partnerGene: partnerGene)
            let variantText = variant.map { " \($0)" } ?? ""
            return "\(subject) \(kind)\(variantText) \(result.rawValue)"
        }
    }

    /// Systemic therapy received before the evaluation date.
    public struct PriorTherapyHistory: Hashable, Sendable, Codable {
        public let agents: Set<String>
        /// Therapy classes in the catalog's vocabulary, e.g. `cytotoxic_chemotherapy`, `anthracycline`.
        public let classes: Set<String>
        public let lineCount: Int

        public init(agents: Set<String>, classes: Set<String>, lineCount: Int) throws(EligibilityInputError) {
            guard lineCount >= 0 else { throw .negativePriorLineCount(lineCount) }
            self.agents = agents
            self.classes = classes
            self.lineCount = lineCount
        }
    }
}
