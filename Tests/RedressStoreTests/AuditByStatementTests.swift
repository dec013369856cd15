import Foundation
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// The audit trail written a statement at a time (`sql/0070_audit_by_statement.sql`) holds exactly
/// the entries the row trigger wrote: the same workload, run once with each kind of trigger, leaves
/// the same entries in the same order — inserts and deletes of several rows at once, updates where
/// some rows change and some do not, hidden fields named "changed", statements that change nothing.
@Suite("Audit by statement")
struct AuditByStatementTests {
    /// 24 entries: 3 departments, 2 renamed (the third unchanged, then nothing changed twice), 2
    /// users, a password reset, 2 renamed, 2 complaints, both graded, one rerouted, one fed back
    /// (queueing its satisfaction follow-up, written by a row trigger of the update), a timeline
    /// entry whose before and after hold hidden fields (one marked "changed"), 2 customer bases,
    /// both moved to other months (their key changed), a complaint deleted, a department deleted.
    static let workload = """
        INSERT INTO departments (branch_id, id, name, kind) VALUES
            (:branch, 'a0000000-0000-4000-8000-000000000001', 'First', 'billing'),
            (:branch, 'a0000000-0000-4000-8000-000000000002', 'Second', 'legal'),
            (:branch, 'a0000000-0000-4000-8000-000000000003', 'Third', 'other');
        UPDATE departments SET name = CASE name WHEN 'Third' THEN name ELSE name || ' (renamed)' END
         WHERE id::text LIKE 'a0000000-%';
        UPDATE departments SET name = name WHERE id::text LIKE 'a0000000-%';
        UPDATE departments SET name = 'nobody' WHERE false;
        INSERT INTO users (branch_id, id, login, name, roles, department_ids, email, password_hash) VALUES
            (:branch, 'b0000000-0000-4000-8000-000000000001', 'first-user', 'First', '{handler}', '{a0000000-0000-4000-8000-000000000001}',
             'first@example.com', '$2b$04$abcdefghijklmnopqrstuuL3J8gVhQ1nq5J1cBxwXzRgYQPHi5b2W'),
            (:branch, 'b0000000-0000-4000-8000-000000000002', 'second-user', 'Second', '{agent}', '{}', 'second@example.com', NULL);
        UPDATE users SET password_hash = '$2b$04$bbcdefghijklmnopqrstuuL3J8gVhQ1nq5J1cBxwXzRgYQPHi5b2W'
         WHERE id = 'b0000000-0000-4000-8000-000000000001';
        UPDATE users SET name = name || '!', phone = '13800000000' WHERE id::text LIKE 'b0000000-%';
        INSERT INTO complaints (branch_id, id, case_number, channel, description, department_id) VALUES
            (:branch, 'c0000000-0000-4000-8000-000000000001', 'S-1', 'phone', 'first', 'a0000000-0000-4000-8000-000000000001'),
            (:branch, 'c0000000-0000-4000-8000-000000000002', 'S-2', 'web', 'second', NULL);
        UPDATE complaints SET nature = 'major', level = 2 WHERE id::text LIKE 'c0000000-%';
        UPDATE complaints SET department_id = 'a0000000-0000-4000-8000-000000000002' WHERE id = 'c0000000-0000-4000-8000-000000000002';
        UPDATE complaints SET status = 'result_fed_back' WHERE id = 'c0000000-0000-4000-8000-000000000002';
        INSERT INTO complaint_events (branch_id, complaint_id, kind, before, after, note) VALUES
            (:branch, 'c0000000-0000-4000-8000-000000000002', 'feed_back_result', '{"status": "implementing", "resolution": "Refund"}',
             '{"status": "result_fed_back", "resolution": "changed", "description": "kept out"}', 'internal');
        INSERT INTO customer_bases (branch_id, month, customers, recorded_by) VALUES
            (:branch, '2026-01-01', 100, 'b0000000-0000-4000-8000-000000000002'),
            (:branch, '2026-02-01', 200, 'b0000000-0000-4000-8000-000000000002');
        UPDATE customer_bases SET month = month + interval '2 months', customers = customers + 1 WHERE branch_id = :branch;
        DELETE FROM complaints WHERE id = 'c0000000-0000-4000-8000-000000000001';
        DELETE FROM departments WHERE id = 'a0000000-0000-4000-8000-000000000003';
        DELETE FROM departments WHERE false;
        """

    /// Who writes the entries: the statement triggers, the row trigger, or the row trigger as 0035
    /// wrote it (through `audit.record_row_change`, the reference both are held to).
    enum Writer { case statement, row, rowAsBefore }

    /// The row trigger's function as 0035 left it, for the length of one transaction.
    static let recordChangeAsBefore = """
        CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = pg_catalog, public, pg_temp
            AS $$
        DECLARE
            copied text[] := ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key',
                                   'visibility_key', 'is_bot', 'user_is_bot', 'holds_hq_grants', 'user_holds_hq_grants'];
        BEGIN
            PERFORM audit.record_row_change(TG_ARGV[0], TG_OP,
                                            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - copied END,
                                            CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - copied END);
            RETURN NULL;
        END
        $$;
        """

    /// The entries the workload leaves, without the times, the follow-up's and timeline entry's
    /// generated ids and the timeline entry's transaction, that differ between runs.
    static func entries(_ connection: PGConnection, branch: UUID, writer: Writer) async throws -> [String] {
        let rowTriggers = writer != .statement
        try await connection.executeScript("BEGIN")
        if rowTriggers { try await connection.execute("SELECT audit.audit_by_row()") }
        if writer == .rowAsBefore { try await connection.executeScript(Self.recordChangeAsBefore) }
        // An actor, as a scoped request has one: each entry names it.
        try await connection.executeScript("""
            SET LOCAL redress.user_id = 'b0000000-0000-4000-8000-000000000009'; SET LOCAL redress.roles = '{admin}';
            SET LOCAL redress.request_id = 'audit-test'
            """)
        let triggers: Int = try await connection.query("""
            SELECT count(*)::integer FROM pg_trigger t WHERE t.tgfoid = 'audit.record_change()'::regprocedure AND NOT t.tgisinternal
            """)[0].decode(at: 0)
        #expect((triggers > 30) == rowTriggers, "the row triggers are \(rowTriggers ? "on" : "off") (\(triggers))")
        let start: Int64 = try await connection.query("SELECT coalesce(max(id), 0) FROM audit_log")[0].decode(at: 0)
        try await connection.executeScript(Self.workload.replacingOccurrences(of: ":branch", with: "'\(branch.uuidString.lowercased())'"))
        let entries: [String] = try await connection.query("""
            SELECT concat_ws(' ', action, entity, CASE WHEN entity <> 'follow_ups' THEN entity_id END, branch_id, actor_id, actor_roles, request_id,
                             (SELECT jsonb_object_agg(k, v) FROM jsonb_each(before) AS e (k, v)
                               WHERE k NOT LIKE '%\\_at' AND k <> 'at' AND NOT (entity IN ('follow_ups', 'complaint_events') AND k IN ('id', 'xid'))),
                             (SELECT jsonb_object_agg(k, v) FROM jsonb_each(after) AS e (k, v)
                               WHERE k NOT LIKE '%\\_at' AND k <> 'at' AND NOT (entity IN ('follow_ups', 'complaint_events') AND k IN ('id', 'xid'))))
              FROM audit_log WHERE id > \(start) ORDER BY id
            """).map { try $0.decode(at: 0) }
        try await connection.executeScript("ROLLBACK")
        return entries
    }

    @Test func theStatementTriggersWriteWhatTheRowTriggerWrote() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                let byRow = try await Self.entries(connection, branch: org.a.id, writer: .row)
                let byStatement = try await Self.entries(connection, branch: org.a.id, writer: .statement)
                let asBefore = try await Self.entries(connection, branch: org.a.id, writer: .rowAsBefore)
                #expect(byRow.count == 24, "\(byRow.joined(separator: "\n"))")
                #expect(byRow == asBefore, "the row trigger writes what it wrote through audit.record_row_change")
                #expect(byRow.allSatisfy { $0.contains("b0000000-0000-4000-8000-000000000009 {admin} audit-test") }, "each names its actor")
                // The same entries; each table's in the same order. The follow-up a row trigger of
                // the update queued comes before the update's own entry, written as it ends.
                #expect(byStatement.sorted() == byRow.sorted())
                for entity in Set(byRow.map { $0.split(separator: " ")[1] }) {
                    #expect(byStatement.filter { $0.split(separator: " ")[1] == entity } == byRow.filter { $0.split(separator: " ")[1] == entity },
                            "\(entity) in the same order")
                }
                let fedBack = try #require(byRow.firstIndex { $0.contains(#""status": "result_fed_back""#) })
                #expect(byRow[fedBack + 1].hasPrefix("insert follow_ups") && byStatement[fedBack].hasPrefix("insert follow_ups")
                        && byStatement[fedBack + 1] == byRow[fedBack], "the follow-up and the update that queued it, in either order")
                #expect(byRow.contains { $0.contains(#""month": "2026-01-01""#) && $0.contains(#""month": "2026-03-01""#) },
                        "a row whose key changed is one entry, before and after")
                #expect(byRow.contains { $0.hasPrefix("update users") && $0.contains(#""password_hash": "changed""#) },
                        "a hidden field is named, not copied")
                #expect(!byRow.joined().contains("$2b$04$"), "no password hash in the trail")
                let timeline = try #require(byStatement.first { $0.hasPrefix("insert complaint_events") })
                #expect(timeline.contains(#""resolution": "changed""#) && !timeline.contains("Refund") && !timeline.contains("kept out")
                        && !timeline.contains("internal"), "a timeline entry's hidden fields are left out, the mark kept: \(timeline)")
            }
        }
    }

    /// A statement trigger without its table's name refuses to run rather than name a shard.
    @Test func aStatementTriggerWithoutItsTablesNameIsRefused() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    BEGIN;
                    CREATE OR REPLACE TRIGGER audited_updates AFTER UPDATE ON public.categories REFERENCING OLD TABLE AS old_rows
                        NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.record_updated();
                    """)
                let refused = await #expect(throws: PGError.self) {
                    try await connection.query("UPDATE categories SET name = name || '!' WHERE branch_id = \(org.a.id)")
                }
                #expect(refused?.message.contains("needs the name of its table") == true)
                try await connection.executeScript("ROLLBACK")
            }
        }
    }

    /// Each field of an entry is kept or left out by one expression that PostgreSQL inlines into the
    /// trigger's statement: a call of a SQL function per field cost more than the rest of the entry.
    @Test func theRuleForEachFieldIsInlined() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let plan = try await pool.query("""
                EXPLAIN (VERBOSE) SELECT audit.kept(f.key, f.value, ARRAY['a'], ARRAY['b']) FROM jsonb_each('{"a": 1}'::jsonb) f
                """).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            #expect(!plan.contains("audit.kept(") && plan.contains("CASE WHEN"), "\(plan)")
        }
    }

    /// The lists of hidden and copied fields are inlined too (`sql/0086_…`): a pinned search path
    /// would make each a call per audited row that sets and restores the path.
    @Test func theListsOfHiddenAndCopiedFieldsAreInlined() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let plan = try await pool.query("""
                EXPLAIN (VERBOSE) SELECT audit.hidden_columns(f.key), audit.hidden_columns() || audit.copied_columns() || ARRAY[f.key]
                  FROM jsonb_each('{"complaint_findings": 1}'::jsonb) f
                """).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            #expect(!plan.contains("audit.hidden_columns(") && !plan.contains("audit.copied_columns("), "\(plan)")
            #expect(plan.contains("complaint_findings") && plan.contains("password_hash") && plan.contains("visibility_key"), "\(plan)")
        }
    }
}
