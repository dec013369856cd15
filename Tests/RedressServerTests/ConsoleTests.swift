import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

/// The web console over real HTTP: its session cookie and CSRF tokens, who sees which page (the
/// API's scopes, a plain 404 otherwise), bad input refused next to its field with nothing
/// changed, and the languages it speaks.
@Suite("The web console")
struct ConsoleTests {
    @Test func theSessionCookieIsStrictAndHttpOnlyAndPagesAllowNoInlineScript() async throws {
        try await APIHarness.run { harness, client in
            var visitor = ConsoleVisitor(client: client)
            let signIn = try await visitor.get("/console/sign-in")
            #expect(signIn.status == .ok)
            _ = try await visitor.post("/console/sign-in", ["branch": harness.organisation.a.code, "login": "department_head",
                                                            "password": TestOrganisation.password])
            let set = try await client.call(.get, "/console/sign-in").headers[values: .setCookie].joined()
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"))
            let session = try #require(visitor.cookies["redress_console"])
            #expect(session.hasPrefix("rds_") || !session.isEmpty)
            let queue = try await visitor.get("/console/queue")
            #expect(queue.status == .ok)
            let policy = try #require(queue.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.hasPrefix("default-src 'self'") && !policy.contains("unsafe-inline"))
            // No inline script or style: scripts come from a file, and no element carries a handler or a style.
            let html = queue.html
            #expect(html.components(separatedBy: "<script").count - 1 == html.components(separatedBy: "<script src=").count - 1)
            #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil)
            #expect(!html.contains(" style="))
            #expect(html.contains(#"name="csrf""#))
        }
    }

    @Test func formsWithoutTheSessionsCSRFTokenChangeNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            var agent = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "agent")
            _ = try await agent.get("/console/complaints/new")
            let fields = ["channel": "phone", "complainant.customerType": "individual", "description": "Charged twice"]
            for forged in ["", "0000", String(repeating: "a", count: 64)] {
                let refused = try await agent.post("/console/complaints", fields, csrf: forged)
                #expect(refused.status == .forbidden, "csrf \(forged.prefix(8))")
            }
            // Another session's token is not this session's.
            var other = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "agent")
            _ = try await other.get("/console/complaints/new")
            #expect(try await agent.post("/console/complaints", fields, csrf: other.csrf).status == .forbidden)
            #expect(try await complaints(harness) == 0)
            // Without a session, a form goes to the sign-in page and records nothing.
            var stranger = ConsoleVisitor(client: client)
            let anonymous = try await stranger.post("/console/complaints", fields, csrf: agent.csrf)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/console/sign-in")
            #expect(try await complaints(harness) == 0)
            // The sign-in form's own value must match its cookie.
            var fresh = ConsoleVisitor(client: client)
            _ = try await fresh.get("/console/sign-in")
            let forgedSignIn = try await fresh.post("/console/sign-in", ["branch": org.a.code, "login": "agent",
                                                                         "password": TestOrganisation.password], csrf: "00")
            #expect(forgedSignIn.status == .forbidden && fresh.cookies["redress_console"] == nil)
            // With the token, the same form records the complaint.
            let recorded = try await agent.post("/console/complaints", fields)
            #expect(recorded.status == .created && recorded.html.contains("id=\"access-code\""))
            #expect(try await complaints(harness) == 1)
        }
    }

    @Test func aComplaintPageFollowsTheAPIsScopesAndIsOtherwiseThePlain404Page() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agentToken = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agentToken)
            let routed = try #require(try await ComplaintLifecycleAPITests.intake(client, token: agentToken, category: category)["id"] as? String)
            let expectations: [(String, TestOrganisation.BranchFixture, Bool)] = [
                ("agent", org.a, true), ("branch_manager", org.a, true), ("auditor", org.a, true), ("executive", org.a, true),
                ("handler", org.a, true), ("department_head", org.a, true), ("admin", org.a, false), ("other", org.a, false),
                ("agent", org.b, false), ("department_head", org.b, false), ("branch_manager", org.c, false),
            ]
            var notFound: String?
            for (login, branch, sees) in expectations {
                var visitor = try await ConsoleVisitor.signIn(client, branch: branch.code, login: login)
                let page = try await visitor.get("/console/complaints/\(routed)")
                #expect(page.status == (sees ? .ok : .notFound), "\(login)@\(branch.code)")
                if !sees {
                    #expect(!page.html.contains("王小明") && !page.html.contains("charged twice"), "\(login)@\(branch.code) sees nothing of it")
                    // Every refusal is the same page, whoever asks.
                    let plain = page.html.replacingOccurrences(of: #"<header.*</header>"#, with: "", options: .regularExpression)
                    if let notFound { #expect(plain == notFound, "\(login)@\(branch.code)") } else { notFound = plain }
                }
            }
            // Pages of other roles, unknown pages and malformed ids are 404 too.
            var agent = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "agent")
            for path in ["/console/audit", "/console/reports", "/console/admin/calendar", "/console/queue", "/console/nope",
                         "/console/complaints/\(UUID().path)", "/console/static/../../etc/passwd", "/console/static/x.png"] {
                #expect(try await agent.get(path).status == .notFound, "agent: \(path)")
            }
            var admin = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "admin")
            for path in ["/console/queue", "/console/complaints/new", "/console/audit", "/console/reports"] {
                #expect(try await admin.get(path).status == .notFound, "admin: \(path)")
            }
            #expect(try await admin.get("/console/complaints/not-a-uuid").status.code / 100 == 4)
            // Without a session every page goes to the sign-in form.
            var stranger = ConsoleVisitor(client: client)
            let away = try await stranger.get("/console/complaints/\(routed)")
            #expect(away.status == .seeOther && away.headers[.location] == "/console/sign-in")
        }
    }

    @Test func personalDataIsMaskedAsTheAPIMasksIt() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agentToken = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agentToken)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: agentToken, category: category)["id"] as? String)
            for login in ["agent", "handler", "department_head", "auditor"] {
                let token = try await client.signIn(org.a.code, login)
                let phone = try #require((try await client.call(.get, "/v1/complaints/\(id)", token: token).json["complainant"]
                                          as? [String: Any])?["phone"] as? String)
                var visitor = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: login)
                let html = try await visitor.get("/console/complaints/\(id)").html
                #expect(html.contains(phone), "\(login) sees the phone as the API shows it: \(phone)")
                if phone != "+86 138 0013 8000" { #expect(!html.contains("138 0013 8000"), "\(login) never sees it in full") }
            }
        }
    }

    @Test func badInputIsRefusedNextToItsFieldAndChangesNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            var agent = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "agent")
            _ = try await agent.get("/console/complaints/new")
            let valid = ["channel": "phone", "complainant.customerType": "individual", "complainant.language": "en",
                         "description": "Charged twice"]
            // Each refusal links the field it names from the list at the top of the form.
            let cases: [([String: String], String)] = [
                (["description": ""], "description"),
                (["description": String(repeating: "x", count: 20_001)], "description"),
                (["channel": "pigeon"], "channel"),
                (["level": "7"], "level"),
                (["level": "one"], "level"),
                (["occurredAt": "2099-01-01T10:00"], "occurredAt"),
                (["occurredAt": "yesterday"], "occurredAt"),
                (["complainant.email": "not-an-email"], "complainant.email"),
                (["complainant.preferredChannel": "sms", "complainant.phone": ""], "complainant.preferredChannel"),
                (["categoryId": "not-a-uuid"], "categoryId"),
                (["complainant.language": "xx"], "complainant.language"),
                (["description": "bad \u{0} byte"], "description"),
            ]
            for (change, field) in cases {
                let answer = try await agent.post("/console/complaints", valid.merging(change) { _, new in new })
                #expect(answer.status == .unprocessableContent, "\(change.keys.sorted())")
                let linked = answer.html.matches(of: /<li><a href="#([A-Za-z.]+)">/).map { String($0.1) }
                #expect(linked == [field], "\(change.keys.sorted()) names \(field): \(linked)")
                #expect(answer.html.contains("value=\"\(change["complainant.email"] ?? "")\"") || change["complainant.email"] == nil,
                        "what was typed is kept")
            }
            // Not a form, or too large.
            let json = try await agent.send(.post, "/console/complaints", body: #"{"csrf":"x"}"#, contentType: "application/json", headers: [:])
            #expect(json.status == .unsupportedMediaType)
            let huge = try await agent.post("/console/complaints", valid.merging(["description": String(repeating: "x", count: 300_000)]) { _, new in new })
            #expect(huge.status == .contentTooLarge)
            #expect(try await complaints(harness) == 0)

            // The calendar: a refused value is shown next to its day, and nothing is saved.
            var admin = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "admin")
            let before = try await admin.get("/console/admin/calendar").html
            for (field, value) in [("monday", "9-17"), ("tuesday", "25:00-26:00"), ("holidays", "2026-02-30"), ("makeUpDays", "soon")] {
                let refused = try await admin.post("/console/admin/calendar", [field: value])
                #expect(refused.status.code / 100 == 4, "\(field)=\(value)")
                #expect(refused.html.contains(field == "holidays" || field == "makeUpDays" ? "\(field)-error" : "day-\(field)-error"),
                        "\(field)=\(value) is named")
            }
            #expect(try await admin.get("/console/admin/calendar").html == before)

            // A step the complaint does not allow, or with a bad value, leaves it as it was.
            let token = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: token)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: token, category: category)["id"] as? String)
            _ = try await agent.get("/console/complaints/\(id)")
            for (action, fields) in [("close", [:]), ("grade", ["level": "9"]), ("explode", [:]), ("grade", ["note": String(repeating: "n", count: 5001)])] {
                let refused = try await agent.post("/console/complaints/\(id)/actions/\(action)", fields)
                #expect(refused.status.code / 100 == 4, "\(action) \(fields.keys.sorted())")
            }
            let status = try await client.call(.get, "/v1/complaints/\(id)", token: token).json["status"] as? String
            #expect(status == "received")
        }
    }

    @Test func pagesAndProblemsSpeakTheReadersLanguage() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            var head = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "department_head")
            let chinese = try await head.get("/console/queue", headers: ["Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"])
            #expect(chinese.html.contains("<html lang=\"zh-Hans\">") && chinese.html.contains("工作队列"))
            let english = try await head.get("/console/queue", headers: ["Accept-Language": "en-GB"])
            #expect(english.html.contains("<html lang=\"en\">") && english.html.contains("Work queue"))
            // The person's choice wins over the browser's.
            let chosen = try await head.post("/console/language", ["language": "zh-Hans", "back": "/console/queue"])
            #expect(chosen.status == .seeOther && chosen.headers[.location] == "/console/queue")
            #expect(try await head.get("/console/queue", headers: ["Accept-Language": "en"]).html.contains("工作队列"))
            // Off-site addresses are not followed back.
            #expect(try await head.post("/console/language", ["language": "en", "back": "https://evil.example/"]).headers[.location] == "/console/")

            // The API's problems: titles and field messages from the same catalogue.
            let token = try await client.signIn(org.a.code, "agent")
            let refused = try await client.call(.post, "/v1/complaints", token: token,
                                                body: #"{"channel":"phone","complainant":{}}"#, headers: ["Accept-Language": "zh-CN"])
            #expect(refused.status == .badRequest || refused.status == .unprocessableContent)
            #expect(refused.json["title"] as? String == "校验未通过" || refused.json["title"] as? String == "请求无效")
            #expect(refused.headers[.contentLanguage] == "zh-Hans")
            let messages = (refused.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(messages.contains("必填"), "\(messages)")
            let plain = try await client.call(.post, "/v1/complaints", token: token, body: #"{"channel":"phone","complainant":{}}"#)
            #expect((plain.json["errors"] as? [[String: Any]] ?? []).contains { $0["message"] as? String == "is required" })
            #expect(plain.headers[.contentLanguage] == "en")
        }
    }

    private func complaints(_ harness: APIHarness) async throws -> Int {
        try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            Int(try await pool.query("SELECT count(*)::integer FROM complaints")[0].decode(Int32.self, at: 0))
        }
    }
}
