import Foundation
import Logging
import Postgres
import RedressCore
import RedressScheduler
import RedressTestSupport
import ServiceLifecycle
import Testing

/// Deadlines a change of policy, calendar or time zone made stale: nothing fires on them until they
/// are recomputed (`sql/0085`), and recomputing them holds back nothing else, not even when one of
/// them cannot be recomputed.
@Suite("Stale deadlines")
struct StaleDeadlineTests {
    /// Two complaints whose first tier and acknowledgement breach are due; one is marked stale. The
    /// claims take the other's, pass over the stale one's, and take it once it is recomputed; the
    /// next due time is not the stale one's past deadline.
    @Test func aStaleComplaintFiresNothingUntilRecomputed() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
            let complaints = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 2, age: 25 * 3600)
            let stale = complaints[0].id, current = complaints[1].id
            try await markStale(fixture, [stale])
            let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL))

            let fired = try await scheduler.drain()
            #expect(fired.map(\.complaintID) == [current], "only the current complaint's tier")
            let raised = try await scheduler.raiseAlarms()
            #expect(raised.contains { $0.complaintID == current }, "the current complaint's alarms are raised")
            #expect(!raised.contains { $0.complaintID == stale }, "the stale complaint's are not")
            let nextDue: Date? = try await pool.query("SELECT scheduler.next_due()")[0].decode(at: 0)
            #expect(try #require(nextDue) > Date(), "the stale complaint's past deadline is not the next due time")

            #expect(try await scheduler.recomputeStale() == 1)
            #expect(try await scheduler.drain().map(\.complaintID) == [stale], "its tier fires once it is recomputed")
            #expect(try await scheduler.raiseAlarms().contains { $0.complaintID == stale }, "and its alarms are raised")
        }
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
                for _ in 0..<600 where state.stale > 1 || state.fired.isEmpty {
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
