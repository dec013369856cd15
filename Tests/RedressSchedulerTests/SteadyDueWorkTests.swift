import Foundation
import Logging
import Postgres
import RedressScheduler
import RedressTestSupport
import ServiceLifecycle
import Testing

/// A running scheduler under tiers that keep falling due: a trigger of the test's own makes the
/// next complaint's tier due as each tier is recorded, a chain of 100, while every complaint's
/// breach is due from the start. A pass that took tiers until none was left would raise no breach
/// before the chain ended; a pass takes one batch of each kind, so the breaches (two batches of
/// 50) are raised within the chain's first few links.
@Suite("The scheduler under steady work")
struct SteadyDueWorkTests {
    @Test func breachesAreRaisedWhileTiersKeepFallingDue() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let total = 100
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            _ = try await owner.query("""
                INSERT INTO complaints (branch_id, case_number, channel, description, department_id, category_id, sla_policy_id)
                SELECT \(fixture.org.a.id), 'CHAIN-' || g, 'phone', 'due in turn', \(fixture.org.a.departments[0]), \(fixture.billing),
                       (SELECT id FROM sla_policies WHERE branch_id = \(fixture.org.a.id) AND name = 'Standard')
                  FROM generate_series(1, \(total)) g
                """)
            // Every breach due a minute ago; the first tier too, the others in three days until the chain reaches them.
            _ = try await owner.query("""
                UPDATE complaints
                   SET escalated_tiers = '{}', next_escalation_tier = 1,
                       next_escalation_at = CASE case_number WHEN 'CHAIN-1' THEN now() - interval '1 minute' ELSE now() + interval '3 days' END,
                       escalation_due_at = ARRAY[CASE case_number WHEN 'CHAIN-1' THEN now() - interval '1 minute' ELSE now() + interval '3 days' END,
                                                 now() + interval '4 days', now() + interval '5 days'],
                       sla_alarm_keys = '{breach:acknowledge}', sla_alarm_due_at = ARRAY[now() - interval '1 minute'], sla_alarm_rungs = '{3}',
                       sla_alarms_raised = '{}', next_alarm_at = now() - interval '1 minute'
                 WHERE case_number LIKE 'CHAIN-%'
                """)
            _ = try await owner.query("""
                CREATE FUNCTION chain_next_tier() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE complaints SET next_escalation_at = now(), escalation_due_at[1] = now()
                     WHERE case_number = 'CHAIN-' || (SELECT substr(c.case_number, 7)::integer + 1 FROM complaints c WHERE c.id = NEW.complaint_id)
                       AND next_escalation_tier = 1;
                    RETURN NULL;
                END
                $$
                """)
            _ = try await owner.query("""
                CREATE TRIGGER chain_next_tier AFTER INSERT ON escalations
                    FOR EACH ROW WHEN (NEW.alarm_key IS NULL AND NEW.tier = 1) EXECUTE FUNCTION chain_next_tier()
                """)
        }
        try await fixture.database.withPool(scheduler: true, size: 4) { (pool: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL),
                                                configuration: SchedulerConfiguration(batchSize: 50, pollInterval: .seconds(60)))
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [scheduler], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var recorded = 0
                for _ in 0..<1200 where recorded < 2 * total {
                    try await Task.sleep(for: .milliseconds(100))
                    recorded = try await EscalationSchedulerTests.escalationCount(fixture)
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(recorded == 2 * total, "every tier and every breach recorded")
            }
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // Each breach is raised once its complaint's tier is not due (sql/0051): all of them but
            // those of the chain's next few links before the tenth link's tier.
            let row = try await owner.query("""
                SELECT count(*) FILTER (WHERE e.alarm_key IS NOT NULL AND e.recorded_at < (
                           SELECT t.recorded_at FROM escalations t JOIN complaints c ON c.id = t.complaint_id
                            WHERE t.alarm_key IS NULL AND c.case_number = 'CHAIN-10')),
                       count(*) FILTER (WHERE e.alarm_key IS NOT NULL)
                  FROM escalations e
                """)[0]
            let early: Int = try row.decode(at: 0), breaches: Int = try row.decode(at: 1)
            #expect(breaches == total && early >= total - 5, "breaches raised before the chain's tenth tier: \(early) of \(breaches)")
        }
    }
}
