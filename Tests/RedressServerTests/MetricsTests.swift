import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressScheduler
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Metrics and readiness")
struct MetricsTests {
    /// The value of the series whose line starts with `series` (name and labels), or nil.
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    static let token = "metrics-token-for-tests"

    static func scrape(_ client: any TestClientProtocol) async throws -> String {
        let response = try await client.call(.get, "/metrics", token: token)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false, "every response names its request")
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        #expect(response.headers[HTTPField.Name("Content-Security-Policy")!] == "default-src 'none'; frame-ancestors 'none'")
        return String(decoding: response.body, as: UTF8.self)
    }

    @Test func theNamedSeriesArePresentAndMove() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.webhookTargets = WebhookTargetPolicy(allowing: ["127.0.0.1"])
        server.metricsToken = Self.token
        try await APIHarness.run(server: server) { harness, client in
            let org = harness.organisation
            let me = #"redress_http_requests_total{route="/v1/me",method="GET",status="200"}"#
            _ = try await client.call(.get, "/v1/me", token: org.a.botKey)
            let before = try await Self.scrape(client)
            let requests = try #require(Self.value(before, me))
            for _ in 0..<3 { _ = try await client.call(.get, "/v1/me", token: org.a.botKey) }
            _ = try await client.call(.get, "/v1/me")
            let after = try await Self.scrape(client)
            // Other suites in this process count into the same registry, so series only grow by at least ours.
            #expect((Self.value(after, me) ?? 0) >= requests + 3, "each request is counted by route, method and status")
            #expect(Self.value(after, #"redress_http_requests_total{route="/v1/me",method="GET",status="401"}"#) ?? 0 >= 1)
            #expect(after.contains("redress_http_request_duration_seconds_bucket{route=\"/v1/me\""))
            #expect(after.contains("redress_pool_connections{"), "pool usage")
            #expect(after.contains("redress_pool_acquire_seconds_bucket{"), "pool wait time")

            // The scheduler's series move when it escalates (it reports into the same registry).
            let tier1 = #"redress_escalations_total{tier="1"}"#
            let escalatedBefore = Self.value(after, tier1) ?? 0
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-25 * 3600))
            #expect(try await client.call(.post, "/v1/complaints", token: agent, body: """
                {"channel":"phone","complainant":{"name":"C"},"description":"late","categoryId":"\(category)","receivedAt":"\(received)"}
                """).status == .created)
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.json["scheduler"] as? String == "behind" || ready.json["scheduler"] as? String == "ok")
            #expect((ready.json["schedulerLagSeconds"] as? Double ?? 0) > 3600, "tier 1 has been due for an hour")
            // The bot's webhook points where nothing listens: its one allowed attempt fails.
            let admin = try await client.signIn(org.a.code, "admin")
            #expect(try await client.call(.post, "/v1/webhooks", token: admin,
                                          body: #"{"userId":"\#(org.a.users[.bot]!.path)","url":"http://127.0.0.1:9/unreachable"}"#).status == .created)
            let dead = #"redress_webhook_deliveries_total{outcome="dead"}"#
            let deadBefore = Self.value(after, dead) ?? 0
            try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                let listen = PGConnectionConfiguration(harness.database.schedulerURL)
                let scheduler = EscalationScheduler(pool: pool, listen: listen)
                try await scheduler.drain()
                // The acknowledgement's breach fell due with tier 1, and the head is to be told of the
                // routing: both raised after the tier, paging nobody twice.
                #expect(try await scheduler.raiseAlarms().map { "\($0.kind) \($0.pages)" }.sorted() == ["department_routed 0", "milestone_breach 0"])
                let deliverer = WebhookDeliverer(pool: pool, listen: listen, configuration: DeliveryConfiguration(
                    maxAttempts: 1, timeout: .seconds(2), targets: WebhookTargetPolicy(allowing: ["127.0.0.1"])), keys: .generate())
                #expect(try await deliverer.drain() == 1)
                try await deliverer.shutdown()
            }
            let escalated = try await Self.scrape(client)
            #expect((Self.value(escalated, tier1) ?? 0) >= escalatedBefore + 1)
            #expect((Self.value(escalated, #"redress_pages_total{tier="1",kind="tier"}"#) ?? 0) >= 2)
            #expect((Self.value(escalated, dead) ?? 0) >= deadBefore + 1, "a dead-lettered delivery is counted")
            #expect((Self.value(escalated, #"redress_alarms_total{kind="milestone_breach",milestone="acknowledge"}"#) ?? 0) >= 1)
            #expect((Self.value(escalated, #"redress_webhook_attempts_total{outcome="failed"}"#) ?? 0) >= 1)
            let settled = try await client.call(.get, "/readyz")
            #expect(settled.json["scheduler"] as? String == "ok" && settled.json["schedulerLagSeconds"] as? Double == 0)
        }
    }
}
