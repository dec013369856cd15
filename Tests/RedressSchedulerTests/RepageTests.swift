import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

@Suite("Re-paging unacknowledged escalations against PostgreSQL")
struct RepageTests {
    typealias Fixture = EscalationSchedulerTests.Fixture

    /// Moves the end of every waiting ack window of `complaint` into the past: time passing,
    /// without sleeping for fifteen minutes.
    static func expireAckWindows(_ fixture: Fixture, _ complaint: UUID) async throws {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            _ = try await owner.query("""
                UPDATE escalations SET ack_due_at = now() - interval '1 second' WHERE complaint_id = \(complaint) AND ack_due_at IS NOT NULL
                """)
        }
    }

    static func pages(_ fixture: Fixture, _ complaint: UUID) async throws -> [(tier: Int, rung: Int, user: UUID)] {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                SELECT tier, rung, recipient_user_id FROM pages WHERE complaint_id = \(complaint) ORDER BY created_at, rung, recipient_user_id
                """).map { (Int(try $0.decode(Int16.self, at: 0)), Int(try $0.decode(Int16.self, at: 1)), try $0.decode(UUID.self, at: 2)) }
        }
    }

    @Test func anUnacknowledgedTierRepagesEachLaterRungOnceThenStops() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                #expect(try await scheduler.drain().map(\.tier) == [1])
                #expect(try await scheduler.repage().isEmpty, "the ack window (15 min) has not passed")

                try await Self.expireAckWindows(fixture, complaint.id)
                let second = try await scheduler.repage()
                #expect(second.map(\.rung) == [2] && second.first?.pages == 2, "the branch manager, and the bot again")
                #expect(try await scheduler.repage().isEmpty, "once per rung")

                try await Self.expireAckWindows(fixture, complaint.id)
                let third = try await scheduler.repage()
                #expect(third.map(\.rung) == [3] && third.first?.pages == 2, "the branch's executive, and the bot again")

                try await Self.expireAckWindows(fixture, complaint.id)
                #expect(try await scheduler.repage().map(\.rung) == [nil], "nobody is left on the ladder")
                #expect(try await scheduler.repage().isEmpty)

                let pages = try await Self.pages(fixture, complaint.id)
                #expect(pages.map(\.tier) == [1, 1, 1, 1, 1, 1], "all pages belong to tier 1")
                let bot = org.a.users[.bot]!
                #expect(Set(pages.filter { $0.rung == 2 }.map(\.user)) == [org.a.users[.branchManager]!, bot])
                #expect(Set(pages.filter { $0.rung == 3 }.map(\.user)) == [org.a.users[.executive]!, bot])

                let store = ComplaintStore(database: ScopedDatabase(pool: pool))
                let events = try await store.timeline(org.caller(.branchManager, in: org.a).scope, id: complaint.id)
                #expect(events.map(\.kind).filter { ["escalated", "repaged"].contains($0) } == ["escalated", "repaged", "repaged"])
                let repaged = events.filter { $0.kind == "repaged" }
                #expect(repaged.first?.after?["recipientUserIds"]
                        == .some([org.a.users[.branchManager]!, bot].map { $0.uuidString.lowercased() }.sorted().joined(separator: ",")))
                #expect(repaged.first?.actorId == nil, "the system re-pages")
            }
        }
    }

    @Test func anAcknowledgementOrALaterTierStopsTheWait() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                let complaints = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 2, age: 25 * 3600)
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                #expect(try await scheduler.drain().count == 2)

                // The head acknowledges the first complaint's page: its escalation stops waiting.
                let pageStore = PageStore(database: ScopedDatabase(pool: pool))
                let head = org.caller(.departmentHead, in: org.a)
                let headPage = try #require(try await pageStore.myPages(head, all: false).items.first { $0.complaintId == complaints[0].id })
                _ = try await pageStore.acknowledge(head, pageID: headPage.id)
                try await Self.expireAckWindows(fixture, complaints[0].id)
                #expect(try await scheduler.repage().isEmpty)

                // The second complaint reaches tier 2 before tier 1's window ends: tier 1 stops waiting.
                try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    _ = try await owner.query("""
                        UPDATE complaints SET escalation_due_at[2] = now() - interval '1 second', next_escalation_tier = 2,
                                              next_escalation_at = now() - interval '1 second'
                         WHERE id = \(complaints[1].id)
                        """)
                }
                #expect(try await scheduler.drain().map(\.tier) == [2])
                try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    _ = try await owner.query("""
                        UPDATE escalations SET ack_due_at = now() - interval '1 second' WHERE complaint_id = \(complaints[1].id) AND tier = 1
                        """)
                }
                #expect(try await scheduler.repage().map(\.rung) == [nil], "superseded by tier 2")
                #expect(try await Self.pages(fixture, complaints[1].id).count == 4, "tier 1 and tier 2 pages only")
            }
        }
    }
}
