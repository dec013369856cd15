import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("Cancellation and statement timeouts")
struct CancellationTests {
    /// Waits until a statement starting with `prefix` runs on the server (for at most a minute).
    static func waitUntilRunning(_ database: TestDatabase, _ prefix: String) async throws {
        try await database.withPool(owner: true, size: 1) { (observer: PGPool) async throws in
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let running = try await observer.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND datname = current_database()
                    AND starts_with(query, \(prefix))
                    """)[0].decode(Int.self, at: 0)
                if running > 0 { return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func cancellingTheTaskCancelsTheQueryOnTheServer() async throws {
        let database = try await TestDatabase.create(migrated: false)
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let started = ContinuousClock.now
            let sleeper = Task { try await pool.query("SELECT pg_sleep(20)") }
            try await Self.waitUntilRunning(database, "SELECT pg_sleep(20)")
            sleeper.cancel()
            await #expect(throws: CancellationError.self) { try await sleeper.value }
            #expect(ContinuousClock.now - started < .seconds(15), "well before the 20 s sleep would end")
            // The only connection of the pool is usable again.
            #expect(try await pool.query("SELECT 7")[0].decode(Int.self, at: 0) == 7)
            let running = try await pool.query("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND datname = current_database() AND query LIKE 'SELECT pg_sleep(20)%'")
            #expect(try running[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test func statementTimeoutLeavesTheConnectionUsable() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { (connection: PGConnection) async throws in
                try await connection.executeScript("SET statement_timeout = '150ms'")
                let error = await #expect(throws: PGError.self) { try await connection.query("SELECT pg_sleep(5)") }
                #expect(error?.sqlState == .queryCanceled)
                #expect(try await connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
                try await connection.executeScript("RESET statement_timeout")
            }
        }
    }

    @Test func cancellationInsideATransactionRollsItBack() async throws {
        let database = try await TestDatabase.create(migrated: false)
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE c (n int)")
            let work = Task {
                try await pool.withTransaction { (tx: PGConnection) async throws in
                    try await tx.query("INSERT INTO c VALUES (1)")
                    try await tx.query("SELECT pg_sleep(20)")
                }
            }
            try await Self.waitUntilRunning(database, "SELECT pg_sleep(20)")
            work.cancel()
            await #expect(throws: CancellationError.self) { try await work.value }
            #expect(try await pool.query("SELECT count(*) FROM c")[0].decode(Int.self, at: 0) == 0)
        }
    }
}
