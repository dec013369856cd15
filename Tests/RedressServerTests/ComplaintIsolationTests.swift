import Foundation
import Postgres
import Hummingbird
import HummingbirdTesting
import RedressCore
import RedressTestSupport
import Testing

/// Complaints and everything attached to them follow SPEC.md's role table; rows outside the
/// caller's scope are 404.
@Suite("Complaint isolation and bad input over HTTP")
struct ComplaintIsolationTests {
    @Test func everyRoleSeesOnlyWhatTheRoleTableAllows() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let routed = try #require(try await ComplaintLifecycleAPITests.intake(client, token: agent, category: category)["id"] as? String)
            let unrouted = try #require(try await ComplaintLifecycleAPITests.intake(client, token: agent, category: nil, phone: "+86 10 5555")["id"] as? String)
            // Who sees the routed (Billing) and the unrouted complaint of branch a.
            let expectations: [(Role, TestOrganisation.BranchFixture, Bool, Bool)] = [
                (.agent, org.a, true, true), (.branchManager, org.a, true, true), (.auditor, org.a, true, true),
                (.executive, org.a, true, true), (.admin, org.a, false, false),
                (.handler, org.a, true, false), (.departmentHead, org.a, true, false),
                (.agent, org.b, false, false), (.branchManager, org.c, false, false), (.departmentHead, org.b, false, false),
            ]
            for (role, branch, seesRouted, seesUnrouted) in expectations {
                let token = try await client.signIn(branch.code, role.rawValue)
                for (id, sees) in [(routed, seesRouted), (unrouted, seesUnrouted)] {
                    for path in ["/v1/complaints/\(id)", "/v1/complaints/\(id)/timeline"] {
                        let status = try await client.call(.get, path, token: token).status
                        #expect(status == (sees ? .ok : .notFound), "\(role)@\(branch.code) GET \(path)")
                    }
                }
                let listed = Set(try await client.call(.get, "/v1/complaints", token: token).items.compactMap { $0["id"] as? String })
                #expect(listed == Set([(routed, seesRouted), (unrouted, seesUnrouted)].filter(\.1).map(\.0)), "\(role)@\(branch.code) list")
            }
            let other = try await client.signIn(org.a.code, "other")
            for path in ["/v1/complaints/\(routed)", "/v1/complaints/\(routed)/timeline"] {
                #expect(try await client.call(.get, path, token: other).status == .notFound, "another department's handler: \(path)")
            }
            #expect(try await client.call(.post, "/v1/complaints/\(routed)/actions/acknowledge", token: other).status == .notFound)
            #expect(try await client.call(.get, "/v1/complaints/\(routed)", token: org.a.botKey).status == .notFound)
        }
    }

    @Test func departmentScopedRolesCannotMoveComplaintsOutOfTheirDepartments() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let head = try await client.signIn(org.a.code, "department_head")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: agent, category: category)["id"] as? String)
            let before = try await client.call(.get, "/v1/complaints/\(id)", token: head).body
            let moved = try await client.call(.post, "/v1/complaints/\(id)/actions/assign", token: head,
                                              body: #"{"departmentId":"\#(org.a.departments[1].path)"}"#)
            #expect(moved.status == .forbidden)
            let foreign = try await client.call(.post, "/v1/complaints/\(id)/actions/assign", token: agent,
                                                body: #"{"departmentId":"\#(org.c.departments[0].path)"}"#)
            #expect(foreign.status == .unprocessableContent && foreign.problemFields == ["/departmentId"])
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: head).body == before, "nothing changed")
            let handed = try await client.call(.post, "/v1/complaints/\(id)/actions/assign", token: agent,
                                               body: #"{"departmentId":"\#(org.a.departments[1].path)","note":"legal matter"}"#)
            #expect(handed.status == .ok, "customer service may hand over across departments")
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: head).status == .notFound, "gone from the old department")
            let other = try await client.signIn(org.a.code, "other")
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: other).status == .ok, "arrived in the new one")
            let mine = try await client.call(.get, "/v1/complaints?myDepartments=true", token: other)
            #expect(mine.items.compactMap { $0["id"] as? String } == [id])
            // A collaborating department reads the case but does not change it.
            let shared = try await client.call(.post, "/v1/complaints/\(id)/actions/reassign", token: agent,
                                               body: #"{"collaboratingDepartmentIds":["\#(org.a.departments[0].path)"]}"#)
            #expect(shared.status == .ok)
            #expect(try await client.call(.get, "/v1/complaints/\(id)/timeline", token: head).status == .ok, "collaborators see the case")
            #expect(try await client.call(.post, "/v1/complaints/\(id)/actions/acknowledge", token: head).status == .forbidden)
            let stranger = try await client.call(.post, "/v1/complaints/\(id)/actions/reassign", token: agent,
                                                 body: #"{"collaboratingDepartmentIds":["\#(org.c.departments[0].path)"]}"#)
            #expect(stranger.status == .unprocessableContent && stranger.problemFields == ["/collaboratingDepartmentIds"])
            for role in [Role.auditor, .executive, .admin, .bot] {
                let token = role == .bot ? org.a.botKey : try await client.signIn(org.a.code, role.rawValue)
                let intake = try await client.call(.post, "/v1/complaints", token: token,
                                                   body: #"{"channel":"web","complainant":{},"description":"x"}"#)
                #expect(intake.status == .forbidden, "\(role) takes no complaints in")
            }
        }
    }

    @Test func badInputOnComplaintEndpointsNamesTheFieldAndChangesNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: agent, category: category)["id"] as? String)
            let before = try await harness.complaintSnapshot()
            let valid = #""channel":"web","complainant":{"name":"N"},"description":"d""#
            let intakes: [(String, String)] = [
                (#"{"complainant":{},"description":"d"}"#, "/channel"),
                (#"{"channel":"web","description":"d"}"#, "/complainant"),
                (#"{"channel":"web","complainant":{}}"#, "/description"),
                (#"{\#(valid),"extra":1}"#, "/extra"),
                (#"{"channel":"web","complainant":{"name":"N","ssn":"1"},"description":"d"}"#, "/complainant/ssn"),
                (#"{"channel":"pigeon","complainant":{},"description":"d"}"#, "/channel"),
                (#"{"channel":"web","complainant":{"customerType":"alien"},"description":"d"}"#, "/complainant/customerType"),
                (#"{"channel":"web","complainant":{"phone":"call me"},"description":"d"}"#, "/complainant/phone"),
                (#"{"channel":"web","complainant":{},"description":""}"#, "/description"),
                (#"{"channel":"web","complainant":{},"description":"a\u0000b"}"#, "/description"),
                (#"{\#(valid),"level":4}"#, "/level"),
                (#"{\#(valid),"level":"1"}"#, "/level"),
                (#"{\#(valid),"nature":"invalid"}"#, "/nature"),
                (#"{\#(valid),"priority":"asap"}"#, "/priority"),
                (#"{\#(valid),"occurredAt":"yesterday"}"#, "/occurredAt"),
                (#"{\#(valid),"receivedAt":"2999-01-01T00:00:00Z"}"#, "/receivedAt"),
                (#"{\#(valid),"categoryId":"nope"}"#, "/categoryId"),
                (#"{\#(valid),"categoryId":"\#(org.c.departments[0].path)"}"#, "/categoryId"),
                (#"{"channel":"web","complainant":{"name":"\#(String(repeating: "名", count: 300))"},"description":"d"}"#, "/complainant/name"),
                (#"{\#(valid),"product":"two\nlines"}"#, "/product"),
                (#"{\#(valid),"party":"trailing line break\n"}"#, "/party"),
                (#"{"channel":"web","complainant":{"email":"nobody"},"description":"d"}"#, "/complainant/email"),
            ]
            for (body, field) in intakes {
                let response = try await client.call(.post, "/v1/complaints", token: agent, body: body)
                #expect((400..<500).contains(response.status.code) && response.problemFields.contains(field),
                        "\(body): \(response.status) \(response.problemFields)")
            }
            #expect(try await client.call(.post, "/v1/complaints", token: agent, body: "{\(valid)}",
                                          headers: ["Idempotency-Key": String(repeating: "k", count: 201)]).problemFields == ["Idempotency-Key"])
            #expect(try await client.call(.post, "/v1/complaints", token: agent, body: "{\(valid)}",
                                          headers: ["Idempotency-Key": "two words"]).problemFields == ["Idempotency-Key"])
            let steps: [(String, String?, String)] = [
                ("fly", nil, "action"), ("grade", #"{"level":2}"#, "/priority"), ("grade", #"{"level":9,"priority":"general"}"#, "/level"),
                ("assign", "{}", "/departmentId"), ("assign", #"{"departmentId":"\#(org.c.departments[0].path)"}"#, "/departmentId"),
                ("assign", #"{"responsibleUserId":"\#(org.c.users[.handler]!.path)"}"#, "/responsibleUserId"),
                ("mark_invalid", "{}", "/resolution"), ("acknowledge", #"{"bogus":true}"#, "/bogus"),
                ("acknowledge", #"{"note":7}"#, "/note"),
                ("acknowledge", #"{"note":"bell\u0007"}"#, "/note"),
            ]
            for (action, body, field) in steps {
                let response = try await client.call(.post, "/v1/complaints/\(id)/actions/\(action)", token: agent, body: body)
                #expect((400..<500).contains(response.status.code) && response.problemFields.contains(field),
                        "\(action) \(body ?? ""): \(response.status) \(response.problemFields)")
            }
            let handler = try await client.signIn(org.a.code, "handler")
            for (amount, field) in [(#""compensationAmount":1.234,"currency":"CNY""#, "/plan/compensationAmount"),
                                    (#""compensationAmount":10"#, "/plan/currency")] {
                let response = try await client.call(.post, "/v1/complaints/\(id)/actions/propose_plan", token: handler,
                                                     body: #"{"plan":{"measures":["refund"],"description":"d",\#(amount)}}"#)
                #expect(response.status == .unprocessableContent && response.problemFields == [field], "\(amount)")
            }
            for query in ["status=lost", "status=received&status=lost", "level=0", "priority=x", "channel=x", "receivedFrom=x",
                          "assignedToMe=yes", "limit=0", "cursor=x", "q=%07"] {
                let response = try await client.call(.get, "/v1/complaints?\(query)", token: agent)
                #expect(response.status == .badRequest, "\(query)")
            }
            #expect(try await client.call(.get, "/v1/complaints/not-an-id", token: agent).problemFields == ["id"])
            let typeless = try await client.call(.post, "/v1/complaints/\(id)/actions/acknowledge", token: agent, body: "note=hi",
                                                 contentType: "text/plain")
            #expect(typeless.status == .unsupportedMediaType, "a body is never ignored")
            #expect(try await harness.complaintSnapshot() == before, "refused requests changed nothing")
        }
    }
}

extension APIHarness {
    /// A digest of every complaint and what hangs off it.
    func complaintSnapshot() async throws -> String {
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("""
                SELECT md5(coalesce(string_agg(row, '|' ORDER BY row), '')) FROM (
                    SELECT t::text AS row FROM complaints t UNION ALL SELECT t::text FROM complaint_events t
                    UNION ALL SELECT t::text FROM complaint_handovers t UNION ALL SELECT t::text FROM complaint_communications t
                    UNION ALL SELECT t::text FROM complaint_evidence t UNION ALL SELECT t::text FROM complaint_findings t
                    UNION ALL SELECT t::text FROM complaint_plans t UNION ALL SELECT t::text FROM complaint_surveys t) rows
                """)[0].decode(String.self, at: 0)
        }
    }
}
