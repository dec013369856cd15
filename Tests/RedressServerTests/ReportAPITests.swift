import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedressAPIClient
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("Reports and exports over HTTP")
struct ReportAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    /// Today's month in Asia/Shanghai, where the test organisation's branches are.
    static var thisMonth: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test func scopesHoldForEveryParameterAndPerformanceIsForHeadsAndAbove() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            for _ in 0..<3 { _ = try await Lifecycle.intake(client, token: agent, category: category) }
            _ = try await Lifecycle.intake(client, token: agent, category: nil)

            let manager = try await client.signIn(org.a.code, "branch_manager")
            let whole = try await client.call(.get, "/v1/reports/complaints?groupBy=department", token: manager)
            #expect(whole.status == .ok, "\(String(decoding: whole.body, as: UTF8.self))")
            let totals = try #require((whole.json["totals"] as? [String: Any])?["current"] as? [String: Any])
            #expect(totals["received"] as? Int == 4 && totals["open"] as? Int == 4)
            #expect((whole.json["period"] as? [String: Any])?["kind"] as? String == "month")
            let groups = try #require(whole.json["groups"] as? [[String: Any]])
            #expect(groups.first?["key"] as? String == org.a.departments[0].path && groups.first?["label"] as? String == "Billing")
            #expect(((groups.first?["current"] as? [String: Any])?["received"] as? Int) == 3)
            let top = try #require(whole.json["topCategories"] as? [[String: Any]])
            #expect(top.first?["code"] as? String == "billing" && top.first?["received"] as? Int == 3)

            let head = try await client.signIn(org.a.code, "department_head")
            let own = try await client.call(.get, "/v1/reports/complaints?groupBy=department&date=\(Self.thisMonth)", token: head)
            #expect(((own.json["totals"] as? [String: Any])?["current"] as? [String: Any])?["received"] as? Int == 3,
                    "the unrouted complaint is not the head's")
            #expect(try await client.call(.get, "/v1/reports/complaints?departmentId=\(org.a.departments[1].path)", token: head).status
                    == .notFound)
            #expect(try await client.call(.get, "/v1/reports/complaints?branchId=\(org.b.id.path)", token: head).status == .notFound)
            #expect(try await client.call(.get, "/v1/exports/report?departmentId=\(org.c.departments[0].path)", token: head).status
                    == .notFound)

            // Per-person performance: department heads and above.
            let handler = try await client.signIn(org.a.code, "handler")
            #expect(try await client.call(.get, "/v1/reports/handlers", token: handler).status == .forbidden)
            #expect(try await client.call(.get, "/v1/reports/complaints?groupBy=responsible", token: agent).status == .forbidden)
            #expect(try await client.call(.get, "/v1/reports/handlers", token: head).status == .ok)
            #expect(try await client.call(.get, "/v1/reports/handlers?groupBy=branch", token: head).problemFields == ["groupBy"])
            let bot = try await client.signIn(org.a.code, "admin")
            #expect(try await client.call(.get, "/v1/reports/complaints", token: bot).status == .forbidden)

            // Bad parameters are named.
            for (query, fields) in [("period=year", ["period"]), ("date=2026-02-30", ["date"]), ("from=2026-01-01", ["to"]),
                                    ("from=2026-03-01&to=2026-02-01", ["to"]), ("from=2020-01-01&to=2026-01-01", ["to"]),
                                    ("period=month&from=2026-01-01&to=2026-01-31", ["period"]), ("groupBy=colour", ["groupBy"]),
                                    ("level=4&channel=fax&category=Bad%20Code", ["category", "channel", "level"]),
                                    ("branchId=nope", ["branchId"])] {
                let response = try await client.call(.get, "/v1/reports/complaints?" + query, token: manager)
                #expect(response.status == .badRequest && response.problemFields.sorted() == fields, "\(query)")
            }

            // The same reports through the client generated from openapi.yaml.
            let typed = try await client.api(manager).getComplaintReport(query: .init(groupBy: .department)).ok.body.json
            #expect(typed.period.kind == .month && typed.groupBy == .department && typed.totals.current.received == 4)
            #expect(typed.groups.first?.key == org.a.departments[0].path && typed.groups.first?.current.received == 3)
            #expect(typed.totals.current.milestones.result.due <= 4 && typed.topCategories.first?.code == "billing")
            let performance = try await client.api(head).getHandlerReport(query: .init()).ok.body.json
            #expect(performance.groupBy == .responsible && performance.totals.current.received == 3)
        }
    }

    @Test func exportsAreCSVOrJSONWithoutPersonalDataAndAreAudited() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            let complaint = try await Lifecycle.intake(client, token: agent, category: category)
            let caseNumber = try #require(complaint["caseNumber"] as? String)

            let manager = try await client.signIn(org.a.code, "branch_manager")
            let csv = try await client.call(.get, "/v1/exports/report?groupBy=category&bom=true", token: manager)
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"complaints-report-") == true)
            #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let lines = String(decoding: csv.body.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines[0].hasPrefix("group,key,label,period_from,period_to,received,open,resolved,resolution_rate"))
            #expect(lines[1].hasPrefix("total,,,") && lines[2].hasPrefix("category,billing,Tariff and billing,"))
            #expect(lines.count == 4 && lines[3].isEmpty, "header, totals, one category, final CRLF")

            let json = try await client.call(.get, "/v1/exports/report?format=json", token: manager)
            #expect(json.status == .ok && json.headers[.contentType] == "application/json")
            #expect(((json.json["totals"] as? [String: Any])?["current"] as? [String: Any])?["received"] as? Int == 1)
            let reported = try await client.call(.get, "/v1/reports/complaints", token: manager).json
            #expect(NSDictionary(dictionary: json.json) == NSDictionary(dictionary: reported), "the download is the report as the API writes it")
            #expect(try await client.call(.get, "/v1/exports/report?format=json&bom=true", token: manager).problemFields == ["bom"])
            #expect(try await client.call(.get, "/v1/exports/report?format=xlsx", token: manager).problemFields == ["format"])

            let list = try await client.call(.get, "/v1/exports/complaints", token: manager)
            let text = String(decoding: list.body, as: UTF8.self)
            #expect(list.status == .ok && text.hasPrefix("case_number,received_at,channel,source,customer_type,category"))
            #expect(text.contains(caseNumber) && text.contains("Tariff and billing") && text.contains("Billing"))
            #expect(!text.contains("王小明") && !text.contains("138 0013 8000"), "no customer personal data")
            let rows = try #require(try JSONSerialization.jsonObject(with: try await client.call(
                .get, "/v1/exports/complaints?format=json&status=received", token: manager).body) as? [[String: Any]])
            #expect(rows.count == 1 && rows.first?["caseNumber"] as? String == caseNumber && rows.first?["complainant"] == nil)
            let head = try await client.signIn(org.a.code, "department_head")
            let id = try #require(complaint["id"] as? String)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "assign", token: head,
                                                          body: #"{"responsibleUserId":"\#(org.a.users[.handler]!.path)"}"#)
            let assigned = try #require(try JSONSerialization.jsonObject(with: try await client.call(
                .get, "/v1/exports/complaints?format=json&status=assigned", token: manager).body) as? [[String: Any]])
            #expect(assigned.first?["responsibleUserId"] as? String == org.a.users[.handler]!.path, "ids are written lowercase")
            #expect(try await client.call(.get, "/v1/exports/complaints?status=lost", token: manager).problemFields == ["status"])

            // Every export is in the audit trail of the branch, in the exporter's name.
            let auditor = try await client.signIn(org.a.code, "auditor")
            let exports = try await client.call(.get, "/v1/audit?limit=200", token: auditor).items.filter { $0["action"] as? String == "export" }
            #expect(exports.count == 5, "two reports and three complaint lists")
            #expect(exports.allSatisfy { ($0["actorId"] as? String)?.lowercased() == org.a.users[.branchManager]!.path })
            #expect(Set(exports.compactMap { $0["entity"] as? String }) == ["reports", "complaints"])
            // The other branch's auditor sees none of them.
            let other = try await client.signIn(org.c.code, "auditor")
            #expect(try await client.call(.get, "/v1/audit?limit=200", token: other).items.allSatisfy { $0["action"] as? String != "export" })
        }
    }
}
