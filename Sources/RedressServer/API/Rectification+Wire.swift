import Foundation
import OpenAPIRuntime
import RedressStore

extension Components.Schemas.Rectification {
    /// A rectification task as the API shows it.
    init(_ task: RectificationTask) throws {
        self.init(id: Wire.id(task.id), branchId: Wire.id(task.branchID), title: task.title, problem: task.problem,
                  measures: task.measures.map { .init(description: $0.description, target: $0.target) },
                  acceptanceCriteria: task.acceptanceCriteria, departmentId: Wire.id(task.departmentID),
                  responsibleUserId: Wire.id(task.responsibleUserID), dueAt: task.dueAt, complaintIds: task.complaintIDs.map(Wire.id),
                  categoryIds: task.categoryIDs.map(Wire.id), evaluatedDepartmentIds: task.evaluatedDepartmentIDs.map(Wire.id),
                  evaluationDays: task.evaluationDays, status: try UnlistedValue.member(task.status, "status"),
                  progressPercent: task.progressPercent, overdue: task.overdue, createdBy: Wire.id(task.createdBy),
                  createdAt: task.createdAt, acceptanceReport: task.acceptanceReport, submittedBy: task.submittedBy.map(Wire.id),
                  submittedAt: task.submittedAt, sentBackCount: task.sentBackCount, acceptedBy: task.acceptedBy.map(Wire.id),
                  acceptedAt: task.acceptedAt, escalatedAt: task.escalatedAt)
    }
}

extension Components.Schemas.RectificationEvent {
    /// An entry of a task's timeline.
    init(_ event: RectificationEvent) throws {
        self.init(id: Wire.id(event.id), at: event.at, kind: try UnlistedValue.member(event.kind, "kind"),
                  actorId: event.actorID.map(Wire.id), note: event.note, after: try OpenAPIObjectContainer(event.after))
    }
}
