import Foundation
import RedressCore

/// A complaint as the API shows it.
public struct Complaint: Sendable, Codable, Equatable {
    /// Who complained. Shown in full to the roles that handle complaints.
    public struct Complainant: Sendable, Codable, Equatable {
        public var name: String?
        public var phone: String?
        public var email: String?
        public var address: String?
        /// An identity document's number.
        public var idNumber: String?
        /// individual, enterprise, government, public_institution or social_organisation.
        public var customerType: String
        /// The customer's account or reference, used to recognise repeat complaints.
        public var customerRef: String?
        /// The language the complainant is written to in.
        public var language: ComplainantLanguage = .simplifiedChinese
        /// How the complainant wants to be told: sms, email, push or online (they look it up).
        public var preferredChannel: String?

        /// Creates a complainant.
        public init(name: String? = nil, phone: String? = nil, email: String? = nil, address: String? = nil, idNumber: String? = nil,
                    customerType: String = "individual", customerRef: String? = nil,
                    language: ComplainantLanguage = .simplifiedChinese, preferredChannel: String? = nil) {
            self.name = name
            self.phone = phone
            self.email = email
            self.address = address
            self.idNumber = idNumber
            self.customerType = customerType
            self.customerRef = customerRef
            self.language = language
            self.preferredChannel = preferredChannel
        }
    }

    public var id: UUID
    public var branchId: UUID
    /// Human-readable, unique within the branch: `NORTH-20261123-000042`.
    public var caseNumber: String
    public var channel: String
    public var source: String
    public var complainant: Complainant
    public var occurredAt: Date?
    public var receivedAt: Date
    public var product: String?
    public var party: String?
    public var location: String?
    public var description: String
    public var desiredOutcome: String?
    public var categoryId: UUID?
    public var level: Int?
    public var nature: String
    public var priority: String
    /// A matter of someone's safety (with urgent priority, an emergency: paged at intake).
    public var safety: Bool = false
    /// The earlier complaint this one repeats.
    public var repeatOf: UUID?
    public var departmentId: UUID?
    public var collaboratingDepartmentIds: [UUID]
    public var responsibleUserId: UUID?
    public var status: ComplaintStatus
    public var pausedFrom: ComplaintStatus?
    public var reopenCount: Int
    public var satisfaction: Int?
    public var resolution: String?
    public var closedAt: Date?
    public var createdBy: UUID?
    public var createdAt: Date
    public var updatedAt: Date
    /// The result time promised to the customer with the initial reply.
    public var promisedBy: Date?
    /// The next due time (the nearest deadline not met); lists sort by it.
    public var dueAt: Date?
    /// Every SLA deadline with its explanation (policy, counting, calendar, pauses).
    public var sla: SLAExplanation?
    /// The next escalation tier and when it is due, while the complaint is unresolved.
    public var nextEscalationTier: Int?
    public var nextEscalationAt: Date?
    /// The escalation tiers already fired, lowest first; read by listings and the single view, nil elsewhere.
    public var escalatedTiers: [Int]? = nil
    /// The lifecycle steps possible from here.
    public var allowedActions: [ComplaintAction]
    /// The complainant's personal data as stored, until the store reveals it to the caller.
    var sealedComplainant: SealedPersonalData? = nil

    enum CodingKeys: String, CodingKey {
        case id, branchId, caseNumber, channel, source, complainant, occurredAt, receivedAt, product, party, location, description,
             desiredOutcome, categoryId, level, nature, priority, safety, repeatOf, departmentId, collaboratingDepartmentIds,
             responsibleUserId, status, pausedFrom, reopenCount, satisfaction, resolution, closedAt, createdBy, createdAt, updatedAt,
             promisedBy, dueAt, sla, nextEscalationTier, nextEscalationAt, escalatedTiers, allowedActions
    }

    /// The lifecycle's view of this complaint.
    public var lifecycle: ComplaintLifecycle.State {
        ComplaintLifecycle.State(status: status, pausedFrom: pausedFrom,
                                 needsLeadershipApproval: level == 1 || nature == "major", reopenCount: reopenCount)
    }
}

/// A hand-over of responsibility: from, to, by whom, when and why.
public struct Handover: Sendable, Codable, Equatable {
    public var id: UUID
    public var at: Date
    public var fromDepartmentId: UUID?
    public var toDepartmentId: UUID?
    public var fromUserId: UUID?
    public var toUserId: UUID?
    public var byUserId: UUID?
    public var reason: String?
}

/// One entry of a complaint's timeline.
public struct ComplaintEvent: Sendable, Codable, Equatable {
    public var id: Int
    public var at: Date
    public var actorId: UUID?
    public var actorRoles: [String]
    /// `received`, a lifecycle action (`grade`, `assign`, …) or `classified`.
    public var kind: String
    public var before: [String: String?]?
    public var after: [String: String?]?
    public var note: String?
}

extension Complaint.Complainant {
    /// The channel to tell a complainant on when they named none: SMS with a phone number, else
    /// email with an address, else online (they look their case up).
    public var defaultChannel: String {
        phone != nil ? "sms" : email != nil ? "email" : "online"
    }
}
