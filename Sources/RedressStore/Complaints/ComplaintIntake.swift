import Foundation
import RedressCore

/// Everything recorded when a complaint comes in.
public struct ComplaintIntake: Sendable, Equatable {
    public var channel: String
    public var source: String
    public var complainant: Complaint.Complainant
    public var occurredAt: Date?
    /// When the complaint reached the company; now when not given.
    public var receivedAt: Date?
    public var product: String?
    public var party: String?
    public var location: String?
    public var description: String
    public var desiredOutcome: String?
    public var categoryID: UUID?
    public var level: Int?
    /// general or major at intake (repeat is detected, invalid is a lifecycle step).
    public var nature: String
    public var priority: String
    /// A matter of someone's safety: an emergency, paged at intake like an urgent complaint.
    public var safety: Bool

    /// Creates an intake record.
    public init(channel: String, source: String = "external", complainant: Complaint.Complainant,
                occurredAt: Date? = nil, receivedAt: Date? = nil, product: String? = nil, party: String? = nil,
                location: String? = nil, description: String, desiredOutcome: String? = nil,
                categoryID: UUID? = nil, level: Int? = nil, nature: String = "general", priority: String = "general",
                safety: Bool = false) {
        self.channel = channel
        self.source = source
        self.complainant = complainant
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.product = product
        self.party = party
        self.location = location
        self.description = description
        self.desiredOutcome = desiredOutcome
        self.categoryID = categoryID
        self.level = level
        self.nature = nature
        self.priority = priority
        self.safety = safety
    }
}
