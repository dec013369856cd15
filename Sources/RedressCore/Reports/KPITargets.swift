import Foundation

/// A target set on a measure for a branch, or one of its departments, from a month on: it holds
/// until a later target of the same measure, branch and department.
public struct KPITarget: Sendable, Equatable, Codable {
    public var id: UUID
    public var branchID: UUID
    /// Nil for the branch's own target.
    public var departmentID: UUID?
    public var measure: KPIMeasure
    public var target: Double
    /// The first day of the month from which it holds.
    public var from: LocalDate
    public var setBy: UUID
    public var setAt: Date

    /// Creates a target.
    public init(id: UUID, branchID: UUID, departmentID: UUID?, measure: KPIMeasure, target: Double, from: LocalDate, setBy: UUID,
                setAt: Date) {
        self.id = id
        self.branchID = branchID
        self.departmentID = departmentID
        self.measure = measure
        self.target = target
        self.from = from
        self.setBy = setBy
        self.setAt = setAt
    }
}

/// The targets of some branches, answering which one holds for a measure, a branch or department,
/// and a month.
public struct KPITargetBook: Sendable {
    private struct Key: Hashable {
        var branchID: UUID
        var departmentID: UUID?
        var measure: KPIMeasure
    }

    /// Each key's targets, latest month first.
    private let targets: [Key: [KPITarget]]

    /// Files `targets`.
    public init(_ targets: [KPITarget]) {
        self.targets = Dictionary(grouping: targets) { Key(branchID: $0.branchID, departmentID: $0.departmentID, measure: $0.measure) }
            .mapValues { $0.sorted { $0.from > $1.from } }
    }

    /// The target of `measure` in force in the month of `month`: the department's own when it has
    /// one in force, else the branch's; nil when neither has set one by then.
    public func target(_ measure: KPIMeasure, branch: UUID, department: UUID?, month: LocalDate) -> KPITarget? {
        let first = month.firstOfMonth()
        func inForce(_ department: UUID?) -> KPITarget? {
            targets[Key(branchID: branch, departmentID: department, measure: measure)]?.first { $0.from <= first }
        }
        if let department, let own = inForce(department) { return own }
        return inForce(nil)
    }
}
