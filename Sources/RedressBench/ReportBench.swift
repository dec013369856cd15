import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressCore
import RedressStore

/// `redress-bench reports`: the latency of the monthly branch report.
///
/// Over `--complaints` complaints in 20 branches (a year of them, so a branch's month holds about
/// 1/240 of the table), each branch's manager asks for a month's report through the store, as the
/// API does: totals, by department and by category, cycling over branches and months. Reported
/// are p50, p99 and the maximum, and the same for the floor: one indexed `count(*)` of the same
/// branch and months as the owner (no RLS, no figures), to put the report's cost in proportion.
/// The executive's report over all 20 branches is measured too, beside the same report's figures
/// computed from every complaint of its months (`reports.complaints`, what the counts replace),
/// and the KPI report's 12-month trend (`KPIStore.report`) of a branch and of all 20, the latter
/// beside the same trend's figures from every complaint (`reports.kpi_figures`).
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reports", abstract: "Monthly branch report latency.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Complaints in the database.")
    var complaints = 1_000_000

    @Option(help: "Reports measured per kind.")
    var requests = 300

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: 2)
        try await ReportBenchData(owner: owner).prepare(total: complaints)
        let zoned = try await owner.query("SELECT id, time_zone FROM branches WHERE code LIKE 'rep-%' ORDER BY code").map {
            (id: try $0.decode(UUID.self, at: 0), timeZone: try $0.decode(String.self, at: 1))
        }
        let branches = zoned.map(\.id)
        let store = ReportStore(database: ScopedDatabase(pool: service))
        let months = (0..<12).map { LocalDate(2025, 11, 1).firstOfMonth(adding: $0) }
        func manager(_ branch: UUID) -> Caller {
            Caller(userID: UUID(), branchID: branch, branchCode: "rep", login: "manager", name: "Manager", roles: [.branchManager],
                   credential: .session(UUID()))
        }
        let executive = Caller(userID: UUID(), branchID: branches[0], branchCode: "rep", login: "executive", name: "Executive",
                               roles: [.executive], grantedBranchIDs: Set(branches.dropFirst()), credential: .session(UUID()))

        let sample = try await store.complaints(manager(branches[0]), period: .containing(.month, months[10]), groupBy: .department,
                                                filter: ReportFilter())
        print("one branch-month: \(sample.totals.current.received) complaints received, \(sample.totals.previous.received) the month before, "
              + "\(sample.groups.count) departments")
        let kept = try await owner.query("""
            SELECT count(*)::integer, count(*) FILTER (WHERE detail = 3)::integer, pg_total_relation_size('report_counts')::bigint
              FROM report_counts
            """)[0]
        print("counts kept: \(try kept.decode(Int.self, at: 0)) rows, \(try kept.decode(Int.self, at: 1)) of them results by day of "
              + "receipt and days to the result; \(try kept.decode(Int.self, at: 2) / 1_048_576) MiB with their indexes")
        print("kind                                           p50 ms   p99 ms   max ms")
        var floor = LatencySamples()
        for index in 0..<requests {
            let period = ReportPeriod(.month, containing: months[index % 12])
            let branch = zoned[index % zoned.count]
            _ = try await floor.measure {
                // The period's local days in the branch's time zone, as the report takes them.
                try await owner.query("""
                    SELECT count(*) FROM complaints WHERE branch_id = \(branch.id)
                       AND received_at >= \(period.previousFrom.description)::date::timestamp AT TIME ZONE \(branch.timeZone)
                       AND received_at < (\(period.to.description)::date + 1)::timestamp AT TIME ZONE \(branch.timeZone)
                    """)
            }
        }
        Self.row("floor: indexed count of the same rows", floor)
        for grouping in [ReportGrouping.none, .department, .category] {
            var samples = LatencySamples()
            for index in 0..<requests {
                let caller = manager(branches[index % branches.count])
                _ = try await samples.measure {
                    try await store.complaints(caller, period: .containing(.month, months[(index * 7) % 12]), groupBy: grouping,
                                               filter: ReportFilter())
                }
            }
            Self.row("monthly branch report, by \(grouping.rawValue)", samples, floor: floor)
        }
        var wide = LatencySamples()
        for index in 0..<max(10, requests / 10) {
            _ = try await wide.measure {
                try await store.complaints(executive, period: .containing(.month, months[index % 12]), groupBy: .branch, filter: ReportFilter())
            }
        }
        Self.row("monthly report of all 20 branches", wide, floor: floor)
        // The same report computed from every complaint of its months (as before the counts, and
        // as on Citus), for comparison.
        var everyComplaint = LatencySamples()
        let scoped = ScopedDatabase(pool: service)
        for index in 0..<10 {
            let period = ReportPeriod(.month, containing: months[index % 12])
            _ = try await everyComplaint.measure {
                try await scoped.withScope(executive.scope, readOnly: true) { connection in
                    try await connection.query("""
                        SELECT length(reports.complaints(\(period.from.description)::date, \(period.to.description)::date,
                                                         \(period.previousFrom.description)::date, 'branch', NULL::uuid, NULL::uuid,
                                                         NULL::text, NULL::text, NULL::smallint)::text)
                        """)
                }
            }
        }
        Self.row("  its figures from every complaint instead", everyComplaint, floor: floor)
        let kpis = KPIStore(database: ScopedDatabase(pool: service))
        for grouping in [KPIGrouping.none, .department] {
            var trend = LatencySamples()
            for index in 0..<max(10, requests / 5) {
                let caller = manager(branches[index % branches.count])
                _ = try await trend.measure {
                    try await kpis.report(caller, month: months[11], months: 12, grouping: grouping, branchID: nil, departmentID: nil)
                }
            }
            Self.row("12-month KPI trend of a branch, \(grouping.rawValue)", trend, floor: floor)
        }
        var wideTrend = LatencySamples()
        for _ in 0..<max(20, requests / 5) {
            _ = try await wideTrend.measure {
                try await kpis.report(executive, month: months[11], months: 12, grouping: .none, branchID: nil, departmentID: nil)
            }
        }
        Self.row("12-month KPI trend of all 20 branches", wideTrend, floor: floor)
        // The same trend's figures from every complaint of its months (as on Citus, or for a
        // caller who sees only their departments), for comparison.
        var wideTrendFromComplaints = LatencySamples()
        for _ in 0..<5 {
            _ = try await wideTrendFromComplaints.measure {
                try await scoped.withScope(executive.scope, readOnly: true) { connection in
                    try await connection.query("""
                        SELECT length(reports.kpi_figures(\(months[0].description)::date, \(months[11].description)::date, 'none',
                                                          NULL::uuid, NULL::uuid)::text)
                        """)
                }
            }
        }
        Self.row("  its figures from every complaint instead", wideTrendFromComplaints, floor: floor)
        await owner.shutdown()
        await service.shutdown()
    }

    static func row(_ kind: String, _ samples: LatencySamples, floor: LatencySamples? = nil) {
        var line = kind.padding(toLength: 46, withPad: " ", startingAt: 0)
            + String(format: " %7.1f  %7.1f  %7.1f", samples.percentile(0.5), samples.percentile(0.99), samples.milliseconds.max() ?? 0)
        if let floor { line += String(format: "   p50 %.1f× the floor", samples.percentile(0.5) / max(floor.percentile(0.5), 0.001)) }
        Swift.print(line)
    }
}
