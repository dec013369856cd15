import Foundation

/// Who is calling: a signed-in user or a bot holding an API key, as the database resolved their
/// credential. Every store operation takes the caller's ``AccessScope``, derived from this.
public struct Caller: Sendable, Equatable {
    /// How the caller proved who they are.
    public enum Credential: Sendable, Equatable {
        /// A session opened by signing in; revoked by signing out.
        case session(UUID)
        /// A bot API key.
        case apiKey(UUID)
        /// A complaint's access code, given by its complainant (the branch's `complainant` user).
        case accessCode(complaintID: UUID)
        /// A channel's intake key, which takes complaints in on `channel` and does nothing else.
        case intakeKey(UUID, channel: String)
    }

    /// The user (or bot) id.
    public var userID: UUID
    /// The caller's home branch.
    public var branchID: UUID
    /// The home branch's code, e.g. `north`.
    public var branchCode: String
    /// The caller's login name.
    public var login: String
    /// The caller's display name.
    public var name: String
    /// The caller's roles.
    public var roles: Set<Role>
    /// The departments the caller belongs to or heads.
    public var departmentIDs: Set<UUID>
    /// Other branches granted to the caller (only honoured for executives and auditors).
    public var grantedBranchIDs: Set<UUID>
    /// The credential used for this request.
    public var credential: Credential
    /// When the credential stops working; nil for API keys without expiry.
    public var expiresAt: Date?
    /// True while the caller must replace a password somebody else chose: until then they may only
    /// see who they are, change the password and sign out.
    public var passwordChangeRequired: Bool
    /// The request being served, named in audit entries; nil outside a request.
    public var requestID: String?

    /// Creates a caller.
    public init(
        userID: UUID, branchID: UUID, branchCode: String, login: String, name: String,
        roles: Set<Role>, departmentIDs: Set<UUID> = [], grantedBranchIDs: Set<UUID> = [],
        credential: Credential, expiresAt: Date? = nil, passwordChangeRequired: Bool = false
    ) {
        self.userID = userID
        self.branchID = branchID
        self.branchCode = branchCode
        self.login = login
        self.name = name
        self.roles = roles
        self.departmentIDs = departmentIDs
        self.grantedBranchIDs = grantedBranchIDs
        self.credential = credential
        self.expiresAt = expiresAt
        self.passwordChangeRequired = passwordChangeRequired
    }

    /// True when the caller holds `role`.
    public func has(_ role: Role) -> Bool { roles.contains(role) }

    /// What the database lets this caller see and change: for a complainant, their complaint alone.
    public var scope: AccessScope {
        if case .accessCode(let complaintID) = credential {
            return .complainant(userID: userID, branch: branchID, complaint: complaintID, requestID: requestID)
        }
        if case .intakeKey = credential {
            return .intake(userID: userID, branch: branchID, requestID: requestID)
        }
        return AccessScope(caller: self)
    }

    /// The roles the timeline names for what the caller did: `complainant` for a complainant.
    public var actorRoles: [String] {
        if case .accessCode = credential { return ["complainant"] }
        if case .intakeKey = credential { return ["intake"] }
        return roles.map(\.rawValue).sorted()
    }

    /// The complainant of a complaint, acting with its access code as the branch's `complainant` user.
    public static func complainant(userID: UUID, branchID: UUID, complaintID: UUID, requestID: String?) -> Caller {
        var caller = Caller(userID: userID, branchID: branchID, branchCode: "", login: "complainant.self-service",
                            name: "The complainant", roles: [], credential: .accessCode(complaintID: complaintID))
        caller.requestID = requestID
        return caller
    }
}
