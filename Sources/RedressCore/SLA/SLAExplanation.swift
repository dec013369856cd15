import Foundation

/// Why a complaint's deadlines are what they are: the policy, how it counted, and each deadline
/// with the pauses that moved it. Stored with the complaint and shown by the API.
public struct SLAExplanation: Sendable, Codable, Equatable {
    public var policyId: UUID
    public var policyName: String
    public var counting: SLACounting
    /// The working calendar's time zone, when the policy counts working time.
    public var timeZone: String?
    /// Deadlines per milestone (`acknowledge`, `initial_reply`, `preliminary_feedback`, `result`).
    public var milestones: [String: SLADeadline]
    /// Deadlines per escalation tier (`"1"`, `"2"`, …).
    public var tiers: [String: SLADeadline]
    /// Milestones already met.
    public var completed: [String]
    /// Deadlines tracked beside the milestones: `statutory_result` (the result within the
    /// statutory days) and `handling_plan` (a detailed handling plan drawn up).
    public var additionalDeadlines: [String: SLADeadline]?

    /// Creates the explanation of `schedule` under `policy`.
    public init(policy: SLAPolicy, schedule: SLASchedule, calendar: WorkingCalendar?, completed: Set<SLAMilestone>) {
        policyId = policy.id
        policyName = policy.name
        counting = policy.counting
        timeZone = policy.counting == .workingCalendar ? calendar?.timeZone : nil
        milestones = Dictionary(uniqueKeysWithValues: schedule.milestones.map { ($0.key.rawValue, $0.value) })
        tiers = Dictionary(uniqueKeysWithValues: schedule.tiers.map { (String($0.key), $0.value) })
        self.completed = completed.map(\.rawValue).sorted()
        additionalDeadlines = ["statutory_result": schedule.statutoryResult, "handling_plan": schedule.handlingPlan]
    }
}

extension SLAMilestone {
    /// The milestones a lifecycle step meets: a result fed back, a resolution on the spot, an
    /// invalid mark or a closure meets them all. Acknowledging and grading meet nothing by
    /// themselves: the complainant must be told, by a delivered message or a logged communication.
    public static func met(by action: ComplaintAction) -> Set<SLAMilestone> {
        switch action {
        case .resolveOnTheSpot, .feedBackResult, .markInvalid, .close: return Set(allCases)
        default: return []
        }
    }

    /// The milestone a logged communication of `kind` meets.
    public static func met(byCommunication kind: String) -> SLAMilestone? {
        switch kind {
        case "confirmation": return .acknowledge
        case "initial_reply": return .initialReply
        case "progress_update": return .preliminaryFeedback
        case "result_feedback": return .result
        default: return nil
        }
    }
}
