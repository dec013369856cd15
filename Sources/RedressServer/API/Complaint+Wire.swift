import Foundation
import RedressCore
import RedressStore

/// A stored value the contract's vocabulary does not list: a server fault, answered 500 and logged.
struct UnlistedValue: Error, CustomStringConvertible {
    let field: String
    let value: String

    var description: String { "\(field) holds \(value), which openapi.yaml does not list" }

    /// The member of the generated enumeration `Member` spelled `value`.
    static func member<Member: RawRepresentable>(_ value: String, _ field: String) throws -> Member where Member.RawValue == String {
        guard let member = Member(rawValue: value) else { throw UnlistedValue(field: field, value: value) }
        return member
    }
}

extension Components.Schemas.Complaint {
    /// `complaint` as the API writes it, its complainant as the store revealed it to the caller.
    init(_ complaint: RedressStore.Complaint) throws {
        self.init(
            id: Wire.id(complaint.id), branchId: Wire.id(complaint.branchId), caseNumber: complaint.caseNumber,
            channel: complaint.channel, source: complaint.source, complainant: try .init(complaint.complainant),
            occurredAt: complaint.occurredAt, receivedAt: complaint.receivedAt, product: complaint.product, party: complaint.party,
            location: complaint.location, description: complaint.description, desiredOutcome: complaint.desiredOutcome,
            categoryId: complaint.categoryId.map(Wire.id), level: complaint.level,
            nature: try UnlistedValue.member(complaint.nature, "nature"),
            priority: try UnlistedValue.member(complaint.priority, "priority"), safety: complaint.safety,
            repeatOf: complaint.repeatOf.map(Wire.id), departmentId: complaint.departmentId.map(Wire.id),
            collaboratingDepartmentIds: complaint.collaboratingDepartmentIds.map(Wire.id),
            responsibleUserId: complaint.responsibleUserId.map(Wire.id),
            status: try UnlistedValue.member(complaint.status.rawValue, "status"),
            pausedFrom: try complaint.pausedFrom.map { try UnlistedValue.member($0.rawValue, "pausedFrom") },
            reopenCount: complaint.reopenCount, satisfaction: complaint.satisfaction, resolution: complaint.resolution,
            closedAt: complaint.closedAt, createdBy: complaint.createdBy.map(Wire.id), createdAt: complaint.createdAt,
            updatedAt: complaint.updatedAt, promisedBy: complaint.promisedBy, dueAt: complaint.dueAt,
            sla: try complaint.sla.map(Components.Schemas.SLAExplanation.init),
            nextEscalationTier: complaint.nextEscalationTier, nextEscalationAt: complaint.nextEscalationAt,
            escalatedTiers: complaint.escalatedTiers,
            allowedActions: try complaint.allowedActions.map { try UnlistedValue.member($0.rawValue, "allowedActions") })
    }
}

extension Components.Schemas.Complainant {
    /// Who complained, in full or masked as the store revealed it.
    init(_ complainant: RedressStore.Complaint.Complainant) throws {
        self.init(name: complainant.name, phone: complainant.phone, email: complainant.email, address: complainant.address,
                  idNumber: complainant.idNumber, customerType: try UnlistedValue.member(complainant.customerType, "customerType"),
                  customerRef: complainant.customerRef, language: try UnlistedValue.member(complainant.language.rawValue, "language"),
                  preferredChannel: try complainant.preferredChannel.map { try UnlistedValue.member($0, "preferredChannel") })
    }
}

extension Components.Schemas.ComplaintPage {
    /// One page of a complaint listing.
    init(_ page: Page<RedressStore.Complaint>) throws {
        self.init(items: try page.items.map(Components.Schemas.Complaint.init), nextCursor: page.nextCursor)
    }
}

extension Components.Schemas.SLAExplanation {
    /// How the complaint's deadlines were worked out.
    init(_ explanation: RedressCore.SLAExplanation) throws {
        self.init(policyId: Wire.id(explanation.policyId), policyName: explanation.policyName,
                  counting: try UnlistedValue.member(explanation.counting.rawValue, "sla/counting"), timeZone: explanation.timeZone,
                  milestones: .init(additionalProperties: try explanation.milestones.mapValues(Components.Schemas.SLADeadline.init)),
                  tiers: .init(additionalProperties: try explanation.tiers.mapValues(Components.Schemas.SLADeadline.init)),
                  completed: explanation.completed,
                  additionalDeadlines: try explanation.additionalDeadlines.map {
                      .init(additionalProperties: try $0.mapValues(Components.Schemas.SLADeadline.init))
                  })
    }
}

extension Components.Schemas.SLADeadline {
    /// One deadline with the pauses that moved it.
    init(_ deadline: RedressCore.SLADeadline) throws {
        self.init(at: deadline.at, targetSeconds: deadline.targetSeconds,
                  counting: try UnlistedValue.member(deadline.counting.rawValue, "sla/counting"), timeZone: deadline.timeZone,
                  from: deadline.from,
                  pauses: deadline.pauses.map { .init(start: $0.start, end: $0.end, countedSeconds: $0.countedSeconds) },
                  limit: try deadline.limit.map(Components.Schemas.SLALimit.init))
    }
}

extension Components.Schemas.Event {
    /// One entry of a complaint's timeline.
    init(_ event: ComplaintEvent) {
        self.init(id: event.id, at: event.at, actorId: event.actorId.map(Wire.id), actorRoles: event.actorRoles, kind: event.kind,
                  before: event.before.map { .init(additionalProperties: $0) }, after: event.after.map { .init(additionalProperties: $0) },
                  note: event.note)
    }
}

extension Components.Schemas.Handover {
    /// One hand-over of responsibility.
    init(_ handover: RedressStore.Handover) {
        self.init(id: Wire.id(handover.id), at: handover.at, fromDepartmentId: handover.fromDepartmentId.map(Wire.id),
                  toDepartmentId: handover.toDepartmentId.map(Wire.id), fromUserId: handover.fromUserId.map(Wire.id),
                  toUserId: handover.toUserId.map(Wire.id), byUserId: handover.byUserId.map(Wire.id), reason: handover.reason)
    }
}
