import RegistryDomain

/// The catalog indications the clinical cases need, built from the same facts as
/// Migrations/0002_therapy_catalog.sql (codes, groups, ages, settings, biomarkers, dated status).
enum SeedCatalog {
    static func code(_ text: String) throws -> HistologyCode { try HistologyCode(text) }

    static func day(_ text: String) throws -> CalendarDate { try CalendarDate(iso: text) }

    static func group(_ name: String, _ codes: [String]) throws -> HistologyEntityGroup {
        HistologyEntityGroup(code: name, members: Set(try codes.map(code)))
    }

    static func fda(_ status: TherapyStatus, _ date: String, _ source: String) throws -> TherapyStatusEntry {
        TherapyStatusEntry(status: status, effectiveDate: try day(date), authority: "FDA", source: source)
    }

    static let advanced: Set<DiseaseSetting> = [.locallyAdvancedUnresectable, .metastatic]
    static let anySetting: Set<DiseaseSetting> = Set(DiseaseSetting.allCases)

    static func adipocytic() throws -> HistologyEntityGroup {
        try group("adipocytic", ["8850/1", "8850/3", "8851/3", "8852/3", "8854/3", "8858/3"])
    }

    static func softTissueSarcoma() throws -> HistologyEntityGroup {
        try group(
            "soft_tissue_sarcoma",
            [
                "8890/3", "8858/3", "8851/3", "8850/3", "9040/3", "8802/3", "8804/3", "9581/3", "8714/3", "9252/3",
                "8832/3", "8815/3", "9120/3", "9044/3", "8814/3", "8852/3", "8854/3", "8811/3", "9540/3", "9133/3",
                "8825/3", "8805/3", "8830/3", "8800/3",
            ])
    }

    static func tgct() throws -> HistologyEntityGroup {
        try group("tenosynovial_giant_cell_tumour", ["9252/0", "9252/1", "9252/3"])
    }

    static func ntrkFusion() throws -> BiomarkerCriterion {
        try BiomarkerCriterion(
            label: "NTRK fusion",
            alternatives: ["NTRK1", "NTRK2", "NTRK3"].map { BiomarkerSpecification(gene: $0, kind: .fusion) })
    }

    static func ntrkResistance() throws -> BiomarkerCriterion {
        try BiomarkerCriterion(
            label: "known acquired resistance mutation",
            alternatives: ["NTRK1", "NTRK2", "NTRK3"].map {
                BiomarkerSpecification(gene: $0, kind: .mutation, acquiredResistanceOnly: true)
            })
    }

    static func indications() throws -> [TherapyIndication] {
        [
            TherapyIndication(
                code: "pazopanib_advanced_sts", agentCode: "pazopanib",
                label: "Adults with advanced non-adipocytic STS after prior chemotherapy",
                criteria: [
                    .histology(
                        try HistologyCriterion(
                            included: [.group(try softTissueSarcoma())], excluded: [.group(try adipocytic())])),
                    .minimumAge(years: 18),
                    .diseaseSetting(allowed: advanced),
                    .priorTherapy(PriorTherapyCriterion(requiredClasses: ["cytotoxic_chemotherapy"], minimumLines: 1)),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2012-04-26", "[13]")]),
            TherapyIndication(
                code: "pexidartinib_tgct", agentCode: "pexidartinib", label: "Adults with symptomatic TGCT",
                criteria: [
                    .histology(try HistologyCriterion(included: [.group(try tgct())])),
                    .minimumAge(years: 18),
                    .diseaseSetting(allowed: [.locallyAdvancedUnresectable]),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2019-08-01", "[24]")]),
            TherapyIndication(
                code: "imatinib_dfsp", agentCode: "imatinib", label: "Adults with unresectable or metastatic DFSP",
                criteria: [
                    .histology(
                        try HistologyCriterion(
                            included: [.group(try group("dermatofibrosarcoma_protuberans", ["8832/1", "8832/3"]))])),
                    .minimumAge(years: 18),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2006-01-01", "[26]")]),
            TherapyIndication(
                code: "crizotinib_alk_imt", agentCode: "crizotinib", label: "ALK-positive IMT, 1 year and older",
                criteria: [
                    .histology(try HistologyCriterion(included: [.code(try code("8825/1"))])),
                    .requiredBiomarker(
                        try BiomarkerCriterion(
                            label: "ALK rearrangement",
                            alternatives: [BiomarkerSpecification(gene: "ALK", kind: .rearrangement)])),
                    .minimumAge(years: 1),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2022-07-14", "FDA approval 2022-07-14")]),
            TherapyIndication(
                code: "tazemetostat_epithelioid_sarcoma", agentCode: "tazemetostat",
                label: "Epithelioid sarcoma, 16 years and older",
                criteria: [
                    .histology(try HistologyCriterion(included: [.code(try code("8804/3"))])),
                    .minimumAge(years: 16),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2020-01-23", "[39]")]),
            TherapyIndication(
                code: "nab_sirolimus_pecoma", agentCode: "nab_sirolimus", label: "Adults with malignant PEComa",
                criteria: [
                    .histology(try HistologyCriterion(included: [.code(try code("8714/3"))])),
                    .minimumAge(years: 18),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2021-11-01", "[47]")]),
            TherapyIndication(
                code: "larotrectinib_ntrk_fusion", agentCode: "larotrectinib", label: "NTRK fusion, any age",
                criteria: [
                    .histology(try HistologyCriterion(included: [.anyHistology])),
                    .requiredBiomarker(try ntrkFusion()),
                    .excludingBiomarker(try ntrkResistance()),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2018-11-01", "[51]")]),
            TherapyIndication(
                code: "entrectinib_ntrk_fusion", agentCode: "entrectinib", label: "NTRK fusion, 12 years and older",
                criteria: [
                    .histology(try HistologyCriterion(included: [.anyHistology])),
                    .requiredBiomarker(try ntrkFusion()),
                    .excludingBiomarker(try ntrkResistance()),
                    .minimumAge(years: 12),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.fdaApprovedSTS, "2019-08-01", "[55]")]),
            TherapyIndication(
                code: "sorafenib_desmoid", agentCode: "sorafenib", label: "Progressive desmoid tumour",
                criteria: [
                    .histology(try HistologyCriterion(included: [.group(try group("desmoid_tumour", ["8821/1"]))])),
                    .diseaseSetting(allowed: anySetting),
                ],
                statusHistory: [try fda(.studiedSTS, "2023-01-01", "[64]")]),
            TherapyIndication(
                code: "palbociclib_wd_dd_liposarcoma", agentCode: "palbociclib",
                label: "WD/DD liposarcoma with CDK4 amplification",
                criteria: [
                    .histology(
                        try HistologyCriterion(included: [
                            .group(try group("well_dedifferentiated_liposarcoma", ["8850/1", "8851/3", "8858/3"]))
                        ])),
                    .requiredBiomarker(
                        try BiomarkerCriterion(
                            label: "CDK4 amplification",
                            alternatives: [BiomarkerSpecification(gene: "CDK4", kind: .amplification)])),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.studiedSTS, "2023-01-01", "[78]")]),
            TherapyIndication(
                code: "abemaciclib_dd_liposarcoma", agentCode: "abemaciclib", label: "Dedifferentiated liposarcoma",
                criteria: [
                    .histology(try HistologyCriterion(included: [.code(try code("8858/3"))])),
                    .diseaseSetting(allowed: advanced),
                ],
                statusHistory: [try fda(.studiedSTS, "2023-01-01", "[79]")]),
            TherapyIndication(
                code: "nirogacestat_desmoid", agentCode: "nirogacestat",
                label: "Adults with progressing desmoid tumours",
                criteria: [
                    .histology(try HistologyCriterion(included: [.group(try group("desmoid_tumour", ["8821/1"]))])),
                    .minimumAge(years: 18),
                    .diseaseSetting(allowed: anySetting),
                ],
                statusHistory: [
                    try fda(.inDevelopment, "2023-01-01", "[84]"),
                    try fda(.fdaApprovedSTS, "2023-11-27", "FDA approval 2023-11-27"),
                ]),
            TherapyIndication(
                code: "vimseltinib_tgct", agentCode: "vimseltinib", label: "Adults with symptomatic TGCT",
                criteria: [
                    .histology(try HistologyCriterion(included: [.group(try tgct())])),
                    .minimumAge(years: 18),
                    .diseaseSetting(allowed: [.locallyAdvancedUnresectable]),
                ],
                statusHistory: [
                    try fda(.inDevelopment, "2023-01-01", "[100]"),
                    try fda(.fdaApprovedSTS, "2025-02-14", "FDA approval 2025-02-14"),
                ]),
            TherapyIndication(
                code: "anlotinib_sts_china", agentCode: "anlotinib",
                label: "Second-line STS after anthracycline (China)",
                criteria: [
                    .histology(try HistologyCriterion(included: [.group(try softTissueSarcoma())])),
                    .diseaseSetting(allowed: advanced),
                    .priorTherapy(PriorTherapyCriterion(requiredClasses: ["anthracycline"], minimumLines: 1)),
                ],
                statusHistory: [
                    TherapyStatusEntry(
                        status: .approvedElsewhere, effectiveDate: try day("2019-06-01"), authority: "NMPA",
                        source: "[90]")
                ]),
        ]
    }
}
