import Foundation
import RedressCore
import RedressStore

/// Reports and complaint lists as CSV tables, one row per group (totals first) or complaint.
enum ReportCSV {
    /// The report: each group's figures for the period, the previous period's counts, and the change.
    static func table(_ report: ComplaintReport) -> CSVTable {
        let tiers = Set(([report.totals] + report.groups).flatMap { $0.current.escalationsByTier.keys })
            .union(["1", "2", "3"]).sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
        var header = ["group", "key", "label", "period_from", "period_to", "received", "open", "resolved", "resolution_rate",
                      "invalid", "repeats", "repeat_rate", "escalated"]
        header += tiers.map { "escalated_tier_\($0)" }
        header += SLAMilestone.allCases.flatMap { ["\($0.rawValue)_due", "\($0.rawValue)_on_time", "\($0.rawValue)_on_time_rate"] }
        header += ["first_reply_median_hours", "first_reply_p90_hours", "resolution_median_hours", "resolution_p90_hours",
                   "surveyed", "satisfaction_average", "satisfied", "basically_satisfied", "dissatisfied", "satisfaction_rate",
                   "previous_received", "previous_resolved", "previous_resolution_rate", "change_received", "change_received_relative",
                   "change_resolution_rate", "change_result_on_time_rate", "change_satisfaction_average"]
        var table = CSVTable(header: header)
        func hours(_ seconds: Double?) -> CSVTable.Cell { .decimal(seconds.map { $0 / 3600 }, places: 2) }
        func rate(_ value: Double?) -> CSVTable.Cell { .decimal(value, places: 4) }
        for (group, row) in [("total", report.totals)] + report.groups.map({ (report.groupBy.rawValue, $0) }) {
            let now = row.current
            var cells: [CSVTable.Cell] = [.text(group), .text(row.key), .text(row.label), .text(report.period.from.description),
                                          .text(report.period.to.description), .integer(now.received), .integer(now.open),
                                          .integer(now.resolved), rate(now.resolutionRate), .integer(now.invalid), .integer(now.repeats),
                                          rate(now.repeatRate), .integer(now.escalated)]
            cells += tiers.map { .integer(now.escalationsByTier[$0] ?? 0) }
            for milestone in SLAMilestone.allCases {
                let figures = now.milestones[milestone.rawValue]
                cells += [.integer(figures?.due ?? 0), .integer(figures?.onTime ?? 0), rate(figures?.rate)]
            }
            cells += [hours(now.firstReplyMedianSeconds), hours(now.firstReplyP90Seconds), hours(now.resolutionMedianSeconds),
                      hours(now.resolutionP90Seconds), .integer(now.surveyed), .decimal(now.satisfactionAverage, places: 2),
                      .integer(now.satisfied), .integer(now.basicallySatisfied), .integer(now.dissatisfied), rate(now.satisfactionRate),
                      .integer(row.previous.received), .integer(row.previous.resolved), rate(row.previous.resolutionRate),
                      .integer(row.change.received), rate(row.change.receivedRelative), rate(row.change.resolutionRate),
                      rate(row.change.resultOnTimeRate), .decimal(row.change.satisfactionAverage, places: 2)]
            table.append(cells)
        }
        return table
    }

    /// The complaints, one per row, times in UTC (ISO 8601).
    static func table(_ complaints: [ComplaintExportRow]) -> CSVTable {
        var table = CSVTable(header: ["case_number", "received_at", "channel", "source", "customer_type", "category", "level", "nature",
                                      "priority", "status", "department", "responsible_user_id", "due_at", "closed_at", "reopen_count",
                                      "satisfaction"])
        let format = ISO8601DateFormatter()
        for complaint in complaints {
            table.append([.text(complaint.caseNumber), .text(format.string(from: complaint.receivedAt)), .text(complaint.channel),
                          .text(complaint.source), .text(complaint.customerType), .text(complaint.category), .integer(complaint.level),
                          .text(complaint.nature), .text(complaint.priority), .text(complaint.status.rawValue), .text(complaint.department),
                          .text(complaint.responsibleUserId?.uuidString.lowercased()), .text(complaint.dueAt.map(format.string(from:))),
                          .text(complaint.closedAt.map(format.string(from:))), .integer(complaint.reopenCount),
                          .integer(complaint.satisfaction)])
        }
        return table
    }
}
