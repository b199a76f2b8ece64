import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite("Pipelined statements and the in-place fast paths of ResultRow")
struct PipelineTests {
    let database: TestDatabase
    let connection: Connection

    init() throws {
        database = try TestDatabase.make(migrated: false)
        connection = try database.connect()
    }

    @Test(
        "three pipelined statements with bound values hand over their rows in order, 100,000 rows included, inside the open transaction"
    )
    func inOrder() throws {
        try connection.execute("CREATE TABLE lesion_sizes (lesion text, diameter_mm numeric(6,2))")
        var counts: [Int] = []
        var sums: [Int] = []
        try connection.withTransaction(isolation: .repeatableRead) { tx in
            try tx.execute("INSERT INTO lesion_sizes VALUES ('T1', 32.5), ('T2', 4.95)")
            try tx.pipeline([
                "SELECT g FROM generate_series(1, \(100_000)) AS g",
                "SELECT diameter_mm FROM lesion_sizes WHERE lesion = \("T2")",
                "SELECT g FROM generate_series(\(3), 5) AS g",
            ]) { index, rows in
                counts.append(rows.count)
                var hundredths = 0
                rows.forEach { row in hundredths += row.optionalFixedPoint(at: 0, scale: 2) ?? 0 }
                sums.append(hundredths)
                #expect(counts.count == index + 1)
            }
        }
        #expect(counts == [100_000, 1, 3])
        #expect(sums == [100_000 * 100_001 / 2 * 100, 495, 1200])
    }

    @Test("a failing statement in the middle throws its server error; the connection then runs statements again")
    func failureAborts() throws {
        var seen: [Int] = []
        let error = #expect(throws: PostgresError.self) {
            try connection.pipeline(["SELECT 1", "SELECT 1 / (SELECT 0)", "SELECT 3"]) { index, _ in seen.append(index)
            }
        }
        #expect(error?.sqlState?.rawValue == "22012")
        #expect(seen == [0])
        #expect(try connection.query("SELECT 42 AS answer")[0].decode(Int.self, "answer") == 42)
        #expect(!connection.isInTransaction)
    }

    @Test("an error thrown by the body stops the pipeline; the connection then runs statements again")
    func bodyError() throws {
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try connection.pipeline(["SELECT 1", "SELECT 2"]) { _, _ in throw Stop() }
        }
        #expect(try connection.query("SELECT 42 AS answer")[0].decode(Int.self, "answer") == 42)
    }

    @Test("fixed-point diameters 32.50, 4.5, 7 and -0.01 read as hundredths; three decimals, text and NULL are nil")
    func fixedPoint() throws {
        var values: [Int?] = []
        try connection.forEachRow(
            "SELECT v FROM (VALUES ('32.50'), ('4.5'), ('7'), ('-0.01'), ('1.234'), ('T1'), ('.'), (NULL)) AS t(v)"
        ) { row in
            values.append(row.optionalFixedPoint(at: 0, scale: 2))
        }
        #expect(values == [3250, 450, 700, -1, nil, nil, nil, nil])
    }

    @Test("booleans read from their first byte, NULL refused; a code's bytes compare in place")
    func booleanAndBytes() throws {
        var flags: [Bool] = []
        var codes: [String?] = []
        var nullRefused = false
        try connection.forEachRow(
            "SELECT b, c FROM (VALUES (true, 'measured'), (false, NULL), (NULL, 'absent')) AS t(b, c)"
        ) { row in
            if let flag = try? row.boolean(at: 0) { flags.append(flag) } else { nullRefused = true }
            codes.append(row.withUnsafeBytes(at: 1) { $0.map { String(decoding: $0, as: UTF8.self) } })
        }
        #expect(flags == [true, false])
        #expect(nullRefused)
        #expect(codes == ["measured", nil, "absent"])
    }
}
