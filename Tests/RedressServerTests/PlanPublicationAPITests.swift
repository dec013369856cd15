import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

/// Published handling plans over real HTTP: only an approved plan is published, by a branch
/// manager, with a public title and summary that may name neither the complainant nor the staff;
/// the public list shows no case number, personal data or staff name, and a withdrawal takes the
/// plan off it; both are audited.
@Suite("Published plans")
struct PlanPublicationAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    @Test func anApprovedPlanIsPublishedRedactedAndWithdrawn() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await Lifecycle.actors(org, client)
            let category = try await Lifecycle.billing(client, token: who.agent)
            let complaint = try await Lifecycle.intake(client, token: who.agent, category: category)
            let id = try #require(complaint["id"] as? String), caseNumber = try #require(complaint["caseNumber"] as? String)
            _ = try await Lifecycle.step(client, id, "grade", token: who.agent, body: #"{"level":2,"priority":"general","nature":"general"}"#)
            _ = try await Lifecycle.step(client, id, "assign", token: who.head, body: #"{"responsibleUserId":"\#(org.a.users[.handler]!.path)"}"#)
            _ = try await Lifecycle.step(client, id, "start_investigation", token: who.handler)
            _ = try await Lifecycle.step(client, id, "propose_plan", token: who.handler, body: Lifecycle.plan)
            let plan = try #require(try await client.call(.get, "/v1/complaints/\(id)/plans", token: who.head).items.first?["id"] as? String)
            let path = "/v1/complaints/\(id)/plans/\(plan)/publication"
            let text = #"{"title":"Double billing refunded","summary":"A customer was billed twice for one month. The charge is refunded and the billing run now checks for duplicates."}"#
            #expect(try await client.call(.put, path, token: who.manager, body: text).status == .conflict, "not approved yet")
            _ = try await Lifecycle.step(client, id, "approve_plan", token: who.head)

            // Refused: by anyone but a branch manager of the branch, and any text naming the complainant or the staff.
            #expect(try await client.call(.put, path, token: who.head, body: text).status == .forbidden)
            #expect(try await client.call(.put, path, token: try await client.signIn(org.b.code, "branch_manager"), body: text).status
                    == .notFound)
            let refusals: [(String, String)] = [
                (#"{"title":"Refund for 王小明","summary":"Refunded."}"#, "/title"),
                (#"{"title":"Double billing","summary":"Call +86 138 0013 8000 to confirm."}"#, "/summary"),
                (#"{"title":"Double billing","summary":"Handled by Handler and approved by Department_head."}"#, "/summary"),
                (#"{"title":"  ","summary":"Refunded."}"#, "/title"),
                (#"{"title":"Case \#(caseNumber)","summary":"Refunded."}"#, "/title"),
                (#"{"title":"Double billing","summary":"Write to billing@example.com."}"#, "/summary"),
            ]
            for (body, field) in refusals {
                let response = try await client.call(.put, path, token: who.manager, body: body)
                #expect(response.status == .unprocessableContent && response.problemFields == [field],
                        "\(field): \(String(decoding: response.body, as: UTF8.self))")
            }
            #expect(try await client.call(.get, "/v1/public/branches/\(org.a.code)/plans").items.isEmpty, "nothing published by a refusal")

            let published = try await client.call(.put, path, token: who.manager, body: text)
            #expect(published.status == .ok, "\(String(decoding: published.body, as: UTF8.self))")
            #expect(try await client.call(.put, path, token: who.manager, body: text).status == .conflict, "published once")
            let listed = try await client.call(.get, "/v1/public/branches/\(org.a.code)/plans")
            #expect(listed.status == .ok && listed.items.count == 1)
            let shown = String(decoding: listed.body, as: UTF8.self)
            #expect(listed.items.first?["measures"] as? [String] == ["refund", "apology"] && listed.items.first?["category"] as? String != nil)
            for secret in [caseNumber, id, "王小明", "8000", "Handler", org.a.users[.handler]!.path, org.a.users[.branchManager]!.path] {
                #expect(!shown.contains(secret), "the public list holds no \(secret)")
            }
            #expect(try await client.call(.get, "/v1/public/branches/\(org.b.code)/plans").items.isEmpty)
            #expect(try await client.call(.get, "/v1/public/branches/no-such-branch/plans").status == .notFound)

            let withdrawn = try await client.call(.delete, path, token: who.manager)
            #expect(withdrawn.status == .ok && withdrawn.json["withdrawnBy"] as? String == org.a.users[.branchManager]!.path)
            #expect(try await client.call(.delete, path, token: who.manager).status == .notFound)
            #expect(try await client.call(.get, "/v1/public/branches/\(org.a.code)/plans").items.isEmpty)
            let audited = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE entity = 'published_plans'
                    """)[0].decode(String.self, at: 0)
            }
            #expect(audited == "insert,update", "publishing and withdrawing are audited")
        }
    }
}
