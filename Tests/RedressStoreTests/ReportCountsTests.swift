import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// The counts reports over whole branches read (`sql/0072_…`, ``ReportCountsRead``) against the
/// full computation over every complaint (`reports.complaints`), on generated data changed at
/// random between comparisons: complaints taken in (some with deadlines still ahead), changed
/// (satisfaction, category, nature, escalations, milestones met), reopened, erased and removed,
/// a branch moving to another time zone, and the log folded at some rounds and not at others.
/// Counts must be equal; the durations' percentiles within 30 seconds.
@Suite("Report counts kept as complaints change, against the full computation")
struct ReportCountsTests {
    static let periods: [ReportPeriod] = [
        ReportPeriod(.month, containing: LocalDate(2026, 7, 15)), ReportPeriod(.quarter, containing: LocalDate(2026, 8, 1)),
        ReportPeriod(.month, containing: LocalDate(2026, 12, 1)), ReportPeriod(.quarter, containing: LocalDate(2026, 11, 1)),
    ]

    /// One round of random changes, as the owner (the triggers log them as for any writer).
    static func change(_ connection: PGConnection, _ org: TestOrganisation, round: Int, _ random: inout SeededGenerator) async throws {
        let ids: [(branch: UUID, id: UUID)] = try await connection.query("SELECT branch_id, id FROM complaints ORDER BY branch_id, id")
            .map { (try $0.decode(at: 0), try $0.decode(at: 1)) }
        func some(_ count: Int) -> [UUID] { (0..<count).map { _ in ids.randomElement(using: &random)!.id } }
        // Taken in: from May to now, a third received in the last two days with deadlines still ahead.
        for index in 0..<30 {
            let branch = org.branches.randomElement(using: &random)!
            let recent = index % 3 == 0
            let hoursAgo = recent ? Int.random(in: 1...40, using: &random) : Int.random(in: 48...(200 * 24), using: &random)
            let code = ReportTests.codes.randomElement(using: &random)!
            let satisfaction = Bool.random(using: &random) ? Int16.random(in: 1...10, using: &random) : nil
            let metMinutes = Int.random(in: 1...(100 * 60), using: &random)
            let acknowledged = index % 2 == 0, replied = !recent && index % 5 != 0, resolved = !recent && index % 3 == 1
            let completed = [acknowledged ? "acknowledge" : nil, replied ? "initial_reply" : nil, resolved ? "result" : nil].compactMap { $0 }
            try await connection.execute("""
                WITH t AS (SELECT now() - \(hoursAgo) * interval '1 hour' - \(Int.random(in: 0...3599, using: &random)) * interval '1 second' AS at)
                INSERT INTO complaints (branch_id, case_number, channel, description, department_id, category_id, nature, satisfaction,
                                        escalated_tiers, received_at, sla_deadlines, sla_completed,
                                        acknowledge_met_at, initial_reply_met_at, result_met_at)
                SELECT \(branch.id), \("C-\(round)-\(index)"), 'web', 'generated', \(branch.departments[index % 2]),
                       (SELECT id FROM categories WHERE branch_id = \(branch.id) AND code = \(code)),
                       \(["general", "repeat", "invalid", "major"][index % 4]), \(satisfaction)::smallint,
                       \(Array([1, 2, 3].prefix(index % 4)))::smallint[], t.at,
                       jsonb_build_object('milestones', jsonb_build_object(
                           'acknowledge', jsonb_build_object('at', t.at + interval '24 hours'),
                           'initial_reply', jsonb_build_object('at', t.at + interval '48 hours'),
                           'preliminary_feedback', jsonb_build_object('at', t.at + interval '72 hours'),
                           'result', jsonb_build_object('at', t.at + interval '72 hours'))),
                       \(completed)::text[],
                       t.at + \(metMinutes / 4) * interval '1 minute',
                       t.at + \(metMinutes) * interval '1 minute' + interval '17 seconds',
                       t.at + \(metMinutes * 2) * interval '1 minute'
                  FROM t
                """)
        }
        // Changed: satisfaction, category, nature, escalations and met milestones.
        for id in some(40) {
            try await connection.execute("""
                UPDATE complaints SET satisfaction = \(Bool.random(using: &random) ? Int16.random(in: 1...10, using: &random) : nil)::smallint,
                       category_id = (SELECT k.id FROM categories k WHERE k.branch_id = complaints.branch_id
                                       ORDER BY k.code OFFSET \(Int.random(in: 0...4, using: &random)) LIMIT 1),
                       nature = \(["general", "repeat", "invalid"].randomElement(using: &random)!),
                       escalated_tiers = \(Array([1, 2, 3].prefix(Int.random(in: 0...3, using: &random))))::smallint[],
                       initial_reply_met_at = coalesce(initial_reply_met_at,
                                                       received_at + \(Int.random(in: 60...300_000, using: &random)) * interval '1 second')
                 WHERE id = \(id)
                """)
        }
        // Reopened: the result no longer met, with a new deadline still ahead.
        for id in some(10) {
            try await connection.execute("""
                UPDATE complaints SET sla_completed = array_remove(sla_completed, 'result'), status = 'investigating',
                       sla_deadlines = jsonb_set(sla_deadlines, '{milestones,result,at}',
                                                 to_jsonb(now() + \(Int.random(in: 2...72, using: &random)) * interval '1 hour'))
                 WHERE id = \(id) AND sla_deadlines ? 'milestones'
                """)
        }
        // Erased (personal data only: nothing a report counts) and removed.
        for id in some(5) {
            try await connection.execute("UPDATE complaints SET complainant_name = NULL, erased_at = now() WHERE id = \(id)")
        }
        for id in some(5) { try await connection.execute("DELETE FROM complaints WHERE id = \(id)") }
    }

    /// The branch's admin moves `branch` to another time zone: its months move, and its counts are
    /// made again. Until the scheduler's fold counts it again, its reports read every complaint and
    /// message; then the fold.
    static func moveToAnotherTimeZone(_ branch: TestOrganisation.BranchFixture, _ org: TestOrganisation, _ database: ScopedDatabase,
                                      _ owner: PGPool) async throws {
        let moved = try await database.withScope(org.caller(.admin, in: branch).scope) { connection in
            try await connection.query("SELECT count(*)::integer FROM public.change_branch(\(branch.id), NULL, NULL, 'Pacific/Auckland')")
        }
        #expect(try moved[0].decode(Int.self, at: 0) == 1)
        let manager = org.caller(.branchManager, in: branch)
        let waiting = try await database.withScope(manager.scope, readOnly: true, isolation: .repeatableRead) { connection in
            try await ReportCountsRead(branches: [branch.id], period: Self.periods[0], grouping: .none, connection: connection).read()
        }
        #expect(waiting == nil, "a branch waiting to be counted again is not read from its counts")
        _ = try await owner.query("SELECT reports.fold_counts()")
    }

    static func withoutPercentiles(_ counts: ReportCounts) -> ReportCounts {
        var counts = counts
        counts.firstReplyMedianSeconds = nil
        counts.firstReplyP90Seconds = nil
        counts.resolutionMedianSeconds = nil
        counts.resolutionP90Seconds = nil
        return counts
    }

    static func expectSame(_ counted: ReportCounts, _ full: ReportCounts, _ context: String) {
        #expect(withoutPercentiles(counted) == withoutPercentiles(full), "counts: \(context)")
        for path in [\ReportCounts.firstReplyMedianSeconds, \.firstReplyP90Seconds, \.resolutionMedianSeconds, \.resolutionP90Seconds] {
            switch (counted[keyPath: path], full[keyPath: path]) {
            case (nil, nil): break
            case let (a?, b?): #expect(abs(a - b) <= 30.000_001, "percentile \(path) \(a) against \(b): \(context)")
            case let (a, b): #expect(Bool(false), "percentile \(path) \(String(describing: a)) against \(String(describing: b)): \(context)")
            }
        }
    }

    @Test func countsMatchTheFullComputationAfterRandomChanges() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 160)
        let org = fixture.org
        var random = SeededGenerator(state: 20_261_205)
        let callers = [org.caller(.executive, in: org.a), org.caller(.branchManager, in: org.b), org.caller(.branchManager, in: org.c)]
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
                let database = ScopedDatabase(pool: pool)
                let store = ReportStore(database: database)
                var compared = 0, pendingRounds = 0
                for round in 0..<5 {
                    if round > 0 {
                        try await owner.withConnection { connection in try await Self.change(connection, org, round: round, &random) }
                    }
                    if round == 2 { try await Self.moveToAnotherTimeZone(org.c, org, database, owner) }
                    if round % 2 == 1 { _ = try await owner.query("SELECT reports.fold_counts()") }
                    let pending: Int = try await owner.query("SELECT count(*)::integer FROM report_count_changes")[0].decode(at: 0)
                    if pending > 0 { pendingRounds += 1 }
                    for caller in callers {
                        for period in Self.periods {
                            for grouping in [ReportGrouping.none, .branch, .region] {
                                let context = "round \(round), \(caller.login) of \(caller.branchCode), \(period.from)…\(period.to) by \(grouping)"
                                let branches = try #require(ReportCountsRead.branches(caller, period: period, grouping: grouping,
                                                                                      filter: ReportFilter()), "read from the counts: \(context)")
                                let read = try await database.withScope(caller.scope, readOnly: true, isolation: .repeatableRead) { connection in
                                    try await ReportCountsRead(branches: branches, period: period, grouping: grouping, connection: connection).read()
                                }
                                let counted = try #require(read, "the counts agree level with level: \(context)")
                                    .report(period: period, grouping: grouping, filter: ReportFilter())
                                let served = try await store.complaints(caller, period: .range(period), groupBy: grouping, filter: ReportFilter())
                                #expect(served.totals == counted.totals && served.groups == counted.groups, "the store reads the counts: \(context)")
                                let full = try await database.withScope(caller.scope, readOnly: true) { connection in
                                    try await connection.query("""
                                        SELECT reports.complaints(\(period.from.description)::date, \(period.to.description)::date,
                                                                  \(period.previousFrom.description)::date, \(grouping.rawValue), NULL::uuid,
                                                                  NULL::uuid, NULL::text, NULL::text, NULL::smallint)
                                        """)[0].decode(PGJSON<ComputedReport>.self, at: 0).value
                                        .report(period: period, grouping: grouping, filter: ReportFilter())
                                }
                                Self.expectSame(counted.totals.current.counts, full.totals.current.counts, "totals, " + context)
                                Self.expectSame(counted.totals.previous.counts, full.totals.previous.counts, "previous totals, " + context)
                                #expect(counted.groups.map(\.key) == full.groups.map(\.key), "groups: \(context)")
                                #expect(counted.groups.map(\.label) == full.groups.map(\.label), "labels: \(context)")
                                for (a, b) in zip(counted.groups, full.groups) {
                                    Self.expectSame(a.current.counts, b.current.counts, "group \(a.key ?? "none"), " + context)
                                    Self.expectSame(a.previous.counts, b.previous.counts, "previous of group \(a.key ?? "none"), " + context)
                                }
                                #expect(counted.topCategories == full.topCategories, "hot spots: \(context)")
                                if full.totals.current.counts.received > 0 { compared += 1 }
                            }
                        }
                    }
                }
                #expect(compared > 40, "reports with complaints were compared")
                #expect(pendingRounds >= 2, "reports were read with changes not folded yet")
                let recounts: Int = try await owner.query("SELECT count(*)::integer FROM report_count_recounts")[0].decode(at: 0)
                #expect(recounts == 0, "the fold counted the moved branch again")
                // Some counted complaints' deadlines were still ahead, and some reports counted them.
                let ahead: Int = try await owner.query("""
                    SELECT count(*)::integer FROM complaints
                     WHERE greatest(CASE WHEN acknowledge_met_at IS NULL THEN acknowledge_deadline END,
                                    CASE WHEN initial_reply_met_at IS NULL THEN initial_reply_deadline END,
                                    CASE WHEN preliminary_feedback_met_at IS NULL THEN preliminary_feedback_deadline END,
                                    CASE WHEN result_met_at IS NULL THEN result_deadline END) >= now()
                    """)[0].decode(at: 0)
                #expect(ahead > 10)
            }
        }
    }

    /// Folding changes nothing a report says, and a fold with nothing logged folds nothing.
    @Test func foldingAndRecountingLeaveTheCountsAsTheyWere() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 80)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let snapshot = """
                SELECT coalesce(string_agg(concat_ws(' ', branch_id, month, detail, measure, bucket, complaints), ',' ORDER BY branch_id, month, detail, measure, bucket), '')
                  FROM (SELECT branch_id, month, detail, measure, bucket, sum(complaints) AS complaints
                          FROM (SELECT branch_id, month, detail, measure, bucket, complaints FROM report_counts
                                UNION ALL
                                SELECT p.branch_id, p.month, l.level, p.measure, p.bucket, p.complaints
                                  FROM generate_series(0, 3) AS l (level),
                                       reports.pending_counts(ARRAY(SELECT id FROM branches), l.level::smallint) p) everything
                         GROUP BY 1, 2, 3, 4, 5 HAVING sum(complaints) <> 0) summed
                """
            _ = try await owner.query("UPDATE complaints SET satisfaction = 9 WHERE satisfaction IS NULL")
            let before: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            let folded: Int32 = try await owner.query("SELECT reports.fold_counts()")[0].decode(at: 0)
            #expect(folded > 0)
            let afterFold: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            let pending: Int = try await owner.query("SELECT count(*)::integer FROM report_count_changes")[0].decode(at: 0)
            #expect(pending == 0)
            let again: Int32 = try await owner.query("SELECT reports.fold_counts()")[0].decode(at: 0)
            #expect(again == 0)
            _ = try await owner.query("SELECT reports.recount(NULL)")
            let afterRecount: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            #expect(!before.isEmpty && before == afterFold && afterFold == afterRecount)
        }
    }

    /// Only those who see every complaint of a branch read its counts; the service cannot write them.
    @Test func theCountsAreReadOnlyByThoseWhoSeeTheWholeBranch() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 40)
        let org = fixture.org
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let database = ScopedDatabase(pool: pool)
            for (caller, visible) in [(org.caller(.branchManager, in: org.a), true), (org.caller(.departmentHead, in: org.a), false),
                                      (org.caller(.handler, in: org.a), false), (org.caller(.branchManager, in: org.b), false)] {
                let seen: Int = try await database.withScope(caller.scope, readOnly: true) { connection in
                    try await connection.query("""
                        SELECT (SELECT count(*) FROM report_counts WHERE branch_id = \(org.a.id))
                             + (SELECT count(*) FROM reports.pending_counts(ARRAY[\(org.a.id)]::uuid[], 0::smallint))
                        """)[0].decode(at: 0)
                }
                #expect((seen > 0) == visible, "\(caller.login) of \(caller.branchCode)")
            }
            let manager = org.caller(.branchManager, in: org.a)
            for statement: PGQuery in ["DELETE FROM report_counts", "UPDATE report_counts SET complaints = 0",
                                       "INSERT INTO report_count_changes (branch_id, sign, received_at, nature, escalated_tiers) VALUES (\(org.a.id), 1, now(), 'general', '{}')",
                                       "SELECT reports.fold_counts()", "SELECT reports.recount(NULL)"] {
                await #expect(throws: PGError.self, "\(statement)") {
                    try await database.withScope(manager.scope) { connection in try await connection.execute(statement) }
                }
            }
        }
    }
}
