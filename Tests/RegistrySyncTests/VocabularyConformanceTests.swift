import Foundation
import PostgresClient
import RegistryDomain
import RegistrySync
import Testing

/// One rule book: a vocabulary lives in `RegistryDomain`; the schema's CHECK constraints and the published
/// REDCap dictionary are second spellings that the database and REDCap need, so they are held to it here.
@Suite("Vocabularies agree with the domain", .serialized)
struct VocabularyConformanceTests {
    /// The values a CHECK constraint of the form `column IN ('a', 'b', ...)` allows.
    static func allowedValues(_ constraint: String, on connection: Connection) throws -> Set<String> {
        let definition = try connection.query(
            "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = \(constraint)"
        )[0].decode(String.self, "definition")
        let regex = try NSRegularExpression(pattern: "'([^']*)'")
        let range = NSRange(definition.startIndex..., in: definition)
        return Set(
            regex.matches(in: definition, range: range).compactMap { match in
                Range(match.range(at: 1), in: definition).map { String(definition[$0]) }
            })
    }

    static func rawValues<Vocabulary: RegistryVocabulary>(_ vocabulary: Vocabulary.Type) -> Set<String> {
        Set(vocabulary.allCases.map(\.rawValue))
    }

    @Test(
        "every schema CHECK that spells a vocabulary allows exactly the domain's values: sex, vital status, intent (with not_recorded), stop reason, attribution, CTCAE and ICD-O editions, molecular method and result, alteration kind, disease setting, drug class, gene name kind, status authority"
    )
    func schemaChecksAreTheDomains() throws {
        let fixture = try SyncFixture()
        let expected: [(String, Set<String>)] = [
            ("patients_sex_known", Self.rawValues(Sex.self)),
            ("patients_vital_status_known", Self.rawValues(VitalStatus.self)),
            ("therapy_lines_intent_known", Self.rawValues(TherapyIntent.self)),
            ("therapy_lines_stop_reason_known", Self.rawValues(StopReason.self)),
            ("adverse_events_attribution_known", Self.rawValues(Attribution.self)),
            ("adverse_events_ctcae_version_known", Self.rawValues(CTCAEVersion.self)),
            ("diagnoses_icdo_version_known", Self.rawValues(ICDOVersion.self)),
            ("molecular_results_method_known", Self.rawValues(MolecularMethod.self)),
            ("molecular_results_result_known", Self.rawValues(PatientProfile.TestResult.self)),
            ("molecular_results_alteration_kind_known", Self.rawValues(MolecularAlterationKind.self)),
            ("diagnoses_disease_setting_known", Self.rawValues(DiseaseSetting.self)),
            ("therapy_agents_drug_class_known", Self.rawValues(DrugClass.self)),
            ("gene_aliases_kind_known", Self.rawValues(GeneNameKind.self)),
            ("therapy_indication_status_authority_known", Set(StatusAuthority.allCases.map(\.rawValue))),
        ]
        for (constraint, values) in expected {
            #expect(try Self.allowedValues(constraint, on: fixture.connection) == values, "\(constraint)")
        }
    }

    @Test(
        "the schema lets an authority set exactly the statuses StatusAuthority.sets gives it: an FDA approval only from the FDA, a studied use only from its evidence (review, trial publication, guideline)"
    )
    func statusAuthorityRuleIsTheDomains() throws {
        let fixture = try SyncFixture()
        let indication = try fixture.connection.query(
            "SELECT indication_id FROM therapy_indications WHERE indication_code = 'pazopanib_desmoid'")[0].decode(
                Int.self, "indication_id")
        for authority in StatusAuthority.allCases {
            for status in TherapyStatus.allCases {
                let accepted: Bool
                do {
                    try fixture.connection.withTransaction { tx in
                        try tx.execute(
                            """
                            INSERT INTO therapy_indication_status (indication_id, status, effective_date, authority, source)
                            VALUES (\(indication), \(status.rawValue), DATE '2001-02-03', \(authority.rawValue), 'conformance probe')
                            """)
                        throw CancellationError()
                    }
                    accepted = false
                } catch is CancellationError {
                    accepted = true
                } catch {
                    accepted = false
                }
                #expect(accepted == authority.sets.contains(status), "\(authority.rawValue) setting \(status.rawValue)")
            }
        }
    }

    @Test(
        "the published REDCap dictionary offers exactly the domain's codes for each vocabulary field; an intent not recorded is the one code REDCap does not offer, since its intent field is required"
    )
    func redcapChoicesAreTheDomains() {
        let expected: [(String, Set<String>)] = [
            ("sex", Self.rawValues(Sex.self)),
            ("vital_status", Self.rawValues(VitalStatus.self)),
            ("icdo_version", Self.rawValues(ICDOVersion.self)),
            ("disease_setting", Self.rawValues(DiseaseSetting.self)),
            ("mol_kind", Self.rawValues(MolecularAlterationKind.self)),
            ("mol_method", Self.rawValues(MolecularMethod.self)),
            ("mol_result", Self.rawValues(PatientProfile.TestResult.self)),
            ("line_intent", Self.rawValues(TherapyIntent.self).subtracting([TherapyIntent.notRecorded.rawValue])),
            ("line_stop_reason", Self.rawValues(StopReason.self)),
            ("ae_ctcae_version", Self.rawValues(CTCAEVersion.self)),
            ("ae_attribution", Self.rawValues(Attribution.self)),
        ]
        for (field, values) in expected {
            let choices = REDCapDictionary.registry.fields.first { $0.name == field }?.choiceCodes
            #expect(choices.map(Set.init) == values, "\(field)")
        }
    }
}
