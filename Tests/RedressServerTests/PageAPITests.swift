import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressAPIClient
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("Pages and escalation review over HTTP")
struct PageAPITests {
    @Test func recipientsSeeAndAcknowledgeTheirPagesAndHeadsReviewEscalations() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let head = try await client.signIn(org.a.code, "department_head")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-25 * 3600))
            let intake = try await client.call(.post, "/v1/complaints", token: agent, body: """
                {"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000"},"description":"late","categoryId":"\(category)","receivedAt":"\(received)"}
                """)
            let id = try #require(intake.json["id"] as? String)
            let fired = try await harness.database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
                try await EscalationStore(pool: pool).escalateDue(batch: 10)
            }
            #expect(fired.map(\.tier) == [1])

            let botPages = try await client.call(.get, "/v1/pages", token: org.a.botKey).items
            #expect(botPages.count == 1)
            let summary = try #require(botPages.first?["summary"] as? [String: Any])
            #expect(summary["caseNumber"] as? String == intake.json["caseNumber"] as? String)
            #expect(summary["tier"] as? Int == 1)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: botPages), as: UTF8.self)
            // The phone's digits, not "8000" alone: that also turns up in ids and fractions of a second.
            #expect(!text.contains("王小明") && !text.contains("0013 8000") && !text.contains("13800138000"),
                    "no customer personal data reaches bots")
            let typed = try await client.api(org.a.botKey).listPages(query: .init()).ok.body.json.items
            #expect(typed.map(\.id) == botPages.compactMap { $0["id"] as? String } && typed.first?.summary.value["tier"] as? Int == 1)
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: org.a.botKey).status == .notFound)

            let review = try await client.call(.get, "/v1/escalations?unacknowledged=true", token: head).items
            #expect(review.count == 1)
            let paged = (review.first?["pages"] as? [[String: Any]])?.compactMap { ($0["userId"] as? String)?.lowercased() }.sorted()
            #expect(paged == [org.a.users[.bot]!.path, org.a.users[.departmentHead]!.path].sorted())

            let queued = "/v1/work-queue?bucket=escalated_unacknowledged"
            let waiting = try await client.call(.get, queued, token: head).json["buckets"] as? [[String: Any]]
            #expect(waiting?.first?["count"] as? Int == 1, "the head's queue holds the escalation until someone acknowledges")
            let headPage = try #require(try await client.call(.get, "/v1/pages", token: head).items.first?["id"] as? String)
            #expect(try await client.call(.post, "/v1/pages/\(headPage)/acknowledge", token: org.a.botKey).status == .notFound,
                    "only the recipient acknowledges")

            // A bot's acknowledgement is a receipt: the escalation still waits for a person.
            let botPage = try #require(botPages.first?["id"] as? String)
            let before = try await harness.snapshot()
            for (token, path, body, status, field) in [
                (head, "acknowledge", #"{"onBehalfOf":"\#(org.a.users[.bot]!.path)"}"#, 422, "/onBehalfOf"),
                (head, "snooze", #"{"minutes":16}"#, 422, "/minutes"),
                (head, "snooze", #"{"minutes":0}"#, 422, "/minutes"),
                (head, "snooze", #"{"minutes":"soon"}"#, 400, "/minutes"),
                (org.a.botKey, "snooze", #"{"minutes":5}"#, 403, nil),
                (head, "hand-off", #"{"toUserId":"\#(org.a.users[.agent]!.path)"}"#, 422, "/toUserId"),
                (head, "hand-off", #"{"toUserId":"\#(org.b.users[.departmentHead]!.path)"}"#, 422, "/toUserId"),
                (head, "hand-off", #"{"toUserId":"someone"}"#, 400, "/toUserId"),
                (org.a.botKey, "hand-off", #"{"toUserId":"\#(org.a.users[.departmentHead]!.path)"}"#, 403, nil),
            ] {
                let pageID = token == head ? headPage : botPage
                let refused = try await client.call(.post, "/v1/pages/\(pageID)/\(path)", token: token, body: body)
                #expect(refused.status.code == status && (field == nil || refused.problemFields == [field!]), "\(path) \(body)")
            }
            let relayRefused = try await client.call(.post, "/v1/pages/\(botPage)/acknowledge", token: org.a.botKey,
                                                     body: #"{"onBehalfOf":"\#(org.a.users[.agent]!.path)"}"#)
            #expect(relayRefused.status == .unprocessableContent && relayRefused.problemFields == ["/onBehalfOf"])
            #expect(try await harness.snapshot() == before)
            let receipt = try await client.call(.post, "/v1/pages/\(botPage)/acknowledge", token: org.a.botKey)
            #expect(receipt.status == .ok && receipt.json["deliveredAt"] is String && !(receipt.json["acknowledgedAt"] is String))
            let stillWaiting = try await client.call(.get, queued, token: head).json["buckets"] as? [[String: Any]]
            #expect(stillWaiting?.first?["count"] as? Int == 1, "a bot's receipt is no acknowledgement")
            let acknowledged = try await client.call(.post, "/v1/pages/\(headPage)/acknowledge", token: head)
            #expect(acknowledged.status == .ok && acknowledged.json["acknowledgedAt"] != nil)
            let cleared = try await client.call(.get, queued, token: head).json["buckets"] as? [[String: Any]]
            #expect(cleared?.first?["count"] as? Int == 0)
            #expect(try await client.call(.get, "/v1/pages", token: head).items.isEmpty)
            #expect(try await client.call(.get, "/v1/pages?all=true", token: head).items.count == 1)
            let kinds = try await ComplaintLifecycleAPITests.timeline(client, id, token: head)
            #expect(kinds.last == "page_acknowledged")
            // Again, and twice at once: the same page back, and no second timeline entry.
            async let first = client.call(.post, "/v1/pages/\(headPage)/acknowledge", token: head)
            async let second = client.call(.post, "/v1/pages/\(headPage)/acknowledge", token: head)
            for again in [try await first, try await second] {
                #expect(again.status == .ok && again.json["acknowledgedAt"] as? String == acknowledged.json["acknowledgedAt"] as? String)
            }
            #expect(try await ComplaintLifecycleAPITests.timeline(client, id, token: head) == kinds)

            let other = try await client.signIn(org.a.code, "other")
            #expect(try await client.call(.get, "/v1/escalations", token: other).items.isEmpty, "another department's handler")
            let foreignHead = try await client.signIn(org.b.code, "department_head")
            #expect(try await client.call(.get, "/v1/escalations", token: foreignHead).items.isEmpty, "another branch")
            #expect(try await client.call(.get, "/v1/pages", token: foreignHead).items.isEmpty)
            #expect(try await client.call(.get, "/v1/escalations", token: org.a.botKey).status == .forbidden)
            #expect(try await client.call(.get, "/v1/pages?all=maybe", token: head).problemFields == ["all"])
            #expect(try await client.call(.post, "/v1/pages/nope/acknowledge", token: head).problemFields == ["id"])
        }
    }
}
