import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// Institutional complaints over real HTTP: a regulator's referral with its reference and reply
/// deadline, escalated once by three schedulers when unanswered past it, then answered once; and
/// the log of dealings with outside bodies, seen as the complaint is.
@Suite("Institutional complaints")
struct InstitutionAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    static func intake(_ client: any TestClientProtocol, token: String, source: String, category: String) async throws -> String {
        let made = try await client.call(.post, "/v1/complaints", token: token, body: """
            {"channel":"institutional","source":"\(source)","complainant":{"name":"Li Lei","phone":"+86 139 0000 0000"},
             "categoryId":"\(category)","description":"Referred by the regulator: charged twice"}
            """)
        #expect(made.status == .created, "\(String(decoding: made.body, as: UTF8.self))")
        return try #require(made.json["id"] as? String)
    }

    @Test func aReferralIsEscalatedOnceWhenItsReplyIsLateThenAnsweredOnce() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let handler = try await client.signIn(org.a.code, "handler")
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let billing = try await Lifecycle.billing(client, token: agent)
            let id = try await Self.intake(client, token: agent, source: "institutional", category: billing)
            let external = try await Self.intake(client, token: agent, source: "external", category: billing)
            let due = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let referral = #"{"institution":"Shanghai Communications Administration","institutionKind":"regulator","reference":"SCA-2026-118","replyDueAt":"\#(due)"}"#

            // Refused: another source, a deadline passed, a blank reference, someone who may not work on it.
            #expect(try await client.call(.put, "/v1/complaints/\(external)/referral", token: agent, body: referral).status == .conflict)
            let late = try await client.call(.put, "/v1/complaints/\(id)/referral", token: agent,
                                             body: referral.replacingOccurrences(of: due, with: "2020-01-01T00:00:00Z"))
            #expect(late.status == .unprocessableContent && late.problemFields == ["/replyDueAt"])
            let blank = try await client.call(.put, "/v1/complaints/\(id)/referral", token: agent,
                                              body: referral.replacingOccurrences(of: "SCA-2026-118", with: " "))
            #expect(blank.status == .unprocessableContent && blank.problemFields == ["/reference"])
            #expect(try await client.call(.put, "/v1/complaints/\(id)/referral", token: try await client.signIn(org.a.code, "other"),
                                          body: referral).status == .notFound)
            #expect(try await client.call(.get, "/v1/complaints/\(id)/referral", token: agent).status == .notFound, "none yet")

            let recorded = try await client.call(.put, "/v1/complaints/\(id)/referral", token: agent, body: referral)
            #expect(recorded.status == .ok && recorded.json["reference"] as? String == "SCA-2026-118", "\(recorded.json)")
            #expect(try await client.call(.put, "/v1/complaints/\(id)/referral", token: agent, body: referral).status == .conflict, "once")
            #expect(try await client.call(.get, "/v1/complaints/\(id)/referral", token: handler).json["overdue"] as? Bool == false)
            #expect(try await client.call(.get, "/v1/complaints/\(id)/referral", token: try await client.signIn(org.b.code, "agent")).status
                    == .notFound)

            // Unanswered past its deadline: three schedulers escalate it once, paging the head and the branch manager.
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE institutional_referrals SET reply_due_at = now() - interval '2 hours'")
            }
            let escalated = try await harness.database.withPool(scheduler: true, size: 3) { (pool: PGPool) async throws in
                try await withThrowingTaskGroup(of: [EscalationStore.InstitutionReplyEscalation].self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                                .escalateInstitutionReplies()
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }
            #expect(escalated.count == 1 && escalated.first?.pages == 2 && escalated.first.map { $0.lateSeconds >= 7_199 } == true,
                    "\(escalated)")
            let kinds = try await client.call(.get, "/v1/complaints/\(id)/timeline", token: manager).items.compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "institution_reply_overdue" }.count == 1 && kinds.contains("institution_referred"), "\(kinds)")
            let paged = try await client.call(.get, "/v1/pages", token: manager).items
            #expect(paged.contains { ($0["summary"] as? [String: Any])?["reason"] as? String == "institution_reply_overdue" })
            #expect(try await client.call(.get, "/v1/complaints/\(id)/referral", token: handler).json["escalatedAt"] as? String != nil)

            // Answered once.
            let replied = try await client.call(.post, "/v1/complaints/\(id)/referral/reply", token: handler,
                                                body: #"{"reply":"Refunded on 2 December; billing run corrected."}"#)
            #expect(replied.status == .ok && replied.json["repliedBy"] as? String == org.a.users[.handler]!.path, "\(replied.json)")
            #expect(try await client.call(.post, "/v1/complaints/\(id)/referral/reply", token: handler,
                                          body: #"{"reply":"Again."}"#).status == .conflict)
            #expect(try await client.call(.post, "/v1/complaints/\(external)/referral/reply", token: handler,
                                          body: #"{"reply":"None."}"#).status == .notFound)
        }
    }

    @Test func dealingsWithOutsideBodiesAreLoggedAndSeenAsTheirComplaint() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let handler = try await client.signIn(org.a.code, "handler")
            let billing = try await Lifecycle.billing(client, token: agent)
            let id = try await Self.intake(client, token: agent, source: "external", category: billing)
            let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
            let dealing = #"{"partyKind":"media","party":"Xinmin Evening News","direction":"inbound","summary":"A reporter asked about the double billing.","at":"\#(at)"}"#
            let logged = try await client.call(.post, "/v1/complaints/\(id)/dealings", token: handler, body: dealing)
            #expect(logged.status == .created, "\(String(decoding: logged.body, as: UTF8.self))")
            let future = try await client.call(.post, "/v1/complaints/\(id)/dealings", token: handler,
                                               body: dealing.replacingOccurrences(of: at, with: "2099-01-01T00:00:00Z"))
            #expect(future.status == .unprocessableContent && future.problemFields == ["/at"])
            let listed = try await client.call(.get, "/v1/complaints/\(id)/dealings", token: agent).items
            #expect(listed.map { $0["party"] as? String } == ["Xinmin Evening News"])
            #expect(try await client.call(.get, "/v1/complaints/\(id)/dealings", token: try await client.signIn(org.a.code, "other")).status
                    == .notFound)
            #expect(try await client.call(.post, "/v1/complaints/\(id)/dealings", token: try await client.signIn(org.b.code, "agent"),
                                          body: dealing).status == .notFound)
            let kinds = try await client.call(.get, "/v1/complaints/\(id)/timeline", token: agent).items.compactMap { $0["kind"] as? String }
            #expect(kinds.last == "dealing_logged")
        }
    }
}
