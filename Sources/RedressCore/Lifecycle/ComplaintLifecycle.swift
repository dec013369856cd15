/// The complaint state machine: a pure function from a state and a command to the next state,
/// or an error naming the current status and the allowed steps.
public enum ComplaintLifecycle {
    /// What the lifecycle needs to know about a complaint.
    public struct State: Sendable, Equatable {
        /// The current status.
        public var status: ComplaintStatus
        /// The status to return to when a pause ends.
        public var pausedFrom: ComplaintStatus?
        /// Level-1 or major complaints need branch leadership's approval after the head's.
        public var needsLeadershipApproval: Bool
        /// How many times the complaint was reopened for secondary handling.
        public var reopenCount: Int

        /// Creates a state; a new complaint is `received` with no pause.
        public init(status: ComplaintStatus = .received, pausedFrom: ComplaintStatus? = nil,
                    needsLeadershipApproval: Bool = false, reopenCount: Int = 0) {
            self.status = status
            self.pausedFrom = pausedFrom
            self.needsLeadershipApproval = needsLeadershipApproval
            self.reopenCount = reopenCount
        }
    }

    /// A step with what it carries.
    public struct Command: Sendable, Equatable {
        /// The step.
        public var action: ComplaintAction
        /// The approver's roles, for `approvePlan` (leadership is a branch manager or executive).
        public var actorRoles: Set<Role>
        /// The satisfaction score 1–10, for `recordSatisfaction`.
        public var satisfaction: Int?

        /// Creates a command.
        public init(_ action: ComplaintAction, actorRoles: Set<Role> = [], satisfaction: Int? = nil) {
            self.action = action
            self.actorRoles = actorRoles
            self.satisfaction = satisfaction
        }
    }

    /// A refused step.
    public enum Refusal: Error, Sendable, Equatable {
        /// The step does not apply in the current status.
        case notAllowed(current: ComplaintStatus, allowed: [ComplaintAction])
        /// The step needs a value it did not carry (e.g. a satisfaction score).
        case missing(String)
        /// The step needs a role the actor lacks at this point (e.g. leadership approval).
        case needsRole(Set<Role>)
        /// The step must be taken by someone other than who took an earlier one (whoever proposes
        /// a plan does not approve it; a plan's two approvals come from two people).
        case needsAnotherPerson(String)
    }

    /// Statuses from which work may pause to wait for the customer.
    static let pausable: Set<ComplaintStatus> = [.received, .acknowledged, .graded, .assigned, .investigating,
                                                 .planProposed, .planHeadApproved, .planApproved, .implementing]

    /// The steps allowed from `state`, in lifecycle order.
    public static func allowedActions(from state: State) -> [ComplaintAction] {
        ComplaintAction.allCases.filter { target(of: $0, from: state) != nil }
    }

    /// The status `action` leads to from `state`, ignoring what the command carries; nil when
    /// the step does not apply.
    static func target(of action: ComplaintAction, from state: State) -> ComplaintStatus? {
        let status = state.status
        switch action {
        case .acknowledge: return status == .received ? .acknowledged : nil
        case .grade: return [.received, .acknowledged].contains(status) ? .graded : nil
        case .assign: return [.received, .acknowledged, .graded].contains(status) ? .assigned : nil
        case .reassign:
            return [.assigned, .investigating, .planProposed, .planHeadApproved, .planApproved, .implementing].contains(status) ? status : nil
        case .startInvestigation: return status == .assigned ? .investigating : nil
        case .proposePlan: return status == .investigating ? .planProposed : nil
        case .approvePlan:
            if status == .planProposed { return state.needsLeadershipApproval ? .planHeadApproved : .planApproved }
            return status == .planHeadApproved ? .planApproved : nil
        case .rejectPlan: return [.planProposed, .planHeadApproved].contains(status) ? .investigating : nil
        case .startImplementation: return status == .planApproved ? .implementing : nil
        case .feedBackResult: return status == .implementing ? .resultFedBack : nil
        case .resolveOnTheSpot: return [.received, .acknowledged, .graded].contains(status) ? .resultFedBack : nil
        case .startFollowUp: return status == .resultFedBack ? .followUp : nil
        case .recordSatisfaction, .close: return [.resultFedBack, .followUp].contains(status) ? .closed : nil
        case .markInvalid: return [.received, .acknowledged, .graded, .assigned, .investigating].contains(status) ? .closed : nil
        case .reopen: return [.resultFedBack, .followUp, .closed].contains(status) ? .investigating : nil
        case .awaitCustomer: return pausable.contains(status) ? .awaitingCustomer : nil
        case .resume: return status == .awaitingCustomer ? state.pausedFrom ?? .investigating : nil
        case .archive: return status == .closed ? .archived : nil
        }
    }

    /// Applies `command` to `state`.
    public static func apply(_ command: Command, to state: State) throws(Refusal) -> State {
        guard var next = target(of: command.action, from: state).map({ status -> State in
            var next = state
            next.status = status
            return next
        }) else {
            throw .notAllowed(current: state.status, allowed: allowedActions(from: state))
        }
        switch command.action {
        case .approvePlan where state.status == .planHeadApproved:
            let leadership: Set<Role> = [.branchManager]
            if command.actorRoles.isDisjoint(with: leadership) { throw .needsRole(leadership) }
        case .recordSatisfaction:
            guard let score = command.satisfaction, (1...10).contains(score) else { throw .missing("satisfaction") }
            if score < 6 {
                next.status = .investigating
                next.reopenCount += 1
            }
        case .reopen:
            next.reopenCount += 1
        case .awaitCustomer:
            next.pausedFrom = state.status
        case .resume:
            next.pausedFrom = nil
        default:
            break
        }
        return next
    }
}
