import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressAPIClient
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

@Suite("Satisfaction follow-ups over HTTP")
struct FollowUpAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    static let resolution = #"{"resolution":"Refunded the double charge"}"#

    /// A complaint of branch a resolved on the spot by its agent: its follow-up is due.
    static func resolved(_ client: any TestClientProtocol, agent: String) async throws -> String {
        let category = try await Lifecycle.billing(client, token: agent)
        let id = try #require(try await Lifecycle.intake(client, token: agent, category: category)["id"] as? String)
        _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: resolution)
        return id
    }

    static func followUps(_ client: any TestClientProtocol, _ query: String, token: String) async throws -> [[String: Any]] {
        let response = try await client.call(.get, "/v1/follow-ups?" + query, token: token)
        #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
        return response.items
    }

    @Test func feedingBackTheResultQueuesAFollowUpWhoseOutcomeClosesOrReopens() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let id = try await Self.resolved(client, agent: agent)

            let due = try await Self.followUps(client, "complaintId=\(id)", token: agent)
            #expect(due.count == 1)
            let followUp = try #require(due.first)
            #expect(followUp["kind"] as? String == "satisfaction" && followUp["status"] as? String == "due")
            #expect(followUp["overdue"] as? Bool == false && followUp["complaintStatus"] as? String == "result_fed_back")
            let dueAt = try #require((followUp["dueAt"] as? String).flatMap(apiDate))
            #expect(abs(dueAt.timeIntervalSinceNow - 24 * 3600) < 120, "due within the standard 24 hours")
            let followUpID = try #require(followUp["id"] as? String)

            // Another branch neither lists nor answers it.
            let foreign = try await client.signIn(org.b.code, "agent")
            #expect(try await Self.followUps(client, "complaintId=\(id)", token: foreign).isEmpty)
            let outcome = #"{"method":"phone","score":4,"attitude":7,"efficiency":3,"outcome":2,"comments":"Still charged twice"}"#
            #expect(try await client.call(.post, "/v1/follow-ups/\(followUpID)/outcome", token: foreign, body: outcome).status == .notFound)
            let bot = try await client.signIn(org.a.code, "admin")
            #expect(try await client.call(.post, "/v1/follow-ups/\(followUpID)/outcome", token: bot, body: outcome).status == .forbidden)

            // Dissatisfied: back to the handling department for secondary handling.
            let answered = try await client.call(.post, "/v1/follow-ups/\(followUpID)/outcome", token: agent, body: outcome)
            #expect(answered.status == .ok, "\(String(decoding: answered.body, as: UTF8.self))")
            let complaint = try #require(answered.json["complaint"] as? [String: Any])
            let done = try #require(answered.json["followUp"] as? [String: Any])
            #expect(complaint["status"] as? String == "investigating" && complaint["reopenCount"] as? Int == 1)
            #expect(done["status"] as? String == "done" && done["surveyId"] is String)
            #expect(try await client.call(.post, "/v1/follow-ups/\(followUpID)/outcome", token: agent, body: outcome).status
                    == .unprocessableContent, "answered once")
            #expect(try await Self.followUps(client, "complaintId=\(id)", token: agent).isEmpty, "nothing due while it is handled again")
            #expect(try await Self.followUps(client, "status=done&complaintId=\(id)", token: agent).count == 1)

            // Handled again and fed back: a new follow-up; satisfied this time, the complaint closes.
            let handler = try await client.signIn(org.a.code, "handler")
            let head = try await client.signIn(org.a.code, "department_head")
            _ = try await Lifecycle.step(client, id, "propose_plan", token: handler, body: Lifecycle.plan)
            _ = try await Lifecycle.step(client, id, "approve_plan", token: head)
            _ = try await Lifecycle.step(client, id, "start_implementation", token: handler)
            _ = try await Lifecycle.step(client, id, "feed_back_result", token: handler, body: Self.resolution)
            let second = try #require(try await Self.followUps(client, "complaintId=\(id)", token: agent).first?["id"] as? String)
            #expect(second != followUpID)
            let closed = try await client.call(.post, "/v1/follow-ups/\(second)/outcome", token: agent,
                                               body: #"{"method":"sms","score":9,"comments":"Thank you"}"#)
            #expect((closed.json["complaint"] as? [String: Any])?["status"] as? String == "closed")
            #expect((closed.json["complaint"] as? [String: Any])?["satisfaction"] as? Int == 9)
            let surveys = try await client.call(.get, "/v1/complaints/\(id)", token: agent)
            #expect(surveys.json["satisfaction"] as? Int == 9)
        }
    }

    @Test func aPolicyAddsLongTermCallbacksAndADissatisfiedCallbackReopens() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let policies = try await client.call(.get, "/v1/sla-policies", token: admin).items
            let standard = try #require(policies.first { $0["name"] as? String == "Standard" }?["id"] as? String)
            let body = SLAConfigurationAPITests.policyBody(name: "Standard", extra: #","followUpHours":2,"followUpCallbackDays":[7,30,91]"#)
            let replaced = try await client.call(.put, "/v1/sla-policies/\(standard)", token: admin, body: body)
            #expect(replaced.status == .ok && replaced.json["followUpCallbackDays"] as? [Int] == [7, 30, 91])
            let bad = SLAConfigurationAPITests.policyBody(name: "Standard", extra: #","followUpHours":0,"followUpCallbackDays":[7,7,0]"#)
            #expect(try await client.call(.put, "/v1/sla-policies/\(standard)", token: admin, body: bad).problemFields
                    == ["/followUpCallbackDays", "/followUpCallbackDays/2", "/followUpHours"])

            let agent = try await client.signIn(org.a.code, "agent")
            let id = try await Self.resolved(client, agent: agent)
            let first = try #require(try await Self.followUps(client, "complaintId=\(id)", token: agent).first)
            let dueAt = try #require((first["dueAt"] as? String).flatMap(apiDate))
            #expect(abs(dueAt.timeIntervalSinceNow - 2 * 3600) < 120, "the policy's 2 hours")
            _ = try await client.call(.post, "/v1/follow-ups/\(first["id"] as! String)/outcome", token: agent, body: #"{"method":"phone","score":8}"#)

            let callbacks = try await Self.followUps(client, "complaintId=\(id)", token: agent)
            #expect(callbacks.map { $0["kind"] as? String } == ["callback", "callback", "callback"])
            let days = callbacks.compactMap { ($0["dueAt"] as? String).flatMap(apiDate) }
                .map { Int(($0.timeIntervalSinceNow / 86_400).rounded()) }
            #expect(days == [7, 30, 91])

            // A week later the customer is satisfied; a month later not: the complaint reopens and the last callback is dropped.
            let week = try await client.call(.post, "/v1/follow-ups/\(callbacks[0]["id"] as! String)/outcome", token: agent,
                                             body: #"{"method":"online_questionnaire","score":7}"#)
            #expect((week.json["complaint"] as? [String: Any])?["status"] as? String == "closed")
            let month = try await client.call(.post, "/v1/follow-ups/\(callbacks[1]["id"] as! String)/outcome", token: agent,
                                              body: #"{"method":"visit","score":2,"note":"The fault came back"}"#)
            #expect((month.json["complaint"] as? [String: Any])?["status"] as? String == "investigating")
            #expect(try await Self.followUps(client, "complaintId=\(id)", token: agent).isEmpty)
            #expect(try await Self.followUps(client, "status=cancelled&complaintId=\(id)", token: agent).count == 1)
            let timeline = try await Lifecycle.timeline(client, id, token: agent)
            #expect(timeline.last == "reopen")
        }
    }

    /// The queue through the client generated from openapi.yaml: pages of it, earliest due first,
    /// one follow-up, and an outcome that closes the complaint, all in the contract's types.
    @Test func theGeneratedClientPagesThroughTheQueueAndRecordsAnOutcome() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let token = try await client.signIn(org.a.code, "agent")
            var complaints: [String] = []
            for _ in 0..<3 { complaints.append(try await Self.resolved(client, agent: token).lowercased()) }
            let agent = try client.api(token)

            var queue: [Components.Schemas.FollowUp] = []
            var cursor: String?
            repeat {
                let page = try await agent.listFollowUps(query: .init(limit: 2, cursor: cursor)).ok.body.json
                #expect(page.items.count <= 2)
                queue += page.items
                cursor = page.nextCursor
            } while cursor != nil
            #expect(Set(queue.map(\.id)).count == queue.count, "no follow-up on two pages")
            #expect(queue.map(\.dueAt) == queue.map(\.dueAt).sorted(), "earliest due first")
            let ours = queue.filter { complaints.contains($0.complaintId) }
            #expect(Set(ours.map(\.complaintId)) == Set(complaints) && ours.allSatisfy { $0.status == .due && $0.kind == .satisfaction })

            let first = try #require(ours.first)
            let fetched = try await agent.getFollowUp(path: .init(id: first.id)).ok.body.json
            #expect(fetched == first && fetched.complaintStatus == .resultFedBack && fetched.surveyId == nil)
            let filtered = try await agent.listFollowUps(query: .init(complaintId: first.complaintId)).ok.body.json
            #expect(filtered.items.map(\.id) == [first.id] && filtered.nextCursor == nil)
            let stale = try await agent.listFollowUps(query: .init(cursor: "bm90IGEgY3Vyc29y")).badRequest
            #expect(try stale.body.applicationProblemJson.errors?.map(\.field) == ["cursor"])

            let answered = try await agent.recordFollowUpOutcome(path: .init(id: first.id), body: .json(.init(
                method: .onlineQuestionnaire, score: 9, attitude: 10, comments: "解决得很快", note: "Answered online")))
            let result = try answered.ok.body.json
            #expect(result.followUp.status == .done && result.followUp.surveyId != nil && result.followUp.completedAt != nil)
            #expect(result.complaint.id == first.complaintId && result.complaint.status == .closed && result.complaint.satisfaction == 9)
            let again = try await agent.recordFollowUpOutcome(path: .init(id: first.id), body: .json(.init(method: .phone, score: 9)))
            #expect(try again.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["id"])
            let done = try await agent.listFollowUps(query: .init(status: .done, complaintId: first.complaintId)).ok.body.json.items
            #expect(done.map(\.id) == [first.id])

            let foreign = try client.api(try await client.signIn(org.b.code, "agent"))
            #expect(try await foreign.getFollowUp(path: .init(id: ours[1].id)).notFound.body.applicationProblemJson.status == 404)
            let bot = try client.api(org.a.botKey)
            let refused = try await bot.recordFollowUpOutcome(path: .init(id: ours[1].id), body: .json(.init(method: .sms, score: 3)))
            #expect(try refused.forbidden.body.applicationProblemJson.status == 403)
        }
    }

    @Test func badInputNamesTheFieldAndChangesNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let id = try await Self.resolved(client, agent: agent)
            let followUp = try #require(try await Self.followUps(client, "complaintId=\(id)", token: agent).first?["id"] as? String)
            for (body, field) in [(#"{"method":"fax","score":5}"#, "/method"), (#"{"method":"phone","score":11}"#, "/score"),
                                  (#"{"method":"phone","score":5,"attitude":0}"#, "/attitude"),
                                  (#"{"method":"phone","score":5,"comments":""}"#, "/comments")] {
                let response = try await client.call(.post, "/v1/follow-ups/\(followUp)/outcome", token: agent, body: body)
                #expect(response.status == .unprocessableContent && response.problemFields == [field], "\(body)")
            }
            #expect(try await client.call(.post, "/v1/follow-ups/\(followUp)/outcome", token: agent,
                                          body: #"{"method":"phone","score":5,"extra":1}"#).status == .badRequest)
            #expect(try await client.call(.get, "/v1/follow-ups?status=open", token: agent).problemFields == ["status"])
            #expect(try await client.call(.get, "/v1/follow-ups?overdue=yes", token: agent).problemFields == ["overdue"])
            #expect(try await Self.followUps(client, "complaintId=\(id)", token: agent).first?["status"] as? String == "due")
        }
    }

    @Test func anOverdueFollowUpEscalatesOnceToTheFirstRung() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let id = try await Self.resolved(client, agent: agent)
            let followUp = try #require(try await Self.followUps(client, "complaintId=\(id)", token: agent).first?["id"] as? String)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE follow_ups SET due_at = now() - interval '5 minutes' WHERE id = \(UUID(uuidString: followUp)!)")
            }
            #expect(try await Self.followUps(client, "overdue=true", token: agent).map { $0["id"] as? String } == [followUp])
            try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                let escalated = try await scheduler.escalateOverdueFollowUps()
                #expect(escalated.count == 1 && escalated.first?.pages == 2, "the Billing head and the bot")
                #expect(escalated.first.map { $0.lateSeconds >= 299 } == true)
                #expect(try await scheduler.escalateOverdueFollowUps().isEmpty, "once")
            }
            let head = try await client.signIn(org.a.code, "department_head")
            let pages = try await client.call(.get, "/v1/pages", token: head).items
            let page = try #require(pages.first { ($0["complaintId"] as? String)?.lowercased() == id.lowercased() })
            let summary = try #require(page["summary"] as? [String: Any])
            #expect(summary["reason"] as? String == "follow_up_overdue" && (summary["followUpId"] as? String)?.lowercased() == followUp.lowercased())
            let escalations = try await client.call(.get, "/v1/escalations", token: head).items
            let escalation = escalations.first { ($0["complaintId"] as? String)?.lowercased() == id.lowercased() }
            #expect((escalation?["followUpId"] as? String)?.lowercased() == followUp.lowercased())
            #expect(try await Lifecycle.timeline(client, id, token: agent).last == "escalated")
            // Still in the queue until answered.
            #expect(try await Self.followUps(client, "complaintId=\(id)", token: agent).first?["escalatedAt"] is String)
        }
    }
}
