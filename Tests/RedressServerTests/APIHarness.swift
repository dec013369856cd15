import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import RedressAPIClient
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

/// A served application on a fresh database holding a ``TestOrganisation``, for tests that go
/// through real HTTP on loopback.
struct APIHarness {
    let database: TestDatabase
    let organisation: TestOrganisation

    /// Runs `body` against a served application; rate limits are out of the way unless `server`
    /// sets them.
    static func run(server: ServerConfiguration = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000,
                                                                      requestsPerMinute: 1_000_000),
                    store: StoreConfiguration = StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600)),
                    _ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let database = try await TestDatabase.create()
        let organisation = try await TestOrganisation.create(in: database)
        // The test client keeps one connection, and a test may wait longer than the service's
        // minute without a request (an event feed's batch waits for every older transaction of
        // the cluster, other suites' too); the server would close it under the client.
        var server = server
        server.idleTimeout = .seconds(600)
        try await database.withPool(size: 4) { (pool: PGPool) async throws in
            let app = try RedressApplication.make(
                configuration: server, pool: pool,
                store: store,
                migrator: PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory)),
                logger: Logger(label: "test"))
            try await app.test(.live) { client in
                try await body(APIHarness(database: database, organisation: organisation), client)
            }
        }
    }

    /// A digest of every configuration row, to prove a refused request changed nothing.
    func snapshot() async throws -> String {
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("""
                SELECT md5(string_agg(row, '|' ORDER BY row)) FROM (
                    SELECT t::text AS row FROM branches t UNION ALL SELECT t::text FROM departments t
                    UNION ALL SELECT t::text FROM users t UNION ALL SELECT t::text FROM api_keys t
                    UNION ALL SELECT t::text FROM hq_grants t) rows
                """)[0].decode(String.self, at: 0)
        }
    }
}

/// A response's status, headers and decoded JSON.
struct APIResponse {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    /// The `field` of each error in a problem response.
    var problemFields: [String] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and raw JSON body.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil,
              bytes: [UInt8]? = nil, contentType: String = "application/json",
              headers extra: [String: String] = [:]) async throws -> APIResponse {
        var headers: HTTPFields = [:]
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body { buffer = ByteBuffer(string: body) }
        if let bytes { buffer = ByteBuffer(bytes: bytes) }
        if buffer != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            APIResponse(status: response.status, headers: response.headers, body: Data(buffer: response.body))
        }
    }

    /// The client generated from openapi.yaml, against this server, as the holder of `token`.
    func api(_ token: String?) throws -> Client {
        guard let port else { throw APIFailure("the test server has no port") }
        return try Client.redress(port: port, token: token)
    }

    /// Signs in and returns the session token.
    func signIn(_ branch: String, _ login: String, password: String = TestOrganisation.password) async throws -> String {
        let response = try await call(.post, "/v1/auth/sign-in",
                                      body: #"{"branch":"\#(branch)","login":"\#(login)","password":"\#(password)"}"#)
        guard response.status == .created, let token = response.json["token"] as? String else {
            throw APIFailure("sign-in of \(login)@\(branch) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return token
    }
}

struct APIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension UUID {
    /// The lower-case form used in URLs.
    var path: String { uuidString.lowercased() }
}
