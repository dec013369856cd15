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

/// Messages to complainants over real HTTP: a branch's gateway on loopback that checks every
/// signature receives the confirmation, the initial reply and progress updates in the
/// complainant's language, and their delivery meets the milestones.
@Suite("Messages to complainants through the branch's gateway")
struct ComplainantMessageAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests
    typealias Progress = PublicProgressAPITests

    static let keys = PersonalDataKeys.generate()
    static let store = StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600), personalDataKeys: keys)
    /// The server, allowed to register a gateway on loopback.
    static var server: ServerConfiguration {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.webhookTargets = WebhookTargetPolicy(allowing: ["127.0.0.1"])
        server.gatewayHosts = ["127.0.0.1"]
        return server
    }

    /// Delivers what is due, as the scheduler's deliverer does, then lets the scheduler recompute
    /// the schedules that deliveries met milestones of.
    static func deliver(_ harness: APIHarness, maxAttempts: Int = 3) async throws -> Int {
        try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
            let listen = PGConnectionConfiguration(harness.database.schedulerURL)
            var configuration = DeliveryConfiguration(maxAttempts: maxAttempts, timeout: .seconds(5),
                                                      targets: WebhookTargetPolicy(allowing: ["127.0.0.1"]))
            configuration.gatewayHosts = ["127.0.0.1"]
            let deliverer = WebhookDeliverer(pool: pool, listen: listen, configuration: configuration, keys: keys)
            let attempts = try await deliverer.drain()
            _ = try await EscalationScheduler(pool: pool, listen: listen).recomputeStale()
            return attempts
        }
    }

    /// The messages the receiver accepted, decoded.
    static func messages(_ receiver: WebhookReceiver) -> [[String: Any]] {
        receiver.received.withLockedValue { $0 }.filter(\.signatureValid).compactMap { received in
            ((try? JSONSerialization.jsonObject(with: received.body)) as? [String: Any])?["message"] as? [String: Any]
        }
    }

    /// Registers the branch's gateway at `url` as the branch's admin, and gives `receiver` its secret.
    static func registerGateway(_ client: any TestClientProtocol, admin: String, url: String, receiver: WebhookReceiver) async throws {
        let gateway = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"kind":"gateway","url":"\#(url)"}"#)
        #expect(gateway.status == .created, "\(String(decoding: gateway.body, as: UTF8.self))")
        #expect(gateway.json["kind"] as? String == "gateway" && gateway.json["userId"] == nil)
        receiver.secret.withLockedValue { $0 = gateway.json["secret"] as? String ?? "" }
    }

    /// Runs `body` on a server whose branch A has its gateway at a loopback receiver answering the
    /// n-th delivery with `answer(n)`, with A's admin and agent signed in.
    static func withGateway(answer: @escaping @Sendable (Int) -> HTTPResponse.Status = { _ in .ok },
                            _ body: @escaping @Sendable (_ harness: APIHarness, _ client: any TestClientProtocol, _ receiver: WebhookReceiver,
                                                         _ admin: String, _ agent: String) async throws -> Void) async throws {
        let receiver = WebhookReceiver(answer: answer)
        try await receiver.serve { url in
            try await APIHarness.run(server: Self.server, store: Self.store) { harness, client in
                let admin = try await client.signIn(harness.organisation.a.code, "admin")
                let agent = try await client.signIn(harness.organisation.a.code, "agent")
                try await Self.registerGateway(client, admin: admin, url: url, receiver: receiver)
                try await body(harness, client, receiver, admin, agent)
            }
        }
    }

    static func completed(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [String] {
        let complaint = try await client.call(.get, "/v1/complaints/\(id)", token: token).json
        return (complaint["sla"] as? [String: Any])?["completed"] as? [String] ?? []
    }

    @Test func theGatewayCarriesEachMessageSignedAndItsDeliveryMeetsTheMilestone() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await APIHarness.run(server: Self.server, store: Self.store) { harness, client in
                let org = harness.organisation
                let admin = try await client.signIn(org.a.code, "admin")
                let agent = try await client.signIn(org.a.code, "agent")
                try await Self.registerGateway(client, admin: admin, url: url, receiver: receiver)
                let second = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"kind":"gateway","url":"\#(url)"}"#)
                #expect(second.status == .conflict, "one active gateway per branch")
                let settings = try await client.call(.put, "/v1/message-settings", token: admin,
                                                     body: #"{"contact":"400-800-1234","publicUrl":"https://complaints.example.com/track"}"#)
                #expect(settings.status == .ok)
                let template = try await client.call(.put, "/v1/message-templates/graded/sms/en", token: admin,
                                                     body: #"{"body":"{{caseNumber}} is level {{level}}; answer by {{promisedBy}}. Call {{contact}}."}"#)
                #expect(template.status == .ok, "\(String(decoding: template.body, as: UTF8.self))")

                // Intake: the confirmation, in English, to the complainant's phone, with the case number and code.
                let category = try await Lifecycle.billing(client, token: agent)
                let (id, caseNumber, code) = try await Progress.intake(client, token: agent, category: category)
                let waiting = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await PersonalDataStore(owner: owner, keys: Self.keys).waitingMessages()
                }
                #expect(waiting == [Self.keys.currentKeyID: 1], "`redress pii status` counts the message waiting under its key")
                #expect(try await Self.deliver(harness) == 1)
                let confirmation = try #require(Self.messages(receiver).first)
                #expect(confirmation["event"] as? String == "received" && confirmation["channel"] as? String == "sms")
                #expect(confirmation["language"] as? String == "en" && confirmation["to"] as? String == "+86 138 0013 8000")
                let text = try #require(confirmation["body"] as? String)
                #expect(text.contains(caseNumber) && text.contains(code) && text.contains("王小明"), "\(text)")
                #expect(text.contains("https://complaints.example.com/track?case=\(caseNumber)") && text.contains("400-800-1234"))
                let delivery = try #require(receiver.received.withLockedValue { $0 }.first)
                #expect(delivery.deliveryID == confirmation["id"] as? String, "the delivery id is the message's")
                #expect(try await Self.completed(client, id, token: agent) == ["acknowledge"], "delivered: the confirmation is met")

                // The log keeps the text with the code and the name masked; the notifications say how it went.
                let notifications = try await client.call(.get, "/v1/complaints/\(id)/notifications", token: agent).items
                #expect(notifications.count == 1 && notifications.first?["state"] as? String == "delivered")
                #expect(notifications.first?["recipient"] as? String != "+86 138 0013 8000")
                let logged = try #require(try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items.first)
                #expect(logged["id"] as? String == notifications.first?["communicationId"] as? String)
                #expect(logged["kind"] as? String == "confirmation" && logged["direction"] as? String == "outbound")
                let content = try #require(logged["content"] as? String)
                #expect(content.contains(caseNumber) && !content.contains(code) && !content.contains("王小明"), "\(content)")

                // Grading: the branch's own wording, with the level and the promised time.
                _ = try await Lifecycle.step(client, id, "grade", token: agent, body: #"{"level":2,"priority":"important"}"#)
                #expect(try await Self.deliver(harness) == 1)
                let reply = try #require(Self.messages(receiver).last)
                #expect(reply["event"] as? String == "graded")
                let replyText = try #require(reply["body"] as? String)
                #expect(replyText.hasPrefix("\(caseNumber) is level 2; answer by 20") && replyText.hasSuffix("Call 400-800-1234."), "\(replyText)")
                #expect(try await Self.completed(client, id, token: agent) == ["acknowledge", "initial_reply"])

                // A progress update a handler sends.
                let update = try await client.call(.post, "/v1/complaints/\(id)/progress-updates", token: agent,
                                                   body: #"{"text":"We found the second charge and are refunding it."}"#)
                #expect(update.status == .created && update.json["state"] as? String == "pending")
                #expect(try await Self.deliver(harness) == 1)
                #expect((Self.messages(receiver).last?["body"] as? String)?.contains("refunding it") == true)
                #expect(try await Self.completed(client, id, token: agent) == ["acknowledge", "initial_reply", "preliminary_feedback"])
                #expect(try await Self.deliver(harness) == 0, "nothing is sent twice")
                let everything = receiver.received.withLockedValue { $0 }
                #expect(everything.allSatisfy { $0.signatureValid })

                // The month's report counts them per channel.
                let manager = try await client.signIn(org.a.code, "branch_manager")
                let report = try await client.call(.get, "/v1/reports/complaints", token: manager).json
                let sms = try #require((report["messages"] as? [[String: Any]])?.first)
                #expect(sms["channel"] as? String == "sms" && sms["sent"] as? Int == 3 && sms["delivered"] as? Int == 3)
                #expect(sms["deliveryRate"] as? Double == 1)

                // Another department's handler and another branch see none of it and send nothing.
                for (branch, login) in [(org.a.code, "other"), (org.b.code, "agent")] {
                    let outsider = try await client.signIn(branch, login)
                    #expect(try await client.call(.get, "/v1/complaints/\(id)/notifications", token: outsider).status == .notFound)
                    #expect(try await client.call(.post, "/v1/complaints/\(id)/progress-updates", token: outsider,
                                                  body: #"{"text":"forged"}"#).status == .notFound)
                }
                #expect(try await Self.deliver(harness) == 0)
            }
        }
    }

    @Test func templatesAreCheckedAndAComplainantWithoutAGatewayIsToldByPhone() async throws {
        try await APIHarness.run(store: Self.store) { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let agent = try await client.signIn(org.a.code, "agent")
            let unknown = try await client.call(.put, "/v1/message-templates/received/sms/zh-Hans", token: admin,
                                                body: #"{"body":"您的投诉{{caseNumber}}，密码{{password}}"}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect((unknown.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "/body")
            #expect(String(decoding: unknown.body, as: UTF8.self).contains("{{password}}"))
            let unclosed = try await client.call(.put, "/v1/message-templates/received/email/en", token: admin,
                                                 body: #"{"subject":"Case {{caseNumber","body":"Thanks"}"#)
            #expect(unclosed.status == .unprocessableContent && (unclosed.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "/subject")
            #expect(try await client.call(.put, "/v1/message-templates/received/fax/en", token: admin, body: #"{"body":"x"}"#).status == .badRequest)
            #expect(try await client.call(.put, "/v1/message-templates/received/sms/en", token: agent, body: #"{"body":"x"}"#).status == .forbidden)
            #expect(try await client.call(.get, "/v1/message-templates", token: admin).items.isEmpty, "nothing refused was saved")
            #expect(try await client.call(.delete, "/v1/message-templates/received/sms/en", token: admin).status == .notFound)
            // Messages carry personal data: a gateway goes only where the operator allows (none here).
            let refused = try await client.call(.post, "/v1/webhooks", token: admin, body: #"{"kind":"gateway","url":"https://sms.example.com/in"}"#)
            #expect(refused.status == .unprocessableContent && (refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "/url")

            // No gateway: the message is written, and marked unsent when it falls due, so staff phone instead.
            let category = try await Lifecycle.billing(client, token: agent)
            let (id, _, _) = try await Progress.intake(client, token: agent, category: category)
            #expect(try await Self.deliver(harness) == 0)
            let notifications = try await client.call(.get, "/v1/complaints/\(id)/notifications", token: agent).items
            #expect(notifications.map { $0["state"] as? String } == ["unsent"] && notifications.first?["lastError"] as? String == "no_gateway")
            #expect(try await Self.completed(client, id, token: agent) == [])
            // A complainant who left no address on the channel.
            let anonymous = try await client.call(.post, "/v1/complaints", token: agent,
                                                  body: #"{"channel":"visit","complainant":{"customerType":"individual"},"description":"Queue too long"}"#)
            #expect(anonymous.status == .created, "\(String(decoding: anonymous.body, as: UTF8.self))")
            let anonymousID = try #require(anonymous.json["id"] as? String)
            let unreachable = try await client.call(.get, "/v1/complaints/\(anonymousID)/notifications", token: agent).items
            #expect(unreachable.first?["lastError"] as? String == "no_address" && unreachable.first?["recipient"] == nil)
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let channels = try await client.call(.get, "/v1/reports/complaints", token: manager).json["messages"] as? [[String: Any]]
            #expect(channels?.map { "\($0["channel"] as? String ?? "") \($0["unsent"] as? Int ?? -1) \($0["deliveryRate"] as? Double ?? -1)" }
                    == ["online 1 0.0", "sms 1 0.0"],
                    "\(channels ?? [])")
            let blank = try await client.call(.post, "/v1/complaints/\(id)/progress-updates", token: agent, body: #"{"text":"  "}"#)
            #expect(blank.status == .unprocessableContent)

            // An email subject names the code and the name: the log keeps both masked, on one line.
            #expect(try await client.call(.put, "/v1/message-templates/received/email/en", token: admin,
                                          body: #"{"subject":"{{caseNumber}}: code {{accessCode}} for {{name}}","body":"Thanks, {{name}}."}"#).status == .ok)
            let mailed = try await client.call(.post, "/v1/complaints", token: agent, body: #"{"channel":"web","complainant":{"name":"Li Lei","email":"li@example.com","language":"en"},"description":"Late delivery"}"#)
            let code = try #require(mailed.json["accessCode"] as? String)
            let mailedID = try #require(mailed.json["id"] as? String)
            let logged = try #require(try await client.call(.get, "/v1/complaints/\(mailedID)/communications", token: agent)
                .items.first?["content"] as? String)
            #expect(!logged.contains(code) && !logged.contains("Li Lei")
                    && logged.hasPrefix("\(mailed.json["caseNumber"] as? String ?? "?"): code ••••"), "\(logged)")

            // A collaborating department's update reaches the complainant but meets no milestone of the responsible one.
            let head = try await client.signIn(org.a.code, "department_head")
            _ = try await Lifecycle.step(client, id, "grade", token: agent, body: #"{"level":2,"priority":"general"}"#)
            _ = try await Lifecycle.step(client, id, "assign", token: head,
                                         body: #"{"collaboratingDepartmentIds":["\#(org.a.departments[1].path)"]}"#)
            let collaborator = try await client.signIn(org.a.code, "other")
            #expect(try await client.call(.post, "/v1/complaints/\(id)/progress-updates", token: collaborator,
                                          body: #"{"text":"The network team is checking your line."}"#).status == .created)
            #expect(try await client.call(.post, "/v1/complaints/\(id)/progress-updates", token: agent,
                                          body: #"{"text":"We are refunding the second charge."}"#).status == .created)
            let milestones: [String?] = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT milestone FROM complainant_messages WHERE event = 'progress_update' ORDER BY created_at, id
                    """).map { try $0.decode(at: 0) }
            }
            #expect(milestones.sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "preliminary_feedback"])
        }
    }

    @Test func aMessageTheGatewayRefusesIsDeadLetteredWithItsSealDroppedAndMeetsNothing() async throws {
        let receiver = WebhookReceiver(answer: { _ in .serviceUnavailable })
        try await receiver.serve { url in
            try await APIHarness.run(server: Self.server, store: Self.store) { harness, client in
                let org = harness.organisation
                let admin = try await client.signIn(org.a.code, "admin")
                let agent = try await client.signIn(org.a.code, "agent")
                try await Self.registerGateway(client, admin: admin, url: url, receiver: receiver)
                #expect(try await client.call(.post, "/v1/webhooks", token: admin,
                                              body: #"{"kind":"gateway","userId":"\#(org.a.users[.bot]!.path)","url":"\#(url)"}"#).status
                        == .unprocessableContent, "a gateway names no one")
                let (id, _, _) = try await Progress.intake(client, token: agent, category: nil)
                #expect(try await Self.deliver(harness, maxAttempts: 1) == 1)
                let message = try #require(try await client.call(.get, "/v1/complaints/\(id)/notifications", token: agent).items.first)
                #expect(message["state"] as? String == "dead" && message["attempts"] as? Int == 1)
                #expect(message["lastError"] as? String == "http 503" && message["deliveredAt"] == nil)
                #expect(try await Self.completed(client, id, token: agent) == [], "an undelivered confirmation meets nothing")
                let sealed: Int = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.query("SELECT count(*)::integer FROM complainant_messages WHERE sealed_box IS NOT NULL")[0].decode(at: 0)
                }
                #expect(sealed == 0, "a settled message keeps no sealed copy")
                #expect(receiver.validCount == 1)
            }
        }
    }

    /// A message waits while an earlier one to the same complainant is backing off, and the
    /// delivery service sleeps until that one's retry rather than waking for the one held.
    @Test func aMessageWaitsForTheOneBeforeItToTheSameComplainant() async throws {
        try await Self.withGateway(answer: { request in request == 1 ? .serviceUnavailable : .ok }) { harness, client, receiver, _, agent in
            let (id, _, _) = try await Progress.intake(client, token: agent, category: nil)
            _ = try await Lifecycle.step(client, id, "grade", token: agent, body: #"{"level":2,"priority":"important"}"#)
            let tried = Date()
            #expect(try await Self.deliver(harness) == 1, "the confirmation is tried and refused; the reply is not tried")
            let held = try await client.call(.get, "/v1/complaints/\(id)/notifications", token: agent).items
            #expect(held.map { "\($0["event"] as? String ?? "") \($0["state"] as? String ?? "") \($0["attempts"] as? Int ?? -1)" }
                    == ["received pending 1", "graded pending 0"], "\(held)")
            let (retryAt, wakeAt): (Date, Date?) = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("""
                    SELECT (SELECT next_attempt_at FROM complainant_messages WHERE event = 'received'), scheduler.next_delivery()
                    """)[0]
                return (try row.decode(at: 0), try row.decode(at: 1))
            }
            #expect(retryAt > tried && wakeAt == retryAt, "the service wakes for the retry (\(retryAt)), not for the reply (\(String(describing: wakeAt)))")

            // Its retry falls due: both go, in the order they were written.
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE complainant_messages SET next_attempt_at = now() WHERE event = 'received'")
            }
            #expect(try await Self.deliver(harness) == 2)
            #expect(Self.messages(receiver).map { $0["event"] as? String } == ["received", "received", "graded"])
            let sent = try await client.call(.get, "/v1/complaints/\(id)/notifications", token: agent).items
            #expect(sent.allSatisfy { $0["state"] as? String == "delivered" })
        }
    }
}
