import Foundation
import Postgres
import RedressCore

/// A change of how an open complaint is classified and graded (re-grading, re-categorising).
public struct Classification: Sendable, Equatable {
    public var categoryID: FieldUpdate<UUID?> = .unchanged
    public var level: FieldUpdate<Int?> = .unchanged
    /// general or major.
    public var nature: FieldUpdate<String> = .unchanged
    public var priority: FieldUpdate<String> = .unchanged

    /// No change yet.
    public init() {}
}

extension ComplaintStore {
    /// Re-classifies an open complaint, routing it when it has no department yet, and writes a
    /// `classified` timeline entry with the values before and after. A closed complaint must be
    /// reopened first (a 409 naming its status and allowed steps).
    public func reclassify(_ caller: Caller, id: UUID, _ change: Classification, note: String?) async throws -> Complaint {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let before = try await lockForChange(id, changingVisibility: true, connection)
                guard before.status.isOpen else {
                    throw StoreError.lifecycle(.notAllowed(current: before.status, allowed: before.allowedActions))
                }
                var after = before
                if case .set(let category) = change.categoryID { after.categoryId = category }
                if case .set(let level) = change.level { after.level = level }
                if case .set(let nature) = change.nature { after.nature = nature }
                if case .set(let priority) = change.priority { after.priority = priority }
                if after.departmentId == nil {
                    after.departmentId = try await route(branchID: before.branchId, categoryID: after.categoryId, channel: after.channel,
                                                         level: after.level, product: after.product, connection)
                }
                let stored = try await save(after, closing: false, connection)
                if CaseVisibility.changed(from: before, to: stored) {
                    try await CaseVisibility.follow(branchID: stored.branchId, complaintID: stored.id, connection)
                }
                let saved = try await Self.refreshSchedule(branchID: stored.branchId, complaintID: stored.id, connection)
                let (old, new) = Self.changes(from: before, to: saved)
                try await connection.execute("""
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, before, after, note,
                                                  \(unescaped: CaseVisibility.columns))
                    VALUES (\(saved.branchId), \(saved.id), \(caller.userID), \(caller.actorRoles),
                            'classified', \(PGJSON(old)), \(PGJSON(new)), \(note),
                            \(saved.departmentId), \(saved.collaboratingDepartmentIds), \(saved.responsibleUserId))
                    """)
                if before.departmentId != saved.departmentId {
                    try await connection.execute("""
                        INSERT INTO complaint_handovers (branch_id, complaint_id, to_department_id, by_user_id, reason,
                                                         \(unescaped: CaseVisibility.columns))
                        VALUES (\(saved.branchId), \(saved.id), \(saved.departmentId), \(caller.userID), 'routing rule at classification',
                                \(saved.departmentId), \(saved.collaboratingDepartmentIds), \(saved.responsibleUserId))
                        """)
                }
                return revealed(saved, to: caller.scope)
            }
        }
    }
}
