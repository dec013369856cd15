import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import Postgres
import RedressAPIClient
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

    /// The case work follows its complaint to another department: the department it left no longer
    /// reads it, the one it joined reads all of it, and every child row's copy of the complaint's
    /// visibility is the complaint's own (`sql/0033`).
    @Test func caseWorkFollowsItsComplaintToAnotherDepartment() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await ComplaintLifecycleAPITests.actors(org, client)
            let other = try await client.signIn(org.a.code, "other")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: who.agent)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: category)["id"] as? String)
            #expect(try await client.call(.post, "/v1/complaints/\(id)/communications", token: who.handler,
                body: #"{"direction":"inbound","channel":"phone","kind":"note","content":"Called back."}"#).status == .created)
            #expect(try await client.call(.post, "/v1/complaints/\(id)/findings", token: who.handler,
                body: #"{"basis":"fault","summary":"Billed twice."}"#).status == .created)
            let paths = ["communications", "findings", "timeline", "handovers"]
            for path in paths {
                #expect(try await client.call(.get, "/v1/complaints/\(id)/\(path)", token: other).status == .notFound, "before: \(path)")
            }
            _ = try await ComplaintLifecycleAPITests.step(client, id, "assign", token: who.agent,
                                                          body: #"{"departmentId":"\#(org.a.departments[1].path)"}"#)
            for path in paths {
                let read = try await client.call(.get, "/v1/complaints/\(id)/\(path)", token: other)
                #expect(read.status == .ok && !read.items.isEmpty, "the department it joined reads \(path)")
                #expect(try await client.call(.get, "/v1/complaints/\(id)/\(path)", token: who.handler).status == .notFound,
                        "the department it left no longer reads \(path)")
            }
            #expect(try await ComplaintLifecycleAPITests.timeline(client, id, token: other) == ["received", "communication", "finding", "assign"])
            let stale: Int = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.query("""
                    SELECT count(*) FROM complaints c
                      JOIN (SELECT branch_id, complaint_id, case_department_id FROM complaint_events
                            UNION ALL SELECT branch_id, complaint_id, case_department_id FROM complaint_communications
                            UNION ALL SELECT branch_id, complaint_id, case_department_id FROM complaint_findings
                            UNION ALL SELECT branch_id, complaint_id, case_department_id FROM complaint_handovers) x
                        ON x.branch_id = c.branch_id AND x.complaint_id = c.id
                     WHERE c.id = \(UUID(uuidString: id)!) AND x.case_department_id IS DISTINCT FROM c.department_id
                    """)[0].decode(at: 0)
            }
            #expect(stale == 0, "every copy follows the complaint")
        }
    }

    /// Case work through the client generated from openapi.yaml: what it sends is what the
    /// contract describes, and every answer, the evidence's bytes included, decodes into the
    /// contract's types.
    @Test func theGeneratedClientRecordsAndReadsCaseWork() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let who = try await ComplaintLifecycleAPITests.actors(org, client)
            let category = try await ComplaintLifecycleAPITests.billing(client, token: who.agent)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: category)["id"] as? String)
            let agent = try client.api(who.agent)
            let handler = try client.api(who.handler)
            let head = try client.api(who.head)

            let logged = try await agent.createCommunication(path: .init(id: id), body: .json(.init(
                direction: .inbound, channel: .letter, kind: .note, content: "客户来信\n附发票复印件")))
            let entry = try logged.created.body.json
            #expect(entry.channel == "letter" && entry.content == "客户来信\n附发票复印件" && entry.id == entry.id.lowercased())
            #expect(entry.recordedBy == org.a.users[.agent]!.path && entry.complaintId == id.lowercased())
            // The confirmation intake sent the complainant is logged first.
            #expect(try await head.listCommunications(path: .init(id: id)).ok.body.json.items.map(\.kind) == ["confirmation", "note"])
            #expect(try await head.listCommunications(path: .init(id: id)).ok.body.json.items.last?.id == entry.id)

            let content = Data((0..<600).map { UInt8($0 % 256) })
            let recorded = try await handler.createEvidence(path: .init(id: id), body: .json(.init(
                _type: .documentary, source: "invoice scan", description: "Both invoices", collectedAt: Date(timeIntervalSinceNow: -3600),
                collectedBy: "Harper", contentType: "image/png", contentBase64: content.base64EncodedString())))
            let evidence = try recorded.created.body.json
            #expect(evidence.size == content.count && evidence.contentType == "image/png" && evidence._type == "documentary")
            let listed = try await head.listEvidence(path: .init(id: id)).ok.body.json.items
            #expect(listed.map(\.id) == [evidence.id] && listed.first?.sha256 == evidence.sha256)
            let download = try await head.getEvidenceContent(path: .init(id: id, evidenceId: evidence.id)).ok
            #expect(download.headers.cacheControl == "no-store" && download.headers.contentDisposition == "attachment")
            #expect(Data(try await ArraySlice<UInt8>(collecting: download.body.any, upTo: 2 << 20)) == content)
            let bare = try await handler.createEvidence(path: .init(id: id), body: .json(.init(
                _type: .witness, source: "shop floor", collectedAt: Date(timeIntervalSinceNow: -60), collectedBy: "Avery")))
            let witness = try bare.created.body.json
            #expect(witness.size == 0 && witness.contentType == nil && witness.description == nil)
            let empty = try await client.call(.get, "/v1/complaints/\(id)/evidence/\(witness.id)/content", token: who.head)
            #expect(empty.status == .ok && empty.body.isEmpty && empty.headers[.contentType] == "application/octet-stream")

            let found = try await handler.createFinding(path: .init(id: id), body: .json(.init(
                basis: .causation, directParties: ["billing batch"], summary: "The batch ran twice.", accountability: "Billing")))
            let finding = try found.created.body.json
            #expect(finding.directParties == ["billing batch"] && finding.indirectParties == [] && finding.accountability == "Billing")
            #expect(try await agent.listFindings(path: .init(id: id)).ok.body.json.items.map(\.id) == [finding.id])

            _ = try await ComplaintLifecycleAPITests.step(client, id, "assign", token: who.head,
                                                          body: #"{"responsibleUserId":"\#(org.a.users[.handler]!.path)"}"#)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "start_investigation", token: who.handler)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "propose_plan", token: who.handler, body: ComplaintLifecycleAPITests.plan)
            let plan = try #require(try await head.listPlans(path: .init(id: id)).ok.body.json.items.first)
            #expect(plan.status == .proposed && plan.compensationAmount == 25.5 && plan.currency == "CNY" && plan.measures == ["refund", "apology"])
            #expect(plan.proposedBy == org.a.users[.handler]!.path && plan.headApprovedBy == nil)

            // Refusals decode into the contract's problems.
            let future = try await handler.createEvidence(path: .init(id: id), body: .json(.init(
                _type: .physical, source: "router", collectedAt: Date(timeIntervalSinceNow: 3600), collectedBy: "Avery")))
            #expect(try future.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/collectedAt"])
            let garbled = try await handler.createEvidence(path: .init(id: id), body: .json(.init(
                _type: .electronic, source: "log", collectedAt: Date(), collectedBy: "Avery", contentBase64: "not base64!")))
            #expect(try garbled.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/contentBase64"])
            let admin = try client.api(try await client.signIn(org.a.code, "admin"))
            let refused = try await admin.createFinding(path: .init(id: id), body: .json(.init(basis: .fault, summary: "x")))
            #expect(try refused.forbidden.body.applicationProblemJson.status == 403)
            let other = try client.api(try await client.signIn(org.a.code, "other"))
            #expect(try await other.listEvidence(path: .init(id: id)).notFound.body.applicationProblemJson.status == 404)
            #expect(try await other.getEvidenceContent(path: .init(id: id, evidenceId: evidence.id)).notFound.body.applicationProblemJson.status == 404)
            let timeline = try await ComplaintLifecycleAPITests.timeline(client, id, token: who.head)
            #expect(timeline.filter { ["communication", "evidence", "finding"].contains($0) } == ["communication", "evidence", "evidence", "finding"])
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
