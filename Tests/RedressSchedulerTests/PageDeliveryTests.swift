import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing
import WebhookTestSupport

@Suite("Webhook delivery of pages against PostgreSQL and a real receiver")
struct PageDeliveryTests {
    typealias Fixture = EscalationSchedulerTests.Fixture

    /// Registers a webhook for branch a's bot at `url` and gives its secret to `receiver`.
    static func webhook(_ fixture: Fixture, pool: PGPool, url: String, receiver: WebhookReceiver) async throws -> WebhookStore.Webhook {
        let store = WebhookStore(database: ScopedDatabase(pool: pool))
        let admin = fixture.org.caller(.admin, in: fixture.org.a)
        let webhook = try await store.create(admin.scope, branchID: fixture.org.a.id, userID: fixture.org.a.users[.bot]!, url: url)
        receiver.secret.withLockedValue { $0 = webhook.secret! }
        return webhook
    }

    static func deliveries(_ fixture: Fixture, pool: PGPool, _ webhook: WebhookStore.Webhook) async throws -> [WebhookStore.Delivery] {
        try await WebhookStore(database: ScopedDatabase(pool: pool))
            .deliveries(fixture.org.caller(.admin, in: fixture.org.a).scope, webhookID: webhook.id, state: nil, limit: 200)
    }

    /// The receiver listens on loopback, which deliveries reach only when the operator allow-lists it.
    static let loopback = WebhookTargetPolicy(allowing: ["127.0.0.1"])

    static func deliverer(_ fixture: Fixture, _ pool: PGPool, _ configuration: DeliveryConfiguration = DeliveryConfiguration(),
                          targets: WebhookTargetPolicy = loopback) -> WebhookDeliverer {
        var configuration = configuration
        configuration.targets = targets
        return WebhookDeliverer(pool: pool, listen: PGConnectionConfiguration(fixture.database.schedulerURL), configuration: configuration,
                                keys: .generate())
    }

    @Test func aPageIsPostedSignedWithoutPersonalDataAndItsAttemptRecorded() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
                try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                    let webhook = try await Self.webhook(fixture, pool: pool, url: url, receiver: receiver)
                    let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600).first)
                    let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                    #expect(try await scheduler.drain().map(\.tier) == [1])
                    let deliverer = Self.deliverer(fixture, jobs)
                    #expect(try await deliverer.drain() == 1, "one page for the bot, one attempt")
                    #expect(try await deliverer.drain() == 0, "nothing is delivered twice")
                    try await deliverer.shutdown()

                    let got = try #require(receiver.received.withLockedValue { $0 }.first)
                    #expect(got.signatureValid, "signed with the webhook's secret")
                    let json = try #require(try JSONSerialization.jsonObject(with: got.body) as? [String: Any])
                    let page = try #require(json["page"] as? [String: Any])
                    #expect((json["deliveryId"] as? String) == got.deliveryID)
                    #expect((page["complaintId"] as? String)?.lowercased() == complaint.id.uuidString.lowercased())
                    #expect(((page["summary"] as? [String: Any])?["caseNumber"] as? String) == complaint.caseNumber)
                    let text = String(decoding: got.body, as: UTF8.self)
                    #expect(!text.contains("+86 10 0") && !text.contains("\"C\""), "no customer personal data leaves in a delivery")

                    let recorded = try await Self.deliveries(fixture, pool: pool, webhook)
                    #expect(recorded.map(\.state) == ["delivered"])
                    #expect(recorded.first?.history.map(\.statusCode) == [200])
                    // The 2xx delivered the page, which still waits for a person's acknowledgement.
                    let delivered: [Bool] = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                        try await owner.query("""
                            SELECT delivered_at IS NOT NULL AND acknowledged_at IS NULL FROM pages
                             WHERE complaint_id = \(complaint.id) AND id IN (SELECT page_id FROM page_deliveries)
                            """).map { try $0.decode(at: 0) }
                    }
                    #expect(delivered == [true])

                    // Anyone who alters the body (or forges a signature) is found out by the receiver.
                    let http = HTTPClient(eventLoopGroupProvider: .singleton)
                    var forged = HTTPClientRequest(url: url)
                    forged.method = .POST
                    forged.headers.add(name: WebhookSignature.timestampHeader, value: got.timestamp ?? "")
                    forged.headers.add(name: WebhookSignature.signatureHeader, value: got.signature ?? "")
                    let altered = text.replacingOccurrences(of: "\"tier\": 1", with: "\"tier\": 3")
                    #expect(altered != text)
                    forged.body = .bytes(ByteBuffer(string: altered))
                    let refused = try await http.execute(forged, timeout: .seconds(5))
                    try await http.shutdown()
                    #expect(refused.status == .unauthorized)
                    #expect(receiver.received.withLockedValue { $0.last?.signatureValid } == false)
                }
            }
        }
    }

    @Test func aFailingWebhookIsRetriedWithGrowingWaitsThenDeadLettered() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let receiver = WebhookReceiver { _ in .serviceUnavailable }
        try await receiver.serve { url in
            try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
                try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                    let webhook = try await Self.webhook(fixture, pool: pool, url: url, receiver: receiver)
                    _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600)
                    try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).drain()
                    let deliverer = Self.deliverer(fixture, jobs, DeliveryConfiguration(maxAttempts: 4, baseDelay: .milliseconds(200), timeout: .seconds(5)))
                    var state = "pending"
                    for _ in 0..<100 where state == "pending" {
                        try await deliverer.drain()
                        try await Task.sleep(for: .milliseconds(50))
                        state = try await Self.deliveries(fixture, pool: pool, webhook).first?.state ?? "missing"
                    }
                    try await deliverer.shutdown()
                    let delivery = try #require(try await Self.deliveries(fixture, pool: pool, webhook).first)
                    #expect(delivery.state == "dead")
                    #expect(delivery.attempts == 4 && delivery.history.count == 4 && receiver.validCount == 4)
                    #expect(delivery.history.allSatisfy { $0.statusCode == 503 })
                    #expect(delivery.lastError == "http 503" && delivery.nextAttemptAt == nil && delivery.finishedAt != nil)
                    // Waits of 0.1–0.2 s, 0.2–0.4 s and 0.4–0.8 s (equal jitter on 0.2 s doubling).
                    let gaps = zip(delivery.history.dropFirst(), delivery.history).map { $0.startedAt.timeIntervalSince($1.startedAt) }
                    for (index, gap) in gaps.enumerated() {
                        let full = 0.2 * pow(2, Double(index))
                        #expect(gap >= full / 2 - 0.01, "wait \(index + 1) was \(gap) s")
                    }
                }
            }
        }
    }

    @Test func aWebhookThatRecoversGetsThePageOnALaterAttempt() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let receiver = WebhookReceiver { count in count <= 2 ? .internalServerError : .noContent }
        try await receiver.serve { url in
            try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
                try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                    let webhook = try await Self.webhook(fixture, pool: pool, url: url, receiver: receiver)
                    _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600)
                    try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).drain()
                    let deliverer = Self.deliverer(fixture, jobs, DeliveryConfiguration(maxAttempts: 5, baseDelay: .milliseconds(100)))
                    var state = "pending"
                    for _ in 0..<100 where state == "pending" {
                        try await deliverer.drain()
                        try await Task.sleep(for: .milliseconds(50))
                        state = try await Self.deliveries(fixture, pool: pool, webhook).first?.state ?? "missing"
                    }
                    try await deliverer.shutdown()
                    let delivery = try #require(try await Self.deliveries(fixture, pool: pool, webhook).first)
                    #expect(delivery.state == "delivered" && delivery.attempts == 3)
                    #expect(delivery.history.map(\.statusCode) == [500, 500, 204])
                    let ids = Set(receiver.received.withLockedValue { $0 }.compactMap(\.deliveryID))
                    #expect(ids == [delivery.id.uuidString.lowercased()], "every retry carries the same delivery id")
                }
            }
        }
    }

    @Test func backoffDoublesWithEqualJitterUpToTheCapAndStopsAtTheLastAttempt() {
        let configuration = DeliveryConfiguration(maxAttempts: 6, baseDelay: .seconds(10), maxDelay: .seconds(60))
        #expect(configuration.retryDelay(afterAttempt: 1, jitter: 0) == .seconds(5))
        #expect(configuration.retryDelay(afterAttempt: 1, jitter: 1) == .seconds(10))
        #expect(configuration.retryDelay(afterAttempt: 3, jitter: 1) == .seconds(40))
        #expect(configuration.retryDelay(afterAttempt: 4, jitter: 0.5) == .seconds(45), "capped at 60 s, three quarters of it")
        #expect(configuration.retryDelay(afterAttempt: 5, jitter: 1) == .seconds(60))
        #expect(configuration.retryDelay(afterAttempt: 6, jitter: 0) == nil, "the sixth failure is the last")
    }

    @Test func signaturesHoldOnlyForTheSameSecretBodyAndARecentTime() {
        let body = Data(#"{"page":{"tier":1}}"#.utf8)
        let now = Date()
        let timestamp = Int(now.timeIntervalSince1970)
        let signature = WebhookSignature.sign(body: body, timestamp: timestamp, secret: "whs_secret")
        #expect(signature.hasPrefix("v1=") && signature.count == 67)
        #expect(WebhookSignature.verify(body: body, timestamp: String(timestamp), signature: signature, secret: "whs_secret", now: now))
        #expect(!WebhookSignature.verify(body: Data(#"{"page":{"tier":2}}"#.utf8), timestamp: String(timestamp), signature: signature,
                                         secret: "whs_secret", now: now), "another body")
        #expect(!WebhookSignature.verify(body: body, timestamp: String(timestamp), signature: signature, secret: "whs_other", now: now))
        #expect(!WebhookSignature.verify(body: body, timestamp: String(timestamp + 1), signature: signature, secret: "whs_secret", now: now),
                "the timestamp is signed too")
        #expect(!WebhookSignature.verify(body: body, timestamp: String(timestamp), signature: signature, secret: "whs_secret",
                                         now: now.addingTimeInterval(301)), "a replay after the tolerance")
        #expect(!WebhookSignature.verify(body: body, timestamp: String(timestamp), signature: "v1=zz", secret: "whs_secret", now: now))
        #expect(!WebhookSignature.verify(body: body, timestamp: nil, signature: signature, secret: "whs_secret", now: now))
    }
}
