import RedressCore

/// Which roles take complaints in and which read them: the complaint operations apply these, and
/// so do the areas that show complaints' work (follow-ups, pages, case work, reports).
enum ComplaintAccess {
    /// Roles that take complaints in and re-classify them.
    static let intakeRoles: Set<Role> = [.agent, .handler, .departmentHead, .branchManager]
    /// Roles that read complaints (bots get redacted summaries through their own API).
    static let readerRoles: Set<Role> = Role.caseWide.union(Role.departmentScoped)

    /// The caller when they hold one of `roles`; otherwise `refusal` is thrown.
    static func caller(among roles: Set<Role>, else refusal: @autoclosure () -> Problem) throws -> Caller {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: roles) else { throw refusal() }
        return caller
    }
}
