import Foundation
import Hummingbird
import HummingbirdTesting
import RedressAPIClient
import RedressCore
import RedressTestSupport
import Testing

/// Complaints walked through every path over real HTTP and PostgreSQL, asserting the timeline.
@Suite("Complaint lifecycle over HTTP")
struct ComplaintLifecycleAPITests {
    struct Actors {
        var agent: String, handler: String, head: String, manager: String
    }

    static func actors(_ org: TestOrganisation, _ client: any TestClientProtocol) async throws -> Actors {
        Actors(agent: try await client.signIn(org.a.code, "agent"), handler: try await client.signIn(org.a.code, "handler"),
               head: try await client.signIn(org.a.code, "department_head"), manager: try await client.signIn(org.a.code, "branch_manager"))
    }

    static func billing(_ client: any TestClientProtocol, token: String) async throws -> String {
        let categories = try await client.call(.get, "/v1/categories", token: token)
        return try #require(categories.items.first { $0["code"] as? String == "billing" }?["id"] as? String)
    }

    static func intake(_ client: any TestClientProtocol, token: String, category: String?, phone: String = "+86 138 0013 8000",
                       level: Int? = nil, nature: String? = nil, key: String? = nil) async throws -> [String: Any] {
        var fields = [#""channel":"phone""#, #""complainant":{"name":"王小明","phone":"\#(phone)","customerType":"individual"}"#,
                      #""description":"话费账单重复扣费 — charged twice for the same month""#, #""desiredOutcome":"Refund""#]
        if let category { fields.append(#""categoryId":"\#(category)""#) }
        if let level { fields.append(#""level":\#(level)"#) }
        if let nature { fields.append(#""nature":"\#(nature)""#) }
        let response = try await client.call(.post, "/v1/complaints", token: token, body: "{" + fields.joined(separator: ",") + "}",
                                             headers: key.map { ["Idempotency-Key": $0] } ?? [:])
        #expect(response.status == .created, "\(String(decoding: response.body, as: UTF8.self))")
        return response.json
    }

    static func step(_ client: any TestClientProtocol, _ id: String, _ action: String, token: String, body: String? = nil,
                     expect status: HTTPResponse.Status = .ok) async throws -> [String: Any] {
        let response = try await client.call(.post, "/v1/complaints/\(id)/actions/\(action)", token: token, body: body)
        #expect(response.status == status, "\(action): \(String(decoding: response.body, as: UTF8.self))")
        return response.json
    }

    static let plan = #"{"plan":{"measures":["refund","apology"],"description":"Refund the double charge","compensationAmount":25.5,"currency":"CNY"}}"#

    static func timeline(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [String] {
        try await client.call(.get, "/v1/complaints/\(id)/timeline", token: token).items.compactMap { $0["kind"] as? String }
    }

    /// The standard path, walked through the client generated from openapi.yaml so the contract
    /// is held from both sides: intake with its `Location`, every step, the timeline, the
    /// hand-overs, a filtered listing masked for the branch manager, and the refusal of a step
    /// after the end.
    @Test func theStandardPath() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await Self.actors(org, client)
            let (agent, handler, head, manager) = (try client.api(who.agent), try client.api(who.handler), try client.api(who.head),
                                                   try client.api(who.manager))
            let category = try await Self.billing(client, token: who.agent)
            let created = try await agent.createComplaint(body: .json(.init(
                channel: .phone, complainant: .init(name: "王小明", phone: "+86 138 0013 8000", customerType: .individual),
                description: "话费账单重复扣费 — charged twice for the same month", desiredOutcome: "Refund", categoryId: category))).created
            let complaint = try created.body.json
            let id = complaint.id
            #expect(created.headers.location == "/v1/complaints/\(id)" && id == id.lowercased())
            #expect(complaint.caseNumber.hasPrefix("BRANCH-A-"))
            #expect(complaint.departmentId == org.a.departments[0].path, "routed by the billing rule")
            #expect(complaint.status == .received && complaint.complainant.phone == "+86 138 0013 8000")
            #expect(complaint.sla?.counting == .calendarHours && complaint.allowedActions.contains(.acknowledge))
            func step(_ api: Client, _ action: Operations.TakeAction.Input.Path.ActionPayload,
                      _ body: Components.Schemas.Step? = nil) async throws -> Components.Schemas.Complaint {
                try await api.takeAction(path: .init(id: id, action: action), body: body.map { .json($0) }).ok.body.json
            }
            _ = try await step(agent, .acknowledge)
            _ = try await step(agent, .grade, .init(level: 2, priority: .important))
            let assigned = try await step(head, .assign, .init(note: "yours", responsibleUserId: org.a.users[.handler]!.path))
            #expect(assigned.responsibleUserId == org.a.users[.handler]!.path)
            _ = try await step(handler, .startInvestigation)
            _ = try await step(handler, .proposePlan, .init(plan: .init(
                measures: [.refund, .apology], description: "Refund the double charge", compensationAmount: 25.5, currency: "CNY")))
            _ = try await step(head, .approvePlan)
            _ = try await step(handler, .startImplementation)
            _ = try await step(handler, .feedBackResult, .init(resolution: "Refunded the double charge"))
            _ = try await step(agent, .startFollowUp)
            let closed = try await step(agent, .recordSatisfaction, .init(satisfaction: 9))
            #expect(closed.status == .closed && closed.closedAt != nil && closed.satisfaction == 9)
            _ = try await step(manager, .archive)
            let events = try await head.getTimeline(path: .init(id: id)).ok.body.json.items
            #expect(events.map(\.kind) == [
                "received", "acknowledge", "grade", "assign", "start_investigation", "propose_plan", "approve_plan",
                "start_implementation", "feed_back_result", "start_follow_up", "record_satisfaction", "archive"])
            let grade = try #require(events.first { $0.kind == "grade" })
            #expect(grade.after?.additionalProperties["level"] == "2")
            #expect(grade.before?.additionalProperties["status"] == "acknowledged")
            #expect(events[3].actorId == org.a.users[.departmentHead]!.path && events[3].note == "yours")
            let handovers = try await head.listHandovers(path: .init(id: id)).ok.body.json.items
            #expect(handovers.map(\.reason) == ["routing rule at intake", "yours"])
            #expect(handovers.last?.toUserId == org.a.users[.handler]!.path && handovers.last?.byUserId == org.a.users[.departmentHead]!.path)

            let archived = try await manager.listComplaints(query: .init(status: [.closed, .archived], channel: .phone)).ok.body.json
            #expect(archived.items.map(\.id) == [id] && archived.nextCursor == nil)
            #expect(archived.items.first?.complainant.phone == "+86 1** **** 8000", "masked for the branch manager")
            let refused = try await agent.takeAction(path: .init(id: id, action: .acknowledge)).conflict.body.applicationProblemJson
            #expect(refused.currentStatus == "archived" && refused.allowedActions == [])
        }
    }

    @Test func levelOneNeedsTheHeadThenTheBranchManager() async throws {
        try await APIHarness.run { harness, client in
            let who = try await Self.actors(harness.organisation, client)
            let category = try await Self.billing(client, token: who.agent)
            let id = try #require(try await Self.intake(client, token: who.agent, category: category, level: 1)["id"] as? String)
            _ = try await Self.step(client, id, "grade", token: who.agent, body: #"{"level":1,"priority":"urgent","nature":"major"}"#)
            for action in ["assign"] {
                _ = try await Self.step(client, id, action, token: who.head, body: #"{"responsibleUserId":"\#(harness.organisation.a.users[.handler]!.path)"}"#)
            }
            _ = try await Self.step(client, id, "start_investigation", token: who.handler)
            _ = try await Self.step(client, id, "propose_plan", token: who.handler, body: Self.plan)
            let headApproved = try await Self.step(client, id, "approve_plan", token: who.head)
            #expect(headApproved["status"] as? String == "plan_head_approved")
            _ = try await Self.step(client, id, "approve_plan", token: who.head, expect: .forbidden)
            let approved = try await Self.step(client, id, "approve_plan", token: who.manager)
            #expect(approved["status"] as? String == "plan_approved")
            #expect(try await Self.timeline(client, id, token: who.manager).suffix(2) == ["approve_plan", "approve_plan"])
        }
    }

    @Test func invalidSimpleReopenedAndPausedPaths() async throws {
        try await APIHarness.run { harness, client in
            let who = try await Self.actors(harness.organisation, client)
            let category = try await Self.billing(client, token: who.agent)
            let invalid = try #require(try await Self.intake(client, token: who.agent, category: nil, phone: "+86 10 1111")["id"] as? String)
            let closed = try await Self.step(client, invalid, "mark_invalid", token: who.agent, body: #"{"resolution":"Not a complaint: a sales enquiry"}"#)
            #expect(closed["status"] as? String == "closed" && closed["nature"] as? String == "invalid")
            let invalidEvents = try await client.call(.get, "/v1/complaints/\(invalid)/timeline", token: who.agent).items
            #expect(invalidEvents.compactMap { $0["kind"] as? String } == ["received", "mark_invalid"])
            #expect((invalidEvents.last?["after"] as? [String: Any])?["nature"] as? String == "invalid")

            let simple = try #require(try await Self.intake(client, token: who.agent, category: category, phone: "+86 10 2222")["id"] as? String)
            _ = try await Self.step(client, simple, "resolve_on_the_spot", token: who.agent, body: #"{"resolution":"Explained the bill"}"#)
            let satisfied = try await Self.step(client, simple, "record_satisfaction", token: who.agent, body: #"{"satisfaction":7}"#)
            #expect(satisfied["status"] as? String == "closed")
            #expect(try await Self.timeline(client, simple, token: who.agent) == ["received", "resolve_on_the_spot", "record_satisfaction"])

            let unhappy = try #require(try await Self.intake(client, token: who.agent, category: category, phone: "+86 10 3333")["id"] as? String)
            _ = try await Self.step(client, unhappy, "resolve_on_the_spot", token: who.agent, body: #"{"resolution":"Explained"}"#)
            let reopened = try await Self.step(client, unhappy, "record_satisfaction", token: who.agent, body: #"{"satisfaction":3}"#)
            #expect(reopened["status"] as? String == "investigating" && reopened["reopenCount"] as? Int == 1)
            #expect(reopened["closedAt"] == nil)
            let reopenedEvents = try await client.call(.get, "/v1/complaints/\(unhappy)/timeline", token: who.agent).items
            #expect(reopenedEvents.compactMap { $0["kind"] as? String } == ["received", "resolve_on_the_spot", "record_satisfaction"])
            #expect((reopenedEvents.last?["after"] as? [String: Any])?["status"] as? String == "investigating")
            #expect((reopenedEvents.last?["after"] as? [String: Any])?["reopenCount"] as? String == "1")

            let paused = try #require(try await Self.intake(client, token: who.agent, category: category, phone: "+86 10 4444")["id"] as? String)
            _ = try await Self.step(client, paused, "acknowledge", token: who.agent)
            let waiting = try await Self.step(client, paused, "await_customer", token: who.agent, body: #"{"note":"Asked for the invoice"}"#)
            #expect(waiting["status"] as? String == "awaiting_customer" && waiting["allowedActions"] as? [String] == ["resume"])
            let refused = try await client.call(.post, "/v1/complaints/\(paused)/actions/grade", token: who.agent,
                                                body: #"{"level":2,"priority":"general"}"#)
            #expect(refused.status == .conflict)
            #expect(refused.json["currentStatus"] as? String == "awaiting_customer")
            #expect(refused.json["allowedActions"] as? [String] == ["resume"])
            let resumed = try await Self.step(client, paused, "resume", token: who.agent)
            #expect(resumed["status"] as? String == "acknowledged")
            #expect(try await Self.timeline(client, paused, token: who.agent) == ["received", "acknowledge", "await_customer", "resume"])
        }
    }

    @Test func intakeIsIdempotentAndRecognisesRepeats() async throws {
        try await APIHarness.run { harness, client in
            let who = try await Self.actors(harness.organisation, client)
            let category = try await Self.billing(client, token: who.agent)
            let first = try await Self.intake(client, token: who.agent, category: category, key: "call-42")
            let body = #"{"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000","customerType":"individual"},"description":"话费账单重复扣费 — charged twice for the same month","desiredOutcome":"Refund","categoryId":"\#(category)"}"#
            let retry = try await client.call(.post, "/v1/complaints", token: who.agent, body: body, headers: ["Idempotency-Key": "call-42"])
            #expect(retry.status == .ok)
            #expect(retry.json["id"] as? String == first["id"] as? String)
            #expect(retry.headers[.location] == "/v1/complaints/\(first["id"] as? String ?? "-")", "the replay names the same complaint")
            let misuse = try await client.call(.post, "/v1/complaints", token: who.agent, body: body.replacingOccurrences(of: "Refund", with: "Apology"),
                                               headers: ["Idempotency-Key": "call-42"])
            #expect(misuse.status == .conflict && misuse.problemFields == ["Idempotency-Key"])
            let again = try await Self.intake(client, token: who.agent, category: category)
            #expect(again["nature"] as? String == "repeat")
            #expect(again["repeatOf"] as? String == first["id"] as? String)
            let list = try await client.call(.get, "/v1/complaints", token: who.agent)
            #expect(list.items.count == 2, "the retry created nothing")
        }
    }
}

@Suite("Complaint listing over HTTP")
struct ComplaintListingTests {
    @Test func filtersSearchAndPagesNewestFirst() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            var ids: [String] = []
            for index in 0..<5 {
                let complaint = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: index.isMultiple(of: 2) ? category : nil,
                                                                            phone: "+86 10 900\(index)")
                ids.append(try #require(complaint["id"] as? String))
            }
            let first = try await client.call(.get, "/v1/complaints/\(ids[0])", token: agent)
            let caseNumber = try #require(first.json["caseNumber"] as? String)
            func listed(_ query: String) async throws -> [String] {
                var result: [String] = []
                var cursor: String?
                repeat {
                    let page = try await client.call(.get, "/v1/complaints?limit=2&\(query)" + (cursor.map { "&cursor=\($0)" } ?? ""), token: agent)
                    #expect(page.status == .ok, "\(query)")
                    result += page.items.compactMap { $0["id"] as? String }
                    cursor = page.json["nextCursor"] as? String
                } while cursor != nil
                return result
            }
            #expect(try await listed("") == ids.reversed(), "newest first, every page once")
            #expect(try await listed("departmentId=\(org.a.departments[0].path)") == [ids[4], ids[2], ids[0]])
            #expect(try await listed("categoryId=\(category)").count == 3)
            #expect(try await listed("status=received&channel=phone").count == 5)
            #expect(try await listed("status=closed").isEmpty)
            let encodedChinese = "重复扣费".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await listed("q=\(encodedChinese)").count == 5, "Chinese text is searchable")
            #expect(try await listed("q=CHARGED%20TWICE").count == 5, "English search ignores case")
            #expect(try await listed("q=\(caseNumber.lowercased())") == [ids[0]], "by case number")
            #expect(try await listed("q=%25").isEmpty, "wildcards are literal")
            let future = "2999-01-01T00:00:00Z"
            #expect(try await listed("receivedBefore=\(future)&receivedFrom=2000-01-01T00:00:00Z").count == 5)
            #expect(try await listed("receivedFrom=\(future)").isEmpty)
        }
    }
}

@Suite("Complaint re-classification over HTTP")
struct ComplaintClassificationTests {
    @Test func reclassifyingRoutesRecordsAndRefusesClosedComplaints() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await ComplaintLifecycleAPITests.actors(org, client)
            let category = try await ComplaintLifecycleAPITests.billing(client, token: who.agent)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: nil)["id"] as? String)
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: who.head).status == .notFound, "unrouted")
            let changed = try await client.call(.patch, "/v1/complaints/\(id)", token: who.agent,
                                                body: #"{"categoryId":"\#(category)","level":1,"nature":"major","note":"billing after all"}"#)
            #expect(changed.status == .ok)
            #expect((changed.json["departmentId"] as? String)?.lowercased() == org.a.departments[0].path)
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: who.head).status == .ok, "routed on classification")
            let events = try await client.call(.get, "/v1/complaints/\(id)/timeline", token: who.head).items
            let classified = try #require(events.last)
            #expect(classified["kind"] as? String == "classified" && classified["note"] as? String == "billing after all")
            #expect((classified["before"] as? [String: Any])?["nature"] as? String == "general")
            #expect((classified["after"] as? [String: Any])?["level"] as? String == "1")
            for (body, field) in [("{}", "body"), (#"{"level":5}"#, "/level"), (#"{"nature":"repeat"}"#, "/nature"),
                                  (#"{"priority":null}"#, "/priority"), (#"{"status":"closed"}"#, "/status")] {
                let response = try await client.call(.patch, "/v1/complaints/\(id)", token: who.agent, body: body)
                #expect((400..<500).contains(response.status.code) && response.problemFields.contains(field), "\(body)")
            }
            _ = try await ComplaintLifecycleAPITests.step(client, id, "mark_invalid", token: who.agent, body: #"{"resolution":"duplicate"}"#)
            let refused = try await client.call(.patch, "/v1/complaints/\(id)", token: who.agent, body: #"{"priority":"urgent"}"#)
            #expect(refused.status == .conflict && refused.json["currentStatus"] as? String == "closed")
            #expect(try await client.call(.patch, "/v1/complaints/\(id)", token: org.a.botKey, body: #"{"priority":"urgent"}"#).status == .forbidden)
        }
    }
}

@Suite("Complaint due times over HTTP")
struct ComplaintDueTimeTests {
    @Test func gradingRecordsThePromiseAndListsSortAndFilterByIt() async throws {
        try await APIHarness.run { harness, client in
            let who = try await ComplaintLifecycleAPITests.actors(harness.organisation, client)
            var ids: [String] = []
            for index in 0..<4 {
                ids.append(try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: nil,
                                                                                    phone: "+86 10 700\(index)")["id"] as? String))
            }
            let now = Date()
            let promises = [now.addingTimeInterval(7200), now.addingTimeInterval(-3600), now.addingTimeInterval(3600)]
            for (id, promise) in zip(ids, promises) {
                let graded = try await ComplaintLifecycleAPITests.step(client, id, "grade", token: who.agent,
                    body: #"{"level":3,"priority":"general","promisedBy":"\#(ISO8601DateFormatter().string(from: promise))"}"#)
                #expect(graded["promisedBy"] != nil && graded["dueAt"] != nil)
            }
            var sorted: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/complaints?sort=due&limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""), token: who.agent)
                sorted += page.items.compactMap { $0["id"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(sorted == [ids[1], ids[2], ids[0], ids[3]], "soonest due first, undated last, every page once")
            let overdue = try await client.call(.get, "/v1/complaints?overdue=true", token: who.agent)
            #expect(overdue.items.compactMap { $0["id"] as? String } == [ids[1]])
            #expect(try await client.call(.get, "/v1/complaints?sort=priority", token: who.agent).problemFields == ["sort"])
            let grade = try await client.call(.get, "/v1/complaints/\(ids[0])/timeline", token: who.agent).items.last
            #expect((grade?["after"] as? [String: Any])?["promisedBy"] != nil)
        }
    }
}
