import Foundation
import RedressCore

/// A branch: one tenant of the deployment.
public struct Branch: Sendable, Codable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var region: String
    /// IANA time zone, e.g. `Asia/Shanghai`.
    public var timeZone: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// A department of a branch.
public struct Department: Sendable, Codable, Equatable {
    public var id: UUID
    public var branchId: UUID
    public var name: String
    public var kind: DepartmentKind
    public var headUserId: UUID?
    /// False once the department stopped taking complaints: the routing rules pass it over, and
    /// its complaints are routed again when their next tier falls due.
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// A person (or bot) of a branch. Credentials are never part of it.
public struct User: Sendable, Codable, Equatable {
    public var id: UUID
    public var branchId: UUID
    public var login: String
    public var name: String
    public var position: String
    public var email: String?
    public var phone: String?
    public var roles: [Role]
    public var departmentIds: [UUID]
    public var active: Bool
    /// True while the person must replace a password somebody else chose before doing anything else.
    public var passwordChangeRequired: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// A bot's API key as listings show it: never the secret, only its first characters.
public struct APIKey: Sendable, Codable, Equatable {
    public var id: UUID
    public var branchId: UUID
    public var userId: UUID
    /// The channel an intake key takes complaints in on; nil for a bot's key.
    public var channel: String?
    public var name: String
    public var prefix: String
    public var createdBy: UUID?
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
}

/// A value to change in a partial update: leave it, set it, or (for optional fields) clear it.
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    /// Leave the stored value as it is.
    case unchanged
    /// Store this value (nil clears an optional field).
    case set(Value)

    /// The new value, when there is one.
    public var newValue: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    /// True when the field changes.
    public var isSet: Bool { newValue != nil }
}
