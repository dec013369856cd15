import RedressCore

/// The complaint role sets under the name the hand-routed follow-up, page, case-work and report
/// routes read them by; ``ComplaintAccess`` holds them.
enum ComplaintRoutes {
    /// Roles that take complaints in: ``ComplaintAccess/intakeRoles``.
    static let intakeRoles = ComplaintAccess.intakeRoles
    /// Roles that read complaints: ``ComplaintAccess/readerRoles``.
    static let readerRoles = ComplaintAccess.readerRoles
}
