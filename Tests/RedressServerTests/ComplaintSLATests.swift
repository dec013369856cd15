import Foundation
import Hummingbird
import HummingbirdTesting
import RedressCore
import RedressTestSupport
import Testing

@Suite("SLA deadlines of complaints over HTTP")
struct ComplaintSLATests {
    static func date(_ value: Any?) -> Date? { (value as? String).flatMap(apiDate) }

    /// Whole hours from `start` to the date in `value`.
    static func hours(_ value: Any?, after start: Date) -> Int? {
        date(value).map { Int(($0.timeIntervalSince(start) / 3600).rounded()) }
    }

    @Test func deadlinesFollowThePolicyMilestonesPausesAndRegrading() async throws {
        try await APIHarness.run { harness, client in
            let who = try await ComplaintLifecycleAPITests.actors(harness.organisation, client)
            let category = try await ComplaintLifecycleAPITests.billing(client, token: who.agent)
            let complaint = try await ComplaintLifecycleAPITests.intake(client, token: who.agent, category: category)
            let id = try #require(complaint["id"] as? String)
            let received = try #require(Self.date(complaint["receivedAt"]))
            let sla = try #require(complaint["sla"] as? [String: Any])
            #expect(sla["policyName"] as? String == "Standard" && sla["counting"] as? String == "calendar_hours")
            let tiers = try #require(sla["tiers"] as? [String: [String: Any]])
            #expect(Self.hours(tiers["1"]?["at"], after: received) == 24)
            #expect(Self.hours(tiers["3"]?["at"], after: received) == 72)
            #expect(complaint["nextEscalationTier"] as? Int == 1)
            #expect(Self.hours(complaint["dueAt"], after: received) == 24, "acknowledge is due first")

            let acknowledged = try await ComplaintLifecycleAPITests.step(client, id, "acknowledge", token: who.agent)
            #expect(Self.hours(acknowledged["dueAt"], after: received) == 24, "the step alone tells the complainant nothing")
            #expect((acknowledged["sla"] as? [String: Any])?["completed"] as? [String] == [])
            let called = try await client.call(.post, "/v1/complaints/\(id)/communications", token: who.agent,
                                               body: #"{"direction":"outbound","channel":"phone","kind":"confirmation","content":"confirmed by phone"}"#)
            #expect(called.status == .created)
            let confirmed = try await client.call(.get, "/v1/complaints/\(id)", token: who.agent).json
            #expect(Self.hours(confirmed["dueAt"], after: received) == 48, "then the initial reply")
            #expect((confirmed["sla"] as? [String: Any])?["completed"] as? [String] == ["acknowledge"])

            let paused = try await ComplaintLifecycleAPITests.step(client, id, "await_customer", token: who.agent)
            #expect(paused["dueAt"] == nil && paused["nextEscalationAt"] == nil, "the clock stands still")
            try await Task.sleep(for: .milliseconds(1100))
            let resumed = try await ComplaintLifecycleAPITests.step(client, id, "resume", token: who.agent)
            let shift = try #require(Self.date(resumed["nextEscalationAt"])).timeIntervalSince(received) - 24 * 3600
            #expect(shift >= 1, "the pause moved the escalation by its length")
            let pauses = ((resumed["sla"] as? [String: Any])?["tiers"] as? [String: [String: Any]])?["1"]?["pauses"] as? [[String: Any]]
            #expect(pauses?.count == 1 && (pauses?.first?["countedSeconds"] as? Int ?? 0) >= 1)

            let urgent = try await client.call(.patch, "/v1/complaints/\(id)", token: who.agent, body: #"{"priority":"urgent"}"#)
            let result = ((urgent.json["sla"] as? [String: Any])?["milestones"] as? [String: [String: Any]])?["result"]
            #expect(abs((Self.date(result?["at"])?.timeIntervalSince(received) ?? 0) - (24 * 3600 + shift)) < 1, "re-grading recomputes")

            let logged = try await client.call(.post, "/v1/complaints/\(id)/communications", token: who.agent,
                                               body: #"{"direction":"outbound","channel":"phone","kind":"progress_update","content":"still on it"}"#)
            #expect(logged.status == .created)
            let after = try await client.call(.get, "/v1/complaints/\(id)", token: who.agent).json
            #expect((after["sla"] as? [String: Any])?["completed"] as? [String] == ["acknowledge", "preliminary_feedback"])

            let done = try await ComplaintLifecycleAPITests.step(client, id, "mark_invalid", token: who.agent, body: #"{"resolution":"withdrawn"}"#)
            #expect(done["dueAt"] == nil && done["nextEscalationAt"] == nil, "a closed complaint escalates no more")
        }
    }
}
