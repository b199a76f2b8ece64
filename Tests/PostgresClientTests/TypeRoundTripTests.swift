import Foundation
import PostgresClient
import Testing
import TestSupport

struct Measurement: Codable, Equatable, Sendable {
    var lesion: String
    var diameters: [Double]
    var note: String?
}

@Suite("Every supported type survives a round trip through PostgreSQL")
struct TypeRoundTripTests {
    let database: TestDatabase
    let connection: Connection

    init() throws {
        database = try TestDatabase.make(migrated: false)
        connection = try database.connect()
    }

    func roundTrip<T: PostgresCodable & Equatable>(_ value: T, as sqlType: String) throws -> T {
        let rows = try connection.query("SELECT \(value)::\(unsafeSQL: sqlType) AS v")
        return try rows[0].decode(T.self, "v")
    }

    @Test(
        "text that breaks naive quoting is stored and read back literally",
        arguments: [
            "'; DROP TABLE patients; --",
            "O'Brien \\\\ back\\slash \"quoted\" $1 $$dollar$$",
            "Müller, Łódź, 東京, 🧬 fusion",
            "tab\tnew\nline\r\n and \\x00-looking text",
            "",
        ])
    func textRoundTrip(text: String) throws {
        #expect(try roundTrip(text, as: "text") == text)
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS notes (body text)")
        try connection.execute("INSERT INTO notes VALUES (\(text))")
        let stored = try connection.query("SELECT body FROM notes WHERE body = \(text)")
        #expect(try stored.first?.decode(String.self, "body") == text)
    }

    @Test("integers at their limits, booleans, doubles and exact decimals keep their values")
    func numbers() throws {
        #expect(try roundTrip(Int16.min, as: "smallint") == Int16.min)
        #expect(try roundTrip(Int16.max, as: "smallint") == Int16.max)
        #expect(try roundTrip(Int32.min, as: "integer") == Int32.min)
        #expect(try roundTrip(Int64.max, as: "bigint") == Int64.max)
        #expect(try roundTrip(Int.min, as: "bigint") == Int.min)
        #expect(try roundTrip(true, as: "boolean") == true)
        #expect(try roundTrip(false, as: "boolean") == false)
        let sum: Double = 0.1 + 0.2
        #expect(try roundTrip(sum, as: "double precision") == sum)
        #expect(try roundTrip(Double(-1.5e-300), as: "double precision") == -1.5e-300)
        let diameter = Decimal(string: "123456789012345678.1234567")!
        #expect(try roundTrip(diameter, as: "numeric") == diameter)
        #expect(try roundTrip(Decimal(string: "-30.0")!, as: "numeric(5,1)") == Decimal(string: "-30.0")!)
    }

    @Test("dates, timestamps with time zone and UUIDs keep their values")
    func temporalAndIdentifiers() throws {
        let assessed = PostgresDate(year: 2024, month: 2, day: 29)
        #expect(try roundTrip(assessed, as: "date") == assessed)
        let ancient = PostgresDate(year: 1901, month: 1, day: 1)
        #expect(try roundTrip(ancient, as: "date") == ancient)
        let instant = Date(timeIntervalSince1970: 1_732_680_000.123456)
        let back = try roundTrip(instant, as: "timestamptz")
        #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 1e-6)
        let id = UUID()
        #expect(try roundTrip(id, as: "uuid") == id)
    }

    @Test("a timestamp written with another offset is read as the same instant")
    func timestampOffset() throws {
        let rows = try connection.query("SELECT '2024-03-01 12:00:00+02'::timestamptz AS v")
        let value = try rows[0].decode(Date.self, "v")
        #expect(value.timeIntervalSince1970 == 1_709_287_200)
    }

    @Test("jsonb decodes to a Codable value and text and integer arrays keep awkward elements")
    func structured() throws {
        let measurement = Measurement(lesion: "T1 \"liver\"", diameters: [12.5, 0], note: nil)
        #expect(try roundTrip(JSONB(measurement), as: "jsonb").value == measurement)
        let genes = ["NTRK3", "ETV6", "with,comma", "with \"quote\"", "back\\slash", "NULL", "", "Sjögren {ü}", "\\\""]
        #expect(try roundTrip(genes, as: "text[]") == genes)
        #expect(try roundTrip([Int](), as: "bigint[]") == [])
        #expect(try roundTrip([3, -1, Int.max], as: "bigint[]") == [3, -1, Int.max])
        #expect(try roundTrip([Int32(1), 2], as: "integer[]") == [1, 2])
    }

    @Test("NULL decodes as nil for an Optional and is an error naming the column for a non-Optional")
    func nulls() throws {
        let rows = try connection.query("SELECT NULL::date AS death_date, NULL::text AS note, 1 AS one")
        #expect(try rows[0].decode(PostgresDate?.self, "death_date") == nil)
        #expect(try rows[0].decode(String?.self, "note") == nil)
        #expect(try rows[0].decode(Int?.self, "one") == 1)
        let error = #expect(throws: RowDecodingError.self) { try rows[0].decode(PostgresDate.self, "death_date") }
        #expect(error?.column == "death_date")
        #expect(error?.postgresType == .date)
        #expect(error?.description.contains("PostgresDate") == true)
    }

    @Test("a value of the wrong type fails naming column, SQL type and Swift type, without the value")
    func wrongType() throws {
        let rows = try connection.query("SELECT \("STS-0042")::text AS registry_id, 3000000000::bigint AS big")
        let error = #expect(throws: RowDecodingError.self) { try rows[0].decode(Int.self, "registry_id") }
        #expect(error?.column == "registry_id")
        #expect(error?.postgresType == .text)
        #expect(error?.swiftType == "Int")
        #expect(error?.description.contains("STS-0042") == false)
        #expect(throws: RowDecodingError.self) { try rows[0].decode(Int32.self, "big") }
        #expect(throws: RowDecodingError.self) { try rows[0].decode(Int.self, "no_such_column") }
    }

    @Test("forEachRow's integer fast path reads ids at their limits, NULL as nil, and refuses non-integers")
    func integerFastPath() throws {
        var seen: [Int?] = []
        var refused = 0
        try connection.forEachRow(
            "SELECT v, 'T1' AS label FROM (VALUES (\(Int.min)::bigint), (-42), (0), (7), (\(Int.max)::bigint), (NULL)) AS t(v)"
        ) { row in
            seen.append(row.optionalInteger(at: 0))
            if (try? row.integer(at: 1)) == nil { refused += 1 }
            #expect(row.optionalInteger(at: 1) == nil)
        }
        #expect(seen == [Int.min, -42, 0, 7, Int.max, nil])
        #expect(refused == 6)
    }

    @Test("tuple decoding reads the leading columns in order")
    func tuples() throws {
        let rows = try connection.query("SELECT 7 AS line, 'PR' AS response, '2024-05-06'::date AS on_date")
        let (line, response, date) = try rows[0].decode((Int, String, PostgresDate).self)
        #expect(line == 7)
        #expect(response == "PR")
        #expect(date == PostgresDate(year: 2024, month: 5, day: 6))
    }
}
