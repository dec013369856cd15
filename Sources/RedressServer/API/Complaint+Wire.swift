import Foundation
import OpenAPIRuntime
import RedressAPI
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
            priority: try UnlistedValue.member(complaint.priority, "priority"),
            repeatOf: complaint.repeatOf.map(Wire.id), departmentId: complaint.departmentId.map(Wire.id),
            collaboratingDepartmentIds: complaint.collaboratingDepartmentIds.map(Wire.id),
            responsibleUserId: complaint.responsibleUserId.map(Wire.id),
            status: try UnlistedValue.member(complaint.status.rawValue, "status"),
            reopenCount: complaint.reopenCount, satisfaction: complaint.satisfaction, resolution: complaint.resolution,
            closedAt: complaint.closedAt, createdBy: complaint.createdBy.map(Wire.id), createdAt: complaint.createdAt,
            updatedAt: complaint.updatedAt, promisedBy: complaint.promisedBy, dueAt: complaint.dueAt,
            sla: try complaint.sla.map(Self.freeform), nextEscalationTier: complaint.nextEscalationTier,
            nextEscalationAt: complaint.nextEscalationAt,
            allowedActions: try complaint.allowedActions.map { try UnlistedValue.member($0.rawValue, "allowedActions") })
    }

    /// The SLA explanation as the free-form object the contract describes, its dates spelled as
    /// the API spells them.
    private static func freeform(_ explanation: SLAExplanation) throws -> OpenAPIObjectContainer {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try MillisecondDateTranscoder().encode(date))
        }
        return try JSONDecoder().decode(OpenAPIObjectContainer.self, from: try encoder.encode(explanation))
    }
}

extension Components.Schemas.Complainant {
    /// Who complained, in full or masked as the store revealed it.
    init(_ complainant: RedressStore.Complaint.Complainant) throws {
        self.init(name: complainant.name, phone: complainant.phone, email: complainant.email, address: complainant.address,
                  idNumber: complainant.idNumber, customerType: try UnlistedValue.member(complainant.customerType, "customerType"),
                  customerRef: complainant.customerRef)
    }
}
