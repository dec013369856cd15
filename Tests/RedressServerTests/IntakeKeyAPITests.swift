import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
@testable import RedressServer
import RedressStore
import RedressTestSupport
import Testing

/// Channels' intake keys over real HTTP: a key takes complaints in for its branch on its channel,
/// with idempotency, and is refused everything else the contract serves.
@Suite("Intake keys take complaints in and nothing else")
struct IntakeKeyAPITests {
    static let webIntake = #"{"channel":"web","complainant":{"name":"Li Lei","email":"li@example.com","language":"en"},"description":"The form lost my order"}"#

    /// Issues an intake key for `channel` as the branch's admin; returns the key's record and secret.
    static func issue(_ client: any TestClientProtocol, admin: String, channel: String = "web") async throws -> ([String: Any], String) {
        let (key, secret, _) = try await issueSigned(client, admin: admin, channel: channel)
        return (key, secret)
    }

    /// Issues an intake key and returns its signing secret too (a mail gateway's key has one).
    static func issueSigned(_ client: any TestClientProtocol, admin: String, channel: String) async throws
        -> ([String: Any], String, String?) {
        let issued = try await client.call(.post, "/v1/api-keys", token: admin,
                                           body: #"{"kind":"intake","channel":"\#(channel)","name":"\#(channel) intake"}"#)
        #expect(issued.status == .created, "\(String(decoding: issued.body, as: UTF8.self))")
        return (try #require(issued.json["key"] as? [String: Any]), try #require(issued.json["secret"] as? String),
                issued.json["signingSecret"] as? String)
    }

    @Test func anIntakeKeyTakesComplaintsInOnItsChannelOnly() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let (key, secret) = try await Self.issue(client, admin: admin)
            #expect(key["kind"] as? String == "intake" && key["channel"] as? String == "web")
            let taker = try #require(key["userId"] as? String)

            let taken = try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake,
                                              headers: ["Idempotency-Key": "form-submission-1"])
            #expect(taken.status == .created, "\(String(decoding: taken.body, as: UTF8.self))")
            let id = try #require(taken.json["id"] as? String)
            #expect(taken.json["accessCode"] is String && taken.json["createdBy"] as? String == taker)
            #expect(taken.json["branchId"] as? String == org.a.id.uuidString.lowercased())
            #expect((taken.json["complainant"] as? [String: Any])?["email"] as? String != "li@example.com", "masked to the key")
            let again = try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake,
                                              headers: ["Idempotency-Key": "form-submission-1"])
            #expect(again.status == .ok && again.json["id"] as? String == id && again.json["accessCode"] == nil, "a retry is the first")
            let agentFirst = try await client.signIn(org.a.code, "agent")
            _ = try await ComplaintLifecycleAPITests.step(client, id, "resolve_on_the_spot", token: agentFirst, body: #"{"resolution":"Refunded in full"}"#)
            let later = try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake,
                                              headers: ["Idempotency-Key": "form-submission-1"])
            #expect(later.json["id"] as? String == id && later.json["resolution"] == nil, "a retry reads nothing staff did since")
            let phone = try await client.call(.post, "/v1/complaints", token: secret,
                                              body: Self.webIntake.replacingOccurrences(of: #""channel":"web""#, with: #""channel":"phone""#))
            #expect(phone.status == .unprocessableContent && phone.problemFields == ["/channel"])

            // The agent sees it, taken in by the key.
            let agent = try await client.signIn(org.a.code, "agent")
            let seen = try await client.call(.get, "/v1/complaints/\(id)", token: agent)
            #expect(seen.status == .ok && seen.json["channel"] as? String == "web")
            let timeline = try await client.call(.get, "/v1/complaints/\(id)/timeline", token: agent).items
            #expect(timeline.first?["actorRoles"] as? [String] == ["intake"] && timeline.first?["actorId"] as? String == taker)

            // The key's user is no one's colleague; revoking the key ends it.
            #expect(try await client.call(.get, "/v1/users?limit=200", token: admin).items.allSatisfy { $0["id"] as? String != taker })
            #expect(try await client.call(.patch, "/v1/users/\(taker)", token: admin, body: #"{"name":"Renamed"}"#).status == .notFound)
            #expect(try await client.call(.delete, "/v1/api-keys/\(key["id"] as! String)", token: admin).status == .noContent)
            #expect(try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake).status == .unauthorized)

            // Keys are asked for with what their kind needs.
            for (body, field) in [(#"{"kind":"intake","name":"Form"}"#, "/channel"),
                                  (#"{"kind":"intake","channel":"web","userId":"\#(org.a.users[.bot]!.uuidString)","name":"Form"}"#, "/userId"),
                                  (#"{"name":"Form"}"#, "/userId"), (#"{"channel":"web","userId":"\#(org.a.users[.bot]!.uuidString)","name":"Form"}"#, "/channel")] {
                let refused = try await client.call(.post, "/v1/api-keys", token: admin, body: body)
                #expect(refused.status == .unprocessableContent && refused.problemFields == [field], "\(body)")
            }
            let agentIssues = try await client.call(.post, "/v1/api-keys", token: agent, body: #"{"kind":"intake","channel":"web","name":"Form"}"#)
            #expect(agentIssues.status == .forbidden)
        }
    }

    /// Posts `mail` to the inbound-email endpoint with `key`, signed with `signingKey`, as the gateway
    /// verified (`verified`) its sender or not.
    static func pass(_ client: any TestClientProtocol, key: String, signingKey: String, from: String = "Li Lei <Li@Example.com>",
                     subject: String, text: String, messageID: String, verified: Bool = true) async throws -> APIResponse {
        let object: [String: Any] = ["from": from, "subject": subject, "text": text, "messageId": messageID, "senderVerified": verified]
        let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let timestamp = Int(Date().timeIntervalSince1970)
        return try await client.call(.post, "/v1/inbound/email", token: key, body: String(decoding: body, as: UTF8.self), headers: [
            "Redress-Timestamp": String(timestamp),
            "Redress-Signature": WebhookSignature.sign(body: body, timestamp: timestamp, secret: signingKey),
        ])
    }

    @Test func aMailGatewayOpensComplaintsAndAddsRepliesToTheirCase() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let agent = try await client.signIn(org.a.code, "agent")
            let (_, mailKey, signingSecret) = try await Self.issueSigned(client, admin: admin, channel: "email")
            let signing = try #require(signingSecret, "a mail gateway's key has a signing secret")
            let (_, webKey) = try await Self.issue(client, admin: admin, channel: "web")

            // A new message opens a complaint on channel email, once however often it is passed on.
            let opened = try await Self.pass(client, key: mailKey, signingKey: signing, subject: "Charged twice", text: "Both in November.", messageID: "<a1@mail>")
            #expect(opened.status == .created && opened.json["outcome"] as? String == "opened",
                    "\(String(decoding: opened.body, as: UTF8.self))")
            let id = try #require(opened.json["complaintId"] as? String)
            let caseNumber = try #require(opened.json["caseNumber"] as? String)
            let again = try await Self.pass(client, key: mailKey, signingKey: signing, subject: "Charged twice", text: "Both in November.", messageID: "<a1@mail>")
            #expect(again.status == .ok && again.json["complaintId"] as? String == id && again.json["replayed"] as? Bool == true)
            let complaint = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
            #expect(complaint["channel"] as? String == "email" && complaint["description"] as? String == "Charged twice\n\nBoth in November.")
            let person = try #require(complaint["complainant"] as? [String: Any])
            #expect(person["email"] as? String == "li@example.com" && person["name"] as? String == "Li Lei" && person["language"] as? String == "en")

            // A reply naming the case, from the complainant's address, lands on that complaint, once.
            let reply = try await Self.pass(client, key: mailKey, signingKey: signing, from: "li@example.com", subject: "Re: [\(caseNumber)] Charged twice",
                                            text: "The second charge was on 3 November.", messageID: "<a2@mail>")
            #expect(reply.status == .ok && reply.json["outcome"] as? String == "added" && reply.json["complaintId"] as? String == id,
                    "\(String(decoding: reply.body, as: UTF8.self))")
            let statement = try #require(reply.json["communicationId"] as? String)
            let retried = try await Self.pass(client, key: mailKey, signingKey: signing, from: "li@example.com", subject: "Re: [\(caseNumber)] Charged twice",
                                              text: "The second charge was on 3 November.", messageID: "<a2@mail>")
            #expect(retried.json["communicationId"] as? String == statement && retried.json["replayed"] as? Bool == true)
            let log = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
            #expect(log.filter { $0["kind"] as? String == "statement" && $0["channel"] as? String == "email" }.count == 1)
            #expect(try await ComplaintLifecycleAPITests.timeline(client, id, token: agent).contains("statement_received"))

            // A reply the gateway could not verify the sender of opens a complaint of its own, as does
            // someone else naming the case; the case's log is unchanged.
            let unverified = try await Self.pass(client, key: mailKey, signingKey: signing, from: "li@example.com",
                                                 subject: "Re: [\(caseNumber)]", text: "Close it.", messageID: "<a3@mail>", verified: false)
            #expect(unverified.status == .created && unverified.json["complaintId"] as? String != id)
            let stranger = try await Self.pass(client, key: mailKey, signingKey: signing, from: "mallory@example.net", subject: "Re: [\(caseNumber)]",
                                               text: "Close this case.", messageID: "<m1@mail>")
            #expect(stranger.status == .created && stranger.json["complaintId"] as? String != id)
            #expect(try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items.count == log.count)

            // Unsigned, badly signed, stale, or with another channel's key: refused, nothing taken.
            let forged = try await Self.pass(client, key: mailKey, signingKey: mailKey, subject: "x", text: "y", messageID: "<f1@mail>")
            #expect(forged.status == .unauthorized)
            let unsigned = try await client.call(.post, "/v1/inbound/email", token: mailKey,
                                                 body: #"{"from":"a@b.c","subject":"x","text":"y","messageId":"<u1@mail>"}"#)
            #expect(unsigned.status == .badRequest || unsigned.status == .unauthorized)
            #expect(try await Self.pass(client, key: webKey, signingKey: signing, subject: "x", text: "y", messageID: "<w1@mail>").status == .forbidden)
            let noAddress = try await Self.pass(client, key: mailKey, signingKey: signing, from: "Li Lei", subject: "x", text: "y", messageID: "<n1@mail>")
            #expect(noAddress.status == .unprocessableContent && noAddress.problemFields == ["/from"])
            let complaints = try await client.call(.get, "/v1/complaints?channel=email", token: agent).items
            #expect(complaints.count == 3, "the opened one, the unverified reply and the stranger's")
        }
    }

    @Test func anIntakeKeyHasALimitOfItsOwn() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.intakeKeyRequestsPerMinute = 2
        try await APIHarness.run(server: server) { harness, client in
            let admin = try await client.signIn(harness.organisation.a.code, "admin")
            let (_, secret) = try await Self.issue(client, admin: admin)
            for _ in 0..<2 { #expect(try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake).status == .created) }
            let third = try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake)
            #expect(third.status == .tooManyRequests && third.headers[.retryAfter] != nil)
            #expect(try await client.call(.get, "/v1/me", token: admin).status == .ok, "people keep theirs")
        }
    }

    /// Every operation the contract serves to a credential, but intake and inbound mail, refuses an intake key,
    /// whatever it names: it reads nothing and changes nothing else.
    @Test func anIntakeKeyReadsNothing() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.intakeKeyRequestsPerMinute = 1_000_000
        try await APIHarness.run(server: server) { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let (_, secret) = try await Self.issue(client, admin: admin)
            let id = try #require(try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake).json["id"] as? String)
            var refused = 0
            for operation in try ContractDocument.served.get().operations.values.sorted(by: { $0.path < $1.path }) where !operation.isPublic {
                guard !(operation.method == "POST" && ["/v1/complaints", "/v1/inbound/email"].contains(operation.path)) else { continue }
                let path = operation.path.replacing(/\{[^}]+\}/) { _ in id }
                let method = HTTPRequest.Method(rawValue: operation.method) ?? .get
                let answer = try await client.call(method, path, token: secret, body: operation.body == nil ? nil : "{}")
                #expect(answer.status == .forbidden, "\(operation.method) \(path) answered \(answer.status)")
                refused += 1
            }
            #expect(refused > 70, "the contract's operations were tried")
        }
    }
}
