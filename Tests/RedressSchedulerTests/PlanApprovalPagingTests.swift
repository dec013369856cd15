import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// A handling plan that waits for approval pages its approver at once, and one level up when the
/// policy's approval time runs out, each once; an approved plan's own deadline pages the head.
@Suite("Plans paging their approvers")
struct PlanApprovalPagingTests {
    /// Branch a's complaint, assigned to the first department's handler and investigated, with a
    /// plan the handler proposed; graded `level` first when given.
    static func proposed(_ fixture: EscalationSchedulerTests.Fixture, _ store: ComplaintStore, pool: PGPool, level: Int? = nil,
                         dueAt: Date? = nil) async throws -> Complaint {
        let org = fixture.org
        let head = org.caller(.departmentHead, in: org.a)
        let handler = org.caller(.handler, in: org.a)
        let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 60).first)
        if let level {
            _ = try await store.perform(org.caller(.agent, in: org.a), id: complaint.id, ComplaintStep(.grade, level: level))
        }
        _ = try await store.perform(head, id: complaint.id, ComplaintStep(.assign, departmentID: org.a.departments[0],
                                                                          responsibleUserID: handler.userID))
        _ = try await store.perform(handler, id: complaint.id, ComplaintStep(.startInvestigation))
        return try await store.perform(handler, id: complaint.id, ComplaintStep(.proposePlan, plan: NewPlan(
            measures: ["apology"], description: "Refund the double charge and apologise.", dueAt: dueAt)))
    }

    /// Moves the complaint's plan `hours` into the past, as if it had waited that long, and marks
    /// the complaint for the scheduler to recompute (its role reads the plan to do so).
    static func age(_ fixture: EscalationSchedulerTests.Fixture, _ complaint: Complaint, hours: Double) async throws {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                UPDATE complaint_plans SET proposed_at = proposed_at - make_interval(secs => \(hours * 3600)),
                                           head_approved_at = head_approved_at - make_interval(secs => \(hours * 3600))
                 WHERE complaint_id = \(complaint.id)
                """)
            try await owner.query("UPDATE complaints SET sla_stale = true WHERE id = \(complaint.id)")
        }
    }

    static func kinds(_ raised: [EscalationStore.RaisedAlarm], of complaint: Complaint) -> [String] {
        raised.filter { $0.complaintID == complaint.id && $0.kind.hasPrefix("plan_") }.map { "\($0.kind) \($0.pages)" }.sorted()
    }

    @Test func theHeadIsPagedAtOnceAndTheBranchManagerWhenTheApprovalIsOverdueOnce() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let complaint = try await Self.proposed(fixture, store, pool: pool)
            let pages = PageStore(database: ScopedDatabase(pool: pool))
            try await fixture.database.withPool(scheduler: true, size: 6) { (jobs: PGPool) async throws in
                func scheduler() -> EscalationScheduler {
                    EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                }
                #expect(Self.kinds(try await scheduler().raiseAlarms(), of: complaint) == ["plan_approval 1"], "the head, at once")
                let headPages = try await pages.myPages(org.caller(.departmentHead, in: org.a), all: false).items
                    .filter { $0.summary["reason"] != .string("department_routed") }
                #expect(headPages.count == 1 && headPages.first?.summary["reason"] == .string("plan_approval"))
                #expect(headPages.first?.summary["planId"] != nil && headPages.first?.tier == 0)

                // A day later nobody has approved: the scheduler (which recomputes the complaint,
                // reading its plan) pages the branch manager, once across three schedulers.
                try await Self.age(fixture, complaint, hours: 25)
                _ = try await scheduler().recomputeStale()
                let raised = try await withThrowingTaskGroup(of: [EscalationStore.RaisedAlarm].self) { group in
                    for _ in 0..<3 { group.addTask { try await scheduler().raiseAlarms() } }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(Self.kinds(raised, of: complaint) == ["plan_approval_overdue 1"])
                #expect(try await scheduler().raiseAlarms().filter { $0.kind.hasPrefix("plan_") }.isEmpty, "once")
            }
            let managerPages = try await pages.myPages(org.caller(.branchManager, in: org.a), all: false).items
            #expect(managerPages.map { $0.summary["reason"] } == [.string("plan_approval_overdue")])
            let timeline = try await store.timeline(org.caller(.departmentHead, in: org.a).scope, id: complaint.id).map(\.kind)
            #expect(timeline.filter { $0.hasPrefix("plan_approval") } == ["plan_approval", "plan_approval_overdue"])

            // Approved: nothing is left to raise about the approval.
            let approved = try await store.perform(org.caller(.departmentHead, in: org.a), id: complaint.id, ComplaintStep(.approvePlan))
            #expect(approved.status == .planApproved)
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let next: Date? = try await owner.query("SELECT next_alarm_at FROM complaints WHERE id = \(complaint.id)")[0].decode(at: 0)
                #expect(next == nil || next! > Date().addingTimeInterval(3600), "no approval alarm left")
            }
        }
    }

    @Test func aLevelOnePlanPagesTheLeadershipAndThenTheExecutivesAndAnApprovedPlanItsDeadline() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let major = try await Self.proposed(fixture, store, pool: pool, level: 1, dueAt: Date().addingTimeInterval(2 * 3600))
            let head = org.caller(.departmentHead, in: org.a)
            try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                #expect(Self.kinds(try await scheduler.raiseAlarms(), of: major) == ["plan_approval 1"])
                let headApproved = try await store.perform(head, id: major.id, ComplaintStep(.approvePlan))
                #expect(headApproved.status == .planHeadApproved, "a level-1 complaint's plan needs the leadership too")
                #expect(Self.kinds(try await scheduler.raiseAlarms(), of: major) == ["plan_leadership_approval 1"], "the branch manager")
                try await Self.age(fixture, major, hours: 25)
                _ = try await scheduler.recomputeStale()
                #expect(Self.kinds(try await scheduler.raiseAlarms(), of: major) == ["plan_leadership_approval_overdue 1"], "the executive")

                // Approved and carried out: its own deadline, moved into the past, pages the head once.
                _ = try await store.perform(org.caller(.branchManager, in: org.a), id: major.id, ComplaintStep(.approvePlan))
                _ = try await store.perform(org.caller(.handler, in: org.a), id: major.id, ComplaintStep(.startImplementation))
                try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.query("UPDATE complaint_plans SET due_at = now() - interval '1 minute' WHERE complaint_id = \(major.id)")
                    try await owner.query("UPDATE complaints SET sla_stale = true WHERE id = \(major.id)")
                }
                _ = try await scheduler.recomputeStale()
                #expect(Self.kinds(try await scheduler.raiseAlarms(), of: major) == ["plan_overdue 1"])
                #expect(try await scheduler.raiseAlarms().filter { $0.complaintID == major.id }.isEmpty)
            }
            let executivePages = try await PageStore(database: ScopedDatabase(pool: pool))
                .myPages(org.caller(.executive, in: org.a), all: true).items
            #expect(executivePages.map { $0.summary["reason"] } == [.string("plan_leadership_approval_overdue")])
            let escalations = try await PageStore(database: ScopedDatabase(pool: pool))
                .escalations(org.caller(.branchManager, in: org.a), unacknowledged: false, departmentsOnly: false).items
            #expect(Set(escalations.filter { $0.complaintId == major.id }.map(\.kind))
                    == ["department_routed", "plan_approval", "plan_leadership_approval", "plan_leadership_approval_overdue", "plan_overdue"])
            #expect(escalations.filter { $0.complaintId == major.id && $0.kind.hasPrefix("plan_") }.allSatisfy { $0.planId != nil })
        }
    }
}
