import Foundation
import Testing
import TestSupport

@Suite("docker-compose.yml, Dockerfile and .dockerignore declare the deployment the README promises")
struct DeploymentFilesTests {
    /// Docker does not run on these machines, so the file is checked by parsing it with a real YAML
    /// parser (PyYAML, installed by Scripts/setup.sh) and asserting its structure.
    static func compose() throws -> [String: Any] {
        let script = """
            import json, sys, yaml
            print(json.dumps(yaml.safe_load(open(sys.argv[1]))))
            """
        let run = try CommandLineRun.program(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", script, TestDatabase.repositoryRoot + "/docker-compose.yml"])
        try #require(run.exitCode == 0, "docker-compose.yml is not valid YAML: \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    static func service(_ name: String, in compose: [String: Any]) throws -> [String: Any] {
        try #require((compose["services"] as? [String: Any])?[name] as? [String: Any], "no service \(name)")
    }

    static func lines(of file: String) throws -> [String] {
        try String(contentsOfFile: TestDatabase.repositoryRoot + "/" + file, encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test("the db service is postgres:15 with a healthcheck and a named volume; app gets DATABASE_URL and waits for db")
    func composeStructure() throws {
        let compose = try Self.compose()
        let db = try Self.service("db", in: compose)
        #expect(db["image"] as? String == "postgres:15")
        let health = try #require(db["healthcheck"] as? [String: Any])
        #expect((health["test"] as? [String])?.joined(separator: " ").contains("pg_isready") == true)
        let volumes = try #require(db["volumes"] as? [String])
        let volumeName = try #require(volumes.first?.split(separator: ":").first.map(String.init))
        #expect((compose["volumes"] as? [String: Any])?.keys.contains(volumeName) == true)
        let app = try Self.service("app", in: compose)
        #expect((app["build"] as? [String: Any])?["dockerfile"] as? String == "Dockerfile")
        let environment = try #require(app["environment"] as? [String: Any])
        #expect((environment["DATABASE_URL"] as? String)?.contains("@db:5432/sarcreg") == true)
        let dependsOn = try #require(app["depends_on"] as? [String: Any])
        #expect((dependsOn["db"] as? [String: Any])?["condition"] as? String == "service_healthy")
        #expect(FileManager.default.fileExists(atPath: TestDatabase.repositoryRoot + "/Dockerfile"))
    }

    @Test(
        "app connects as registry_app, not the superuser, its password in a passfile secret; the MRN key is the secret mrn_key; no password is written in the file"
    )
    func secretsAndLeastPrivilege() throws {
        let compose = try Self.compose()
        let declared = try #require(compose["secrets"] as? [String: Any])
        let db = try Self.service("db", in: compose)
        let dbEnvironment = try #require(db["environment"] as? [String: Any])
        let superuser = try #require(dbEnvironment["POSTGRES_USER"] as? String)
        #expect(dbEnvironment["POSTGRES_PASSWORD"] == nil)
        #expect(dbEnvironment["POSTGRES_PASSWORD_FILE"] as? String == "/run/secrets/db_password")

        let app = try Self.service("app", in: compose)
        let environment = try #require(app["environment"] as? [String: String])
        let databaseURL = try #require(environment["DATABASE_URL"])
        let url = try #require(URLComponents(string: databaseURL))
        #expect(url.user != nil && url.user != superuser, "the app's login is not the superuser \(superuser)")
        #expect(url.password == nil, "no password in DATABASE_URL")
        let appSecrets = try #require(app["secrets"] as? [String])
        for (variable, secret) in [("PGPASSFILE", "app_pgpass"), ("SARCREG_MRN_KEY_FILE", "mrn_key")] {
            #expect(environment[variable] == "/run/secrets/" + secret)
            #expect(appSecrets.contains(secret))
            #expect(((declared[secret] as? [String: Any])?["file"] as? String)?.hasPrefix("./secrets/") == true)
        }
        #expect(environment["SARCREG_MRN_KEY"] == nil)
        #expect(!(try Self.lines(of: "docker-compose.yml")).contains { $0.contains("change-me") })
        #expect(try Self.lines(of: ".gitignore").contains("/secrets/"))
    }

    @Test("the database's host port is ${SARCREG_DB_PORT:-5432}, on 127.0.0.1 only")
    func configurablePort() throws {
        let ports = try #require(try Self.service("db", in: try Self.compose())["ports"] as? [String])
        #expect(ports == ["127.0.0.1:${SARCREG_DB_PORT:-5432}:5432"])
    }

    @Test(
        "the Dockerfile builds with the Swift the tests run with (swift --version: 6.3.1) and runs as a non-root user; .dockerignore leaves out .build/ and .pgdata*"
    )
    func imageAndContext() throws {
        let version = try CommandLineRun.program(URL(fileURLWithPath: "/usr/bin/env"), ["swift", "--version"])
        let tested = try #require(
            version.stdout.firstMatch(of: /Swift version (\d+\.\d+(\.\d+)?)/)?.1, "\(version.stdout)")
        let dockerfile = try Self.lines(of: "Dockerfile")
        let build = try #require(dockerfile.first { $0.hasPrefix("FROM swift:") })
        #expect(build.hasPrefix("FROM swift:\(tested)-"), "\(build) is not Swift \(tested)")
        let user = try #require(dockerfile.last { $0.hasPrefix("USER ") })
        #expect(user != "USER root" && user != "USER 0")
        let ignored = try Self.lines(of: ".dockerignore")
        for pattern in [".build/", ".pgdata*", "secrets/"] {
            #expect(ignored.contains(pattern), ".dockerignore lacks \(pattern)")
        }
    }
}
