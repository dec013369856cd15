import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Postgres
import RedressCore
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Timeouts: idle connections and long statements")
struct TimeoutTests {
    @Test func anIdleConnectionIsClosedByTheServer() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            let app = try RedressApplication.make(
                configuration: ServerConfiguration(host: "127.0.0.1", port: 0, idleTimeout: .milliseconds(500)), pool: pool,
                migrator: PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory)), logger: Logger(label: "test"))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                // A client that connects and sends nothing is dropped after the idle timeout; without
                // one it would stay open, so being closed at all before the reader gives up is the
                // claim (no bound in time: a loaded machine only makes the close later).
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                let closed = Task { try await channel.closeFuture.get() }
                let outcome = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { (try? await closed.value) != nil }
                    group.addTask { try? await Task.sleep(for: .seconds(60)); return false }
                    let first = await group.next()!
                    group.cancelAll()
                    return first
                }
                #expect(outcome, "closed by the server")
                if !outcome { try? await channel.close() }
            }
        }
    }

    @Test func aStatementRunningLongerThanAllowedIsCancelled() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4, statementTimeout: .milliseconds(200)))
            let error = await #expect(throws: PGError.self) {
                try await scoped.withScope(org.caller(.agent, in: org.a).scope) { connection in
                    try await connection.query("SELECT pg_sleep(2)")
                }
            }
            #expect(error?.sqlState == .queryCanceled)
            // The next transaction on the same connection runs normally.
            let fine = try await scoped.withScope(org.caller(.agent, in: org.a).scope) { connection in
                try await connection.query("SELECT current_setting('statement_timeout')")[0].decode(String.self, at: 0)
            }
            #expect(fine == "200ms")
        }
    }

    /// Over HTTP: a request whose statement waits past the timeout (here for a table the owner
    /// holds locked) is answered 503 with `Retry-After`, and the next one, once the table is free,
    /// is served.
    @Test func aRequestCancelledForTakingTooLongIsAnswered503WithRetryAfter() async throws {
        let store = StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600), statementTimeout: .milliseconds(300))
        try await APIHarness.run(store: store) { harness, client in
            let token = try await client.signIn(harness.organisation.a.code, Role.agent.rawValue)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.withTransaction { connection in
                    try await connection.execute("LOCK TABLE complaints IN ACCESS EXCLUSIVE MODE")
                    let response = try await client.call(.get, "/v1/complaints", token: token)
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[HTTPField.Name("Retry-After")!] == "5")
                    #expect((response.json["type"] as? String)?.hasSuffix("timeout") == true, "\(response.json)")
                }
            }
            #expect(try await client.call(.get, "/v1/complaints", token: token).status == .ok)
        }
    }
}
