import Foundation
import LocalPostgres
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// The restore drill an operator runs: a cluster archiving its WAL, a base backup taken while
/// complaints are taken in and escalated, more work after it, then a new cluster recovered from the
/// backup and the archive. Every table's count matches, and `redress audit verify` finds every
/// audit chain whole in the restored database.
@Suite("Restoring a base backup and its WAL archive")
struct RestoreDrillTests {
    /// Every table's row count, by name.
    static func counts(_ ownerURL: String) async throws -> [String: Int] {
        let connection = try await PGConnection.connect(PGConnectionConfiguration(ownerURL))
        defer { connection.close() }
        let tables: [String] = try await connection.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """).map { try $0.decode(at: 0) }
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try await connection.query(PGQuery(unsafeSQL: "SELECT count(*)::integer FROM \(table)"))[0].decode(at: 0)
        }
        return counts
    }

    /// `redress audit verify` against `ownerURL`: its exit status and what it printed (each chain's
    /// length and newest hash).
    static func verify(_ ownerURL: String, log: String) async throws -> (status: Int32, output: String) {
        let pid = try Subprocess.spawn([MultiInstanceTests.executable, "audit", "verify"],
                                       environment: ["OWNER_DATABASE_URL": ownerURL, "LOG_LEVEL": "error"], outputPath: log)
        let status = try await OwnThread.run { try Subprocess.wait(pid) }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func aRestoredBackupHoldsEveryRowAndItsAuditChainsVerify() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("restore-drill-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(root.path, 0o755)
        let primary = LocalCluster(directory: root.appendingPathComponent("primary"), port: 6543, fastUnsafe: true)
        let archive = root.appendingPathComponent("archive")
        var restored: LocalCluster?
        defer {
            try? primary.stop()
            try? restored?.stop()
            try? FileManager.default.removeItem(at: root)
        }
        try await OwnThread.run { try primary.start() }
        try await OwnThread.run { try primary.archiveWAL(to: archive) }
        let database = try await TestDatabase.create(ownerURL: primary.ownerURL, serviceURL: primary.serviceURL,
                                                     schedulerURL: primary.schedulerURL)
        let org = try await TestOrganisation.create(in: database)
        let billing: UUID = try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("SELECT id FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
        }
        let fixture = EscalationSchedulerTests.Fixture(database: database, org: org, billing: billing)
        try await database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
            // Before the backup: complaints, their escalations, a sealed audit trail.
            _ = try await EscalationSchedulerTests.intake(fixture, pool: jobs, count: 4, age: 25 * 3600)
            try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(database.schedulerURL)).drain()
            _ = try await AuditSealer(pool: jobs).sealAll()
            try await OwnThread.run { try primary.baseBackup(to: root.appendingPathComponent("backup")) }
            // After it, only in the archive: more complaints, escalations and seals.
            _ = try await EscalationSchedulerTests.intake(fixture, pool: jobs, count: 3, age: 49 * 3600)
            try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(database.schedulerURL)).drain()
            _ = try await AuditSealer(pool: jobs).sealAll()
            _ = try await ReportCountsFolder(pool: jobs).fold()
        }
        let before = try await Self.counts(database.ownerURL)
        #expect(before["public.complaints"] == 7 && (before["public.audit_log"] ?? 0) > 40)
        let chains = try await Self.verify(database.ownerURL, log: root.appendingPathComponent("verify-primary.log").path)
        #expect(chains.status == 0 && chains.output.contains("every chain holds"), "\(chains.output)")
        try await OwnThread.run { try primary.switchWAL() }
        try await OwnThread.run { try primary.stop() }

        let copy = try await OwnThread.run { try LocalCluster.restore(backup: root.appendingPathComponent("backup"), archive: archive,
                                            into: root.appendingPathComponent("restored"), port: 6544, fastUnsafe: true) }
        restored = copy
        let restoredOwner = copy.url(user: LocalCluster.ownerRole, database: database.name)
        let after = try await Self.counts(restoredOwner)
        #expect(after == before, "every table's rows, after the backup's and the archive's")
        // The same chains, to the same last entries: nothing sealed after the backup was lost.
        let restoredChains = try await Self.verify(restoredOwner, log: root.appendingPathComponent("verify-restored.log").path)
        #expect(restoredChains.status == 0 && restoredChains.output == chains.output, "\(restoredChains.output)")
    }
}
