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
    /// 17 entries: 3 departments, 2 renamed (the third unchanged, then nothing changed twice), 2
    /// users, a password reset, 2 renamed, 2 complaints, both graded, one rerouted, one deleted, and
    /// a department deleted.
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
        DELETE FROM complaints WHERE id = 'c0000000-0000-4000-8000-000000000001';
        DELETE FROM departments WHERE id = 'a0000000-0000-4000-8000-000000000003';
        DELETE FROM departments WHERE false;
        """

    /// The entries the workload leaves, without the times and identities that differ between runs.
    static func entries(_ connection: PGConnection, branch: UUID, rowTriggers: Bool) async throws -> [String] {
        try await connection.executeScript("BEGIN")
        if rowTriggers { try await connection.execute("SELECT audit.audit_by_row()") }
        let triggers: Int = try await connection.query("""
            SELECT count(*)::integer FROM pg_trigger t WHERE t.tgfoid = 'audit.record_change()'::regprocedure AND NOT t.tgisinternal
            """)[0].decode(at: 0)
        #expect((triggers > 30) == rowTriggers, "the row triggers are \(rowTriggers ? "on" : "off") (\(triggers))")
        let start: Int64 = try await connection.query("SELECT coalesce(max(id), 0) FROM audit_log")[0].decode(at: 0)
        try await connection.executeScript(Self.workload.replacingOccurrences(of: ":branch", with: "'\(branch.uuidString.lowercased())'"))
        let entries: [String] = try await connection.query("""
            SELECT concat_ws(' ', action, entity, entity_id,
                             (SELECT jsonb_object_agg(k, v) FROM jsonb_each(before) AS e (k, v) WHERE k NOT LIKE '%\\_at'),
                             (SELECT jsonb_object_agg(k, v) FROM jsonb_each(after) AS e (k, v) WHERE k NOT LIKE '%\\_at'))
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
                let byRow = try await Self.entries(connection, branch: org.a.id, rowTriggers: true)
                let byStatement = try await Self.entries(connection, branch: org.a.id, rowTriggers: false)
                #expect(byRow.count == 17, "\(byRow.joined(separator: "\n"))")
                #expect(byStatement == byRow)
                #expect(byRow.contains { $0.hasPrefix("update users") && $0.contains(#""password_hash": "changed""#) },
                        "a hidden field is named, not copied")
                #expect(!byRow.joined().contains("$2b$04$"), "no password hash in the trail")
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
}
