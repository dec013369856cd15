import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Health, readiness and problem responses over real HTTP")
struct HealthTests {
    let logger = Logger(label: "test")

    func migrator(extra: [PGMigration] = []) throws -> PGMigrator {
        PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory) + extra)
    }

    @Test func healthAndReadinessOnAMigratedDatabase() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { (pool: PGPool) async throws in
            let app = try RedressApplication.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                                              pool: pool, migrator: try migrator(), logger: logger)
            try await app.test(.live) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    let report = try JSONDecoder().decode(ReadinessProbe.Report.self, from: Data(buffer: response.body))
                    #expect(report == ReadinessProbe.Report(status: "ready", database: "ok", migrations: "current", scheduler: "ok",
                                                            schedulerLagSeconds: 0))
                }
                try await client.execute(uri: "/no/such/path", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let problem = try JSONDecoder().decode(Problem.self, from: Data(buffer: response.body))
                    #expect(problem.type == "https://redress.dev/problems/not-found")
                    #expect(problem.status == 404)
                }
            }
        }
    }

    @Test func notReadyWhileAMigrationIsPending() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { (pool: PGPool) async throws in
            let pending = PGMigration(version: 9999, name: "9999_future.sql", sql: "SELECT 1;")
            let app = try RedressApplication.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                                              pool: pool, migrator: try migrator(extra: [pending]), logger: logger)
            try await app.test(.live) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let report = try JSONDecoder().decode(ReadinessProbe.Report.self, from: Data(buffer: response.body))
                    #expect(report.migrations == "pending 9999")
                }
            }
        }
    }

    @Test func notReadyWhenTheDatabaseIsUnreachable() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration("postgresql://nobody@/none?host=/nonexistent&connect_timeout=1"),
            maximumConnections: 1, acquireTimeout: .milliseconds(200)))
        let app = try RedressApplication.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                                          pool: pool, migrator: try migrator(), logger: logger)
        try await app.test(.live) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        await pool.shutdown()
    }

    @Test func theRoleCheckRefusesTheOwnerAndAcceptsTheServiceRole() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { pool in try await DatabaseRoleCheck.verify(pool) }
        try await database.withPool(owner: true) { (pool: PGPool) async throws in
            let error = await #expect(throws: DatabaseRoleCheck.Unsafe.self) { try await DatabaseRoleCheck.verify(pool) }
            #expect(error?.reasons.contains { $0.contains("owns") } == true)
        }
        let superuser = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(try TestDatabase.superuserURL())))
        let error = await #expect(throws: DatabaseRoleCheck.Unsafe.self) { try await DatabaseRoleCheck.verify(superuser) }
        #expect(error?.reasons.contains { $0.contains("superuser") } == true)
        // A login role that shares the operators' policies is refused too.
        let role = "redress_sneaky_" + String(database.name.suffix(6))
        try await superuser.query("CREATE ROLE \(unescaped: role) LOGIN IN ROLE redress_platform")
        let sneaky = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(
            database.serviceURL.replacingOccurrences(of: "redress_service@", with: role + "@"))))
        let membership = await #expect(throws: DatabaseRoleCheck.Unsafe.self) { try await DatabaseRoleCheck.verify(sneaky) }
        #expect(membership?.reasons.contains { $0.contains("redress_platform") } == true)
        await sneaky.shutdown()
        try await superuser.query("DROP ROLE \(unescaped: role)")
        // So is one that could act as the role whose writes the audit triggers pass over, even
        // without inheriting its rights (it could `SET ROLE`).
        try await superuser.query("CREATE ROLE \(unescaped: role) LOGIN NOINHERIT IN ROLE redress_audit_writer")
        let writer = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(
            database.serviceURL.replacingOccurrences(of: "redress_service@", with: role + "@"))))
        let writing = await #expect(throws: DatabaseRoleCheck.Unsafe.self) { try await DatabaseRoleCheck.verify(writer) }
        #expect(writing?.reasons.contains { $0.contains("redress_audit_writer") } == true)
        #expect(writing?.reasons.contains { $0.contains("redress_platform") } == false, "its rights are not inherited")
        await writer.shutdown()
        try await superuser.query("DROP ROLE \(unescaped: role)")
        await superuser.shutdown()
    }
}
