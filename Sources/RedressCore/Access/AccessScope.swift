import Foundation

/// The per-transaction settings every row-level security policy reads (see `sql/0002_scope.sql`).
/// Derived from a ``Caller`` by one pure rule, so the policies stay simple array tests.
public struct AccessScope: Sendable, Equatable {
    /// The caller's user id; nil means no caller (sees nothing).
    public var userID: UUID?
    /// The caller's roles.
    public var roles: Set<Role>
    /// Every branch the caller acts in.
    public var branchIDs: Set<UUID>
    /// Branches where the caller sees every department's rows.
    public var wideBranchIDs: Set<UUID>
    /// Branches where the caller sees every complaint.
    public var caseBranchIDs: Set<UUID>
    /// Branches where the caller takes in and changes any complaint (the home branch of agents
    /// and branch managers; never a granted branch).
    public var caseWriteBranchIDs: Set<UUID>
    /// Branches whose customers' personal data the caller sees unmasked (the home branch of roles
    /// that serve customers; never a granted branch). Enforced by the store, which decrypts.
    public var personalDataBranchIDs: Set<UUID>
    /// Departments whose rows the caller sees.
    public var departmentIDs: Set<UUID>
    /// Branches whose configuration the caller may change.
    public var adminBranchIDs: Set<UUID>
    /// The one complaint the transaction is confined to (a complainant acting with their access
    /// code, a reviewer deciding a review): every other complaint and its rows are hidden,
    /// whatever else the scope allows (the `one_complaint` policies, sql/0057). Nil for none.
    public var complaintID: UUID?
    /// The request being served, for audit entries (not an access rule).
    public var requestID: String?

    /// The empty scope: every policy matches nothing.
    public static let nobody = AccessScope(
        userID: nil, roles: [], branchIDs: [], wideBranchIDs: [], caseBranchIDs: [], caseWriteBranchIDs: [],
        personalDataBranchIDs: [], departmentIDs: [], adminBranchIDs: [])

    /// The scope of the service's own background work in one branch (recomputing deadlines after
    /// a policy change): every complaint of `branchID`, as nobody in particular.
    public static func system(branch branchID: UUID) -> AccessScope {
        AccessScope(userID: nil, roles: [], branchIDs: [branchID], wideBranchIDs: [branchID], caseBranchIDs: [branchID],
                    caseWriteBranchIDs: [branchID], personalDataBranchIDs: [], departmentIDs: [], adminBranchIDs: [])
    }

    /// The scope of a complainant acting on their own complaint with its access code, as the
    /// branch's `complainant` user (`userID`): that complaint alone, to read and to change.
    public static func complainant(userID: UUID, branch branchID: UUID, complaint complaintID: UUID,
                                   requestID: String?) -> AccessScope {
        var scope = AccessScope(userID: userID, roles: [], branchIDs: [branchID], wideBranchIDs: [branchID],
                                caseBranchIDs: [branchID], caseWriteBranchIDs: [branchID], departmentIDs: [], adminBranchIDs: [],
                                requestID: requestID)
        scope.complaintID = complaintID
        return scope
    }

    /// The scope of a channel's intake key, acting as its own `intake` user (`userID`): taking
    /// complaints in for `branchID`, as an agent of the branch would. The service lets the key do
    /// nothing else (`Authenticator`), so what the scope could read is never asked for.
    public static func intake(userID: UUID, branch branchID: UUID, requestID: String?) -> AccessScope {
        AccessScope(userID: userID, roles: [], branchIDs: [branchID], wideBranchIDs: [branchID], caseBranchIDs: [branchID],
                    caseWriteBranchIDs: [branchID], departmentIDs: [], adminBranchIDs: [], requestID: requestID)
    }

    /// This scope confined to one complaint of `branchID`, which it may then change as its own
    /// branch's agents may: a reviewer deciding a review reopens a complaint they only collaborate on.
    public func confined(to complaintID: UUID, writingIn branchID: UUID) -> AccessScope {
        var scope = self
        scope.caseBranchIDs.insert(branchID)
        scope.caseWriteBranchIDs.insert(branchID)
        scope.complaintID = complaintID
        return scope
    }

    /// Creates a scope from explicit sets (tests and operators); prefer ``init(caller:)``.
    public init(
        userID: UUID?, roles: Set<Role>, branchIDs: Set<UUID>, wideBranchIDs: Set<UUID>, caseBranchIDs: Set<UUID>,
        caseWriteBranchIDs: Set<UUID> = [], personalDataBranchIDs: Set<UUID> = [],
        departmentIDs: Set<UUID>, adminBranchIDs: Set<UUID>, requestID: String? = nil
    ) {
        self.userID = userID
        self.roles = roles
        self.branchIDs = branchIDs
        self.wideBranchIDs = wideBranchIDs
        self.caseBranchIDs = caseBranchIDs
        self.caseWriteBranchIDs = caseWriteBranchIDs
        self.personalDataBranchIDs = personalDataBranchIDs
        self.departmentIDs = departmentIDs
        self.adminBranchIDs = adminBranchIDs
        self.requestID = requestID
    }

    /// The scope of `caller`: the home branch always; granted branches for executives and
    /// auditors; every department of a branch for branch-wide roles; every complaint of a branch
    /// for agents, branch managers, executives and auditors (not admins); their own departments for
    /// handlers and department heads; configuration of the home branch for admins. A bot acts
    /// in its home branch but sees no department's rows. Granted branches are read-only and
    /// masked: writing and unmasked personal data stay in the home branch.
    public init(caller: Caller) {
        let roles = caller.roles
        let granted = roles.isDisjoint(with: Role.crossBranch) ? [] : caller.grantedBranchIDs
        var wide: Set<UUID> = []
        if !roles.isDisjoint(with: Role.branchWide) { wide.insert(caller.branchID) }
        wide.formUnion(granted)
        var cases: Set<UUID> = roles.isDisjoint(with: Role.caseWide) ? [] : [caller.branchID]
        cases.formUnion(granted)
        self.init(
            userID: caller.userID,
            roles: roles,
            branchIDs: granted.union([caller.branchID]),
            wideBranchIDs: wide,
            caseBranchIDs: cases,
            caseWriteBranchIDs: roles.isDisjoint(with: Role.caseWriting) ? [] : [caller.branchID],
            personalDataBranchIDs: PersonalDataMask.seesInFull(roles) ? [caller.branchID] : [],
            departmentIDs: roles.isDisjoint(with: Role.departmentScoped) ? [] : caller.departmentIDs,
            adminBranchIDs: roles.contains(.admin) ? [caller.branchID] : [],
            requestID: caller.requestID
        )
    }

    /// The settings as `(name, value)` pairs in PostgreSQL's text forms (arrays as `{…}`), sorted
    /// so the same scope always produces the same statement.
    public var settings: [(name: String, value: String)] {
        [
            ("redress.user_id", userID?.uuidString.lowercased() ?? ""),
            ("redress.roles", Self.arrayLiteral(roles.map(\.rawValue))),
            ("redress.branch_ids", Self.arrayLiteral(branchIDs.map { $0.uuidString.lowercased() })),
            ("redress.wide_branch_ids", Self.arrayLiteral(wideBranchIDs.map { $0.uuidString.lowercased() })),
            ("redress.department_ids", Self.arrayLiteral(departmentIDs.map { $0.uuidString.lowercased() })),
            ("redress.admin_branch_ids", Self.arrayLiteral(adminBranchIDs.map { $0.uuidString.lowercased() })),
            ("redress.case_branch_ids", Self.arrayLiteral(caseBranchIDs.map { $0.uuidString.lowercased() })),
            ("redress.case_write_branch_ids", Self.arrayLiteral(caseWriteBranchIDs.map { $0.uuidString.lowercased() })),
            ("redress.request_id", String((requestID ?? "").prefix(200))),
            ("redress.complaint_id", complaintID?.uuidString.lowercased() ?? ""),
        ]
    }

    /// Elements here are uuids and role names, which need no quoting inside an array literal.
    static func arrayLiteral(_ elements: [String]) -> String {
        "{" + elements.sorted().joined(separator: ",") + "}"
    }
}
