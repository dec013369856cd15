import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Progress looked up by complainants without signing in")
struct PublicProgressAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    /// An intake in English whose answer carries the access code.
    static func intake(_ client: any TestClientProtocol, token: String, category: String?,
                       key: String? = nil) async throws -> (id: String, caseNumber: String, code: String) {
        var body = #"{"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000","language":"en"},"#
            + #""description":"Charged twice for the same month""#
        if let category { body += #","categoryId":"\#(category)""# }
        body += "}"
        let response = try await client.call(.post, "/v1/complaints", token: token, body: body,
                                             headers: key.map { ["Idempotency-Key": $0] } ?? [:])
        #expect(response.status == .created, "\(String(decoding: response.body, as: UTF8.self))")
        return (try #require(response.json["id"] as? String), try #require(response.json["caseNumber"] as? String),
                try #require(response.json["accessCode"] as? String))
    }

    static func lookUp(_ client: any TestClientProtocol, _ caseNumber: String, _ code: String,
                       language: String? = nil) async throws -> APIResponse {
        let query = code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? code
        return try await client.call(.get, "/v1/public/complaints/\(caseNumber)?code=\(query)",
                                     headers: language.map { ["Accept-Language": $0] } ?? [:])
    }

    /// The public view's lookups recorded in branch `branch`'s audit trail, by outcome.
    static func auditedLookups(_ harness: APIHarness, branch: UUID) async throws -> [String] {
        try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("""
                SELECT after ->> 'outcome' FROM audit_log
                 WHERE branch_id = \(branch) AND after ->> 'via' = 'public_lookup' AND actor_id IS NULL ORDER BY id
                """).map { try $0.decode(String.self, at: 0) }
        }
    }

    @Test func theCodeFromIntakeOpensThePublicViewAndNothingElseDoes() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            let (id, caseNumber, code) = try await Self.intake(client, token: agent, category: category)
            #expect(code.wholeMatch(of: /[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}/) != nil, "\(code)")
            let read = try await client.call(.get, "/v1/complaints/\(id)", token: agent)
            #expect(read.json["accessCode"] == nil, "the code is in the intake's answer only")
            #expect((read.json["complainant"] as? [String: Any])?["language"] as? String == "en")
            #expect((read.json["complainant"] as? [String: Any])?["preferredChannel"] as? String == "sms")

            // Typed as people do: lower case, without hyphens, the case number in lower case too.
            let found = try await Self.lookUp(client, caseNumber.lowercased(), code.lowercased().replacingOccurrences(of: "-", with: ""))
            #expect(found.status == .ok, "\(String(decoding: found.body, as: UTF8.self))")
            #expect(found.json["caseNumber"] as? String == caseNumber && found.json["language"] as? String == "en")
            #expect(found.headers[.cacheControl] == "no-store" && found.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer",
                    "the code in the address goes into no cache and no referrer")
            #expect(found.json["status"] as? String == "received" && found.json["statusText"] as? String == "We have received your complaint.")
            #expect(found.json["department"] as? String == "Billing", "the routing rule's department, by name")
            let timeline = try #require(found.json["timeline"] as? [[String: Any]])
            #expect(timeline.map { $0["text"] as? String } == ["Complaint received"])
            let text = String(decoding: found.body, as: UTF8.self)
            for secret in ["王小明", "138", org.a.users[.agent]!.uuidString.lowercased(), "Agent", id] {
                #expect(!text.contains(secret), "the public view shows \(secret)")
            }

            // Acknowledged and graded: the milestones met, the level on the timeline, in the language asked for.
            _ = try await Lifecycle.step(client, id, "acknowledge", token: agent)
            _ = try await Lifecycle.step(client, id, "grade", token: agent,
                                         body: #"{"level":2,"priority":"important","note":"internal: caller was rude"}"#)
            // The branch has no gateway: the agent phones the complainant, and that meets the milestone.
            let called = try await client.call(.post, "/v1/complaints/\(id)/communications", token: agent,
                                               body: #"{"direction":"outbound","channel":"phone","kind":"confirmation","content":"confirmed by phone"}"#)
            #expect(called.status == .created)
            let graded = try await Self.lookUp(client, caseNumber, code, language: "zh-TW, en;q=0.5")
            #expect(graded.json["language"] as? String == "zh-Hant" && graded.json["level"] as? Int == 2)
            let milestones = try #require(graded.json["milestones"] as? [[String: Any]])
            #expect(milestones.first { $0["milestone"] as? String == "acknowledge" }?["met"] as? Bool == true)
            #expect(milestones.first { $0["milestone"] as? String == "result" }?["met"] as? Bool == false)
            let texts = try #require(graded.json["timeline"] as? [[String: Any]]).compactMap { $0["text"] as? String }
            #expect(texts == ["投訴已登記", "已確認受理", "已評定為2級投訴"], "\(texts)")
            #expect(!String(decoding: graded.body, as: UTF8.self).contains("rude"), "notes stay inside")

            // A wrong code, an unknown case number and another branch's case: one answer.
            let foreign = try await client.signIn(org.b.code, "agent")
            let (_, foreignCase, _) = try await Self.intake(client, token: foreign, category: nil)
            let wrongCode = try await Self.lookUp(client, caseNumber, "AAAA-BBBB-CCCC")
            let unknownCase = try await Self.lookUp(client, String(caseNumber.dropLast(6)) + "999999", code)
            let otherBranch = try await Self.lookUp(client, foreignCase, code)
            for refused in [wrongCode, unknownCase, otherBranch] {
                #expect(refused.status == .notFound)
                #expect(refused.json["detail"] as? String == wrongCode.json["detail"] as? String)
                #expect(refused.json["type"] as? String == wrongCode.json["type"] as? String)
            }

            // Malformed input is named, and costs the case nothing.
            let badCode = try await Self.lookUp(client, caseNumber, "II00-OO11-IIOO")
            #expect(badCode.status == .badRequest && (badCode.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "code")
            let badCase = try await client.call(.get, "/v1/public/complaints/not-a-case?code=\(code)")
            #expect(badCase.status == .badRequest)
            #expect(try await client.call(.get, "/v1/public/complaints/\(caseNumber)").status == .badRequest, "the code is required")

            // Every lookup that named an existing branch is in that branch's audit trail.
            #expect(try await Self.auditedLookups(harness, branch: org.a.id) == ["found", "found", "wrong_code", "unknown"])
            #expect(try await Self.auditedLookups(harness, branch: org.b.id) == ["wrong_code"])

            // A retried intake answers the complaint again, but never the code.
            let keyed = try await Self.intake(client, token: agent, category: category, key: "retry-1")
            let replay = try await client.call(.post, "/v1/complaints", token: agent,
                                               body: #"{"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000","language":"en"},"description":"Charged twice for the same month","categoryId":"\#(category)"}"#,
                                               headers: ["Idempotency-Key": "retry-1"])
            #expect(replay.status == .ok && replay.json["id"] as? String == keyed.id && replay.json["accessCode"] == nil)
        }
    }

    @Test func wrongCodesLockACaseNumberKnownOrNotUntilAnAgentIssuesANewCode() async throws {
        var configured = StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600))
        configured.lookupFailuresBeforeLock = 3
        let store = configured
        try await APIHarness.run(store: store) { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let (id, caseNumber, code) = try await Self.intake(client, token: agent, category: nil)
            let unknown = String(caseNumber.dropLast(6)) + "999998"
            for target in [caseNumber, String(unknown)] {
                for _ in 0..<3 {
                    #expect(try await Self.lookUp(client, target, "AAAA-BBBB-CCCC").status == .notFound)
                }
                let locked = try await Self.lookUp(client, target, code)
                #expect(locked.status == .tooManyRequests, "locked, even with the right code: \(target)")
                #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 800)
            }

            // Only roles that see the complainant in full, in the complaint's branch, issue codes.
            let manager = try await client.signIn(org.a.code, "branch_manager")
            #expect(try await client.call(.post, "/v1/complaints/\(id)/access-code", token: manager).status == .forbidden)
            let foreign = try await client.signIn(org.b.code, "agent")
            #expect(try await client.call(.post, "/v1/complaints/\(id)/access-code", token: foreign).status == .notFound)
            let issued = try await client.call(.post, "/v1/complaints/\(id)/access-code", token: agent)
            #expect(issued.status == .created, "\(String(decoding: issued.body, as: UTF8.self))")
            let newCode = try #require(issued.json["accessCode"] as? String)
            #expect(newCode != code && issued.json["caseNumber"] as? String == caseNumber)
            #expect(try await Self.lookUp(client, caseNumber, code).status == .notFound, "the old code stops working")
            #expect(try await Self.lookUp(client, caseNumber, newCode).status == .ok, "and the lock is lifted")
            #expect(try await Self.lookUp(client, String(unknown), code).status == .tooManyRequests, "other locks stay")
            let timeline = try await Lifecycle.timeline(client, id, token: agent)
            #expect(timeline.contains("access_code_issued"))

            // One client's wrong codes lock that client out, not the complainant elsewhere; wrong codes
            // from many clients, four times the limit in all, lock the case number for everyone.
            try await harness.database.withPool(size: 2) { (pool: PGPool) async throws in
                let complaints = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: store))
                let code = try #require(AccessCode(reading: newCode))
                for round in 0..<3 {
                    #expect(try await complaints.lookUpProgress(caseNumber: caseNumber, code: AccessCode.generate(),
                                                                client: "198.51.100.1", requestID: nil) == .unknown, "round \(round)")
                }
                guard case .locked = try await complaints.lookUpProgress(caseNumber: caseNumber, code: AccessCode.generate(),
                                                                        client: "198.51.100.1", requestID: nil) else {
                    Issue.record("three wrong codes lock that client"); return
                }
                guard case .done = try await complaints.lookUpProgress(caseNumber: caseNumber, code: code, client: "203.0.113.9",
                                                                       requestID: nil) else {
                    Issue.record("the complainant elsewhere still gets in"); return
                }
                for client in 2...6 {
                    for _ in 0..<2 {
                        _ = try await complaints.lookUpProgress(caseNumber: caseNumber, code: AccessCode.generate(),
                                                                client: "198.51.100.\(client)", requestID: nil)
                    }
                }
                guard case .locked = try await complaints.lookUpProgress(caseNumber: caseNumber, code: code, client: "203.0.113.9",
                                                                        requestID: nil) else {
                    Issue.record("thirteen wrong codes from six clients lock the case for everyone"); return
                }
            }
        }
    }

    static func state(_ client: any TestClientProtocol, _ caseNumber: String, code: String, text: String) async throws -> APIResponse {
        let body = try JSONSerialization.data(withJSONObject: ["code": code, "text": text])
        return try await client.call(.post, "/v1/public/complaints/\(caseNumber)/statements", body: String(decoding: body, as: UTF8.self))
    }

    static func communicationsDigest(_ harness: APIHarness) async throws -> String {
        try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') FROM complaint_communications t")[0]
                .decode(String.self, at: 0)
        }
    }

    @Test func aComplainantAddsAStatementWithTheCodeAndNothingWithoutIt() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            let (id, caseNumber, code) = try await Self.intake(client, token: agent, category: category)
            let statement = "The second charge was on 3 November.\n第二笔扣费在11月3日。"

            let added = try await Self.state(client, caseNumber.lowercased(), code: code, text: statement)
            #expect(added.status == .created, "\(String(decoding: added.body, as: UTF8.self))")
            let communications = try await client.call(.get, "/v1/complaints/\(id)/communications", token: agent).items
                .filter { $0["kind"] as? String == "statement" }
            #expect(communications.count == 1)
            let entry = try #require(communications.first)
            #expect(entry["id"] as? String == added.json["communicationId"] as? String)
            #expect(entry["direction"] as? String == "inbound" && entry["kind"] as? String == "statement")
            #expect(entry["content"] as? String == statement && entry["recordedBy"] == nil)
            #expect(try await Lifecycle.timeline(client, id, token: agent).last == "statement_received")
            let view = try await Self.lookUp(client, caseNumber, code)
            #expect((view.json["timeline"] as? [[String: Any]])?.last?["text"] as? String == "Your information was received")
            // The handling department sees it; another branch does not.
            let head = try await client.signIn(org.a.code, "department_head")
            #expect(try await client.call(.get, "/v1/complaints/\(id)/communications", token: head).items
                .filter { $0["kind"] as? String == "statement" }.count == 1)
            let foreign = try await client.signIn(org.b.code, "agent")
            #expect(try await client.call(.get, "/v1/complaints/\(id)/communications", token: foreign).status == .notFound)

            // Nothing is added with a wrong code, a blank text, a text too long or a malformed code.
            let before = try await Self.communicationsDigest(harness)
            #expect(try await Self.state(client, caseNumber, code: "AAAA-BBBB-CCCC", text: "let me in").status == .notFound)
            let blank = try await Self.state(client, caseNumber, code: code, text: " \n ")
            #expect(blank.status == .unprocessableContent && (blank.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "/text")
            #expect(try await Self.state(client, caseNumber, code: code, text: String(repeating: "x", count: 5001)).status.code / 100 == 4)
            let badCode = try await Self.state(client, caseNumber, code: "1234", text: "hello")
            #expect(badCode.status == .unprocessableContent && (badCode.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "/code")
            #expect(try await Self.communicationsDigest(harness) == before)

            // An archived complaint takes nothing more.
            _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: #"{"resolution":"Refunded"}"#)
            _ = try await Lifecycle.step(client, id, "record_satisfaction", token: agent, body: #"{"satisfaction":9}"#)
            let manager = try await client.signIn(org.a.code, "branch_manager")
            _ = try await Lifecycle.step(client, id, "archive", token: manager)
            #expect(try await Self.state(client, caseNumber, code: code, text: "one more thing").status == .conflict)
            let audited = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.query("""
                    SELECT (after ->> 'via') || ' ' || (after ->> 'outcome') FROM audit_log
                     WHERE branch_id = \(org.a.id) AND actor_id IS NULL AND after ? 'via' ORDER BY id
                    """).map { try $0.decode(String.self, at: 0) }
            }
            #expect(audited == ["public_statement found", "public_lookup found", "public_statement wrong_code", "public_statement found"])
        }
    }

    @Test func eachClientAddressHasItsLimit() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.publicLookupsPerMinute = 4
        try await APIHarness.run(server: server) { harness, client in
            let agent = try await client.signIn(harness.organisation.a.code, "agent")
            let (_, caseNumber, code) = try await Self.intake(client, token: agent, category: nil)
            for _ in 0..<4 {
                #expect(try await Self.lookUp(client, caseNumber, code).status == .ok)
            }
            let limited = try await Self.lookUp(client, caseNumber, code)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
        }
    }
}
