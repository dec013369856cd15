import Foundation
import Postgres
import RedressStore

/// The work-queue benchmark's data set: the report benchmark's complaints (20 branches, a year of
/// them, a fifth still open) and, once, what a working branch adds to them: a head and a handler
/// per department, due times around now for open complaints, a responsible handler for most,
/// collaborations, pending plans, reopened cases, the escalations the complaints' tiers imply
/// with pages to the head (half acknowledged, as the escalation records), and overdue callbacks. Triggers that audit or
/// derive are off while loading, as in the report benchmark.
struct WorkQueueBenchData {
    let owner: PGPool

    static let password = "work-queue-bench"

    func prepare(total: Int) async throws {
        try await ReportBenchData(owner: owner).prepare(total: total)
        try await owner.withConnection { connection in
            let done: Int = try await connection.query("""
                SELECT count(*) FROM users u JOIN branches b ON b.id = u.branch_id AND b.code LIKE 'rep-%' WHERE u.login LIKE 'wq-head-%'
                """)[0].decode(at: 0)
            guard done == 0 else { return }
            FileHandle.standardError.write(Data("adding heads, handlers, due times, plans, escalations and follow-ups…\n".utf8))
            try await Self.addStaff(prefix: "rep-", connection)
            try await Self.addWorkingState(to: "(SELECT c.branch_id, c.id FROM complaints c JOIN branches b ON b.id = c.branch_id AND b.code LIKE 'rep-%')",
                                           connection)
            try await connection.executeScript("VACUUM ANALYZE complaints, complaint_plans, escalations, pages, follow_ups")
        }
    }

    /// A head and a handler for every department of the branches coded `prefix…`, signing in with
    /// ``password``.
    static func addStaff(prefix: String, _ connection: PGConnection) async throws {
        let hash = try await PasswordHasher.hash(Self.password, cost: 4)
        try await connection.execute("""
            INSERT INTO users (branch_id, login, name, roles, department_ids, password_hash)
            SELECT d.branch_id, 'wq-' || r.role || '-' || d.kind, r.role || ' of ' || d.name, ARRAY[r.db_role], ARRAY[d.id], \(hash)
              FROM departments d JOIN branches b ON b.id = d.branch_id AND b.code LIKE \(prefix + "%"),
                   (VALUES ('head', 'department_head'), ('handler', 'handler')) r(role, db_role)
            ON CONFLICT DO NOTHING
            """)
    }

    /// Gives the complaints `complaints` names (an SQL relation of their `branch_id` and `id`) the
    /// state of a working branch, with the triggers that audit or derive off meanwhile: due times
    /// around now, handlers, collaborations, plans, reopenings, the escalations their tiers imply
    /// with pages to the head, and callbacks for one closed complaint in a hundred.
    static func addWorkingState(to complaints: String, _ connection: PGConnection) async throws {
        try await connection.executeScript("""
            ALTER TABLE complaints DISABLE TRIGGER USER;
            ALTER TABLE complaint_plans DISABLE TRIGGER USER;
            ALTER TABLE escalations DISABLE TRIGGER USER;
            ALTER TABLE pages DISABLE TRIGGER USER;
            ALTER TABLE follow_ups DISABLE TRIGGER USER;
            """)
        try await connection.executeScript("""
            UPDATE complaints c
               SET due_at = now() + (x.r % 240 - 120) * interval '1 hour',
                   responsible_user_id = CASE WHEN x.r % 10 < 7 THEN x.handler END,
                   collaborating_department_ids = CASE WHEN x.r % 20 = 0 THEN ARRAY[x.other] ELSE '{}' END,
                   status = CASE WHEN x.r % 33 = 0 THEN 'plan_proposed' ELSE c.status END,
                   reopen_count = CASE WHEN x.r % 25 = 0 THEN 1 ELSE 0 END
              FROM (SELECT c.branch_id, c.id, abs(hashtext(c.id::text)) % 1000 AS r, u.id AS handler,
                           (SELECT o.id FROM departments o WHERE o.branch_id = c.branch_id AND o.id <> c.department_id
                             ORDER BY o.id LIMIT 1) AS other
                      FROM \(complaints) n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id
                      JOIN departments d ON d.branch_id = c.branch_id AND d.id = c.department_id
                      JOIN users u ON u.branch_id = c.branch_id AND u.login = 'wq-handler-' || d.kind
                     WHERE c.status NOT IN ('closed', 'archived')) x
             WHERE c.branch_id = x.branch_id AND c.id = x.id;
            INSERT INTO complaint_plans (branch_id, complaint_id, measures, description, proposed_by,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT c.branch_id, c.id, '{apology}', 'Apologise and refund', u.id,
                   c.department_id, c.collaborating_department_ids, c.responsible_user_id
              FROM \(complaints) n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id
              JOIN departments d ON d.branch_id = c.branch_id AND d.id = c.department_id
              JOIN users u ON u.branch_id = c.branch_id AND u.login = 'wq-handler-' || d.kind
             WHERE c.status = 'plan_proposed';
            WITH fired AS (
                INSERT INTO escalations (branch_id, complaint_id, tier, due_at, recorded_at, late_seconds, department_id,
                                         acknowledged_at,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                SELECT c.branch_id, c.id, t.tier, c.received_at + t.tier * interval '24 hours',
                       c.received_at + t.tier * interval '24 hours', 0, c.department_id,
                       CASE WHEN abs(hashtext(c.id::text || t.tier)) % 2 = 0 THEN now() END,
                       c.department_id, c.collaborating_department_ids, c.responsible_user_id
                  FROM \(complaints) n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id, unnest(c.escalated_tiers) t(tier)
                 WHERE c.status NOT IN ('closed', 'archived')
                RETURNING branch_id, id, complaint_id, tier, acknowledged_at, case_department_id,
                          case_collaborating_department_ids, case_responsible_user_id)
            INSERT INTO pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                               acknowledged_at, case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT f.branch_id, f.id, f.complaint_id, f.tier, f.tier, 'department_head', u.id, false, '{}',
                   f.acknowledged_at,
                   f.case_department_id, f.case_collaborating_department_ids, f.case_responsible_user_id
              FROM fired f JOIN departments d ON d.branch_id = f.branch_id AND d.id = f.case_department_id
              JOIN users u ON u.branch_id = f.branch_id AND u.login = 'wq-head-' || d.kind;
            INSERT INTO follow_ups (branch_id, complaint_id, kind, due_at,
                                    case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT c.branch_id, c.id, 'callback', now() - interval '1 day',
                   c.department_id, c.collaborating_department_ids, c.responsible_user_id
              FROM \(complaints) n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id
             WHERE c.status = 'closed' AND abs(hashtext(c.id::text)) % 100 = 0;
            """)
        try await connection.executeScript("""
            ALTER TABLE complaints ENABLE TRIGGER USER;
            ALTER TABLE complaint_plans ENABLE TRIGGER USER;
            ALTER TABLE escalations ENABLE TRIGGER USER;
            ALTER TABLE pages ENABLE TRIGGER USER;
            ALTER TABLE follow_ups ENABLE TRIGGER USER;
            """)
    }
}
