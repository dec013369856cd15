import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("Statements sent together: a transaction's BEGIN with its first statement, its COMMIT with its last")
struct PipelineTests {
    @Test func aTransactionOpensWithItsFirstStatementAndCommitsWithItsLast() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE t (n int)")
            try await pool.withConnection { (connection: PGConnection) async throws in
                _ = try await connection.query("SELECT 1")  // prepared once, so the counts below are the steady state
                let options = PGTransactionOptions(setup: ["SET LOCAL application_name = 'piped'", "SET LOCAL statement_timeout = 5000"])

                var before = connection.roundTrips
                let (name, inTransaction) = try await connection.withTransaction(options) { tx in
                    let name: String = try await tx.query("SELECT current_setting('application_name')")[0].decode(at: 0)
                    return (name, tx.isInTransaction)
                }
                #expect(name == "piped" && inTransaction)
                #expect(connection.roundTrips - before == 2, "BEGIN, settings and the first statement at once; then COMMIT")

                before = connection.roundTrips
                let rows = try await connection.withTransaction(options) { tx in
                    try await tx.commit(after: [PGQuery("INSERT INTO t VALUES (\(Int32(1)))"), PGQuery("SELECT count(*)::int FROM t")])
                }
                #expect(try rows[1][0].decode(Int32.self, at: 0) == 1)
                #expect(connection.roundTrips - before == 1, "the whole transaction in one round trip")
                #expect(!connection.isInTransaction)

                before = connection.roundTrips
                try await connection.withTransaction(options) { _ in }
                #expect(connection.roundTrips == before, "a transaction that runs nothing sends nothing")

                let kept: Int32 = try await connection.query("SELECT count(*)::int FROM t")[0].decode(at: 0)
                let name2: String = try await connection.query("SELECT current_setting('application_name')")[0].decode(at: 0)
                #expect(kept == 1 && name2 != "piped", "committed; the settings ended with their transaction")
            }
        }
    }

    @Test func aPreparedSetupGoesWithTheBeginAndItsValuesStayParameters() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { (connection: PGConnection) async throws in
                let hostile = "x'; RESET ALL; --"
                let options = PGTransactionOptions(readOnly: true, preparedSetup: "SELECT set_config('application_name', \(hostile), true)")
                for _ in 0..<2 {
                    let before = connection.roundTrips
                    let name: String = try await connection.withTransaction(options) { tx in
                        try await tx.query("SELECT current_setting('application_name')")[0].decode(at: 0)
                    }
                    #expect(name == hostile)
                    #expect(connection.roundTrips - before == 2)
                }
                // A script as the first statement: the BEGIN and the setup go first, then the script.
                let name: String = try await connection.withTransaction(options) { tx in
                    try await tx.executeScript("SET LOCAL search_path = pg_catalog")
                    return try await tx.query("SELECT current_setting('application_name') || current_setting('search_path')")[0].decode(at: 0)
                }
                #expect(name == hostile + "pg_catalog")
                let after: String = try await connection.query("SELECT current_setting('application_name')")[0].decode(at: 0)
                #expect(after != hostile)
            }
        }
    }

    @Test func aFailingStatementAbortsTheRestAndLeavesTheConnectionClean() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE t (n int CHECK (n > 0))")
            try await pool.withConnection { (connection: PGConnection) async throws in
                let error = await #expect(throws: PGError.self) {
                    try await connection.withTransaction { tx in
                        try await tx.pipeline([PGQuery("INSERT INTO t VALUES (\(Int32(1)))"), PGQuery("INSERT INTO t VALUES (\(Int32(-1)))"),
                                               PGQuery("INSERT INTO t VALUES (\(Int32(3)))")])
                    }
                }
                #expect(error?.sqlState == .checkViolation)
                #expect(!connection.isInTransaction)
                // The first statement of a transaction fails: its BEGIN went with it, and is rolled back.
                await #expect(throws: PGError.self) {
                    try await connection.withTransaction { tx in try await tx.query("INSERT INTO t VALUES (\(Int32(-2)))") }
                }
                #expect(!connection.isInTransaction)
                // A COMMIT that fails (a deferred check) throws, and keeps nothing.
                try await connection.executeScript("ALTER TABLE t ADD CONSTRAINT once UNIQUE (n) DEFERRABLE INITIALLY DEFERRED")
                await #expect(throws: PGError.self) {
                    try await connection.withTransaction { tx in
                        try await tx.commit(after: [PGQuery("INSERT INTO t VALUES (\(Int32(7))), (\(Int32(7)))")])
                    }
                }
                #expect(!connection.isInTransaction)
                let rows: Int32 = try await connection.query("SELECT count(*)::int FROM t")[0].decode(at: 0)
                #expect(rows == 0)
            }
        }
    }

    @Test func nothingRunsAfterTheCommitThatWentWithTheLastStatements() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE t (n int)")
            await #expect(throws: PGError.self) {
                try await pool.withTransaction { (tx: PGConnection) async throws in
                    try await tx.commit(after: [PGQuery("INSERT INTO t VALUES (\(Int32(1)))")])
                    try await tx.query("INSERT INTO t VALUES (\(Int32(2)))")  // would run outside the transaction
                }
            }
            let rows = try await pool.query("SELECT n FROM t ORDER BY n").map { try $0.decode(Int32.self, at: 0) }
            #expect(rows == [1], "the committed row stays, the statement after it never ran, and the connection serves again")
        }
    }

    @Test func statementsPreparedInAPipelineAreReusedAfterwards() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { (connection: PGConnection) async throws in
                let queries = (1...3).map { n in PGQuery("SELECT \(Int32(n)) + \(Int32(n)) AS twice_\(unescaped: String(n))") }
                for _ in 0..<2 {
                    let before = connection.roundTrips
                    let sums = try await connection.pipeline(queries).map { try $0[0].decode(Int32.self, at: 0) }
                    #expect(sums == [2, 4, 6])
                    #expect(connection.roundTrips - before == 1, "prepared and run in the same round trip")
                }
                let prepared: Int = try await connection.query("""
                    SELECT count(*)::int8 FROM pg_prepared_statements
                     WHERE statement LIKE '%twice_%' AND statement NOT LIKE '%pg_prepared%'
                    """)[0].decode(at: 0)
                #expect(prepared == 3, "each prepared once")
                // A statement that cannot be prepared fails alone and is not remembered.
                await #expect(throws: PGError.self) { try await connection.pipeline([PGQuery("SELECT * FROM no_such_table")]) }
                let sums = try await connection.pipeline(queries).map { try $0[0].decode(Int32.self, at: 0) }
                #expect(sums == [2, 4, 6])
            }
        }
    }
}
