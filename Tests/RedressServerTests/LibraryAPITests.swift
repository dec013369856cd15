import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// The case library over real HTTP: a draft from a closed complaint whose description names the
/// complainant and their phone number is refused, naming the field, until both are edited out; the
/// entry is then found by Chinese and English substrings, by its own branch only until a branch
/// manager publishes it, and the publication is audited.
@Suite("Case library")
struct LibraryAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    static func search(_ client: any TestClientProtocol, _ query: String, token: String) async throws -> [String] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let response = try await client.call(.get, "/v1/library?q=\(encoded)", token: token)
        #expect(response.status == .ok, "\(query): \(String(decoding: response.body, as: UTF8.self))")
        return response.items.compactMap { $0["id"] as? String }
    }

    static func entries(_ harness: APIHarness) async throws -> Int64 {
        try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT count(*) FROM case_library_entries")[0].decode(Int64.self, at: 0)
        }
    }

    @Test func aDraftNamingTheComplainantIsRefusedUntilEditedThenFoundAndShared() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let handler = try await client.signIn(org.a.code, "handler")
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let billing = try await Lifecycle.billing(client, token: agent)
            let intake = try await client.call(.post, "/v1/complaints", token: agent, body: """
                {"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000","email":"xiaoming@example.com"},
                 "categoryId":"\(billing)","product":"Family plan",
                 "description":"王小明（电话138-0013-8000）反映话费账单重复扣费, charged TWICE for the same month"}
                """)
            #expect(intake.status == .created, "\(String(decoding: intake.body, as: UTF8.self))")
            let id = try #require(intake.json["id"] as? String)
            let caseNumber = try #require(intake.json["caseNumber"] as? String), code = try #require(intake.json["accessCode"] as? String)
            #expect(try await client.call(.get, "/v1/complaints/\(id)/library-draft", token: handler).status == .conflict, "still open")
            _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
            #expect(try await ComplainantSurveyAndReviewAPITests.survey(client, caseNumber, code: code, score: 8).status == .created)

            // The draft is the complaint's unsealed text: the description still names the complainant.
            let draft = try await client.call(.get, "/v1/complaints/\(id)/library-draft", token: handler)
            #expect(draft.status == .ok, "\(String(decoding: draft.body, as: UTF8.self))")
            let situation = try #require(draft.json["situation"] as? String)
            #expect(situation.contains("138-0013-8000") && draft.json["outcome"] as? String == "success" && draft.json["lesson"] as? String == "")
            #expect(draft.json["categoryId"] as? String == billing && (draft.json["title"] as? String)?.contains("Family plan") == true)

            func body(_ situation: String, lesson: String = "批处理需要幂等检查 — make billing runs idempotent", source: Bool = true) -> String {
                var fields: [String: Any] = [
                    "title": "重复扣费 Double billing", "situation": situation,
                    "cause": "计费批处理执行了两次", "actions": "退还多收费用并致歉", "lesson": lesson, "outcome": "success",
                    "categoryId": billing, "tags": ["计费", "billing"]]
                if source { fields["sourceComplaintId"] = id }
                let text = try! JSONSerialization.data(withJSONObject: fields)
                return String(decoding: text, as: UTF8.self)
            }
            let before = try await Self.entries(harness)
            let withPhone = try await client.call(.post, "/v1/library", token: handler, body: body(situation))
            #expect(withPhone.status == .unprocessableContent && withPhone.problemFields == ["/situation"], "\(withPhone.json)")
            let spaced = try await client.call(.post, "/v1/library", token: handler,
                                               body: body("反映话费账单重复扣费", lesson: "call back on +86 138 0013 8000 first"))
            #expect(spaced.status == .unprocessableContent && spaced.problemFields == ["/lesson"], "the number however it is spaced")
            let withName = try await client.call(.post, "/v1/library", token: handler,
                                                 body: body(situation.replacingOccurrences(of: "138-0013-8000", with: "…")))
            #expect(withName.status == .unprocessableContent && withName.problemFields == ["/situation"], "\(withName.json)")
            let withEmail = try await client.call(.post, "/v1/library", token: handler,
                                                  body: body("反映话费账单重复扣费", lesson: "write to XiaoMing@Example.com"))
            #expect(withEmail.status == .unprocessableContent && withEmail.problemFields == ["/lesson"])
            let blank = try await client.call(.post, "/v1/library", token: handler, body: body("   "))
            #expect(blank.status == .unprocessableContent && blank.problemFields == ["/situation"])
            #expect(try await client.call(.post, "/v1/library", token: try await client.signIn(org.a.code, "admin"),
                                          body: body("反映话费账单重复扣费")).status == .forbidden)
            #expect(try await Self.entries(harness) == before, "refused entries are not stored")

            // Edited: stored, and found by Chinese and English substrings in any case.
            let edited = situation.replacingOccurrences(of: "王小明（电话138-0013-8000）", with: "一位客户")
            let made = try await client.call(.post, "/v1/library", token: handler, body: body(edited))
            #expect(made.status == .created, "\(String(decoding: made.body, as: UTF8.self))")
            let entry = try #require(made.json["id"] as? String)
            for query in ["重复扣费", "扣费", "账单", "charged twice", "TWICE", "idempotent", "计费"] {
                #expect(try await Self.search(client, query, token: agent) == [entry], "\(query)")
            }
            #expect(try await Self.search(client, "退款延迟", token: agent).isEmpty)
            let short = try await client.call(.get, "/v1/library?q=%20%E8%B4%B9", token: agent)
            #expect(short.status == .unprocessableContent && short.problemFields == ["q"])
            #expect(try await client.call(.get, "/v1/library?q=%00ab", token: agent).status.code / 100 == 4)
            #expect(try await client.call(.get, "/v1/library?tag=%00", token: agent).status.code / 100 == 4)
            #expect(try await client.call(.get, "/v1/library?tag=billing&outcome=success", token: agent).items.count == 1)
            #expect(try await client.call(.get, "/v1/library?outcome=failure", token: agent).items.isEmpty)

            // Its branch's own until a branch manager publishes it; then every branch finds it, until withdrawn.
            let other = try await client.signIn(org.b.code, "agent")
            #expect(try await Self.search(client, "扣费", token: other).isEmpty)
            #expect(try await client.call(.get, "/v1/library/\(entry)", token: other).status == .notFound)
            #expect(try await client.call(.put, "/v1/library/\(entry)/publication", token: handler).status == .forbidden)
            #expect(try await client.call(.put, "/v1/library/\(entry)/publication", token: try await client.signIn(org.b.code, "branch_manager"))
                    .status == .notFound)
            let published = try await client.call(.put, "/v1/library/\(entry)/publication", token: manager)
            #expect(published.status == .ok && published.json["publishedBy"] as? String == org.a.users[.branchManager]!.path)
            #expect(try await client.call(.put, "/v1/library/\(entry)/publication", token: manager).status == .conflict)
            #expect(try await Self.search(client, "扣费", token: other) == [entry])
            #expect(try await client.call(.get, "/v1/library/\(entry)", token: try await client.signIn(org.c.code, "handler")).status == .ok)
            let replaced = try await client.call(.put, "/v1/library/\(entry)", token: handler, body: body(edited, lesson: "changed", source: false))
            #expect(replaced.status == .forbidden, "a published entry is its branch managers' to change")
            let renamed = try await client.call(.put, "/v1/library/\(entry)", token: manager, body: body(situation, source: false))
            #expect(renamed.status == .unprocessableContent && renamed.problemFields == ["/situation"], "checked again on every change")
            #expect(try await client.call(.delete, "/v1/library/\(entry)/publication", token: manager).status == .ok)
            #expect(try await Self.search(client, "扣费", token: other).isEmpty)

            let audited = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT count(*) FILTER (WHERE after ->> 'published_at' IS NOT NULL), count(*) FILTER (WHERE before ->> 'published_at' IS NOT NULL)
                      FROM audit_log WHERE entity = 'case_library_entries' AND action = 'update'
                    """)[0]
            }
            #expect(try audited.decode(Int64.self, at: 0) == 1 && audited.decode(Int64.self, at: 1) == 1, "publishing and withdrawing are audited")
        }
    }
}
