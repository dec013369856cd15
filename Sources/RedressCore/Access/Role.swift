/// What a user may do and see; a user holds one or more roles. See the role table in README.md.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    /// Customer service: intake, classification, replies, routing and callbacks for the branch.
    case agent
    /// Works the complaints routed to their departments or assigned to them.
    case handler
    /// Heads departments: sees their complaints, assigns, approves plans, receives tier-1 pages.
    case departmentHead = "department_head"
    /// Sees the whole branch, approves major plans, receives tier-2 pages.
    case branchManager = "branch_manager"
    /// Sees every branch it is granted, receives tier-3 pages.
    case executive
    /// Reads everything in scope, including the audit log; changes nothing.
    case auditor
    /// An escalation bot: pages addressed to it and redacted summaries only.
    case bot
    /// Configures its branch: departments, users, roles, bot keys.
    case admin

    /// Roles that see every department's rows in their branches.
    public static let branchWide: Set<Role> = [.agent, .branchManager, .executive, .auditor, .admin]
    /// Roles that see every complaint of their branches (admins see configuration, not complaints).
    public static let caseWide: Set<Role> = [.agent, .branchManager, .executive, .auditor]
    /// Roles that see the rows of their own departments only.
    public static let departmentScoped: Set<Role> = [.handler, .departmentHead]
    /// Roles that take in and change any complaint of their home branch (never a granted one).
    public static let caseWriting: Set<Role> = [.agent, .branchManager]
    /// Roles whose HQ grants extend their (read-only) scope to other branches. People holding
    /// them, or any grant, are managed by operators, never by a branch admin.
    public static let crossBranch: Set<Role> = [.executive, .auditor]

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
