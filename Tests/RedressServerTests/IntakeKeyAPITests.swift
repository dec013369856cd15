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
        let issued = try await client.call(.post, "/v1/api-keys", token: admin,
                                           body: #"{"kind":"intake","channel":"\#(channel)","name":"Website form"}"#)
        #expect(issued.status == .created, "\(String(decoding: issued.body, as: UTF8.self))")
        return (try #require(issued.json["key"] as? [String: Any]), try #require(issued.json["secret"] as? String))
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

    /// Every operation the contract serves to a credential, but intake, refuses an intake key,
    /// whatever it names: it reads nothing and changes nothing else.
    @Test func anIntakeKeyReadsNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let (_, secret) = try await Self.issue(client, admin: admin)
            let id = try #require(try await client.call(.post, "/v1/complaints", token: secret, body: Self.webIntake).json["id"] as? String)
            var refused = 0
            for operation in ContractDocument.served.operations.values.sorted(by: { $0.path < $1.path }) where !operation.isPublic {
                guard !(operation.method == "POST" && operation.path == "/v1/complaints") else { continue }
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
