import Foundation

/// What needs a person's attention, sorted into buckets: the work queue of `GET /v1/work-queue`.
public enum WorkQueueBucket: String, CaseIterable, Sendable, Codable {
    /// Plans the caller may approve at their current stage (never one they proposed or already approved).
    case awaitingMyApproval = "awaiting_my_approval"
    /// Open complaints with an escalation that nobody has acknowledged yet.
    case escalatedUnacknowledged = "escalated_unacknowledged"
    /// Open complaints whose due time has passed.
    case overdue
    /// Open complaints due within the next 24 hours.
    case dueWithin24h = "due_within_24h"
    /// Open complaints of the caller's departments (or branch) that nobody is responsible for yet.
    case unassigned
    /// Satisfaction follow-ups and callbacks past their due time.
    case followUpsOverdue = "follow_ups_overdue"
    /// Open complaints that were reopened (on request or after a dissatisfied follow-up).
    case reopened

    /// The bucket's place among all buckets, as a statement tags its rows (a number sorts faster than a name).
    public var ordinal: Int16 { Int16(Self.allCases.firstIndex(of: self)!) }

    /// The bucket at `ordinal`, if any.
    public init?(ordinal: Int16) {
        guard Self.allCases.indices.contains(Int(ordinal)) else { return nil }
        self = Self.allCases[Int(ordinal)]
    }
}

/// Which complaints a caller's work queue covers, and which plans the caller may approve, derived
/// from the caller by one pure rule (row-level security still decides every row):
///
/// - people who work a whole branch (agents, branch managers, executives) cover every complaint of
///   their home branch;
/// - handlers and department heads cover their departments' complaints, those their departments
///   collaborate on and those they are personally responsible for;
/// - everyone else covers only what they are personally responsible for.
///
/// Granted branches never enter a queue: work happens in the home branch.
public struct WorkQueueCoverage: Sendable, Equatable {
    /// The home branch, the only branch a queue reads.
    public var branchID: UUID
    /// The caller, for personal responsibility and the approval rules.
    public var userID: UUID
    /// Whether every complaint of the branch is covered.
    public var wholeBranch: Bool
    /// The departments whose complaints (and collaborations) are covered.
    public var departmentIDs: Set<UUID>
    /// Departments whose proposed plans the caller may approve first (a department head's own).
    public var approvesPlansOf: Set<UUID>
    /// Whether the caller approves plans branch-wide, first or second (branch managers).
    public var approvesBranchPlans: Bool
    /// Only complaints handled or collaborated on by this department, when the caller filters.
    public var departmentFilter: UUID?

    /// The roles whose queue is their whole home branch.
    public static let wholeBranchRoles: Set<Role> = [.agent, .branchManager, .executive]

    /// The coverage of `caller`, optionally narrowed to one department.
    public init(caller: Caller, department: UUID? = nil) {
        branchID = caller.branchID
        userID = caller.userID
        wholeBranch = !caller.roles.isDisjoint(with: Self.wholeBranchRoles)
        departmentIDs = caller.roles.isDisjoint(with: Role.departmentScoped) ? [] : caller.departmentIDs
        approvesPlansOf = caller.roles.contains(.departmentHead) ? caller.departmentIDs : []
        approvesBranchPlans = caller.roles.contains(.branchManager)
        departmentFilter = department
    }
}
