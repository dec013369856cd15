import Foundation
import HTTPTypes
import HummingbirdTesting
import RedressCore
import RedressTestSupport
import Testing

/// The complaint report by source and by customer type, against what the test took in.
@Suite("Reports by source and customer type")
struct ReportDimensionAPITests {
    @Test func complaintsCountUnderTheirSourceAndCustomerType() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            var random = SeededGenerator(state: 21_006)
            var bySource: [String: Int] = [:], byCustomer: [String: Int] = [:]
            for _ in 0..<14 {
                let source = ["external", "internal", "institutional"].randomElement(using: &random)!
                let customer = ["individual", "enterprise", "government", "public_institution", "social_organisation"].randomElement(using: &random)!
                let made = try await client.call(.post, "/v1/complaints", token: agent, body: """
                    {"channel":"phone","source":"\(source)","complainant":{"name":"Li Lei","phone":"+86 139 0000 0000","customerType":"\(customer)"},
                     "description":"Dropped calls in the evening"}
                    """)
                #expect(made.status == .created, "\(String(decoding: made.body, as: UTF8.self))")
                bySource[source, default: 0] += 1
                byCustomer[customer, default: 0] += 1
            }
            for (groupBy, expected) in [("source", bySource), ("customer_type", byCustomer)] {
                let report = try await client.call(.get, "/v1/reports/complaints?period=month&groupBy=\(groupBy)", token: agent)
                #expect(report.status == .ok, "\(String(decoding: report.body, as: UTF8.self))")
                let counted = Dictionary(uniqueKeysWithValues: (report.json["groups"] as? [[String: Any]] ?? []).compactMap { group in
                    (group["key"] as? String).map { ($0, ((group["current"] as? [String: Any])?["received"] as? Int) ?? -1) }
                })
                #expect(counted == expected, "\(groupBy): \(counted) against \(expected)")
            }
            let refused = try await client.call(.get, "/v1/reports/complaints?period=month&groupBy=postcode", token: agent)
            #expect(refused.status.code / 100 == 4)
        }
    }
}
