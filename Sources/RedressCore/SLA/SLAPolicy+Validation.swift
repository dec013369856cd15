import Foundation

/// Something wrong with configuration data (a policy, a calendar), named by its field.
public struct ConfigurationProblem: Sendable, Equatable {
    /// The field, e.g. `ladder[1].afterHours`.
    public var field: String
    public var message: String

    /// Creates a problem.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

extension SLAPolicy {
    /// The priorities a policy must give result hours for.
    public static let priorities = ["urgent", "important", "general"]

    /// Everything that would make the policy unusable: targets outside 1 hour…1 year, a missing
    /// priority, a ladder that is empty, not numbered 1, 2, 3…, not rising in time, or a rung
    /// that pages nobody, and an ack window outside 1 minute…1 day.
    public var problems: [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        let hours = 1...8760
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 {
            problems.append(.init(field: "name", message: "must be 1 to 200 characters"))
        }
        for (milestone, value) in milestoneHours.sorted(by: { $0.key < $1.key }) where !hours.contains(value) {
            problems.append(.init(field: "milestoneHours.\(milestone.rawValue)", message: "must be from 1 to 8760 hours"))
        }
        if milestoneHours[.result] != nil {
            problems.append(.init(field: "milestoneHours.result", message: "the result's hours are set per priority in resultHours"))
        }
        for priority in Self.priorities {
            guard let value = resultHours[priority] else {
                problems.append(.init(field: "resultHours.\(priority)", message: "is required"))
                continue
            }
            if !hours.contains(value) {
                problems.append(.init(field: "resultHours.\(priority)", message: "must be from 1 to 8760 hours"))
            }
        }
        for priority in resultHours.keys.sorted() where !Self.priorities.contains(priority) {
            problems.append(.init(field: "resultHours.\(priority)", message: "is not a priority (urgent, important, general)"))
        }
        for (milestone, limit) in milestoneLimits.sorted(by: { $0.key < $1.key }) {
            if milestone == .result {
                problems.append(.init(field: "milestoneLimits.result", message: "the result's limits are set per priority in resultLimits"))
            } else if !limit.unit.allowed.contains(limit.amount) {
                problems.append(.init(field: "milestoneLimits.\(milestone.rawValue).amount",
                                      message: "must be from \(limit.unit.allowed.lowerBound) to \(limit.unit.allowed.upperBound) \(limit.unit.rawValue)"))
            }
        }
        for (priority, limit) in resultLimits.sorted(by: { $0.key < $1.key }) {
            if !Self.priorities.contains(priority) {
                problems.append(.init(field: "resultLimits.\(priority)", message: "is not a priority (urgent, important, general)"))
            } else if !limit.unit.allowed.contains(limit.amount) {
                problems.append(.init(field: "resultLimits.\(priority).amount",
                                      message: "must be from \(limit.unit.allowed.lowerBound) to \(limit.unit.allowed.upperBound) \(limit.unit.rawValue)"))
            }
        }
        if ladder.isEmpty {
            problems.append(.init(field: "ladder", message: "needs at least one tier"))
        }
        for (index, rung) in ladder.enumerated() {
            if rung.tier != index + 1 {
                problems.append(.init(field: "ladder[\(index)].tier", message: "must be \(index + 1): tiers are numbered 1, 2, 3… in order"))
            }
            let field = rung.afterMinutes == nil ? "afterHours" : "afterMinutes"
            if rung.afterMinutes != nil, rung.afterHours != 0 {
                problems.append(.init(field: "ladder[\(index)].afterMinutes", message: "is given in place of afterHours, not beside it"))
            } else if let minutes = rung.afterMinutes, !(1...525_600).contains(minutes) {
                problems.append(.init(field: "ladder[\(index)].afterMinutes", message: "must be from 1 to 525600 minutes"))
            } else if rung.afterMinutes == nil, !hours.contains(rung.afterHours) {
                problems.append(.init(field: "ladder[\(index)].afterHours", message: "must be from 1 to 8760 hours"))
            } else if index > 0, rung.afterSeconds <= ladder[index - 1].afterSeconds {
                problems.append(.init(field: "ladder[\(index)].\(field)", message: "must be later than the tier before"))
            }
            if rung.recipients.isEmpty {
                problems.append(.init(field: "ladder[\(index)].recipients", message: "must name at least one recipient"))
            }
        }
        if !(1...1440).contains(ackWindowMinutes) {
            problems.append(.init(field: "ackWindowMinutes", message: "must be from 1 to 1440 minutes"))
        }
        if !(1...100).contains(emergencyLadderPercent) {
            problems.append(.init(field: "emergencyLadderPercent", message: "must be from 1 to 100 percent"))
        }
        if !(0...99).contains(warningPercent) {
            problems.append(.init(field: "warningPercent", message: "must be from 0 (no warnings) to 99 percent"))
        }
        let tiers = Set(ladder.map(\.tier))
        for (milestone, rung) in breachRungs.sorted(by: { $0.key < $1.key }) where rung != 0 && !tiers.contains(rung) {
            problems.append(.init(field: "breachRungs.\(milestone.rawValue)",
                                  message: "must be 0 (left to the ladder) or a tier of the ladder (1 to \(ladder.count))"))
        }
        if !(1...365).contains(statutoryResultDays) {
            problems.append(.init(field: "statutoryResultDays", message: "must be from 1 to 365 days"))
        }
        if !(1...365).contains(reviewWindowDays) {
            problems.append(.init(field: "reviewWindowDays", message: "must be from 1 to 365 days"))
        }
        if !(1...90).contains(reviewDays) {
            problems.append(.init(field: "reviewDays", message: "must be from 1 to 90 days"))
        }
        if !(1...720).contains(handlingPlanHours) {
            problems.append(.init(field: "handlingPlanHours", message: "must be from 1 to 720 hours"))
        }
        if !(1...720).contains(planApprovalHours) {
            problems.append(.init(field: "planApprovalHours", message: "must be from 1 to 720 hours"))
        }
        if !(1...720).contains(followUpHours) {
            problems.append(.init(field: "followUpHours", message: "must be from 1 to 720 hours"))
        }
        if followUpCallbackDays.count > 12 || Set(followUpCallbackDays).count != followUpCallbackDays.count {
            problems.append(.init(field: "followUpCallbackDays", message: "must be at most 12 different days"))
        }
        for (index, days) in followUpCallbackDays.enumerated() where !(1...3660).contains(days) {
            problems.append(.init(field: "followUpCallbackDays[\(index)]", message: "must be from 1 to 3660 days"))
        }
        return problems
    }
}
