import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// A report computed from the complaints themselves (by department, say, which the counts do not
/// keep) reads the complaints of its period and the one before, found by their time of receipt,
/// and not every complaint of the branch: under row-level security its scan's bounds must be
/// conditions the index can take (`sql/0083_…`).
@Suite("A report's scan")
struct ReportScanTests {
    @Test func aMonthlyReportByDepartmentReadsItsMonthsPagesNotTheBranchs() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let branch = org.a
        let pages: Int = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // A year of complaints as they come in, 40 a day, each with an account long enough that
            // a month's complaints fill pages of their own.
            _ = try await owner.query("""
                INSERT INTO complaints (branch_id, case_number, channel, description, department_id, received_at, status)
                SELECT \(branch.id), 'SCAN-' || g, 'phone', repeat('An account of what went wrong, at some length. ', 10),
                       (\(branch.departments)::uuid[])[1 + g % \(Int32(branch.departments.count))],
                       timestamptz '2025-01-01 00:00+08' + g * interval '36 minutes', 'investigating'
                  FROM generate_series(0, 14599) g
                """)
            _ = try await owner.query("ANALYZE complaints")
            return try await owner.query("SELECT relpages::integer FROM pg_class WHERE oid = 'public.complaints'::regclass")[0].decode(at: 0)
        }
        #expect(pages > 600, "the year fills \(pages) pages")
        let manager = org.caller(.branchManager, in: branch)
        let period = ReportPeriod(.month, containing: LocalDate(2025, 6, 15))
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let (report, fetched) = try await ScopedDatabase(pool: pool).withScope(manager.scope, readOnly: true) { connection in
                // Pages read by parallel workers would not be counted for this backend.
                _ = try await connection.query("SET LOCAL max_parallel_workers_per_gather = 0")
                let report = try await ReportStore.report(manager, period: .range(period), grouping: .department, filter: ReportFilter(),
                                                          counted: false, connection)
                // The table's pages this transaction asked for, whether cached or read.
                let fetched: Int = try await connection.query("""
                    SELECT pg_stat_get_xact_blocks_fetched('public.complaints'::regclass)::integer
                    """)[0].decode(at: 0)
                return (report, fetched)
            }
            #expect(report.totals.current.received == 1_200, "June's 30 days of 40 complaints")
            #expect(report.totals.previous.received == 1_240, "May's 31 days of 40 complaints")
            // June and May (and a day on either side) are a sixth of the year; a scan of the whole
            // branch fetches every page.
            #expect(fetched > pages / 10 && fetched < pages / 3, "fetched \(fetched) of the table's \(pages) pages")
        }
    }
}
