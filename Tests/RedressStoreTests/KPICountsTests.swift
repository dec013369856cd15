import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// The KPI trend over whole branches read from the counts (`reports.kpi_figures_counted`,
/// `sql/0075_…`) against the full computation over every complaint (`reports.kpi_figures`), on
/// generated data changed at random between comparisons (``ReportCountsTests/change``), under
/// calendars with holidays and make-up days changed after the counts were kept, a branch without
/// a calendar, results given before receipt and before the trend's first month, a branch moving to
/// a time zone whose clocks go back at 01:00 (a month beginning at a midnight that comes twice),
/// and the log folded at some rounds and not at others. Every figure must be equal, the handling
/// days' average and 90th percentile to the last bit.
@Suite("KPI trends from the counts kept as complaints change, against the full computation")
struct KPICountsTests {
    /// Trends of several lengths, some reaching into months not yet over.
    static let windows: [(first: String, last: String)] = [("2026-01-01", "2026-12-01"), ("2026-05-01", "2026-08-01"),
                                                           ("2026-09-01", "2026-10-01"), ("2026-11-01", "2026-12-01"),
                                                           ("2025-12-01", "2027-01-01")]

    /// The counted trend, the full one, and the counted one of the caller's own branch, read in one
    /// transaction (one snapshot, one `now()`), as the store reads a report.
    static func trends(_ window: (first: String, last: String), _ caller: Caller, _ database: ScopedDatabase) async throws
        -> (counted: [KPIFigure], full: [KPIFigure], own: [KPIFigure]) {
        try await database.withScope(caller.scope, readOnly: true, isolation: .repeatableRead) { connection in
            let rows = try await connection.query("""
                SELECT reports.kpi_figures_counted(\(window.first)::date, \(window.last)::date, NULL::uuid),
                       reports.kpi_figures(\(window.first)::date, \(window.last)::date, 'none', NULL::uuid, NULL::uuid),
                       reports.kpi_figures_counted(\(window.first)::date, \(window.last)::date, \(caller.branchID))
                """)
            return (try rows[0].decode(PGJSON<[KPIFigure]>.self, at: 0).value, try rows[0].decode(PGJSON<[KPIFigure]>.self, at: 1).value,
                    try rows[0].decode(PGJSON<[KPIFigure]>.self, at: 2).value)
        }
    }

    @Test func countedTrendsMatchTheFullComputationAfterRandomChanges() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 160)
        let org = fixture.org
        var random = SeededGenerator(state: 20_261_206)
        let callers = [org.caller(.executive, in: org.a), org.caller(.branchManager, in: org.b), org.caller(.branchManager, in: org.c),
                       org.caller(.departmentHead, in: org.a)]
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
                let database = ScopedDatabase(pool: pool)
                var compared = 0, handled = 0, pendingRounds = 0
                for round in 0..<5 {
                    if round > 0 {
                        try await owner.withConnection { connection in try await ReportCountsTests.change(connection, org, round: round, &random) }
                    }
                    // Calendars change under kept counts: holidays and make-up days, a day off more or less.
                    let holidays = (0..<12).map { _ in LocalDate(2026, Int.random(in: 1...12, using: &random), Int.random(in: 1...28, using: &random)) }
                    let makeUps = (0..<3).map { _ in LocalDate(2026, Int.random(in: 1...12, using: &random), Int.random(in: 1...28, using: &random)) }
                    let branch = org.branches[round % org.branches.count]
                    _ = try await owner.withConnection { connection in
                        try await connection.execute("""
                            UPDATE branch_calendars SET holidays = \(holidays.map(\.description))::date[],
                                                        make_up_days = \(makeUps.map(\.description))::date[]
                             WHERE branch_id = \(branch.id)
                            """)
                    }
                    if round == 1 {
                        // Results given before receipt, one of them before the month of receipt (and a trend's first month).
                        try await owner.withConnection { connection in
                            try await connection.execute("""
                                UPDATE complaints SET received_at = timestamp '2026-05-01 10:00' AT TIME ZONE b.time_zone,
                                                      result_met_at = timestamp '2026-04-29 09:00' AT TIME ZONE b.time_zone
                                  FROM branches b
                                 WHERE b.id = complaints.branch_id
                                   AND complaints.id = (SELECT id FROM complaints WHERE branch_id = \(org.a.id) ORDER BY id LIMIT 1)
                                """)
                            try await connection.execute("""
                                UPDATE complaints SET result_met_at = received_at - interval '50 hours'
                                 WHERE id IN (SELECT id FROM complaints WHERE branch_id = \(org.b.id) AND result_met_at IS NOT NULL
                                               ORDER BY id LIMIT 5)
                                """)
                        }
                    }
                    if round == 2 {
                        // The branch moves to Havana, whose clocks went back from 01:00 to midnight on 1 November 2026, and
                        // takes a complaint in during the first of its two midnight hours: received in November. Until the
                        // scheduler counts the branch again, its trend reads every complaint.
                        _ = try await database.withScope(org.caller(.admin, in: org.c).scope) { connection in
                            try await connection.query("SELECT count(*) FROM public.change_branch(\(org.c.id), NULL, NULL, 'America/Havana')")
                        }
                        _ = try await owner.withConnection { connection in
                            try await connection.execute("""
                                UPDATE complaints SET received_at = timestamptz '2026-11-01 04:30+00', result_met_at = timestamptz '2026-11-03 15:00+00'
                                 WHERE id = (SELECT id FROM complaints WHERE branch_id = \(org.c.id) ORDER BY id LIMIT 1)
                                """)
                        }
                        let local: String = try await owner.query("""
                            SELECT to_char(timestamptz '2026-11-01 04:30+00' AT TIME ZONE 'America/Havana', 'YYYY-MM-DD HH24:MI')
                                   || ' / ' || to_char(timestamptz '2026-11-01 05:30+00' AT TIME ZONE 'America/Havana', 'YYYY-MM-DD HH24:MI')
                            """)[0].decode(at: 0)
                        #expect(local == "2026-11-01 00:30 / 2026-11-01 00:30", "Havana's midnight hour comes twice")
                    }
                    if round == 4 {
                        // A branch without a calendar: no day works.
                        _ = try await owner.query("DELETE FROM branch_calendars WHERE branch_id = \(org.b.id)")
                    }
                    if round % 2 == 1 || round == 3 { _ = try await owner.query("SELECT reports.fold_counts()") }
                    let pending: Int = try await owner.query("SELECT count(*)::integer FROM report_count_changes")[0].decode(at: 0)
                    if pending > 0 { pendingRounds += 1 }
                    for caller in callers {
                        for window in Self.windows {
                            let context = "round \(round), \(caller.login) of \(caller.branchCode), \(window.first)…\(window.last)"
                            let (counted, full, own) = try await Self.trends(window, caller, database)
                            #expect(counted == full, "\(context)")
                            #expect(own == full.filter { $0.branchId == caller.branchID }, "one branch: \(context)")
                            compared += full.count
                            handled += full.filter { $0.handled > 1 && $0.handlingDaysP90 != $0.handlingDaysP90?.rounded() }.count
                        }
                    }
                }
                // The counts were read: a count changed under them changes the counted trend, not the full one.
                let executive = callers[0]
                _ = try await owner.query("""
                    INSERT INTO report_counts (branch_id, month, detail, measure, bucket, complaints)
                    VALUES (\(org.a.id), '2026-06-01', 0, 'received', 0, 1000)
                    ON CONFLICT (branch_id, detail, month, measure, bucket) DO UPDATE SET complaints = report_counts.complaints + 1000
                    """)
                let (tampered, full, _) = try await Self.trends(Self.windows[0], executive, database)
                let june = { (figures: [KPIFigure]) in figures.first { $0.branchId == org.a.id && $0.month == "2026-06" }?.received }
                #expect(june(tampered) == june(full).map { $0 + 1000 }, "the trend of a whole branch reads its counts")
                let head = callers[3]
                let (headCounted, headFull, _) = try await Self.trends(Self.windows[0], head, database)
                #expect(headCounted == headFull && !headFull.isEmpty, "a department head's trend reads every complaint of their departments")
                #expect(compared > 200, "months with complaints were compared")
                #expect(handled > 20, "interpolated 90th percentiles were compared")
                #expect(pendingRounds >= 2, "trends were read with changes not folded yet")
            }
        }
    }

    /// Results are counted by day of receipt and days to the result; the fold and the recount agree.
    @Test func theDaysToAResultAreKeptByDayOfReceipt() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 40)
        let org = fixture.org
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            _ = try await owner.query("SELECT reports.fold_counts()")
            let expected: String = try await owner.query("""
                SELECT string_agg(concat_ws(' ', branch_id, received, days, n), ',' ORDER BY branch_id, received, days)
                  FROM (SELECT c.branch_id, (c.received_at AT TIME ZONE b.time_zone)::date AS received,
                               (c.result_met_at AT TIME ZONE b.time_zone)::date - (c.received_at AT TIME ZONE b.time_zone)::date AS days,
                               count(*) AS n
                          FROM complaints c JOIN branches b ON b.id = c.branch_id
                         WHERE c.result_met_at IS NOT NULL GROUP BY 1, 2, 3) pairs
                """)[0].decode(at: 0)
            let kept = """
                SELECT string_agg(concat_ws(' ', branch_id, substr(measure, 9), bucket, complaints), ',' ORDER BY branch_id, substr(measure, 9), bucket)
                  FROM report_counts WHERE detail = 3
                """
            let counted: String = try await owner.query(PGQuery(unsafeSQL: kept))[0].decode(at: 0)
            #expect(counted == expected)
            #expect(counted.split(separator: ",").count > 20)
            // A result reopened and given again days later moves to its new pair once folded.
            _ = try await owner.query("""
                UPDATE complaints SET result_met_at = result_met_at + interval '3 days'
                 WHERE branch_id = \(org.a.id) AND result_met_at IS NOT NULL
                """)
            _ = try await owner.query("SELECT reports.fold_counts()")
            let moved: String = try await owner.query(PGQuery(unsafeSQL: kept))[0].decode(at: 0)
            _ = try await owner.query("SELECT reports.recount(NULL)")
            let recounted: String = try await owner.query(PGQuery(unsafeSQL: kept))[0].decode(at: 0)
            #expect(moved != counted && moved == recounted)
        }
    }
}
