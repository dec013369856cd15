import Foundation
import Logging
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import ServiceLifecycle
import Testing

@Suite("Escalation scheduler against PostgreSQL")
struct EscalationSchedulerTests {
    struct Fixture {
        var database: TestDatabase
        var org: TestOrganisation
        var billing: UUID
    }

    static func fixture() async throws -> Fixture {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let billing: UUID = try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("SELECT id FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
        }
        return Fixture(database: database, org: org, billing: billing)
    }

    /// Takes complaints in as branch a's agent, received `age` ago.
    static func intake(_ fixture: Fixture, pool: PGPool, count: Int, age: TimeInterval) async throws -> [Complaint] {
        let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
        let agent = fixture.org.caller(.agent, in: fixture.org.a)
        var complaints: [Complaint] = []
        for index in 0..<count {
            complaints.append(try await store.intake(agent, ComplaintIntake(
                channel: "phone", complainant: .init(name: "C", phone: "+86 10 \(index)"), receivedAt: Date().addingTimeInterval(-age),
                description: "late complaint", categoryID: fixture.billing), idempotencyKey: nil, requestHash: nil).complaint)
        }
        return complaints
    }

    func scheduler(_ fixture: Fixture, _ pool: PGPool, batch: Int = 500) -> EscalationScheduler {
        EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.serviceURL),
                            configuration: SchedulerConfiguration(batchSize: batch, pollInterval: .seconds(2)))
    }

    @Test func missedTiersEachFireOnceWithTheirTrueDueTimeAndPages() async throws {
        let fixture = try await Self.fixture()
        try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
            let complaint = try #require(try await Self.intake(fixture, pool: pool, count: 1, age: 49 * 3600).first)
            #expect(complaint.nextEscalationTier == 1)
            let fired = try await scheduler(fixture, pool).drain()
            #expect(fired.map(\.tier).sorted() == [1, 2], "both missed tiers, once each")
            for escalation in fired {
                let expected = complaint.receivedAt.addingTimeInterval(Double(escalation.tier * 24 * 3600))
                #expect(abs(escalation.dueAt.timeIntervalSince(expected)) < 0.001, "true due time of tier \(escalation.tier)")
                #expect(escalation.lateSeconds >= (2 - escalation.tier) * 24 * 3600 + 3599)
            }
            // Tier 1: the Billing head and the bot; tier 2: the branch manager and the bot (no office here).
            #expect(fired.first { $0.tier == 1 }?.pages == 2)
            #expect(fired.first { $0.tier == 2 }?.pages == 2)
            #expect(try await scheduler(fixture, pool).drain().isEmpty, "nothing fires twice")
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("""
                    SELECT next_escalation_tier, next_escalation_at, escalated_tiers,
                           (SELECT array_agg(recipient_user_id ORDER BY tier, recipient_kind) FROM pages WHERE complaint_id = c.id),
                           (SELECT bool_and(late) FROM pages WHERE complaint_id = c.id)
                      FROM complaints c WHERE id = \(complaint.id)
                    """)[0]
                #expect(try row.decode(Int16?.self, at: 0) == 3)
                let next: Date = try row.decode(at: 1)
                #expect(abs(next.timeIntervalSince(complaint.receivedAt.addingTimeInterval(72 * 3600))) < 0.001)
                #expect(try row.decode([Int16].self, at: 2) == [1, 2])
                let org = fixture.org
                #expect(try row.decode([UUID].self, at: 3) == [org.a.users[.bot]!, org.a.users[.departmentHead]!,
                                                                org.a.users[.bot]!, org.a.users[.branchManager]!])
                #expect(try row.decode(Bool.self, at: 4), "the pages say they are late")
            }
        }
    }

    @Test func threeSchedulersAtOnceFireEachTierExactlyOnce() async throws {
        let fixture = try await Self.fixture()
        try await fixture.database.withPool(size: 8) { (pool: PGPool) async throws in
            _ = try await Self.intake(fixture, pool: pool, count: 300, age: 49 * 3600)
            let schedulers = (0..<3).map { _ in scheduler(fixture, pool, batch: 25) }
            let fired = try await withThrowingTaskGroup(of: [EscalationStore.Fired].self) { group in
                for scheduler in schedulers { group.addTask { try await scheduler.drain() } }
                return try await group.reduce([], +)
            }
            #expect(fired.count == 600)
            #expect(Set(fired.map { "\($0.complaintID)/\($0.tier)" }).count == 600)
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("SELECT (SELECT count(*) FROM escalations), (SELECT count(*) FROM pages)")[0]
                #expect(try row.decode(Int.self, at: 0) == 600)
                #expect(try row.decode(Int.self, at: 1) == 1200)
            }
        }
    }

    @Test func theRunningSchedulerFiresWithinAboutASecondOfTheDueTime() async throws {
        let fixture = try await Self.fixture()
        try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
            let scheduler = scheduler(fixture, pool)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [scheduler], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await Task.sleep(for: .milliseconds(500))
                // Tier 1 falls due about 1.5 s from now.
                let complaint = try #require(try await Self.intake(fixture, pool: pool, count: 1, age: 24 * 3600 - 1.5).first)
                let due = complaint.receivedAt.addingTimeInterval(24 * 3600)
                var recorded: Date?
                for _ in 0..<80 where recorded == nil {
                    try await Task.sleep(for: .milliseconds(100))
                    recorded = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                        try await owner.query("SELECT max(recorded_at) FROM escalations WHERE complaint_id = \(complaint.id)")[0].decode(Date?.self, at: 0)
                    }
                }
                let at = try #require(recorded, "tier 1 fired")
                #expect(at.timeIntervalSince(due) >= 0 && at.timeIntervalSince(due) < 1.5, "fired \(at.timeIntervalSince(due)) s after due")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
