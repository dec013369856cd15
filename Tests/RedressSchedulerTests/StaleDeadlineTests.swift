import Foundation
import Logging
import Postgres
import RedressCore
import RedressScheduler
@testable import RedressStore
import RedressTestSupport
import ServiceLifecycle
import Testing

/// Deadlines a change of policy, calendar or time zone made stale: nothing fires on them until they
/// are recomputed (`sql/0085`), and recomputing them holds back nothing else, not even when one of
/// them cannot be recomputed.
@Suite("Stale deadlines")
struct StaleDeadlineTests {
    /// Two complaints whose first tier is due, the older one stale, in two branches; the scheduler
    /// claims one complaint at a time. The claims take the current one's tier, pass over the stale
    /// one's (which is due first, so a list of branches that did not pass over it would name only
    /// its branch), and take it once it is recomputed. The next due time the scheduler sleeps
    /// until is not the stale one's past deadline; the lag that readiness reports is.
    @Test func aStaleComplaintsTierWaitsUntilRecomputed() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let stale = try await intake(fixture, in: fixture.org.a, age: 26 * 3600)
        let current = try await intake(fixture, in: fixture.org.b, age: 25 * 3600)
        try await markStale(fixture, [stale])
        try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL),
                                                configuration: SchedulerConfiguration(batchSize: 1))
            #expect(try await scheduler.drain().map(\.complaintID) == [current], "only the current complaint's tier")
            #expect(!(try await scheduler.raiseAlarms().contains { $0.complaintID == stale }), "and only its alarms")
            let times = try await pool.query("SELECT scheduler.next_due(), public.next_scheduled_work()")[0]
            #expect(try #require(try times.decode(Date?.self, at: 0)) > Date(), "the scheduler does not wake for the stale deadline")
            #expect(try #require(try times.decode(Date?.self, at: 1)) < Date().addingTimeInterval(-3600),
                    "but the lag counts it, due two hours ago")

            #expect(try await scheduler.recomputeStale() == 1)
            #expect(try await scheduler.drain().map(\.complaintID) == [stale], "its tier fires once it is recomputed")
        }
    }

    /// Two complaints whose acknowledgement breach is due (no tier due), one stale: its breach is
    /// not raised, and once recomputed from its receipt a moment ago it is no longer due.
    @Test func aStaleComplaintsAlarmWaitsUntilRecomputed() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let stale = try await intake(fixture, in: fixture.org.a, age: 0)
        let current = try await intake(fixture, in: fixture.org.a, age: 0)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                UPDATE complaints SET sla_alarm_keys = '{breach:acknowledge}', sla_alarm_due_at = ARRAY[now() - interval '1 minute'],
                                      sla_alarm_rungs = '{3}', sla_alarms_raised = '{}', next_alarm_at = now() - interval '1 minute'
                 WHERE id = ANY (\([stale, current]))
                """)
        }
        try await markStale(fixture, [stale])
        try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
            #expect(try await scheduler.raiseAlarms().map(\.complaintID) == [current], "only the current complaint's breach")
            #expect(try await scheduler.recomputeStale() == 1)
            #expect(try await scheduler.raiseAlarms().isEmpty, "recomputed, the stale one's breach is not due")
        }
        let nextAlarm: Date? = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT next_alarm_at FROM complaints WHERE id = \(stale)")[0].decode(at: 0)
        }
        #expect(try #require(nextAlarm) > Date(), "its alarms were recomputed from its receipt")
    }

    /// A running scheduler with a small batch, six stale complaints of which one cannot be
    /// recomputed (a trigger of the test's own refuses it), and another complaint's tier due. The
    /// tier fires and the other five are recomputed; the one that fails stays stale and fires
    /// nothing, and the scheduler goes on.
    @Test func aComplaintThatCannotBeRecomputedHoldsBackNoOther() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let (due, refused): (UUID, UUID) = try await fixture.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
            let due = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600)[0].id
            let stale = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 6, age: 0).map(\.id)
            try await markStale(fixture, stale)
            return (due, stale[3])
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("UPDATE complaints SET description = 'cannot be recomputed' WHERE id = \(refused)")
            try await owner.query("""
                CREATE FUNCTION refuse_recomputation() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'this complaint cannot be recomputed';
                END
                $$
                """)
            try await owner.query("""
                CREATE TRIGGER refuse_recomputation BEFORE UPDATE ON complaints
                    FOR EACH ROW WHEN (OLD.sla_stale AND NOT NEW.sla_stale AND NEW.description = 'cannot be recomputed')
                    EXECUTE FUNCTION refuse_recomputation()
                """)
        }
        let (stale, fired): (Int, [UUID]) = try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL),
                                                configuration: SchedulerConfiguration(batchSize: 2, pollInterval: .seconds(1)))
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [scheduler], logger: Logger(label: "test")))
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var state = (stale: 6, fired: [UUID]())
                let giveUp = ContinuousClock.now + .seconds(120)
                while (state.stale > 1 || state.fired.isEmpty) && ContinuousClock.now < giveUp {
                    try await Task.sleep(for: .milliseconds(100))
                    state = try await progress(fixture)
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return state
            }
        }
        #expect(fired == [due], "the due tier fired, and nothing else")
        #expect(stale == 1, "five of six recomputed")
        let refusedIsStale: Bool = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT sla_stale FROM complaints WHERE id = \(refused)")[0].decode(at: 0)
        }
        #expect(refusedIsStale, "the complaint that cannot be recomputed is still stale")
    }

    /// A backlog of stale complaints whose old tiers and alarms are due costs the statements of a
    /// pass what their own work costs (`sql/0087`): the claims of tiers and alarms, the branches
    /// with work due, the next due time and the lag each read a row or two of `complaints`, not one
    /// per stale complaint, and a batch to recompute reads the batch. PostgreSQL counts the rows for
    /// the transaction they are read in; sequential scans are ruled out there, as a planner would on
    /// a table of millions rather than of 40.
    @Test func aBacklogOfStaleComplaintsIsNotReadByEveryPass() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let backlog = 40
        try await fixture.database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
            let stale = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: backlog, age: 26 * 3600).map(\.id)
            try await markStale(fixture, stale)
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // Their alarms due an hour before their tiers, each at its own time, as their receipts were.
            try await owner.query("UPDATE complaints SET next_alarm_at = next_escalation_at - interval '1 hour' WHERE sla_stale")
            // The rows' versions before these changes leave the indexes, as they would long before a backlog is cleared.
            try await owner.query("VACUUM ANALYZE complaints")
        }
        let branch = fixture.org.a.id
        let statements: [(name: String, query: PGQuery)] = [
            ("the claim of tiers", "SELECT count(*) FROM scheduler.escalate_due(\(branch), 500)"),
            ("the claim of alarms", "SELECT count(*) FROM scheduler.raise_alarms(\(branch), 500)"),
            ("the branches with tiers due", "SELECT count(*) FROM scheduler.due_branches('escalations', 500)"),
            ("the branches with alarms due", "SELECT count(*) FROM scheduler.due_branches('alarms', 500)"),
            ("the next due time", "SELECT scheduler.next_due()"),
            ("the lag", "SELECT public.next_scheduled_work()"),
        ]
        try await fixture.database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
            for statement in statements {
                let read = try await pool.withTransaction { connection in try await rowsRead(by: statement.query, connection) }
                #expect(read <= 4, "\(statement.name) read \(read) rows of complaints with \(backlog) stale ones due")
            }
            let batch = 5
            let listing = ComplaintStore.staleComplaints(branch: branch, batch: batch, passingOver: [])
            let read = try await ScopedDatabase(pool: pool).withScope(.system(branch: branch)) { connection in
                try await rowsRead(by: listing, connection)
            }
            #expect(read <= batch + 2, "a batch of \(batch) to recompute read \(read) rows of complaints with \(backlog) stale")
        }
    }

    /// The rows of `complaints` that `query` reads in the transaction of `connection`: those of
    /// sequential and bitmap scans, and the entries of index scans, with sequential and bitmap scans
    /// turned off.
    private func rowsRead(by query: PGQuery, _ connection: PGConnection) async throws -> Int {
        try await connection.query("SET LOCAL enable_seqscan = off")
        try await connection.query("SET LOCAL enable_bitmapscan = off")
        let counted: PGQuery = """
            SELECT pg_stat_get_xact_tuples_returned(c.oid) + pg_stat_get_xact_tuples_fetched(c.oid)
                   + coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0)::bigint
              FROM pg_class c LEFT JOIN pg_index i ON i.indrelid = c.oid
             WHERE c.oid = 'public.complaints'::regclass GROUP BY c.oid
            """
        let before: Int = try await connection.query(counted)[0].decode(at: 0)
        try await connection.query(query)
        return try await connection.query(counted)[0].decode(Int.self, at: 0) - before
    }

    /// Takes one complaint in as `branch`'s agent, in its Billing category, received `age` seconds ago.
    private func intake(_ fixture: EscalationSchedulerTests.Fixture, in branch: TestOrganisation.BranchFixture, age: TimeInterval) async throws -> UUID {
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let billing: UUID = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT id FROM categories WHERE branch_id = \(branch.id) AND code = 'billing'")[0].decode(at: 0)
            }
            let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
            return try await store.intake(fixture.org.caller(.agent, in: branch), ComplaintIntake(
                channel: "phone", complainant: .init(name: "C", phone: "+86 10 1"), receivedAt: Date().addingTimeInterval(-age),
                description: "a complaint", categoryID: billing), idempotencyKey: nil, requestHash: nil).complaint.id
        }
    }

    /// Marks complaints stale as a policy change would, as the owner.
    private func markStale(_ fixture: EscalationSchedulerTests.Fixture, _ ids: [UUID]) async throws {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("UPDATE complaints SET sla_stale = true WHERE id = ANY (\(ids))")
        }
    }

    /// How many complaints are stale, and which complaints' tiers fired.
    private func progress(_ fixture: EscalationSchedulerTests.Fixture) async throws -> (stale: Int, fired: [UUID]) {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT (SELECT count(*)::integer FROM complaints WHERE sla_stale),
                       (SELECT coalesce(array_agg(DISTINCT complaint_id), '{}') FROM escalations WHERE alarm_key IS NULL)
                """)[0]
            return (try row.decode(at: 0), try row.decode(at: 1))
        }
    }
}
