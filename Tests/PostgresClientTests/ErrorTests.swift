import PostgresClient
import Testing
import TestSupport

@Suite("Server errors carry SQLSTATE and the diagnostic fields")
struct ErrorTests {
    let database: TestDatabase
    let connection: Connection

    init() throws {
        database = try TestDatabase.make(migrated: false)
        connection = try database.connect()
        try connection.execute(
            """
            CREATE TABLE enrolled (
                site text NOT NULL, pseudonym text NOT NULL,
                grade integer CONSTRAINT enrolled_grade_range CHECK (grade BETWEEN 1 AND 5),
                CONSTRAINT enrolled_site_pseudonym_key UNIQUE (site, pseudonym))
            """)
    }

    @Test("a second enrollment of STS-0042 at MUC surfaces 23505 with the constraint and table names")
    func uniqueViolation() throws {
        try connection.execute("INSERT INTO enrolled (site, pseudonym) VALUES (\("MUC"), \("STS-0042"))")
        let error = #expect(throws: PostgresError.self) {
            try connection.execute("INSERT INTO enrolled (site, pseudonym) VALUES (\("MUC"), \("STS-0042"))")
        }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.constraint == "enrolled_site_pseudonym_key")
        #expect(error?.table == "enrolled")
        #expect(error?.detail?.contains("already exists") == true)
        #expect(error?.kind == .server)
        let count = try connection.query("SELECT count(*) AS n FROM enrolled")
        #expect(try count[0].decode(Int.self, "n") == 1)
    }

    @Test("a CTCAE grade of 7 violates the named check constraint; the class pattern matches it")
    func checkViolation() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.execute("INSERT INTO enrolled VALUES (\("MUC"), \("STS-0043"), \(7))")
        }
        #expect(error?.sqlState == .checkViolation)
        #expect(error?.constraint == "enrolled_grade_range")
        let matchesClass = error.map { SQLState.integrityConstraintViolation ~= $0.sqlState! } ?? false
        #expect(matchesClass)
        #expect(!(SQLState.serializationFailure ~= .checkViolation))
    }

    @Test("a syntax error keeps the statement text but never the bound values")
    func syntaxError() throws {
        let secret = "MRN-123456"
        let error = #expect(throws: PostgresError.self) {
            try connection.execute("SELEC \(secret)")
        }
        #expect(error?.sqlState == "42601")
        #expect(error?.sql == "SELEC $1")
        #expect(error?.description.contains(secret) == false)
    }

    @Test(
        "a CTCAE grade of 7 keeps the failing row in detail for a developer's log, but the description shows neither DETAIL nor the row"
    )
    func detailNotInDescription() throws {
        let error = try #require(
            #expect(throws: PostgresError.self) {
                try connection.execute("INSERT INTO enrolled VALUES (\("MUC"), \("STS-0099"), \(7))")
            })
        #expect(error.detail?.contains("STS-0099") == true)
        #expect(
            error.description.hasPrefix(
                "new row for relation \"enrolled\" violates check constraint \"enrolled_grade_range\" (SQLSTATE 23514)")
        )
        #expect(!error.description.contains("STS-0099") && !error.description.contains("DETAIL"))
    }

    @Test(
        "a COPY line with grade 'seven' keeps its line and column in the description's CONTEXT, without the value the CONTEXT quotes"
    )
    func copyContextWithoutValue() throws {
        let error = try #require(
            #expect(throws: PostgresError.self) {
                try connection.copyIn(table: "enrolled", columns: ["site", "pseudonym", "grade"]) { writer in
                    try writer.write("MUC,STS-0100,2\nMUC,STS-0101,seven\n")
                }
            })
        #expect(error.context == "COPY enrolled, line 2, column grade: \"seven\"")
        #expect(error.description.split(separator: "\n").last == "CONTEXT: COPY enrolled, line 2, column grade")
    }

    @Test("a NOT NULL violation names the column")
    func notNull() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.execute("INSERT INTO enrolled (site, pseudonym) VALUES (\("MUC"), \(String?.none))")
        }
        #expect(error?.sqlState == .notNullViolation)
        #expect(error?.column == "pseudonym")
    }
}
