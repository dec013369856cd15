import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// A department set inactive stops taking complaints: the routing rules pass it over at intake,
/// and a complaint parked in it is routed again, with a hand-over record, when its next tier
/// falls due, so that the tier pages the head of a department that works.
@Suite("Complaints parked in an inactive department")
struct ParkedComplaintTests {
    @Test func theTierReroutesAParkedComplaintOnceAndIntakePassesTheDepartmentOver() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        let (first, second) = (org.a.departments[0], org.a.departments[1])
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // Billing goes to the first department, else to the second, whose head is `other`.
            try await owner.query("""
                INSERT INTO routing_rules (branch_id, category_id, department_id, position) VALUES (\(org.a.id), \(fixture.billing), \(second), 200)
                """)
            try await owner.query("UPDATE departments SET head_user_id = \(org.a.otherDepartmentUser) WHERE id = \(second)")
        }
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let parked = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
            #expect(parked.departmentId == first)
            let admin = org.caller(.admin, in: org.a)
            let departments = DepartmentStore(database: ScopedDatabase(pool: pool))
            let closed = try await departments.update(admin.scope, id: first, name: .unchanged, kind: .unchanged, headUserID: .unchanged,
                                                      active: .set(false))
            #expect(!closed.active)
            let later = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 60).first)
            #expect(later.departmentId == second, "the rules pass the inactive department over")
            do {
                _ = try await store.perform(org.caller(.branchManager, in: org.a), id: later.id, ComplaintStep(.assign, departmentID: first))
                Issue.record("a complaint was assigned to an inactive department")
            } catch StoreError.invalidValue(let field, _) {
                #expect(field == "/departmentId")
            }

            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                let fired = try await scheduler.drain()
                #expect(fired.filter { $0.complaintID == parked.id }.map(\.tier) == [1])
                #expect(try await scheduler.drain().isEmpty)
            }
            let manager = org.caller(.branchManager, in: org.a)
            let moved = try await store.get(manager.scope, id: parked.id)
            #expect(moved.departmentId == second && moved.responsibleUserId == nil)
            let rerouted = try await store.timeline(manager.scope, id: parked.id).filter { $0.kind == "rerouted" }
            #expect(rerouted.count == 1 && rerouted.first?.after?["departmentId"] == .some(second.uuidString.lowercased()))
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("""
                    SELECT (SELECT count(*) FROM complaint_handovers WHERE complaint_id = \(parked.id) AND from_department_id = \(first)
                                                                         AND to_department_id = \(second)),
                           (SELECT department_id FROM escalations WHERE complaint_id = \(parked.id) AND tier = 1 AND alarm_key IS NULL),
                           (SELECT array_agg(recipient_user_id) FROM pages p JOIN escalations e ON e.id = p.escalation_id
                             WHERE e.complaint_id = \(parked.id) AND e.alarm_key IS NULL AND p.recipient_kind = 'department_head')
                    """)[0]
                #expect(try row.decode(Int.self, at: 0) == 1, "one hand-over record")
                #expect(try row.decode(UUID?.self, at: 1) == second, "the tier fired for the new department")
                #expect(try row.decode([UUID]?.self, at: 2) == [org.a.otherDepartmentUser], "and paged its head")
            }
            // The second department's head now sees it; the first's does not.
            let otherHead = Caller(userID: org.a.otherDepartmentUser, branchID: org.a.id, branchCode: org.a.code, login: "other",
                                   name: "other", roles: [.handler], departmentIDs: [second], credential: .session(UUID()))
            #expect(try await store.get(otherHead.scope, id: parked.id).id == parked.id)
            await #expect(throws: StoreError.notFound) { _ = try await store.get(org.caller(.departmentHead, in: org.a).scope, id: parked.id) }
        }
    }
}
