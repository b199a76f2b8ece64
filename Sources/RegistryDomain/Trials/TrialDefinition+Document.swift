extension TrialDefinition {
    static let topLevelFields = [
        "nct", "acronym", "title", "phase", "status", "sponsor", "source", "notes", "arms", "cohorts", "eligibility",
        "randomization", "schedule",
    ]
    static let criteriaFields = [
        "histology", "requiredFindings", "excludingFindings", "age", "maximumECOG", "priorLines",
        "requiredPriorTherapy", "excludedPriorTherapy", "measurableDisease", "diseaseSettings",
    ]

    /// Validates a definition file against the registry's vocabulary.
    ///
    /// - Throws: the first problem found, naming the field by its path and the value found there.
    public init(document: DefinitionValue, vocabulary: TrialVocabulary) throws(RegistryInputError) {
        let root = try DefinitionObject(document, path: "", allowed: Self.topLevelFields)
        let nct = try NCTNumber.parse(try root.string("nct"), field: Field(path: "nct"))
        let phase = try TrialPhase.parse(try root.string("phase"), field: Field(path: "phase"))
        let status = try TrialRecruitmentStatus.parse(try root.string("status"), field: Field(path: "status"))
        let arms = try Self.arms(root, vocabulary: vocabulary)
        let eligibility =
            try root.object("eligibility", allowed: Self.criteriaFields)
            .map { criteria throws(RegistryInputError) in try Self.criteria(criteria, vocabulary: vocabulary) } ?? []
        let cohorts = try Self.cohorts(root, arms: arms, vocabulary: vocabulary)
        let randomizes = cohorts.contains { $0.assignment == .randomized }
        let randomization = try root.object("randomization", allowed: ["blockSizes", "seed", "strata"])
            .map { plan throws(RegistryInputError) in try Self.randomization(plan, arms: arms) }
        if randomizes && randomization == nil { throw .missing(field: Field(path: "randomization")) }
        if !randomizes, randomization != nil {
            throw .notAllowed(
                field: Field(path: "randomization"), value: "{…}",
                allowed: "only when a cohort has no fixed arm and the trial has two or more arms")
        }
        let schedule = try root.fields["schedule"].flatMap { value throws(RegistryInputError) in
            value == .null ? nil : try AssessmentSchedules(document: value, path: "schedule")
        }
        self.init(
            nct: nct, acronym: try root.optionalString("acronym"), title: try root.string("title"), phase: phase,
            status: status, sponsor: try root.string("sponsor"), arms: arms, cohorts: cohorts, eligibility: eligibility,
            randomization: randomization, schedule: schedule)
    }

    static func arms(_ root: DefinitionObject, vocabulary: TrialVocabulary) throws(RegistryInputError) -> [TrialArm] {
        let items = try root.array("arms")
        guard !items.isEmpty else { throw .missing(field: Field(path: "arms")) }
        var arms: [TrialArm] = []
        for item in items {
            let arm = try DefinitionObject(item.value, path: item.path, allowed: ["code", "label", "ratio", "agents"])
            let code = try arm.code("code")
            if arms.contains(where: { $0.code == code }) {
                throw .notAllowed(field: arm.field("code"), value: code, allowed: "a code not used by another arm")
            }
            let agents = try arm.strings("agents").map { agent throws(RegistryInputError) in
                let code = agent.text.lowercased()
                guard vocabulary.agents.contains(code) else {
                    throw .notAllowed(
                        field: Field(path: agent.path), value: agent.text,
                        allowed: "an agent code of the therapy catalog")
                }
                return code
            }
            arms.append(
                TrialArm(
                    code: code, label: try arm.string("label"), ratio: try arm.integer("ratio", range: 1...20),
                    agents: agents))
        }
        return arms
    }

    static func cohorts(
        _ root: DefinitionObject, arms: [TrialArm], vocabulary: TrialVocabulary
    ) throws(RegistryInputError)
        -> [TrialCohort]
    {
        let items = try root.array("cohorts")
        guard !items.isEmpty else { throw .missing(field: Field(path: "cohorts")) }
        var cohorts: [TrialCohort] = []
        for item in items {
            let cohort = try DefinitionObject(
                item.value, path: item.path, allowed: ["code", "label", "capacity", "arm", "eligibility"])
            let code = try cohort.code("code")
            if cohorts.contains(where: { $0.code == code }) {
                throw .notAllowed(
                    field: cohort.field("code"), value: code, allowed: "a code not used by another cohort")
            }
            let assignment: CohortAssignment
            if let arm = try cohort.optionalString("arm") {
                guard arms.contains(where: { $0.code == arm }) else {
                    throw .notAllowed(
                        field: cohort.field("arm"), value: arm, allowed: arms.map(\.code).joined(separator: ", "))
                }
                assignment = .fixed(armCode: arm)
            } else {
                assignment = arms.count == 1 ? .fixed(armCode: arms[0].code) : .randomized
            }
            let eligibility =
                try cohort.object("eligibility", allowed: criteriaFields)
                .map { criteria throws(RegistryInputError) in try Self.criteria(criteria, vocabulary: vocabulary) }
                ?? []
            cohorts.append(
                TrialCohort(
                    code: code, label: try cohort.string("label"),
                    capacity: try cohort.integer("capacity", range: 1...10_000),
                    assignment: assignment, eligibility: eligibility))
        }
        return cohorts
    }

    static func randomization(
        _ plan: DefinitionObject, arms: [TrialArm]
    ) throws(RegistryInputError) -> RandomizationScheme {
        let ratioSum = arms.map(\.ratio).reduce(0, +)
        let sizes = try plan.array("blockSizes")
        guard !sizes.isEmpty else { throw .missing(field: plan.field("blockSizes")) }
        var blockSizes: [Int] = []
        for size in sizes {
            guard case .number(let number) = size.value, number == number.rounded(), number >= 1, number <= 1000,
                Int(number) % ratioSum == 0
            else {
                throw .notAllowed(
                    field: Field(path: size.path), value: size.value.description,
                    allowed:
                        "a multiple of the allocation ratio sum \(ratioSum) (\(arms.map { String($0.ratio) }.joined(separator: ":")))"
                )
            }
            guard !blockSizes.contains(Int(number)) else {
                throw .notAllowed(
                    field: Field(path: size.path), value: size.value.description, allowed: "each block size once")
            }
            blockSizes.append(Int(number))
        }
        let seed = try plan.integer("seed", range: 0...999_999_999_999_999)
        var strata: [StratificationFactor] = []
        for item in try plan.array("strata") {
            let factor = try DefinitionObject(item.value, path: item.path, allowed: ["factor", "levels"])
            let code = try factor.code("factor")
            if strata.contains(where: { $0.code == code }) {
                throw .notAllowed(field: factor.field("factor"), value: code, allowed: "each factor once")
            }
            var levels: [String] = []
            for level in try factor.strings("levels") {
                try DefinitionObject.checkCode(level.text, field: Field(path: level.path))
                guard !levels.contains(level.text) else {
                    throw .notAllowed(field: Field(path: level.path), value: level.text, allowed: "each level once")
                }
                levels.append(level.text)
            }
            guard levels.count >= 2 else {
                throw .outOfRange(
                    field: factor.field("levels"), value: String(levels.count), range: "at least 2 levels")
            }
            strata.append(StratificationFactor(code: code, levels: levels))
        }
        return RandomizationScheme(blockSizes: blockSizes.sorted(), seed: UInt64(seed), strata: strata)
    }

    static func criteria(
        _ block: DefinitionObject, vocabulary: TrialVocabulary
    ) throws(RegistryInputError) -> [TrialCriterion] {
        var criteria: [TrialCriterion] = []
        if let histology = try block.object("histology", allowed: ["include", "exclude"]) {
            let included = try selectors(histology, "include", vocabulary: vocabulary)
            guard !included.isEmpty else { throw .missing(field: histology.field("include")) }
            let excluded = try selectors(histology, "exclude", vocabulary: vocabulary)
            do {
                criteria.append(.histology(try HistologyCriterion(included: included, excluded: excluded)))
            } catch {
                throw .missing(field: histology.field("include"))
            }
        }
        criteria += try findings(block, "requiredFindings", vocabulary: vocabulary).map(TrialCriterion.requiredFinding)
        criteria += try findings(block, "excludingFindings", vocabulary: vocabulary).map(
            TrialCriterion.excludingFinding)
        if let age = try block.object("age", allowed: ["minimum", "maximum"]) {
            let (minimum, maximum) = try bounds(age, range: 0...120)
            criteria.append(.age(minimum: minimum, maximum: maximum))
        }
        if let ecog = try block.optionalInteger("maximumECOG", range: 0...4) { criteria.append(.maximumECOG(ecog)) }
        if let lines = try block.object("priorLines", allowed: ["minimum", "maximum"]) {
            let (minimum, maximum) = try bounds(lines, range: 0...30)
            criteria.append(.priorLines(minimum: minimum, maximum: maximum))
        }
        if let rule = try priorTherapy(block, "requiredPriorTherapy", vocabulary: vocabulary) {
            criteria.append(.requiredPriorTherapy(rule))
        }
        if let rule = try priorTherapy(block, "excludedPriorTherapy", vocabulary: vocabulary) {
            criteria.append(.excludedPriorTherapy(rule))
        }
        if try block.optionalBool("measurableDisease") == true { criteria.append(.measurableDisease) }
        let settings = try block.strings("diseaseSettings").map { item throws(RegistryInputError) in
            try DiseaseSetting.parse(item.text, field: Field(path: item.path))
        }
        if !settings.isEmpty { criteria.append(.diseaseSetting(allowed: Set(settings))) }
        return criteria
    }

    static func selectors(
        _ histology: DefinitionObject, _ key: String, vocabulary: TrialVocabulary
    ) throws(RegistryInputError)
        -> [HistologySelector]
    {
        try histology.strings(key).map { item throws(RegistryInputError) in
            if let group = vocabulary.histologyGroups[item.text] { return group }
            if let code = try? HistologyCode(item.text), vocabulary.histologyCodes.contains(code) { return .code(code) }
            throw .notAllowed(
                field: Field(path: item.path), value: item.text,
                allowed: "an ICD-O-3 code of the histology vocabulary (e.g. 9040/3) or a group: "
                    + vocabulary.histologyGroups.keys.sorted().joined(separator: ", "))
        }
    }

    static func findings(
        _ block: DefinitionObject, _ key: String, vocabulary: TrialVocabulary
    ) throws(RegistryInputError)
        -> [BiomarkerCriterion]
    {
        try block.array(key).map { item throws(RegistryInputError) in
            let finding = try DefinitionObject(item.value, path: item.path, allowed: ["label", "anyOf"])
            let alternatives = try finding.array("anyOf").map { alternative throws(RegistryInputError) in
                let spec = try DefinitionObject(
                    alternative.value, path: alternative.path, allowed: ["gene", "kind", "partner"])
                let gene = try spec.string("gene").uppercased()
                guard vocabulary.genes.contains(gene) else {
                    throw .notAllowed(
                        field: spec.field("gene"), value: gene, allowed: "an HGNC symbol of the registry's gene list")
                }
                let partner = try spec.optionalString("partner")?.uppercased()
                if let partner, !vocabulary.genes.contains(partner) {
                    throw .notAllowed(
                        field: spec.field("partner"), value: partner,
                        allowed: "an HGNC symbol of the registry's gene list")
                }
                let kind = try MolecularAlterationKind.parse(try spec.string("kind"), field: spec.field("kind"))
                if let partner, kind != .fusion, kind != .rearrangement {
                    throw .notAllowed(
                        field: spec.field("partner"), value: partner,
                        allowed: "a partner only for kind fusion or rearrangement")
                }
                return BiomarkerSpecification(gene: gene, kind: kind, partnerGene: partner)
            }
            guard !alternatives.isEmpty else { throw .missing(field: finding.field("anyOf")) }
            do {
                return try BiomarkerCriterion(label: try finding.string("label"), alternatives: alternatives)
            } catch {
                throw .missing(field: finding.field("anyOf"))
            }
        }
    }

    static func bounds(_ object: DefinitionObject, range: ClosedRange<Int>) throws(RegistryInputError) -> (Int?, Int?) {
        let minimum = try object.optionalInteger("minimum", range: range)
        let maximum = try object.optionalInteger("maximum", range: range)
        guard minimum != nil || maximum != nil else { throw .missing(field: object.field("minimum")) }
        if let minimum, let maximum, maximum < minimum {
            throw .outOfRange(
                field: object.field("maximum"), value: String(maximum), range: "at least the minimum \(minimum)")
        }
        return (minimum, maximum)
    }

    static func priorTherapy(
        _ block: DefinitionObject, _ key: String, vocabulary: TrialVocabulary
    ) throws(RegistryInputError)
        -> PriorTherapyRule?
    {
        guard let rule = try block.object(key, allowed: ["agents", "classes"]) else { return nil }
        var agents: Set<String> = []
        for agent in try rule.strings("agents") {
            guard vocabulary.agents.contains(agent.text.lowercased()) else {
                throw .notAllowed(
                    field: Field(path: agent.path), value: agent.text, allowed: "an agent code of the therapy catalog")
            }
            agents.insert(agent.text.lowercased())
        }
        var classes: Set<String> = []
        for drugClass in try rule.strings("classes") {
            guard vocabulary.drugClasses.contains(drugClass.text.lowercased()) else {
                throw .notAllowed(
                    field: Field(path: drugClass.path), value: drugClass.text,
                    allowed: vocabulary.drugClasses.sorted().joined(separator: ", "))
            }
            classes.insert(drugClass.text.lowercased())
        }
        guard !agents.isEmpty || !classes.isEmpty else { throw .missing(field: rule.field("agents")) }
        return PriorTherapyRule(agents: agents, classes: classes)
    }
}
