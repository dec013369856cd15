import Foundation
import Postgres

/// The escalation benchmark's data set: 20 branches of six departments with a head each, a
/// branch manager, an executive and a bot per branch, and open complaints under each branch's
/// Standard policy whose tier 1 lies days ahead, in the departments the routing rules placed them
/// in (so the scheduler checks each against the rules when it falls due, `sql/0053`). `bench_burst` names the complaints a round makes
/// due: each with its tier 1 and, at the same moment, its acknowledgement's breach, which the
/// round's policy escalates to rung 3 (the executives; the bot, paged by the tier, is not paged twice).
struct EscalationBenchData {
    let owner: PGPool

    /// Creates the organisation and tops the complaints up to `total`; `burst` of them (spread
    /// over every department) are listed in `bench_burst`.
    func prepare(total: Int, burst: Int) async throws {
        try await owner.withConnection { connection in
            try await BenchBranches.create(prefix: "esc-", count: 20, connection)
            try await connection.executeScript("""
                INSERT INTO users (branch_id, login, name, roles, department_ids)
                SELECT d.branch_id, 'head-' || d.kind, 'Head of ' || d.name, ARRAY['department_head'], ARRAY[d.id]
                  FROM departments d JOIN branches b ON b.id = d.branch_id AND b.code LIKE 'esc-%'
                ON CONFLICT DO NOTHING;
                UPDATE departments d SET head_user_id = u.id
                  FROM users u WHERE u.branch_id = d.branch_id AND u.login = 'head-' || d.kind AND d.head_user_id IS NULL;
                INSERT INTO users (branch_id, login, name, roles)
                SELECT b.id, r.login, r.name, ARRAY[r.role]
                  FROM branches b, (VALUES ('manager', 'Branch manager', 'branch_manager'), ('pager-bot', 'Pager bot', 'bot'),
                                           ('executive', 'Executive', 'executive')) AS r (login, name, role)
                 WHERE b.code LIKE 'esc-%'
                ON CONFLICT DO NOTHING;
                CREATE TABLE IF NOT EXISTS bench_burst (branch_id uuid NOT NULL, id uuid NOT NULL, position integer NOT NULL,
                                                        PRIMARY KEY (branch_id, id));
                """)
            var existing: Int = try await connection.query("SELECT count(*) FROM complaints")[0].decode(at: 0)
            while existing < total {
                let batch = min(100_000, total - existing)
                FileHandle.standardError.write(Data("adding \(batch) complaints (\(existing) so far)…\n".utf8))
                try await connection.execute("""
                    WITH departments_numbered AS (
                        SELECT d.branch_id, d.id, p.id AS policy_id, row_number() OVER (ORDER BY d.branch_id, d.id) - 1 AS n,
                               count(*) OVER () AS total
                          FROM departments d JOIN branches b ON b.id = d.branch_id AND b.code LIKE 'esc-%'
                          JOIN sla_policies p ON p.branch_id = d.branch_id AND p.name = 'Standard')
                    INSERT INTO complaints (branch_id, case_number, channel, complainant_name, complainant_phone, received_at,
                                            description, department_id, department_by_rule, status, priority, level, sla_policy_id,
                                            escalation_due_at, next_escalation_tier, next_escalation_at)
                    SELECT d.branch_id, 'ESC-' || (\(existing) + g), 'phone', 'Customer ' || g, '+86 1' || lpad(g::text, 10, '0'),
                           now() - interval '1 hour', 'Open complaint ' || g, d.id, true, 'investigating',
                           (ARRAY['urgent', 'important', 'general'])[1 + g % 3], (1 + g % 3)::smallint, d.policy_id,
                           ARRAY[t.due, t.due + interval '1 day', t.due + interval '2 days'], 1, t.due
                      FROM generate_series(1, \(batch)) g
                      JOIN departments_numbered d ON d.n = (\(existing) + g) % d.total
                      CROSS JOIN LATERAL (SELECT now() + interval '1 day' + (g % 518400) * interval '1 second' AS due) t
                    """)
                existing += batch
            }
            let listed: Int = try await connection.query("SELECT count(*) FROM bench_burst")[0].decode(at: 0)
            if listed != burst {
                try await connection.executeScript("TRUNCATE bench_burst")
                try await connection.execute("""
                    INSERT INTO bench_burst (branch_id, id, position)
                    SELECT branch_id, id, (row_number() OVER (ORDER BY id))::integer FROM complaints
                     WHERE status = 'investigating' ORDER BY id LIMIT \(Int32(burst))
                    """)
            }
            try await connection.executeScript("VACUUM ANALYZE")
        }
    }

    /// Forgets every escalation, page and event, puts every burst complaint's tier 1 days ahead,
    /// vacuums, and then makes the first `count` burst complaints due at `due` seconds from now
    /// (an SQL expression of `b.position`; every later tier a day apart), so that no due time
    /// passes while the tables are vacuumed.
    func reset(count: Int, dueInSeconds due: String) async throws {
        try await owner.withConnection { connection in
            try await connection.executeScript("TRUNCATE delivery_attempts, page_deliveries, pages, escalations, complaint_events, audit_log")
            try await connection.execute("""
                UPDATE complaints c
                   SET escalated_tiers = '{}', next_escalation_tier = 1, next_escalation_at = now() + interval '3 days',
                       escalation_due_at = ARRAY[now() + interval '3 days', now() + interval '4 days', now() + interval '5 days'],
                       sla_alarm_keys = '{breach:acknowledge}', sla_alarm_due_at = ARRAY[now() + interval '3 days'],
                       sla_alarm_rungs = '{3}', sla_alarms_raised = '{}', next_alarm_at = now() + interval '3 days'
                  FROM bench_burst b
                 WHERE c.branch_id = b.branch_id AND c.id = b.id
                """)
            try await connection.executeScript("VACUUM ANALYZE complaints, escalations, pages, complaint_events")
            try await connection.execute("""
                UPDATE complaints c
                   SET next_escalation_at = d.at, escalation_due_at = ARRAY[d.at, d.at + interval '1 day', d.at + interval '2 days'],
                       next_alarm_at = d.at, sla_alarm_due_at = ARRAY[d.at]
                  FROM bench_burst b
                 CROSS JOIN LATERAL (SELECT now() + (\(unescaped: due)) * interval '1 second' AS at) d
                 WHERE c.branch_id = b.branch_id AND c.id = b.id AND b.position <= \(Int32(count))
                """)
        }
    }

    /// Marks `count` open complaints of the first branch stale, as a change of its calendar does,
    /// none of them one a round makes due; returns how many it marked.
    func markStale(_ count: Int) async throws -> Int {
        guard count > 0 else { return 0 }
        return try await owner.query("""
            UPDATE complaints c SET sla_stale = true
              FROM (SELECT o.branch_id, o.id FROM complaints o
                     WHERE o.branch_id = (SELECT id FROM branches WHERE code LIKE 'esc-%' ORDER BY code LIMIT 1)
                       AND o.status = 'investigating'
                       AND NOT EXISTS (SELECT FROM bench_burst b WHERE b.branch_id = o.branch_id AND b.id = o.id)
                     LIMIT \(Int32(count))) s
             WHERE c.branch_id = s.branch_id AND c.id = s.id
            """).affectedRows
    }

    /// How many complaints wait to be recomputed.
    func staleCount() async throws -> Int {
        try await owner.query("SELECT count(*) FROM complaints WHERE sla_stale")[0].decode(at: 0)
    }

    /// Escalations and pages recorded, and how many complaints still wait for tier 1 or an alarm now.
    func counts() async throws -> (escalations: Int, pages: Int, due: Int) {
        let row = try await owner.query("""
            SELECT (SELECT count(*) FROM escalations), (SELECT count(*) FROM pages),
                   (SELECT count(*) FROM complaints WHERE next_escalation_at <= now() OR next_alarm_at <= now())
            """)[0]
        return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2))
    }
}
