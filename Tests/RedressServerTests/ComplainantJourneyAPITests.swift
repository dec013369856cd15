import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
@testable import RedressServer
import RedressStore
import RedressTestSupport
import Testing
import WebhookTestSupport

/// One complainant's whole journey over real HTTP, with the branch's gateway on loopback checking
/// every signature: taken in by the website's intake key in Simplified Chinese, told of the
/// recording, the grading and each result by email, looking the case up with the access code,
/// adding information, answering the survey at 3 and then at 8, writing back by mail, and asking
/// for a review that the complaint office revises; every message in the communications log.
@Suite("A complainant's journey, end to end")
struct ComplainantJourneyAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests
    typealias Progress = PublicProgressAPITests
    typealias Messages = ComplainantMessageAPITests
    typealias Answers = ComplainantSurveyAndReviewAPITests
    typealias Keys = IntakeKeyAPITests

    static let resolution = #"{"resolution":"已退还重复扣除的话费。"}"#

    /// The messages the gateway received for complaint `id`, after the first `count` of them.
    static func told(_ receiver: WebhookReceiver, _ id: String, after count: Int) -> [[String: Any]] {
        Array(Messages.messages(receiver).filter { $0["complaintId"] as? String == id }.dropFirst(count))
    }

    /// Takes the complaint through handling to a fed-back result, from `investigating` or `graded`.
    static func handle(_ client: any TestClientProtocol, _ id: String, handler: String, head: String) async throws {
        _ = try await Lifecycle.step(client, id, "propose_plan", token: handler, body: Lifecycle.plan)
        _ = try await Lifecycle.step(client, id, "approve_plan", token: head)
        _ = try await Lifecycle.step(client, id, "start_implementation", token: handler)
        _ = try await Lifecycle.step(client, id, "feed_back_result", token: handler, body: Self.resolution)
    }

    @Test func aComplainantIsToldEveryStepLooksItUpAnswersWritesBackAndIsReviewed() async throws {
        try await Messages.withGateway { harness, client, receiver, admin, agent in
            let org = harness.organisation
            let handler = try await client.signIn(org.a.code, "handler")
            let head = try await client.signIn(org.a.code, "department_head")
            #expect(try await client.call(.put, "/v1/message-settings", token: admin,
                                          body: #"{"contact":"400-800-1234","publicUrl":"https://complaints.example.com/track"}"#).status == .ok)
            _ = try await Answers.complaintOffice(harness, branch: org.a.id)
            let reviewer = try await client.signIn(org.a.code, "reviewer")
            let category = try await Lifecycle.billing(client, token: agent)
            let (_, webKey) = try await Keys.issue(client, admin: admin, channel: "web")
            let (_, mailKey, mailSigning) = try await Keys.issueSigned(client, admin: admin, channel: "email")
            let signing = try #require(mailSigning)

            // Taken in by the website's key: the key gets the code once and reads nothing, not even this.
            let intake = #"{"channel":"web","categoryId":"\#(category)","complainant":{"name":"张伟","email":"zhang.wei@example.com","#
                + #""phone":"+86 139 0000 1111","language":"zh-Hans","preferredChannel":"email"},"#
                + #""description":"同一个月的话费被扣了两次"}"#
            let taken = try await client.call(.post, "/v1/complaints", token: webKey, body: intake, headers: ["Idempotency-Key": "form-7"])
            #expect(taken.status == .created, "\(String(decoding: taken.body, as: UTF8.self))")
            let id = try #require(taken.json["id"] as? String)
            let caseNumber = try #require(taken.json["caseNumber"] as? String)
            let code = try #require(taken.json["accessCode"] as? String)
            for path in ["/v1/complaints/\(id)", "/v1/complaints/\(id)/notifications", "/v1/complaints/\(id)/timeline", "/v1/complaints"] {
                #expect(try await client.call(.get, path, token: webKey).status == .forbidden, "the intake key reads \(path)")
            }

            // The confirmation: by email, in Simplified Chinese, with the case number and the access code.
            #expect(try await Messages.deliver(harness) == 1)
            let confirmation = try #require(Self.told(receiver, id, after: 0).first)
            #expect(confirmation["event"] as? String == "received" && confirmation["channel"] as? String == "email")
            #expect(confirmation["language"] as? String == "zh-Hans" && confirmation["to"] as? String == "zhang.wei@example.com")
            #expect((confirmation["subject"] as? String) == "我们已收到您的投诉 \(caseNumber)")
            let welcome = try #require(confirmation["body"] as? String)
            #expect(welcome.contains("编号\(caseNumber)") && welcome.contains("查询码\(code)") && welcome.contains("张伟您好"), "\(welcome)")

            // Graded: the initial reply with the level, the promised time and the contact.
            _ = try await Lifecycle.step(client, id, "grade", token: agent, body: #"{"level":2,"priority":"important"}"#)
            #expect(try await Messages.deliver(harness) == 1)
            let reply = try #require(Self.told(receiver, id, after: 1).first)
            let replyText = try #require(reply["body"] as? String)
            #expect(reply["event"] as? String == "graded" && reply["language"] as? String == "zh-Hans")
            #expect(replyText.contains("定为2级") && replyText.contains("由Billing负责处理") && replyText.contains("承诺于20")
                    && replyText.contains("400-800-1234"), "\(replyText)")
            #expect(try await Messages.completed(client, id, token: agent) == ["acknowledge", "initial_reply"],
                    "the two deliveries met their milestones")

            // The lookup with the code shows the progress; a wrong code and another branch's case answer alike.
            let found = try await Progress.lookUp(client, caseNumber, code)
            #expect(found.status == .ok && found.json["status"] as? String == "graded" && found.json["level"] as? Int == 2)
            #expect(found.json["department"] as? String == "Billing" && found.json["language"] as? String == "zh-Hans")
            let page = String(decoding: found.body, as: UTF8.self)
            for secret in ["张伟", "zhang.wei", "139", org.a.users[.agent]!.uuidString.lowercased(), id] {
                #expect(!page.contains(secret), "the public view shows \(secret)")
            }
            let foreign = try await Progress.intake(client, token: try await client.signIn(org.b.code, "agent"), category: nil)
            let wrongCode = try await Progress.lookUp(client, caseNumber, "AAAA-BBBB-CCCC")
            let otherBranch = try await Progress.lookUp(client, foreign.caseNumber, code)
            for refused in [wrongCode, otherBranch] {
                #expect(refused.status == .notFound)
                for field in ["type", "title", "status", "detail"] {
                    #expect("\(refused.json[field] ?? "-")" == "\(wrongCode.json[field] ?? "-")", "\(field) tells them apart")
                }
            }

            // The complainant adds information: inbound on the log and on the timeline.
            let added = try await Progress.state(client, caseNumber, code: code, text: "第二笔扣费发生在11月3日。")
            #expect(added.status == .created, "\(String(decoding: added.body, as: UTF8.self))")
            let statements = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
                .filter { $0["kind"] as? String == "statement" }
            #expect(statements.count == 1 && statements.first?["direction"] as? String == "inbound"
                    && statements.first?["content"] as? String == "第二笔扣费发生在11月3日。")
            #expect(try await Lifecycle.timeline(client, id, token: agent).last == "statement_received")

            // Handled and fed back: the result with its compensation, and the survey's invitation.
            _ = try await Lifecycle.step(client, id, "assign", token: head, body: #"{"responsibleUserId":"\#(org.a.users[.handler]!.path)"}"#)
            _ = try await Lifecycle.step(client, id, "start_investigation", token: handler)
            try await Self.handle(client, id, handler: handler, head: head)
            #expect(try await Messages.deliver(harness) == 2)
            let firstResult = Self.told(receiver, id, after: 2)
            #expect(firstResult.map { $0["event"] as? String } == ["result", "survey"])
            let resultText = try #require(firstResult.first?["body"] as? String)
            #expect(resultText.contains("已退还重复扣除的话费。") && resultText.contains("补偿：25.5") && resultText.contains("CNY")
                    && resultText.contains("可申请复议"), "\(resultText)")
            #expect((firstResult.last?["body"] as? String)?.contains("?case=\(caseNumber)&survey=1") == true)

            // Dissatisfied at 3: reopened; handled again and fed back; satisfied at 8: closed.
            let three = try await Answers.survey(client, caseNumber, code: code, score: 3)
            #expect(three.status == .created && three.json["reopened"] as? Bool == true && three.json["status"] as? String == "investigating")
            try await Self.handle(client, id, handler: handler, head: head)
            let eight = try await Answers.survey(client, caseNumber, code: code, score: 8)
            #expect(eight.status == .created && eight.json["status"] as? String == "closed" && eight.json["reopened"] as? Bool == false)
            #expect(try await Messages.deliver(harness) == 2)
            #expect(Self.told(receiver, id, after: 4).map { $0["event"] as? String } == ["result", "survey"])

            // The complainant writes back by mail, naming the case: the reply lands on it.
            let mailed = try await Keys.pass(client, key: mailKey, signingKey: signing, from: "张伟 <Zhang.Wei@example.com>",
                                             subject: "回复：[\(caseNumber)] 处理结果", text: "退款只有一个月的。", messageID: "<z1@mail.example.com>")
            #expect(mailed.status == .ok && mailed.json["outcome"] as? String == "added" && mailed.json["complaintId"] as? String == id,
                    "\(String(decoding: mailed.body, as: UTF8.self))")
            let mailLog = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
            #expect(mailLog.contains { $0["channel"] as? String == "email" && $0["direction"] as? String == "inbound"
                    && ($0["content"] as? String)?.contains("退款只有一个月的。") == true })

            // A review asked within the window: the complaint office revises it and the complaint reopens.
            let asked = try await Answers.askForReview(client, caseNumber, code: code)
            #expect(asked.status == .created, "\(String(decoding: asked.body, as: UTF8.self))")
            let reviewID = try #require(asked.json["reviewId"] as? String)
            let decided = try await client.call(.post, "/v1/reviews/\(reviewID)/decision", token: reviewer,
                                                body: #"{"outcome":"revised","reasoning":"第二个月的费用没有退还。"}"#)
            #expect(decided.status == .ok && decided.json["status"] as? String == "revised",
                    "\(String(decoding: decided.body, as: UTF8.self))")
            let reopened = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
            #expect(reopened["status"] as? String == "investigating" && reopened["reopenCount"] as? Int == 2)
            #expect(try await Messages.deliver(harness) == 2)
            let reviewed = Self.told(receiver, id, after: 6)
            #expect(reviewed.map { $0["event"] as? String } == ["review_received", "review_decided"])
            #expect((reviewed.last?["body"] as? String)?.contains("您的投诉将重新处理") == true, "\(reviewed)")

            // Another complaint's result, fed back 16 days ago, is past the window: 409.
            let late = try await Progress.intake(client, token: agent, category: category)
            _ = try await Lifecycle.step(client, late.id, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    UPDATE complaint_events SET at = at - interval '16 days'
                     WHERE complaint_id = \(UUID(uuidString: late.id)!) AND kind = 'resolve_on_the_spot'
                    """)
            }
            #expect(try await Answers.askForReview(client, late.caseNumber, code: late.code).status == .conflict)

            // Every message: delivered, signed, in Simplified Chinese, and written to the communications log.
            let everything = Self.told(receiver, id, after: 0)
            #expect(everything.map { $0["event"] as? String }
                    == ["received", "graded", "result", "survey", "result", "survey", "review_received", "review_decided"])
            #expect(everything.allSatisfy { $0["language"] as? String == "zh-Hans" && $0["to"] as? String == "zhang.wei@example.com" })
            #expect(receiver.received.withLockedValue { $0 }.allSatisfy { $0.signatureValid })
            let notifications = try await client.call(.get, "/v1/complaints/\(id)/notifications", token: agent).items
            #expect(Set(notifications.compactMap { $0["id"] as? String }) == Set(everything.compactMap { $0["id"] as? String }))
            #expect(notifications.allSatisfy { $0["state"] as? String == "delivered" })
            let log = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
            let logged = notifications.compactMap { notification in
                log.first { $0["id"] as? String == notification["communicationId"] as? String && $0["direction"] as? String == "outbound" }
            }
            #expect(logged.count == everything.count, "each message has its own entry in the log")
            #expect(logged.compactMap { $0["kind"] as? String }.sorted()
                    == ["confirmation", "follow_up", "follow_up", "initial_reply", "note", "note", "result_feedback", "result_feedback"])

            // The public page ends where the complaint is, in plain words and without staff names.
            let end = try await Progress.lookUp(client, caseNumber, code)
            #expect(end.json["status"] as? String == "investigating")
            let endPage = String(decoding: end.body, as: UTF8.self)
            #expect(!endPage.contains("第二个月的费用没有退还") && !endPage.contains("Handler") && !endPage.contains("reviewer"), "\(endPage)")
        }
    }

    @Test func aComplaintFoundInvalidTellsItsComplainantWhyAndMayBeReviewed() async throws {
        try await Messages.withGateway { harness, client, receiver, _, agent in
            let (id, caseNumber, code) = try await Progress.intake(client, token: agent, category: nil)
            _ = try await Lifecycle.step(client, id, "mark_invalid", token: agent, body: #"{"resolution":"This is a sales enquiry, not a complaint."}"#)
            #expect(try await Messages.deliver(harness) == 2)
            let told = Self.told(receiver, id, after: 0)
            #expect(told.map { $0["event"] as? String } == ["received", "result"], "told why, and not asked to rate it")
            let why = try #require(told.last?["body"] as? String)
            #expect(why.contains("This is a sales enquiry, not a complaint.") && why.contains("Compensation: none")
                    && why.contains("ask for a review"), "\(why)")
            let log = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
            #expect(log.compactMap { $0["kind"] as? String }.sorted() == ["confirmation", "result_feedback"])
            #expect(try await Answers.askForReview(client, caseNumber, code: code).status == .created)
        }
    }

    /// Every public operation that takes a body refuses one beyond its limit with 413, before it
    /// reads a case or a code, and changes nothing.
    @Test func publicBodiesBeyondTheirLimitAreRefusedAndChangeNothing() async throws {
        try await APIHarness.run(store: Messages.store) { harness, client in
            let agent = try await client.signIn(harness.organisation.a.code, "agent")
            let (_, caseNumber, code) = try await Progress.intake(client, token: agent, category: nil)
            func state() async throws -> String {
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.query("""
                        SELECT (SELECT count(*) FROM complaint_events)::text || '/' || (SELECT count(*) FROM complaint_reviews)::text
                               || '/' || (SELECT count(*) FROM follow_ups)::text || '/' || (SELECT count(*) FROM audit_log)::text
                               || '/' || (SELECT count(*) FROM complaint_evidence)::text
                               || '/' || (SELECT count(*) FROM progress.lookup_failures)::text
                        """)[0].decode(String.self, at: 0)
                }
            }
            let before = (try await state(), try await Progress.communicationsDigest(harness))
            var tried: [String] = []
            for operation in try ContractDocument.served.get().operations.values
            where operation.isPublic && operation.body != nil && operation.path.hasPrefix("/v1/public/") {
                let path = operation.path.replacing(/\{[^}]+\}/) { _ in caseNumber }
                let padding = String(repeating: "a", count: operation.maximumBodyBytes)
                // The right code, a wrong one and another case: refused alike, before any is looked at.
                for (target, guess) in [(path, code), (path, "AAAA-BBBB-CCCC"), (path.replacingOccurrences(of: caseNumber, with: String(caseNumber.dropLast(6)) + "999999"), code)] {
                    let answer = try await client.call(HTTPRequest.Method(rawValue: operation.method) ?? .post, target,
                                                       body: #"{"code":"\#(guess)","text":"\#(padding)"}"#)
                    #expect(answer.status == .contentTooLarge, "\(operation.method) \(target): \(answer.status)")
                }
                tried.append(operation.path)
            }
            #expect(Set(tried).isSuperset(of: ["/v1/public/complaints/{caseNumber}/statements", "/v1/public/complaints/{caseNumber}/survey",
                                               "/v1/public/complaints/{caseNumber}/reviews"]), "\(tried)")
            #expect((try await state(), try await Progress.communicationsDigest(harness)) == before, "nothing changed")
        }
    }
}
