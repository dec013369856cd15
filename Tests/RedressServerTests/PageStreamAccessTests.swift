import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import Postgres
import RedressCore
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Page streams end with their credential and are capped per credential")
struct PageStreamAccessTests {
    static func server(streams: Int = 4) -> ServerConfiguration {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.pageStreamHeartbeat = .seconds(1)
        server.pageStreamsPerCredential = streams
        return server
    }

    /// How long a reader waits for a stream to end by itself. Alone, a stream ends within about
    /// two heartbeats (seconds); with the whole suite running, every step waits its turn behind
    /// hundreds of other tests, and the end has taken over a minute.
    static let readerGivesUp = 240
    /// A stream that ended before this ended by itself, not because its reader gave up.
    static let endedByItself: Duration = .seconds(readerGivesUp - 5)

    /// A key is revoked while its stream is open; then a page for its bot is enqueued. The stream
    /// ends within a heartbeat and carries no page, although the page exists.
    @Test func aRevokedKeysOpenStreamEndsAndDeliversNothingMore() async throws {
        try await APIHarness.run(server: Self.server()) { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let agent = try await client.signIn(org.a.code, "agent")
            let issued = try await client.call(.post, "/v1/api-keys", token: admin,
                                               body: #"{"userId":"\#(org.a.users[.bot]!.path)","name":"stolen"}"#)
            let key = try #require(issued.json["secret"] as? String)
            let keyID = try #require((issued.json["key"] as? [String: Any])?["id"] as? String)
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-25 * 3600))
            let port = try #require(client.port)
            let database = harness.database
            let started = ContinuousClock.now
            let text = try await PageStreamAndWebhookAPITests.readStream(port: port, token: key, seconds: Self.readerGivesUp, until: { _ in false }) {
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await client.call(.delete, "/v1/api-keys/\(keyID)", token: admin).status == .noContent)
                #expect(try await client.call(.post, "/v1/complaints", token: agent, body: """
                    {"channel":"phone","complainant":{"name":"C"},"description":"late","categoryId":"\(category)","receivedAt":"\(received)"}
                    """).status == .created)
                _ = try await database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
                    try await EscalationStore(pool: pool).escalateDue(batch: 10)
                }
            }
            #expect(ContinuousClock.now - started < Self.endedByItself, "the stream ended by itself, before the reader gave up")
            #expect(text.hasPrefix("retry: 3000") && !text.contains("event: page"), "nothing after the revocation")
            let pages = try await client.call(.get, "/v1/pages", token: org.a.botKey)
            #expect(pages.items.count >= 1, "the bot does have the page; the revoked key's stream did not carry it")
        }
    }

    /// Signing out, and deactivating the user, end the streams of their sessions.
    @Test func signOutAndDeactivationEndOpenStreams() async throws {
        try await APIHarness.run(server: Self.server()) { harness, client in
            let org = harness.organisation
            let port = try #require(client.port)
            let head = try await client.signIn(org.a.code, "department_head")
            var started = ContinuousClock.now
            let signedOut = try await PageStreamAndWebhookAPITests.readStream(port: port, token: head, seconds: Self.readerGivesUp, until: { _ in false }) {
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await client.call(.post, "/v1/auth/sign-out", token: head).status == .noContent)
            }
            #expect(ContinuousClock.now - started < Self.endedByItself && signedOut.hasPrefix("retry: 3000"), "ended by itself")

            let admin = try await client.signIn(org.a.code, "admin")
            let handler = try await client.signIn(org.a.code, "handler")
            started = ContinuousClock.now
            _ = try await PageStreamAndWebhookAPITests.readStream(port: port, token: handler, seconds: Self.readerGivesUp, until: { _ in false }) {
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await client.call(.patch, "/v1/users/\(org.a.users[.handler]!.path)", token: admin,
                                              body: #"{"active":false}"#).status == .ok)
            }
            #expect(ContinuousClock.now - started < Self.endedByItself, "a deactivated user's stream ends by itself")
        }
    }

    /// One credential opens streams until the cap; the next is a 429 problem, another credential
    /// is unaffected, and a closed stream frees its place.
    @Test func streamsPerCredentialAreCapped() async throws {
        try await APIHarness.run(server: Self.server(streams: 2)) { harness, client in
            let org = harness.organisation
            let port = try #require(client.port)
            let key = org.a.botKey
            let probed = NIOLockedValueBox(false)
            let done: @Sendable (String) -> Bool = { _ in probed.withLockedValue { $0 } }
            // Two streams are open (each answered before the next is asked for) while a third is refused;
            // both end at the heartbeat after the probe, whatever the machine's speed.
            let one = try await PageStreamAndWebhookAPITests.readStream(port: port, token: key, seconds: Self.readerGivesUp, until: done) {
                let two = try await PageStreamAndWebhookAPITests.readStream(port: port, token: key, seconds: Self.readerGivesUp, until: done) {
                    let third = try await client.call(.get, "/v1/pages/stream", token: key)
                    #expect(third.status == .tooManyRequests)
                    #expect(third.json["type"] as? String == "https://redress.dev/problems/too-many-streams")
                    #expect(third.headers[.retryAfter] != nil)
                    let other = try await PageStreamAndWebhookAPITests.readStream(
                        port: port, token: try await client.signIn(org.a.code, "agent"), seconds: Self.readerGivesUp, until: { $0.hasPrefix("retry") }) {}
                    #expect(other.hasPrefix("retry: 3000"), "another credential has its own count")
                    probed.withLockedValue { $0 = true }
                }
                #expect(two.hasPrefix("retry: 3000"))
            }
            #expect(one.hasPrefix("retry: 3000"))
            // The closed streams give their places back once the server notices (at a heartbeat):
            // asked again until admitted (see `readerGivesUp`).
            let started = ContinuousClock.now
            var admitted = false
            while !admitted && ContinuousClock.now - started < .seconds(Self.readerGivesUp) {
                admitted = try await Self.streamAdmits(port: port, token: key)
                if !admitted { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(admitted, "a closed stream's place is given back")
        }
    }

    /// Whether a stream request with `token` is admitted now (200 and its first event arrives);
    /// the stream is closed again at once.
    static func streamAdmits(port: Int, token: String) async throws -> Bool {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/pages/stream")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            var admitted = false
            if response.status == .ok {
                for try await chunk in response.body where String(buffer: chunk).contains("retry: 3000") {
                    admitted = true
                    break
                }
            }
            try await http.shutdown()
            return admitted
        } catch {
            try await http.shutdown()
            throw error
        }
    }
}
