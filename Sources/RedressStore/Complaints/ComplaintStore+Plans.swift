import Foundation
import Postgres
import RedressCore

extension ComplaintStore {
    static let planColumns = """
        id, complaint_id, measures, description, compensation_amount, currency, responsible_department_id,
        responsible_user_id, due_at, regulator_filing_required, regulator_reference, status, proposed_by, proposed_at,
        head_approved_by, head_approved_at, leadership_approved_by, leadership_approved_at, rejected_by, rejected_at,
        rejection_reason
        """

    /// Writes what a step records besides the complaint row: the proposed plan, its approvals
    /// or rejection, and the satisfaction survey.
    func recordCaseWork(of step: ComplaintStep, caller: Caller, before: Complaint, next: ComplaintLifecycle.State,
                        _ connection: PGConnection) async throws {
        switch step.action {
        case .proposePlan:
            guard let plan = step.plan else { throw StoreError.lifecycle(.missing("plan")) }
            try await connection.execute("""
                INSERT INTO complaint_plans (branch_id, complaint_id, measures, description, compensation_amount, currency,
                       responsible_department_id, responsible_user_id, due_at, regulator_filing_required, proposed_by,
                       \(unescaped: CaseVisibility.columns))
                VALUES (\(before.branchId), \(before.id), \(plan.measures), \(plan.description), \(plan.compensationAmount),
                        \(plan.currency), \(plan.responsibleDepartmentID ?? before.departmentId),
                        \(plan.responsibleUserID ?? before.responsibleUserId), \(plan.dueAt), \(plan.regulatorFilingRequired),
                        \(caller.userID), \(before.departmentId), \(before.collaboratingDepartmentIds), \(before.responsibleUserId))
                """)
        case .approvePlan:
            let final = next.status == .planApproved
            let leadership = before.status == .planHeadApproved
            let current = try await connection.query("""
                SELECT regulator_filing_required, regulator_reference, proposed_by, head_approved_by FROM complaint_plans
                 WHERE branch_id = \(before.branchId) AND complaint_id = \(before.id) AND status IN ('proposed', 'head_approved') FOR UPDATE
                """)
            guard let plan = current.first else { throw StoreError.lifecycle(.missing("plan")) }
            if try plan.decode(UUID?.self, at: 2) == caller.userID {
                throw StoreError.lifecycle(.needsAnotherPerson("Whoever proposes a plan does not approve it."))
            }
            if leadership, try plan.decode(UUID?.self, at: 3) == caller.userID {
                throw StoreError.lifecycle(.needsAnotherPerson("A plan's two approvals come from two people."))
            }
            let storedReference = try plan.decode(String?.self, at: 1)
            let reference = step.regulatorReference ?? storedReference
            if final, try plan.decode(Bool.self, at: 0), reference == nil {
                throw StoreError.lifecycle(.missing("regulatorReference"))
            }
            try await connection.execute("""
                UPDATE complaint_plans
                   SET status = \(final ? "approved" : "head_approved"),
                       head_approved_by = CASE WHEN \(leadership) THEN head_approved_by ELSE \(caller.userID) END,
                       head_approved_at = CASE WHEN \(leadership) THEN head_approved_at ELSE now() END,
                       leadership_approved_by = CASE WHEN \(leadership) THEN \(caller.userID) ELSE NULL END,
                       leadership_approved_at = CASE WHEN \(leadership) THEN now() ELSE NULL END,
                       regulator_reference = \(reference)
                 WHERE branch_id = \(before.branchId) AND complaint_id = \(before.id) AND status IN ('proposed', 'head_approved')
                """)
        case .rejectPlan:
            try await connection.execute("""
                UPDATE complaint_plans SET status = 'rejected', rejected_by = \(caller.userID), rejected_at = now(),
                       rejection_reason = \(step.note)
                 WHERE branch_id = \(before.branchId) AND complaint_id = \(before.id) AND status IN ('proposed', 'head_approved')
                """)
        case .recordSatisfaction:
            guard let survey = step.survey, let score = step.satisfaction else { return }
            try await Self.insertSurvey(survey, score: score, branchID: before.branchId, complaintID: before.id, caller: caller, connection)
        default:
            break
        }
    }

    /// Records a satisfaction survey in the caller's name (a due follow-up of the complaint is
    /// completed by it; see `sql/0013_follow_ups.sql`).
    static func insertSurvey(_ survey: Survey, score: Int, branchID: UUID, complaintID: UUID, caller: Caller,
                             _ connection: PGConnection) async throws {
        try await connection.execute("""
            INSERT INTO complaint_surveys (branch_id, complaint_id, method, score, attitude, efficiency, outcome, comments, recorded_by,
                                           \(unescaped: CaseVisibility.columns))
            SELECT \(branchID), \(complaintID), \(survey.method), \(Int16(score)), \(survey.attitude.map(Int16.init))::smallint,
                   \(survey.efficiency.map(Int16.init))::smallint, \(survey.outcome.map(Int16.init))::smallint,
                   \(survey.comments), \(caller.userID), \(unescaped: CaseVisibility.fromComplaint)
              FROM complaints c WHERE c.branch_id = \(branchID) AND c.id = \(complaintID)
            """)
    }

    /// Records the answer to a long-term callback of a closed complaint, in the caller's open
    /// transaction, which holds the complaint's row lock, and takes `step` (a reopening, when the
    /// customer is dissatisfied).
    func recordCallback(_ caller: Caller, complaintID: UUID, score: Int, survey: Survey, step: ComplaintStep?,
                        _ connection: PGConnection) async throws -> Complaint {
        // The caller (`FollowUpStore`) holds the complaint's row lock, which orders this write against
        // a change of its visibility as the case's lock would (``CaseVisibility``); taking that lock
        // after the row's could deadlock with a change that takes them the other way round.
        let rows = try await connection.query("SELECT branch_id FROM complaints WHERE id = \(complaintID)")
        guard let branchID = try rows.first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
        try await Self.insertSurvey(survey, score: score, branchID: branchID, complaintID: complaintID, caller: caller, connection)
        if let step { return try await perform(caller, id: complaintID, step, connection) }
        let current = try await connection.query("SELECT \(unescaped: ComplaintColumns.list) FROM complaints WHERE id = \(complaintID)")
        return try ComplaintColumns.complaint(current[0])
    }

    /// The complaint's plans, oldest first, with their approval chains.
    public func plans(_ scope: AccessScope, complaintID: UUID) async throws -> [Plan] {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await CaseWorkStore.visibleBranch(of: complaintID, connection)
            return try await connection.query("""
                SELECT \(unescaped: Self.planColumns) FROM complaint_plans
                 WHERE branch_id = \(branch) AND complaint_id = \(complaintID) ORDER BY proposed_at, id
                """).map { row in
                Plan(id: try row.decode(at: 0), complaintId: try row.decode(at: 1), measures: try row.decode(at: 2),
                     description: try row.decode(at: 3), compensationAmount: try row.decode(at: 4), currency: try row.decode(at: 5),
                     responsibleDepartmentId: try row.decode(at: 6), responsibleUserId: try row.decode(at: 7),
                     dueAt: try row.decode(at: 8), regulatorFilingRequired: try row.decode(at: 9),
                     regulatorReference: try row.decode(at: 10), status: try row.decode(at: 11), proposedBy: try row.decode(at: 12),
                     proposedAt: try row.decode(at: 13), headApprovedBy: try row.decode(at: 14), headApprovedAt: try row.decode(at: 15),
                     leadershipApprovedBy: try row.decode(at: 16), leadershipApprovedAt: try row.decode(at: 17),
                     rejectedBy: try row.decode(at: 18), rejectedAt: try row.decode(at: 19), rejectionReason: try row.decode(at: 20))
            }
        }
    }
}
