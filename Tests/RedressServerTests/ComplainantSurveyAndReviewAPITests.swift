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

/// The complainant's own answers over real HTTP, with a real gateway on loopback that checks every
/// signature: the satisfaction survey through the public endpoint closes or reopens the complaint
/// as a recorded follow-up does, and a review (復議) asked within the window is decided by the
/// complaint office, escalated by the scheduler when overdue, and reopens the complaint when revised.
@Suite("Complainants answer surveys and ask for reviews")
struct ComplainantSurveyAndReviewAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests
    typealias Progress = PublicProgressAPITests
    typealias Messages = ComplainantMessageAPITests

    static func survey(_ client: any TestClientProtocol, _ caseNumber: String, code: String, score: Int) async throws -> APIResponse {
        try await client.call(.post, "/v1/public/complaints/\(caseNumber)/survey",
                              body: #"{"code":"\#(code)","score":\#(score),"attitude":\#(score),"efficiency":\#(score),"outcome":\#(score),"comments":"answered online"}"#)
    }

    static func askForReview(_ client: any TestClientProtocol, _ caseNumber: String, code: String) async throws -> APIResponse {
        try await client.call(.post, "/v1/public/complaints/\(caseNumber)/reviews",
                              body: #"{"code":"\#(code)","grounds":"The refund covers one month, not both."}"#)
    }

    /// The events of the complaint's timeline, as `kind` or `kind by role`.
    static func timeline(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [String] {
        try await client.call(.get, "/v1/complaints/\(id)/timeline", token: token).items.map { event in
            let roles = event["actorRoles"] as? [String] ?? []
            return (event["kind"] as? String ?? "") + (roles == ["complainant"] ? " by complainant" : "")
        }
    }

    /// The branch's complaint office, with `reviewer` (a handler) as its head, made as the owner.
    static func complaintOffice(_ harness: APIHarness, branch: UUID) async throws -> (office: UUID, reviewer: UUID) {
        try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let office: UUID = try await owner.query("""
                INSERT INTO departments (branch_id, name, kind) VALUES (\(branch), 'Complaint office', 'complaint_office') RETURNING id
                """)[0].decode(at: 0)
            let reviewer = try await owner.withConnection { connection in
                try await TestOrganisation.user("reviewer", role: .handler, departments: [office], branch: branch, connection)
            }
            _ = try await owner.query("UPDATE departments SET head_user_id = \(reviewer) WHERE branch_id = \(branch) AND id = \(office)")
            return (office, reviewer)
        }
    }

    @Test func aSurveyAnsweredOnlineReopensAtThreeAndClosesAtEight() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await APIHarness.run(server: Messages.server, store: Messages.store) { harness, client in
                let org = harness.organisation
                let admin = try await client.signIn(org.a.code, "admin")
                let agent = try await client.signIn(org.a.code, "agent")
                let handler = try await client.signIn(org.a.code, "handler")
                let head = try await client.signIn(org.a.code, "department_head")
                try await Messages.registerGateway(client, admin: admin, url: url, receiver: receiver)
                _ = try await client.call(.put, "/v1/message-settings", token: admin,
                                          body: #"{"contact":"400-800-1234","publicUrl":"https://complaints.example.com/track"}"#)
                let category = try await Lifecycle.billing(client, token: agent)
                let (id, caseNumber, code) = try await Progress.intake(client, token: agent, category: category)
                #expect(try await Self.survey(client, caseNumber, code: code, score: 8).status == .conflict, "no survey before the result")
                _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
                _ = try await Messages.deliver(harness)
                let invitation = try #require(Messages.messages(receiver).first { $0["event"] as? String == "survey" })
                #expect((invitation["body"] as? String)?.contains("https://complaints.example.com/track?case=\(caseNumber)&survey=1") == true,
                        "\(invitation)")

                // Bad answers change nothing: a wrong code is the lookup's 404, a score out of range a 422.
                let wrong = try await client.call(.post, "/v1/public/complaints/\(caseNumber)/survey",
                                                  body: #"{"code":"AAAA-BBBB-CCCC","score":3,"attitude":3,"efficiency":3,"outcome":3}"#)
                #expect(wrong.status == .notFound)
                let outOfRange = try await client.call(.post, "/v1/public/complaints/\(caseNumber)/survey",
                                                       body: #"{"code":"\#(code)","score":11,"attitude":3,"efficiency":3,"outcome":3}"#)
                #expect(outOfRange.status == .unprocessableContent && outOfRange.problemFields == ["/score"])
                let partial = try await client.call(.post, "/v1/public/complaints/\(caseNumber)/survey", body: #"{"code":"\#(code)","score":3}"#)
                #expect(partial.status == .badRequest, "the three dimensions are asked too")
                #expect(try await client.call(.get, "/v1/complaints/\(id)", token: agent).json["status"] as? String == "result_fed_back")

                // Dissatisfied: reopened for secondary handling, as a recorded follow-up would.
                let three = try await Self.survey(client, caseNumber, code: code, score: 3)
                #expect(three.status == .created, "\(String(decoding: three.body, as: UTF8.self))")
                #expect(three.json["status"] as? String == "investigating" && three.json["reopened"] as? Bool == true)
                let reopened = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
                #expect(reopened["reopenCount"] as? Int == 1 && reopened["satisfaction"] as? Int == 3)
                #expect(try await FollowUpAPITests.followUps(client, "status=done&complaintId=\(id)", token: agent).count == 1,
                        "the follow-up is answered")
                #expect(try await Self.timeline(client, id, token: agent).last == "record_satisfaction by complainant")
                #expect(try await Self.survey(client, caseNumber, code: code, score: 9).status == .conflict, "answered once")

                // Handled again and fed back: a new survey; satisfied, the complaint closes.
                _ = try await Lifecycle.step(client, id, "propose_plan", token: handler, body: Lifecycle.plan)
                _ = try await Lifecycle.step(client, id, "approve_plan", token: head)
                _ = try await Lifecycle.step(client, id, "start_implementation", token: handler)
                _ = try await Lifecycle.step(client, id, "feed_back_result", token: handler, body: FollowUpAPITests.resolution)
                let eight = try await Self.survey(client, caseNumber, code: code, score: 8)
                #expect(eight.status == .created && eight.json["status"] as? String == "closed" && eight.json["reopened"] as? Bool == false)
                let closed = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
                #expect(closed["status"] as? String == "closed" && closed["satisfaction"] as? Int == 8)
                #expect(try await Self.survey(client, caseNumber, code: code, score: 2).status == .conflict,
                        "a long-term callback is not answered before it is due")
                _ = try await Messages.deliver(harness)
                #expect(Messages.messages(receiver).filter { $0["event"] as? String == "survey" }.count == 2, "one invitation per result")

                // Another branch's case number with this code is the same 404; the answers are audited.
                let other = try await Progress.intake(client, token: try await client.signIn(org.b.code, "agent"), category: nil)
                #expect(try await Self.survey(client, other.caseNumber, code: code, score: 8).status == .notFound)
                let audited = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.query("""
                        SELECT count(*) FROM audit_log WHERE branch_id = \(org.a.id) AND after ->> 'via' = 'public_survey'
                        """)[0].decode(Int64.self, at: 0)
                }
                #expect(audited == 6, "each answer the store was asked for, the refused ones too, is in the branch's audit trail")
            }
        }
    }

    @Test func aReviewIsAskedInTimeDecidedByTheOfficeEscalatedWhenLateAndReopensWhenRevised() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await APIHarness.run(server: Messages.server, store: Messages.store) { harness, client in
                let org = harness.organisation
                let admin = try await client.signIn(org.a.code, "admin")
                let agent = try await client.signIn(org.a.code, "agent")
                try await Messages.registerGateway(client, admin: admin, url: url, receiver: receiver)
                let (office, _) = try await Self.complaintOffice(harness, branch: org.a.id)
                let reviewer = try await client.signIn(org.a.code, "reviewer")
                let category = try await Lifecycle.billing(client, token: agent)
                let (id, caseNumber, code) = try await Progress.intake(client, token: agent, category: category)
                #expect(try await Self.askForReview(client, caseNumber, code: code).status == .conflict, "nothing to review before the result")
                #expect(try await client.call(.get, "/v1/complaints/\(id)", token: reviewer).status == .notFound)
                _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)

                let asked = try await Self.askForReview(client, caseNumber, code: code)
                #expect(asked.status == .created, "\(String(decoding: asked.body, as: UTF8.self))")
                let reviewID = try #require(asked.json["reviewId"] as? String)
                let dueAt = try #require((asked.json["dueAt"] as? String).flatMap(apiDate))
                #expect(abs(dueAt.timeIntervalSinceNow - 7 * 86_400) < 120, "the policy's 7 days")
                #expect(try await Self.askForReview(client, caseNumber, code: code).status == .conflict, "one review at a time")

                // The office joined the complaint to review it, and lists the review.
                let listed = try await client.call(.get, "/v1/reviews?status=requested", token: reviewer).items
                #expect(listed.map { $0["id"] as? String } == [reviewID] && listed.first?["reviewerDepartmentId"] as? String == office.uuidString.lowercased())
                #expect(try await client.call(.get, "/v1/complaints/\(id)", token: reviewer).status == .ok)
                #expect(try await client.call(.get, "/v1/reviews", token: try await client.signIn(org.a.code, "other")).items.isEmpty)
                #expect(try await client.call(.get, "/v1/reviews/\(reviewID)", token: try await client.signIn(org.b.code, "branch_manager")).status
                        == .notFound)

                // The scheduler tells the office's head once; an overdue review pages the branch managers once.
                try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                    let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                    let told = try await scheduler.escalateReviews()
                    #expect(told.map(\.reason) == ["review_requested"] && told.first?.pages == 1, "\(told)")
                    #expect(try await scheduler.escalateReviews().isEmpty, "once")
                }
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    _ = try await owner.query("""
                        UPDATE complaint_reviews SET requested_at = now() - interval '2 hours', due_at = now() - interval '1 hour'
                         WHERE id = \(UUID(uuidString: reviewID)!)
                        """)
                }
                #expect(try await client.call(.get, "/v1/reviews/\(reviewID)", token: reviewer).json["overdue"] as? Bool == true)
                try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                    let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                    let overdue = try await scheduler.escalateReviews()
                    #expect(overdue.map(\.reason) == ["review_overdue"] && overdue.first?.pages == 2, "the branch manager and the office's head")
                    #expect(overdue.first.map { $0.lateSeconds >= 3599 } == true)
                    #expect(try await scheduler.escalateReviews().isEmpty, "once")
                }
                let manager = try await client.signIn(org.a.code, "branch_manager")
                let paged = try await client.call(.get, "/v1/pages", token: manager).items
                #expect(paged.contains { ($0["summary"] as? [String: Any])?["reason"] as? String == "review_overdue" })

                // Neither the head of the handling department nor a stranger decides it.
                let decision = #"{"outcome":"revised","reasoning":"The second month was never refunded."}"#
                let head = try await client.signIn(org.a.code, "department_head")
                #expect(try await client.call(.post, "/v1/reviews/\(reviewID)/decision", token: head, body: decision).status == .forbidden)
                #expect(try await client.call(.post, "/v1/reviews/\(reviewID)/decision", token: agent, body: decision).status == .forbidden)
                #expect(try await client.call(.post, "/v1/reviews/\(reviewID)/decision", token: reviewer,
                                              body: #"{"outcome":"revised","reasoning":"  "}"#).status == .unprocessableContent)
                #expect(try await client.call(.get, "/v1/complaints/\(id)", token: agent).json["status"] as? String == "result_fed_back")

                // The office revises it: the complaint is reopened, and the complainant told why.
                let decided = try await client.call(.post, "/v1/reviews/\(reviewID)/decision", token: reviewer, body: decision)
                #expect(decided.status == .ok, "\(String(decoding: decided.body, as: UTF8.self))")
                #expect(decided.json["status"] as? String == "revised" && decided.json["decidedBy"] as? String != nil)
                #expect(try await client.call(.post, "/v1/reviews/\(reviewID)/decision", token: reviewer, body: decision).status == .conflict)
                let reopened = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
                #expect(reopened["status"] as? String == "investigating" && reopened["reopenCount"] as? Int == 1)
                let kinds = try await Self.timeline(client, id, token: agent)
                #expect(kinds.contains("review_requested by complainant") && kinds.contains("office_joined by complainant"))
                #expect(kinds.contains("reviewers_told") && kinds.contains("review_overdue"))
                #expect(Array(kinds.suffix(2)) == ["review_decided", "reopen"], "\(kinds)")
                _ = try await Messages.deliver(harness)
                let told = Messages.messages(receiver).filter { ($0["event"] as? String)?.hasPrefix("review") == true }
                #expect(Set(told.compactMap { $0["event"] as? String }) == ["review_received", "review_decided"] && told.count == 2)
                let received = try #require(told.first { $0["event"] as? String == "review_received" }?["body"] as? String)
                #expect(received.contains("will review it and answer by 20"), "\(received)")
                let answer = try #require(told.first { $0["event"] as? String == "review_decided" }?["body"] as? String)
                #expect(answer.contains("handled again") && answer.contains("never refunded"), "\(answer)")
                let logged = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
                #expect(logged.contains { $0["kind"] as? String == "statement" && ($0["content"] as? String)?.contains("not both") == true })
                // The public page says so in plain words, without the reviewer's name or reasons.
                let page = try await Progress.lookUp(client, caseNumber, code).json
                let publicTimeline = (page["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
                #expect(publicTimeline.suffix(3) == ["Your request for a review was received", "Review decided: your complaint will be handled again",
                                           "Complaint reopened for further handling"], "\(publicTimeline)")
                #expect(!String(decoding: try await Progress.lookUp(client, caseNumber, code).body, as: UTF8.self).contains("never refunded"))

                // The decision stands, and the complaint is worked again as usual.
                let handlerID = org.a.users[.handler]!.uuidString.lowercased()
                let reassigned = try await client.call(.post, "/v1/complaints/\(id)/actions/reassign", token: head,
                                                       body: #"{"responsibleUserId":"\#(handlerID)"}"#)
                #expect(reassigned.status == .ok, "\(String(decoding: reassigned.body, as: UTF8.self))")
                await #expect(throws: PGError.self, "nobody undoes a decision") {
                    try await harness.database.withPool(size: 1) { (pool: PGPool) async throws in
                        try await ScopedDatabase(pool: pool).withScope(org.caller(.departmentHead, in: org.a).scope) { connection in
                            try await connection.execute("""
                                UPDATE complaint_reviews SET status = 'requested', decided_by = NULL, decided_at = NULL, reasoning = NULL
                                 WHERE id = \(UUID(uuidString: reviewID)!)
                                """)
                        }
                    }
                }
                #expect(try await Self.askForReview(client, caseNumber, code: code).status == .conflict, "nothing to review while handled again")

                // The reports count it.
                let report = try await client.call(.get, "/v1/reports/complaints", token: manager).json
                let reviews = try #require(report["reviews"] as? [String: Any])
                #expect(reviews["requested"] as? Int == 1 && reviews["revised"] as? Int == 1 && reviews["upheld"] as? Int == 0)
                #expect(reviews["open"] as? Int == 0)

                // A review asked after the window closed is refused.
                let (late, lateCase, lateCode) = try await Progress.intake(client, token: agent, category: category)
                _ = try await Lifecycle.step(client, late, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    _ = try await owner.query("""
                        UPDATE complaint_events SET at = at - interval '16 days'
                         WHERE complaint_id = \(UUID(uuidString: late)!) AND kind = 'resolve_on_the_spot'
                        """)
                }
                let tooLate = try await Self.askForReview(client, lateCase, code: lateCode)
                #expect(tooLate.status == .conflict && String(decoding: tooLate.body, as: UTF8.self).contains("15 days"))

                // Upheld before the scheduler told anyone: it tells nobody, and a result is reviewed once.
                let (upheld, upheldCase, upheldCode) = try await Progress.intake(client, token: agent, category: category)
                _ = try await Lifecycle.step(client, upheld, "resolve_on_the_spot", token: agent, body: FollowUpAPITests.resolution)
                let second = try #require(try await Self.askForReview(client, upheldCase, code: upheldCode).json["reviewId"] as? String)
                let stands = try await client.call(.post, "/v1/reviews/\(second)/decision", token: manager,
                                                   body: #"{"outcome":"upheld","reasoning":"Both months were refunded on 3 December."}"#)
                #expect(stands.status == .ok && stands.json["status"] as? String == "upheld")
                #expect(try await client.call(.get, "/v1/complaints/\(upheld)", token: agent).json["status"] as? String == "result_fed_back")
                #expect(try await Self.askForReview(client, upheldCase, code: upheldCode).status == .conflict, "once per result")
                try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                    let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                    #expect(try await scheduler.escalateReviews().isEmpty)
                    let due = try await pool.query("SELECT count(*) FROM scheduler.due_review_branches(100)")[0].decode(Int64.self, at: 0)
                    #expect(due == 0, "a decided review leaves no work behind")
                }
            }
        }
    }

    @Test func aStatementBringsItsAttachmentsAsTheComplainantsEvidence() async throws {
        try await APIHarness.run(store: Messages.store) { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let (id, caseNumber, code) = try await Progress.intake(client, token: agent, category: nil)
            let receipt = Data("Receipt: 2 x 25.50 CNY, 1 and 3 November".utf8).base64EncodedString()
            let added = try await client.call(.post, "/v1/public/complaints/\(caseNumber)/statements", body: """
                {"code":"\(code)","text":"Here is the receipt.","attachments":[{"fileName":"receipt.txt","contentType":"text/plain","contentBase64":"\(receipt)"}]}
                """)
            #expect(added.status == .created, "\(String(decoding: added.body, as: UTF8.self))")
            let evidence = try await client.call(.get, "/v1/complaints/\(id)/evidence", token: agent).items
            #expect(evidence.count == 1 && evidence.first?["source"] as? String == "complainant"
                    && evidence.first?["description"] as? String == "receipt.txt" && evidence.first?["size"] as? Int == 40)
            let evidenceID = try #require(evidence.first?["id"] as? String)
            let content = try await client.call(.get, "/v1/complaints/\(id)/evidence/\(evidenceID)/content", token: agent)
            #expect(String(decoding: content.body, as: UTF8.self) == "Receipt: 2 x 25.50 CNY, 1 and 3 November")
            #expect(try await Self.timeline(client, id, token: agent).suffix(2) == ["statement_received", "evidence by complainant"])

            // Too large, not base64, or too many: refused before anything is added.
            let large = Data(count: 1_048_577).base64EncodedString()
            for (attachments, status) in [("[{\"fileName\":\"big.bin\",\"contentType\":\"application/octet-stream\",\"contentBase64\":\"\(large)\"}]",
                                           HTTPResponse.Status.unprocessableContent),
                                          ("[{\"fileName\":\"x.txt\",\"contentType\":\"text/plain\",\"contentBase64\":\"not base64!\"}]", .unprocessableContent),
                                          ("[" + Array(repeating: "{\"fileName\":\"r.txt\",\"contentType\":\"text/plain\",\"contentBase64\":\"\(receipt)\"}",
                                                       count: 4).joined(separator: ",") + "]", .unprocessableContent)] {
                let refused = try await client.call(.post, "/v1/public/complaints/\(caseNumber)/statements",
                                                    body: #"{"code":"\#(code)","text":"More","attachments":\#(attachments)}"#)
                #expect(refused.status == status || refused.status == .badRequest, "\(refused.status) \(String(decoding: refused.body.prefix(300), as: UTF8.self))")
            }
            #expect(try await client.call(.get, "/v1/complaints/\(id)/evidence", token: agent).items.count == 1)
        }
    }

    /// A complainant's transaction is confined to their complaint by the database: the scope the
    /// access code opens changes no other complaint of the branch, nor writes any other
    /// complaint's rows, whatever the statement.
    @Test func theComplainantsScopeReachesTheirComplaintAlone() async throws {
        try await APIHarness.run(store: Messages.store) { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            let mine = try await Progress.intake(client, token: agent, category: category)
            let theirs = try await Progress.intake(client, token: agent, category: category)
            let admin = try await client.signIn(org.a.code, "admin")
            _ = try await Self.survey(client, mine.caseNumber, code: mine.code, score: 5)
            let complainant = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT id FROM users WHERE branch_id = \(org.a.id) AND roles = ARRAY['complainant']")[0]
                    .decode(UUID.self, at: 0)
            }
            let scope = AccessScope.complainant(userID: complainant, branch: org.a.id, complaint: UUID(uuidString: mine.id)!, requestID: nil)
            try await harness.database.withPool(size: 1) { (pool: PGPool) async throws in
                let database = ScopedDatabase(pool: pool)
                try await database.withScope(scope) { connection in
                    let changed = try await connection.execute("UPDATE complaints SET updated_at = now() WHERE id = \(UUID(uuidString: theirs.id)!)")
                    #expect(changed == 0)
                }
                await #expect(throws: PGError.self) {
                    try await database.withScope(scope) { connection in
                        try await connection.execute("""
                            INSERT INTO complaint_events (branch_id, complaint_id, actor_id, kind)
                            VALUES (\(org.a.id), \(UUID(uuidString: theirs.id)!), \(complainant), 'forged')
                            """)
                    }
                }
                let theirDepartment = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws -> UUID? in
                    try await owner.query("SELECT department_id FROM complaints WHERE id = \(UUID(uuidString: theirs.id)!)")[0].decode(at: 0)
                }
                await #expect(throws: PGError.self) {
                    try await database.withScope(scope) { connection in
                        try await connection.execute("""
                            INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by,
                                                                  case_department_id)
                            VALUES (\(org.a.id), \(UUID(uuidString: theirs.id)!), 'inbound', 'web', 'statement', 'forged', \(complainant),
                                    \(theirDepartment))
                            """)
                    }
                }
            }
            // The complainant user is no one's colleague: not listed, not shown, not changed.
            #expect(try await client.call(.get, "/v1/users?limit=100", token: admin).items.allSatisfy { $0["login"] as? String != "complainant.self-service" })
            #expect(try await client.call(.get, "/v1/users/\(complainant)", token: admin).status == .notFound)
            #expect(try await client.call(.patch, "/v1/users/\(complainant)", token: admin, body: #"{"name":"Me"}"#).status == .notFound)
        }
    }
}
