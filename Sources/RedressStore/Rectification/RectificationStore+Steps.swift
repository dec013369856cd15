import Foundation
import Postgres
import RedressCore

/// The steps of a rectification task, each on its timeline; the database's `public.rectification_steps`
/// refuses any the caller may not take, and times and counts them, whatever the service asks.
extension RectificationStore {
    /// Records progress on an open task: the share done and what was done. By the responsible
    /// person, a member of the responsible department or a branch manager.
    public func recordProgress(_ caller: Caller, id: UUID, percent: Int, note: String) async throws -> RectificationTask {
        try await change(caller, id: id) { task, connection in
            guard task.status == "open" else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): progress is recorded while the task is open")
            }
            try await connection.execute("""
                UPDATE rectification_tasks SET progress_percent = \(percent)::smallint, updated_at = now()
                 WHERE branch_id = \(task.branchID) AND id = \(id)
                """)
            try await Self.recordProgress(id: id, branch: task.branchID, caller: caller, percent: percent, note: note, connection)
        }
    }

    /// Submits the acceptance report of an open task, which is then complete: by the responsible
    /// person or a member of the responsible department.
    public func submit(_ caller: Caller, id: UUID, report: String) async throws -> RectificationTask {
        try await change(caller, id: id) { task, connection in
            guard task.status == "open" else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): only an open task is submitted")
            }
            guard caller.userID == task.responsibleUserID || caller.scope.departmentIDs.contains(task.departmentID) else {
                throw StoreError.forbidden
            }
            try await connection.execute("""
                UPDATE rectification_tasks
                   SET status = 'submitted', acceptance_report = \(report), submitted_by = \(caller.userID), updated_at = now()
                 WHERE branch_id = \(task.branchID) AND id = \(id)
                """)
            try await Self.recordStep(id: id, branch: task.branchID, caller: caller, connection)
        }
    }

    /// Accepts a submitted acceptance report, or sends it back to be worked on (the task is open
    /// again, and escalates if it is then overdue and was not escalated before). By the head of
    /// the responsible department or a branch manager who is neither the responsible person nor
    /// the submitter.
    public func decide(_ caller: Caller, id: UUID, accept: Bool, reasoning: String) async throws -> RectificationTask {
        try await change(caller, id: id) { task, connection in
            guard task.status == "submitted" else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): only a submitted acceptance report is decided")
            }
            let decides = (caller.roles.contains(.branchManager) && caller.scope.caseWriteBranchIDs.contains(task.branchID))
                || (caller.roles.contains(.departmentHead) && caller.scope.departmentIDs.contains(task.departmentID))
            guard decides, caller.userID != task.responsibleUserID, caller.userID != task.submittedBy else { throw StoreError.forbidden }
            try await connection.execute("""
                UPDATE rectification_tasks
                   SET status = \(accept ? "accepted" : "open"), decision_reasoning = \(reasoning),
                       accepted_by = CASE WHEN \(accept) THEN \(caller.userID)::uuid END,
                       sent_back_count = sent_back_count + CASE WHEN \(accept) THEN 0 ELSE 1 END, updated_at = now()
                 WHERE branch_id = \(task.branchID) AND id = \(id)
                """)
            try await Self.recordStep(id: id, branch: task.branchID, caller: caller, connection)
            if !accept {
                try await connection.execute("SELECT pg_notify('redress_deadlines', 'rectification:' || \(task.branchID)::text)")
            }
        }
    }

    /// The effect evaluation of an accepted task: the complaints the caller sees of its categories
    /// and departments (any when none are named), not found invalid, received in the
    /// `evaluationDays` before the task was made and in as many days from its acceptance.
    /// `.conflict` before acceptance.
    public func effect(_ caller: Caller, id: UUID) async throws -> RectificationEffect {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let task = try await Self.fetch(id: id, branches: caller.scope.branchIDs, connection)
            guard let acceptedAt = task.acceptedAt else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): its effect is evaluated once it is accepted")
            }
            let days = Double(task.evaluationDays) * 86_400
            let beforeFrom = task.createdAt.addingTimeInterval(-days), afterTo = acceptedAt.addingTimeInterval(days)
            let counts = try await connection.query("""
                SELECT count(*) FILTER (WHERE c.received_at >= \(beforeFrom) AND c.received_at < \(task.createdAt)),
                       count(*) FILTER (WHERE c.received_at >= \(acceptedAt) AND c.received_at < \(afterTo))
                  FROM complaints c
                 WHERE c.branch_id = \(task.branchID) AND c.nature <> 'invalid'
                   AND ((c.received_at >= \(beforeFrom) AND c.received_at < \(task.createdAt))
                        OR (c.received_at >= \(acceptedAt) AND c.received_at < \(afterTo)))
                   AND (cardinality(\(task.categoryIDs)::uuid[]) = 0 OR c.category_id = ANY (\(task.categoryIDs)))
                   AND (cardinality(\(task.evaluatedDepartmentIDs)::uuid[]) = 0 OR c.department_id = ANY (\(task.evaluatedDepartmentIDs)))
                """)[0]
            return RectificationEffect(createdAt: task.createdAt, acceptedAt: acceptedAt, periodDays: task.evaluationDays,
                                       before: try counts.decode(at: 0), after: try counts.decode(at: 1), final: Date() >= afterTo)
        }
    }

    /// Runs `step` on the task locked for change in the caller's own branch (granted branches are
    /// read-only), then reads it back. `.notFound` when the caller cannot see it, `.forbidden` when
    /// they see it but may not work on it.
    private func change(_ caller: Caller, id: UUID,
                        _ step: @escaping @Sendable (RectificationTask, PGConnection) async throws -> Void) async throws -> RectificationTask {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let seen = try await Self.fetch(id: id, branches: caller.scope.branchIDs, connection)
                guard seen.branchID == caller.branchID else { throw StoreError.forbidden }
                let works = (caller.roles.contains(.branchManager) && caller.scope.caseWriteBranchIDs.contains(seen.branchID))
                    || caller.scope.departmentIDs.contains(seen.departmentID) || caller.userID == seen.responsibleUserID
                guard works else { throw StoreError.forbidden }
                try await connection.execute("""
                    SELECT 1 FROM rectification_tasks WHERE branch_id = \(seen.branchID) AND id = \(id) FOR UPDATE
                    """)
                try await step(try await Self.fetch(id: id, branches: [seen.branchID], connection), connection)
                return try await Self.fetch(id: id, branches: [seen.branchID], connection)
            }
        }
    }
}
