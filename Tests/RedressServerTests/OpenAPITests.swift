import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import RedressServer
import RedressTestSupport
import Testing

@Suite("The OpenAPI document")
struct OpenAPITests {
    func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(RedressApplication.openAPIDocument.utf8)) as? [String: Any])
    }

    @Test func itDescribesExactlyTheRoutesTheRouterServes() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration("postgresql://nobody@/none?host=/nonexistent")))
        let router = try RedressApplication.makeRouter(
            pool: pool, migrator: PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory)), logger: Logger(label: "test"))
        // The console's pages (/console/…) are HTML for people, not operations of the contract.
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" }.filter { !$0.contains(" /console") })
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        await pool.shutdown()
    }

    @Test func everyReferenceResolvesAndEveryOperationAnswers() throws {
        let doc = try document()
        #expect(doc["openapi"] as? String == "3.1.0")
        let components = try #require(doc["components"] as? [String: [String: Any]])
        var references: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let ref = object["$ref"] as? String { references.append(ref) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(doc)
        #expect(!references.isEmpty)
        var operationIDs: Set<String> = []
        for ref in Set(references) {
            let parts = ref.split(separator: "/").map(String.init)
            #expect(parts.count == 4 && parts[0] == "#" && parts[1] == "components" && components[parts[2]]?[parts[3]] != nil, "\(ref) resolves")
        }
        for (path, operations) in try #require(doc["paths"] as? [String: [String: Any]]) {
            for (method, operation) in operations {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                #expect(!responses.isEmpty, "\(method) \(path) lists its responses")
                let id = (operation as? [String: Any])?["operationId"] as? String
                #expect(id.map { operationIDs.insert($0).inserted } == true, "\(method) \(path) has an operationId of its own")
            }
        }
    }

    @Test func theServerServesIt() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { (pool: PGPool) async throws in
            let app = try RedressApplication.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0), pool: pool,
                                              migrator: PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory)),
                                              logger: Logger(label: "test"))
            try await app.test(.live) { client in
                try await client.execute(uri: "/v1/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == RedressApplication.openAPIDocument)
                }
                try await client.execute(uri: "/v1/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("application/yaml") == true)
                    #expect(String(buffer: response.body) == RedressApplication.openAPIDocumentYAML, "the file the code is generated from")
                }
            }
        }
    }
}
