import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing
import WebhookTestSupport

@Suite("Webhook targets outside the allow-list")
struct WebhookTargetTests {
    typealias Fixture = EscalationSchedulerTests.Fixture

    /// A tenant's admin aims webhooks at the operator's own network: the loopback address over
    /// http, a name that resolves to loopback over https, and the IPv4-mapped form of loopback.
    /// Without an allow-list none of them is contacted; each delivery is dead with the class
    /// `blocked_address` and no error text.
    @Test func loopbackAndPrivateTargetsAreRefusedAndNothingIsDelivered() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            let port = try #require(URLComponents(string: url)?.port)
            try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
                var webhooks: [WebhookStore.Webhook] = []
                for target in [url, "https://localhost:\(port)/hook", "https://[::ffff:127.0.0.1]:\(port)/hook",
                               "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1:\(port)/hook"] {
                    webhooks.append(try await PageDeliveryTests.webhook(fixture, pool: pool, url: target, receiver: receiver))
                }
                _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600)
                try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
                    try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).drain()
                    let deliverer = PageDeliveryTests.deliverer(fixture, jobs, DeliveryConfiguration(maxAttempts: 1, timeout: .seconds(3)),
                                                                targets: WebhookTargetPolicy())
                    #expect(try await deliverer.drain() == webhooks.count)
                    try await deliverer.shutdown()
                }
                #expect(receiver.received.withLockedValue { $0.isEmpty }, "the receiver on loopback heard nothing")
                for webhook in webhooks {
                    let delivery = try #require(try await PageDeliveryTests.deliveries(fixture, pool: pool, webhook).first)
                    #expect(delivery.state == "dead", "\(webhook.url)")
                    #expect(delivery.lastError == "blocked_address", "\(webhook.url): \(delivery.lastError ?? "-")")
                    #expect(delivery.history.map(\.error) == ["blocked_address"] && delivery.history.allSatisfy { $0.statusCode == nil })
                }
            }
        }
    }

    @Test func anAllowListedCIDRAdmitsTheSameTarget() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
                let webhook = try await PageDeliveryTests.webhook(fixture, pool: pool, url: url, receiver: receiver)
                _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 25 * 3600)
                try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
                    try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).drain()
                    let deliverer = PageDeliveryTests.deliverer(fixture, jobs, targets: WebhookTargetPolicy(allowing: ["127.0.0.0/8"]))
                    #expect(try await deliverer.drain() == 1)
                    try await deliverer.shutdown()
                }
                #expect(receiver.validCount == 1)
                #expect(try await PageDeliveryTests.deliveries(fixture, pool: pool, webhook).map(\.state) == ["delivered"])
            }
        }
    }
}
