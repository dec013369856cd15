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
