/// The evaluation of each generic criterion kind: outcome, patient value, reason.
extension EligibilityMatcher {
    typealias Verdict = (CriterionOutcome, String, String)

    static func evaluate(_ criterion: HistologyCriterion, diagnosis: PatientProfile.Diagnosis?) -> Verdict {
        guard let diagnosis else {
            return (.unknown, "no diagnosis", "histology: no diagnosis recorded")
        }
        let code = diagnosis.histologyCode
        let value = "\(code) \(diagnosis.entity)"
        if let exclusion = criterion.excluded.first(where: { $0.matches(code) }) {
            return (.notMet, value, "\(exclusion) histology excluded")
        }
        if let inclusion = criterion.included.first(where: { $0.matches(code) }) {
            return (.met, value, "histology \(code) within \(inclusion)")
        }
        let covered = criterion.included.map(\.description).joined(separator: ", ")
        return (.notMet, value, "histology \(code) not covered; requires \(covered)")
    }

    static func evaluateMinimumAge(_ minimum: Int, age: Int?) -> Verdict {
        guard let age else {
            return (.unknown, "age not recorded", "age not recorded; minimum \(minimum)")
        }
        let value = "\(age) years"
        return age >= minimum
            ? (.met, value, "age \(age) ≥ minimum \(minimum)")
            : (.notMet, value, "age \(age) < minimum \(minimum)")
    }

    static func evaluate(_ allowed: Set<DiseaseSetting>, diagnosis: PatientProfile.Diagnosis?) -> Verdict {
        let allowedText = allowed.sorted().map(\.description).joined(separator: " or ")
        guard let diagnosis else {
            return (.unknown, "no diagnosis", "disease setting: no diagnosis recorded")
        }
        guard let setting = diagnosis.diseaseSetting else {
            return (.unknown, "not recorded", "disease setting not recorded; requires \(allowedText)")
        }
        return allowed.contains(setting)
            ? (.met, setting.description, "\(setting) disease allowed")
            : (.notMet, setting.description, "\(setting) disease; requires \(allowedText)")
    }

    static func evaluate(_ criterion: PriorTherapyCriterion, history: PatientProfile.PriorTherapyHistory?) -> Verdict {
        guard let history else {
            return (.unknown, "not recorded", "prior therapy not recorded")
        }
        let lines = history.lineCount == 1 ? "1 prior line" : "\(history.lineCount) prior lines"
        let classes = history.classes.sorted().map(\.replacingUnderscoresWithSpaces)
        let value = classes.isEmpty ? lines : "\(lines): \(classes.joined(separator: ", "))"
        if !criterion.requiredClasses.isEmpty && criterion.requiredClasses.isDisjoint(with: history.classes) {
            let required = criterion.requiredClasses.sorted().map(\.replacingUnderscoresWithSpaces)
            return (.notMet, value, "no prior \(required.joined(separator: " or ")) recorded")
        }
        if history.lineCount < criterion.minimumLines {
            return (.notMet, value, "\(lines) < minimum \(criterion.minimumLines)")
        }
        return (.met, value, "prior therapy requirement met (\(lines))")
    }

    /// A required biomarker: met by a positive result on one of its alternatives, not met when negative results
    /// rule out every alternative, unknown otherwise. Every result on file for a gene the criterion names is
    /// listed after the outcome with what it does to the criterion and why (method, alteration kind).
    static func evaluateRequired(
        _ criterion: BiomarkerCriterion, findings: [PatientProfile.MolecularFinding]
    )
        -> Verdict
    {
        let label = criterion.label
        let considered = Self.considered(findings, for: criterion)
        let onFile = Self.onFile(considered)
        let relevant = findings.compactMap { finding in
            criterion.alternatives.lazy.compactMap { Self.relation(of: finding, to: $0) }.first.map { (finding, $0) }
        }
        if let (positive, _) = relevant.first(where: { $0.0.result == .positive && $0.1 == .identical }) {
            return (.met, positive.description, "\(label): \(positive.description)\(onFile)")
        }
        if let (positive, _) = relevant.first(where: { $0.0.result == .positive }) {
            return (
                .unknown, positive.description,
                "\(label): \(positive.description), fusion partner not reported\(onFile)"
            )
        }
        if let (inconclusive, _) = relevant.first(where: { $0.0.result == .equivocal || $0.0.result == .failed }) {
            return (
                .unknown, inconclusive.description, "\(label): \(inconclusive.description), repeat the test\(onFile)"
            )
        }
        let untested = criterion.alternatives.filter { alternative in
            !findings.contains { $0.result == .negative && Self.negativeCovers($0, alternative) }
        }
        if untested.isEmpty {
            let tested = criterion.alternatives.map(\.description).joined(separator: ", ")
            return (.notMet, "negative", "\(label): negative (\(tested))\(onFile)")
        }
        let unsettling = considered.filter { !$0.settles }
        if untested.count == criterion.alternatives.count {
            let why = unsettling.map(\.text).joined(separator: "; ")
            return unsettling.isEmpty
                ? (.unknown, "not tested", "\(label): not tested")
                : (
                    .unknown, unsettling.map(\.result).joined(separator: "; "),
                    "\(label): not settled by what is on file: \(why)"
                )
        }
        let missing = untested.map(\.description).joined(separator: ", ")
        return (.unknown, "partly tested", "\(label): \(missing) not tested\(onFile)")
    }

    /// One result on file that a criterion considered: the result with its method, whether it settles the
    /// criterion (meets it, or rules out an alternative), and why in words.
    struct ConsideredResult {
        let result: String
        let settles: Bool
        let why: String

        var text: String { "\(result): \(why)" }
    }

    static func onFile(_ considered: [ConsideredResult]) -> String {
        considered.isEmpty ? "" : "; on file: " + considered.map(\.text).joined(separator: "; ")
    }

    /// Every result on a gene the criterion names (as the gene or the 5' partner), in the order recorded.
    static func considered(
        _ findings: [PatientProfile.MolecularFinding], for criterion: BiomarkerCriterion
    )
        -> [ConsideredResult]
    {
        let genes = Set(criterion.alternatives.flatMap { [$0.gene] + ($0.partnerGene.map { [$0] } ?? []) })
        return findings.filter { genes.contains($0.gene) || $0.partnerGene.map(genes.contains) == true }.map {
            finding in
            let result = finding.description + (finding.method.map { " by \($0)" } ?? "")
            let answered = criterion.alternatives.compactMap { alternative in
                Self.relation(of: finding, to: alternative).map { (alternative, $0) }
            }
            if let (alternative, relation) = answered.first {
                switch (finding.result, relation) {
                case (.positive, .identical):
                    return ConsideredResult(result: result, settles: true, why: "meets \(alternative)")
                case (.positive, .partnerUnreported):
                    return ConsideredResult(
                        result: result, settles: false,
                        why: "reports no fusion partner; the criterion asks for \(alternative)")
                case (.negative, _):
                    let ruledOut = criterion.alternatives.filter { Self.negativeCovers(finding, $0) }
                    return ruledOut.isEmpty
                        ? ConsideredResult(
                            result: result, settles: false,
                            why:
                                "a negative \(finding.description.dropLast(" negative".count)) assay does not rule out "
                                + "\(alternative) with another partner")
                        : ConsideredResult(
                            result: result, settles: true,
                            why: "rules out \(ruledOut.map(\.description).joined(separator: ", "))")
                case (.equivocal, _), (.failed, _):
                    return ConsideredResult(
                        result: result, settles: false, why: "\(finding.result.rawValue), repeat the test")
                }
            }
            let ruledOut = criterion.alternatives.filter { Self.negativeCovers(finding, $0) }
            if finding.result == .negative && !ruledOut.isEmpty {
                return ConsideredResult(
                    result: result, settles: true,
                    why: "rules out \(ruledOut.map(\.description).joined(separator: ", "))")
            }
            let asked =
                criterion.alternatives.first { $0.gene == finding.gene || $0.gene == finding.partnerGene }
                ?? criterion.alternatives[0]
            return ConsideredResult(result: result, settles: false, why: Self.whyUnsettled(finding, asking: asked))
        }
    }

    /// Why a result on a gene the criterion names does not answer it, in words: an ALK immunohistochemistry
    /// shows protein, not a rearrangement; a break-apart FISH shows that NTRK3 is broken, not which partner
    /// it is fused to; an acquired resistance criterion needs the mutation flagged as one.
    static func whyUnsettled(_ finding: PatientProfile.MolecularFinding, asking asked: BiomarkerSpecification) -> String
    {
        switch (finding.kind, asked.kind) {
        case (.rearrangement, .fusion):
            let test = finding.method == .fish ? "a break-apart FISH" : "a rearrangement result"
            return "\(test) shows \(finding.gene) is rearranged, not that it is fused to a partner; "
                + "a fusion needs RNA NGS or a fusion assay"
        case (.overexpression, _), (.lossOfExpression, _):
            return "protein expression is not a \(asked.kind) and does not settle it"
        case (.mutation, .mutation) where asked.acquiredResistanceOnly:
            return "not flagged as a known acquired resistance mutation"
        default:
            return "a \(finding.kind) result does not answer a \(asked.kind) criterion"
        }
    }

    /// An excluding biomarker: not met when a positive result answers it, unknown when that result is
    /// inconclusive, met otherwise; every result on file for its genes is listed as for a required one.
    static func evaluateExcluding(
        _ criterion: BiomarkerCriterion, findings: [PatientProfile.MolecularFinding]
    )
        -> Verdict
    {
        let label = criterion.label
        let onFile = Self.onFile(Self.considered(findings, for: criterion))
        let relevant = findings.filter { finding in
            criterion.alternatives.contains { Self.relation(of: finding, to: $0) == .identical }
        }
        if let positive = relevant.first(where: { $0.result == .positive }) {
            return (.notMet, positive.description, "\(label): \(positive.description) recorded\(onFile)")
        }
        if let inconclusive = relevant.first(where: { $0.result == .equivocal || $0.result == .failed }) {
            return (
                .unknown, inconclusive.description, "\(label): \(inconclusive.description), repeat the test\(onFile)"
            )
        }
        return (.met, "none recorded", "\(label): none recorded\(onFile)")
    }

    enum FindingRelation {
        /// Same gene(s) and kind: the finding answers the specification.
        case identical
        /// Same gene and kind, but the specification names a fusion partner the finding does not report.
        case partnerUnreported
    }

    /// How a finding relates to a specification, or `nil` if it concerns something else.
    static func relation(
        of finding: PatientProfile.MolecularFinding, to specification: BiomarkerSpecification
    ) -> FindingRelation? {
        guard finding.kind.satisfies(specification.kind) else { return nil }
        if specification.acquiredResistanceOnly && !finding.isAcquiredResistanceMutation { return nil }
        let findingGenes = Set([finding.gene] + (finding.partnerGene.map { [$0] } ?? []))
        guard let partner = specification.partnerGene else {
            return findingGenes.contains(specification.gene) ? .identical : nil
        }
        let specifiedGenes: Set = [specification.gene, partner]
        if findingGenes == specifiedGenes { return .identical }
        return finding.partnerGene == nil && specifiedGenes.contains(finding.gene) ? .partnerUnreported : nil
    }

    /// A negative result rules out an alternative only if the test looked for all of it:
    /// a negative ETV6-NTRK3 assay does not exclude an NTRK3 fusion with another partner.
    static func negativeCovers(
        _ finding: PatientProfile.MolecularFinding, _ specification: BiomarkerSpecification
    ) -> Bool {
        guard finding.kind.satisfies(specification.kind) || specification.kind.satisfies(finding.kind) else {
            return false
        }
        guard finding.gene == specification.gene || finding.partnerGene == specification.gene else { return false }
        guard let findingPartner = finding.partnerGene else { return true }
        guard let partner = specification.partnerGene else { return false }
        return Set([finding.gene, findingPartner]) == Set([specification.gene, partner])
    }
}
