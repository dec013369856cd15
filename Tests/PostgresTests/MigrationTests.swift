import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    func folder(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    @Test func concurrentRunsApplyEachFileOnce() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let directory = try folder([
            "0001_first.sql": "CREATE TABLE applied (file text); INSERT INTO applied VALUES ('1'); SELECT pg_sleep(0.3);",
            "0002_second.sql": "INSERT INTO applied VALUES ('2');",
            "0010_third.sql": "INSERT INTO applied VALUES ('10');",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = PGMigrator(migrations: try PGMigration.load(from: directory))
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try await PGConnection.connect(PGConnectionConfiguration(database.ownerURL))
                    defer { connection.close() }
                    return try await migrator.migrate(connection)
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(results.flatMap { $0 }.sorted() == [1, 2, 10])
        try await database.withPool(owner: true) { (pool: PGPool) async throws in
            let files = try await pool.query("SELECT file FROM applied ORDER BY file").map { try $0.decode(String.self, at: 0) }
            #expect(files == ["1", "10", "2"])
            #expect(try await pool.query("SELECT count(*) FROM schema_migrations")[0].decode(Int.self, at: 0) == 3)
        }
    }

    @Test func aChangedFileIsAClearErrorAndAFailedOneRollsBack() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await PGConnection.connect(PGConnectionConfiguration(database.ownerURL))
        defer { connection.close() }
        try await PGMigrator(migrations: [PGMigration(version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (n int);")]).migrate(connection)
        let changed = PGMigrator(migrations: [PGMigration(version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (n bigint);")])
        let error = await #expect(throws: PGError.self) { try await changed.migrate(connection) }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("0001_a.sql changed") == true)
        #expect(try await changed.status(connection).changed == [1])

        let failing = PGMigrator(migrations: [
            PGMigration(version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (n int);"),
            PGMigration(version: 2, name: "0002_b.sql", sql: "CREATE TABLE b (n int); SELECT 1/0;"),
        ])
        await #expect(throws: PGError.self) { try await failing.migrate(connection) }
        let status = try await failing.status(connection)
        #expect(status.applied == [1] && status.pending == [2])
        #expect(try await connection.query("SELECT to_regclass('b') IS NULL")[0].decode(Bool.self, at: 0))
    }

    @Test func theProjectMigrationsApplyAndCreateASafeServiceRole() async throws {
        let database = try await TestDatabase.create(migrated: true)
        try await database.withPool { (pool: PGPool) async throws in
            let role = try await pool.query("""
                SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user
                """)[0]
            #expect(try role.decode(String.self, at: 0) == "redress_service")
            #expect(try role.decode(Bool.self, at: 1) == false)
            #expect(try role.decode(Bool.self, at: 2) == false)
            let owned = try await pool.query("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)")
            #expect(try owned[0].decode(Int.self, at: 0) == 0)
            let denied = await #expect(throws: PGError.self) { try await pool.query("CREATE TABLE intruder (n int)") }
            #expect(denied?.sqlState == .insufficientPrivilege)
        }
    }

    @Test func filesLoadInNumericOrderAndDuplicatesAreRefused() throws {
        let ordered = try loaded(["0010_c.sql": "", "0002_b.sql": "", "0001_a.sql": ""])
        #expect(ordered.map(\.version) == [1, 2, 10])
        #expect(throws: PGError.self) { try loaded(["0001_a.sql": "", "0001_b.sql": ""]) }
        #expect(throws: PGError.self) { try loaded(["first.sql": ""]) }
    }

    /// The migrations loaded from a folder of `files`, which is removed again.
    func loaded(_ files: [String: String]) throws -> [PGMigration] {
        let directory = try folder(files)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try PGMigration.load(from: directory)
    }
}
