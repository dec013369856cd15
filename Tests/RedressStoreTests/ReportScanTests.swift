import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// A report computed from the complaints themselves (by department, say, which the counts do not
/// keep) reads the complaints of its period and the one before, found by their time of receipt,
/// and not every complaint of the branch: under row-level security its scan's bounds must be
/// conditions the index can take (`sql/0083_…`). It reads them from the index alone, which carries
/// every column the report and the visibility policy read (`sql/0084_…`), once they are vacuumed.
@Suite("A report's scan")
struct ReportScanTests {
    @Test func aMonthlyReportByDepartmentReadsItsMonthsFromTheIndexNotTheBranch() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let branch = org.a
        let (pages, indexPages): (Int, Int) = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // Committed durably, so that the vacuum below may mark the pages all-visible (the test
            // cluster commits asynchronously, and a vacuum leaves a page whose rows' commit is not
            // yet flushed as it is).
            _ = try await owner.query("SET synchronous_commit = on")
            // A year of complaints as they come in, 40 a day, each with an account long enough that
            // a month's complaints fill pages of their own.
            _ = try await owner.query("""
                INSERT INTO complaints (branch_id, case_number, channel, description, department_id, received_at, status)
                SELECT \(branch.id), 'SCAN-' || g, 'phone', repeat('An account of what went wrong, at some length. ', 10),
                       (\(branch.departments)::uuid[])[1 + g % \(Int32(branch.departments.count))],
                       timestamptz '2025-01-01 00:00+08' + g * interval '36 minutes', 'investigating'
                  FROM generate_series(0, 14599) g
                """)
            // Vacuumed, as a past month is: every page all-visible, so the index alone answers. A
            // vacuum leaves a page it cannot lock at once as it is, so it runs again until none is left.
            var sizes: (pages: Int, visible: Int, index: Int) = (0, -1, 0)
            for _ in 1...5 where sizes.visible != sizes.pages {
                _ = try await owner.query("VACUUM (ANALYZE) complaints")
                let row = try await owner.query("""
                    SELECT t.relpages::integer, t.relallvisible::integer, i.relpages::integer
                      FROM pg_class t, pg_class i
                     WHERE t.oid = 'public.complaints'::regclass AND i.oid = 'public.complaints_received'::regclass
                    """)[0]
                sizes = (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2))
            }
            let (pages, visible, indexPages) = sizes
            #expect(visible == pages, "\(visible) of \(pages) pages all-visible after the vacuum")
            return (pages, indexPages)
        }
        #expect(pages > 600 && indexPages > 100, "the year fills \(pages) pages, and \(indexPages) of the index")
        let manager = org.caller(.branchManager, in: branch)
        let period = ReportPeriod(.month, containing: LocalDate(2025, 6, 15))
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let (report, fetched) = try await ScopedDatabase(pool: pool).withScope(manager.scope, readOnly: true) { connection in
                // Pages read by parallel workers would not be counted for this backend.
                _ = try await connection.query("SET LOCAL max_parallel_workers_per_gather = 0")
                let report = try await ReportStore.report(manager, period: .range(period), grouping: .department, filter: ReportFilter(),
                                                          counted: false, connection)
                // The pages of the table and of the index this transaction asked for, whether cached or read.
                let fetched = try await connection.query("""
                    SELECT pg_stat_get_xact_blocks_fetched('public.complaints'::regclass)::integer,
                           pg_stat_get_xact_blocks_fetched('public.complaints_received'::regclass)::integer
                    """)[0]
                return (report, (table: try fetched.decode(Int.self, at: 0), index: try fetched.decode(Int.self, at: 1)))
            }
            #expect(report.totals.current.received == 1_200, "June's 30 days of 40 complaints")
            #expect(report.totals.previous.received == 1_240, "May's 31 days of 40 complaints")
            // June and May (and a day on either side) are a sixth of the year; a scan of the whole
            // branch fetches every page of the index.
            #expect(fetched.index > indexPages / 10 && fetched.index < indexPages / 3,
                    "fetched \(fetched.index) of the index's \(indexPages) pages")
            // Read from the table, the months' 2,440 complaints would fetch some 250 of its pages.
            #expect(fetched.table < 20, "fetched \(fetched.table) of the table's \(pages) pages")
        }
    }
}
