import Foundation
import RedressCore

/// KPI attainment month by month: for each row, every measure's target in force, actual figure and
/// whether it was met, over the complaints received in each month.
public struct KPIReport: Sendable, Equatable {
    /// One row's month.
    public struct Month: Sendable, Equatable {
        /// The month's first day.
        public var month: LocalDate
        public var received: Int
        /// Every measure, in ``KPIMeasure`` order.
        public var measures: [KPIAttainment]
        /// Measures met.
        public var met: Int { measures.filter { $0.met == true }.count }
        /// Measures with a target and an actual figure that missed it.
        public var missed: Int { measures.filter { $0.met == false }.count }
    }

    /// A branch's totals (no key), or one of its departments or responsible persons.
    public struct Row: Sendable, Equatable {
        public var branchID: UUID
        /// Whether this is the branch's totals (else a group, whose key is nil for complaints
        /// without a department or responsible person).
        public var total: Bool
        public var branchName: String?
        public var key: String?
        public var label: String?
        /// Oldest first; the last is the month asked for.
        public var months: [Month]
    }

    /// The last month, as its first day.
    public var month: LocalDate
    /// How many months each row has.
    public var months: Int
    public var grouping: KPIGrouping
    public var branchID: UUID?
    public var departmentID: UUID?
    public var rows: [Row]
}

extension KPIReport {
    /// Sets `figures` beside the targets in force: a row for each of `branches` (its totals, even
    /// without complaints) and for each group with complaints in any of the months; every month of
    /// every row, a month without complaints counting nothing. A department's row is measured
    /// against the department's targets; the other rows of a branch against those of the
    /// department `heldTo` names for it (the one the report is confined to, or the caller's only
    /// department there); each falls back on the branch's own.
    static func assemble(month last: LocalDate, months count: Int, grouping: KPIGrouping, branchID: UUID?, departmentID: UUID?,
                         branches: [(id: UUID, name: String)], heldTo: [UUID: UUID], figures: [KPIFigure],
                         targets: KPITargetBook) -> KPIReport {
        let monthDays = (0..<count).map { last.firstOfMonth(adding: $0 - count + 1) }
        func monthText(_ day: LocalDate) -> String { String(day.description.prefix(7)) }
        struct RowKey: Hashable {
            var branch: UUID
            var key: String?
        }
        var counted: [RowKey: [String: KPICounts]] = [:]
        var labels: [RowKey: String] = [:]
        var groupKeys: [UUID: [RowKey]] = [:]
        for figure in figures {
            let rowKey = RowKey(branch: figure.branchId, key: figure.total ? nil : figure.key)
            // Complaints without a department or responsible person form a group of their own.
            let groupKey = figure.total ? rowKey : RowKey(branch: figure.branchId, key: figure.key ?? "")
            if counted[groupKey] == nil, !figure.total { groupKeys[figure.branchId, default: []].append(groupKey) }
            counted[groupKey, default: [:]][figure.month] = figure.counts
            if let label = figure.label { labels[groupKey] = label }
        }
        let lastText = monthText(last)
        var rows: [Row] = []
        for branch in branches {
            let groups = (groupKeys[branch.id] ?? []).sorted { left, right in
                let l = counted[left]?[lastText]?.received ?? 0, r = counted[right]?[lastText]?.received ?? 0
                return (r, labels[left] ?? "", left.key ?? "") < (l, labels[right] ?? "", right.key ?? "")
            }
            for rowKey in [RowKey(branch: branch.id, key: nil)] + groups {
                let department = grouping == .department && rowKey.key != nil ? rowKey.key.flatMap(UUID.init(uuidString:)) : heldTo[branch.id]
                let rowMonths = monthDays.map { day in
                    let counts = counted[rowKey]?[monthText(day)] ?? .zero
                    return Month(month: day, received: counts.received, measures: KPIMeasure.allCases.map { measure in
                        KPIAttainment(measure, target: targets.target(measure, branch: branch.id, department: department, month: day)?.target,
                                      counts: counts)
                    })
                }
                rows.append(Row(branchID: branch.id, total: rowKey.key == nil, branchName: branch.name, key: rowKey.key.flatMap { $0.isEmpty ? nil : $0 },
                                label: labels[rowKey], months: rowMonths))
            }
        }
        return KPIReport(month: last, months: count, grouping: grouping, branchID: branchID, departmentID: departmentID, rows: rows)
    }
}
