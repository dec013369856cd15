import Foundation
import Postgres
import RedressScheduler

/// The escalation burst on the scale benchmark's data set: `count` of its open complaints, as many
/// in every branch, fall due at once, each with its next tier and its acknowledgement's breach to
/// rung 3 (the executives), as `EscalationBenchData` makes its burst due; one scheduler escalates
/// them all, audit trail included. Nothing is taken away first: the complaints keep their earlier
/// tiers, and the burst's escalations, pages, timeline and audit entries stay, as they would.
struct ScaleBurst {
    let owner: PGPool
    let scheduler: PGPool
    let count: Int

    /// What one burst took and wrote.
    struct Outcome {
        let seconds: Double
        let escalations: Int
        let pages: Int
        let auditEntries: Int
    }

    /// Makes the burst due and times one scheduler escalating it until nothing of it is due.
    func measure() async throws -> Outcome {
        let escalating = EscalationScheduler(pool: scheduler, listen: scheduler.configuration.connection,
                                             configuration: SchedulerConfiguration(batchSize: 500))
        // What was due before is not the burst's: the demo's and the intake measurements'
        // complaints, and the next tiers of an earlier size's burst. Done before the burst is
        // chosen, so that it takes each complaint's tier as it then stands.
        _ = try await escalating.drain()
        _ = try await escalating.raiseAlarms()
        try await choose()
        try await makeDue()
        let before = try await written()
        let started = ContinuousClock.now
        _ = try await escalating.drain()
        _ = try await escalating.raiseAlarms()
        let seconds = (ContinuousClock.now - started).inSeconds
        let after = try await written()
        let left: Int = try await owner.query("""
            SELECT count(*) FROM bench_scale_burst x JOIN complaints c ON c.branch_id = x.branch_id AND c.id = x.id
             WHERE c.next_escalation_at <= now() OR c.next_alarm_at <= now()
            """)[0].decode(at: 0)
        let outcome = Outcome(seconds: seconds, escalations: after.escalations - before.escalations, pages: after.pages - before.pages,
                              auditEntries: after.audit - before.audit)
        // Each complaint's tier and its acknowledgement's breach.
        guard outcome.escalations == 2 * count, left == 0 else {
            throw BenchError("the burst left \(left) of \(count) due and wrote \(outcome.escalations) escalations (expected \(2 * count))")
        }
        return outcome
    }

    /// Pager bots and executives in every branch, each department's head as its head, and the
    /// burst's complaints chosen (`bench_scale_burst`).
    private func choose() async throws {
        try await owner.withConnection { connection in
            try await connection.execute("""
                INSERT INTO users (branch_id, login, name, roles)
                SELECT b.id, r.login, r.name, ARRAY[r.role]
                  FROM branches b, (VALUES ('wq-bot', 'Pager bot', 'bot'), ('wq-executive', 'Executive', 'executive')) AS r (login, name, role)
                 WHERE b.code LIKE \(ScaleBenchData.prefix + "%")
                ON CONFLICT DO NOTHING
                """)
            try await connection.execute("""
                UPDATE departments d SET head_user_id = u.id
                  FROM branches b, users u
                 WHERE b.id = d.branch_id AND b.code LIKE \(ScaleBenchData.prefix + "%") AND u.branch_id = d.branch_id
                   AND u.login = 'wq-head-' || d.kind AND d.head_user_id IS NULL
                """)
            try await connection.executeScript("""
                CREATE TABLE IF NOT EXISTS bench_scale_burst (branch_id uuid NOT NULL, id uuid NOT NULL, tier smallint NOT NULL,
                                                              PRIMARY KEY (branch_id, id));
                TRUNCATE bench_scale_burst;
                """)
            // The first open complaints of every branch by id, one round of branches after another,
            // each with a tier still ahead that it has not fired yet.
            try await connection.execute("""
                INSERT INTO bench_scale_burst (branch_id, id, tier)
                SELECT x.branch_id, x.id, x.tier FROM (
                    SELECT c.branch_id, c.id, (cardinality(c.escalated_tiers) + 1)::smallint AS tier,
                           row_number() OVER (PARTITION BY c.branch_id ORDER BY c.id) AS n
                      FROM complaints c JOIN branches b ON b.id = c.branch_id AND b.code LIKE \(ScaleBenchData.prefix + "%")
                     WHERE c.status NOT IN ('closed', 'archived') AND cardinality(c.escalated_tiers) < 3 AND NOT c.sla_stale
                       AND c.department_id IS NOT NULL
                       AND NOT EXISTS (SELECT FROM escalations e WHERE e.branch_id = c.branch_id AND e.complaint_id = c.id
                                                                   AND e.tier = cardinality(c.escalated_tiers) + 1)) x
                 ORDER BY x.n, x.branch_id
                 LIMIT \(Int32(count))
                """)
            let chosen: Int = try await connection.query("SELECT count(*) FROM bench_scale_burst")[0].decode(at: 0)
            guard chosen == count else { throw BenchError("only \(chosen) open complaints can fall due, not \(count)") }
        }
    }

    /// The burst's complaints due now, written with the triggers off so that the setting writes no entry.
    private func makeDue() async throws {
        try await owner.withConnection { connection in
            try await connection.withTransaction { connection in
                try await connection.executeScript("ALTER TABLE complaints DISABLE TRIGGER USER")
                try await connection.execute("""
                    UPDATE complaints c
                       SET sla_policy_id = p.id,
                           escalation_due_at = ARRAY(SELECT CASE WHEN t < x.tier THEN c.received_at + t * interval '1 day'
                                                                 WHEN t = x.tier THEN now() - interval '1 second'
                                                                 ELSE now() + (t - x.tier) * interval '1 day' END
                                                       FROM generate_series(1, 3) t ORDER BY t),
                           next_escalation_tier = x.tier, next_escalation_at = now() - interval '1 second',
                           sla_alarm_keys = '{breach:acknowledge}', sla_alarm_due_at = ARRAY[now() - interval '1 second'],
                           sla_alarm_rungs = '{3}', sla_alarms_raised = '{}', next_alarm_at = now() - interval '1 second'
                      FROM bench_scale_burst x JOIN sla_policies p ON p.branch_id = x.branch_id AND p.name = 'Standard'
                     WHERE c.branch_id = x.branch_id AND c.id = x.id
                    """)
                try await connection.executeScript("ALTER TABLE complaints ENABLE TRIGGER USER")
            }
        }
    }

    /// Escalations, pages and audit entries written so far.
    private func written() async throws -> (escalations: Int, pages: Int, audit: Int) {
        let row = try await owner.query("""
            SELECT (SELECT count(*) FROM escalations), (SELECT count(*) FROM pages), (SELECT coalesce(max(id), 0) FROM audit_log)
            """)[0]
        return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2))
    }
}
