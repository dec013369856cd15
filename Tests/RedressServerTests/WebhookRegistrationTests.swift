import Foundation
import Hummingbird
import HummingbirdTesting
import RedressCore
import RedressServer
import RedressTestSupport
import Testing

@Suite("Webhook registration refuses internal targets and non-bot recipients")
struct WebhookRegistrationTests {
    /// A branch admin tries to point webhooks at the operator's network and at a person's pages:
    /// every attempt is a 422 naming the field, and no webhook is added.
    @Test func internalTargetsPlainHTTPAndPeopleAreRefused() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let bot = org.a.users[.bot]!.path
            for url in ["http://bots.example.com/hook", "https://127.0.0.1:8080/hook", "https://169.254.169.254/latest/meta-data/",
                        "https://10.1.2.3/", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://[fd00:ec2::254]/",
                        "https://100.100.100.200/", "https://localhost:5432/", "https://0.0.0.0/", "http://192.168.1.1/"] {
                let response = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"userId":"\#(bot)","url":"\#(url)"}"#)
                #expect(response.status == .unprocessableContent, "\(url)")
                #expect(response.problemFields == ["/url"], "\(url)")
            }
            let person = try await client.call(.post, "/v1/webhooks", token: admin,
                                               body: #"{"userId":"\#(org.a.users[.branchManager]!.path)","url":"https://bots.example.com/"}"#)
            #expect(person.status == .unprocessableContent && person.problemFields == ["/userId"], "only bots' pages go to webhooks")
            #expect(try await client.call(.get, "/v1/webhooks", token: admin).items.isEmpty, "nothing was added")

            let created = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"userId":"\#(bot)","url":"https://bots.example.com/"}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let moved = try await client.call(.patch, "/v1/webhooks/\(id)", token: admin, body: #"{"url":"http://169.254.169.254/"}"#)
            #expect(moved.status == .unprocessableContent && moved.problemFields == ["/url"])
            let listed = try await client.call(.get, "/v1/webhooks", token: admin)
            #expect(listed.items.map { $0["url"] as? String } == ["https://bots.example.com/"], "the address did not change")
        }
    }

    @Test func theOperatorsAllowListAdmitsNamedInternalTargets() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.webhookTargets = WebhookTargetPolicy(allowing: ["127.0.0.1", "bots.internal"])
        try await APIHarness.run(server: server) { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let bot = org.a.users[.bot]!.path
            for url in ["http://127.0.0.1:9000/hook", "http://bots.internal/hook"] {
                #expect(try await client.call(.post, "/v1/webhooks", token: admin,
                                              body: #"{"userId":"\#(bot)","url":"\#(url)"}"#).status == .created, "\(url)")
            }
            #expect(try await client.call(.post, "/v1/webhooks", token: admin,
                                          body: #"{"userId":"\#(bot)","url":"http://10.0.0.1/"}"#).problemFields == ["/url"])
        }
    }
}
