import Foundation
import RedressCore
import RedressStore

extension Components.Schemas.Communication {
    /// An entry of the communications log.
    init(_ entry: RedressStore.Communication) {
        self.init(id: Wire.id(entry.id), complaintId: Wire.id(entry.complaintId), at: entry.at, direction: entry.direction,
                  channel: entry.channel, kind: entry.kind, content: entry.content, recordedBy: entry.recordedBy.map(Wire.id))
    }
}

extension Components.Schemas.Evidence {
    /// A piece of evidence, without its content.
    init(_ evidence: RedressStore.Evidence) {
        self.init(id: Wire.id(evidence.id), complaintId: Wire.id(evidence.complaintId), _type: evidence.type, source: evidence.source,
                  description: evidence.description, collectedAt: evidence.collectedAt, collectedBy: evidence.collectedBy,
                  contentType: evidence.contentType, size: evidence.size, sha256: evidence.sha256,
                  recordedBy: Wire.id(evidence.recordedBy), recordedAt: evidence.recordedAt)
    }
}

extension Components.Schemas.Finding {
    /// A responsibility finding.
    init(_ finding: RedressStore.Finding) {
        self.init(id: Wire.id(finding.id), complaintId: Wire.id(finding.complaintId), basis: finding.basis,
                  directParties: finding.directParties, indirectParties: finding.indirectParties, summary: finding.summary,
                  accountability: finding.accountability, recordedBy: Wire.id(finding.recordedBy), recordedAt: finding.recordedAt)
    }
}

extension Components.Schemas.Plan {
    /// A handling plan with its approval chain; its amount as the number it was stored as.
    init(_ plan: RedressStore.Plan) throws {
        self.init(
            id: Wire.id(plan.id), complaintId: Wire.id(plan.complaintId), measures: plan.measures, description: plan.description,
            compensationAmount: plan.compensationAmount.flatMap { Double("\($0)") }, currency: plan.currency,
            responsibleDepartmentId: plan.responsibleDepartmentId.map(Wire.id), responsibleUserId: plan.responsibleUserId.map(Wire.id),
            dueAt: plan.dueAt, regulatorFilingRequired: plan.regulatorFilingRequired, regulatorReference: plan.regulatorReference,
            status: try UnlistedValue.member(plan.status, "status"), proposedBy: Wire.id(plan.proposedBy), proposedAt: plan.proposedAt,
            headApprovedBy: plan.headApprovedBy.map(Wire.id), headApprovedAt: plan.headApprovedAt,
            leadershipApprovedBy: plan.leadershipApprovedBy.map(Wire.id), leadershipApprovedAt: plan.leadershipApprovedAt,
            rejectedBy: plan.rejectedBy.map(Wire.id), rejectedAt: plan.rejectedAt, rejectionReason: plan.rejectionReason)
    }
}
