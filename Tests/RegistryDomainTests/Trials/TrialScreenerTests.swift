import RegistryDomain
import Testing

@Suite("Trial screening: every criterion met, not met or unknown, with the patient's value")
struct TrialScreenerTests {
    let day = TrialFixtures.screeningDay

    func screen(_ candidate: TrialCandidate, _ trial: TrialDefinition, cohort: String? = nil) -> TrialScreening {
        TrialScreener.screen(candidate, for: trial, cohort: cohort, on: day)
    }

    @Test(
        "APROMISS takes a synovial sarcoma patient after first-line doxorubicin into the synovial cohort, every criterion met"
    )
    func apromissSynovialAfterAnthracycline() throws {
        let screening = screen(try TrialFixtures.synovialAfterDoxorubicin(), try TrialFixtures.apromiss())
        #expect(screening.outcome == .eligible)
        #expect(screening.cohortCode == "synovial")
        #expect(screening.criteria.allSatisfy { $0.outcome == .met })
        let prior = try #require(screening.evaluation(.requiredPriorTherapy))
        #expect(prior.patientValue == "doxorubicin")
        #expect(prior.reason == "prior anthracycline recorded")
        #expect(screening.evaluation(.maximumECOG)?.patientValue == "ECOG 1 on 2026-11-02")
    }

    @Test("a myxoid liposarcoma patient fails APROMISS on histology, with the code and entity as the patient's value")
    func liposarcomaFailsOnHistology() throws {
        let candidate = try TrialFixtures.candidate(
            "8852/3", "Myxoid liposarcoma", agents: ["doxorubicin"], classes: ["anthracycline"], lines: 1)
        let screening = screen(candidate, try TrialFixtures.apromiss())
        #expect(screening.outcome == .notEligible)
        let histology = screening.criteria.filter { $0.kind == .histology }
        #expect(!histology.isEmpty && histology.allSatisfy { $0.outcome == .notMet })
        #expect(histology.allSatisfy { $0.patientValue == "8852/3 Myxoid liposarcoma" })
        #expect(screening.unmetCriteria.allSatisfy { $0.kind == .histology })
    }

    @Test("an ECOG never assessed is unknown, not met: the synovial sarcoma patient is incomplete, not eligible")
    func unknownECOGIsUnknown() throws {
        let screening = screen(try TrialFixtures.synovialAfterDoxorubicin(ecog: nil), try TrialFixtures.apromiss())
        let ecog = try #require(screening.evaluation(.maximumECOG))
        #expect(ecog.outcome == .unknown)
        #expect(ecog.patientValue == "unknown")
        #expect(screening.outcome == .incomplete)
    }

    @Test("ECOG 2 is not met under APROMISS's maximum of 1, with the score and date beside it")
    func ecogAboveMaximum() throws {
        let screening = screen(try TrialFixtures.synovialAfterDoxorubicin(ecog: 2), try TrialFixtures.apromiss())
        let ecog = try #require(screening.evaluation(.maximumECOG))
        #expect(ecog.outcome == .notMet)
        #expect(ecog.patientValue == "ECOG 2 on 2026-11-02")
        #expect(screening.outcome == .notEligible)
    }

    @Test("synovial sarcoma after ifosfamide alone fails APROMISS's synovial cohort: no prior anthracycline")
    func requiredPriorClassMissing() throws {
        let candidate = try TrialFixtures.candidate(
            "9040/3", "Synovial sarcoma NOS", agents: ["ifosfamide"], classes: ["alkylating_agent"], lines: 1)
        let prior = try #require(
            screen(candidate, try TrialFixtures.apromiss(), cohort: "synovial").evaluation(.requiredPriorTherapy))
        #expect(prior.outcome == .notMet)
        #expect(prior.patientValue == "ifosfamide")
        #expect(prior.reason == "no prior anthracycline recorded")
    }

    @Test("untreated leiomyosarcoma fails APROMISS's LMS cohort on the minimum of one prior line")
    func minimumPriorLines() throws {
        let candidate = try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", lines: 0)
        let screening = screen(candidate, try TrialFixtures.apromiss(), cohort: "lms")
        let lines = try #require(screening.evaluation(.priorLines))
        #expect(lines.outcome == .notMet)
        #expect(lines.patientValue == "0 prior lines")
        #expect(screening.unmetCriteria.map(\.kind) == [.priorLines])
    }

    @Test("a maximum of prior lines refuses a fourth-line patient and accepts a second-line one")
    func maximumPriorLines() throws {
        let trial = try TrialDefinitionTests.minimal(eligibility: #"{"priorLines": {"minimum": 1, "maximum": 2}}"#)
        let fourth = try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", lines: 3)
        let second = try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", lines: 1)
        #expect(screen(fourth, trial).evaluation(.priorLines)?.outcome == .notMet)
        #expect(screen(second, trial).evaluation(.priorLines)?.outcome == .met)
    }

    @Test("synovial sarcoma screened for the ASPS cohort fails on that cohort's histology")
    func cohortCriteriaAdded() throws {
        let screening = screen(
            try TrialFixtures.synovialAfterDoxorubicin(), try TrialFixtures.apromiss(), cohort: "asps")
        #expect(screening.cohortCode == "asps")
        #expect(screening.unmetCriteria.map(\.kind) == [.histology])
        #expect(screening.unmetCriteria.first?.reason.contains("9581/3") == true)
    }

    @Test(
        "age: 17 is not met under a minimum of 18; a birth year alone giving 17 or 18 is unknown; a maximum of 75 refuses 76"
    )
    func ageRange() throws {
        let trial = try TrialDefinitionTests.minimal(eligibility: #"{"age": {"minimum": 18, "maximum": 75}}"#)
        let seventeen = screen(try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", ages: 17...17), trial)
            .evaluation(.age)
        #expect(seventeen?.outcome == .notMet)
        #expect(seventeen?.patientValue == "17 years")
        let straddling = screen(try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", ages: 17...18), trial)
            .evaluation(.age)
        #expect(straddling?.outcome == .unknown)
        #expect(straddling?.patientValue == "17 or 18 years")
        #expect(
            screen(try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", ages: 76...76), trial).evaluation(.age)?
                .outcome == .notMet)
        #expect(
            screen(try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", ages: 75...75), trial).evaluation(.age)?
                .outcome == .met)
        #expect(
            screen(try TrialFixtures.candidate("8890/3", "Leiomyosarcoma", ages: nil), trial).evaluation(.age)?.outcome
                == .unknown)
    }

    @Test("possible ages: born 2008-12-01 is 17 on 2026-11-27; born in 2008 (year only) is 17 or 18")
    func possibleAges() throws {
        let born = try #require(CalendarDate(year: 2008, month: 12, day: 1))
        #expect(TrialCandidate.possibleAges(birthYear: 2008, birthDate: born, on: day) == 17...17)
        #expect(TrialCandidate.possibleAges(birthYear: 2008, birthDate: nil, on: day) == 17...18)
    }

    @Test("MOTION refuses a TGCT patient after pexidartinib: prior anti-CSF1R therapy excludes")
    func excludedPriorAgent() throws {
        let candidate = try TrialFixtures.candidate(
            "9252/1", "Tenosynovial giant cell tumour, diffuse", setting: .locallyAdvancedUnresectable,
            agents: ["pexidartinib"], classes: ["tyrosine_kinase_inhibitor"], lines: 1)
        let screening = screen(candidate, try TrialFixtures.motion())
        let excluded = try #require(screening.evaluation(.excludedPriorTherapy))
        #expect(excluded.outcome == .notMet)
        #expect(excluded.reason == "prior pexidartinib excluded")
        #expect(screening.unmetCriteria.map(\.kind) == [.excludedPriorTherapy])
    }

    @Test("MOTION takes an untreated diffuse TGCT patient; localized disease amenable to surgery is not met")
    func diseaseSetting() throws {
        let motion = try TrialFixtures.motion()
        let unresectable = try TrialFixtures.candidate(
            "9252/1", "Tenosynovial giant cell tumour, diffuse", setting: .locallyAdvancedUnresectable, ecog: nil)
        #expect(screen(unresectable, motion).outcome == .eligible)
        let localized = try TrialFixtures.candidate(
            "9252/0", "Tenosynovial giant cell tumour, localized", setting: .localized)
        let setting = try #require(screen(localized, motion).evaluation(.diseaseSetting))
        #expect(setting.outcome == .notMet)
        #expect(setting.patientValue == "localized")
    }

    @Test("MANTRA: an MDM2 amplification is met; MDM2 not tested is unknown; a negative MDM2 FISH is not met")
    func requiredFinding() throws {
        let mantra = try TrialFixtures.mantra()
        func finding(_ findings: [PatientProfile.MolecularFinding]) throws -> TrialCriterionEvaluation? {
            let candidate = try TrialFixtures.candidate(
                "8858/3", "Dedifferentiated liposarcoma", agents: ["doxorubicin"], classes: ["anthracycline"], lines: 1,
                findings: findings)
            return screen(candidate, mantra).evaluation(.requiredFinding)
        }
        let amplified = try finding([.init(gene: "MDM2", kind: .amplification, result: .positive)])
        #expect(amplified?.outcome == .met)
        #expect(try finding([])?.outcome == .unknown)
        #expect(try finding([.init(gene: "MDM2", kind: .amplification, result: .negative)])?.outcome == .notMet)
    }

    @Test(
        "an excluding finding refuses a patient with a positive SS18::SSX1 fusion (SS18 the 5' partner) and accepts one without"
    )
    func excludingFinding() throws {
        let trial = try TrialDefinitionTests.minimal(
            eligibility:
                #"{"excludingFindings": [{"label": "SS18::SSX1 fusion", "anyOf": [{"gene": "SSX1", "kind": "fusion", "partner": "SS18"}]}]}"#
        )
        let fused = try TrialFixtures.candidate(
            "8890/3", "Leiomyosarcoma",
            findings: [.init(gene: "SSX1", kind: .fusion, partnerGene: "SS18", result: .positive)])
        let excluded = try #require(screen(fused, trial).evaluation(.excludingFinding))
        #expect(excluded.outcome == .notMet)
        #expect(excluded.patientValue == "SS18::SSX1 fusion positive")
        #expect(
            screen(try TrialFixtures.candidate("8890/3", "Leiomyosarcoma"), trial).evaluation(.excludingFinding)?
                .outcome == .met)
    }

    @Test(
        "measurable disease: target lesions are met, non-target only is not met, no baseline lesions recorded is unknown"
    )
    func measurableDisease() throws {
        let apromiss = try TrialFixtures.apromiss()
        func baseline(_ status: BaselineDiseaseStatus) throws -> TrialCriterionEvaluation? {
            let candidate = try TrialFixtures.candidate(
                "9040/3", "Synovial sarcoma NOS", agents: ["doxorubicin"], classes: ["anthracycline"], lines: 1,
                baseline: status)
            return screen(candidate, apromiss).evaluation(.measurableDisease)
        }
        #expect(try baseline(.measurable(targetLesions: 1))?.outcome == .met)
        #expect(try baseline(.notMeasurable)?.outcome == .notMet)
        let unknown = try baseline(.unknown(reason: "no baseline lesions recorded"))
        #expect(unknown?.outcome == .unknown)
        #expect(unknown?.reason == "no baseline lesions recorded")
    }
}
