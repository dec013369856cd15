import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// The claims of tiers and alarms, the rerouting before them and the complaint office's joining
/// enter what they write into the audit trail themselves, as `redress_audit_writer`
/// (`sql/0088_the_scheduler_writes_its_own_audit_entries.sql`), and the audit triggers pass over
/// their statements. The same escalation and alarms, run in one transaction four times (so that
/// `now()` is the same), leave the same entries: written by the functions alone (the triggers
/// disabled), as installed, by the statement triggers alone and by the row triggers alone (the
/// functions handed back to the owner, whom the triggers do not pass over).
@Suite("Claims entering their own audit entries")
struct ClaimAuditTests {
    enum Writer: CaseIterable { case functionsAlone, asInstalled, statementTriggers, rowTriggers }

    /// The scheduler's work of one pass in branch a, as `EscalationStore` calls it: tiers (with the
    /// office joining those it pages), then the alarms' rerouting and the alarms.
    static func pass(branch: UUID) -> String {
        let branch = "'\(branch.uuidString.lowercased())'"
        return """
            SET LOCAL ROLE redress_scheduler;
            SET LOCAL redress.request_id = 'claim-audit-test';
            SELECT scheduler.join_complaint_office(f.branch_id, f.complaint_id, f.tier) FROM scheduler.escalate_due(\(branch), 100) f;
            SELECT scheduler.reroute_due(\(branch), 100, 'alarms');
            SELECT count(*) FROM scheduler.raise_alarms(\(branch), 100);
            RESET ROLE;
            """
    }

    /// The functions that run as the writer.
    static let claims = ["scheduler.reroute_due(uuid, integer, text)", "scheduler.escalate_due(uuid, integer)",
                         "scheduler.raise_alarms(uuid, integer)", "scheduler.join_complaint_office(uuid, uuid, integer)"]

    /// The entries one pass leaves, without the generated ids that differ between runs, sorted.
    static func entries(_ connection: PGConnection, branch: UUID, writer: Writer) async throws -> [String] {
        try await connection.executeScript("SAVEPOINT run")
        switch writer {
        case .functionsAlone:
            try await connection.executeScript("""
                DO $$
                DECLARE t record;
                BEGIN
                    FOR t IN SELECT tgrelid::regclass AS audited, tgname FROM pg_trigger
                              WHERE tgfoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'audit'::regnamespace) AND NOT tgisinternal LOOP
                        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', t.audited, t.tgname);
                    END LOOP;
                END
                $$
                """)
        case .asInstalled:
            break
        case .statementTriggers, .rowTriggers:
            let owner: String = try await connection.query("SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = 'scheduler'")[0]
                .decode(at: 0)
            for function in Self.claims {
                try await connection.executeScript("ALTER FUNCTION \(function) OWNER TO \(owner)")
            }
            if writer == .rowTriggers { try await connection.executeScript("SELECT audit.audit_by_row()") }
        }
        let start: Int64 = try await connection.query("SELECT coalesce(max(id), 0) FROM audit_log")[0].decode(at: 0)
        try await connection.executeScript(Self.pass(branch: branch))
        let entries: [String] = try await connection.query("""
            SELECT concat_ws(' ', action, entity, CASE WHEN entity NOT IN ('escalations', 'pages', 'complaint_handovers') THEN entity_id END,
                             branch_id, actor_id, actor_roles, request_id,
                             (SELECT jsonb_object_agg(k, v) FROM jsonb_each(before) AS e (k, v) WHERE k NOT IN ('id', 'escalation_id', 'at')),
                             (SELECT jsonb_object_agg(k, v) FROM jsonb_each(after) AS e (k, v) WHERE k NOT IN ('id', 'escalation_id', 'at')))
              FROM audit_log WHERE id > \(start) ORDER BY 1
            """).map { try $0.decode(at: 0) }
        try await connection.executeScript("ROLLBACK TO SAVEPOINT run")
        return entries
    }

    @Test func theClaimsEnterWhatTheTriggersWouldHave() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // A complaint office whose head tier 2 pages, so that it joins.
            let office: UUID = try await owner.query("""
                INSERT INTO departments (branch_id, name, kind) VALUES (\(org.a.id), 'Complaint Management Office', 'complaint_office') RETURNING id
                """)[0].decode(at: 0)
            let head: UUID = try await owner.query("""
                INSERT INTO users (branch_id, login, name, roles, department_ids) VALUES (\(org.a.id), 'office', 'Office', '{department_head}', \([office]))
                RETURNING id
                """)[0].decode(at: 0)
            try await owner.query("UPDATE departments SET head_user_id = \(head) WHERE branch_id = \(org.a.id) AND id = \(office)")
        }
        let unrouted: Complaint = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 2, age: 49 * 3600)
            let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
            return try await store.intake(org.caller(.agent, in: org.a), ComplaintIntake(
                channel: "phone", complainant: .init(name: "C", phone: "+86 10 7"), receivedAt: Date().addingTimeInterval(-25 * 3600),
                description: "nobody routed this"), idempotencyKey: nil, requestHash: nil).complaint
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // The rules now route billing elsewhere, so the rerouting moves those the rules placed;
            // one nobody routed is routed by its tier.
            try await owner.query("""
                UPDATE routing_rules SET department_id = \(org.a.departments[1]) WHERE branch_id = \(org.a.id) AND category_id = \(fixture.billing)
                """)
            try await owner.query("UPDATE complaints SET category_id = \(fixture.billing) WHERE id = \(unrouted.id)")
        }
        let superuser = try await PGConnection.connect(PGConnectionConfiguration(try fixture.database.superuserURL()))
        defer { superuser.close() }
        try await superuser.executeScript("BEGIN")
        var written: [Writer: [String]] = [:]
        for writer in Writer.allCases {
            written[writer] = try await Self.entries(superuser, branch: org.a.id, writer: writer)
        }
        try await superuser.executeScript("ROLLBACK")

        let alone = try #require(written[.functionsAlone])
        let kinds = Set(alone.map { $0.split(separator: " ").prefix(2).joined(separator: " ") })
        #expect(kinds.isSuperset(of: ["update complaints", "insert complaint_handovers", "insert escalations", "insert complaint_events",
                                      "insert pages"]), "every kind of write is entered: \(kinds.sorted())")
        #expect(alone.contains { $0.contains(#""kind": "office_joined""#) }, "the office's joining is entered")
        #expect(alone.contains { $0.contains(#""kind": "rerouted""#) }, "the rerouting is entered")
        #expect(alone.count > 20, "\(alone.count) entries")
        #expect(alone.allSatisfy { $0.contains("claim-audit-test") }, "each names the request")
        for writer in Writer.allCases where writer != .functionsAlone {
            #expect(written[writer] == alone, "\(writer) leaves the same entries as the functions alone")
        }
    }

    /// Nobody who can log in can act as the writer: neither the service nor the scheduler may take
    /// the role, and its only member is the owner.
    @Test func onlyTheOwnerMayActAsTheWriter() async throws {
        let database = try await TestDatabase.create()
        for scheduler in [false, true] {
            try await database.withPool(scheduler: scheduler, size: 1) { (pool: PGPool) async throws in
                try await pool.withConnection { connection in
                    let refused = await #expect(throws: PGError.self) { try await connection.executeScript("SET ROLE redress_audit_writer") }
                    #expect(refused?.sqlState?.rawValue == "42501", "\(scheduler ? "the scheduler" : "the service") may not take the role")
                }
            }
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT r.rolcanlogin, r.rolbypassrls,
                       ARRAY(SELECT m.rolname::text FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member WHERE a.roleid = r.oid),
                       pg_get_userbyid((SELECT nspowner FROM pg_namespace WHERE nspname = 'scheduler'))::text
                  FROM pg_roles r WHERE r.rolname = 'redress_audit_writer'
                """)[0]
            #expect(try row.decode(Bool.self, at: 0) == false && row.decode(Bool.self, at: 1) == false)
            #expect(try row.decode([String].self, at: 2) == [row.decode(String.self, at: 3)], "the owner is its only member")
        }
    }
}
