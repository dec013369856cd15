import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("The service through PgBouncer in transaction pooling mode")
struct PgBouncerTests {
    @Test func rowLevelSecurityStillIsolatesCallersSharingServerConnections() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let bouncer = try await PgBouncer.start(for: database, serverConnections: 2)
        defer { bouncer.stop() }
        // Eight client connections share two server connections: every transaction may land on
        // a server connection another caller's transaction used a moment before.
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(bouncer.serviceURL(database), usePreparedStatements: false), maximumConnections: 8))
        let app = try RedressApplication.make(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0), pool: pool,
            store: StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600)),
            migrator: PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory)), logger: Logger(label: "test"))
        do {
            try await app.test(.live) { client in
                #expect(try await client.call(.get, "/readyz").status == .ok)
                let agents = [org.a.id.path: try await client.signIn(org.a.code, "agent"),
                              org.b.id.path: try await client.signIn(org.b.code, "agent")]
                var ids: [String: [String]] = [:]
                for (branch, token) in agents {
                    let category = try await ComplaintLifecycleAPITests.billing(client, token: token)
                    for index in 0..<5 {
                        let complaint = try await ComplaintLifecycleAPITests.intake(client, token: token, category: category,
                                                                                  phone: "+86 10 \(index)")
                        ids[branch, default: []].append(try #require(complaint["id"] as? String))
                    }
                }
                // Through the generated client, whose HTTP client opens several connections, so the
                // listings really run at once (the test client's one connection would take them in turn).
                let listings = try await withThrowingTaskGroup(of: (String, [String], [String]).self) { group in
                    for round in 0..<60 {
                        let branch = round % 2 == 0 ? org.a.id.path : org.b.id.path
                        let api = try client.api(agents[branch]!)
                        group.addTask {
                            let items = try await api.listComplaints(query: .init(limit: 50)).ok.body.json.items
                            return (branch, items.map { $0.branchId.lowercased() }, items.map(\.id))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for (branch, branches, seen) in listings {
                    #expect(Set(branches) == [branch], "a listing shows its caller's branch only")
                    #expect(Set(seen) == Set(ids[branch]!), "and all of it")
                }
                let foreign = try #require(ids[org.a.id.path]?.first)
                #expect(try await client.call(.get, "/v1/complaints/\(foreign)", token: agents[org.b.id.path]!).status == .notFound)
                let other = try await client.signIn(org.a.code, "other")
                #expect(try await client.call(.get, "/v1/complaints/\(foreign)", token: other).status == .notFound,
                        "another department's handler")
                #expect(try await client.call(.get, "/v1/complaints", token: other).items.isEmpty)
            }
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }
}
