import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import Testing

extension RegistryFixture {
    /// Row counts of the catalog tables, to show that a refused change wrote nothing.
    func catalogCounts() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for table in [
            "therapy_indications", "therapy_indication_histologies", "therapy_indication_biomarkers",
            "therapy_indication_status",
        ] {
            result[table] = try connection.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode(
                Int.self, "n")
        }
        return result
    }

    /// Every status row as text, to show that earlier rows are never changed.
    func statusRows() throws -> [String] {
        try connection.query("SELECT s::text AS row FROM therapy_indication_status s ORDER BY indication_status_id")
            .map { try $0.decode(String.self, "row") }
    }
}

/// A new indication as an administrator would write it, to be spoiled one field at a time.
private func milademetanDocument() -> [String: Any] {
    [
        "agent": "milademetan",
        "code": "milademetan_undifferentiated_sarcoma",
        "label": "Undifferentiated sarcoma with MDM2 amplification (phase II basket)",
        "histology": ["include": ["8805/3", "undifferentiated_pleomorphic_sarcoma"], "exclude": ["adipocytic"]],
        "biomarkers": [
            ["requirement": "required", "label": "MDM2 amplification", "gene": "MDM2", "kind": "amplification"]
        ],
        "minimum_age_years": 18,
        "disease_settings": ["locally_advanced_unresectable", "metastatic"],
        "prior_therapy_classes": ["anthracycline"],
        "minimum_prior_lines": 1,
        "boxed_warning": NSNull(),
        "rems_required": false,
        "evidence_summary": "phase II basket, MDM2-amplified cohort",
        "source": "registry test source",
        "initial_status": [
            "status": "in_development", "effective_date": "2025-03-01", "authority": "trial_registry",
            "source": "NCT-test",
        ],
    ]
}

private func json(_ document: [String: Any]) throws -> Data {
    try JSONSerialization.data(withJSONObject: document)
}

@Suite("The therapy catalog: listing, showing, dated status changes and new indications")
struct TherapyCatalogTests {
    @Test(
        "the list shows each indication's status on the date: vimseltinib in development on 2025-02-13, FDA approved from 2025-02-14"
    )
    func listByStatusAndDate() throws {
        let registry = try RegistryFixture()
        func codes(_ status: TherapyStatus, _ date: CalendarDate) throws -> [String] {
            try registry.catalog.list(asOf: date, status: status).flatMap { $0.indications.map(\.code) }
        }
        let before = CalendarDate(year: 2025, month: 2, day: 13)!,
            approval = CalendarDate(year: 2025, month: 2, day: 14)!
        #expect(try codes(.inDevelopment, before).contains("vimseltinib_tgct"))
        #expect(try !codes(.fdaApprovedSTS, before).contains("vimseltinib_tgct"))
        #expect(try codes(.fdaApprovedSTS, approval).contains("vimseltinib_tgct"))
        #expect(try codes(.approvedElsewhere, approval) == ["anlotinib_sts_china"])
        let everything = try registry.catalog.list(asOf: approval)
        #expect(everything.first { $0.agent.code == "doxorubicin" }?.indications.isEmpty == true)
        #expect(everything.first { $0.agent.code == "doxorubicin" }?.agent.drugClass == "anthracycline")
        let listed = everything.flatMap(\.indications).count
        #expect(listed == (try registry.catalogCounts()["therapy_indications"]))
    }

    @Test("show names every criterion in words, the boxed warning and REMS, and the dated history with sources")
    func showAgent() throws {
        let registry = try RegistryFixture()
        let tazemetostat = try registry.catalog.show(agent: "tazemetostat", asOf: registry.today)
        #expect(
            tazemetostat.indications.map(\.criteria) == [
                [
                    "histology: 8804/3 Epithelioid sarcoma", "age: 16 years or older",
                    "disease setting: locally advanced unresectable or metastatic",
                ]
            ])
        let pexidartinib = try #require(
            try registry.catalog.show(agent: "pexidartinib", asOf: registry.today).indications.first)
        #expect(pexidartinib.boxedWarning == "hepatotoxicity")
        #expect(pexidartinib.remsRequired)
        let nirogacestat = try #require(
            try registry.catalog.show(agent: "nirogacestat", asOf: registry.today).indications.first)
        // The two rows that named the FDA for the trial evidence stay in the history, superseded (0029).
        let standing = nirogacestat.statusHistory.filter { $0.supersededBecause == nil }
        #expect(nirogacestat.statusHistory.count == 4)
        #expect(standing.map(\.status) == [.inDevelopment, .fdaApprovedSTS])
        #expect(standing.map(\.precision) == ["month", "day"])
        #expect(standing.map(\.authority) == ["trial_publication", "FDA"])
        #expect(nirogacestat.statusHistory.last?.source == "FDA approval 2023-11-27 (Ogsiveo, DeFi NCT03785964)")
        let entrectinib = try #require(
            try registry.catalog.show(agent: "entrectinib", asOf: registry.today).indications.first)
        #expect(entrectinib.criteria.contains("NTRK fusion: requires NTRK1 fusion or NTRK2 fusion or NTRK3 fusion"))
        #expect(
            entrectinib.criteria.contains(
                "known acquired resistance mutation: ruled out by a recorded NTRK1 acquired resistance mutation or "
                    + "NTRK2 acquired resistance mutation or NTRK3 acquired resistance mutation"))
        let pazopanib = try #require(
            try registry.catalog.show(agent: "pazopanib", asOf: registry.today).indications.first)
        #expect(pazopanib.criteria.first == "histology: soft tissue sarcoma, excluding adipocytic")
        #expect(pazopanib.criteria.last == "prior therapy: at least 1 prior line, including cytotoxic chemotherapy")
        #expect {
            try registry.catalog.show(agent: "olaratumab", asOf: registry.today)
        } throws: { error in
            guard case RegistryError.unknownAgent(let agent) = error else { return false }
            return agent == "olaratumab"
        }
    }

    @Test(
        "catalog show takes every name catalog list prints, and the aliases: 'BI 907828', 'Tazverik' and 'nab-sirolimus' name their agents"
    )
    func showByListedName() throws {
        let registry = try RegistryFixture()
        for agent in try registry.catalog.list(asOf: registry.today).map(\.agent) {
            #expect(
                try registry.catalog.show(agent: agent.name, asOf: registry.today).agent.code == agent.code,
                "\(agent.name)")
        }
        #expect(try registry.catalog.show(agent: "BI 907828", asOf: registry.today).agent.name == "BI 907828")
        #expect(try registry.catalog.show(agent: "nab-sirolimus", asOf: registry.today).agent.code == "nab_sirolimus")
        #expect(try registry.catalog.show(agent: "Tazverik", asOf: registry.today).agent.code == "tazemetostat")
    }

    @Test(
        "the matcher's catalog is every indication, each with its criteria and its standing status history (superseded rows left out)"
    )
    func loadsWholeCatalog() throws {
        let registry = try RegistryFixture()
        let indications = try registry.catalog.indications()
        let counts = try registry.catalogCounts()
        #expect(indications.count == counts["therapy_indications"])
        let standing = try registry.connection.query("SELECT count(*) AS n FROM standing_indication_status")[0].decode(
            Int.self, "n")
        #expect(indications.map(\.statusHistory.count).reduce(0, +) == standing)
        let larotrectinib = try #require(indications.first { $0.code == "larotrectinib_ntrk_fusion" })
        #expect(
            larotrectinib.criteria.map(\.name) == [
                "histology", "NTRK fusion", "no known acquired resistance mutation", "disease setting",
            ])
        guard case .requiredBiomarker(let ntrk) = larotrectinib.criteria[1] else {
            Issue.record("no NTRK criterion")
            return
        }
        #expect(ntrk.alternatives.map(\.gene) == ["NTRK1", "NTRK2", "NTRK3"])
        guard case .histology(let histology) = larotrectinib.criteria[0] else {
            Issue.record("no histology criterion")
            return
        }
        #expect(histology.included == [.anyHistology])
    }

    @Test(
        "a status change is a new dated row: old rows unchanged, history shows both, a match before and after differs")
    func statusChangeIsNewRow() throws {
        let registry = try RegistryFixture()
        let id = try registry.patient(mrn: "WDLPS-2", birth: "1966-04-04", icdo3: "8851/3")
        try registry.finding(id, gene: "CDK4", kind: .amplification)
        let rowsBefore = try registry.statusRows()

        let record = try registry.catalog.addStatus(
            StatusChangeSubmission(
                indication: "palbociclib_wd_dd_liposarcoma", status: .fdaApprovedSTS,
                effectiveDate: try CalendarDate(iso: "2026-06-01"),
                authority: .fda, source: "hypothetical approval for the test"))
        #expect(record.status == .fdaApprovedSTS && record.authority == "FDA")

        let rowsAfter = try registry.statusRows()
        #expect(Array(rowsAfter.prefix(rowsBefore.count)) == rowsBefore)
        #expect(rowsAfter.count == rowsBefore.count + 1)
        let history = try #require(
            try registry.catalog.show(agent: "palbociclib", asOf: registry.today).indications
                .first { $0.code == "palbociclib_wd_dd_liposarcoma" }?.statusHistory)
        let standing = history.filter { $0.supersededBecause == nil }
        #expect(standing.map(\.status) == [.studiedSTS, .fdaApprovedSTS])
        #expect(
            standing.map(\.effectiveDate) == [
                CalendarDate(year: 2016, month: 1, day: 1), CalendarDate(year: 2026, month: 6, day: 1),
            ])
        #expect(history.count == 4)

        let dayBefore = try registry.evaluation(
            "palbociclib_wd_dd_liposarcoma", of: id, asOf: CalendarDate(year: 2026, month: 5, day: 31))
        let onTheDay = try registry.evaluation(
            "palbociclib_wd_dd_liposarcoma", of: id, asOf: CalendarDate(year: 2026, month: 6, day: 1))
        #expect(dayBefore.status?.status == .studiedSTS)
        #expect(onTheDay.status?.status == .fdaApprovedSTS)
        #expect(dayBefore.isFullyMet && onTheDay.isFullyMet)
    }

    @Test("the status history refuses edits in SQL too: an UPDATE is rejected by the append-only trigger")
    func historyIsAppendOnly() throws {
        let registry = try RegistryFixture()
        #expect {
            try registry.connection.execute("UPDATE therapy_indication_status SET source = 'rewritten'")
        } throws: { error in
            (error as? PostgresError)?.constraint == "therapy_indication_status_append_only"
        }
    }

    @Test(
        "a bad status change is refused naming the field and the value, and nothing is written: a studied use from the FDA, an approval from the review"
    )
    func badStatusChanges() throws {
        let registry = try RegistryFixture()
        let good = StatusChangeSubmission(
            indication: "vimseltinib_tgct", status: .fdaApprovedSTS, effectiveDate: try CalendarDate(iso: "2026-03-01"),
            authority: .fda,
            source: "label update")
        var cases: [(StatusChangeSubmission, field: String, value: String?)] = []
        func spoil(_ change: (inout StatusChangeSubmission) -> Void, field: String, value: String?) {
            var submission = good
            change(&submission)
            cases.append((submission, field, value))
        }
        spoil({ $0.indication = "vimseltinib_tgtc" }, field: "indication", value: "vimseltinib_tgtc")
        // An unknown status or authority and a malformed date cannot be submitted typed; the command line refuses
        // them (TrialCatalogReportValueTests).
        let future = try CalendarDate(iso: "2027-01-05"), recorded = try CalendarDate(iso: "2025-02-14")
        spoil({ $0.effectiveDate = future }, field: "date", value: "2027-01-05")
        spoil({ $0.effectiveDate = recorded }, field: "date", value: "2025-02-14")
        spoil({ $0.authority = .ema }, field: "authority", value: "EMA")
        spoil({ $0.status = .approvedElsewhere }, field: "authority", value: "FDA")
        spoil({ $0.status = .studiedSTS }, field: "authority", value: "FDA")
        spoil({ $0.authority = .review }, field: "authority", value: "review")
        spoil({ $0.source = "   " }, field: "source", value: nil)
        let before = try registry.catalogCounts()
        let rowsBefore = try registry.statusRows()
        for (submission, field, value) in cases {
            do {
                _ = try registry.catalog.addStatus(submission)
                Issue.record("accepted with a bad \(field)")
            } catch {
                #expect(String(describing: error).contains(field), "\(field): \(error)")
                if let value { #expect(String(describing: error).contains(value), "\(value): \(error)") }
            }
        }
        #expect(try registry.catalogCounts() == before)
        #expect(try registry.statusRows() == rowsBefore)
        _ = try registry.catalog.addStatus(good)
        #expect(try registry.catalogCounts()["therapy_indication_status"] == before["therapy_indication_status"]! + 1)
    }

    @Test("an indication added from JSON arrives whole (criteria and first status) and the matcher uses it")
    func addIndication() throws {
        let registry = try RegistryFixture()
        let before = try registry.catalogCounts()
        let added = try registry.catalog.addIndication(json: try json(milademetanDocument()))
        #expect(added.code == "milademetan_undifferentiated_sarcoma")
        #expect(
            added.criteria == [
                "histology: 8805/3 Undifferentiated sarcoma or undifferentiated pleomorphic sarcoma, excluding adipocytic",
                "MDM2 amplification: requires MDM2 amplification", "age: 18 years or older",
                "disease setting: locally advanced unresectable or metastatic",
                "prior therapy: at least 1 prior line, including anthracycline",
            ])
        #expect(added.currentStatus?.status == .inDevelopment)
        let after = try registry.catalogCounts()
        #expect(after["therapy_indications"] == before["therapy_indications"]! + 1)
        #expect(after["therapy_indication_histologies"] == before["therapy_indication_histologies"]! + 3)
        #expect(after["therapy_indication_biomarkers"] == before["therapy_indication_biomarkers"]! + 1)
        #expect(after["therapy_indication_status"] == before["therapy_indication_status"]! + 1)

        let id = try registry.patient(mrn: "UPS-1", birth: "1958-08-08", icdo3: "8802/3")
        try registry.finding(id, gene: "MDM2", kind: .amplification)
        _ = try registry.treatment.start(
            id,
            TherapyStart(
                agents: ["doxorubicin", "ifosfamide"], intent: .palliative,
                startDate: try CalendarDate(iso: "2024-11-20")))
        let evaluation = try registry.evaluation("milademetan_undifferentiated_sarcoma", of: id)
        #expect(evaluation.isFullyMet)
        #expect(evaluation.status?.status == .inDevelopment)
    }

    @Test("a bad indication file is refused naming the field and the value, and nothing is written")
    func badIndications() throws {
        let registry = try RegistryFixture()
        var cases: [(Data, field: String, value: String?)] = []
        func spoil(field: String, value: String?, _ change: (inout [String: Any]) -> Void) throws {
            var document = milademetanDocument()
            change(&document)
            cases.append((try json(document), field, value))
        }
        try spoil(field: "agent", value: "olaratumab") { $0["agent"] = "olaratumab" }
        try spoil(field: "combined_with", value: "milademetan") { $0["combined_with"] = "milademetan" }
        try spoil(field: "code", value: "pazopanib_advanced_sts") { $0["code"] = "pazopanib_advanced_sts" }
        try spoil(field: "code", value: "Milademetan UPS") { $0["code"] = "Milademetan UPS" }
        try spoil(field: "label", value: nil) { $0["label"] = " " }
        try spoil(field: "histology.include[0]", value: "9999/3") { $0["histology"] = ["include": ["9999/3"]] }
        try spoil(field: "histology.exclude[0]", value: "lipomatous") {
            $0["histology"] = ["include": ["8805/3"], "exclude": ["lipomatous"]]
        }
        try spoil(field: "histology.include", value: nil) {
            $0["histology"] = ["include": [String](), "exclude": ["adipocytic"]]
        }
        try spoil(field: "biomarkers[0].gene", value: "MDM3") {
            $0["biomarkers"] = [["label": "MDM2 amplification", "gene": "MDM3", "kind": "amplification"]]
        }
        try spoil(field: "biomarkers[0].kind", value: "amplified") {
            $0["biomarkers"] = [["label": "MDM2 amplification", "gene": "MDM2", "kind": "amplified"]]
        }
        try spoil(field: "biomarkers[0].partner", value: "CDK4") {
            $0["biomarkers"] = [
                ["label": "MDM2 amplification", "gene": "MDM2", "kind": "amplification", "partner": "CDK4"]
            ]
        }
        try spoil(field: "minimum_age_years", value: "150") { $0["minimum_age_years"] = 150 }
        try spoil(field: "minimum_age_years", value: "sixteen") { $0["minimum_age_years"] = "sixteen" }
        try spoil(field: "disease_settings[1]", value: "advanced") {
            $0["disease_settings"] = ["metastatic", "advanced"]
        }
        try spoil(field: "prior_therapy_classes[0]", value: "chemo") { $0["prior_therapy_classes"] = ["chemo"] }
        try spoil(field: "rems_required", value: "1") { $0["rems_required"] = 1 }
        try spoil(field: "source", value: nil) { $0.removeValue(forKey: "source") }
        try spoil(field: "initial_status.status", value: "approved") {
            $0["initial_status"] = [
                "status": "approved", "effective_date": "2025-03-01", "authority": "FDA", "source": "x",
            ]
        }
        try spoil(field: "initial_status.effective_date", value: "2027-01-01") {
            $0["initial_status"] = [
                "status": "in_development", "effective_date": "2027-01-01", "authority": "trial_registry",
                "source": "x",
            ]
        }
        try spoil(field: "initial_status.source", value: nil) {
            $0["initial_status"] = [
                "status": "in_development", "effective_date": "2025-03-01", "authority": "trial_registry",
            ]
        }
        try spoil(field: "indication file", value: "histologies") { $0["histologies"] = $0["histology"] }
        cases.append((Data("{\"agent\": ".utf8), "indication file", "{\"agent\": "))
        let before = try registry.catalogCounts()
        for (data, field, value) in cases {
            do {
                _ = try registry.catalog.addIndication(json: data)
                Issue.record("accepted with a bad \(field)")
            } catch {
                #expect(String(describing: error).contains(field), "\(field): \(error)")
                if let value { #expect(String(describing: error).contains(value), "\(value): \(error)") }
            }
        }
        #expect(try registry.catalogCounts() == before)
    }
}
