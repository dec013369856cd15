import Foundation

/// An entry of a complaint's communications log.
public struct Communication: Sendable, Codable, Equatable {
    public var id: UUID
    public var complaintId: UUID
    public var at: Date
    /// inbound, outbound or internal.
    public var direction: String
    public var channel: String
    /// confirmation, initial_reply, progress_update, result_feedback, follow_up, note, or statement
    /// (the complainant's own, added with their access code).
    public var kind: String
    public var content: String
    /// Who of the staff recorded it; nil for the complainant's own statement.
    public var recordedBy: UUID?
}

/// A piece of evidence. Its content is stored once, with its SHA-256, and never changes.
public struct Evidence: Sendable, Codable, Equatable {
    public var id: UUID
    public var complaintId: UUID
    /// documentary, electronic, physical or witness.
    public var type: String
    public var source: String
    public var description: String?
    public var collectedAt: Date
    public var collectedBy: String
    public var contentType: String?
    /// Bytes of content, up to 1 MiB.
    public var size: Int
    /// Hex SHA-256 of the content.
    public var sha256: String
    public var recordedBy: UUID
    public var recordedAt: Date
}

/// A responsibility finding.
public struct Finding: Sendable, Codable, Equatable {
    public var id: UUID
    public var complaintId: UUID
    /// fault, strict_liability or causation.
    public var basis: String
    public var directParties: [String]
    public var indirectParties: [String]
    public var summary: String
    public var accountability: String?
    public var recordedBy: UUID
    public var recordedAt: Date
}

/// A handling plan with its approval chain.
public struct Plan: Sendable, Codable, Equatable {
    public var id: UUID
    public var complaintId: UUID
    public var measures: [String]
    public var description: String
    public var compensationAmount: Decimal?
    public var currency: String?
    public var responsibleDepartmentId: UUID?
    public var responsibleUserId: UUID?
    public var dueAt: Date?
    public var regulatorFilingRequired: Bool
    public var regulatorReference: String?
    /// proposed, head_approved, approved or rejected.
    public var status: String
    public var proposedBy: UUID
    public var proposedAt: Date
    public var headApprovedBy: UUID?
    public var headApprovedAt: Date?
    public var leadershipApprovedBy: UUID?
    public var leadershipApprovedAt: Date?
    public var rejectedBy: UUID?
    public var rejectedAt: Date?
    public var rejectionReason: String?
}

/// What a new plan says.
public struct NewPlan: Sendable, Equatable {
    public var measures: [String]
    public var description: String
    public var compensationAmount: Decimal?
    public var currency: String?
    public var responsibleDepartmentID: UUID?
    public var responsibleUserID: UUID?
    public var dueAt: Date?
    public var regulatorFilingRequired: Bool

    /// Creates a plan description.
    public init(measures: [String], description: String, compensationAmount: Decimal? = nil, currency: String? = nil,
                responsibleDepartmentID: UUID? = nil, responsibleUserID: UUID? = nil, dueAt: Date? = nil,
                regulatorFilingRequired: Bool = false) {
        self.measures = measures
        self.description = description
        self.compensationAmount = compensationAmount
        self.currency = currency
        self.responsibleDepartmentID = responsibleDepartmentID
        self.responsibleUserID = responsibleUserID
        self.dueAt = dueAt
        self.regulatorFilingRequired = regulatorFilingRequired
    }
}

/// A satisfaction survey result.
public struct Survey: Sendable, Codable, Equatable {
    /// phone, sms, email, visit or online_questionnaire.
    public var method: String
    public var attitude: Int?
    public var efficiency: Int?
    public var outcome: Int?
    public var comments: String?

    /// Creates a survey result (the overall score travels with the step).
    public init(method: String, attitude: Int? = nil, efficiency: Int? = nil, outcome: Int? = nil, comments: String? = nil) {
        self.method = method
        self.attitude = attitude
        self.efficiency = efficiency
        self.outcome = outcome
        self.comments = comments
    }
}
