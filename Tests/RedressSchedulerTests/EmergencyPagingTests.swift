import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// An urgent complaint, or one flagged as a safety matter, is paged at intake: the scheduler fires
/// its first tier at once, exactly once; an ordinary complaint waits for its ladder.
@Suite("Emergencies paged at intake")
struct EmergencyPagingTests {
    @Test func anUrgentOrSafetyComplaintIsPagedAtIntakeAndAnOrdinaryOneIsNot() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
                let agent = org.caller(.agent, in: org.a)
                func intake(priority: String, safety: Bool) async throws -> Complaint {
                    try await store.intake(agent, ComplaintIntake(
                        channel: "phone", complainant: .init(name: "C", phone: "+86 10 \(priority) \(safety)"), description: "gas smell",
                        categoryID: fixture.billing, priority: priority, safety: safety), idempotencyKey: nil, requestHash: nil).complaint
                }
                let urgent = try await intake(priority: "urgent", safety: false)
                let safety = try await intake(priority: "general", safety: true)
                let ordinary = try await intake(priority: "general", safety: false)
                #expect(safety.safety && !ordinary.safety)
                #expect(urgent.nextEscalationTier == 1 && urgent.nextEscalationAt == urgent.receivedAt)
                let wait = try #require(ordinary.nextEscalationAt).timeIntervalSince(ordinary.receivedAt)
                #expect(abs(wait - 24 * 3600) < 1, "an ordinary complaint waits for tier 1")

                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                let fired = try await scheduler.drain()
                #expect(Set(fired.map(\.complaintID)) == [urgent.id, safety.id] && fired.allSatisfy { $0.tier == 1 })
                #expect(try await scheduler.drain().isEmpty, "exactly once")
                let pages = PageStore(database: ScopedDatabase(pool: pool))
                let headPages = try await pages.myPages(org.caller(.departmentHead, in: org.a), all: false).items
                #expect(Set(headPages.map(\.complaintId)) == [urgent.id, safety.id], "the head is paged at intake")
            }
        }
    }
}

/// The complaint office joins a complaint as a collaborating department when a tier pages it.
@Suite("The complaint office joining escalated complaints")
struct ComplaintOfficeJoiningTests {
    @Test func theOfficeJoinsOnceWhenTheLadderPagesIt() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        // Branch a's complaint office, headed by a person of its own.
        let (office, officeHead): (UUID, UUID) = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let office: UUID = try await owner.query("""
                INSERT INTO departments (branch_id, name, kind) VALUES (\(org.a.id), 'Complaint Management Office', 'complaint_office') RETURNING id
                """)[0].decode(at: 0)
            let head: UUID = try await owner.query("""
                INSERT INTO users (branch_id, login, name, roles, department_ids) VALUES (\(org.a.id), 'office', 'Office', '{department_head}', \([office]))
                RETURNING id
                """)[0].decode(at: 0)
            _ = try await owner.query("UPDATE departments SET head_user_id = \(head) WHERE branch_id = \(org.a.id) AND id = \(office)")
            return (office, head)
        }
        let officeCaller = Caller(userID: officeHead, branchID: org.a.id, branchCode: org.a.code, login: "office", name: "Office",
                                  roles: [.departmentHead], departmentIDs: [office], credential: .session(UUID()))
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                let store = ComplaintStore(database: ScopedDatabase(pool: pool))
                let early = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
                let late = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 49 * 3600).first)
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                let fired = try await scheduler.drain()
                #expect(fired.filter { $0.complaintID == late.id }.map(\.tier).sorted() == [1, 2], "the late one caught up to tier 2")
                #expect(try await scheduler.drain().isEmpty)

                let manager = org.caller(.branchManager, in: org.a)
                let joined = try await store.get(manager.scope, id: late.id)
                #expect(joined.collaboratingDepartmentIds == [office], "tier 2 paged the office, which joined")
                #expect(try await store.get(manager.scope, id: early.id).collaboratingDepartmentIds.isEmpty, "tier 1 does not page it")
                #expect(try await store.get(officeCaller.scope, id: late.id).id == late.id, "the office now sees the complaint")
                await #expect(throws: StoreError.notFound) { _ = try await store.get(officeCaller.scope, id: early.id) }
                let events = try await store.timeline(manager.scope, id: late.id).filter { $0.kind == "office_joined" }
                #expect(events.count == 1 && events.first?.after?["departmentId"] == .some(office.uuidString.lowercased()))
            }
        }
    }
}
