/// Where a complaint is in its handling. The order follows the sources' consolidated lifecycle:
/// received → acknowledged → graded (initial reply) → assigned → investigating → plan proposed →
/// plan approved (department head, then branch leadership when needed) → implementing → result
/// fed back → follow-up → closed → archived, with a pause while awaiting the customer.
public enum ComplaintStatus: String, Codable, CaseIterable, Sendable {
    /// Registered at intake.
    case received
    /// The customer was sent a confirmation.
    case acknowledged
    /// Verified and graded; the initial reply (level, promised time) was sent.
    case graded
    /// Routed to the responsible department with a named responsible person.
    case assigned
    /// Evidence and responsibility are being established.
    case investigating
    /// A handling plan awaits the department head's approval.
    case planProposed = "plan_proposed"
    /// The department head approved; branch leadership must approve too (level 1 or major).
    case planHeadApproved = "plan_head_approved"
    /// The plan is approved and may be carried out.
    case planApproved = "plan_approved"
    /// The plan is being carried out.
    case implementing
    /// The result was fed back to the customer; the satisfaction follow-up is due.
    case resultFedBack = "result_fed_back"
    /// The satisfaction follow-up is under way.
    case followUp = "follow_up"
    /// Paused: waiting for the customer (the SLA clock stops).
    case awaitingCustomer = "awaiting_customer"
    /// Finished (resolved, or invalid with an explanation).
    case closed
    /// Closed and archived.
    case archived

    /// True until the complaint is closed or archived.
    public var isOpen: Bool { self != .closed && self != .archived }
}
