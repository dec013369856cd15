import RedressCore
import Testing

@Suite("Complaint lifecycle state machine")
struct ComplaintLifecycleTests {
    typealias State = ComplaintLifecycle.State
    typealias Command = ComplaintLifecycle.Command

    func walk(_ state: State, _ actions: [ComplaintAction], roles: Set<Role> = [.departmentHead]) throws -> State {
        var state = state
        for action in actions { state = try ComplaintLifecycle.apply(Command(action, actorRoles: roles), to: state) }
        return state
    }

    @Test func theStandardPathEndsClosedAndArchived() throws {
        var state = try walk(State(), [.acknowledge, .grade, .assign, .startInvestigation, .proposePlan, .approvePlan,
                                       .startImplementation, .feedBackResult, .startFollowUp])
        #expect(state.status == .followUp)
        state = try ComplaintLifecycle.apply(Command(.recordSatisfaction, satisfaction: 8), to: state)
        #expect(state.status == .closed)
        #expect(try walk(state, [.archive]).status == .archived)
        #expect(ComplaintLifecycle.allowedActions(from: State(status: .archived)).isEmpty)
    }

    @Test func levelOnePlansNeedTheHeadThenLeadership() throws {
        let proposed = try walk(State(needsLeadershipApproval: true), [.grade, .assign, .startInvestigation, .proposePlan])
        let headApproved = try ComplaintLifecycle.apply(Command(.approvePlan, actorRoles: [.departmentHead]), to: proposed)
        #expect(headApproved.status == .planHeadApproved)
        #expect(throws: ComplaintLifecycle.Refusal.needsRole([.branchManager])) {
            try ComplaintLifecycle.apply(Command(.approvePlan, actorRoles: [.departmentHead]), to: headApproved)
        }
        let approved = try ComplaintLifecycle.apply(Command(.approvePlan, actorRoles: [.branchManager]), to: headApproved)
        #expect(approved.status == .planApproved)
        let rejected = try ComplaintLifecycle.apply(Command(.rejectPlan), to: headApproved)
        #expect(rejected.status == .investigating)
    }

    @Test func reassigningKeepsTheStatus() throws {
        let investigating = try walk(State(), [.grade, .assign, .startInvestigation])
        #expect(try walk(investigating, [.reassign]).status == .investigating)
        #expect(throws: ComplaintLifecycle.Refusal.self) { try walk(State(), [.reassign]) }
    }

    @Test func ordinaryPlansNeedOnlyTheHead() throws {
        let approved = try walk(State(), [.grade, .assign, .startInvestigation, .proposePlan, .approvePlan])
        #expect(approved.status == .planApproved)
    }

    @Test func simpleComplaintsResolveOnTheSpot() throws {
        let state = try walk(State(), [.acknowledge, .resolveOnTheSpot])
        #expect(state.status == .resultFedBack)
        #expect(try ComplaintLifecycle.apply(Command(.recordSatisfaction, satisfaction: 6), to: state).status == .closed)
    }

    @Test func invalidComplaintsCloseDirectly() throws {
        #expect(try walk(State(), [.markInvalid]).status == .closed)
        #expect(try walk(State(), [.grade, .assign, .startInvestigation, .markInvalid]).status == .closed)
    }

    @Test func dissatisfactionReopensForSecondaryHandling() throws {
        let fedBack = try walk(State(), [.resolveOnTheSpot])
        let reopened = try ComplaintLifecycle.apply(Command(.recordSatisfaction, satisfaction: 5), to: fedBack)
        #expect(reopened.status == .investigating)
        #expect(reopened.reopenCount == 1)
        let objected = try walk(try walk(reopened, [.proposePlan, .approvePlan, .startImplementation, .feedBackResult]), [.reopen])
        #expect(objected.status == .investigating && objected.reopenCount == 2)
        let closed = try ComplaintLifecycle.apply(Command(.close), to: try walk(objected, [.proposePlan, .approvePlan,
                                                                                         .startImplementation, .feedBackResult]))
        #expect(try walk(closed, [.reopen]).status == .investigating, "a closed case reopens on objection")
    }

    @Test func satisfactionNeedsAScoreFromOneToTen() throws {
        let fedBack = try walk(State(), [.resolveOnTheSpot])
        for score in [nil, 0, 11] {
            #expect(throws: ComplaintLifecycle.Refusal.missing("satisfaction")) {
                try ComplaintLifecycle.apply(Command(.recordSatisfaction, satisfaction: score), to: fedBack)
            }
        }
    }

    @Test func pausingRemembersWhereWorkStopped() throws {
        for status in [ComplaintStatus.received, .investigating, .planHeadApproved, .implementing] {
            let paused = try ComplaintLifecycle.apply(Command(.awaitCustomer), to: State(status: status))
            #expect(paused.status == .awaitingCustomer && paused.pausedFrom == status)
            #expect(ComplaintLifecycle.allowedActions(from: paused) == [.resume])
            let resumed = try ComplaintLifecycle.apply(Command(.resume), to: paused)
            #expect(resumed.status == status && resumed.pausedFrom == nil)
        }
    }

    @Test func aRefusalNamesTheCurrentStatusAndTheAllowedSteps() {
        #expect(throws: ComplaintLifecycle.Refusal.notAllowed(
            current: .received, allowed: [.acknowledge, .grade, .assign, .resolveOnTheSpot, .markInvalid, .awaitCustomer])) {
            try ComplaintLifecycle.apply(Command(.proposePlan), to: State())
        }
    }

    @Test(arguments: ComplaintStatus.allCases)
    func everyStepEitherMovesOrIsRefused(status: ComplaintStatus) {
        let state = State(status: status, pausedFrom: status == .awaitingCustomer ? .assigned : nil)
        let allowed = ComplaintLifecycle.allowedActions(from: state)
        for action in ComplaintAction.allCases {
            let command = Command(action, actorRoles: [.branchManager], satisfaction: 9)
            do {
                let next = try ComplaintLifecycle.apply(command, to: state)
                #expect(allowed.contains(action), "\(action) from \(status) moved but is not listed as allowed")
                #expect(next.status != status || action == .reassign, "\(action) from \(status) went nowhere")
            } catch {
                #expect(!allowed.contains(action), "\(action) from \(status) is listed but refused: \(error)")
                #expect(error == .notAllowed(current: status, allowed: allowed))
            }
        }
        #expect(status.isOpen == !allowed.isEmpty || status == .closed, "only archived complaints are final")
    }
}
