import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("COPY streams rows in and out unchanged")
struct CopyTests {
    let database: TestDatabase
    let connection: Connection

    init() throws {
        database = try TestDatabase.make(migrated: false)
        connection = try database.connect()
        try connection.execute(
            "CREATE TABLE lesion_reads (id integer PRIMARY KEY, lesion text, diameter_mm numeric(6,1), note text)")
    }

    static func csvLine(_ index: Int) -> String {
        let note: String
        switch index % 5 {
        case 0: note = "\"Müller, \"\"split\"\" lesion\""
        case 1: note = ""
        case 2: note = "\"multi\nline; DROP TABLE x; --\""
        case 3: note = "Łódź 東京"
        default: note = "\"\""
        }
        return "\(index),T\(index % 5 + 1),\(index % 3000 / 10).\(index % 10),\(note)\n"
    }

    @Test("100,000 lesion reads copied in, then copied out, give identical CSV")
    func roundTrip() throws {
        var expected = ""
        let loaded = try connection.copyIn(table: "lesion_reads", columns: ["id", "lesion", "diameter_mm", "note"]) {
            writer in
            var chunk = ""
            for index in 0..<100_000 {
                let line = Self.csvLine(index)
                expected += line
                chunk += line
                if chunk.utf8.count > 64 * 1024 {
                    try writer.write(chunk)
                    chunk = ""
                }
            }
            try writer.write(chunk)
        }
        #expect(loaded == 100_000)
        var output: [UInt8] = []
        let copied = try connection.copyOut(
            "COPY (SELECT id, lesion, diameter_mm, note FROM lesion_reads ORDER BY id) TO STDOUT (FORMAT csv)"
        ) { bytes in
            output.append(contentsOf: bytes)
        }
        #expect(copied == 100_000)
        // PostgreSQL writes an empty unquoted field for NULL and "" for the empty string, as the input did.
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test("a duplicate key aborts the whole COPY with 23505 and the line number, loading nothing")
    func duplicateAbortsCopy() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.copyIn(table: "lesion_reads", columns: ["id", "lesion"]) { writer in
                try writer.write("1,T1\n2,T2\n1,T1 again\n")
            }
        }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.context?.contains("line 3") == true)
        let rows = try connection.query("SELECT count(*) AS n FROM lesion_reads")
        #expect(try rows[0].decode(Int.self, "n") == 0)
        #expect(try connection.query("SELECT 1 AS ok").count == 1)
    }

    @Test("an error in the writer aborts the COPY, rethrows the writer's error, and loads nothing")
    func writerErrorAborts() throws {
        struct SourceFileUnreadable: Error {}
        #expect(throws: SourceFileUnreadable.self) {
            try connection.copyIn(table: "lesion_reads", columns: ["id", "lesion"]) { writer in
                try writer.write("1,T1\n")
                throw SourceFileUnreadable()
            }
        }
        let rows = try connection.query("SELECT count(*) AS n FROM lesion_reads")
        #expect(try rows[0].decode(Int.self, "n") == 0)
    }

    @Test("a file is streamed in chunks smaller than the file")
    func fileInChunks() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID()).csv").path
        let text = (0..<5_000).map(Self.csvLine).joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try connection.copyIn(
            table: "lesion_reads", columns: ["id", "lesion", "diameter_mm", "note"], fromFile: path, chunkSize: 1000)
        #expect(loaded == 5_000)
        let rows = try connection.query("SELECT note FROM lesion_reads WHERE id = 0")
        #expect(try rows[0].decode(String.self, "note") == "Müller, \"split\" lesion")
    }
}
