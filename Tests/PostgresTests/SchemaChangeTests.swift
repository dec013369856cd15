import Foundation
@testable import Postgres
import RedressTestSupport
import Testing

@Suite("Prepared statements across schema changes")
struct SchemaChangeTests {
    @Test func aStatementOutsideATransactionIsPreparedAgainOnce() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE t (id int, label varchar(10))")
            try await pool.query("INSERT INTO t VALUES (1, 'one')")
            #expect(try await pool.query("SELECT * FROM t")[0].decode(String.self, at: 1) == "one")
            try await pool.query("ALTER TABLE t ALTER COLUMN label TYPE varchar(200)")
            #expect(try await pool.query("SELECT * FROM t")[0].decode(String.self, at: 1) == "one")
            try await pool.query("ALTER TABLE t ADD COLUMN extra int DEFAULT 7")
            #expect(try await pool.query("SELECT * FROM t")[0].decode(Int.self, at: 2) == 7)
        }
    }

    @Test func aTransactionFailsOnceOnItsConnectionAndThePoolRunsItAgain() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE t (id int, label varchar(10))")
            try await pool.query("INSERT INTO t VALUES (1, 'one')")
            let read: @Sendable (PGConnection) async throws -> String = { connection in
                try await connection.query("SELECT id FROM t")
                return try await connection.query("SELECT * FROM t")[0].decode(String.self, at: 1)
            }
            #expect(try await pool.withTransaction(PGTransactionOptions(), read) == "one")
            try await pool.query("ALTER TABLE t ALTER COLUMN label TYPE varchar(200)")
            // Through the pool: rolled back, run again, and it succeeds.
            #expect(try await pool.withTransaction(PGTransactionOptions(), read) == "one")

            try await pool.query("ALTER TABLE t ALTER COLUMN label TYPE text")
            try await pool.withConnection { (connection: PGConnection) async throws in
                // On a lent connection the transaction fails once with a retryable error…
                let error = await #expect(throws: PGError.self) { try await connection.withTransaction(PGTransactionOptions(), read) }
                #expect(error?.isCachedPlanChange == true)
                // …and the next one on the same connection prepares afresh, under a new name.
                #expect(try await connection.withTransaction(PGTransactionOptions(), read) == "one")
                let stale = try await connection.query("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM t%'")
                #expect(try stale[0].decode(Int.self, at: 0) == 1)
            }
        }
    }

    @Test func otherFeatureNotSupportedErrorsAreNeverRetried() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE SEQUENCE calls")
            try await pool.query("""
                CREATE FUNCTION unsupported() RETURNS int LANGUAGE plpgsql AS $$
                BEGIN PERFORM nextval('calls'); RAISE EXCEPTION 'not here' USING ERRCODE = 'feature_not_supported'; END $$
                """)
            let error = await #expect(throws: PGError.self) { try await pool.query("SELECT unsupported()") }
            #expect(error?.sqlState == .featureNotSupported)
            await #expect(throws: PGError.self) { try await pool.withTransaction { try await $0.query("SELECT unsupported()") } }
            // One call each: neither was retried.
            #expect(try await pool.query("SELECT last_value FROM calls")[0].decode(Int.self, at: 0) == 2)
        }
    }

    @Test func theCacheIsBoundedAndEvictedStatementsAreFreedOnTheServer() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(database.ownerURL, statementCacheCapacity: 3), maximumConnections: 1))
        do {
            try await Self.useManyStatements(pool)
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    static func useManyStatements(_ pool: PGPool) async throws {
        for round in 0..<3 {
            for index in 0..<10 {
                #expect(try await pool.query(PGQuery(unsafeSQL: "SELECT \(index) + \(round)"))[0].decode(Int.self, at: 0) == index + round)
            }
        }
        try await pool.withConnection { (connection: PGConnection) async throws in
            #expect(connection.statements.count <= 3)
            try await connection.executeScript("SELECT 1")
            let prepared = try await connection.query("SELECT count(*) FROM pg_prepared_statements")
            #expect(try prepared[0].decode(Int.self, at: 0) <= 4)
        }
    }
}
