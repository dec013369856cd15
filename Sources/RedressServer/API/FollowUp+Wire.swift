import Foundation
import RedressCore
import RedressStore

extension Components.Schemas.FollowUp {
    /// A follow-up with its complaint's case number and status now.
    init(_ followUp: RedressStore.FollowUp) throws {
        self.init(
            id: Wire.id(followUp.id), branchId: Wire.id(followUp.branchId), complaintId: Wire.id(followUp.complaintId),
            caseNumber: followUp.caseNumber, complaintStatus: try UnlistedValue.member(followUp.complaintStatus.rawValue, "complaintStatus"),
            departmentId: followUp.departmentId.map(Wire.id), kind: try UnlistedValue.member(followUp.kind, "kind"),
            dueAt: followUp.dueAt, status: try UnlistedValue.member(followUp.status, "status"), overdue: followUp.overdue,
            escalatedAt: followUp.escalatedAt, surveyId: followUp.surveyId.map(Wire.id), completedBy: followUp.completedBy.map(Wire.id),
            completedAt: followUp.completedAt, createdAt: followUp.createdAt)
    }
}
