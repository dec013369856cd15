import RedressCore
import RedressStore

/// Who may read and who may add to what is attached to a complaint (communications, evidence,
/// findings, plans) and to its follow-ups.
enum CaseWorkAccess {
    /// Roles that read complaints: everyone else finds none.
    static let readers: Set<Role> = Role.caseWide.union(Role.departmentScoped)
    /// Roles that log communications and record evidence and findings.
    static let workers: Set<Role> = [.agent, .handler, .departmentHead, .branchManager]

    /// The caller when they read complaints; to anyone else a complaint's case work does not
    /// exist (404).
    static func reader() throws -> Caller {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: readers) else { throw Problem.notFound() }
        return caller
    }

    /// The caller when they add case work, else a 403 problem naming the handler role.
    static func worker() throws -> Caller {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: workers) else { throw Problem.forbidden(needing: .handler) }
        return caller
    }
}
