import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

/// The security review's cross-tenant and separation-of-duty attacks (F2, F12, F15, F18), as the
/// tenant user would send them over HTTP.
@Suite("Tenant boundaries over HTTP")
struct TenantBoundaryAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    /// F2: the admin's one-request takeover of an executive with a grant to another branch.
    @Test func aBranchAdminCannotTakeOverAnExecutiveOrAuditor() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let before = try await harness.snapshot()
            for role in [Role.executive, .auditor] {
                let target = org.a.users[role]!.uuidString.lowercased()
                for body in [#"{"roles":["agent","handler"]}"#, #"{"password":"attacker-chosen-pw"}"#, #"{"active":false}"#,
                             #"{"name":"Renamed"}"#] {
                    let response = try await client.call(.patch, "/v1/users/\(target)", token: admin, body: body)
                    #expect(response.status == .forbidden, "\(role) \(body): \(String(decoding: response.body, as: UTF8.self))")
                }
                let takeover = try await client.call(.patch, "/v1/users/\(target)", token: admin,
                                                     body: #"{"roles":["executive","agent"],"password":"attacker-chosen-pw"}"#)
                #expect(takeover.status == .unprocessableContent && takeover.problemFields == ["/roles"], "the review's request")
                #expect(try await client.call(.delete, "/v1/users/\(target)", token: admin).status == .forbidden)
            }
            let promote = try await client.call(.patch, "/v1/users/\(org.a.users[.agent]!.uuidString.lowercased())", token: admin,
                                                body: #"{"roles":["agent","auditor"]}"#)
            #expect(promote.status == .unprocessableContent && promote.problemFields == ["/roles"])
            let create = try await client.call(.post, "/v1/users", token: admin, body: """
                {"login":"hq.exec","name":"HQ","roles":["executive"],"password":"a-long-enough-password"}
                """)
            #expect(create.status == .unprocessableContent && create.problemFields == ["/roles"])
            #expect(try await harness.snapshot() == before, "nothing changed")
            let unchanged = try await client.signIn(org.a.code, "executive")
            #expect(try await client.call(.get, "/v1/me", token: unchanged).status == .ok, "the executive still signs in as before")
        }
    }

    /// F2: in a granted branch an executive reads, masked, and changes nothing.
    @Test func anExecutiveReadsAGrantedBranchMaskedAndCannotChangeIt() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agentB = try await client.signIn(org.b.code, "agent")
            let category = try await Lifecycle.billing(client, token: agentB)
            let complaint = try await Lifecycle.intake(client, token: agentB, category: category, phone: "+86 138 1234 5678")
            let id = try #require(complaint["id"] as? String)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE users SET roles = '{executive,agent}' WHERE id = \(org.a.users[.executive]!)")
            }
            let executive = try await client.signIn(org.a.code, "executive")
            let read = try await client.call(.get, "/v1/complaints/\(id)", token: executive)
            #expect(read.status == .ok)
            let complainant = read.json["complainant"] as? [String: Any]
            let phone = complainant?["phone"] as? String
            #expect(phone?.hasSuffix("5678") == true && phone?.contains("*") == true, "masked in a granted branch: \(phone ?? "-")")
            #expect(complainant?["name"] as? String != "王小明")
            let step = try await client.call(.post, "/v1/complaints/\(id)/actions/acknowledge", token: executive)
            #expect(step.status == .notFound || step.status == .forbidden, "\(step.status)")
            let note = try await client.call(.post, "/v1/complaints/\(id)/communications", token: executive,
                                             body: #"{"direction":"outbound","channel":"phone","kind":"note","content":"x"}"#)
            #expect(note.status == .notFound || note.status == .forbidden, "\(note.status)")
            #expect(try await Lifecycle.timeline(client, id, token: agentB) == ["received"])
            let search = try await client.call(.post, "/v1/complaints/search", token: executive, body: #"{"phone":"+86 138 1234 5678"}"#)
            #expect(search.status == .ok && search.items.isEmpty, "a phone search does not reach a granted branch")
            let own = try await client.call(.post, "/v1/complaints/search", token: agentB, body: #"{"phone":"+86 138 1234 5678"}"#)
            #expect(own.items.count == 1, "the branch's own agent finds it")
        }
    }

    /// F12: whoever proposes a plan does not approve it; a level-1 plan's two approvals are two people's.
    @Test func planApprovalNeedsSomeoneElse() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await Lifecycle.actors(org, client)
            let category = try await Lifecycle.billing(client, token: who.agent)
            let id = try #require(try await Lifecycle.intake(client, token: who.agent, category: category, level: 1)["id"] as? String)
            _ = try await Lifecycle.step(client, id, "grade", token: who.agent, body: #"{"level":1,"priority":"urgent","nature":"major"}"#)
            _ = try await Lifecycle.step(client, id, "assign", token: who.manager,
                                         body: #"{"responsibleUserId":"\#(org.a.users[.branchManager]!.uuidString.lowercased())"}"#)
            _ = try await Lifecycle.step(client, id, "start_investigation", token: who.manager)
            _ = try await Lifecycle.step(client, id, "propose_plan", token: who.manager, body: Lifecycle.plan)
            let own = try await client.call(.post, "/v1/complaints/\(id)/actions/approve_plan", token: who.manager)
            #expect(own.status == .forbidden, "the proposer approves")
            _ = try await Lifecycle.step(client, id, "approve_plan", token: who.head)
            let twice = try await client.call(.post, "/v1/complaints/\(id)/actions/approve_plan", token: who.manager)
            #expect(twice.status == .forbidden, "one person gives both approvals")
            #expect(try await Lifecycle.timeline(client, id, token: who.head).last == "approve_plan")
            let plans = try await client.call(.get, "/v1/complaints/\(id)/plans", token: who.head).items
            #expect(plans.first?["status"] as? String == "head_approved")
        }
    }

    /// F18: an idempotency key is the caller's own: a colleague's identical request is a new
    /// complaint, and a colleague's key reveals nothing (no 404 or 409 oracle).
    @Test func idempotencyKeysBelongToTheirCaller() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let category = try await Lifecycle.billing(client, token: agent)
            let first = try await Lifecycle.intake(client, token: agent, category: category, key: "shared-key-1")
            let body = #"{"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000","customerType":"individual"},"#
                + #""description":"话费账单重复扣费 — charged twice for the same month","desiredOutcome":"Refund","categoryId":"\#(category)"}"#
            let replay = try await client.call(.post, "/v1/complaints", token: agent, body: body, headers: ["Idempotency-Key": "shared-key-1"])
            #expect(replay.status == .ok && replay.json["id"] as? String == first["id"] as? String, "the caller's own retry replays")
            let colleague = try await Lifecycle.intake(client, token: manager, category: category, key: "shared-key-1")
            #expect(colleague["id"] as? String != first["id"] as? String, "a colleague's same key is a new complaint")
            let other = try await Lifecycle.intake(client, token: manager, category: category, phone: "+86 139 0000 0000", key: "shared-key-2")
            #expect(other["id"] != nil)
            let handler = try await client.signIn(org.a.code, "handler")
            let probe = try await client.call(.post, "/v1/complaints", token: handler, body: body.replacingOccurrences(of: "Refund", with: "Probe"),
                                              headers: ["Idempotency-Key": "shared-key-1"])
            #expect(probe.status == .created, "another caller's key is no oracle: \(probe.status)")
        }
    }

    /// F15: a bot's key stops working the moment the bot is given a person's role.
    @Test func aBotKeyDiesWhenItsBotBecomesAPerson() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            #expect(try await client.call(.get, "/v1/me", token: org.a.botKey).status == .ok)
            let admin = try await client.signIn(org.a.code, "admin")
            let bot = org.a.users[.bot]!.uuidString.lowercased()
            let changed = try await client.call(.patch, "/v1/users/\(bot)", token: admin, body: #"{"roles":["agent"]}"#)
            #expect(changed.status == .ok)
            #expect(try await client.call(.get, "/v1/me", token: org.a.botKey).status == .unauthorized)
            let person = try await client.call(.post, "/v1/api-keys", token: admin, body: #"{"userId":"\#(bot)","name":"again"}"#)
            #expect(person.status == .unprocessableContent, "no key for a person")
        }
    }
}
