import Foundation
import PostgresClient
import RegistrySync
import Testing

/// A copy of a fixture file with bytes replaced on one physical line (1 is the header), so a test can put
/// a NUL byte or a broken UTF-8 sequence into one row of an otherwise clean export.
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
        var lines = try Data(contentsOf: URL(fileURLWithPath: source)).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        for edit in edits {
            let range = try #require(lines[edit.line - 1].firstRange(of: Array(edit.old.utf8)), "\(edit.file) line \(edit.line) lacks '\(edit.old)'")
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
        for file in SDTMFile.all.map(\.fileName) {
            try FixtureEdit.write(Self.fixtures + "/clean/" + file, to: folder + "/" + file, applying: edits.filter { $0.file == file })
        }
        return try service.importSDTM(SyncImportRequest(directory: folder, source: "site-a"))
    }

    /// Adverse events stored for a subject of source site-a.
    func adverseEvents(of usubjid: String) throws -> Int {
        try count("adverse_events a JOIN sync_subjects x USING (patient_id) WHERE x.source = 'site-a' AND x.usubjid = '\(usubjid)'")
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
            REDCapImportRequest(file: folder + "/night1.csv", dictionary: Self.directory + "dictionary.csv", source: "site-r"))
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
    case overlongSlash, overlongThreeBytes, overlongFourBytes, leadC1, cesuSupplementary, loneSurrogate, pastUnicode, leadF5, leadFF,
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

    @Test("a NUL byte in 'Nausea' is named at its byte, counted in bytes from 1", arguments: [
        ("Nau\u{0}sea", FieldFault.nulByte(at: 4)), ("\u{0}", .nulByte(at: 1)), ("Übelkeit\u{0}", .nulByte(at: 10)),
    ])
    func nulByte(value: String, fault: FieldFault) {
        let bytes = Array(value.utf8)
        #expect(bytes.withUnsafeBufferPointer { FieldFault.first(in: $0) } == fault)
    }

    @Test("'Fatigue' with an artefact of another encoding after 'Fati' is invalid UTF-8 at byte 5", arguments: EncodingArtefact.allCases)
    func encodingArtefact(_ artefact: EncodingArtefact) {
        let bytes = Array("Fati".utf8) + artefact.bytes + Array("gue".utf8)
        #expect(bytes.withUnsafeBufferPointer { FieldFault.first(in: $0) } == .invalidUTF8(at: 5))
    }

    // MARK: SDTM

    @Test("an AETERM with a NUL byte quarantines its AE row; the other AE of 01-701-1015 and the rest of the export are applied, as is an AE with a NUL byte in STUDYID, which the sync does not read")
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

    @Test("an AEDECOD with an overlong, CESU-8 or out-of-range UTF-8 sequence quarantines only that AE row of 01-702-1101", arguments: EncodingArtefact.allCases)
    func sdtmEncodingArtefact(_ artefact: EncodingArtefact) throws {
        let fixture = try SyncFixture()
        let run = try fixture.importClean(editing: [
            FixtureEdit("ae.csv", line: 5, replacing: "Fatigue,1", with: Array("Fati".utf8) + artefact.bytes + Array("gue,1".utf8)),
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

    @Test("a REDCap ae_term 'Anemia' with a NUL byte quarantines that adverse event of 101-1; the other 13 rows are applied")
    func redcapNulByte() throws {
        let fixture = try REDCapFixture()
        let run = try fixture.importNight1(editing: [FixtureEdit("night1.csv", line: 5, replacing: "Anemia", with: "Ane\u{0}mia")])
        expectReconciled(run)
        let rejects = try SyncService(connection: fixture.connection).rejects(run: run.runID)
        #expect(quarantinedCells(rejects) == ["night1.csv:5 AE_TERM"])
        #expect(rejects.first?.reason == "AE_TERM has a NUL byte at byte 4 of the value")
        let file = try #require(run.files.first)
        #expect((file.rowsRead, file.inserted, file.quarantined) == (14, 13, 1))
        #expect(try fixture.count("adverse_events") == 1)
        #expect(try fixture.count("patients") == 2)
    }
}
