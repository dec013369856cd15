import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// The counts of messages to complainants that reports over whole branches read (`sql/0081_…`,
/// ``ReportCountsRead``) against the count of the messages themselves (``ReportStore/messages``),
/// on generated messages changed at random between comparisons: written on every channel and in
/// every state (some at a month's local midnight or the second before), delivered, given up,
/// retried (a change nothing counts), removed, a branch moving to another time zone, and the log
/// folded at some rounds and not at others. Every figure must be equal.
@Suite("Message counts kept as messages change, against the messages themselves")
struct MessageCountsTests {
    static let periods: [ReportPeriod] = [
        ReportPeriod(.month, containing: LocalDate(2026, 7, 15)), ReportPeriod(.month, containing: LocalDate(2026, 8, 15)),
        ReportPeriod(.month, containing: LocalDate(2026, 10, 15)), ReportPeriod(.quarter, containing: LocalDate(2026, 8, 1)),
        ReportPeriod(.quarter, containing: LocalDate(2026, 11, 1)),
    ]

    /// One round of random changes, as the owner (the triggers log them as for any writer).
    static func change(_ connection: PGConnection, _ random: inout SeededGenerator) async throws {
        let complaints: [UUID] = try await connection.query("SELECT id FROM complaints ORDER BY branch_id, id").map { try $0.decode(at: 0) }
        for index in 0..<40 {
            let complaint = complaints.randomElement(using: &random)!
            let channel = ["sms", "email", "push", "online"].randomElement(using: &random)!
            let state = ["pending", "delivered", "dead", "unsent"].randomElement(using: &random)!
            // A third written at the local midnight that starts August, in the branch's time zone, or the second before.
            let boundary = index % 3 == 0, offset = Int.random(in: -1...0, using: &random)
            let minutes = Int.random(in: 0...(60 * 24 * 60), using: &random)
            try await connection.execute("""
                WITH c AS (
                    SELECT c.branch_id, c.id, c.department_id, c.collaborating_department_ids, c.responsible_user_id,
                           CASE WHEN \(boundary) THEN ('2026-08-01'::timestamp AT TIME ZONE b.time_zone) + \(offset) * interval '1 second'
                                ELSE c.received_at + \(minutes) * interval '1 minute' END AS at,
                           (SELECT u.id FROM users u WHERE u.branch_id = c.branch_id ORDER BY u.id LIMIT 1) AS author,
                           (SELECT w.id FROM webhooks w WHERE w.branch_id = c.branch_id AND w.kind = 'gateway') AS gateway,
                           gen_random_uuid() AS communication_id
                      FROM complaints c JOIN branches b ON b.id = c.branch_id WHERE c.id = \(complaint)
                ), logged AS (
                    INSERT INTO complaint_communications (branch_id, id, complaint_id, at, direction, channel, kind, content, recorded_by,
                                                          case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                    SELECT branch_id, communication_id, id, at, 'outbound', CASE WHEN \(channel) IN ('sms', 'email') THEN \(channel) ELSE 'web' END,
                           'progress_update', 'generated', author, department_id, collaborating_department_ids, responsible_user_id
                      FROM c
                )
                INSERT INTO complainant_messages (branch_id, id, complaint_id, event, channel, language, recipient, communication_id,
                                                  webhook_id, state, attempts, next_attempt_at, sealed_key_id, sealed_box,
                                                  created_by, created_at, delivered_at, finished_at,
                                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                SELECT branch_id, gen_random_uuid(), id, 'progress_update', \(channel), 'en', 'c****@example.com', communication_id,
                       CASE WHEN \(state) = 'delivered' THEN gateway END, \(state), CASE WHEN \(state) = 'unsent' THEN 0 ELSE 1 END,
                       CASE WHEN \(state) = 'pending' THEN at + interval '1 minute' END,
                       CASE WHEN \(state) = 'pending' THEN 'k1' END, CASE WHEN \(state) = 'pending' THEN '\\x00'::bytea END,
                       author, at, CASE WHEN \(state) = 'delivered' THEN at + interval '5 seconds' END,
                       CASE WHEN \(state) <> 'pending' THEN at + interval '5 seconds' END,
                       department_id, collaborating_department_ids, responsible_user_id
                  FROM c
                """)
        }
        let pending: [UUID] = try await connection.query("SELECT id FROM complainant_messages WHERE state = 'pending' ORDER BY id")
            .map { try $0.decode(at: 0) }
        for id in pending where Int.random(in: 0..<3, using: &random) == 0 {
            // Delivered, given up, or retried: an attempt that changes nothing counted.
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                try await connection.execute("""
                    UPDATE complainant_messages m SET state = 'delivered', attempts = m.attempts + 1, next_attempt_at = NULL,
                           sealed_key_id = NULL, sealed_box = NULL, delivered_at = now(), finished_at = now(),
                           webhook_id = (SELECT w.id FROM webhooks w WHERE w.branch_id = m.branch_id AND w.kind = 'gateway')
                     WHERE m.id = \(id)
                    """)
            case 1:
                try await connection.execute("""
                    UPDATE complainant_messages SET state = 'dead', attempts = attempts + 1, next_attempt_at = NULL, sealed_key_id = NULL,
                           sealed_box = NULL, finished_at = now(), last_error = 'gateway refused'
                     WHERE id = \(id)
                    """)
            default:
                try await connection.execute("""
                    UPDATE complainant_messages SET attempts = attempts + 1, next_attempt_at = now() + interval '5 minutes',
                           last_error = 'timeout'
                     WHERE id = \(id)
                    """)
            }
        }
        let all: [UUID] = try await connection.query("SELECT id FROM complainant_messages ORDER BY id").map { try $0.decode(at: 0) }
        for _ in 0..<min(4, all.count) {
            try await connection.execute("DELETE FROM complainant_messages WHERE id = \(all.randomElement(using: &random)!)")
        }
    }

    /// The fixture's complaints, each branch with its gateway.
    static func fixture() async throws -> ReportTests.Fixture {
        let fixture = try await ReportTests.fixture(perBranch: 60)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            _ = try await owner.query("""
                INSERT INTO webhooks (branch_id, kind, url, secret)
                SELECT b.id, 'gateway', 'https://gateway.example/messages', repeat('s', 32) FROM branches b
                """)
        }
        return fixture
    }

    @Test func countsMatchTheMessagesAfterRandomChanges() async throws {
        let fixture = try await Self.fixture()
        let org = fixture.org
        var random = SeededGenerator(state: 20_261_206)
        let callers = [org.caller(.executive, in: org.a), org.caller(.branchManager, in: org.b), org.caller(.branchManager, in: org.c)]
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
                let database = ScopedDatabase(pool: pool)
                let store = ReportStore(database: database)
                var compared = 0, pendingRounds = 0
                for round in 0..<5 {
                    try await owner.withConnection { connection in try await Self.change(connection, &random) }
                    if round == 2 { try await ReportCountsTests.moveToAnotherTimeZone(org.c, org, database, owner) }
                    if round % 2 == 1 { _ = try await owner.query("SELECT reports.fold_counts()") }
                    let pending: Int = try await owner.query("SELECT count(*)::integer FROM message_count_changes")[0].decode(at: 0)
                    if pending > 0 { pendingRounds += 1 }
                    for caller in callers {
                        for period in Self.periods {
                            let context = "round \(round), \(caller.login) of \(caller.branchCode), \(period.from)…\(period.to)"
                            let branches = try #require(ReportCountsRead.branches(caller, period: period, grouping: .none, filter: ReportFilter()),
                                                        "read from the counts: \(context)")
                            let (counted, full) = try await database.withScope(caller.scope, readOnly: true, isolation: .repeatableRead) { connection in
                                let read = try await ReportCountsRead(branches: branches, period: period, grouping: .none, connection: connection).read()
                                let full = try await ReportStore.messages(caller, period: period, filter: ReportFilter(), connection)
                                return (read?.messages, full)
                            }
                            #expect(counted == full, "messages: \(context)")
                            let served = try await store.complaints(caller, period: .range(period), groupBy: .none, filter: ReportFilter())
                            #expect(served.messages == full, "the store reads the counts: \(context)")
                            if full.contains(where: { $0.sent > 0 && $0.sent != $0.delivered }) { compared += 1 }
                        }
                    }
                }
                #expect(compared > 20, "reports with messages in several states were compared")
                #expect(pendingRounds >= 2, "reports were read with changes not folded yet")
                let states: Int = try await owner.query("SELECT count(DISTINCT (channel, state))::integer FROM message_counts")[0].decode(at: 0)
                #expect(states == 16, "every channel was counted in every state")
                // The store reports what the counts say, not what it counts itself: a delivery added to the
                // counts alone shows in its report.
                _ = try await owner.query("SELECT reports.fold_counts()")
                let caller = callers[0], period = Self.periods[3]
                let before = try await store.complaints(caller, period: .range(period), groupBy: .none, filter: ReportFilter()).messages
                // Any delivered count of the period's months will do: which channels have one is random.
                let bumped = try await owner.query("""
                    UPDATE message_counts SET messages = messages + 1
                     WHERE (branch_id, month, channel, state) = (SELECT branch_id, month, channel, state FROM message_counts
                                                                  WHERE branch_id = ANY (\(Array(caller.scope.branchIDs))::uuid[])
                                                                    AND month BETWEEN \(period.from.description)::date AND \(period.to.description)::date
                                                                    AND state = 'delivered' AND messages > 0 ORDER BY channel LIMIT 1)
                    RETURNING channel
                    """)
                let channel: String = try #require(bumped.first).decode(at: 0)
                let was = try #require(before.first { $0.channel == channel })
                let after = try await store.complaints(caller, period: .range(period), groupBy: .none, filter: ReportFilter()).messages
                    .first { $0.channel == channel }
                #expect(after?.sent == was.sent + 1 && after?.delivered == was.delivered + 1, "the served report follows its counts")
            }
        }
    }

    /// Folding and recounting change nothing a report says; a fold with nothing logged folds nothing.
    @Test func foldingAndRecountingLeaveTheCountsAsTheyWere() async throws {
        let fixture = try await Self.fixture()
        var random = SeededGenerator(state: 20_261_207)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in try await Self.change(connection, &random) }
            let snapshot = """
                SELECT coalesce(string_agg(concat_ws(' ', branch_id, month, channel, state, messages), ',' ORDER BY branch_id, month, channel, state), '')
                  FROM (SELECT branch_id, month, channel, state, sum(messages) AS messages
                          FROM (SELECT branch_id, month, channel, state, messages FROM message_counts
                                UNION ALL
                                SELECT c.branch_id, date_trunc('month', c.created_at AT TIME ZONE b.time_zone)::date, c.channel, c.state, c.sign
                                  FROM message_count_changes c JOIN branches b ON b.id = c.branch_id) everything
                         GROUP BY 1, 2, 3, 4 HAVING sum(messages) <> 0) summed
                """
            let before: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            let folded: Int32 = try await owner.query("SELECT reports.fold_counts()")[0].decode(at: 0)
            #expect(folded > 0)
            let afterFold: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            let pending: Int = try await owner.query("SELECT count(*)::integer FROM message_count_changes")[0].decode(at: 0)
            #expect(pending == 0)
            let again: Int32 = try await owner.query("SELECT reports.fold_counts()")[0].decode(at: 0)
            #expect(again == 0)
            // Counts gone wrong (as after a load with the triggers off) are made right again by the recount.
            _ = try await owner.query("UPDATE message_counts SET messages = messages + 7")
            let wrong: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            #expect(wrong != afterFold)
            _ = try await owner.query("SELECT reports.recount(NULL)")
            let afterRecount: String = try await owner.query(PGQuery(unsafeSQL: snapshot))[0].decode(at: 0)
            #expect(!before.isEmpty && before == afterFold && afterFold == afterRecount)
            _ = try await owner.query("TRUNCATE complainant_messages CASCADE")
            let left: Int = try await owner.query("SELECT (SELECT count(*) FROM message_counts) + (SELECT count(*) FROM message_count_changes)")[0]
                .decode(at: 0)
            #expect(left == 0, "emptying the messages empties their counts")
        }
    }

    /// Only those who see every complaint of a branch read its message counts; the service cannot write them.
    @Test func theCountsAreReadOnlyByThoseWhoSeeTheWholeBranch() async throws {
        let fixture = try await Self.fixture()
        let org = fixture.org
        var random = SeededGenerator(state: 20_261_208)
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                for _ in 0..<3 { try await Self.change(connection, &random) }
            }
            _ = try await owner.query("SELECT reports.fold_counts()")
            try await owner.withConnection { connection in try await Self.change(connection, &random) }
        }
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let database = ScopedDatabase(pool: pool)
            for (caller, visible) in [(org.caller(.branchManager, in: org.a), true), (org.caller(.departmentHead, in: org.a), false),
                                      (org.caller(.handler, in: org.a), false), (org.caller(.branchManager, in: org.b), false)] {
                let seen: [Int] = try await database.withScope(caller.scope, readOnly: true) { connection in
                    let row = try await connection.query("""
                        SELECT (SELECT count(*) FROM message_counts WHERE branch_id = \(org.a.id))::integer,
                               (SELECT count(*) FROM message_count_changes WHERE branch_id = \(org.a.id))::integer
                        """)[0]
                    return [try row.decode(at: 0), try row.decode(at: 1)]
                }
                #expect(seen.allSatisfy { ($0 > 0) == visible }, "\(caller.login) of \(caller.branchCode): \(seen)")
            }
            let manager = org.caller(.branchManager, in: org.a)
            for statement: PGQuery in ["DELETE FROM message_counts", "UPDATE message_counts SET messages = 0",
                                       "INSERT INTO message_counts (branch_id, month, channel, state, messages) VALUES (\(org.a.id), '2026-07-01', 'sms', 'delivered', 1)",
                                       "INSERT INTO message_count_changes (branch_id, sign, created_at, channel, state) VALUES (\(org.a.id), 1, now(), 'sms', 'delivered')",
                                       "SELECT reports.fold_message_counts()", "SELECT reports.recount_messages(\(org.a.id))"] {
                await #expect(throws: PGError.self, "\(statement)") {
                    try await database.withScope(manager.scope) { connection in try await connection.execute(statement) }
                }
            }
        }
    }
}
