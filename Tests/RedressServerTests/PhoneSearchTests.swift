import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressServer
import RedressTestSupport
import Testing

@Suite("Phone lookups: full-access roles only, in the body, every one audited")
struct PhoneSearchTests {
    static let intake = """
        {"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000"},"description":"late","categoryId":"CATEGORY"}
        """

    /// The phone-search entries of branch a's trail, as the owner reads them.
    static func searches(_ harness: APIHarness) async throws -> [String] {
        try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("""
                SELECT after::text FROM audit_log
                 WHERE branch_id = \(harness.organisation.a.id) AND action = 'read' AND after->>'search' = 'phone' ORDER BY id
                """).map { try $0.decode(String.self, at: 0) }
        }
    }

    /// A branch manager sees `+86 1** **** 8000` and tries to recover the hidden digits by
    /// searching candidate numbers: refused (403) by list and by export, and the old `phone=`
    /// query parameter is refused (400 naming `phone`) for everyone, so numbers stay out of URLs.
    @Test func maskedRolesCannotSearchByPhoneAndURLsCarryNoNumbers() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            #expect(try await client.call(.post, "/v1/complaints", token: agent,
                                          body: Self.intake.replacingOccurrences(of: "CATEGORY", with: category)).status == .created)
            for role in ["branch_manager", "executive", "auditor"] {
                let token = try await client.signIn(org.a.code, role)
                for candidate in ["+86 138 0013 8000", "+86 138 0000 8000"] {
                    let listed = try await client.call(.post, "/v1/complaints/search", token: token, body: #"{"phone":"\#(candidate)"}"#)
                    #expect(listed.status == .forbidden, "\(role)")
                    let exported = try await client.call(.post, "/v1/exports/complaints/search?format=json", token: token,
                                                         body: #"{"phone":"\#(candidate)"}"#)
                    #expect(exported.status == .forbidden, "\(role) export")
                }
                for path in ["/v1/complaints?phone=8613800138000", "/v1/exports/complaints?phone=8613800138000"] {
                    let refused = try await client.call(.get, path, token: token)
                    #expect(refused.status == .badRequest && refused.problemFields == ["phone"], "\(role) \(path)")
                }
            }
            let viaURL = try await client.call(.get, "/v1/complaints?phone=8613800138000", token: agent)
            #expect(viaURL.status == .badRequest && viaURL.problemFields == ["phone"], "not even full-access roles put numbers in URLs")
            #expect(try await Self.searches(harness).isEmpty, "nothing was searched")
        }
    }

    /// Every lookup is recorded, hits and misses alike, with the blind index and never the number.
    @Test func everyLookupIsAuditedWithTheIndexOnly() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            #expect(try await client.call(.post, "/v1/complaints", token: agent,
                                          body: Self.intake.replacingOccurrences(of: "CATEGORY", with: category)).status == .created)
            let hit = try await client.call(.post, "/v1/complaints/search", token: agent, body: #"{"phone":"+86 138 0013 8000"}"#)
            #expect(hit.status == .ok && hit.items.count == 1)
            let miss = try await client.call(.post, "/v1/complaints/search", token: agent, body: #"{"phone":"+86 138 0013 8001"}"#)
            #expect(miss.status == .ok && miss.items.isEmpty)
            let export = try await client.call(.post, "/v1/exports/complaints/search?format=json", token: agent,
                                               body: #"{"phone":"+86 138 0013 8002"}"#)
            #expect(export.status == .ok)
            let entries = try await Self.searches(harness).map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
            }
            #expect(entries.count == 3, "hits, misses and exports are all recorded")
            for entry in entries {
                #expect(Set(entry.keys) == ["search", "phoneIndex", "matches", "via"], "no number, only its index")
                #expect(entry["phoneIndex"]?.count == 64 && entry["phoneIndex"]?.allSatisfy(\.isHexDigit) == true)
            }
            #expect(entries.map { $0["matches"] } == ["1", "0", "0"] && entries.map { $0["via"] } == ["list", "list", "export"])
            #expect(Set(entries.map { $0["phoneIndex"] }).count == 3)

            // The export's body is held to the contract the lookup's is: the same fields are named, nothing more is recorded.
            for body in [#"{"phone":"call me"}"#, #"{}"#, #"{"phone":"+86 138 0013 8000","name":"x"}"#, #"{"phone":12345}"#] {
                let listed = try await client.call(.post, "/v1/complaints/search", token: agent, body: body)
                let exported = try await client.call(.post, "/v1/exports/complaints/search", token: agent, body: body)
                #expect(listed.status.code / 100 == 4 && exported.status == listed.status && exported.problemFields == listed.problemFields,
                        "\(body): \(listed.problemFields) and \(exported.problemFields)")
            }
            #expect(try await client.call(.post, "/v1/exports/complaints/search", token: agent, body: "not json").problemFields == ["body"])
            #expect(try await Self.searches(harness).count == 3, "refused lookups are not searches")
        }
    }

    /// One user's phone lookups are limited across all of their sessions.
    @Test func lookupsAreLimitedPerUserNotPerSession() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.phoneSearchesPerMinute = 3
        try await APIHarness.run(server: server) { harness, client in
            let org = harness.organisation
            let sessions = [try await client.signIn(org.a.code, "agent"), try await client.signIn(org.a.code, "agent")]
            var statuses: [Int] = []
            for index in 0..<4 {
                statuses.append(Int(try await client.call(.post, "/v1/complaints/search", token: sessions[index % 2],
                                                          body: #"{"phone":"+86 138 0013 800\#(index)"}"#).status.code))
            }
            #expect(statuses == [200, 200, 200, 429])
        }
    }
}
