import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// Paging that a person must acknowledge: a bot's receipt is a delivery, not an acknowledgement;
/// a bot may relay the answer of a person it proves was paged; a person may snooze once within
/// the ack window. Against PostgreSQL, with the real scheduler.
@Suite("Pages a person must acknowledge")
struct PersonAcknowledgementTests {
    typealias Fixture = EscalationSchedulerTests.Fixture

    /// Runs `body` with one complaint of branch a escalated to tier 1 (its head and bot paged).
    static func escalated(_ body: @escaping @Sendable (Fixture, Complaint, PageStore, EscalationScheduler) async throws -> Void) async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                #expect(try await scheduler.drain().map(\.tier) == [1])
                try await body(fixture, complaint, PageStore(database: ScopedDatabase(pool: pool)), scheduler)
            }
        }
    }

    static func page(_ store: PageStore, _ caller: Caller, _ complaint: Complaint) async throws -> PageStore.Page {
        try #require(try await store.myPages(caller, all: true).items.first { $0.complaintId == complaint.id })
    }

    static func acknowledgements(_ fixture: Fixture, _ complaint: Complaint) async throws -> [ComplaintEvent] {
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            try await ComplaintStore(database: ScopedDatabase(pool: pool))
                .timeline(fixture.org.caller(.branchManager, in: fixture.org.a).scope, id: complaint.id)
                .filter { $0.kind == "page_acknowledged" }
        }
    }

    @Test func aBotsReceiptDoesNotStopRepagingAPersonsAcknowledgementDoes() async throws {
        try await Self.escalated { fixture, complaint, store, scheduler in
            let org = fixture.org
            let bot = org.caller(.bot, in: org.a)
            let received = try await store.acknowledge(bot, pageID: try await Self.page(store, bot, complaint).id)
            #expect(received.deliveredAt != nil && received.acknowledgedAt == nil && received.acknowledgedBy == nil)
            #expect(try await store.myPages(bot, all: false).items.isEmpty, "a received page is no longer open for its bot")
            #expect(try await store.myPages(org.caller(.departmentHead, in: org.a), all: false).items.count == 1)

            try await RepageTests.expireAckWindows(fixture, complaint.id)
            let second = try await scheduler.repage()
            #expect(second.map(\.rung) == [2] && second.first?.pages == 2, "the bot's receipt did not end the wait; the bot is paged again")
            let again = try #require(try await store.myPages(bot, all: false).items.first)
            #expect(again.rung == 2)

            let manager = org.caller(.branchManager, in: org.a)
            let taken = try await store.acknowledge(manager, pageID: try await Self.page(store, manager, complaint).id)
            #expect(taken.acknowledgedAt != nil && taken.acknowledgedBy == manager.userID && taken.deliveredAt != nil)
            try await RepageTests.expireAckWindows(fixture, complaint.id)
            #expect(try await scheduler.repage().isEmpty, "a person's acknowledgement ended the wait")
            #expect(try await Self.acknowledgements(fixture, complaint).map(\.actorId) == [manager.userID], "receipts are not noted")
        }
    }

    @Test func aBotRelaysTheAnswerOfAPersonItProvesWasPaged() async throws {
        try await Self.escalated { fixture, complaint, store, scheduler in
            let org = fixture.org
            let bot = org.caller(.bot, in: org.a), head = org.caller(.departmentHead, in: org.a)
            let botPage = try await Self.page(store, bot, complaint)
            for stranger in [org.a.users[.agent]!, org.a.users[.bot]!, org.b.users[.departmentHead]!, UUID()] {
                await #expect(throws: StoreError.invalidValue(field: "/onBehalfOf", message: "names nobody paged for this escalation")) {
                    _ = try await store.acknowledge(bot, pageID: botPage.id, onBehalfOf: stranger)
                }
            }
            #expect(try await Self.page(store, head, complaint).acknowledgedAt == nil, "a refused relay changes nothing")
            #expect(try await Self.page(store, bot, complaint).deliveredAt == nil)

            let relayed = try await store.acknowledge(bot, pageID: botPage.id, onBehalfOf: head.userID)
            #expect(relayed.deliveredAt != nil && relayed.acknowledgedAt == nil)
            let headPage = try await Self.page(store, head, complaint)
            #expect(headPage.acknowledgedAt != nil && headPage.acknowledgedBy == head.userID && headPage.acknowledgedVia == bot.userID)
            _ = try await store.acknowledge(bot, pageID: botPage.id, onBehalfOf: head.userID)
            _ = try await store.acknowledge(head, pageID: headPage.id)
            #expect(try await Self.page(store, head, complaint).acknowledgedAt == headPage.acknowledgedAt, "again changes nothing")

            try await RepageTests.expireAckWindows(fixture, complaint.id)
            #expect(try await scheduler.repage().isEmpty, "the relayed acknowledgement ended the wait")
            let noted = try await Self.acknowledgements(fixture, complaint)
            #expect(noted.map(\.actorId) == [bot.userID])
            #expect(noted.first?.after?["onBehalfOf"] == .some(head.userID.uuidString.lowercased()))
        }
    }

    @Test func aPersonSnoozesOnceAndNoFurtherThanTheAckWindow() async throws {
        try await Self.escalated { fixture, complaint, store, scheduler in
            let org = fixture.org
            let head = org.caller(.departmentHead, in: org.a)
            let headPage = try await Self.page(store, head, complaint)
            func waitEnds() async throws -> Date? {
                try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.query("SELECT ack_due_at FROM escalations WHERE complaint_id = \(complaint.id)")[0].decode(at: 0)
                }
            }
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE escalations SET ack_due_at = now() + interval '1 minute' WHERE complaint_id = \(complaint.id)")
            }
            let before = try #require(try await waitEnds())
            await #expect(throws: StoreError.invalidValue(field: "/minutes", message: "reaches past the policy's acknowledgement window")) {
                _ = try await store.snooze(head, pageID: headPage.id, minutes: 16)
            }
            let unsnoozed = try await Self.page(store, head, complaint)
            #expect(try await waitEnds() == before && unsnoozed.snoozedUntil == nil)

            let snoozed = try await store.snooze(head, pageID: headPage.id, minutes: 10)
            let until = try #require(snoozed.snoozedUntil)
            #expect(abs(until.timeIntervalSinceNow - 600) < 60)
            #expect(try await waitEnds() == until, "the re-page waits until the snooze ends")
            let noted = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
                try await ComplaintStore(database: ScopedDatabase(pool: pool))
                    .timeline(org.caller(.branchManager, in: org.a).scope, id: complaint.id).filter { $0.kind == "page_snoozed" }
            }
            #expect(noted.map(\.actorId) == [head.userID] && noted.first?.after?["until"] != nil, "the snooze is on the timeline")
            await #expect(throws: StoreError.conflict(field: "id", message: "is acknowledged or snoozed already")) {
                _ = try await store.snooze(head, pageID: headPage.id, minutes: 5)
            }
            #expect(try await scheduler.repage().isEmpty)

            // Once the wait has run out, a snooze comes too late.
            let bot = org.caller(.bot, in: org.a)
            try await RepageTests.expireAckWindows(fixture, complaint.id)
            #expect(try await scheduler.repage().map(\.rung) == [2])
            let manager = org.caller(.branchManager, in: org.a)
            let managerPage = try await Self.page(store, manager, complaint)
            try await RepageTests.expireAckWindows(fixture, complaint.id)
            await #expect(throws: StoreError.invalidValue(field: "/minutes",
                                                          message: "comes too late: the escalation no longer waits for an acknowledgement")) {
                _ = try await store.snooze(manager, pageID: managerPage.id, minutes: 5)
            }
            #expect(try await Self.page(store, bot, complaint).snoozedUntil == nil)
        }
    }
}

extension PersonAcknowledgementTests {
    @Test func aPersonHandsTheirPageToAColleagueOfTheSameCapacity() async throws {
        try await Self.escalated { fixture, complaint, store, scheduler in
            let org = fixture.org
            let head = org.caller(.departmentHead, in: org.a)
            let headPage = try await Self.page(store, head, complaint)
            // A deputy head of the complaint's department, made by the operator.
            let (department, deputyID): (UUID, UUID) = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let department: UUID = try await owner.query("SELECT department_id FROM escalations WHERE complaint_id = \(complaint.id)")[0]
                    .decode(at: 0)
                let deputy: UUID = try await owner.query("""
                    INSERT INTO users (branch_id, login, name, roles, department_ids) VALUES (\(org.a.id), 'deputy', 'Deputy', '{department_head}',
                                                                                        \([department]))
                    RETURNING id
                    """)[0].decode(at: 0)
                return (department, deputy)
            }
            let deputy = Caller(userID: deputyID, branchID: org.a.id, branchCode: org.a.code, login: "deputy", name: "Deputy",
                                roles: [.departmentHead], departmentIDs: [department], credential: .session(UUID()))

            let strangers = [org.a.users[.agent]!, org.a.users[.bot]!, org.a.users[.branchManager]!, org.b.users[.departmentHead]!, head.userID, UUID()]
            for stranger in strangers {
                await #expect(throws: StoreError.invalidValue(field: "/toUserId",
                                                              message: "names nobody who could have been paged in the same capacity")) {
                    _ = try await store.handOff(head, pageID: headPage.id, to: stranger)
                }
            }
            #expect(try await store.myPages(deputy, all: true).items.isEmpty, "a refused hand-off changes nothing")

            let handed = try await store.handOff(head, pageID: headPage.id, to: deputyID)
            #expect(handed.handedTo == deputyID && handed.handedAt != nil && handed.acknowledgedAt == nil)
            #expect(try await store.myPages(head, all: false).items.isEmpty, "a handed page is no longer open for its first recipient")
            await #expect(throws: StoreError.conflict(field: "id", message: "is acknowledged or handed on already")) {
                _ = try await store.handOff(head, pageID: headPage.id, to: deputyID)
            }
            let deputyPage = try #require(try await store.myPages(deputy, all: false).items.first)
            #expect(deputyPage.handedFrom == head.userID && deputyPage.rung == headPage.rung && deputyPage.complaintId == complaint.id)

            // The wait goes on until a person acknowledges.
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE escalations SET ack_due_at = now() + interval '1 minute' WHERE complaint_id = \(complaint.id)")
            }
            _ = try await store.acknowledge(deputy, pageID: deputyPage.id)
            try await RepageTests.expireAckWindows(fixture, complaint.id)
            #expect(try await scheduler.repage().isEmpty, "the deputy's acknowledgement ended the wait")
            let events = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
                try await ComplaintStore(database: ScopedDatabase(pool: pool))
                    .timeline(org.caller(.branchManager, in: org.a).scope, id: complaint.id)
            }
            let handOff = try #require(events.first { $0.kind == "page_handed_off" })
            #expect(handOff.actorId == head.userID && handOff.after?["toUserId"] == .some(deputyID.uuidString.lowercased()))
            #expect(events.filter { $0.kind == "page_acknowledged" }.map(\.actorId) == [deputyID])
        }
    }
}

extension PersonAcknowledgementTests {
    /// What the recipient records on a page, only the recipient records, once — whatever SQL the
    /// service sends for someone who may change the complaint.
    @Test func nobodyElseRecordsWhatBecameOfAPageAndNothingIsRecordedTwice() async throws {
        try await Self.escalated { fixture, complaint, store, _ in
            let org = fixture.org
            let head = org.caller(.departmentHead, in: org.a), handler = org.caller(.handler, in: org.a), bot = org.caller(.bot, in: org.a)
            let headPage = try await Self.page(store, head, complaint), botPage = try await Self.page(store, bot, complaint)
            try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
                let database = ScopedDatabase(pool: pool)
                for (caller, page, change) in [
                    (handler, botPage.id, "relayed_for = '\(head.userID.uuidString.lowercased())'"),
                    (handler, headPage.id, "snoozed_until = now() + interval '5 minutes'"),
                    (handler, headPage.id, "delivered_at = now()"),
                    (handler, headPage.id, "acknowledged_by = '\(handler.userID.uuidString.lowercased())'"),
                    (handler, headPage.id, "handed_to = '\(handler.userID.uuidString.lowercased())', handed_at = now()"),
                    (head, headPage.id, "acknowledged_by = '\(handler.userID.uuidString.lowercased())'"),
                ] {
                    let refused = await #expect(throws: PGError.self) {
                        try await database.withScope(caller.scope) { connection in
                            try await connection.execute(PGQuery(unsafeSQL: "UPDATE pages SET \(change) WHERE id = '\(page.uuidString.lowercased())'"))
                        }
                    }
                    #expect(refused?.sqlState == .insufficientPrivilege, "\(caller.login): \(change)")
                }
                _ = try await store.snooze(head, pageID: headPage.id, minutes: 5)
                let again = await #expect(throws: PGError.self) {
                    try await database.withScope(head.scope) { connection in
                        try await connection.execute(PGQuery(unsafeSQL: "UPDATE pages SET snoozed_until = NULL WHERE id = '\(headPage.id.uuidString.lowercased())'"))
                    }
                }
                #expect(again?.sqlState == .checkViolation, "a snooze is not undone to be done again")
            }
            let unchanged = try await Self.page(store, head, complaint)
            #expect(unchanged.acknowledgedAt == nil && unchanged.handedTo == nil && unchanged.deliveredAt == nil && unchanged.snoozedUntil != nil)
        }
    }
}
