import Foundation

/// A moment the scheduler pages someone about a complaint's handling plan, once: its approver as
/// soon as it awaits them, a level up when the policy's approval time runs out, and the
/// department's head when an approved plan's own deadline passes.
public struct PlanAlarm: Sendable, Equatable {
    /// Why the page goes out. The scheduler pages, by kind: the department's head (approval, the
    /// plan overdue), the branch managers (the leadership's approval, the head's approval
    /// overdue), the executives (the leadership's approval overdue).
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case approval = "plan_approval"
        case approvalOverdue = "plan_approval_overdue"
        case leadershipApproval = "plan_leadership_approval"
        case leadershipApprovalOverdue = "plan_leadership_approval_overdue"
        case overdue = "plan_overdue"
    }

    public var planID: UUID
    public var kind: Kind
    /// When it falls due.
    public var at: Date

    /// Creates an alarm.
    public init(planID: UUID, kind: Kind, at: Date) {
        self.planID = planID
        self.kind = kind
        self.at = at
    }

    /// The name a complaint records it under once raised (`plan_approval:<plan id>`).
    public var key: String { "\(kind.rawValue):\(planID.uuidString.lowercased())" }
}

/// What the alarms of a complaint's current plan depend on.
public struct PlanFacts: Sendable, Equatable {
    /// The plan's approval so far: `proposed`, `head_approved`, `approved` or `rejected` (no alarms).
    public var status: String
    public var id: UUID
    public var proposedAt: Date
    public var headApprovedAt: Date?
    /// The plan's own deadline for carrying it out.
    public var dueAt: Date?

    /// Creates the facts.
    public init(id: UUID, status: String, proposedAt: Date, headApprovedAt: Date? = nil, dueAt: Date? = nil) {
        self.id = id
        self.status = status
        self.proposedAt = proposedAt
        self.headApprovedAt = headApprovedAt
        self.dueAt = dueAt
    }

    /// The alarms while the complaint is `complaintStatus`: a plan waiting for the head's approval
    /// pages the head and, after `approvalHours`, the branch managers; one waiting for the
    /// leadership's pages the branch managers and then the executives; an approved plan being
    /// carried out pages the head at its deadline. A paused or otherwise moved complaint has none.
    public func alarms(complaintStatus: ComplaintStatus, approvalHours: Int) -> [PlanAlarm] {
        let wait = TimeInterval(approvalHours * 3600)
        switch (status, complaintStatus) {
        case ("proposed", .planProposed):
            return [PlanAlarm(planID: id, kind: .approval, at: proposedAt),
                    PlanAlarm(planID: id, kind: .approvalOverdue, at: proposedAt.addingTimeInterval(wait))]
        case ("head_approved", .planHeadApproved):
            let since = headApprovedAt ?? proposedAt
            return [PlanAlarm(planID: id, kind: .leadershipApproval, at: since),
                    PlanAlarm(planID: id, kind: .leadershipApprovalOverdue, at: since.addingTimeInterval(wait))]
        case ("approved", .planApproved), ("approved", .implementing):
            return dueAt.map { [PlanAlarm(planID: id, kind: .overdue, at: $0)] } ?? []
        default:
            return []
        }
    }
}
