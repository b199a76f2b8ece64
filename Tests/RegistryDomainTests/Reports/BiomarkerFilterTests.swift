import RegistryDomain
import Testing

@Suite("A report's biomarker filter and a catalog status's authority, read from submitted text")
struct BiomarkerFilterTests {
    @Test("GENE and GENE:kind are read in any case with spaces around the parts; an unknown kind names the value")
    func biomarker() throws {
        #expect(
            try BiomarkerFilter.parse("ss18 : fusion", field: .biomarker)
                == BiomarkerFilter(gene: "SS18", kind: .fusion))
        #expect(try BiomarkerFilter.parse("CDK4", field: .biomarker) == BiomarkerFilter(gene: "CDK4"))
        #expect(
            throws: RegistryInputError.notAllowed(
                field: Field.biomarker.item("kind"), value: "fusionn", allowed: MolecularAlterationKind.allowedValues)
        ) {
            try BiomarkerFilter.parse("NTRK3:fusionn", field: .biomarker)
        }
        #expect(throws: RegistryInputError.self) { try BiomarkerFilter.parse(" ", field: .biomarker) }
    }

    @Test("an authority is read in any case and with spaces; MHRA is refused with the authorities there are")
    func authority() throws {
        #expect(try StatusAuthority.parse("fda", field: .authority) == .fda)
        #expect(try StatusAuthority.parse("Trial publication", field: .authority) == .trialPublication)
        #expect(
            throws: RegistryInputError.notAllowed(
                field: .authority, value: "MHRA",
                allowed: "FDA, EMA, NMPA, PMDA, trial_publication, review, guideline, trial_registry")
        ) {
            try StatusAuthority.parse("MHRA", field: .authority)
        }
    }
}
