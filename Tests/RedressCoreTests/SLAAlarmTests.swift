import Foundation
import RedressCore
import Testing

/// A milestone's alarms: its warning after the policy's share of its counted time, on the same
/// clock as its deadline, and its breach at the deadline to the rung the policy names.
@Suite("SLA alarms")
struct SLAAlarmTests {
    let received = Date(timeIntervalSince1970: 1_767_000_000)

    func alarms(_ policy: SLAPolicy, calendar: WorkingCalendar? = nil, pauses: [SLAPause] = [],
                completed: Set<SLAMilestone> = []) -> [SLAAlarm] {
        SLASchedule(policy: policy, receivedAt: received, priority: "general", calendar: calendar, pauses: pauses)
            .alarms(policy: policy, calendar: calendar, pauses: pauses, completed: completed)
    }

    @Test func theStandardPolicyWarnsAtEightyPercentAndEscalatesEveryBreachToTheFirstRung() {
        let raised = alarms(.standard())
        let hours: [String: Double] = Dictionary(uniqueKeysWithValues: raised.map { ($0.key, $0.at.timeIntervalSince(received) / 3600) })
        #expect(hours == ["warning:acknowledge": 19.2, "breach:acknowledge": 24, "warning:initial_reply": 38.4, "breach:initial_reply": 48,
                          "warning:preliminary_feedback": 57.6, "breach:preliminary_feedback": 72,
                          "warning:result": 57.6, "breach:result": 72])
        #expect(raised.filter { $0.kind == .breach }.allSatisfy { $0.rung == 1 } && raised.filter { $0.kind == .warning }.allSatisfy { $0.rung == 0 })
        #expect(raised.map(\.at) == raised.map(\.at).sorted(), "in time order")
    }

    @Test func namedRungsZeroAndMetMilestonesShapeTheAlarms() {
        var policy = SLAPolicy.standard()
        policy.warningPercent = 0
        policy.breachRungs = [.initialReply: 2, .result: 0]
        let raised = alarms(policy, completed: [.acknowledge])
        #expect(raised.map(\.key) == ["breach:initial_reply", "breach:preliminary_feedback"], "no warnings, none for what is met or left to the ladder")
        #expect(raised.map(\.rung) == [2, 1])
        policy.breachRungs = [.result: 4]
        #expect(policy.problems.map(\.field) == ["breachRungs.result"], "a breach pages a tier of the ladder")
        policy.warningPercent = 100
        #expect(Set(policy.problems.map(\.field)) == ["warningPercent", "breachRungs.result"])
    }

    @Test func aWarningCountsWorkingTimeAndPausesLikeItsDeadline() throws {
        // Monday 2026-01-05 09:00 in Shanghai; three working days of 09:00–12:00 and 13:00–18:00.
        let calendar = WorkingCalendar.officeHours("Asia/Shanghai")
        let monday = try #require(ISO8601DateFormatter().date(from: "2026-01-05T01:00:00Z"))
        var policy = SLAPolicy.standard()
        policy.resultLimits = ["general": SLALimit(3, .workingDays)]
        policy.warningPercent = 50
        let schedule = SLASchedule(policy: policy, receivedAt: monday, priority: "general", calendar: calendar, pauses: [])
        let result = try #require(schedule.alarms(policy: policy, calendar: calendar, pauses: [], completed: []).first { $0.key == "warning:result" })
        // Three working days after Monday end on Thursday 18:00: 32 working hours from Monday 09:00;
        // half of them, 16 h, end on Tuesday at 18:00.
        #expect(result.at == ISO8601DateFormatter().date(from: "2026-01-06T10:00:00Z"))
        // A pause still open stops the clock: no alarm until it ends.
        let paused = SLASchedule(policy: policy, receivedAt: monday, priority: "general", calendar: calendar,
                                 pauses: [SLAPause(start: monday.addingTimeInterval(3600), end: nil)])
        #expect(paused.alarms(policy: policy, calendar: calendar, pauses: [SLAPause(start: monday.addingTimeInterval(3600), end: nil)],
                              completed: []).isEmpty)
    }

    @Test func aPlanPagesItsApproverAtOnceAndALevelUpWhenTheApprovalTimeRunsOut() {
        let plan = UUID()
        let proposed = PlanFacts(id: plan, status: "proposed", proposedAt: received)
        #expect(proposed.alarms(complaintStatus: .planProposed, approvalHours: 24).map { "\($0.kind.rawValue) \($0.at.timeIntervalSince(received))" }
                == ["plan_approval 0.0", "plan_approval_overdue 86400.0"])
        #expect(proposed.alarms(complaintStatus: .awaitingCustomer, approvalHours: 24).isEmpty, "a paused complaint waits for nobody")
        let head = PlanFacts(id: plan, status: "head_approved", proposedAt: received, headApprovedAt: received.addingTimeInterval(600))
        #expect(head.alarms(complaintStatus: .planHeadApproved, approvalHours: 8).map(\.kind) == [.leadershipApproval, .leadershipApprovalOverdue])
        #expect(head.alarms(complaintStatus: .planHeadApproved, approvalHours: 8).last?.at == received.addingTimeInterval(600 + 8 * 3600))
        let due = received.addingTimeInterval(7200)
        let approved = PlanFacts(id: plan, status: "approved", proposedAt: received, dueAt: due)
        #expect(approved.alarms(complaintStatus: .implementing, approvalHours: 24) == [PlanAlarm(planID: plan, kind: .overdue, at: due)])
        #expect(approved.alarms(complaintStatus: .resultFedBack, approvalHours: 24).isEmpty)
        #expect(PlanAlarm(planID: plan, kind: .approval, at: due).key == "plan_approval:\(plan.uuidString.lowercased())")
    }

    @Test func aLadderRungInMinutesFallsDueInMinutes() {
        var policy = SLAPolicy.standard()
        policy.ladder[0] = EscalationTier(tier: 1, afterHours: 0, afterMinutes: 30, recipients: [.departmentHead])
        #expect(policy.problems.isEmpty)
        let schedule = SLASchedule(policy: policy, receivedAt: received, priority: "general", calendar: nil, pauses: [])
        #expect(schedule.tiers[1]?.at == received.addingTimeInterval(1800))
        policy.emergencyLadderPercent = 50
        let urgent = SLASchedule(policy: policy, receivedAt: received, priority: "urgent", calendar: nil, pauses: [], emergency: true)
        #expect(urgent.tiers[2]?.at == received.addingTimeInterval(24 * 3600), "an emergency's later rungs at half their time")
    }

    @Test func theStatutoryDaysAndTheHandlingPlanAreTrackedBesideTheMilestones() {
        let policy = SLAPolicy.standard(counting: .calendarHours)
        let schedule = SLASchedule(policy: policy, receivedAt: received, priority: "general", calendar: nil, pauses: [])
        #expect(schedule.statutoryResult.at == received.addingTimeInterval(7 * 86_400))
        #expect(schedule.handlingPlan.at == received.addingTimeInterval(48 * 3600))
        #expect(schedule.limitAlarms(status: .investigating, hasPlan: false).map(\.alarm) == [.statutoryResultOverdue, .handlingPlanMissing])
        #expect(schedule.limitAlarms(status: .investigating, hasPlan: true).map(\.alarm) == [.statutoryResultOverdue])
        #expect(schedule.limitAlarms(status: .received, hasPlan: false).map(\.alarm) == [.statutoryResultOverdue],
                "a plan is owed by whoever works the complaint")
        let explanation = SLAExplanation(policy: policy, schedule: schedule, calendar: nil, completed: [])
        #expect(explanation.additionalDeadlines?.keys.sorted() == ["handling_plan", "statutory_result"])
    }
}
