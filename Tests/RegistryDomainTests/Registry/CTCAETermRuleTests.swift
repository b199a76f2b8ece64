import RegistryDomain
import Testing

@Suite("CTCAE 'Other, specify' and the timeline's marks")
struct CTCAETermRuleTests {
    @Test(
        "'Vascular disorders - Other, specify' keeps its text, trimmed; without text it is refused; text beside Hypertension is refused"
    )
    func specifiedText() throws {
        #expect(CTCAETerm.isOtherSpecify("Vascular disorders - Other, specify"))
        #expect(!CTCAETerm.isOtherSpecify("Hypertension"))
        #expect(
            try CTCAETerm.specified(
                " Aortic dissection ", for: "Vascular disorders - Other, specify", specifyField: .specifiedTerm)
                == "Aortic dissection")
        #expect(
            throws: RegistryInputError.otherSpecifyWithoutText(
                field: .specifiedTerm, term: "Vascular disorders - Other, specify")
        ) {
            try CTCAETerm.specified("  ", for: "Vascular disorders - Other, specify", specifyField: .specifiedTerm)
        }
        #expect(
            throws: RegistryInputError.textWithoutOtherSpecify(
                field: .specifiedTerm, value: "white coat", term: "Hypertension")
        ) {
            try CTCAETerm.specified("white coat", for: "Hypertension", specifyField: .specifiedTerm)
        }
        #expect(try CTCAETerm.specified(nil, for: "Hypertension", specifyField: .specifiedTerm) == nil)
    }

    @Test(
        "the overlap and baseline rules name how each path marks the exception; the command's statement names its option"
    )
    func marks() {
        #expect(
            TimelineRule.overlappingLines.statement(.plain)
                == "therapy lines of a patient do not overlap unless marked concurrent (the concurrent mark)")
        #expect(
            TimelineRule.overlappingLines.statement(marked: "SUPPEX QNAM CONCURNT = Y")
                == "therapy lines of a patient do not overlap unless marked concurrent (SUPPEX QNAM CONCURNT = Y)")
        #expect(
            TimelineRule.adverseEventBeforeFirstLine.statement(marked: "ae_baseline = 1 (Yes)")
                == "an adverse event starts on or after the first line's start unless marked baseline (ae_baseline = 1 (Yes))"
        )
        #expect(TimelineRule.afterDeath.statement(marked: "ignored") == TimelineRule.afterDeath.statement(.plain))
    }
}
