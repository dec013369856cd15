import Foundation
import RedressCore
import RedressStore

/// A generated complaint with everything a report counts, and an independent computation of the
/// reports: plain Swift over the generated rows, using Foundation's calendar for local dates.
struct ModelComplaint {
    var branch: UUID
    var timeZone: String
    /// The branch's region; empty for none.
    var region: String
    var department: UUID?
    var collaborating: [UUID]
    var responsible: UUID?
    var category: String?
    var channel: String
    /// `external`, `internal` or `institutional`.
    var source: String = "external"
    var customerType: String = "individual"
    var level: Int?
    var nature: String
    var repeatOf: Bool
    var satisfaction: Int?
    var escalatedTiers: [Int]
    var receivedAt: Date
    /// Deadline and met time per milestone (nil when unmet).
    var deadlines: [SLAMilestone: Date]
    var met: [SLAMilestone: Date]
}

/// Who asks for a report, as the model understands scope: case-wide branches see every complaint
/// of those branches; department-scoped callers count their own departments' complaints only.
struct ModelScope {
    var branches: Set<UUID>
    var caseBranches: Set<UUID>
    var departments: Set<UUID>

    init(_ caller: Caller) {
        let scope = caller.scope
        branches = scope.branchIDs
        caseBranches = scope.caseBranchIDs
        departments = scope.departmentIDs
    }

    func counts(_ complaint: ModelComplaint) -> Bool {
        branches.contains(complaint.branch)
            && (caseBranches.contains(complaint.branch) || complaint.department.map(departments.contains) == true)
    }
}

enum ReportModel {
    /// The local calendar date of `date` in `timeZone`.
    static func localDate(_ date: Date, _ timeZone: String) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDate(parts.year!, parts.month!, parts.day!)
    }

    /// The group key of a complaint, as the report names it.
    static func key(_ complaint: ModelComplaint, _ grouping: ReportGrouping) -> String? {
        switch grouping {
        case .none: return nil
        case .branch: return complaint.branch.uuidString.lowercased()
        case .region: return complaint.region.isEmpty ? nil : complaint.region
        case .department: return complaint.department?.uuidString.lowercased()
        case .category: return complaint.category
        case .channel: return complaint.channel
        case .level: return complaint.level.map(String.init)
        case .responsible: return complaint.responsible?.uuidString.lowercased()
        case .source: return complaint.source
        case .customerType: return complaint.customerType
        }
    }

    /// PostgreSQL's `percentile_cont`: linear interpolation between the closest ranks.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// The counts of `complaints` (already selected).
    static func counts(_ complaints: [ModelComplaint]) -> ReportCounts {
        let scores = complaints.compactMap(\.satisfaction)
        var tiers: [String: Int] = [:]
        for complaint in complaints {
            for tier in complaint.escalatedTiers { tiers[String(tier), default: 0] += 1 }
        }
        let replies = complaints.compactMap { c in c.met[.initialReply].map { $0.timeIntervalSince(c.receivedAt) } }
        let results = complaints.compactMap { c in c.met[.result].map { $0.timeIntervalSince(c.receivedAt) } }
        let milestones = Dictionary(uniqueKeysWithValues: SLAMilestone.allCases.map { milestone in
            let withDeadline = complaints.filter { $0.deadlines[milestone] != nil }
            return (milestone.rawValue, ReportCounts.Milestone(
                due: withDeadline.filter { $0.met[milestone] != nil || $0.deadlines[milestone]! < Date() }.count,
                onTime: withDeadline.filter { c in c.met[milestone].map { $0 <= c.deadlines[milestone]! } ?? false }.count))
        })
        let average = scores.isEmpty ? nil : (Double(scores.reduce(0, +)) / Double(scores.count) * 10_000).rounded() / 10_000
        return ReportCounts(
            received: complaints.count, resolved: complaints.filter { $0.met[.result] != nil }.count,
            invalid: complaints.filter { $0.nature == "invalid" }.count,
            repeats: complaints.filter { $0.nature == "repeat" || $0.repeatOf }.count,
            escalated: complaints.filter { !$0.escalatedTiers.isEmpty }.count, surveyed: scores.count,
            satisfied: scores.filter { $0 >= 8 }.count, basicallySatisfied: scores.filter { (6...7).contains($0) }.count,
            dissatisfied: scores.filter { $0 <= 5 }.count, satisfactionAverage: average,
            firstReplyMedianSeconds: percentile(replies, 0.5), firstReplyP90Seconds: percentile(replies, 0.9),
            resolutionMedianSeconds: percentile(results, 0.5), resolutionP90Seconds: percentile(results, 0.9),
            milestones: milestones, escalationsByTier: tiers)
    }

    /// The whole report the model expects: totals and groups, each with both periods.
    static func report(_ all: [ModelComplaint], scope: ModelScope, period: ReportPeriod, grouping: ReportGrouping,
                       filter: ReportFilter) -> (totals: (ReportCounts, ReportCounts), groups: [String?: (ReportCounts, ReportCounts)],
                                                 top: [(String, Int, Int)]) {
        let selected = all.filter { complaint in
            scope.counts(complaint)
                && filter.branchId.map { $0 == complaint.branch } ?? true
                && filter.departmentId.map { $0 == complaint.department } ?? true
                && filter.category.map { $0 == complaint.category } ?? true
                && filter.channel.map { $0 == complaint.channel } ?? true
                && filter.level.map { $0 == complaint.level } ?? true
        }
        func inRange(_ complaint: ModelComplaint, _ from: LocalDate, _ to: LocalDate) -> Bool {
            let day = localDate(complaint.receivedAt, complaint.timeZone)
            return from <= day && day <= to
        }
        let current = selected.filter { inRange($0, period.from, period.to) }
        let previous = selected.filter { inRange($0, period.previousFrom, period.previousTo) }
        var groups: [String?: (ReportCounts, ReportCounts)] = [:]
        if grouping != .none {
            let keys = Set((current + previous).map { key($0, grouping) })
            for groupKey in keys {
                groups[groupKey] = (counts(current.filter { key($0, grouping) == groupKey }),
                                    counts(previous.filter { key($0, grouping) == groupKey }))
            }
        }
        let categories = Set(current.compactMap(\.category))
        let top = categories.map { code in
            (code, current.filter { $0.category == code }.count, previous.filter { $0.category == code }.count)
        }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }.prefix(5)
        return ((counts(current), counts(previous)), groups, Array(top))
    }
}
