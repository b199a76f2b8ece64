import Foundation
import Testing
import TestSupport

@Suite("docker-compose.yml declares the database and the app the README promises")
struct DeploymentFilesTests {
    /// Docker does not run on these machines, so the file is checked by parsing it with a real YAML
    /// parser (PyYAML, installed by Scripts/setup.sh) and asserting its structure.
    @Test("the db service is postgres:15 with a healthcheck and a named volume; app gets DATABASE_URL and waits for db")
    func composeStructure() throws {
        let script = """
            import json, sys, yaml
            print(json.dumps(yaml.safe_load(open(sys.argv[1]))))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, TestDatabase.repositoryRoot + "/docker-compose.yml"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "docker-compose.yml is not valid YAML")
        let compose = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let db = try #require(services["db"] as? [String: Any])
        #expect(db["image"] as? String == "postgres:15")
        let health = try #require(db["healthcheck"] as? [String: Any])
        #expect((health["test"] as? [String])?.joined(separator: " ").contains("pg_isready") == true)
        let volumes = try #require(db["volumes"] as? [String])
        let volumeName = try #require(volumes.first?.split(separator: ":").first.map(String.init))
        #expect((compose["volumes"] as? [String: Any])?.keys.contains(volumeName) == true)
        let app = try #require(services["app"] as? [String: Any])
        #expect((app["build"] as? [String: Any])?["dockerfile"] as? String == "Dockerfile")
        let environment = try #require(app["environment"] as? [String: Any])
        #expect((environment["DATABASE_URL"] as? String)?.contains("@db:5432/sarcreg") == true)
        let dependsOn = try #require(app["depends_on"] as? [String: Any])
        #expect((dependsOn["db"] as? [String: Any])?["condition"] as? String == "service_healthy")
        #expect(FileManager.default.fileExists(atPath: TestDatabase.repositoryRoot + "/Dockerfile"))
    }
}
