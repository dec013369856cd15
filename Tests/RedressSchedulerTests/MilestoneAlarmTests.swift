import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// Every milestone escalates: its breach pages the rung the policy names, once, and a warning
/// reaches the person responsible before it falls due, once; under several schedulers at once
/// and after downtime alike.
@Suite("Milestone breaches and warnings")
struct MilestoneAlarmTests {
    /// A policy for branch a's general billing complaints with short milestones: acknowledge 1 h,
    /// initial reply 2 h (its breach pages tier 2), preliminary feedback 3 h (its breach left to
    /// the ladder), result 4 h; warnings at half the time; the standard 24/48/72 h ladder.
    static func shortPolicy(_ fixture: EscalationSchedulerTests.Fixture, pool: PGPool) async throws {
        var policy = SLAPolicy.standard()
        policy.name = "Short milestones"
        policy.categoryIDs = [fixture.billing]
        policy.priorities = ["general"]
        policy.natures = ["general"]
        policy.milestoneHours = [.acknowledge: 1, .initialReply: 2, .preliminaryFeedback: 3]
        policy.resultHours = ["urgent": 4, "important": 4, "general": 4]
        policy.warningPercent = 50
        policy.breachRungs = [.initialReply: 2, .preliminaryFeedback: 0]
        let store = SLAConfigurationStore(database: ScopedDatabase(pool: pool))
        _ = try await store.createPolicy(fixture.org.caller(.admin, in: fixture.org.a).scope, branchID: fixture.org.a.id, policy, active: true)
    }

    /// What was recorded and paged for each complaint, as `milestone tier recipient-kind` lines.
    static func recorded(_ fixture: EscalationSchedulerTests.Fixture) async throws -> [UUID: [String]] {
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let rows = try await owner.query("""
                SELECT e.complaint_id, coalesce(e.milestone, e.reason, 'tier') || ' ' || e.tier || ' ' || coalesce(p.recipient_kind, 'nobody')
                  FROM escalations e LEFT JOIN pages p ON p.branch_id = e.branch_id AND p.escalation_id = e.id
                 ORDER BY 2
                """)
            return try Dictionary(grouping: rows.map { (try $0.decode(UUID.self, at: 0), try $0.decode(String.self, at: 1)) }, by: \.0)
                .mapValues { $0.map(\.1) }
        }
    }

    @Test func eachBreachAndWarningIsRaisedOnceUnderThreeSchedulersAfterDowntime() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            try await Self.shortPolicy(fixture, pool: pool)
        }
        // Received 3.5 h ago with nothing running since: the acknowledgement's and the initial
        // reply's breaches are due (their warnings with them, so dropped), the preliminary
        // feedback's warning (its breach is the ladder's) and the result's warning too.
        let total = 40
        let complaints = try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            try await EscalationSchedulerTests.intake(fixture, pool: pool, count: total, age: 3.5 * 3600)
        }
        for complaint in complaints {
            let resultDue = complaint.receivedAt.addingTimeInterval(4 * 3600)
            #expect(complaint.sla?.policyName == "Short milestones"
                    && abs((complaint.sla?.milestones["result"]?.at ?? .distantPast).timeIntervalSince(resultDue)) < 1)
        }
        let raised = try await fixture.database.withPool(scheduler: true, size: 6) { (jobs: PGPool) async throws in
            try await withThrowingTaskGroup(of: [EscalationStore.RaisedAlarm].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL),
                                                            configuration: SchedulerConfiguration(batchSize: 7))
                        try await scheduler.drain()
                        return try await scheduler.raiseAlarms()
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(raised.count == 5 * total, "four alarms and the routing notice each, once across the three schedulers")
        let ids = Set(complaints.map(\.id))
        for complaint in complaints {
            let mine = raised.filter { $0.complaintID == complaint.id }
            #expect(Set(mine.map { "\($0.milestone?.rawValue ?? $0.kind) \($0.tier)" })
                    == ["acknowledge 1", "initial_reply 2", "preliminary_feedback 0", "result 0", "department_routed 0"])
            let acknowledge = try #require(mine.first { $0.milestone == .acknowledge })
            #expect(acknowledge.lateSeconds >= 9000 - 5 && acknowledge.lateSeconds < 9000 + 120, "raised 2.5 h late, saying so")
        }
        let recorded = try await Self.recorded(fixture)
        #expect(Set(recorded.keys) == ids)
        for (_, lines) in recorded {
            // Rung 1 is the head and the bot; rung 2 the branch manager (the bot holds a page
            // nobody took yet, so it is not paged twice); warnings the head (nobody is responsible);
            // the routing notice nobody (the head is paged for the breach already).
            #expect(lines == ["acknowledge 1 bots", "acknowledge 1 department_head", "department_routed 0 nobody",
                              "initial_reply 2 branch_manager", "preliminary_feedback 0 department_head", "result 0 department_head"])
        }
        try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
            let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
            #expect(try await scheduler.raiseAlarms().isEmpty, "nothing is raised twice")
        }
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT (SELECT count(*) FROM complaint_events WHERE kind = 'milestone_breached'),
                       (SELECT count(*) FROM complaint_events WHERE kind = 'milestone_warning'),
                       (SELECT count(*) FROM complaints WHERE next_alarm_at = received_at + interval '4 hours'),
                       (SELECT count(*) FROM escalations WHERE milestone IS NOT NULL AND tier > 0 AND ack_due_at IS NOT NULL),
                       (SELECT count(*) FROM escalations WHERE tier = 0 AND ack_due_at IS NOT NULL)
                """)[0]
            #expect(try row.decode(Int.self, at: 0) == 2 * total && row.decode(Int.self, at: 1) == 2 * total, "each on its timeline once")
            #expect(try row.decode(Int.self, at: 2) == total, "the result's breach is next")
            #expect(try row.decode(Int.self, at: 3) == 2 * total, "a breach waits for acknowledgement")
            #expect(try row.decode(Int.self, at: 4) == 0, "a warning does not")
        }
    }

    @Test func aWarningReachesTheResponsiblePersonOnceAndAMetMilestoneRaisesNothing() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            try await Self.shortPolicy(fixture, pool: pool)
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            // Received 40 minutes ago: the acknowledgement's warning (30 min) is due, its breach (1 h) is not.
            let warned = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 40 * 60).first)
            let met = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 40 * 60).first)
            let head = org.caller(.departmentHead, in: org.a)
            let handler = org.a.users[.handler]!
            let caseWork = CaseWorkStore(database: ScopedDatabase(pool: pool))
            _ = try await store.perform(head, id: warned.id, ComplaintStep(.assign, departmentID: org.a.departments[0], responsibleUserID: handler))
            _ = try await caseWork.addCommunication(head, complaintID: met.id, direction: "outbound", channel: "phone",
                                                    kind: "confirmation", content: "We have your complaint.")

            try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                let raised = try await scheduler.raiseAlarms().filter { $0.kind != "department_routed" }
                #expect(raised.map(\.complaintID) == [warned.id] && raised.first?.kind == "milestone_warning"
                        && raised.first?.milestone == .acknowledge, "the met milestone raises nothing")
                #expect(raised.first?.pages == 1)
                #expect(try await scheduler.raiseAlarms().isEmpty, "once")
            }
            let pages = PageStore(database: ScopedDatabase(pool: pool))
            let handlerPages = try await pages.myPages(org.caller(.handler, in: org.a), all: true).items
            #expect(handlerPages.count == 1 && handlerPages.first?.recipientKind == "responsible_person")
            #expect(handlerPages.first?.summary["reason"] == .string("milestone_warning"))
            #expect(handlerPages.first?.summary["milestone"] == .string("acknowledge"))
            #expect(try await pages.myPages(head, all: true).items.filter { $0.summary["reason"] == .string("milestone_warning") }.isEmpty,
                    "the head is not warned when someone is responsible")
            let listed = try await pages.escalations(head, unacknowledged: false, departmentsOnly: false).items
                .filter { $0.kind != "department_routed" }
            #expect(listed.map(\.kind) == ["milestone_warning"] && listed.first?.milestone == "acknowledge" && listed.first?.tier == 0)
            let timeline = try await store.timeline(head.scope, id: warned.id).filter { $0.kind == "milestone_warning" }
            #expect(timeline.count == 1 && timeline.first?.after?["milestone"] == .some("acknowledge"))

            // Meeting the milestone now takes its breach off the schedule; the next alarm is the
            // initial reply's warning, an hour after receipt.
            _ = try await caseWork.addCommunication(head, complaintID: warned.id, direction: "outbound", channel: "phone",
                                                    kind: "confirmation", content: "We have your complaint.")
            try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("""
                    SELECT next_alarm_at, sla_alarm_keys, sla_alarms_raised FROM complaints WHERE id = \(warned.id)
                    """)[0]
                let next: Date? = try row.decode(at: 0)
                #expect(abs((next ?? .distantPast).timeIntervalSince(warned.receivedAt.addingTimeInterval(3600))) < 1)
                #expect(try !row.decode([String].self, at: 1).contains("breach:acknowledge"))
                #expect(try row.decode([String].self, at: 2).filter { !StaffNotice.isNotice($0) } == ["warning:acknowledge"])
            }
        }
    }

    @Test func theStatutoryDaysAndAMissingHandlingPlanPageOnceEach() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            // Received eight days ago and being investigated, with no plan.
            let late = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 8 * 86_400).first)
            let head = org.caller(.departmentHead, in: org.a)
            _ = try await store.perform(head, id: late.id, ComplaintStep(.assign, departmentID: org.a.departments[0],
                                                                         responsibleUserID: org.a.users[.handler]!))
            let investigated = try await store.perform(org.caller(.handler, in: org.a), id: late.id, ComplaintStep(.startInvestigation))
            let statutory = try #require(investigated.sla?.additionalDeadlines?["statutory_result"]?.at)
            #expect(abs(statutory.timeIntervalSince(late.receivedAt) - 7 * 86_400) < 1, "seven calendar days after receipt")
            try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
                let scheduler = EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL))
                try await scheduler.drain()
                let limits = try await scheduler.raiseAlarms().filter { $0.kind == "statutory_result_overdue" || $0.kind == "handling_plan_missing" }
                #expect(limits.map { "\($0.kind) \($0.pages)" }.sorted() == ["handling_plan_missing 1", "statutory_result_overdue 1"])
                #expect(limits.first { $0.kind == "statutory_result_overdue" }.map { $0.lateSeconds >= 86_400 - 5 } == true, "a day late")
                #expect(try await scheduler.raiseAlarms().isEmpty, "once")
            }
            let managerPages = try await PageStore(database: ScopedDatabase(pool: pool))
                .myPages(org.caller(.branchManager, in: org.a), all: true).items.filter { $0.summary["reason"] == .string("statutory_result_overdue") }
            #expect(managerPages.count == 1)
            let timeline = try await store.timeline(head.scope, id: late.id).map(\.kind)
            #expect(timeline.filter { $0 == "statutory_result_overdue" || $0 == "handling_plan_missing" }.count == 2)
        }
    }
}
