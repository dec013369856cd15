import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressScheduler
import RedressServer
import RedressStore
import RedressTestSupport
import Testing
import WebhookTestSupport

/// The enterprise's own systems follow complaint events over real HTTP: an events webhook on
/// loopback that checks every signature receives the branch's lifecycle events in batches,
/// without personal data unless an operator grants it, and a failed batch comes again whole.
@Suite("Complaint events for the enterprise's systems")
struct EventFeedAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests
    typealias Progress = PublicProgressAPITests
    typealias Messages = ComplainantMessageAPITests

    /// The batches the receiver accepted with a valid signature: delivery id and events.
    static func batches(_ receiver: WebhookReceiver) -> [(id: String?, events: [[String: Any]])] {
        receiver.received.withLockedValue { $0 }.filter(\.signatureValid).map { received in
            let body = (try? JSONSerialization.jsonObject(with: received.body)) as? [String: Any]
            return (body?["deliveryId"] as? String, body?["events"] as? [[String: Any]] ?? [])
        }
    }

    /// Delivers until the receiver holds `count` requests: a batch waits while any transaction of
    /// the cluster older than its entries is still running (other tests' too), for up to a minute.
    static func deliver(_ harness: APIHarness, until count: Int, _ receiver: WebhookReceiver) async throws {
        try await deliver(harness, receiver) { $0.count >= count }
    }

    /// Delivers until `done` holds for the batches the receiver accepted, for up to a minute.
    static func deliver(_ harness: APIHarness, _ receiver: WebhookReceiver,
                        until done: ([(id: String?, events: [[String: Any]])]) -> Bool) async throws {
        for _ in 0..<300 {
            _ = try await Messages.deliver(harness)
            if done(batches(receiver)) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One complaint's events in the order the feed sent them, each batch counted once however
    /// often it came: a running transaction anywhere in the cluster may split them across batches.
    static func events(of complaint: String, _ receiver: WebhookReceiver) -> [[String: Any]] {
        var seen = Set<String>()
        return batches(receiver).filter { seen.insert($0.id ?? "").inserted }
            .flatMap(\.events).filter { $0["complaintId"] as? String == complaint.lowercased() }
    }

    @Test func anEventsWebhookFollowsTheBranchsComplaintsWithoutPersonalData() async throws {
        let receiver = WebhookReceiver { attempt in attempt == 1 ? .internalServerError : .ok }
        try await receiver.serve { url in
            try await APIHarness.run(server: Messages.server, store: Messages.store) { harness, client in
                let org = harness.organisation
                let admin = try await client.signIn(org.a.code, "admin")
                let agent = try await client.signIn(org.a.code, "agent")
                let category = try await Lifecycle.billing(client, token: agent)
                let registered = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"kind":"events","url":"\#(url)"}"#)
                #expect(registered.status == .created, "\(String(decoding: registered.body, as: UTF8.self))")
                #expect(registered.json["kind"] as? String == "events" && registered.json["personalData"] as? Bool == false)
                receiver.secret.withLockedValue { $0 = registered.json["secret"] as? String ?? "" }
                let webhook = try #require((registered.json["id"] as? String).flatMap(UUID.init(uuidString:)))
                let refused = try await client.call(.post, "/v1/webhooks", token: admin,
                                                    body: #"{"kind":"events","url":"\#(url)","userId":"\#(org.a.users[.bot]!.uuidString)"}"#)
                #expect(refused.status == .unprocessableContent && refused.problemFields == ["/userId"])

                // A complaint taken in and graded into a category (and so routed by the rules); then a
                // transaction elsewhere in the cluster begins and stays open while the complaint is
                // resolved at once and closed.
                let (id, caseNumber, _) = try await Progress.intake(client, token: agent, category: nil)
                _ = try await Lifecycle.step(client, id, "grade", token: agent,
                                             body: #"{"level":2,"priority":"important","categoryId":"\#(category)"}"#)
                let (began, beginning) = AsyncStream<Void>.makeStream()
                let (release, releasing) = AsyncStream<Void>.makeStream()
                defer { releasing.finish() }
                let held = Task {
                    defer { beginning.finish() }
                    try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                        try await owner.withTransaction { connection in
                            _ = try await connection.query("SELECT pg_current_xact_id()")
                            beginning.yield()
                            for await _ in release { break }
                        }
                    }
                }
                for await _ in began { break }
                _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
                _ = try await Lifecycle.step(client, id, "record_satisfaction", token: agent, body: #"{"satisfaction":9}"#)

                // A batch takes entries of ended transactions only: while that one runs, the later
                // events wait. The first attempt fails; the batch comes again whole, with the same id.
                try await Self.deliver(harness, until: 1, receiver)
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    _ = try await owner.query("UPDATE event_feeds SET next_attempt_at = now() WHERE webhook_id = \(webhook)")
                }
                try await Self.deliver(harness, until: 2, receiver)
                let batches = Self.batches(receiver)
                try #require(batches.count >= 2, "\(batches.map(\.id))")
                #expect(batches[0].id == batches[1].id, "\(batches.map(\.id))")
                #expect(batches[0].events.count == batches[1].events.count)
                // Nothing written after the held transaction began has come: only what came before it,
                // or a part of that when another test's transaction, running here too, held it back.
                let before = Self.events(of: id, receiver).compactMap { $0["type"] as? String }
                #expect(["created", "routed"].starts(with: before), "\(before)")

                // Once it ends, the rest come in a later batch (or more, other tests' transactions running too).
                releasing.yield()
                try await held.value
                try await Self.deliver(harness, receiver) { _ in Self.events(of: id, receiver).count >= 4 }
                let events = Self.events(of: id, receiver)
                let types = events.compactMap { $0["type"] as? String }
                #expect(types == ["created", "routed", "status_changed", "closed"], "\(types)")
                #expect(events.allSatisfy { $0["caseNumber"] as? String == caseNumber && $0["complainant"] == nil })
                let everything = receiver.received.withLockedValue { $0 }.map { String(decoding: $0.body, as: UTF8.self) }.joined()
                #expect(!everything.contains("王小明") && !everything.contains("138 0013") && !everything.contains("Refunded"),
                        "no personal data, no free text")
                #expect(try await Messages.deliver(harness) == 0, "nothing twice")

                // An operator grants it the complainant's name and contacts.
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    let granted = try await FeedGrants(ownerPool: owner).setPersonalData(webhook: webhook, granted: true)
                    #expect(granted.branchCode == org.a.code)
                    await #expect(throws: OperatorRefusal.self) { try await FeedGrants(ownerPool: owner).setPersonalData(webhook: UUID(), granted: true) }
                }
                let listed = try await client.call(.get, "/v1/webhooks", token: admin).items
                #expect(listed.first { $0["id"] as? String == webhook.uuidString.lowercased() }?["personalData"] as? Bool == true)
                _ = try await Lifecycle.step(client, id, "reopen", token: agent, body: #"{"note":"The customer called back"}"#)
                try await Self.deliver(harness, receiver) { _ in Self.events(of: id, receiver).count >= 5 }
                let reopened = try #require(Self.events(of: id, receiver).last)
                #expect(reopened["kind"] as? String == "reopen" && reopened["type"] as? String == "status_changed")
                let complainant = try #require(reopened["complainant"] as? [String: Any])
                #expect(complainant["name"] as? String == "王小明" && complainant["phone"] as? String == "+86 138 0013 8000")

                // The grant is for the address it was made for: a branch admin who moves the webhook loses it.
                let moved = try await client.call(.patch, "/v1/webhooks/\(webhook)", token: admin, body: #"{"url":"\#(url)/elsewhere"}"#)
                #expect(moved.status == .ok && moved.json["personalData"] as? Bool == false)
            }
        }
    }

    /// A review asked and decided reaches the feed as `reviewed`, and its overdue escalation as
    /// `escalated`, without the complainant's grounds or the reviewer's reasons.
    @Test func reviewsAndTheirEscalationReachTheFeedAsTheirOwnTypes() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await APIHarness.run(server: Messages.server, store: Messages.store) { harness, client in
                let org = harness.organisation
                let admin = try await client.signIn(org.a.code, "admin")
                let agent = try await client.signIn(org.a.code, "agent")
                let registered = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"kind":"events","url":"\#(url)"}"#)
                #expect(registered.status == .created)
                receiver.secret.withLockedValue { $0 = registered.json["secret"] as? String ?? "" }

                let (id, caseNumber, code) = try await Progress.intake(client, token: agent, category: nil)
                _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
                let asked = try await ComplainantSurveyAndReviewAPITests.askForReview(client, caseNumber, code: code)
                let review = try #require((asked.json["reviewId"] as? String).flatMap(UUID.init(uuidString:)),
                                          "\(String(decoding: asked.body, as: UTF8.self))")
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    _ = try await owner.query("""
                        UPDATE complaint_reviews SET requested_at = now() - interval '2 hours', due_at = now() - interval '1 hour'
                         WHERE id = \(review)
                        """)
                }
                var reasons: [String] = []
                try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                    let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                    for _ in 0..<3 { reasons += try await scheduler.escalateReviews().map(\.reason) }
                }
                #expect(reasons.contains("review_overdue"), "\(reasons)")
                let decided = try await client.call(.post, "/v1/reviews/\(review)/decision", token: try await client.signIn(org.a.code, "branch_manager"),
                                                    body: #"{"outcome":"upheld","reasoning":"Both months were refunded on 3 December."}"#)
                #expect(decided.status == .ok, "\(String(decoding: decided.body, as: UTF8.self))")

                try await Self.deliver(harness, receiver) { _ in
                    Self.events(of: id, receiver).filter { $0["type"] as? String == "reviewed" }.count >= 2
                }
                let events = Self.events(of: id, receiver)
                #expect(events.filter { $0["type"] as? String == "reviewed" }.compactMap { $0["kind"] as? String }
                        == ["review_requested", "review_decided"], "\(events)")
                #expect(events.contains { $0["type"] as? String == "escalated" && $0["kind"] as? String == "review_overdue" }, "\(events)")
                let everything = receiver.received.withLockedValue { $0 }.map { String(decoding: $0.body, as: UTF8.self) }.joined()
                #expect(!everything.contains("not both") && !everything.contains("3 December") && !everything.contains("王小明"),
                        "no grounds, reasons or personal data")
            }
        }
    }
}
