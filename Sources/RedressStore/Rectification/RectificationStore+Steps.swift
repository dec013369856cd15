import Foundation
import Postgres
import RedressCore

/// The steps of a rectification task, each on its timeline; the database's `public.rectification_steps`
/// refuses any the caller may not take, whatever the service asks.
extension RectificationStore {
    /// Records progress on an open task: the share done and what was done. By the responsible
    /// person, a member of the responsible department or a branch manager.
    public func recordProgress(_ caller: Caller, id: UUID, percent: Int, note: String) async throws -> RectificationTask {
        try await change(caller, id: id) { task, connection in
            guard task.status == "open" else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): progress is recorded while the task is open")
            }
            try await connection.execute("""
                UPDATE rectification_tasks SET progress_percent = \(percent)::smallint, updated_at = now() WHERE id = \(id)
                """)
            try await Self.recordEvent("progress", id: id, caller: caller, after: ["progressPercent": .number(Double(percent))],
                                       note: note, connection)
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
                   SET status = 'submitted', acceptance_report = \(report), submitted_by = \(caller.userID), submitted_at = now(),
                       progress_percent = 100, updated_at = now()
                 WHERE id = \(id)
                """)
            try await Self.recordEvent("submitted", id: id, caller: caller, after: [:], note: report, connection)
        }
    }

    /// Accepts a submitted acceptance report, or sends it back to be worked on (the task is open
    /// again, and escalates if it is then overdue). By the head of the responsible department or a
    /// branch manager who is neither the responsible person nor the submitter.
    public func decide(_ caller: Caller, id: UUID, accept: Bool, reasoning: String) async throws -> RectificationTask {
        try await change(caller, id: id) { task, connection in
            guard task.status == "submitted" else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): only a submitted acceptance report is decided")
            }
            let decides = caller.roles.contains(.branchManager)
                || (caller.roles.contains(.departmentHead) && caller.scope.departmentIDs.contains(task.departmentID))
            guard decides, caller.userID != task.responsibleUserID, caller.userID != task.submittedBy else { throw StoreError.forbidden }
            if accept {
                try await connection.execute("""
                    UPDATE rectification_tasks SET status = 'accepted', accepted_by = \(caller.userID), accepted_at = now(), updated_at = now()
                     WHERE id = \(id)
                    """)
            } else {
                try await connection.execute("""
                    UPDATE rectification_tasks SET status = 'open', sent_back_count = sent_back_count + 1, updated_at = now()
                     WHERE id = \(id)
                    """)
                try await connection.execute("SELECT pg_notify('redress_deadlines', 'rectification:' || \(task.branchID)::text)")
            }
            try await Self.recordEvent(accept ? "accepted" : "sent_back", id: id, caller: caller, after: [:], note: reasoning, connection)
        }
    }

    /// The effect evaluation of an accepted task (`reports.rectification_effect`); `.conflict` before acceptance.
    public func effect(_ caller: Caller, id: UUID) async throws -> RectificationEffect {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let task = try await Self.fetch(id: id, connection)
            guard let row = try await connection.query("""
                SELECT * FROM reports.rectification_effect(\(task.branchID), \(id))
                """).first else {
                throw StoreError.conflict(field: "id", message: "is \(task.status): its effect is evaluated once it is accepted")
            }
            return RectificationEffect(acceptedAt: try row.decode(at: 0), periodDays: try row.decode(at: 1), before: try row.decode(at: 2),
                                       after: try row.decode(at: 3), final: try row.decode(at: 4))
        }
    }

    /// Runs `step` on the task locked for change in the caller's own branch (granted branches are
    /// read-only), then reads it back. `.notFound` when the caller cannot see it, `.forbidden` when
    /// they see it but may not work on it.
    private func change(_ caller: Caller, id: UUID,
                        _ step: @escaping @Sendable (RectificationTask, PGConnection) async throws -> Void) async throws -> RectificationTask {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let seen = try await Self.fetch(id: id, connection)
                guard seen.branchID == caller.branchID else { throw StoreError.forbidden }
                let works = (caller.roles.contains(.branchManager) && caller.scope.caseWriteBranchIDs.contains(seen.branchID))
                    || caller.scope.departmentIDs.contains(seen.departmentID) || caller.userID == seen.responsibleUserID
                guard works else { throw StoreError.forbidden }
                try await connection.execute("""
                    SELECT 1 FROM rectification_tasks WHERE branch_id = \(seen.branchID) AND id = \(id) FOR UPDATE
                    """)
                try await step(try await Self.fetch(id: id, connection), connection)
                return try await Self.fetch(id: id, connection)
            }
        }
    }
}
