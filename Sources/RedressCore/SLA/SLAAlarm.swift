import Foundation

/// A moment the scheduler acts on one milestone of a complaint, once: a warning to the person
/// responsible when `warningPercent` of the milestone's time has passed, and its breach, which
/// escalates to the rung the policy names for it.
public struct SLAAlarm: Sendable, Equatable {
    /// What the alarm says.
    public enum Kind: String, Sendable, Equatable {
        /// The milestone is coming due.
        case warning
        /// The milestone's deadline passed without it being met.
        case breach
    }

    public var milestone: SLAMilestone
    public var kind: Kind
    /// When it falls due.
    public var at: Date
    /// For a breach, the ladder rung it pages; 0 for a warning, which goes to the responsible person.
    public var rung: Int

    /// Creates an alarm.
    public init(milestone: SLAMilestone, kind: Kind, at: Date, rung: Int) {
        self.milestone = milestone
        self.kind = kind
        self.at = at
        self.rung = rung
    }

    /// The name a complaint records it under once raised (`breach:acknowledge`), so that it is
    /// raised once however its deadline moves afterwards.
    public var key: String { "\(kind.rawValue):\(milestone.rawValue)" }
}

/// A limit tracked beside the milestones that pages once when it passes: the statutory days for
/// the result (the branch managers), and a handling plan not drawn up in time (the department's head).
public enum LimitAlarm: String, Sendable, Equatable, CaseIterable {
    case statutoryResultOverdue = "statutory_result_overdue"
    case handlingPlanMissing = "handling_plan_missing"

    /// The alarm key, one per complaint.
    public var key: String { "\(rawValue):\(rawValue)" }
}

extension SLASchedule {
    /// The alarms of the limits tracked beside the milestones, while the result is not fed back:
    /// the statutory limit, and the handling plan's while the complaint is being worked without one.
    public func limitAlarms(status: ComplaintStatus, hasPlan: Bool) -> [(alarm: LimitAlarm, at: Date)] {
        var alarms: [(LimitAlarm, Date)] = []
        if let at = statutoryResult.at { alarms.append((.statutoryResultOverdue, at)) }
        if !hasPlan, [.assigned, .investigating].contains(status), let at = handlingPlan.at { alarms.append((.handlingPlanMissing, at)) }
        return alarms
    }
}

extension SLASchedule {
    /// The alarms of every milestone not yet met whose clock runs: its warning after the policy's
    /// `warningPercent` of its counted time (the same clock, calendar and pauses as the deadline),
    /// and its breach at the deadline when the policy escalates it; by time, warnings first.
    public func alarms(policy: SLAPolicy, calendar: WorkingCalendar?, pauses: [SLAPause], completed: Set<SLAMilestone>) -> [SLAAlarm] {
        var alarms: [SLAAlarm] = []
        for (milestone, deadline) in milestones where !completed.contains(milestone) {
            guard let due = deadline.at else { continue }
            if policy.warningPercent > 0 {
                let share = deadline.targetSeconds * policy.warningPercent / 100
                let warning = SLAClock.deadline(from: deadline.from, target: .seconds(share), counting: deadline.counting,
                                                calendar: calendar, pauses: pauses)
                if let at = warning.at, at < due {
                    alarms.append(SLAAlarm(milestone: milestone, kind: .warning, at: at, rung: 0))
                }
            }
            if let rung = policy.breachRung(of: milestone) {
                alarms.append(SLAAlarm(milestone: milestone, kind: .breach, at: due, rung: rung))
            }
        }
        let order: (SLAAlarm) -> (Date, Int, SLAMilestone) = { ($0.at, $0.kind == .warning ? 0 : 1, $0.milestone) }
        return alarms.sorted { order($0) < order($1) }
    }
}
