import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// The scheduler folds the log of complaints' changes into the report counts, as its own role,
/// one fold at a time, and the branch manager's report says the same before and after.
@Suite("Folding the report counts")
struct ReportCountsFolderTests {
    @Test func theSchedulerFoldsTheLogAndTheReportStaysTheSame() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let database = fixture.database
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            try await database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 6, age: 25 * 3600)
                try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(database.schedulerURL)).drain()
                let store = ReportStore(database: ScopedDatabase(pool: pool))
                let manager = fixture.org.caller(.branchManager, in: fixture.org.a)
                func report() async throws -> ComplaintReport {
                    try await store.complaints(manager, period: .containing(.month, nil), groupBy: .branch, filter: ReportFilter())
                }
                let before = try await report()
                // One fold at a time: while another holds the counts, a folder folds nothing and does not wait.
                let folder = ReportCountsFolder(pool: jobs)
                try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.withTransaction { connection in
                        _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext('reports.report_counts'))")
                        #expect(try await folder.fold() == 0)
                    }
                }
                #expect(try await folder.fold() > 0)
                #expect(try await folder.fold() == 0, "nothing is left to fold")
                let after = try await report()
                let counts = [before.totals.current, before.totals.previous]
                #expect(counts.map(\.received).reduce(0, +) == 6 && counts.map(\.escalated).reduce(0, +) > 0)
                #expect(before.totals == after.totals && before.groups == after.groups)
            }
        }
    }
}
