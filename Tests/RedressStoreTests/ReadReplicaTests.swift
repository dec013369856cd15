import Foundation
import LocalPostgres
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// Reports from a streaming standby the test makes (`pg_basebackup -R`): served by it while its
/// replay lag is within the bound, by the primary once replay is paused past it, and by the
/// standby again once it has caught up.
@Suite("Reports from a read replica")
struct ReadReplicaTests {
    @Test func aStandbyServesReportsUntilItsReplayFallsBehind() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("replica-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(root.path, 0o755)
        let primary = LocalCluster(directory: root.appendingPathComponent("primary"), port: 6545, fastUnsafe: true)
        var standby: LocalCluster?
        defer {
            try? standby?.stop()
            try? primary.stop()
            try? FileManager.default.removeItem(at: root)
        }
        try primary.start()
        let database = try await TestDatabase.create(ownerURL: primary.ownerURL, serviceURL: primary.serviceURL,
                                                     schedulerURL: primary.schedulerURL)
        let org = try await TestOrganisation.create(in: database)
        let copy = try primary.standby(into: root.appendingPathComponent("standby"), port: 6546)
        standby = copy
        let standbyAdmin = copy.url(user: LocalCluster.superuser, database: database.name)
        let replicaPool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(copy.url(user: LocalCluster.serviceRole, database: database.name)), maximumConnections: 2))
        let replica = ReadReplica(pool: replicaPool, maximumLag: .seconds(8), checkInterval: .zero, checkTimeout: .seconds(5))
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4), replica: replica)
            let reports = ReportStore(database: scoped)
            let complaints = ComplaintStore(database: scoped)
            let agent = org.caller(.agent, in: org.a), manager = org.caller(.branchManager, in: org.a)
            func intake() async throws {
                _ = try await complaints.intake(agent, ComplaintIntake(channel: "phone", complainant: .init(name: "C", phone: "+86 10 1"),
                                                                       description: "noise at night"), idempotencyKey: nil, requestHash: nil)
            }
            func received() async throws -> Int {
                let report = try await reports.complaints(manager, period: .containing(.month, nil), groupBy: .none, filter: ReportFilter())
                return report.totals.current.received + report.totals.previous.received
            }
            let admin = try await PGConnection.connect(PGConnectionConfiguration(standbyAdmin))
            defer { admin.close() }
            /// Waits until the standby has replayed everything the primary has written so far.
            func caughtUp() async throws {
                let written: String = try await pool.query("SELECT pg_current_wal_lsn()::text")[0].decode(at: 0)
                for _ in 0..<400 {
                    if try await admin.query("SELECT pg_last_wal_replay_lsn() >= \(written)::pg_lsn")[0].decode(Bool.self, at: 0) { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
                Issue.record("the standby did not catch up")
            }
            try await intake()
            try await caughtUp()
            #expect(await replica.serves())
            let first = try await received()
            #expect(first == 1, "received \(first)")

            // Replay paused: a second complaint is written but not replayed. Within the bound the
            // standby still answers (so the report is stale); past it, the primary answers.
            _ = try await admin.query("SELECT pg_wal_replay_pause()")
            try await intake()
            let stale = try await received()
            #expect(stale == 1, "the standby answers while its lag is within the bound: \(stale)")
            try await Task.sleep(for: .milliseconds(8600))
            #expect(await replica.serves() == false)
            let fresh = try await received()
            #expect(fresh == 2, "past the bound, the primary answers: \(fresh)")

            _ = try await admin.query("SELECT pg_wal_replay_resume()")
            try await caughtUp()
            #expect(await replica.serves())
            #expect(try await received() == 2, "caught up, the standby answers again")
        }
        await replicaPool.shutdown()
    }
}
