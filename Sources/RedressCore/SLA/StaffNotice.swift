import Foundation

/// Something that happened to a complaint that its department's head is told of, moments later
/// and once: the complaint was routed or handed to the department, reopened there after a
/// dissatisfied follow-up, or its complainant added a statement. The service (or, for a
/// statement, `progress.add_statement`) adds a notice when it happens; the scheduler raises it like
/// any other alarm of the complaint.
public enum StaffNotice: String, Sendable, Equatable, CaseIterable {
    case departmentRouted = "department_routed"
    case reopened
    case complainantStatement = "complainant_statement"

    /// The alarm key of one occurrence (`reopened:2`); `occurrence` tells occurrences apart.
    public func key(_ occurrence: String) -> String { "\(rawValue):\(occurrence)" }

    /// Whether `key` is a notice's: those are kept until raised when a complaint's deadlines are
    /// computed again, since nothing else would bring them back.
    public static func isNotice(_ key: String) -> Bool {
        allCases.contains { key.hasPrefix($0.rawValue + ":") }
    }
}
