import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Postgres
import RedressServer
import RedressStore
import ServiceLifecycle

/// The Redress HTTP server running inside the benchmark process on a free loopback port.
struct BenchServer {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(pool: PGPool, migrator: PGMigrator, store: StoreConfiguration = StoreConfiguration(passwordHashCost: 4),
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> BenchServer {
        let logger = Logger(label: "redress.bench.server")
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let database = ServiceDatabase(pool: pool, store: store, migrator: migrator, logger: logger)
        // The sign-in and per-credential request limits are not what is measured: a faster run would hit them.
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        configure(&configuration)
        let app = try RedressApplication.make(configuration: configuration, database: database,
                                          logger: logger) { port in
            continuation.yield(port)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: pool), .init(service: app)], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchError("the server did not start") }
        return BenchServer(port: port, group: group, task: task)
    }

    /// Serves the API on `pool` while `body` drives it through an HTTP client, then stops the
    /// client, the server and `owner`, however `body` ends.
    static func serving(pool: PGPool, owner: PGPool, migrator: PGMigrator,
                        store: StoreConfiguration = StoreConfiguration(passwordHashCost: 4),
                        configure: (inout ServerConfiguration) -> Void = { _ in },
                        _ body: (APILoad) async throws -> Void) async throws {
        let server = try await start(pool: pool, migrator: migrator, store: store, configure: configure)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let outcome: Result<Void, any Error>
        do {
            try await body(APILoad(http: http, base: "http://127.0.0.1:\(server.port)"))
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        await server.stop()
        await owner.shutdown()
        try outcome.get()
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
