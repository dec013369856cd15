import OpenAPIRuntime
import RedressStore

extension Components.Schemas.Page {
    init(_ page: PageStore.Page) throws {
        self.init(id: Wire.id(page.id), complaintId: Wire.id(page.complaintId), tier: page.tier, rung: page.rung,
                  recipientKind: page.recipientKind, recipientUserId: Wire.id(page.recipientUserId), late: page.late,
                  summary: try OpenAPIObjectContainer(page.summary), createdAt: page.createdAt, acknowledgedAt: page.acknowledgedAt,
                  deliveredAt: page.deliveredAt, acknowledgedBy: page.acknowledgedBy.map(Wire.id),
                  acknowledgedVia: page.acknowledgedVia.map(Wire.id), snoozedUntil: page.snoozedUntil,
                  handedTo: page.handedTo.map(Wire.id), handedAt: page.handedAt, handedFrom: page.handedFrom.map(Wire.id))
    }
}

extension Components.Schemas.Escalation {
    init(_ escalation: PageStore.Escalation) throws {
        self.init(id: Wire.id(escalation.id), complaintId: Wire.id(escalation.complaintId), caseNumber: escalation.caseNumber,
                  kind: try WireWord.read(escalation.kind), milestone: try escalation.milestone.map { try WireWord.read($0) },
                  planId: escalation.planId.map(Wire.id),
                  tier: escalation.tier, dueAt: escalation.dueAt, recordedAt: escalation.recordedAt, lateSeconds: escalation.lateSeconds,
                  departmentId: escalation.departmentId.map(Wire.id), followUpId: escalation.followUpId.map(Wire.id),
                  pages: escalation.pages.map { .init(userId: Wire.id($0.userId), kind: $0.kind, acknowledgedAt: $0.acknowledgedAt) })
    }
}
