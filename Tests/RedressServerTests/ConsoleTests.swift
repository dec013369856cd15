import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressServer
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
            let signedIn = try await visitor.post("/console/sign-in", ["branch": harness.organisation.a.code, "login": "department_head",
                                                                       "password": TestOrganisation.password])
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/console/")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("redress_console=") })
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.isSuperset(of: ["HttpOnly", "SameSite=Strict", "Path=/console"]) && !attributes.contains("Secure"), "\(cookie)")
            #expect(attributes.contains { $0.hasPrefix("Max-Age=") }, "the cookie ends with the session")
            // The cookie's value is the session itself: the API takes it as a bearer token, and signing out ends both.
            let session = try #require(visitor.cookies["redress_console"])
            #expect(try await client.call(.get, "/v1/me", token: session).status == .ok)
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
            let out = try await visitor.post("/console/sign-out", [:])
            #expect(out.status == .seeOther && out.headers[values: .setCookie].contains { $0.hasPrefix("redress_console=;") && $0.contains("Max-Age=0") })
            #expect(try await client.call(.get, "/v1/me", token: session).status == .unauthorized)
        }
    }

    @Test func secureCookiesWhenServedOverTLS() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.consoleSecureCookies = true
        try await APIHarness.run(server: server) { harness, client in
            var visitor = ConsoleVisitor(client: client)
            let form = try await visitor.get("/console/sign-in")
            #expect(form.headers[values: .setCookie].allSatisfy { $0.contains("; Secure") })
            let signedIn = try await visitor.post("/console/sign-in", ["branch": harness.organisation.a.code, "login": "agent",
                                                                       "password": TestOrganisation.password])
            #expect(signedIn.headers[values: .setCookie].contains { $0.hasPrefix("redress_console=") && $0.contains("; Secure") })
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
                if let email = change["complainant.email"] {
                    #expect(answer.html.contains("value=\"\(email)\""), "what was typed is kept")
                }
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
            for away in ["https://evil.example/", "//evil.example/console/", "/console/\\evil", "/console/../v1/me"] {
                #expect(try await head.post("/console/language", ["language": "en", "back": away]).headers[.location] == "/console/", "\(away)")
            }
            // Another site cannot switch it: the form needs the session's token.
            #expect(try await head.post("/console/language", ["language": "en"], csrf: "0").status == .forbidden)
            #expect(try await head.get("/console/queue").html.contains("<html lang=\"en\">"))

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

    @Test func adminsKeepTheirBranchsConfigurationWithTheAPIsValidations() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            var admin = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "admin")
            for slug in ["departments", "people", "categories", "routing-rules", "webhooks", "sla-policies", "calendar"] {
                #expect(try await admin.get("/console/admin/\(slug)").status == .ok, "\(slug)")
            }
            // Only admins, and only their own branch's configuration.
            for login in ["agent", "department_head", "branch_manager", "auditor"] {
                var other = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: login)
                for slug in ["departments", "people", "sla-policies", "nothing"] {
                    #expect(try await other.get("/console/admin/\(slug)").status == .notFound, "\(login): \(slug)")
                }
            }
            let before = try await harness.snapshot()
            // Refused next to the field it names; nothing stored.
            _ = try await admin.get("/console/admin/departments")
            let refusals: [(String, [String: String], String)] = [
                ("departments", ["name": "", "kind": "billing"], "f-name-error"),
                ("departments", ["name": "Desk", "kind": "spaceship"], "f-kind-error"),
                ("departments", ["name": String(repeating: "d", count: 201), "kind": "billing"], "f-name-error"),
                ("people", ["login": "x y", "name": "Someone", "roles": "agent"], "f-login-error"),
                ("people", ["login": "newperson", "name": "Someone", "roles": "executive"], "f-roles-error"),
                ("people", ["login": "newperson", "name": "Someone"], "f-roles-error"),
                ("people", ["login": "newperson", "name": "Someone", "roles": "agent", "email": "nope"], "f-email-error"),
                ("categories", ["code": "Not A Code", "name": "x"], "f-code-error"),
                ("routing-rules", ["categoryId": UUID().path, "departmentId": org.a.departments[0].path], "f-categoryId-error"),
                ("routing-rules", ["categoryId": UUID().path, "departmentId": org.a.departments[0].path, "position": "first"], "f-position-error"),
                ("webhooks", ["kind": "pages", "url": "not a url"], "f-url-error"),
            ]
            for (slug, fields, marker) in refusals {
                let refused = try await admin.post("/console/admin/\(slug)", fields)
                #expect(refused.status.code / 100 == 4, "\(slug) \(fields)")
                #expect(refused.html.contains("id=\"\(marker)\""), "\(slug) \(fields) names \(marker)")
            }
            // An SLA policy that is not JSON, or breaks a rule, is refused with the pointer it breaks.
            let policies = try await client.call(.get, "/v1/sla-policies", token: try await client.signIn(org.a.code, "admin")).items
            let policy = try #require(policies.first?["id"] as? String)
            let notJSON = try await admin.post("/console/admin/sla-policies/\(policy)", ["document": "{ nope"])
            #expect(notJSON.status == .badRequest && notJSON.html.contains("id=\"policy-errors\""))
            let page = try await admin.get("/console/admin/sla-policies/\(policy)").html
            let document = try #require(page.firstMatch(of: /<textarea id="document"[^>]*>([^<]*)<\/textarea>/).map { String($0.1) })
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            let broken = document.replacingOccurrences(of: #""counting" : "#, with: #""counting" : "sometimes", "x" : "#)
            let refused = try await admin.post("/console/admin/sla-policies/\(policy)", ["document": broken])
            #expect(refused.status.code / 100 == 4 && refused.html.contains("/counting"), "\(refused.status)")
            #expect(try await harness.snapshot() == before)
            // The unchanged document saves as it is.
            let saved = try await admin.post("/console/admin/sla-policies/\(policy)", ["document": document])
            #expect(saved.status == .ok && saved.html.contains("id=\"policy-saved\""), "\(saved.html.prefix(0))")

            // A valid form creates the row, which the list then shows; removal works from its button.
            let created = try await admin.post("/console/admin/departments", ["name": "Console Desk", "kind": "other"])
            #expect(created.status == .created && created.html.contains("Console Desk"))
            var otherAdmin = try await ConsoleVisitor.signIn(client, branch: org.b.code, login: "admin")
            #expect(!(try await otherAdmin.get("/console/admin/departments").html.contains("Console Desk")), "another branch's admin")
            let person = try await admin.post("/console/admin/people", ["login": "desk-agent", "name": "Desk Agent", "roles": "agent",
                                                                      "password": "a-long-enough-password"])
            #expect(person.status == .created && person.html.contains("desk-agent"))
            let removeAction = try #require(created.html.firstMatch(of: /<td>Console Desk<\/td>.*?action="(\/console\/admin\/departments\/[0-9a-f-]+\/remove)"/)
                .map { String($0.1) })
            let removed = try await admin.post(removeAction, [:])
            #expect(removed.status == .seeOther)
            #expect(!(try await admin.get("/console/admin/departments").html.contains("Console Desk")), "removed")
        }
    }

    @Test func evidenceIsUploadedAndDownloadedThroughTheComplaintPage() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let token = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: token)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: token, category: category)["id"] as? String)
            var handler = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "handler")
            _ = try await handler.get("/console/complaints/\(id)")
            let bytes = Array("第一页 receipt: charged twice\n".utf8) + [0, 255, 1]
            func multipart(_ fields: [String: String], file: [UInt8]?, csrf: String) -> (String, [UInt8]) {
                let boundary = "----redress\(UUID().uuidString)"
                var body: [UInt8] = []
                for (name, value) in fields.merging(["csrf": csrf], uniquingKeysWith: { a, _ in a }) {
                    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
                }
                if let file {
                    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"receipt.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
                    body += file + Array("\r\n".utf8)
                }
                body += Array("--\(boundary)--\r\n".utf8)
                return ("multipart/form-data; boundary=\(boundary)", body)
            }
            let fields = ["type": "documentary", "source": "the customer", "collectedBy": "Handler", "collectedAt": "2026-11-30T10:00"]
            // Refused: without the session's token, with a bad type, too large; nothing stored.
            for (change, file, csrf, expected) in [([String: String](), bytes, "00", 403), (["type": "rumour"], bytes, handler.csrf, 422),
                                                   ([:], [UInt8](repeating: 7, count: 1_300_000), handler.csrf, 413)] as [([String: String], [UInt8], String, Int)] {
                let (type, body) = multipart(fields.merging(change) { _, new in new }, file: file, csrf: csrf)
                var headers = ["Cookie": handler.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
                headers["Content-Type"] = type
                let refused = try await client.call(.post, "/console/complaints/\(id)/evidence", bytes: body, contentType: type, headers: headers)
                #expect(refused.status.code == expected, "\(change) \(file.count) bytes")
            }
            #expect(try await client.call(.get, "/v1/complaints/\(id)/evidence", token: token).items.isEmpty)
            let (type, body) = multipart(fields, file: bytes, csrf: handler.csrf)
            let headers = ["Cookie": handler.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
            let added = try await client.call(.post, "/console/complaints/\(id)/evidence", bytes: body, contentType: type, headers: headers)
            #expect(added.status == .seeOther)
            let stored = try await client.call(.get, "/v1/complaints/\(id)/evidence", token: token).items
            let evidence = try #require(stored.first?["id"] as? String)
            #expect(stored.count == 1 && stored.first?["size"] as? Int == bytes.count)
            let download = try await handler.get("/console/complaints/\(id)/evidence/\(evidence)/content")
            #expect(download.status == .ok && Array(download.body) == bytes)
            #expect((try await handler.get("/console/complaints/\(id)")).html.contains("/evidence/\(evidence)/content"))
            // A finding: refused without a summary, recorded with one, its parties split at commas.
            _ = try await handler.get("/console/complaints/\(id)")
            let noSummary = try await handler.post("/console/complaints/\(id)/findings", ["basis": "fault"])
            #expect(noSummary.status == .badRequest && noSummary.html.contains("summary: "))
            let finding = try await handler.post("/console/complaints/\(id)/findings", [
                "basis": "causation", "summary": "Billing ran twice", "directParties": "Billing system, night batch"])
            #expect(finding.status == .seeOther)
            let findings = try await client.call(.get, "/v1/complaints/\(id)/findings", token: token).items
            #expect(findings.count == 1 && findings.first?["directParties"] as? [String] == ["Billing system", "night batch"])
            // Another department's handler gets nothing.
            var other = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "other")
            #expect(try await other.get("/console/complaints/\(id)/evidence/\(evidence)/content").status == .notFound)
        }
    }

    @Test func noGarbleSentToAnyPageOrFormAnswers5xx() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let token = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: token)
            let id = try #require(try await ComplaintLifecycleAPITests.intake(client, token: token, category: category)["id"] as? String)
            var generator = SeededGenerator(state: 2026_12_05)
            let garbles = ["", " ", "%", "%zz", "%00", "\u{0}", "\u{7}x", String(repeating: "長", count: 6_000), "-1", "1e99",
                           "9999999999999999999999", "../../etc", "<script>", "null", "[]", "{}", "true", "2026-02-30T25:61",
                           UUID().path, "NaN", "\u{202E}abc", "a\r\nSet-Cookie: x=y"]
            for login in ["agent", "department_head", "admin", "branch_manager", "auditor"] {
                var visitor = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: login)
                let gets = ["/console/complaints?status=%ff", "/console/queue?bucket=nope", "/console/queue?bucket=overdue&cursor=garbage",
                            "/console/reports?month=2026-99", "/console/reports/export?format=exe", "/console/audit?entity=%00",
                            "/console/complaints/\(id)/evidence/\(UUID().path)/content", "/console/complaints/%20",
                            "/console/admin/sla-policies/not-a-uuid", "/console/admin/sla-policies?copy=%00"]
                for path in gets {
                    let status = try await visitor.get(path).status
                    #expect(status.code < 500, "\(login) GET \(path): \(status)")
                }
                _ = try await visitor.get("/console/complaints/\(id)")
                let posts = ["/console/complaints", "/console/complaints/\(id)/actions/grade", "/console/complaints/\(id)/actions/x",
                             "/console/complaints/\(id)/communications", "/console/complaints/\(id)/evidence", "/console/pages/\(UUID().path)/acknowledge",
                             "/console/admin/calendar", "/console/admin/departments", "/console/admin/people", "/console/admin/routing-rules",
                             "/console/admin/webhooks", "/console/admin/categories", "/console/admin/sla-policies",
                             "/console/admin/departments/\(UUID().path)/remove", "/console/admin/sla-policies/\(UUID().path)", "/console/language"]
                let names = ["description", "channel", "level", "occurredAt", "complainant.phone", "categoryId", "note", "satisfaction",
                             "departmentId", "content", "kind", "direction", "monday", "holidays", "name", "login", "roles", "url",
                             "position", "document", "type", "collectedAt", "measures", "back", "language", "active"]
                var handled = 0
                for path in posts {
                    for _ in 0..<3 {
                        var fields: [String: String] = [:]
                        for name in names where Bool.random(using: &generator) {
                            fields[name] = garbles.randomElement(using: &generator)!
                        }
                        let status = try await visitor.post(path, fields).status
                        #expect(status.code < 500, "\(login) POST \(path) \(fields.keys.sorted()): \(status)")
                        if status != .forbidden { handled += 1 }
                    }
                }
                #expect(handled > posts.count, "\(login): the forms got past the token check (\(handled))")
            }
        }
    }

    @Test func someoneWhoMustChangeTheirPasswordDoesSoFirstAndMaySignOut() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let created = try await client.call(.post, "/v1/users", token: admin,
                                                body: #"{"login":"newcomer","name":"New Comer","roles":["agent"],"password":"chosen-by-the-admin","passwordChangeRequired":true}"#)
            #expect(created.status == .created && created.json["passwordChangeRequired"] as? Bool == true)
            var newcomer = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "newcomer", password: "chosen-by-the-admin")
            for path in ["/console/", "/console/complaints/new", "/console/queue"] {
                let away = try await newcomer.get(path)
                #expect(away.status == .seeOther && away.headers[.location] == "/console/password", "\(path)")
            }
            let form = try await newcomer.get("/console/password")
            #expect(form.status == .ok && form.html.contains("role=\"alert\""))
            let short = try await newcomer.post("/console/password", ["currentPassword": "chosen-by-the-admin", "newPassword": "short"])
            #expect(short.status.code / 100 == 4 && short.html.contains("newPassword-error"))
            let wrong = try await newcomer.post("/console/password", ["currentPassword": "not-it", "newPassword": "my-own-password-now"])
            #expect(wrong.status.code / 100 == 4)
            let changed = try await newcomer.post("/console/password", ["currentPassword": "chosen-by-the-admin", "newPassword": "my-own-password-now"])
            #expect(changed.status == .seeOther)
            var again = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "newcomer", password: "my-own-password-now")
            #expect(try await again.get("/console/complaints/new").status == .ok)
            #expect(try await again.post("/console/sign-out", [:]).status == .seeOther)
            // Signing out is open to them before the change too.
            var other = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "admin")
            _ = try await other.get("/console/admin/people")
            let second = try await other.post("/console/admin/people", ["login": "second", "name": "Second", "roles": "agent",
                                                                         "password": "chosen-by-the-admin"])
            #expect(second.status == .created)
            // A person the console adds with a password must replace it at the first sign-in.
            var late = try await ConsoleVisitor.signIn(client, branch: org.a.code, login: "second", password: "chosen-by-the-admin")
            #expect(try await late.get("/console/queue").headers[.location] == "/console/password")
            _ = try await late.get("/console/password")
            let out = try await late.post("/console/sign-out", [:])
            #expect(out.status == .seeOther && out.headers[.location] == "/console/sign-in")
        }
    }

    private func complaints(_ harness: APIHarness) async throws -> Int {
        try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            Int(try await pool.query("SELECT count(*)::integer FROM complaints")[0].decode(Int32.self, at: 0))
        }
    }
}

