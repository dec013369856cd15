import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

@Suite("Case work over HTTP: communications, evidence, findings, plans, surveys")
struct CaseWorkAPITests {
    @Test func caseWorkIsRecordedAndOnTheTimeline() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await ComplaintLifecycleAPITests.actors(org, client)
            let category = try await ComplaintLifecycleAPITests.billing(client, token: who.agent)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: category)["id"] as? String)
            let call = try await client.call(.post, "/v1/complaints/\(id)/communications", token: who.agent,
                body: #"{"direction":"outbound","channel":"sms","kind":"confirmation","content":"我们已收到您的投诉。"}"#)
            #expect(call.status == .created)
            let content = Data("invoice 2026-10: 2 × ¥58".utf8)
            let evidence = try await client.call(.post, "/v1/complaints/\(id)/evidence", token: who.handler, body: """
                {"type":"electronic","source":"billing system export","collectedAt":"2026-11-01T08:00:00Z","collectedBy":"Harper",
                 "contentType":"text/plain","contentBase64":"\(content.base64EncodedString())"}
                """)
            #expect(evidence.status == .created)
            let evidenceID = try #require(evidence.json["id"] as? String)
            let digest = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.query("SELECT encode(sha256(\(content)), 'hex')")[0].decode(String.self, at: 0)
            }
            #expect(evidence.json["sha256"] as? String == digest && evidence.json["size"] as? Int == content.count)
            let stored = try await client.call(.get, "/v1/complaints/\(id)/evidence/\(evidenceID)/content", token: who.head)
            #expect(stored.body == content && stored.headers[.contentType] == "text/plain")
            let finding = try await client.call(.post, "/v1/complaints/\(id)/findings", token: who.handler,
                body: #"{"basis":"fault","directParties":["billing system"],"summary":"A batch job ran twice."}"#)
            #expect(finding.status == .created)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "assign", token: who.head,
                                                          body: #"{"responsibleUserId":"\#(org.a.users[.handler]!.path)"}"#)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "start_investigation", token: who.handler)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "propose_plan", token: who.handler, body: """
                {"plan":{"measures":["refund"],"description":"Refund","compensationAmount":58,"currency":"CNY","regulatorFilingRequired":true}}
                """)
            let missingFiling = try await client.call(.post, "/v1/complaints/\(id)/actions/approve_plan", token: who.head)
            #expect(missingFiling.status == .unprocessableContent && missingFiling.problemFields == ["/regulatorReference"])
            _ = try await ComplaintLifecycleAPITests.step(client, id, "approve_plan", token: who.head, body: #"{"regulatorReference":"MIIT-2026-0042"}"#)
            let plans = try await client.call(.get, "/v1/complaints/\(id)/plans", token: who.head).items
            #expect(plans.count == 1)
            #expect(plans.first?["status"] as? String == "approved" && plans.first?["regulatorReference"] as? String == "MIIT-2026-0042")
            #expect((plans.first?["headApprovedBy"] as? String)?.lowercased() == org.a.users[.departmentHead]!.path)
            #expect(plans.first?["compensationAmount"] as? Double == 58)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "start_implementation", token: who.handler)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "feed_back_result", token: who.handler, body: #"{"resolution":"Refunded"}"#)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "record_satisfaction", token: who.agent, body: """
                {"satisfaction":8,"survey":{"method":"phone","attitude":9,"efficiency":7,"outcome":8,"comments":"Quick refund"}}
                """)
            let kinds = try await ComplaintLifecycleAPITests.timeline(client, id, token: who.head)
            #expect(kinds == ["received", "communication", "evidence", "finding", "assign", "start_investigation", "propose_plan",
                              "approve_plan", "start_implementation", "feed_back_result", "record_satisfaction"])
            let surveys: Int = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.query("SELECT count(*) FROM complaint_surveys WHERE score = 8 AND attitude = 9")[0].decode(at: 0)
            }
            #expect(surveys == 1)
            // Another department's handler finds none of it.
            let other = try await client.signIn(org.a.code, "other")
            for path in ["communications", "evidence", "evidence/\(evidenceID)/content", "findings", "plans", "timeline"] {
                #expect(try await client.call(.get, "/v1/complaints/\(id)/\(path)", token: other).status == .notFound, "\(path)")
            }
            #expect(try await client.call(.post, "/v1/complaints/\(id)/findings", token: other,
                                          body: #"{"basis":"fault","summary":"x"}"#).status == .notFound)
        }
    }

    @Test func evidenceIsImmutableEvenForTheOwner() async throws {
        try await APIHarness.run { harness, client in
            let who = try await ComplaintLifecycleAPITests.actors(harness.organisation, client)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: nil)["id"] as? String)
            let evidence = try await client.call(.post, "/v1/complaints/\(id)/evidence", token: who.agent,
                body: #"{"type":"witness","source":"shop floor","collectedAt":"2026-11-01T08:00:00Z","collectedBy":"Avery"}"#)
            #expect(evidence.status == .created && evidence.json["size"] as? Int == 0)
            try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                await #expect(throws: PGError.self) { try await pool.query("UPDATE complaint_evidence SET content = '\\x00'") }
                await #expect(throws: PGError.self) { try await pool.query("DELETE FROM complaint_evidence") }
            }
        }
    }

    @Test func badCaseWorkInputNamesTheField() async throws {
        try await APIHarness.run { harness, client in
            let who = try await ComplaintLifecycleAPITests.actors(harness.organisation, client)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: nil)["id"] as? String)
            let before = try await harness.complaintSnapshot()
            let cases: [(String, String, String)] = [
                ("communications", #"{"direction":"sideways","channel":"sms","kind":"note","content":"x"}"#, "/direction"),
                ("communications", #"{"direction":"inbound","channel":"sms","kind":"note","content":""}"#, "/content"),
                ("communications", #"{"direction":"inbound","channel":"sms","kind":"note"}"#, "/content"),
                ("evidence", #"{"type":"rumour","source":"s","collectedAt":"2026-11-01T08:00:00Z","collectedBy":"c"}"#, "/type"),
                ("evidence", #"{"type":"witness","source":"s","collectedAt":"soon","collectedBy":"c"}"#, "/collectedAt"),
                ("evidence", #"{"type":"witness","source":"s","collectedAt":"2026-11-01T08:00:00Z","collectedBy":"c","contentBase64":"***"}"#, "/contentBase64"),
                ("evidence", #"{"type":"witness","source":"s","collectedAt":"2026-11-01T08:00:00Z","collectedBy":"c","contentType":"png"}"#, "/contentType"),
                ("evidence", #"{"type":"witness","source":"s","collectedAt":"2026-11-01T08:00:00Z","collectedBy":"c","contentBase64":"\#(Data(count: 1_048_577).base64EncodedString())"}"#, "/contentBase64"),
                ("findings", #"{"basis":"luck","summary":"x"}"#, "/basis"),
                ("findings", #"{"basis":"fault","summary":"x","directParties":[""]}"#, "/directParties/0"),
                ("actions/propose_plan", "{}", "/plan"),
                ("actions/propose_plan", #"{"plan":{"measures":["bribe"],"description":"x"}}"#, "/plan/measures/0"),
                ("actions/propose_plan", #"{"plan":{"measures":["refund"],"description":"x","compensationAmount":-1,"currency":"CNY"}}"#, "/plan/compensationAmount"),
                ("actions/propose_plan", #"{"plan":{"measures":["refund"],"description":"x","compensationAmount":1.234,"currency":"CNY"}}"#, "/plan/compensationAmount"),
                ("actions/propose_plan", #"{"plan":{"measures":["refund"],"description":"x","compensationAmount":5}}"#, "/plan/currency"),
                ("actions/propose_plan", #"{"plan":{"measures":["refund"],"description":"x","secret":1}}"#, "/plan/secret"),
                ("actions/record_satisfaction", #"{"satisfaction":8,"survey":{"method":"telepathy"}}"#, "/survey/method"),
                ("actions/record_satisfaction", #"{"satisfaction":8,"survey":{"method":"phone","outcome":11}}"#, "/survey/outcome"),
            ]
            for (path, body, field) in cases {
                let response = try await client.call(.post, "/v1/complaints/\(id)/\(path)", token: who.manager, body: body)
                #expect((400..<500).contains(response.status.code) && response.problemFields.contains(field),
                        "\(path) \(body.prefix(120)): \(response.status) \(response.problemFields)")
            }
            #expect(try await harness.complaintSnapshot() == before)
        }
    }
}
