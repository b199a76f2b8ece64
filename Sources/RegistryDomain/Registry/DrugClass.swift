/// The class of a systemic agent, as `therapy_agents.drug_class` stores it and prior-therapy criteria
/// name it ("after an anthracycline", "no prior mTOR inhibitor").
public enum DrugClass: String, RegistryVocabulary {
    case alkylatingAgent = "alkylating_agent"
    case anthracycline
    case antimetabolite
    case antitumorAntibiotic = "antitumor_antibiotic"
    case brd9Degrader = "brd9_degrader"
    case cdk46Inhibitor = "cdk4_6_inhibitor"
    case csf1rInhibitor = "csf1r_inhibitor"
    case ezh2Inhibitor = "ezh2_inhibitor"
    case gammaSecretaseInhibitor = "gamma_secretase_inhibitor"
    case hormonalTherapy = "hormonal_therapy"
    case immuneCheckpointInhibitor = "immune_checkpoint_inhibitor"
    case mdm2Inhibitor = "mdm2_inhibitor"
    case microtubuleInhibitor = "microtubule_inhibitor"
    case mtorInhibitor = "mtor_inhibitor"
    case nsaid
    case placebo
    case platinumCompound = "platinum_compound"
    case taxane
    case topoisomeraseInhibitor = "topoisomerase_inhibitor"
    case trkInhibitor = "trk_inhibitor"
    case tyrosineKinaseInhibitor = "tyrosine_kinase_inhibitor"
    case vincaAlkaloid = "vinca_alkaloid"

    /// The umbrella class of "after prior chemotherapy" criteria, which no agent names directly.
    public static let cytotoxicChemotherapy = "cytotoxic_chemotherapy"

    /// Conventional cytotoxic chemotherapy: every agent of such a class counts as prior chemotherapy.
    public var isCytotoxic: Bool {
        switch self {
        case .alkylatingAgent, .anthracycline, .antimetabolite, .antitumorAntibiotic, .microtubuleInhibitor,
            .platinumCompound, .taxane, .topoisomeraseInhibitor, .vincaAlkaloid:
            true
        case .brd9Degrader, .cdk46Inhibitor, .csf1rInhibitor, .ezh2Inhibitor, .gammaSecretaseInhibitor,
            .hormonalTherapy, .immuneCheckpointInhibitor, .mdm2Inhibitor, .mtorInhibitor, .nsaid, .placebo,
            .trkInhibitor, .tyrosineKinaseInhibitor:
            false
        }
    }
}
