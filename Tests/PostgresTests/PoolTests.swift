import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("The pool under load, timeouts and transactions")
struct PoolTests {
    @Test func thousandConcurrentQueriesThroughEightConnections() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 8) { (pool: PGPool) async throws in
            let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 1...1000 {
                    group.addTask { try await pool.query("SELECT \(n)::int8 + 0 * pg_backend_pid()")[0].decode(Int.self, at: 0) }
                }
                return try await group.reduce(0, +)
            }
            #expect(sum == 500_500)
            let stats = pool.statistics
            #expect(stats.open <= 8)
            #expect(stats.waiting == 0)
        }
    }

    @Test func acquireTimesOutWhenEveryConnectionIsBusy() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1, acquireTimeout: .milliseconds(300)) { (pool: PGPool) async throws in
            try await pool.withConnection { _ in
                let error = await #expect(throws: PGError.self) { try await pool.query("SELECT 1") }
                #expect(error?.code == .acquireTimeout)
            }
            #expect(try await pool.query("SELECT 2")[0].decode(Int.self, at: 0) == 2)
        }
    }

    @Test func transactionsCommitOrRollBack() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 2) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE t (n int)")
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { (tx: PGConnection) async throws in
                    try await tx.query("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            }
            try await pool.withTransaction { (tx: PGConnection) async throws in
                try await tx.query("INSERT INTO t VALUES (2)")
                try? await tx.withSavepoint { sp in
                    try await sp.query("INSERT INTO t VALUES (3)")
                    throw Boom()
                }
                // A failed statement inside a savepoint leaves the transaction usable.
                _ = try? await tx.withSavepoint { sp in try await sp.query("SELECT 1/0") }
                try await tx.query("INSERT INTO t VALUES (4)")
            }
            let values = try await pool.query("SELECT n FROM t ORDER BY n").map { try $0.decode(Int.self, at: 0) }
            #expect(values == [2, 4])
            let level = try await pool.withTransaction(PGTransactionOptions(isolation: .serializable, readOnly: true)) { (tx: PGConnection) async throws in
                try await tx.query("SHOW transaction_isolation")[0].decode(String.self, at: 0)
            }
            #expect(level == "serializable")

            // A setup sent with BEGIN holds for the transaction only; a failing one rolls back
            // what came before it and leaves the connection idle for its next borrower.
            let setup = PGTransactionOptions(setup: ["SET LOCAL application_name = 'set up'", "INSERT INTO t VALUES (5)"])
            let named = try await pool.withTransaction(setup) { (tx: PGConnection) async throws in
                try await tx.query("SHOW application_name")[0].decode(String.self, at: 0)
            }
            #expect(named == "set up")
            let failing = PGTransactionOptions(setup: ["INSERT INTO t VALUES (6)", "SET LOCAL statement_timeout = 'never'"])
            try await pool.withConnection { (connection: PGConnection) async throws in
                await #expect(throws: PGError.self) {
                    try await connection.withTransaction(failing) { tx in try await tx.query("INSERT INTO t VALUES (7)") }
                }
                #expect(!connection.isInTransaction, "rolled back on the same connection")
                let name = try await connection.query("SHOW application_name")[0].decode(String.self, at: 0)
                #expect(name != "set up")
            }
            let after = try await pool.query("SELECT n FROM t ORDER BY n").map { try $0.decode(Int.self, at: 0) }
            #expect(after == [2, 4, 5])
        }
    }

    @Test func aConnectionLeftInATransactionIsNotReused() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let first = try await pool.withConnection { (connection: PGConnection) async throws in
                try await connection.executeScript("BEGIN")
                return connection.backendPID
            }
            let second = try await pool.withConnection { (connection: PGConnection) async throws in
                #expect(!connection.isInTransaction)
                return connection.backendPID
            }
            #expect(first != second)
        }
    }
}
