import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

/// Complaint rates over real HTTP: admins enter their branch's customer base per month, and the
/// report gives complaints per 10,000 customers by branch and by region, as the test reckons them
/// from what it took in; those who see only departments get none, and bad bases change nothing.
@Suite("Complaint rates")
struct ComplaintRateAPITests {
    /// This month and the one before, as the branches (Asia/Shanghai) count them.
    static func months() -> (now: String, before: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let now = calendar.dateComponents([.year, .month], from: Date())
        let before = calendar.dateComponents([.year, .month], from: calendar.date(byAdding: .month, value: -1, to: Date())!)
        return (String(format: "%04d-%02d", now.year!, now.month!), String(format: "%04d-%02d", before.year!, before.month!))
    }

    static func rates(_ client: any TestClientProtocol, groupBy: String, token: String) async throws -> [String: [String: Any]] {
        let report = try await client.call(.get, "/v1/reports/complaints?period=month&groupBy=\(groupBy)", token: token)
        #expect(report.status == .ok, "\(String(decoding: report.body, as: UTF8.self))")
        let rows = report.json["rates"] as? [[String: Any]] ?? []
        #expect(rows.filter { $0["total"] as? Bool == true }.count == (rows.isEmpty ? 0 : 1), "one totals' row")
        return Dictionary(rows.map { ($0["total"] as? Bool == true ? "totals" : ($0["key"] as? String) ?? "none", $0) },
                          uniquingKeysWith: { _, _ in [:] })
    }

    @Test func ratesPerTenThousandCustomersByBranchAndRegion() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let (month, before) = Self.months()
            let adminA = try await client.signIn(org.a.code, "admin"), adminB = try await client.signIn(org.b.code, "admin")

            // Bad bases are refused and change nothing.
            let snapshot = try await harness.snapshot()
            #expect(try await client.call(.put, "/v1/customer-bases/\(month)", token: try await client.signIn(org.a.code, "agent"),
                                          body: #"{"customers":20000}"#).status == .forbidden)
            let badMonth = try await client.call(.put, "/v1/customer-bases/2026-13", token: adminA, body: #"{"customers":20000}"#)
            #expect(badMonth.status == .unprocessableContent && badMonth.problemFields == ["month"])
            let zero = try await client.call(.put, "/v1/customer-bases/\(month)", token: adminA, body: #"{"customers":0}"#)
            #expect(zero.status == .unprocessableContent && zero.problemFields == ["/customers"])
            #expect(try await harness.snapshot() == snapshot)

            let recorded = try await client.call(.put, "/v1/customer-bases/\(month)", token: adminA, body: #"{"customers":30000}"#)
            #expect(recorded.status == .ok && recorded.json["month"] as? String == month, "\(recorded.json)")
            _ = try await client.call(.put, "/v1/customer-bases/\(month)", token: adminA, body: #"{"customers":20000}"#)
            _ = try await client.call(.put, "/v1/customer-bases/\(before)", token: adminA, body: #"{"customers":1}"#)
            _ = try await client.call(.put, "/v1/customer-bases/\(month)", token: adminB, body: #"{"customers":5000}"#)
            let listed = try await client.call(.get, "/v1/customer-bases", token: adminA).items
            #expect(listed.map { $0["customers"] as? Int } == [20000, 1], "corrected, and only the branch's own")

            // Complaints taken in: three in A, two in B, one in C (which has no base).
            var taken: [String: Int] = [:]
            for (branch, count) in [(org.a, 3), (org.b, 2), (org.c, 1)] {
                let agent = try await client.signIn(branch.code, "agent")
                for _ in 0..<count { _ = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: nil) }
                taken[branch.id.path] = count
            }
            func per10000(_ received: Int, _ customers: Double) -> Double { (Double(received) / customers * 1_000_000).rounded() / 100 }

            // A's executive sees A and B (a grant): by branch, then by region.
            let executive = try await client.signIn(org.a.code, "executive")
            let byBranch = try await Self.rates(client, groupBy: "branch", token: executive)
            #expect(byBranch[org.a.id.path]?["per10000Customers"] as? Double == per10000(taken[org.a.id.path]!, 20000), "\(byBranch)")
            #expect(byBranch[org.b.id.path]?["per10000Customers"] as? Double == per10000(taken[org.b.id.path]!, 5000))
            #expect(byBranch["totals"]?["per10000Customers"] as? Double == per10000(5, 25000) && byBranch["totals"]?["received"] as? Int == 5)
            #expect(byBranch[org.c.id.path] == nil, "C is not the executive's")
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE branches SET region = 'East' WHERE id = ANY (\([org.a.id, org.b.id]))")
            }
            let byRegion = try await Self.rates(client, groupBy: "region", token: executive)
            #expect(byRegion["East"]?["customers"] as? Double == 25000 && byRegion["East"]?["per10000Customers"] as? Double == per10000(5, 25000),
                    "\(byRegion)")

            // C's manager: no base, no rate. A department head sees no rates.
            let ofC = try await Self.rates(client, groupBy: "branch", token: try await client.signIn(org.c.code, "branch_manager"))
            #expect(ofC[org.c.id.path]?["received"] as? Int == 1 && ofC[org.c.id.path]?["per10000Customers"] == nil
                    && ofC[org.c.id.path]?["branchesWithoutBase"] as? Int == 1)
            #expect(try await Self.rates(client, groupBy: "branch", token: try await client.signIn(org.a.code, "department_head")).isEmpty)
        }
    }
}
