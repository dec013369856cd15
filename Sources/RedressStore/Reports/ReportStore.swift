import Foundation
import Postgres
import RedressCore

/// Reports over complaints (`sql/0014_reports.sql`), computed by PostgreSQL under the caller's
/// row-level security, and their exports, which are recorded in the audit trail.
public struct ReportStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// The report of `period`, grouped by `grouping`, over what `caller` may see and `filter` selects.
    public func complaints(_ caller: Caller, period: ReportPeriodChoice, groupBy grouping: ReportGrouping,
                           filter: ReportFilter) async throws -> ComplaintReport {
        try await StoreError.translating {
            // A report may be a little stale: the read replica serves it while its lag is within bounds.
            try await database.readingStale { reading in
                try await Self.computed(caller, period: period, grouping: grouping, filter: filter, on: reading)
            }
        }
    }

    /// The same report for export: computed as a report is (on the read replica while its lag is
    /// within bounds), then recorded as an export in the audit trail of each branch it covers, on
    /// the primary, before it is handed over: a report whose export cannot be recorded is not
    /// exported.
    public func exportComplaints(_ caller: Caller, period: ReportPeriodChoice, groupBy grouping: ReportGrouping,
                                 filter: ReportFilter, format: String) async throws -> ComplaintReport {
        try await StoreError.translating {
            let report = try await database.readingStale { reading in
                try await Self.computed(caller, period: period, grouping: grouping, filter: filter, on: reading)
            }
            let details = ["report": "complaints", "format": format, "groupBy": grouping.rawValue,
                           "from": report.period.from.description, "to": report.period.to.description,
                           "rows": String(report.groups.count)]
            try await database.withScope(caller.scope) { connection in
                for branch in Self.branches(caller, filter) {
                    try await AuditStore.recordAccess(connection, branchID: branch, action: "export", entity: "reports", entityID: nil,
                                                      details: details)
                }
            }
            return report
        }
    }

    /// The report computed in one read-only transaction on `database`.
    static func computed(_ caller: Caller, period: ReportPeriodChoice, grouping: ReportGrouping, filter: ReportFilter,
                         on database: ScopedDatabase) async throws -> ComplaintReport {
        let counted = try await !database.hasCitus()
        return try await database.withScope(caller.scope, readOnly: true, isolation: .repeatableRead) { connection in
            try await Self.report(caller, period: period, grouping: grouping, filter: filter, counted: counted, connection)
        }
    }

    /// The branches an export of `filter` may cover: the one it names, else every branch of the caller.
    static func branches(_ caller: Caller, _ filter: ReportFilter) -> [UUID] {
        let all = caller.scope.branchIDs
        if let only = filter.branchId { return all.contains(only) ? [only] : [] }
        return all.sorted { $0.uuidString < $1.uuidString }
    }

    /// The report; from the counts kept as complaints change where it can be (`counted`, off on
    /// Citus: ``ReportCountsRead``), else from every complaint of the period.
    static func report(_ caller: Caller, period choice: ReportPeriodChoice, grouping: ReportGrouping, filter: ReportFilter,
                       counted: Bool, _ connection: PGConnection) async throws -> ComplaintReport {
        let period: ReportPeriod
        switch choice {
        case .range(let range):
            period = range
        case .containing(let kind, let date):
            let anchor: LocalDate
            if let date { anchor = date } else { anchor = try await today(in: caller.branchID, connection) }
            period = ReportPeriod(kind, containing: anchor)
        }
        if counted, let branches = ReportCountsRead.branches(caller, period: period, grouping: grouping, filter: filter),
           let computed = try await ReportCountsRead(branches: branches, period: period, grouping: grouping, connection: connection).read() {
            return try await finish(computed.report(period: period, grouping: grouping, filter: filter), caller, connection,
                                    messages: computed.messages)
        }
        let rows = try await connection.query("""
            SELECT reports.complaints(\(period.from.description)::date, \(period.to.description)::date,
                                      \(period.previousFrom.description)::date, \(grouping.rawValue), \(filter.branchId)::uuid,
                                      \(filter.departmentId)::uuid, \(filter.category)::text, \(filter.channel)::text,
                                      \(filter.level.map(Int16.init))::smallint)
            """)
        let computed = try rows[0].decode(PGJSON<ComputedReport>.self, at: 0).value
        return try await finish(computed.report(period: period, grouping: grouping, filter: filter), caller, connection)
    }

    /// Adds the period's messages (`counted` when read from their counts), reviews and rates to a
    /// report's figures.
    static func finish(_ report: ComplaintReport, _ caller: Caller, _ connection: PGConnection,
                       messages counted: [ComplaintReport.MessageDelivery]? = nil) async throws -> ComplaintReport {
        var report = report
        let period = report.period, filter = report.filter
        if let counted {
            report.messages = counted
        } else {
            report.messages = try await messages(caller, period: period, filter: filter, connection)
        }
        report.reviews = try await reviews(caller, period: period, filter: filter, connection)
        report.rates = try await rates(caller, report, connection)
        return report
    }

    /// Today's date in the time zone of `branch`.
    static func today(in branch: UUID, _ connection: PGConnection) async throws -> LocalDate {
        let rows = try await connection.query("""
            SELECT to_char(now() AT TIME ZONE coalesce((SELECT time_zone FROM branches WHERE id = \(branch)), 'UTC'), 'YYYY-MM-DD')
            """)
        guard let date = LocalDate(try rows[0].decode(String.self, at: 0)) else { throw StoreError.notFound }
        return date
    }
}

/// The document `reports.complaints` returns.
struct ComputedReport: Codable {
    struct Row: Codable {
        var period: String
        var total: Bool
        var key: String?
        var label: String?
        var figures: ReportCounts
    }

    var rows: [Row]
    var topCategories: [ComplaintReport.HotSpot]
    /// The period's messages when read from their counts (``ReportCountsRead``); the full
    /// computation leaves them to ``ReportStore/messages``.
    var messages: [ComplaintReport.MessageDelivery]? = nil

    /// Pairs each group's periods (a group missing from a period counted nothing in it).
    func report(period: ReportPeriod, grouping: ReportGrouping, filter: ReportFilter) -> ComplaintReport {
        func counts(_ total: Bool, _ key: String?, _ period: String) -> ReportCounts {
            rows.first { $0.total == total && $0.key == key && $0.period == period }?.figures ?? .zero
        }
        let totals = ComplaintReport.Row(key: nil, label: nil, current: counts(true, nil, "current"), previous: counts(true, nil, "previous"))
        var groups: [ComplaintReport.Row] = []
        if grouping != .none {
            var seen: [String?] = []
            for row in rows where !row.total && !seen.contains(row.key) {
                seen.append(row.key)
                groups.append(.init(key: row.key, label: row.label, current: counts(false, row.key, "current"),
                                    previous: counts(false, row.key, "previous")))
            }
            groups.sort { ($1.current.received, $0.key ?? "") < ($0.current.received, $1.key ?? "") }
        }
        return ComplaintReport(period: period, groupBy: grouping, filter: filter, totals: totals, groups: groups,
                               topCategories: topCategories)
    }
}
