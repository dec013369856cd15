import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// On escalation a complaint is routed by the routing rules: one the rules placed is moved when
/// they now choose another department (never one a person placed or took on); one nobody routed
/// is routed by its first tier, or by a milestone's breach falling due before it, matching the
/// rules' channel as intake does; and the breach of one no rule routes pages the complaint
/// office's head, whose office joins it.
@Suite("Routing again on escalation")
struct ReroutingTests {
    static func drain(_ fixture: EscalationSchedulerTests.Fixture) async throws -> [EscalationStore.Fired] {
        try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
            try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).drain()
        }
    }

    static func raiseAlarms(_ fixture: EscalationSchedulerTests.Fixture) async throws -> [EscalationStore.RaisedAlarm] {
        try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
            try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).raiseAlarms()
        }
    }

    /// The complaint's department, its `rerouted` entries' reasons, its hand-overs to `to` and
    /// who was paged as the head, per escalation kind (`tier 1`, `acknowledge 1`).
    static func state(_ fixture: EscalationSchedulerTests.Fixture, _ complaint: UUID, to: UUID?)
        async throws -> (department: UUID?, reasons: [String], handovers: Int, heads: [String: [UUID]]) {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT c.department_id,
                       ARRAY(SELECT e.after ->> 'reason' FROM complaint_events e
                              WHERE e.complaint_id = c.id AND e.kind = 'rerouted' ORDER BY e.at),
                       (SELECT count(*) FROM complaint_handovers h WHERE h.complaint_id = c.id AND h.to_department_id = \(to)
                                                                     AND h.by_user_id IS NULL)
                  FROM complaints c WHERE c.id = \(complaint)
                """)[0]
            let pages = try await owner.query("""
                SELECT coalesce(e.milestone, 'tier') || ' ' || e.tier, p.recipient_user_id
                  FROM escalations e JOIN pages p ON p.branch_id = e.branch_id AND p.escalation_id = e.id
                 WHERE e.complaint_id = \(complaint) AND p.recipient_kind = 'department_head'
                """)
            var heads: [String: [UUID]] = [:]
            for page in pages { heads[try page.decode(String.self, at: 0), default: []].append(try page.decode(UUID.self, at: 1)) }
            return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2), heads)
        }
    }

    @Test func aRuleRoutedComplaintFollowsChangedRulesButAPersonsChoiceStays() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        let (first, second) = (org.a.departments[0], org.a.departments[1])
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let manager = org.caller(.branchManager, in: org.a)
            // Three billing complaints routed to the first department, a day old: one left as the
            // rules placed it, one a manager assigned to that department (the same one), one taken
            // on by a handler.
            let complaints = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 3, age: 25 * 3600)
            #expect(complaints.allSatisfy { $0.departmentId == first })
            _ = try await store.perform(manager, id: complaints[1].id, ComplaintStep(.assign, departmentID: first))
            _ = try await store.perform(manager, id: complaints[2].id, ComplaintStep(.assign, responsibleUserID: org.a.users[.handler]!))
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    UPDATE routing_rules SET department_id = \(second) WHERE branch_id = \(org.a.id) AND category_id = \(fixture.billing)
                    """)
                try await owner.query("UPDATE departments SET head_user_id = \(org.a.otherDepartmentUser) WHERE id = \(second)")
            }
            // While another transaction holds the first complaint's case it can be moved by nobody,
            // so its tier waits rather than page the department it is leaving.
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.withConnection { connection in
                    try await connection.query("SELECT pg_advisory_lock(case_lock_key(\(complaints[0].id)))")
                    #expect(Set(try await Self.drain(fixture).map(\.complaintID)) == Set(complaints.dropFirst().map(\.id)))
                    try await connection.query("SELECT pg_advisory_unlock(case_lock_key(\(complaints[0].id)))")
                }
            }
            #expect(try await Self.drain(fixture).map(\.complaintID) == [complaints[0].id], "then it is moved and fires")
            #expect(try await Self.drain(fixture).isEmpty)

            let moved = try await Self.state(fixture, complaints[0].id, to: second)
            #expect(moved.department == second && moved.reasons == ["routing_rule"] && moved.handovers == 1)
            #expect(moved.heads["tier 1"] == [org.a.otherDepartmentUser], "the tier pages the new department's head")
            for kept in complaints.dropFirst() {
                let state = try await Self.state(fixture, kept.id, to: second)
                #expect(state.department == first && state.reasons.isEmpty && state.handovers == 0)
                #expect(state.heads["tier 1"] == [org.a.users[.departmentHead]!])
            }
        }
    }

    /// A complaint closed after the rerouting chose it, before it locked it, stays where it was:
    /// the rerouting moves only what is still open, due and not stale once locked. A gate on the
    /// rules' rows (a restrictive policy waiting on an advisory lock) holds the choosing statement
    /// while a person closes the complaint.
    @Test func aComplaintClosedWhileTheReroutingChoseItIsNotMoved() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        let (first, second) = (org.a.departments[0], org.a.departments[1])
        let gate: Int64 = 0x5245_524F  // the key `rerouting_gate()` waits on
        let complaint = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
        }
        #expect(complaint.departmentId == first)
        try await fixture.database.withPool(owner: true, size: 2) { (owner: PGPool) async throws in
            try await owner.query("UPDATE routing_rules SET department_id = \(second) WHERE branch_id = \(org.a.id) AND category_id = \(fixture.billing)")
            try await owner.query("""
                CREATE FUNCTION public.rerouting_gate() RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock_shared(\(unescaped: String(gate)));
                    RETURN true;
                END
                $$
                """)
            try await owner.query("GRANT EXECUTE ON FUNCTION public.rerouting_gate() TO redress_audit_writer")
            try await owner.query("""
                CREATE POLICY rerouting_gate ON routing_rules AS RESTRICTIVE FOR SELECT TO redress_audit_writer
                    USING (public.rerouting_gate())
                """)
            // The operator's view of who waits on the gate, with the statement that waits.
            let watcher = try await PGConnection.connect(PGConnectionConfiguration(try fixture.database.superuserURL()))
            defer { watcher.close() }
            try await owner.withConnection { held in
                try await held.query("SELECT pg_advisory_lock(\(gate))")
                async let fired = Self.drain(fixture)
                var waiting = false
                for _ in 0..<600 where !waiting {
                    let rows = try await watcher.query("""
                        SELECT a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                         WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid::bigint = \(gate) AND NOT l.granted
                        """)
                    if let query = rows.first {
                        let statement = try query.decode(String.self, at: 0)
                        #expect(statement.contains("escalate_due"), "held while choosing the tier's rerouting, not in \(statement)")
                        waiting = true
                    } else {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                #expect(waiting, "the rerouting reads the rules")
                try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
                    let store = ComplaintStore(database: ScopedDatabase(pool: pool))
                    _ = try await store.perform(org.caller(.agent, in: org.a), id: complaint.id,
                                                ComplaintStep(.markInvalid, resolution: "a sales enquiry, not a complaint"))
                }
                try await held.query("SELECT pg_advisory_unlock(\(gate))")
                #expect(try await fired.isEmpty, "a closed complaint escalates no more")
            }
        }
        let state = try await Self.state(fixture, complaint.id, to: second)
        #expect(state.department == first && state.reasons.isEmpty && state.handovers == 0)
    }

    @Test func anUnroutedComplaintIsRoutedByTheMatchingRuleWhenItsBreachFalls() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        let (first, second) = (org.a.departments[0], org.a.departments[1])
        let complaint: Complaint = try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            try await MilestoneAlarmTests.shortPolicy(fixture, pool: pool)
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("DELETE FROM routing_rules WHERE branch_id = \(org.a.id)")
            }
            return try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 1.5 * 3600).first)
        }
        #expect(complaint.departmentId == nil)
        // Rules come later: web billing to the first department (tried first), phone billing to the second.
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                INSERT INTO routing_rules (branch_id, category_id, channel, department_id, position)
                VALUES (\(org.a.id), \(fixture.billing), 'web', \(first), 1), (\(org.a.id), \(fixture.billing), 'phone', \(second), 2)
                """)
            try await owner.query("UPDATE departments SET head_user_id = \(org.a.otherDepartmentUser) WHERE id = \(second)")
        }
        // The acknowledgement's breach (its warnings raised beside it go to the head as well).
        let raised = try await Self.raiseAlarms(fixture)
        #expect(raised.filter { $0.kind == "milestone_breach" }.map { "\($0.milestone?.rawValue ?? "") \($0.tier)" } == ["acknowledge 1"])
        let state = try await Self.state(fixture, complaint.id, to: second)
        #expect(state.department == second && state.reasons == ["unrouted"] && state.handovers == 1)
        #expect(state.heads["acknowledge 1"] == [org.a.otherDepartmentUser])
        #expect(try await Self.raiseAlarms(fixture).isEmpty)
    }

    /// The first tier of a complaint nobody routed routes it the same way: by the rule whose
    /// channel matches, not the first rule of its category.
    @Test func aTierRoutesByTheRuleWhoseConditionsHold() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        let (first, second) = (org.a.departments[0], org.a.departments[1])
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("DELETE FROM routing_rules WHERE branch_id = \(org.a.id)")
        }
        let complaint = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
        }
        #expect(complaint.departmentId == nil)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                INSERT INTO routing_rules (branch_id, category_id, channel, department_id, position)
                VALUES (\(org.a.id), \(fixture.billing), 'web', \(first), 1), (\(org.a.id), \(fixture.billing), 'phone', \(second), 2)
                """)
            try await owner.query("UPDATE departments SET head_user_id = \(org.a.otherDepartmentUser) WHERE id = \(second)")
        }
        #expect(try await Self.drain(fixture).map(\.tier) == [1])
        let state = try await Self.state(fixture, complaint.id, to: second)
        #expect(state.department == second && state.heads["tier 1"] == [org.a.otherDepartmentUser])
    }

    @Test func theBreachOfAComplaintNoRuleRoutesPagesTheComplaintOffice() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        let office: UUID = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("DELETE FROM routing_rules WHERE branch_id = \(org.a.id)")
            return try await owner.query("""
                INSERT INTO departments (branch_id, name, kind, head_user_id)
                VALUES (\(org.a.id), 'Complaint office', 'complaint_office', \(org.a.otherDepartmentUser)) RETURNING id
                """)[0].decode(at: 0)
        }
        let complaint: Complaint = try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            try await MilestoneAlarmTests.shortPolicy(fixture, pool: pool)
            return try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 1.5 * 3600).first)
        }
        #expect(complaint.departmentId == nil)
        let raised = try await Self.raiseAlarms(fixture)
        #expect(raised.filter { $0.kind == "milestone_breach" }.map { "\($0.milestone?.rawValue ?? "") \($0.tier)" } == ["acknowledge 1"])
        let state = try await Self.state(fixture, complaint.id, to: nil)
        #expect(state.department == nil && state.reasons.isEmpty)
        #expect(state.heads["acknowledge 1"] == [org.a.otherDepartmentUser], "the office's head in place of a department's")
        // The office joined, so its head (a handler of the office) can open the complaint.
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let officeHead = Caller(userID: org.a.otherDepartmentUser, branchID: org.a.id, branchCode: org.a.code, login: "other",
                                    name: "other", roles: [.handler], departmentIDs: [office], credential: .session(UUID()))
            let seen = try await ComplaintStore(database: ScopedDatabase(pool: pool)).get(officeHead.scope, id: complaint.id)
            #expect(seen.collaboratingDepartmentIds == [office])
        }
    }
}
