import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressAPIClient
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

@Suite("SLA policies and working calendars over HTTP")
struct SLAConfigurationAPITests {
    static func policyBody(name: String, categoryIds: [String]? = nil, tier1: Int = 24, ladder: String? = nil, extra: String = "") -> String {
        let categories = categoryIds.map { #""categoryIds":[\#($0.map { "\"\($0)\"" }.joined(separator: ","))],"# } ?? ""
        let rungs = ladder ?? """
            [{"tier":1,"afterHours":\(tier1),"recipients":["department_head","bots"]},
             {"tier":2,"afterHours":48,"recipients":["branch_manager","complaint_office"]},
             {"tier":3,"afterHours":72,"recipients":["executives"]}]
            """
        return """
            {"name":"\(name)",\(categories)"counting":"calendar_hours",
             "milestoneHours":{"acknowledge":24,"initial_reply":48,"preliminary_feedback":72},
             "resultHours":{"urgent":24,"important":48,"general":72},"ladder":\(rungs)\(extra)}
            """
    }

    static func receivedAndNext(_ complaint: [String: Any]) throws -> (Date, Date) {
        let received = try #require((complaint["receivedAt"] as? String).flatMap(apiDate))
        let next = try #require((complaint["nextEscalationAt"] as? String).flatMap(apiDate))
        return (received, next)
    }

    /// Recomputes what the change made stale, as the scheduler does within moments.
    static func recompute(_ harness: APIHarness) async throws -> Int {
        try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
            try await EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL)).recomputeStale()
        }
    }

    @Test func adminsChangePoliciesAndOpenComplaintsAreRecomputed() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let admin = try await client.signIn(org.a.code, "admin")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let complaint = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: category)
            let id = try #require(complaint["id"] as? String)

            let policies = try await client.call(.get, "/v1/sla-policies", token: agent).items
            #expect(policies.compactMap { $0["name"] as? String } == SLAConfigurationSeeds.policyNames)
            #expect(policies.allSatisfy { $0["active"] as? Bool == true }, "a new branch's policies are active")
            let standardPolicy = policies.first { $0["name"] as? String == "Standard" }
            #expect(standardPolicy?["ackWindowMinutes"] as? Int == 15)
            #expect((standardPolicy?["ladder"] as? [[String: Any]])?.compactMap { $0["afterHours"] as? Int } == [24, 48, 72])
            let standard = try #require(standardPolicy?["id"] as? String)
            #expect(try await client.call(.post, "/v1/sla-policies", token: agent, body: Self.policyBody(name: "Mine")).status == .forbidden)

            // Tier 1 after 4 hours instead of 24: the open complaint's next escalation moves.
            #expect(standardPolicy?["warningPercent"] as? Int == 80 && (standardPolicy?["breachRungs"] as? [String: Any])?.isEmpty == true,
                    "warnings at 80 %, every breach to the first rung")
            #expect(standardPolicy?["planApprovalHours"] as? Int == 24 && standardPolicy?["notifyHeadOnRouting"] as? Bool == true
                    && standardPolicy?["statutoryResultDays"] as? Int == 7 && standardPolicy?["handlingPlanHours"] as? Int == 48)
            let replaced = try await client.call(.put, "/v1/sla-policies/\(standard)", token: admin,
                                                 body: Self.policyBody(name: "Standard", tier1: 4,
                                                                       extra: #","ackWindowMinutes":5,"warningPercent":0,"breachRungs":{"result":3,"acknowledge":0}"#))
            #expect(replaced.status == .ok && replaced.json["ackWindowMinutes"] as? Int == 5 && replaced.json["warningPercent"] as? Int == 0)
            #expect(replaced.json["breachRungs"] as? [String: Int] == ["result": 3, "acknowledge": 0])
            #expect(try await Self.recompute(harness) == 1)
            let after = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
            let (received, next) = try Self.receivedAndNext(after)
            #expect(abs(next.timeIntervalSince(received) - 4 * 3600) < 1, "tier 1 now 4 hours after receipt")

            // A more specific policy for billing takes over.
            let created = try await client.call(.post, "/v1/sla-policies", token: admin,
                                                body: Self.policyBody(name: "Billing", categoryIds: [category], tier1: 2))
            #expect(created.status == .created && created.headers[.location] != nil)
            #expect(try await Self.recompute(harness) == 1)
            let billing = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
            #expect((billing["sla"] as? [String: Any])?["policyName"] as? String == "Billing")
            #expect(try await Self.recompute(harness) == 0, "nothing left stale")

            // Limits as the sources state them: acknowledgement within 30 minutes, the result within
            // 3 working days, each deadline explained with its limit.
            let billingPolicy = try #require(created.json["id"] as? String)
            let limits = #","milestoneLimits":{"acknowledge":{"amount":30,"unit":"calendar_minutes"}},"#
                + #""resultLimits":{"general":{"amount":3,"unit":"working_days"}}"#
            let limited = try await client.call(.put, "/v1/sla-policies/\(billingPolicy)", token: admin,
                                                body: Self.policyBody(name: "Billing", categoryIds: [category], tier1: 2, extra: limits))
            #expect(limited.status == .ok)
            let general = (limited.json["resultLimits"] as? [String: Any])?["general"] as? [String: Any]
            #expect(general?["amount"] as? Int == 3 && general?["unit"] as? String == "working_days")
            #expect(try await Self.recompute(harness) == 1)
            let explained = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
            let deadlines = try #require((explained["sla"] as? [String: Any])?["milestones"] as? [String: [String: Any]])
            let receipt = try #require((explained["receivedAt"] as? String).flatMap(apiDate))
            let acknowledgeText: String? = deadlines["acknowledge"]?["at"] as? String
            let acknowledge = try #require(acknowledgeText.flatMap(apiDate))
            #expect(abs(acknowledge.timeIntervalSince(receipt) - 1800) < 1)
            #expect((deadlines["result"]?["limit"] as? [String: Any])?["unit"] as? String == "working_days")
            #expect(deadlines["initial_reply"]?["limit"] == nil, "hours without a stated limit")

            // Another branch's admin can neither see nor change branch a's policies.
            let foreignAdmin = try await client.signIn(org.b.code, "admin")
            #expect(try await client.call(.get, "/v1/sla-policies/\(standard)", token: foreignAdmin).status == .notFound)
            #expect(try await client.call(.put, "/v1/sla-policies/\(standard)", token: foreignAdmin,
                                          body: Self.policyBody(name: "Stolen")).status == .notFound)
            #expect(try await client.call(.post, "/v1/sla-policies", token: foreignAdmin,
                                          body: Self.policyBody(name: "Foreign", categoryIds: [category])).problemFields == ["/categoryIds"])
        }
    }

    @Test func aNewBranchsSeededPoliciesSetTheSourcesLimits() async throws {
        try await APIHarness.run { harness, client in
            let agent = try await client.signIn(harness.organisation.a.code, "agent")
            let categories = try await client.call(.get, "/v1/categories", token: agent).items
            func category(_ code: String) throws -> String { try #require(categories.first { $0["code"] as? String == code }?["id"] as? String) }
            func sla(_ complaint: [String: Any]) throws -> (policy: String?, received: Date, result: [String: Any]) {
                let sla = try #require(complaint["sla"] as? [String: Any])
                let result = try #require((sla["milestones"] as? [String: [String: Any]])?["result"])
                return (sla["policyName"] as? String, try #require((complaint["receivedAt"] as? String).flatMap(apiDate)), result)
            }
            func hoursToResult(_ complaint: [String: Any]) throws -> Double {
                let (_, received, result) = try sla(complaint)
                let text: String? = result["at"] as? String
                return try #require(text.flatMap(apiDate)).timeIntervalSince(received) / 3600
            }
            let billing = try category("billing")
            let major = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: billing, phone: "+86 138 0000 0001",
                                                                    nature: "major")
            #expect(try sla(major).policy == "Major complaints", "the nature's policy is more specific than any category's")
            let limit = try sla(major).result["limit"] as? [String: Any]
            #expect(limit?["amount"] as? Int == 3 && limit?["unit"] as? String == "working_days")
            let quality = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: try category("network_quality"),
                                                                      phone: "+86 138 0000 0002")
            #expect(try sla(quality).policy == "Service and network quality" && abs(try hoursToResult(quality) - 48) < 0.01)
            let ordinary = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: billing, phone: "+86 138 0000 0003")
            #expect(try sla(ordinary).policy == "Standard" && abs(try hoursToResult(ordinary) - 72) < 0.01)
        }
    }

    @Test func aBrokenPolicyIsRefusedNamingItsFields() async throws {
        try await APIHarness.run { harness, client in
            let admin = try await client.signIn(harness.organisation.a.code, "admin")
            func fields(_ body: String) async throws -> [String] {
                try await client.call(.post, "/v1/sla-policies", token: admin, body: body).problemFields
            }
            #expect(try await fields(Self.policyBody(name: "Falling", ladder: """
                [{"tier":1,"afterHours":48,"recipients":["department_head"]},{"tier":2,"afterHours":24,"recipients":[]}]
                """)) == ["/ladder/1/afterHours", "/ladder/1/recipients"])
            #expect(try await fields(Self.policyBody(name: "Skipping", ladder: #"[{"tier":2,"afterHours":24,"recipients":["bots"]}]"#))
                    == ["/ladder/0/tier"])
            #expect(try await fields(Self.policyBody(name: "Empty", ladder: "[]")) == ["/ladder"])
            #expect(try await fields(Self.policyBody(name: "Extra", ladder: #"[{"tier":1,"afterHours":24,"recipients":["bots"],"x":1}]"#))
                    == ["/ladder/0/x"])
            #expect(try await fields(Self.policyBody(name: "Nobody", ladder: #"[{"tier":1,"afterHours":24,"recipients":["janitor"]}]"#))
                    == ["/ladder/0/recipients/0"])
            #expect(try await fields(Self.policyBody(name: "Fraction", ladder: #"[{"tier":1,"afterHours":0.5,"recipients":["bots"]}]"#))
                    == ["/ladder/0/afterHours"], "a fraction where a whole number belongs is named, not the body")
            #expect(try await fields(Self.policyBody(name: "Huge", ladder: #"[{"tier":1,"afterHours":1e300,"recipients":["bots"]}]"#))
                    == ["/ladder/0/afterHours"])
            #expect(try await fields(Self.policyBody(name: "Slow", extra: #","ackWindowMinutes":0"#)) == ["/ackWindowMinutes"])
            #expect(try await fields(Self.policyBody(name: #"Bell\u0007"#)) == ["/name"], "no control characters")
            #expect(try await fields(Self.policyBody(name: "Odd", extra: #","priorities":["urgent","urgent"]"#)) == ["/priorities"])
            #expect(try await fields(Self.policyBody(name: "Standard")) == ["/name"], "names are unique in a branch")
            let late = Self.policyBody(name: "Late").replacingOccurrences(of: #""preliminary_feedback":72"#, with: #""result":96"#)
            #expect(try await fields(late) == ["/milestoneHours/result"], "the result's hours are set per priority")
            let weekend = Self.policyBody(name: "Weekend").replacingOccurrences(of: #","general":72"#, with: #","general":72,"weekend":96"#)
            #expect(try await fields(weekend) == ["/resultHours/weekend"])
            let missing = Self.policyBody(name: "Missing").replacingOccurrences(of: #","general":72"#, with: "")
            #expect(try await fields(missing) == ["/resultHours/general"])
            let weekly = Self.policyBody(name: "Weekly").replacingOccurrences(of: "calendar_hours", with: "weekly")
            #expect(try await fields(weekly) == ["/counting"])
            #expect(try await fields(Self.policyBody(name: "Long", extra: #","resultLimits":{"general":{"amount":400,"unit":"working_days"}}"#))
                    == ["/resultLimits/general/amount"], "a year at most")
            #expect(try await fields(Self.policyBody(name: "Fortnight", extra: #","milestoneLimits":{"acknowledge":{"amount":2,"unit":"fortnights"}}"#))
                    == ["/milestoneLimits/acknowledge/unit"])
            #expect(try await fields(Self.policyBody(name: "Whenever", extra: #","milestoneLimits":{"result":{"amount":2,"unit":"working_days"}}"#))
                    == ["/milestoneLimits/result"])
            #expect(try await fields(Self.policyBody(name: "Compressed", extra: #","emergencyLadderPercent":0"#)) == ["/emergencyLadderPercent"])
            #expect(try await fields(Self.policyBody(name: "Nagging", extra: #","warningPercent":100"#)) == ["/warningPercent"])
            #expect(try await fields(Self.policyBody(name: "Beyond", extra: #","breachRungs":{"result":4}"#)) == ["/breachRungs/result"],
                    "a breach pages a tier of the ladder")
            #expect(try await fields(Self.policyBody(name: "Unknown", extra: #","breachRungs":{"closing":1}"#)) == ["/breachRungs/closing"])
            #expect(try await fields(Self.policyBody(name: "Waiting", extra: #","planApprovalHours":0"#)) == ["/planApprovalHours"])
            #expect(try await fields(Self.policyBody(name: "Lawless", extra: #","statutoryResultDays":0,"handlingPlanHours":800"#))
                    == ["/handlingPlanHours", "/statutoryResultDays"])
            #expect(try await fields(Self.policyBody(name: "Both", ladder: #"[{"tier":1,"afterHours":1,"afterMinutes":30,"recipients":["bots"]}]"#))
                    == ["/ladder/0/afterMinutes"], "hours or minutes, not both")
            #expect(try await fields(Self.policyBody(name: "Neither", ladder: #"[{"tier":1,"recipients":["bots"]}]"#)) == ["/ladder/0/afterHours"])
            #expect(try await fields(Self.policyBody(name: "Sooner", ladder: """
                [{"tier":1,"afterHours":1,"recipients":["bots"]},{"tier":2,"afterMinutes":45,"recipients":["bots"]}]
                """)) == ["/ladder/1/afterMinutes"], "a rung in minutes still comes after the one before")
            let policies = try await client.call(.get, "/v1/sla-policies", token: admin).items
            #expect(policies.count == SLAConfigurationSeeds.policyNames.count, "nothing was added")
        }
    }

    @Test func adminsReplaceTheirBranchCalendarAndDeadlinesFollowIt() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let admin = try await client.signIn(org.a.code, "admin")
            let path = "/v1/branches/\(org.a.id.path)/calendar"
            let calendar = try await client.call(.get, path, token: agent).json
            #expect((calendar["hours"] as? [String: [String]])?["monday"] == ["09:00-12:00", "13:00-18:00"])
            #expect((calendar["hours"] as? [String: [String]])?["sunday"] == nil)
            #expect(calendar["timeZone"] as? String == "Asia/Shanghai")

            func fields(_ body: String, token: String? = nil) async throws -> [String] {
                try await client.call(.put, path, token: token ?? admin, body: body).problemFields
            }
            #expect(try await fields(#"{"hours":{"monday":["18:00-09:00"]}}"#) == ["/hours/monday/0"])
            #expect(try await fields(#"{"hours":{"monday":["09:00-12:00","11:00-13:00"]}}"#) == ["/hours/monday/1"])
            #expect(try await fields(#"{"hours":{"funday":["09:00-12:00"]}}"#) == ["/hours/funday"])
            #expect(try await fields(#"{"hours":{"monday":["09:00-17:00"]},"holidays":["2026-02-30"]}"#) == ["/holidays/0"])
            #expect(try await fields(#"{"hours":{"monday":[]}}"#) == ["/hours"])
            #expect(try await fields(#"{"hours":{"monday":["09:00-17:00"]},"holidays":["2026-10-03"],"makeUpDays":["2026-10-03"]}"#)
                    == ["/makeUpDays"])
            #expect(try await client.call(.put, path, token: agent, body: #"{"hours":{"monday":["09:00-17:00"]}}"#).status == .forbidden)
            let foreignAdmin = try await client.signIn(org.b.code, "admin")
            #expect(try await client.call(.put, path, token: foreignAdmin, body: #"{"hours":{"monday":["09:00-17:00"]}}"#).status == .notFound)

            // Under a working-calendar policy, the open complaint's deadline follows the new hours.
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let standard = try #require(try await client.call(.get, "/v1/sla-policies", token: agent).items
                .first { $0["name"] as? String == "Standard" }?["id"] as? String)
            let working = Self.policyBody(name: "Standard").replacingOccurrences(of: "calendar_hours", with: "working_calendar")
            #expect(try await client.call(.put, "/v1/sla-policies/\(standard)", token: admin, body: working).status == .ok)
            let complaint = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: category)
            let id = try #require(complaint["id"] as? String)
            let before = try #require(complaint["nextEscalationAt"] as? String)
            let replaced = try await client.call(.put, path, token: admin, body: """
                {"hours":{"monday":["00:00-24:00"],"tuesday":["00:00-24:00"],"wednesday":["00:00-24:00"],"thursday":["00:00-24:00"],
                          "friday":["00:00-24:00"],"saturday":["00:00-24:00"],"sunday":["00:00-24:00"]},
                 "holidays":["2027-01-01"],"makeUpDays":[]}
                """)
            #expect(replaced.status == .ok && replaced.json["holidays"] as? [String] == ["2027-01-01"])
            #expect(try await Self.recompute(harness) >= 1)
            let after = try await client.call(.get, "/v1/complaints/\(id)", token: agent).json
            let (received, next) = try Self.receivedAndNext(after)
            #expect(after["nextEscalationAt"] as? String != before)
            #expect(abs(next.timeIntervalSince(received) - 24 * 3600) < 1, "every hour works now: 24 working hours are 24 hours")
        }
    }

    /// Policies and calendars through the client generated from openapi.yaml: the nested ladder,
    /// targets and weekly hours travel as the contract describes them, both ways.
    @Test func theGeneratedClientManagesPoliciesAndCalendars() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try client.api(try await client.signIn(org.a.code, "admin"))
            let agent = try client.api(try await client.signIn(org.a.code, "agent"))
            let standard = try #require(try await agent.listSLAPolicies().ok.body.json.items.first { $0.name == "Standard" })
            #expect(standard.name == "Standard" && standard.ladder.map(\.afterHours) == [24, 48, 72] && standard.ackWindowMinutes == 15)
            #expect(standard.ladder.first?.recipients == [.departmentHead, .bots] && standard.resultHours.general == 72)

            let urgent = Components.Schemas.NewSLAPolicy(
                name: "Urgent", priorities: [.urgent], counting: .workingCalendar, milestoneHours: .init(acknowledge: 2, initialReply: 4),
                resultHours: .init(urgent: 8, important: 24, general: 48),
                ladder: [.init(tier: 1, afterHours: 2, recipients: [.departmentHead]),
                         .init(tier: 2, afterHours: 6, recipients: [.branchManager, .bots])],
                ackWindowMinutes: 5, followUpCallbackDays: [7, 30])
            let created = try await admin.createSLAPolicy(body: .json(urgent)).created
            let policy = try created.body.json
            #expect(created.headers.location == "/v1/sla-policies/\(policy.id)")
            #expect(policy.id == policy.id.lowercased() && policy.branchId == org.a.id.path && policy.active && policy.followUpHours == 24)
            #expect(policy.priorities == [.urgent] && policy.counting == .workingCalendar)
            #expect(policy.milestoneHours.initialReply == 4 && policy.milestoneHours.preliminaryFeedback == nil)
            #expect(policy.ladder.map(\.recipients) == [[.departmentHead], [.branchManager, .bots]])
            #expect(policy.followUpCallbackDays == [7, 30])
            #expect(try await agent.getSLAPolicy(path: .init(id: policy.id)).ok.body.json == policy)

            var slower = urgent
            slower.active = false
            slower.ladder[1].afterHours = 12
            let replaced = try await admin.replaceSLAPolicy(path: .init(id: policy.id), body: .json(slower)).ok.body.json
            #expect(!replaced.active && replaced.ladder[1].afterHours == 12 && replaced.id == policy.id)
            var falling = urgent
            falling.ladder[1].afterHours = 1
            let refused = try await admin.replaceSLAPolicy(path: .init(id: policy.id), body: .json(falling)).unprocessableContent
            #expect(try refused.body.applicationProblemJson.errors?.map(\.field) == ["/ladder/1/afterHours"])
            #expect(try await agent.createSLAPolicy(body: .json(urgent)).forbidden.body.applicationProblemJson.status == 403)
            let taken = try await admin.createSLAPolicy(body: .json(urgent)).conflict
            #expect(try taken.body.applicationProblemJson.errors?.map(\.field) == ["/name"], "names are unique in a branch")

            let branch = org.a.id.path
            let calendar = try await agent.getCalendar(path: .init(id: branch)).ok.body.json
            #expect(calendar.hours.monday == ["09:00-12:00", "13:00-18:00"] && calendar.hours.sunday == nil)
            #expect(calendar.branchId == branch && calendar.timeZone == "Asia/Shanghai")
            let week = Components.Schemas.CalendarChanges(hours: .init(monday: ["08:00-16:00"], saturday: ["10:00-12:00"]),
                                                          holidays: ["2027-01-01"], makeUpDays: ["2027-01-09"])
            let changed = try await admin.replaceCalendar(path: .init(id: branch), body: .json(week)).ok.body.json
            #expect(changed.hours == .init(monday: ["08:00-16:00"], saturday: ["10:00-12:00"]))
            #expect(changed.holidays == ["2027-01-01"] && changed.makeUpDays == ["2027-01-09"])
            #expect(try await agent.getCalendar(path: .init(id: branch)).ok.body.json == changed)
            let clash = Components.Schemas.CalendarChanges(hours: .init(monday: ["08:00-16:00"]), holidays: ["2027-01-01"],
                                                           makeUpDays: ["2027-01-01"])
            let refusedCalendar = try await admin.replaceCalendar(path: .init(id: branch), body: .json(clash)).unprocessableContent
            #expect(try refusedCalendar.body.applicationProblemJson.errors?.map(\.field) == ["/makeUpDays"])
        }
    }
}
