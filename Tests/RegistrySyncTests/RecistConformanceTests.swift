import Foundation
import PostgresClient
import RegistryDomain
import RegistryServices
import RegistrySync
import Testing

/// One baseline lesion as a coordinator and both exports would submit it, beside a 40 mm lung target, and
/// what RECIST 1.1 makes of it: accepted, or refused for the fault the domain names.
struct BaselineLesionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let label: String
    let isTarget: Bool
    let organ: String
    let isNode: Bool
    let diameter: String
    /// nil: accepted.
    let fault: RecistInputError?
    /// SDTM TR carries a non-target's state (TUMSTATE), not its size, so a non-target's diameter has no SDTM row.
    var inSDTM: Bool { isTarget }

    var testDescription: String { name }

    static let all: [BaselineLesionCase] = [
        .init(
            name: "an 8 mm liver target", label: "T1", isTarget: true, organ: "liver", isNode: false, diameter: "8",
            fault: .targetNotMeasurable("T1", diameter: Millimetres(8))),
        .init(
            name: "a target node with a 12 mm short axis", label: "N1", isTarget: true, organ: "lymph node",
            isNode: true, diameter: "12",
            fault: .nodeTooSmallForTarget("N1", shortAxis: Millimetres(12))),
        .init(
            name: "a non-target node with an 8 mm short axis", label: "NT1", isTarget: false, organ: "lymph node",
            isNode: true,
            diameter: "8", fault: .nodeNotPathological("NT1", shortAxis: Millimetres(8))),
        .init(
            name: "a 10 mm liver target", label: "T1", isTarget: true, organ: "liver", isNode: false, diameter: "10",
            fault: nil),
        .init(
            name: "a target node with a 15 mm short axis", label: "N1", isTarget: true, organ: "lymph node",
            isNode: true, diameter: "15",
            fault: nil),
        .init(
            name: "a liver target of 33.6128 mm, as a workstation writes it", label: "T1", isTarget: true,
            organ: "liver", isNode: false,
            diameter: "33.6128", fault: nil),
    ]
}

/// `lesion add`, the SDTM import and the REDCap import take or refuse the same baseline lesion, for the same
/// reason in the same words: the domain's (``RecistInputError``).
@Suite("RECIST 1.1 on every path", .serialized)
struct RecistConformanceTests {
    static let date = "2024-02-01"

    @Test(
        "the same baseline lesion is taken or refused alike by lesion add, the SDTM import and the REDCap import",
        arguments: BaselineLesionCase.all)
    func everyPathAgrees(lesion: BaselineLesionCase) throws {
        let fixture = try SyncFixture()
        let expected = lesion.fault?.description

        let coordinator = try coordinatorPath(lesion, fixture)
        #expect(coordinator == expected, "lesion add")

        if lesion.inSDTM {
            let sdtm = try importPath(lesion, fixture, rejects: try sdtmRun(lesion, fixture))
            #expect(sdtm == expected, "SDTM import")
        }
        let redcap = try importPath(lesion, fixture, rejects: try redcapRun(lesion, fixture))
        #expect(redcap == expected, "REDCap import")
    }

    /// `lesion add` for the lung target and then the case's lesion: nil when taken, else the refusal's text.
    func coordinatorPath(_ lesion: BaselineLesionCase, _ fixture: SyncFixture) throws -> String? {
        let key = try MRNKey(secret: Data("test-only key, 32 bytes or longer, never used in production".utf8))
        let patient = try PatientService(
            connection: fixture.connection, today: CalendarDate(year: 2026, month: 11, day: 27)!
        ).enroll(
            EnrollmentRequest(
                site: "MUC", mrn: "CONFORMANCE-1", birth: try PartialDate(iso: "1970-05-04"), sex: .female,
                consentDate: try CalendarDate(iso: "2024-01-10")), key: key)
        let assessments = AssessmentService(connection: fixture.connection)
        _ = try assessments.addLesion(
            patient.registryID,
            LesionSubmission(
                lesion: "T9", lesionClass: .target, organ: "lung", method: .ct, diameter: Millimetres(40),
                date: try CalendarDate(iso: Self.date)))
        do {
            _ = try assessments.addLesion(
                patient.registryID,
                LesionSubmission(
                    lesion: try LesionID.parse(lesion.label, field: .lesion),
                    lesionClass: lesion.isTarget ? .target : .nonTarget,
                    organ: lesion.organ, isLymphNode: lesion.isNode, method: .ct,
                    diameter: try Millimetres.parseDiameter(lesion.diameter, field: .diameter),
                    date: try CalendarDate(iso: Self.date)))
            return nil
        } catch let error as AssessmentError {
            return error.description
        }
    }

    /// What an import did with the case's lesion: nil when its rows were applied, else the domain's words
    /// in the refusal (the quarantine reason holds them between the series and the lesion).
    func importPath(_ lesion: BaselineLesionCase, _ fixture: SyncFixture, rejects: [QuarantinedValue]) throws -> String?
    {
        let prefix = "RECIST 1.1 refuses the series of investigator with this export applied: "
        let suffix = "; none of the rows of lesion \(lesion.label) in this export is applied"
        let own = rejects.filter { $0.value == lesion.label || $0.value == lesion.label.uppercased() }
        guard let first = own.first else {
            #expect(rejects.isEmpty, "\(rejects)")
            return nil
        }
        #expect(own.allSatisfy { $0.reason == first.reason })
        #expect(first.reason.hasPrefix(prefix) && first.reason.hasSuffix(suffix), "\(first.reason)")
        return String(first.reason.dropFirst(prefix.count).dropLast(suffix.count))
    }

    func sdtmRun(_ lesion: BaselineLesionCase, _ fixture: SyncFixture) throws -> [QuarantinedValue] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let subject = "C-701-0001"
        let files = [
            "dm.csv": "USUBJID,SITEID,RFICDTC,AGE,SEX\n\(subject),701,2024-01-10,53,F\n",
            "tu.csv": """
            USUBJID,TULNKID,TUTESTCD,TUORRES,TULOC,TUMETHOD,TUEVAL
            \(subject),T9,TUMIDENT,TARGET,LUNG,CT SCAN,INVESTIGATOR
            \(subject),\(lesion.label),TUMIDENT,\(lesion.isTarget ? "TARGET" : "NON-TARGET"),\(lesion.organ.uppercased()),CT SCAN,INVESTIGATOR

            """,
            "tr.csv": """
            USUBJID,TRLNKID,TRTESTCD,TRORRES,TRSTRESN,VISITNUM,VISIT,TREVAL,TRDTC
            \(subject),T9,LDIAM,40,40,1,SCREENING,INVESTIGATOR,\(Self.date)
            \(subject),\(lesion.label),\(lesion.isNode ? "LPERP" : "LDIAM"),\(lesion.diameter),\(lesion.diameter),1,SCREENING,INVESTIGATOR,\(Self.date)

            """,
        ]
        for (name, text) in files {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        let run = try fixture.service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
        return try fixture.service.rejects(run: run.runID)
    }

    func redcapRun(_ lesion: BaselineLesionCase, _ fixture: SyncFixture) throws -> [QuarantinedValue] {
        try fixture.service.mapSite(source: "site-r", sourceSite: "daga", site: "MUC")
        let directory = REDCapFixture.directory
        let header = try #require(
            try String(contentsOfFile: directory + "night1.csv", encoding: .utf8).components(separatedBy: "\r\n").first
        ).replacingOccurrences(of: "\u{FEFF}", with: "")
        let columns = header.components(separatedBy: ",")
        func row(_ values: [String: String]) -> String {
            columns.map { values[$0] ?? "" }.joined(separator: ",")
        }
        let record = "901-1"
        let lesionRow: (String, String, String, Bool, String, String) -> String = {
            instance, label, lesionClass, node, organ, diameter in
            row([
                "record_id": record, "redcap_event_name": "assessment_1_arm_1", "redcap_repeat_instrument": "lesion",
                "redcap_repeat_instance": instance, "lesion_id": label, "lesion_class": lesionClass,
                "lesion_organ": organ,
                "lesion_node": node ? "1" : "0", "lesion_method": "ct",
                "lesion_diameter_mm": "\"\(diameter.replacingOccurrences(of: ".", with: ","))\"",
                "lesion_state": lesionClass == "target" ? "measured" : "present", "lesion_complete": "2",
            ])
        }
        let export =
            [
                header,
                row([
                    "record_id": record, "redcap_event_name": "enrollment_arm_1", "redcap_data_access_group": "daga",
                    "birth_year": "1970",
                    "sex": "female", "consent_date": "10-01-2024", "vital_status": "alive", "enrollment_complete": "2",
                ]),
                row([
                    "record_id": record, "redcap_event_name": "assessment_1_arm_1", "assessment_date": Self.date,
                    "assessment_evaluator": "investigator", "assessment_baseline": "1",
                    "tumor_assessment_complete": "2",
                ]),
                lesionRow("1", "T9", "target", false, "lung", "40"),
                lesionRow(
                    "2", lesion.label, lesion.isTarget ? "target" : "non_target", lesion.isNode, lesion.organ,
                    lesion.diameter),
            ].joined(separator: "\r\n") + "\r\n"
        let path = NSTemporaryDirectory() + "conformance-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try export.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try fixture.service.importREDCap(
            REDCapImportRequest(file: path, dictionary: directory + "dictionary.csv", source: "site-r"))
        return try fixture.service.rejects(run: run.runID)
    }
}
