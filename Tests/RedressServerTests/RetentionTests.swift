import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("Retention: archiving, erasure after the retention period, and reports that do not change")
struct RetentionTests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    @Test func oldComplaintsAreArchivedThenErasedWhileTheFiguresStay() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            var ids: [String] = []
            for _ in 0..<4 {
                let id = try #require(try await Lifecycle.intake(client, token: agent, category: category)["id"] as? String)
                _ = try await client.call(.post, "/v1/complaints/\(id)/communications", token: agent,
                                          body: #"{"direction":"outbound","channel":"phone","kind":"result_feedback","content":"Called 王小明 back"}"#)
                _ = try await Lifecycle.step(client, id, "resolve_on_the_spot", token: agent, body: #"{"resolution":"Refunded"}"#)
                ids.append(id)
            }
            for id in ids.prefix(3) {
                let followUp = try #require(try await client.call(.get, "/v1/follow-ups?complaintId=\(id)", token: agent).items.first?["id"] as? String)
                _ = try await client.call(.post, "/v1/follow-ups/\(followUp)/outcome", token: agent, body: #"{"method":"phone","score":9}"#)
            }
            // Complaint 0 closed four years ago, 1 two hundred days ago, 2 yesterday; 3 awaits its follow-up.
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                for (index, days) in [(0, 4 * 365), (1, 200), (2, 1)] {
                    _ = try await owner.query("""
                        UPDATE complaints SET closed_at = now() - make_interval(days => \(Int32(days))),
                               received_at = now() - make_interval(days => \(Int32(days + 2)))
                         WHERE id = \(UUID(uuidString: ids[index])!)
                        """)
                }
            }
            let manager = try await client.signIn(org.a.code, "branch_manager")
            // One report around the erased complaint's receipt four years ago, one over the last 700 days.
            let reports = ["/v1/reports/complaints?\(Self.range(from: 4 * 365 + 30, to: 4 * 365 - 30))&groupBy=category",
                           "/v1/reports/complaints?\(Self.range(from: 700, to: -1))&groupBy=department"]
            var before: [[String: Any]] = []
            for report in reports { before.append(try await client.call(.get, report, token: manager).json) }
            #expect(before.map { (($0["totals"] as? [String: Any])?["current"] as? [String: Any])?["received"] as? Int } == [1, 3])

            try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                let retention = RetentionStore(pool: pool)
                let periods = RetentionStore.Periods()
                let planned = try await retention.apply(periods, dryRun: true)
                #expect(Dictionary(uniqueKeysWithValues: planned.map { ($0.complaintID.uuidString.lowercased(), $0.action) })
                        == [ids[0].lowercased(): "erase", ids[1].lowercased(): "archive"], "the dry run lists what is due")
                let untouched = try await client.call(.get, "/v1/complaints/\(ids[0])", token: agent)
                #expect(untouched.json["status"] as? String == "closed"
                        && (untouched.json["complainant"] as? [String: Any])?["name"] as? String == "王小明", "a dry run changes nothing")

                let applied = try await retention.apply(periods, dryRun: false)
                #expect(applied.map(\.action).sorted() == ["archive", "erase"])
                #expect(try await retention.apply(periods, dryRun: false).isEmpty, "nothing twice")
            }

            let erased = try await client.call(.get, "/v1/complaints/\(ids[0])", token: agent)
            #expect(erased.json["status"] as? String == "archived" && erased.json["description"] as? String == "erased after the retention period")
            let person = try #require(erased.json["complainant"] as? [String: Any])
            #expect(person["name"] == nil && person["phone"] == nil && erased.json["resolution"] == nil)
            let communications = try await client.call(.get, "/v1/complaints/\(ids[0])/communications", token: agent).items
            #expect(communications.allSatisfy { $0["content"] as? String == "erased after the retention period" })
            #expect(try await Lifecycle.timeline(client, ids[0], token: agent).last == "erased")
            let archived = try await client.call(.get, "/v1/complaints/\(ids[1])", token: agent)
            #expect(archived.json["status"] as? String == "archived"
                    && (archived.json["complainant"] as? [String: Any])?["name"] as? String == "王小明", "archived, not yet erased")
            for (id, status) in [(ids[2], "closed"), (ids[3], "result_fed_back")] {
                #expect(try await client.call(.get, "/v1/complaints/\(id)", token: agent).json["status"] as? String == status)
            }
            #expect(try await client.call(.post, "/v1/complaints/search?status=archived", token: agent,
                                          body: #"{"phone":"+86 138 0013 8000"}"#).items
                .map { $0["id"] as? String } == [ids[1]], "the erased complaint is no longer found by phone")

            // The figures are the same, and the audit trail kept no copy of what was erased.
            for (index, report) in reports.enumerated() {
                let after = try await client.call(.get, report, token: manager).json
                #expect(NSDictionary(dictionary: after).isEqual(to: before[index]), "\(report): the same figures after retention")
            }
            let trail: String = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT coalesce(string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ''), '') FROM audit_log")[0]
                    .decode(at: 0)
            }
            #expect(!trail.contains("王小明") && !trail.contains("charged twice") && !trail.contains("Refunded"))
        }
    }

    /// `from=…&to=…`: from `from` days ago to `to` days ago (negative: ahead).
    static func range(from: Int, to: Int) -> String {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withFullDate]
        func day(_ days: Int) -> String { format.string(from: Date().addingTimeInterval(Double(-days) * 86_400)) }
        return "from=\(day(from))&to=\(day(to))"
    }
}
