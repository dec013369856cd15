import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import Postgres
import RedressAPIClient
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("The page event stream and webhook administration over HTTP")
struct PageStreamAndWebhookAPITests {
    /// Reads a server-sent event stream until `done` holds for what arrived or `seconds` pass,
    /// running `act` meanwhile; returns what arrived.
    static func readStream(port: Int, token: String, seconds: Int, until done: @escaping @Sendable (String) -> Bool,
                           whileReading act: @escaping @Sendable () async throws -> Void) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let text = NIOLockedValueBox("")
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/pages/stream")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await chunk in response.body {
                        if done(text.withLockedValue { $0 += String(buffer: chunk); return $0 }) { return }
                    }
                }
                group.addTask { try await Task.sleep(for: .seconds(seconds)) }
                try await act()
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return text.withLockedValue { $0 }
    }

    /// A bot's stream carries its new page without personal data; another branch's department
    /// head, streaming all the while and opening a stream afterwards, gets none of it.
    @Test func aBotStreamsItsOwnNewPagesWithoutPersonalData() async throws {
        try await APIHarness.run(server: PageStreamAccessTests.server()) { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let head = try await client.signIn(org.b.code, "department_head")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-25 * 3600))
            let port = try #require(client.port)
            let database = harness.database
            // The other branch's head reads until the first heartbeat after the bot had its page.
            let botHasItsPage = NIOLockedValueBox(false)
            async let foreign = Self.readStream(port: port, token: head, seconds: PageStreamAccessTests.readerGivesUp,
                                                until: { _ in botHasItsPage.withLockedValue { $0 } }, whileReading: {})
            let text = try await Self.readStream(port: port, token: org.a.botKey, seconds: PageStreamAccessTests.readerGivesUp,
                                                until: { $0.contains("event: page") }) {
                try await Task.sleep(for: .milliseconds(300))
                let intake = try await client.call(.post, "/v1/complaints", token: agent, body: """
                    {"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000"},"description":"late","categoryId":"\(category)","receivedAt":"\(received)"}
                    """)
                #expect(intake.status == .created)
                _ = try await database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
                    try await EscalationStore(pool: pool).escalateDue(batch: 10)
                }
            }
            botHasItsPage.withLockedValue { $0 = true }
            #expect(text.hasPrefix("retry: 3000"))
            let data = try #require(text.components(separatedBy: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
            let page = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            #expect((page["recipientUserId"] as? String)?.lowercased() == org.a.users[.bot]!.path)
            #expect(page["tier"] as? Int == 1 && page["rung"] as? Int == 1)
            #expect(!text.contains("王小明") && !text.contains("8000"), "no customer personal data reaches bots")
            let other = try await foreign
            #expect(other.hasPrefix("retry: 3000") && !other.contains("event: page"), "another branch's head gets none of these pages")
            // A stream begins with every open page its caller may see, all sent before its first heartbeat.
            let opened = try await Self.readStream(port: port, token: head, seconds: PageStreamAccessTests.readerGivesUp,
                                                   until: { $0.contains(": keep-alive") }, whileReading: {})
            #expect(opened.contains(": keep-alive") && !opened.contains("event: page"), "nor when it opens a stream afterwards")
        }
    }

    @Test func adminsManageWebhooksOfTheirBranchOnly() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let bot = org.a.users[.bot]!.path
            let created = try await client.call(.post, "/v1/webhooks", token: admin,
                                                body: #"{"userId":"\#(bot)","url":"https://bots.example.com/redress"}"#)
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store", "the secret is not to be cached")
            let secret = try #require(created.json["secret"] as? String)
            #expect(secret.hasPrefix("whs_") && secret.count == 47)
            let id = try #require(created.json["id"] as? String)

            let listed = try await client.call(.get, "/v1/webhooks", token: admin)
            #expect(listed.items.count == 1 && listed.items.first?["secret"] == nil, "the secret is shown once")
            let rotated = try await client.call(.patch, "/v1/webhooks/\(id)", token: admin, body: #"{"rotateSecret":true,"active":false}"#)
            #expect(rotated.json["active"] as? Bool == false)
            #expect((rotated.json["secret"] as? String).map { $0 != secret && $0.hasPrefix("whs_") } == true)
            #expect(try await client.call(.get, "/v1/webhooks/\(id)/deliveries", token: admin).items.isEmpty)

            let foreignAdmin = try await client.signIn(org.b.code, "admin")
            #expect(try await client.call(.get, "/v1/webhooks", token: foreignAdmin).items.isEmpty)
            #expect(try await client.call(.patch, "/v1/webhooks/\(id)", token: foreignAdmin, body: #"{"active":true}"#).status == .notFound)
            #expect(try await client.call(.get, "/v1/webhooks/\(id)/deliveries", token: foreignAdmin).status == .notFound)
            let agent = try await client.signIn(org.a.code, "agent")
            #expect(try await client.call(.get, "/v1/webhooks", token: agent).status == .forbidden)
            #expect(try await client.call(.get, "/v1/webhooks", token: org.a.botKey).status == .forbidden)

            func fields(_ body: String) async throws -> [String] {
                try await client.call(.post, "/v1/webhooks", token: admin, body: body).problemFields
            }
            #expect(try await fields(#"{"userId":"\#(bot)","url":"ftp://bots.example.com"}"#) == ["/url"])
            #expect(try await fields(#"{"userId":"\#(bot)","url":"https://user:pw@bots.example.com"}"#) == ["/url"])
            #expect(try await fields(#"{"userId":"\#(bot)","url":"relative/path"}"#) == ["/url"])
            #expect(try await fields(#"{"userId":"\#(org.b.users[.bot]!.path)","url":"https://bots.example.com"}"#) == ["/userId"])
            #expect(try await fields(#"{"userId":"\#(bot)","url":"https://bots.example.com","secret":"mine"}"#) == ["/secret"])
            #expect(try await client.call(.get, "/v1/webhooks/\(id)/deliveries?state=lost", token: admin).problemFields == ["state"])
            #expect(try await client.call(.get, "/v1/webhooks", token: admin).items.count == 1, "nothing was added")
        }
    }

    /// Webhooks through the client generated from openapi.yaml: the new one's path in `Location`,
    /// its secret in the answers that made it only.
    @Test func theGeneratedClientRegistersWebhooks() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try client.api(try await client.signIn(org.a.code, "admin"))
            let bot = try #require(org.a.users[.bot]).path
            let created = try await admin.createWebhook(body: .json(.init(userId: bot, url: "https://bots.example.com/redress"))).created
            let webhook = try created.body.json
            #expect(created.headers.location == "/v1/webhooks/\(webhook.id)" && webhook.userId == bot && webhook.active)
            #expect(webhook.secret?.hasPrefix("whs_") == true)
            #expect(try await admin.listWebhooks().ok.body.json.items.map(\.secret) == [nil], "the secret is shown once")
            let rotated = try await admin.updateWebhook(path: .init(id: webhook.id), body: .json(.init(active: false, rotateSecret: true)))
            let changed = try rotated.ok.body.json
            #expect(!changed.active && changed.secret != nil && changed.secret != webhook.secret)
            let deliveries = try await admin.listWebhookDeliveries(path: .init(id: webhook.id), query: .init(state: .dead, limit: 10))
            #expect(try deliveries.ok.body.json.items.isEmpty)
            let moved = try await admin.updateWebhook(path: .init(id: webhook.id), body: .json(.init(url: "https://10.0.0.1/")))
            #expect(try moved.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/url"])
        }
    }
}
