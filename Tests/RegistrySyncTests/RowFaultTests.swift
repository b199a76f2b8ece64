import Foundation
import PostgresClient
import RegistrySync
import Testing

/// A copy of a fixture file with bytes replaced on one physical line (1 is the header), so a test can put
/// a NUL byte, a broken UTF-8 sequence or an overlong value into one row of an otherwise clean export.
struct FixtureEdit {
    let file: String
    let line: Int
    let old: String
    let new: [UInt8]

    init(_ file: String, line: Int, replacing old: String, with new: [UInt8]) {
        (self.file, self.line, self.old, self.new) = (file, line, old, new)
    }

    init(_ file: String, line: Int, replacing old: String, with new: String) {
        self.init(file, line: line, replacing: old, with: Array(new.utf8))
    }

    /// Writes `source` to `target` with the edits of that file applied; an edit whose text is not on its line fails the test.
    static func write(_ source: String, to target: String, applying edits: [FixtureEdit]) throws {
        var lines = try Data(contentsOf: URL(fileURLWithPath: source)).split(
            separator: 0x0A, omittingEmptySubsequences: false
        ).map(Array.init)
        for edit in edits {
            let range = try #require(
                lines[edit.line - 1].firstRange(of: Array(edit.old.utf8)),
                "\(edit.file) line \(edit.line) lacks '\(edit.old)'")
            lines[edit.line - 1].replaceSubrange(range, with: edit.new)
        }
        try Data(lines.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: target))
    }
}

extension SyncFixture {
    /// Imports the clean SDTM export with `edits` applied, from a temporary folder.
    func importClean(editing edits: [FixtureEdit]) throws -> SyncRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("row-faults-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in SDTMFile.all.map(\.fileName)
        where FileManager.default.fileExists(atPath: Self.fixtures + "/clean/" + file) {
            try FixtureEdit.write(
                Self.fixtures + "/clean/" + file, to: folder + "/" + file, applying: edits.filter { $0.file == file })
        }
        return try service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
    }

    /// Adverse events stored for a subject of source site-a.
    func adverseEvents(of usubjid: String) throws -> Int {
        try count(
            "adverse_events a JOIN sync_subjects x USING (patient_id) WHERE x.source = 'site-a' AND x.usubjid = '\(usubjid)'"
        )
    }
}

extension REDCapFixture {
    /// Imports the REDCap night1 export with `edits` applied, written as night1.csv in a temporary folder.
    func importNight1(editing edits: [FixtureEdit]) throws -> SyncRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("row-faults-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FixtureEdit.write(Self.directory + "night1.csv", to: folder + "/night1.csv", applying: edits)
        return try SyncService(connection: connection).importREDCap(
            REDCapImportRequest(
                file: folder + "/night1.csv", dictionary: Self.directory + "dictionary.csv", source: "site-r"))
    }
}

/// Every file's rows read are its rows inserted, updated, unchanged and quarantined.
func expectReconciled(_ run: SyncRun) {
    #expect(run.status == "succeeded")
    for file in run.files {
        #expect(file.rowsRead == file.inserted + file.updated + file.unchanged + file.quarantined, "\(file.fileName)")
    }
}

/// The quarantined rows of a run as "file:line COLUMN".
func quarantinedCells(_ rejects: [QuarantinedValue]) -> [String] {
    rejects.map { "\($0.fileName):\($0.lineNumber) \($0.column ?? "-")" }.sorted()
}

/// Byte sequences other encodings leave behind that are not UTF-8, each with a clinical word around it.
enum EncodingArtefact: String, CaseIterable, CustomTestStringConvertible {
    case overlongSlash, overlongThreeBytes, overlongFourBytes, leadC1, cesuSupplementary, loneSurrogate, pastUnicode,
        leadF5, leadFF,
        loneContinuation

    var bytes: [UInt8] {
        switch self {
        case .overlongSlash: [0xC0, 0xAF]
        case .overlongThreeBytes: [0xE0, 0x80, 0xAF]
        case .overlongFourBytes: [0xF0, 0x80, 0x80, 0xAF]
        case .leadC1: [0xC1, 0xBF]
        // U+1F600 as CESU-8 writes it: its two UTF-16 surrogates, each encoded on its own.
        case .cesuSupplementary: [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]
        case .loneSurrogate: [0xED, 0xB0, 0x80]
        case .pastUnicode: [0xF4, 0x90, 0x80, 0x80]
        case .leadF5: [0xF5, 0x80, 0x80, 0x80]
        case .leadFF: [0xFF]
        case .loneContinuation: [0x80]
        }
    }

    var testDescription: String { "\(rawValue) (\(bytes.map { String(format: "%02X", $0) }.joined(separator: " ")))" }
}

@Suite("row-level read faults", .serialized)
struct RowFaultTests {
    // MARK: The field check alone

    @Test(
        "a NUL byte in 'Nausea' is named at its byte, counted in bytes from 1",
        arguments: [
            ("Nau\u{0}sea", FieldFault.nulByte(at: 4)), ("\u{0}", .nulByte(at: 1)), ("Übelkeit\u{0}", .nulByte(at: 10)),
        ])
    func nulByte(value: String, fault: FieldFault) {
        let bytes = Array(value.utf8)
        #expect(bytes.withUnsafeBufferPointer { FieldFault.first(in: $0, limit: 200) } == fault)
    }

    @Test(
        "'Fatigue' with an artefact of another encoding after 'Fati' is invalid UTF-8 at byte 5",
        arguments: EncodingArtefact.allCases)
    func encodingArtefact(_ artefact: EncodingArtefact) {
        let bytes = Array("Fati".utf8) + artefact.bytes + Array("gue".utf8)
        #expect(bytes.withUnsafeBufferPointer { FieldFault.first(in: $0, limit: 200) } == .invalidUTF8(at: 5))
    }

    @Test(
        "limits count characters, not bytes: 200 'é' (400 bytes) and an emoji per character are taken, 201 'é' are 201 characters"
    )
    func charactersNotBytes() {
        func fault(_ text: String, limit: Int) -> FieldFault? {
            Array(text.utf8).withUnsafeBufferPointer { FieldFault.first(in: $0, limit: limit) }
        }
        #expect(fault(String(repeating: "é", count: 200), limit: 200) == nil)
        #expect(fault(String(repeating: "😀", count: 40), limit: 40) == nil)
        #expect(fault(String(repeating: "é", count: 201), limit: 200) == .tooLong(characters: 201, limit: 200))
        #expect(
            FieldFault.tooLong(characters: 201, limit: 200).reason(column: "AETERM")
                == "AETERM is 201 characters long; the limit is 200")
    }

    @Test(
        "column limits: identifiers 40, dates and codes 64, free text 200, in SDTM and in the REDCap registry's fields")
    func limits() throws {
        func limit(_ file: SDTMFile, _ column: String) throws -> Int {
            file.limits[try #require(file.columns.firstIndex(of: column))].characters
        }
        #expect(
            try [
                limit(.ae, "USUBJID"), limit(.ae, "AESTDTC"), limit(.ae, "AETOXGR"), limit(.ae, "AETERM"),
                limit(.ae, "AEDECOD"),
            ]
                == [40, 64, 64, 200, 200])
        #expect(
            try [limit(.ex, "EXTRT"), limit(.tu, "TULOC"), limit(.tu, "TULNKID"), limit(.tr, "TRDTC")] == [
                200, 200, 40, 64,
            ])
        let columns = [
            "RECORD_ID", "REDCAP_EVENT_NAME", "AE_TERM", "AE_ONSET_DATE", "AE_GRADE", "LINE_AGENTS___DOXORUBICIN",
            "ENROLLMENT_COMPLETE", "MOL_LABORATORY", "LESION_DIAMETER_MM",
        ]
        let redcap = SDTMFile(
            domain: "REDCAP", fileName: "night1.csv", columns: columns, headers: columns, required: ["RECORD_ID"])
        #expect(redcap.limits.map(\.characters) == [40, 64, 200, 64, 64, 64, 64, 200, 64])
    }

    // MARK: SDTM

    @Test(
        "an AETERM with a NUL byte quarantines its AE row; the other AE of 01-701-1015 and the rest of the export are applied, as is an AE with a NUL byte in STUDYID, which the sync does not read"
    )
    func sdtmNulByte() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importClean(editing: [
            FixtureEdit("ae.csv", line: 2, replacing: "Nausea,", with: "Nausea\u{0},"),
            FixtureEdit("ae.csv", line: 5, replacing: "SYNCTEST01", with: "SYNC\u{0}TEST01"),
        ])
        expectReconciled(run)
        let rejects = try fixture.service.rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["ae.csv:2 AETERM"])
        #expect(rejects.first?.reason == "AETERM has a NUL byte at byte 7 of the value")
        #expect(rejects.first?.value == "Nausea\u{FFFD}, with vomiting")
        let ae = try outcome(run, "ae.csv")
        #expect((ae.rowsRead, ae.inserted, ae.quarantined) == (3, 2, 1))
        #expect(try fixture.adverseEvents(of: "01-701-1015") == 1)
        #expect(try fixture.count("adverse_events WHERE ctcae_term = 'Febrile neutropenia'") == 1)
        #expect(try fixture.adverseEvents(of: "01-702-1101") == 1)
        #expect(try fixture.count("patients") == 3)
        #expect(try outcome(run, "tr.csv").inserted == 13)
    }

    @Test(
        "a 201-character AETERM quarantines its AE row, naming its length and limit and showing 60 characters; a 200-character AETERM of 'é' (400 bytes), the text of a 'General disorders and administration site conditions - Other, specify' AEDECOD, is applied"
    )
    func sdtmTermTooLong() throws {
        let fixture = try SyncFixture()
        let run = try fixture.importClean(editing: [
            FixtureEdit(
                "ae.csv", line: 2, replacing: "\"Nausea, with vomiting\"", with: String(repeating: "é", count: 201)),
            FixtureEdit(
                "ae.csv", line: 5, replacing: "Fatigue,Fatigue",
                with: String(repeating: "é", count: 200)
                    + ",\"General disorders and administration site conditions - Other, specify\""),
        ])
        expectReconciled(run)
        let rejects = try fixture.service.rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["ae.csv:2 AETERM"])
        #expect(rejects.first?.reason == "AETERM is 201 characters long; the limit is 200")
        #expect(rejects.first?.value == String(repeating: "é", count: 60) + "… (402 bytes)")
        let ae = try outcome(run, "ae.csv")
        #expect((ae.rowsRead, ae.inserted, ae.quarantined) == (3, 2, 1))
        #expect(
            try fixture.count(
                "adverse_events WHERE length(term_specified) = 200 AND octet_length(term_specified) = 400") == 1)
        #expect(try fixture.adverseEvents(of: "01-701-1015") == 1)
    }

    @Test("a 41-character USUBJID quarantines its AE row with its length and limit; the other AEs are applied")
    func sdtmIdentifierTooLong() throws {
        let fixture = try SyncFixture()
        let longID = "01-702-1101-" + String(repeating: "0", count: 29)
        try #require(longID.count == 41)
        let run = try fixture.importClean(editing: [
            FixtureEdit("ae.csv", line: 5, replacing: "01-702-1101", with: longID)
        ])
        expectReconciled(run)
        let rejects = try fixture.service.rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["ae.csv:5 USUBJID"])
        #expect(rejects.first?.reason == "USUBJID is 41 characters long; the limit is 40")
        #expect(rejects.first?.value == longID)
        #expect(try fixture.adverseEvents(of: "01-701-1015") == 2)
        #expect(try fixture.adverseEvents(of: "01-702-1101") == 0)
    }

    @Test(
        "an AEDECOD with an overlong, CESU-8 or out-of-range UTF-8 sequence quarantines only that AE row of 01-702-1101",
        arguments: EncodingArtefact.allCases)
    func sdtmEncodingArtefact(_ artefact: EncodingArtefact) throws {
        let fixture = try SyncFixture()
        let run = try fixture.importClean(editing: [
            FixtureEdit(
                "ae.csv", line: 5, replacing: "Fatigue,1",
                with: Array("Fati".utf8) + artefact.bytes + Array("gue,1".utf8))
        ])
        expectReconciled(run)
        let rejects = try fixture.service.rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["ae.csv:5 AEDECOD"])
        #expect(rejects.first?.reason == "invalid UTF-8 at byte 5 of the value")
        let ae = try outcome(run, "ae.csv")
        #expect((ae.rowsRead, ae.inserted, ae.quarantined) == (3, 2, 1))
        #expect(try fixture.adverseEvents(of: "01-701-1015") == 2)
    }

    // MARK: REDCap

    @Test(
        "a REDCap ae_term 'Anemia' with a NUL byte quarantines that adverse event of 101-1; the other 13 rows are applied"
    )
    func redcapNulByte() throws {
        let fixture = try REDCapFixture()
        let run = try fixture.importNight1(editing: [
            FixtureEdit("night1.csv", line: 5, replacing: "Anemia", with: "Ane\u{0}mia")
        ])
        expectReconciled(run)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["night1.csv:5 AE_TERM"])
        #expect(rejects.first?.reason == "AE_TERM has a NUL byte at byte 4 of the value")
        let file = try #require(run.files.first)
        #expect((file.rowsRead, file.inserted, file.quarantined) == (14, 13, 1))
        #expect(try fixture.count("adverse_events") == 1)
        #expect(try fixture.count("patients") == 2)
    }

    @Test(
        "a 201-character REDCap ae_term and a 41-character record id each quarantine their row; a 200-character laboratory is applied"
    )
    func redcapTooLong() throws {
        let fixture = try REDCapFixture()
        let longID = "102-3-" + String(repeating: "0", count: 35)
        try #require(longID.count == 41)
        let laboratory = "Molecular Pathology, " + String(repeating: "x", count: 179)
        try #require(laboratory.count == 200)
        let run = try fixture.importNight1(editing: [
            FixtureEdit("night1.csv", line: 5, replacing: "Anemia", with: String(repeating: "a", count: 201)),
            FixtureEdit("night1.csv", line: 13, replacing: "Lab, Munich", with: laboratory),
            FixtureEdit("night1.csv", line: 15, replacing: "102-3,", with: longID + ","),
        ])
        expectReconciled(run)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["night1.csv:15 RECORD_ID", "night1.csv:5 AE_TERM"])
        #expect(
            rejects.map(\.reason).sorted() == [
                "AE_TERM is 201 characters long; the limit is 200", "RECORD_ID is 41 characters long; the limit is 40",
            ])
        #expect(rejects.first { $0.lineNumber == 5 }?.value == String(repeating: "a", count: 60) + "… (201 bytes)")
        let file = try #require(run.files.first)
        #expect((file.rowsRead, file.inserted, file.quarantined) == (14, 12, 2))
        #expect(try fixture.count("adverse_events") == 0)
        #expect(try fixture.count("molecular_results WHERE laboratory = '\(laboratory)'") == 1)
    }
}
