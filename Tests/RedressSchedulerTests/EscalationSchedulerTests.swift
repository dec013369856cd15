import Foundation
import LocalPostgres
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

    /// Takes complaints in as branch a's agent, received `age` ago, through a service-role pool of
    /// its own (`pool` is the caller's, often the scheduler role's, which cannot take complaints in).
    static func intake(_ fixture: Fixture, pool _: PGPool, count: Int, age: TimeInterval) async throws -> [Complaint] {
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
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
    }

    func scheduler(_ fixture: Fixture, _ pool: PGPool, batch: Int = 500) -> EscalationScheduler {
        EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL),
                            configuration: SchedulerConfiguration(batchSize: batch, pollInterval: .seconds(2)))
    }

    @Test func missedTiersEachFireOnceWithTheirTrueDueTimeAndPages() async throws {
        let fixture = try await Self.fixture()
        try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
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

    /// A complaint nobody routed is routed when it escalates; its earlier timeline goes with it to
    /// the department it reaches (`sql/0033`), whose head then reads it.
    @Test func routingAtEscalationTakesTheTimelineAlong() async throws {
        let fixture = try await Self.fixture()
        let org = fixture.org
        let complaint: Complaint = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
            return try await store.intake(org.caller(.agent, in: org.a), ComplaintIntake(
                channel: "phone", complainant: .init(name: "C", phone: "+86 10 7"), receivedAt: Date().addingTimeInterval(-25 * 3600),
                description: "nobody routed this"), idempotencyKey: nil, requestHash: nil).complaint
        }
        #expect(complaint.departmentId == nil)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("UPDATE complaints SET category_id = \(fixture.billing) WHERE id = \(complaint.id)")
        }
        try await fixture.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
            #expect(try await scheduler(fixture, pool).drain().map(\.tier) == [1])
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT c.department_id, (SELECT array_agg(DISTINCT e.case_department_id) FROM complaint_events e WHERE e.complaint_id = c.id),
                       (SELECT count(*) FROM complaint_events e WHERE e.complaint_id = c.id)
                  FROM complaints c WHERE c.id = \(complaint.id)
                """)[0]
            #expect(try row.decode(UUID?.self, at: 0) == org.a.departments[0], "routed by the billing rule")
            #expect(try row.decode([UUID].self, at: 1) == [org.a.departments[0]], "received and escalated entries both follow it")
            #expect(try row.decode(Int.self, at: 2) == 2)
        }
        let timeline: Int = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            try await ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
                .withScope(org.caller(.departmentHead, in: org.a).scope) { connection in
                    try await connection.query("SELECT count(*) FROM complaint_events WHERE complaint_id = \(complaint.id)")[0].decode(at: 0)
                }
        }
        #expect(timeline == 2, "the department's head reads the whole timeline")
    }

    /// Writes `count` open complaints of branch a in Billing directly: tiers 1 and 2 already due
    /// (an hour and a minute ago), tier 3 a day ahead.
    static func insertDue(_ fixture: Fixture, count: Int, prefix: String) async throws {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                INSERT INTO complaints (branch_id, case_number, channel, description, department_id, category_id, sla_policy_id,
                                        escalation_due_at, next_escalation_tier, next_escalation_at)
                SELECT \(fixture.org.a.id), \(prefix) || g, 'phone', 'due', \(fixture.org.a.departments[0]), \(fixture.billing),
                       (SELECT id FROM sla_policies WHERE branch_id = \(fixture.org.a.id) AND name = 'Standard'),
                       ARRAY[now() - interval '1 hour', now() - interval '1 minute', now() + interval '1 day'], 1, now() - interval '1 hour'
                  FROM generate_series(1, \(count)) g
                """)
        }
    }

    @Test func threeSchedulersAtOnceOnTenThousandDueComplaintsFireEachTierExactlyOnce() async throws {
        let fixture = try await Self.fixture()
        let total = 10_000
        try await Self.insertDue(fixture, count: total, prefix: "MANY-")
        try await fixture.database.withPool(scheduler: true, size: 8) { (pool: PGPool) async throws in
            let schedulers = (0..<3).map { _ in scheduler(fixture, pool, batch: 200) }
            let fired = try await withThrowingTaskGroup(of: [EscalationStore.Fired].self) { group in
                for scheduler in schedulers { group.addTask { try await scheduler.drain() } }
                return try await group.reduce([], +)
            }
            #expect(fired.count == 2 * total, "tiers 1 and 2 of every complaint")
            #expect(Set(fired.map { "\($0.complaintID)/\($0.tier)" }).count == 2 * total, "no tier reported twice")
            #expect(fired.allSatisfy { $0.pages == 2 }, "tier 1: head and bot; tier 2: manager and bot")
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("""
                    SELECT (SELECT count(*) FROM escalations), (SELECT count(DISTINCT (complaint_id, tier)) FROM escalations),
                           (SELECT count(*) FROM pages), (SELECT count(DISTINCT (escalation_id, recipient_user_id)) FROM pages),
                           (SELECT count(*) FROM complaints WHERE case_number LIKE 'MANY-%' AND next_escalation_tier = 3),
                           (SELECT count(*) FROM complaint_events WHERE kind = 'escalated')
                    """)[0]
                #expect(try row.decode(Int.self, at: 0) == 2 * total && row.decode(Int.self, at: 1) == 2 * total)
                #expect(try row.decode(Int.self, at: 2) == 4 * total && row.decode(Int.self, at: 3) == 4 * total)
                #expect(try row.decode(Int.self, at: 4) == total, "every complaint waits for tier 3")
                #expect(try row.decode(Int.self, at: 5) == 2 * total, "each escalation is on its timeline once")
            }
        }
    }

    @Test func aSchedulerKilledMidBatchLosesAndDuplicatesNothing() async throws {
        let fixture = try await Self.fixture()
        let total = 3000
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // Due complaints written directly: tier 1 an hour ago, tiers 2 and 3 ahead.
            try await owner.query("""
                INSERT INTO complaints (branch_id, case_number, channel, description, department_id, category_id, sla_policy_id,
                                        escalation_due_at, next_escalation_tier, next_escalation_at)
                SELECT \(fixture.org.a.id), 'KILL-' || g, 'phone', 'due', \(fixture.org.a.departments[0]), \(fixture.billing),
                       (SELECT id FROM sla_policies WHERE branch_id = \(fixture.org.a.id) AND name = 'Standard'),
                       ARRAY[now() - interval '1 hour', now() + interval '1 day', now() + interval '2 days'], 1, now() - interval '1 hour'
                  FROM generate_series(1, \(total)) g
                """)
        }
        let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/redress").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("scheduler-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let pid = try Subprocess.spawn([executable, "scheduler"], environment: [
            "SCHEDULER_DATABASE_URL": fixture.database.schedulerURL, "SCHEDULER_BATCH_SIZE": "5", "LOG_LEVEL": "error", "METRICS_PORT": "0",
        ], outputPath: log)
        var recorded = 0
        for _ in 0..<300 where recorded == 0 {
            try await Task.sleep(for: .milliseconds(20))
            recorded = try await Self.escalationCount(fixture)
        }
        kill(pid, SIGKILL)
        #expect(try await OwnThread.run { try Subprocess.wait(pid) } == 128 + SIGKILL)
        // The statement the server was running when its client died still commits (or not) on its own:
        // wait until the killed process's server sessions are gone.
        for _ in 0..<300 {
            let sessions: Int = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'redress-scheduler%'
                    """)[0].decode(at: 0)
            }
            if sessions == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let atKill = try await Self.escalationCount(fixture)
        #expect(atKill > 0 && atKill < total, "killed mid-way (\(atKill) of \(total) recorded)")
        try await fixture.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
            let rest = try await scheduler(fixture, pool).drain()
            #expect(atKill + rest.count == total, "nothing lost, nothing twice")
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT count(*), count(DISTINCT complaint_id),
                       (SELECT count(*) FROM complaints WHERE case_number LIKE 'KILL-%' AND next_escalation_tier = 2),
                       (SELECT count(*) FROM pages)
                  FROM escalations
                """)[0]
            #expect(try row.decode(Int.self, at: 0) == total && row.decode(Int.self, at: 1) == total)
            #expect(try row.decode(Int.self, at: 2) == total, "every complaint moved on to tier 2")
            #expect(try row.decode(Int.self, at: 3) == total * 2, "head and bot paged once each")
        }
    }

    static func escalationCount(_ fixture: Fixture) async throws -> Int {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT count(*) FROM escalations")[0].decode(Int.self, at: 0)
        }
    }

    /// The scheduler wakes for the due time itself: with its safety poll a minute away, the tier
    /// fires at or after the due time and long before any poll. How late it fires is printed, not
    /// asserted, so that a loaded machine only makes it later.
    @Test func theRunningSchedulerFiresWithinAboutASecondOfTheDueTime() async throws {
        let fixture = try await Self.fixture()
        try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL),
                                                configuration: SchedulerConfiguration(batchSize: 500, pollInterval: .seconds(60)))
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [scheduler], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await Task.sleep(for: .milliseconds(500))
                // Tier 1 falls due about 1.5 s from now.
                let complaint = try #require(try await Self.intake(fixture, pool: pool, count: 1, age: 24 * 3600 - 1.5).first)
                let due = complaint.receivedAt.addingTimeInterval(24 * 3600)
                var recorded: Date?
                for _ in 0..<400 where recorded == nil {
                    try await Task.sleep(for: .milliseconds(100))
                    recorded = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                        try await owner.query("SELECT max(recorded_at) FROM escalations WHERE complaint_id = \(complaint.id) AND alarm_key IS NULL")[0].decode(Date?.self, at: 0)
                    }
                }
                let at = try #require(recorded, "tier 1 fired")
                print("escalation: tier 1 fired \(at.timeIntervalSince(due)) s after it fell due")
                #expect(at.timeIntervalSince(due) >= 0 && at.timeIntervalSince(due) < 45, "fired \(at.timeIntervalSince(due)) s after due, before any poll")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
