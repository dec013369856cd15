import Foundation

/// A branch's rule for choosing the responsible department: a category and, optionally, a
/// channel, level and product. Lower positions are tried first.
public struct RoutingRule: Sendable, Equatable, Codable {
    public var id: UUID
    public var position: Int
    public var categoryID: UUID
    public var channel: String?
    public var level: Int?
    public var product: String?
    public var departmentID: UUID

    /// Creates a rule.
    public init(id: UUID = UUID(), position: Int, categoryID: UUID, channel: String? = nil, level: Int? = nil,
                product: String? = nil, departmentID: UUID) {
        self.id = id
        self.position = position
        self.categoryID = categoryID
        self.channel = channel
        self.level = level
        self.product = product
        self.departmentID = departmentID
    }

    /// True when every condition the rule sets holds for the complaint.
    public func matches(_ facts: RoutingFacts) -> Bool {
        categoryID == facts.categoryID
            && (channel == nil || channel == facts.channel)
            && (level == nil || level == facts.level)
            && (product == nil || product?.lowercased() == facts.product?.lowercased())
    }

    /// How many optional conditions the rule sets; more specific rules win ties of position.
    var specificity: Int { [channel != nil, level != nil, product != nil].filter { $0 }.count }
}

/// What routing looks at.
public struct RoutingFacts: Sendable, Equatable {
    public var categoryID: UUID
    public var channel: String
    public var level: Int?
    public var product: String?

    /// Creates the facts of a complaint.
    public init(categoryID: UUID, channel: String, level: Int? = nil, product: String? = nil) {
        self.categoryID = categoryID
        self.channel = channel
        self.level = level
        self.product = product
    }
}

/// Chooses the responsible department from a branch's rules.
public enum Routing {
    /// The department of the first matching rule by position (then the most specific), or nil
    /// when none matches and the complaint stays with customer service, unrouted.
    public static func department(for facts: RoutingFacts, rules: [RoutingRule]) -> UUID? {
        rules.filter { $0.matches(facts) }
            .min { ($0.position, -$0.specificity, $0.id.uuidString) < ($1.position, -$1.specificity, $1.id.uuidString) }?
            .departmentID
    }
}
