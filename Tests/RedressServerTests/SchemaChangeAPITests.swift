import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressTestSupport
import Testing

@Suite("A schema change under a running service")
struct SchemaChangeAPITests {
    @Test func everyListingSucceedsAfterAColumnIsWidenedUnderAWarmPool() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let intake = try await client.call(.post, "/v1/complaints", token: agent, body: """
                {"channel":"phone","complainant":{"name":"C","phone":"+86 10 1"},"description":"late","categoryId":"\(category)"}
                """)
            #expect(intake.status == .created)
            let caseNumber = try #require(intake.json["caseNumber"] as? String)
            // Warm: every statement of the listing is prepared on the pool's connections.
            for _ in 0..<8 {
                #expect(try await client.call(.get, "/v1/complaints", token: agent).status == .ok)
            }
            _ = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("ALTER TABLE complaints ALTER COLUMN case_number TYPE varchar(200)")
            }
            var statuses: [Int] = []
            for _ in 0..<60 {
                let listing = try await client.call(.get, "/v1/complaints", token: agent)
                statuses.append(Int(listing.status.code))
                #expect(listing.items.first?["caseNumber"] as? String == caseNumber)
            }
            #expect(statuses.allSatisfy { $0 == 200 }, "every listing after the change answered 200: \(statuses)")
        }
    }
}
