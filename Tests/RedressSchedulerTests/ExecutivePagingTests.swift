import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// The top tier pages the branch's own executives and the executives of other branches who hold
/// a grant on it. Those are read in a statement of their own before the claim, which reads nothing
/// beyond its branch (on Citus, one shard); who they are is read afresh at every claim.
@Suite("Executives of other branches on the ladder")
struct ExecutivePagingTests {
    typealias Fixture = EscalationSchedulerTests.Fixture

    @Test func theTopTierPagesExecutivesGrantedTheBranchFromElsewhere() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        func asOwner<Value: Sendable>(_ body: @Sendable (PGPool) async throws -> Value) async throws -> Value {
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in try await body(owner) }
        }
        let category: UUID = try await asOwner {
            try await $0.query("SELECT id FROM categories WHERE branch_id = \(org.b.id) AND code = 'billing'")[0].decode(at: 0)
        }
        func intakeInB(_ phone: String) async throws -> Complaint {
            try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
                let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
                return try await store.intake(org.caller(.agent, in: org.b), ComplaintIntake(
                    channel: "phone", complainant: .init(name: "C", phone: phone), receivedAt: Date().addingTimeInterval(-73 * 3600),
                    description: "three days late", categoryID: category), idempotencyKey: nil, requestHash: nil).complaint
            }
        }
        func executivesPaged(_ complaint: Complaint) async throws -> Set<UUID> {
            try await asOwner {
                Set(try await $0.query("""
                    SELECT recipient_user_id FROM pages WHERE branch_id = \(org.b.id) AND complaint_id = \(complaint.id)
                       AND tier = 3 AND recipient_kind = 'executives'
                    """).map { try $0.decode(UUID.self, at: 0) })
            }
        }
        try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
            let first = try await intakeInB("+86 10 1")
            #expect(try await scheduler.drain().map(\.tier).sorted() == [1, 2, 3])
            #expect(try await executivesPaged(first) == [org.b.users[.executive]!, org.a.users[.executive]!],
                    "the branch's executive and the one granted it from branch A")

            _ = try await asOwner { try await $0.query("UPDATE users SET roles = '{branch_manager}' WHERE id = \(org.a.users[.executive]!)") }
            let second = try await intakeInB("+86 10 2")
            #expect(try await scheduler.drain().map(\.tier).sorted() == [1, 2, 3])
            #expect(try await executivesPaged(second) == [org.b.users[.executive]!], "a grant counts only while its holder is an executive")
        }
    }
}
