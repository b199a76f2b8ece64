import RegistryDomain
import Testing

@Suite("Trial definitions: read as data, refused naming the field and the value")
struct TrialDefinitionTests {
    /// A one-cohort leiomyosarcoma trial with the given criteria, for criterion tests.
    static func minimal(eligibility: String) throws -> TrialDefinition {
        try TrialDefinition(
            document: try TrialFixtures.document(
                """
                {"nct": "NCT00000001", "title": "test", "phase": "2", "status": "recruiting", "sponsor": "test",
                 "arms": [{"code": "a", "label": "A", "ratio": 1}],
                 "eligibility": \(eligibility),
                 "cohorts": [{"code": "main", "label": "main", "capacity": 10}]}
                """),
            vocabulary: try TrialFixtures.vocabulary())
    }

    /// MOTION's definition with one field replaced, to see it refused.
    static func motionRefusal(_ replace: String, with replacement: String) throws -> RegistryInputError? {
        let data = try String(
            contentsOf: TrialFixtures.repositoryRoot.appendingPathComponent("Trials/NCT05059262-motion.json"),
            encoding: .utf8)
        #expect(data.contains(replace), "fixture drifted: \(replace)")
        let document = try TrialFixtures.document(data.replacingOccurrences(of: replace, with: replacement))
        let vocabulary = try TrialFixtures.vocabulary()
        do {
            _ = try TrialDefinition(document: document, vocabulary: vocabulary)
            return nil
        } catch {
            return error
        }
    }

    @Test("APROMISS: anlotinib vs dacarbazine 2:1, an open-label ASPS cohort and randomized LMS and synovial cohorts")
    func apromiss() throws {
        let trial = try TrialFixtures.apromiss()
        #expect(trial.nct == "NCT03016819")
        #expect(trial.arms.map(\.code) == ["anlotinib", "dacarbazine"])
        #expect(trial.arms.map(\.ratio) == [2, 1])
        #expect(trial.cohorts.map(\.code) == ["asps", "lms", "synovial"])
        #expect(trial.cohorts.map(\.capacity) == [56, 68, 95])
        #expect(trial.cohort("asps")?.assignment == .fixed(armCode: "anlotinib"))
        #expect(trial.cohort("synovial")?.assignment == .randomized)
        #expect(
            trial.cohort("synovial")?.eligibility.contains(
                .requiredPriorTherapy(PriorTherapyRule(agents: [], classes: ["anthracycline"]))) == true)
    }

    @Test("MOTION: vimseltinib vs placebo 2:1 stratified by tumor location and region, four strata")
    func motion() throws {
        let trial = try TrialFixtures.motion()
        #expect(trial.arms.map(\.ratio) == [2, 1])
        #expect(trial.arms.last?.agents == [])
        #expect(
            trial.randomization?.strataKeys == [
                "tumor_location=lower_limb;region=us", "tumor_location=lower_limb;region=non_us",
                "tumor_location=other;region=us", "tumor_location=other;region=non_us",
            ])
        #expect(throws: Never.self) { try TrialFixtures.mantra() }
    }

    @Test(
        "a stratum is given as factor=level for every factor, in any order; missing or unknown levels are refused by field"
    )
    func stratumKeys() throws {
        let scheme = try #require(try TrialFixtures.motion().randomization)
        #expect(
            try scheme.stratumKey(["region=us", "tumor_location=other"], field: .stratum)
                == "tumor_location=other;region=us")
        #expect(throws: RegistryInputError.missing(field: Field.stratum.item("region=…"))) {
            try scheme.stratumKey(["tumor_location=other"], field: .stratum)
        }
        #expect(
            throws: RegistryInputError.notAllowed(
                field: Field.stratum.item("region"), value: "eu", allowed: "us, non_us")
        ) {
            try scheme.stratumKey(["tumor_location=other", "region=eu"], field: .stratum)
        }
        #expect(
            throws: RegistryInputError.malformed(
                field: .stratum, value: "region", expected: "factor=level, e.g. region=us")
        ) {
            try scheme.stratumKey(["region"], field: .stratum)
        }
    }

    @Test("a ratio of 0 is refused naming arms[1].ratio and the value")
    func zeroRatio() throws {
        let error = try Self.motionRefusal(#""ratio": 1"#, with: #""ratio": 0"#)
        #expect(error == .outOfRange(field: "arms[1].ratio", value: "0", range: "1 to 20"))
    }

    @Test("a block of 4 under 2:1 is refused naming randomization.blockSizes[0]: it cannot hold the ratio")
    func blockSizeNotMultiple() throws {
        let error = try Self.motionRefusal(#""blockSizes": [3, 6]"#, with: #""blockSizes": [4, 6]"#)
        #expect(
            error
                == .notAllowed(
                    field: "randomization.blockSizes[0]", value: "4",
                    allowed: "a multiple of the allocation ratio sum 3 (2:1)"))
    }

    @Test("a histology outside the vocabulary is refused naming eligibility.histology.include[0] and the code")
    func unknownHistology() throws {
        let error = try Self.motionRefusal(#""tenosynovial_giant_cell_tumour""#, with: #""9999/3""#)
        guard case .notAllowed(let field, let value, _)? = error else {
            Issue.record("expected notAllowed, got \(String(describing: error))")
            return
        }
        #expect(field == "eligibility.histology.include[0]")
        #expect(value == "9999/3")
    }

    @Test("a misspelt field is refused naming it, not ignored: cohorts[0].capcity")
    func misspeltField() throws {
        let error = try Self.motionRefusal(#""capacity": 120"#, with: #""capcity": 120"#)
        guard case .notAllowed(let field, let value, _)? = error else {
            Issue.record("expected notAllowed, got \(String(describing: error))")
            return
        }
        #expect(field == "cohorts[0].capcity")
        #expect(value == "120")
    }

    @Test(
        "a malformed NCT number, an unknown prior class, an unknown gene and a text capacity are each refused by field")
    func otherRefusals() throws {
        #expect(
            try Self.motionRefusal(#""NCT05059262""#, with: #""NCT5059262""#)
                == .malformed(field: "nct", value: "NCT5059262", expected: "an NCT number such as NCT03016819"))
        let drugClass = try Self.motionRefusal(
            #""classes": ["csf1r_inhibitor"]"#, with: #""classes": ["csf1r_blocker"]"#)
        if case .notAllowed(let field, let value, _)? = drugClass {
            #expect(field == "eligibility.excludedPriorTherapy.classes[0]" && value == "csf1r_blocker")
        } else {
            Issue.record("expected notAllowed, got \(String(describing: drugClass))")
        }
        #expect(
            try Self.motionRefusal(#""capacity": 120"#, with: #""capacity": "lots""#)
                == .malformed(field: "cohorts[0].capacity", value: "lots", expected: "a whole number"))
        #expect(
            throws: RegistryInputError.notAllowed(
                field: "eligibility.requiredFindings[0].anyOf[0].gene", value: "MDM3",
                allowed: "an HGNC symbol of the registry's gene list")
        ) {
            try Self.minimal(
                eligibility:
                    #"{"requiredFindings": [{"label": "x", "anyOf": [{"gene": "MDM3", "kind": "amplification"}]}]}"#)
        }
    }

    @Test("a randomized cohort without a randomization plan is refused naming randomization")
    func randomizationMissing() throws {
        let data = try String(
            contentsOf: TrialFixtures.repositoryRoot.appendingPathComponent("Trials/NCT04979442-mantra.json"),
            encoding: .utf8)
        let start = try #require(data.range(of: #""randomization":"#))
        let end = try #require(data.range(of: "\n", range: start.upperBound..<data.endIndex))
        let document = try TrialFixtures.document(
            data.replacingCharacters(in: start.lowerBound..<end.upperBound, with: ""))
        #expect(throws: RegistryInputError.missing(field: "randomization")) {
            try TrialDefinition(document: document, vocabulary: try TrialFixtures.vocabulary())
        }
    }
}
