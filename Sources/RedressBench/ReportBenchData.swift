import Foundation
import Postgres

/// The report benchmark's data set: 20 branches of six departments, and complaints received
/// evenly over the twelve months before `2026-11-01` (Asia/Shanghai), with categories, channels,
/// levels, natures, departments, escalations, satisfaction scores, deadlines and met times drawn
/// from the row number, so every figure of a report has something to count. The reports' counts
/// (`reports.recount`) are made once the complaints are in.
struct ReportBenchData {
    let owner: PGPool

    /// Creates the organisation and tops the complaints up to `total`. The audit and milestone
    /// triggers are off while loading (the rows carry their deadlines and met times), and on again afterwards.
    func prepare(total: Int) async throws {
        try await owner.withConnection { connection in
            try await BenchBranches.create(prefix: "rep-", count: 20, connection)
            var existing: Int = try await connection.query("""
                SELECT count(*) FROM complaints c JOIN branches b ON b.id = c.branch_id WHERE b.code LIKE 'rep-%'
                """)[0].decode(at: 0)
            guard existing < total else { return }
            try await connection.executeScript("""
                ALTER TABLE complaints DISABLE TRIGGER audited_inserts;
                ALTER TABLE complaints DISABLE TRIGGER complaints_milestones;
                ALTER TABLE complaints DISABLE TRIGGER report_counts_taken;
                """)
            while existing < total {
                let batch = min(100_000, total - existing)
                FileHandle.standardError.write(Data("adding \(batch) complaints (\(existing) so far)…\n".utf8))
                try await connection.execute(Self.insert(after: existing, count: batch))
                existing += batch
            }
            try await connection.executeScript("""
                ALTER TABLE complaints ENABLE TRIGGER audited_inserts;
                ALTER TABLE complaints ENABLE TRIGGER complaints_milestones;
                ALTER TABLE complaints ENABLE TRIGGER report_counts_taken;
                """)
            FileHandle.standardError.write(Data("counting the complaints for reports…\n".utf8))
            try await connection.execute("SELECT reports.recount(NULL)")
            try await connection.executeScript("VACUUM ANALYZE complaints, report_counts")
        }
    }

    /// Adds `count` complaints numbered after `after`, spread over every department of every
    /// branch whose code starts with `prefix`, their case numbers starting with it too. With
    /// `keepingIDsIn`, the new complaints' branch and id are inserted into that table as well.
    static func insert(after: Int, count: Int, prefix: String = "rep-", keepingIDsIn table: String? = nil) -> PGQuery {
        """
        WITH departments_numbered AS (
            SELECT d.branch_id, d.id, row_number() OVER (ORDER BY d.branch_id, d.id) - 1 AS n, count(*) OVER () AS total,
                   (SELECT p.id FROM sla_policies p WHERE p.branch_id = d.branch_id ORDER BY p.name = 'Standard' DESC, p.name LIMIT 1) AS policy
              FROM departments d JOIN branches b ON b.id = d.branch_id AND b.code LIKE \(prefix + "%")
        ), generated AS (
            SELECT g, d.branch_id, d.id AS department_id, d.policy,
                   timestamptz '2025-11-01 00:00:00+08' + (hashint4(g) & 2147483647)::bigint % 31536000 * interval '1 second' AS received_at,
                   (hashint4(g * 7) & 2147483647) % 1000 AS r,
                   -- Seconds past the hour, so that durations are spread over every minute as real ones are.
                   (hashint4(g * 13) & 2147483647) % 3600 AS s
              FROM generate_series(\(Int32(after + 1)), \(Int32(after + count))) g
              JOIN departments_numbered d ON d.n = g % d.total
        )\(unescaped: table == nil ? "" : ", inserted AS (")
        INSERT INTO complaints (branch_id, case_number, channel, description, department_id, category_id, level, nature, priority,
                                status, satisfaction, escalated_tiers, received_at, sla_deadlines, sla_completed,
                                acknowledge_deadline, initial_reply_deadline, preliminary_feedback_deadline, result_deadline,
                                acknowledge_met_at, initial_reply_met_at, preliminary_feedback_met_at, result_met_at)
        SELECT x.branch_id, upper(\(prefix)) || x.g, (ARRAY['phone', 'web', 'email', 'app', 'visit'])[1 + x.r % 5], 'Report bench ' || x.g,
               x.department_id,
               (SELECT k.id FROM categories k WHERE k.branch_id = x.branch_id ORDER BY k.code OFFSET x.r % 10 LIMIT 1),
               (1 + x.r % 3)::smallint, (ARRAY['general', 'general', 'general', 'major', 'repeat', 'invalid'])[1 + x.r % 6],
               (ARRAY['urgent', 'important', 'general'])[1 + x.r % 3],
               CASE WHEN x.r < 800 THEN 'closed' ELSE 'investigating' END,
               CASE WHEN x.r % 2 = 0 THEN (1 + x.r % 10)::smallint END,
               (ARRAY['{}', '{}', '{1}', '{1,2}', '{1,2,3}'])[1 + x.r % 5]::smallint[],
               x.received_at,
               -- A whole explanation (SLAExplanation), as intake stores it, so complaints read back.
               jsonb_build_object('policyId', x.policy, 'policyName', 'Standard', 'counting', 'calendar_hours', 'tiers', '{}'::jsonb,
                   'completed', CASE WHEN x.r < 800 THEN '["acknowledge", "initial_reply", "preliminary_feedback", "result"]'::jsonb
                                     ELSE '["acknowledge"]'::jsonb END,
                   'milestones', jsonb_build_object(
                       'acknowledge', jsonb_build_object('at', x.received_at + interval '24 hours', 'targetSeconds', 86400,
                                                         'counting', 'calendar_hours', 'from', x.received_at, 'pauses', '[]'::jsonb),
                       'initial_reply', jsonb_build_object('at', x.received_at + interval '48 hours', 'targetSeconds', 172800,
                                                           'counting', 'calendar_hours', 'from', x.received_at, 'pauses', '[]'::jsonb),
                       'preliminary_feedback', jsonb_build_object('at', x.received_at + interval '72 hours', 'targetSeconds', 259200,
                                                                  'counting', 'calendar_hours', 'from', x.received_at, 'pauses', '[]'::jsonb),
                       'result', jsonb_build_object('at', x.received_at + interval '72 hours', 'targetSeconds', 259200,
                                                    'counting', 'calendar_hours', 'from', x.received_at, 'pauses', '[]'::jsonb))),
               CASE WHEN x.r < 800 THEN ARRAY['acknowledge', 'initial_reply', 'preliminary_feedback', 'result']
                    ELSE ARRAY['acknowledge'] END,
               x.received_at + interval '24 hours', x.received_at + interval '48 hours', x.received_at + interval '72 hours',
               x.received_at + interval '72 hours',
               x.received_at + (x.r % 30) * interval '1 hour',
               CASE WHEN x.r < 800 THEN x.received_at + (x.r % 60) * interval '1 hour' + x.s * interval '1 second' END,
               CASE WHEN x.r < 800 THEN x.received_at + (x.r % 90) * interval '1 hour' END,
               CASE WHEN x.r < 800 THEN x.received_at + (x.r % 120) * interval '1 hour' + x.s * interval '1 second' END
          FROM generated x
        \(unescaped: table.map { "RETURNING branch_id, id) INSERT INTO \($0) (branch_id, id) SELECT branch_id, id FROM inserted" } ?? "")
        """
    }
}
