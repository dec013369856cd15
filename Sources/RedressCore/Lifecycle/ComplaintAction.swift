/// A step that moves a complaint through its lifecycle. Which steps are allowed depends on the
/// current status (``ComplaintLifecycle``); who may take them, on the caller's roles.
public enum ComplaintAction: String, Codable, CaseIterable, Sendable {
    /// Send the customer a confirmation.
    case acknowledge
    /// Record the verified level, nature and priority and send the initial reply.
    case grade
    /// Hand the complaint to the responsible department and person.
    case assign
    /// Change the responsible department or person, or the collaborating departments, of a
    /// complaint already being worked on; the status stays.
    case reassign
    /// Begin the investigation.
    case startInvestigation = "start_investigation"
    /// Submit a handling plan for approval.
    case proposePlan = "propose_plan"
    /// Approve the plan (department head; branch leadership for level-1 or major complaints).
    case approvePlan = "approve_plan"
    /// Send the plan back for rework.
    case rejectPlan = "reject_plan"
    /// Start carrying out the approved plan.
    case startImplementation = "start_implementation"
    /// Tell the customer the result.
    case feedBackResult = "feed_back_result"
    /// Resolve a simple complaint at first contact and tell the customer.
    case resolveOnTheSpot = "resolve_on_the_spot"
    /// Begin the satisfaction follow-up.
    case startFollowUp = "start_follow_up"
    /// Record the customer's satisfaction: 6 or more closes, less reopens.
    case recordSatisfaction = "record_satisfaction"
    /// Close without a satisfaction score (for example, the customer cannot be reached).
    case close
    /// Close an invalid complaint with an explanation.
    case markInvalid = "mark_invalid"
    /// Reopen for secondary handling (dissatisfaction or objection).
    case reopen
    /// Pause while waiting for the customer.
    case awaitCustomer = "await_customer"
    /// Resume after the customer answered.
    case resume
    /// Archive a closed complaint.
    case archive

    /// The roles that may take this step (row-level security still decides which complaints).
    public var permittedRoles: Set<Role> {
        switch self {
        case .acknowledge, .grade, .resolveOnTheSpot, .markInvalid, .startFollowUp, .recordSatisfaction:
            return [.agent, .handler, .departmentHead, .branchManager]
        case .assign, .reassign:
            return [.agent, .departmentHead, .branchManager]
        case .startInvestigation, .proposePlan, .startImplementation, .feedBackResult:
            return [.handler, .departmentHead, .branchManager]
        case .approvePlan, .rejectPlan:
            return [.departmentHead, .branchManager]
        case .close, .reopen, .awaitCustomer, .resume:
            return [.agent, .handler, .departmentHead, .branchManager]
        case .archive:
            return [.branchManager, .admin]
        }
    }
}
