import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// A report's period runs from local midnight to local midnight in each branch's time zone, also
/// when that midnight comes twice: Havana's clocks go back from 01:00 to midnight on 1 November
/// 2026, and November takes what happened in the first of those midnight hours, the complaints,
/// the messages to complainants, the reviews asked for and the results given, none of which
/// October takes.
@Suite("Report periods by the local day")
struct ReportLocalDayTests {
    static let november = ReportPeriod(.month, containing: LocalDate(2026, 11, 15))
    static let october = ReportPeriod(.month, containing: LocalDate(2026, 10, 15))

    @Test func aPeriodBeginningAtAMidnightThatComesTwiceTakesItsFirstHour() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 40)
        let org = fixture.org, havana = org.c
        #expect(ReportTests.zones[2] == "America/Havana")
        let manager = havana.users[.branchManager]!
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                let local: String = try await connection.query("""
                    SELECT to_char(timestamptz '2026-11-01 04:30+00' AT TIME ZONE 'America/Havana', 'YYYY-MM-DD HH24:MI')
                           || ' / ' || to_char(timestamptz '2026-11-01 05:30+00' AT TIME ZONE 'America/Havana', 'YYYY-MM-DD HH24:MI')
                    """)[0].decode(at: 0)
                #expect(local == "2026-11-01 00:30 / 2026-11-01 00:30", "Havana's midnight hour comes twice")
                let complaint: UUID = try await connection.query("""
                    SELECT id FROM complaints WHERE branch_id = \(havana.id) AND received_at = timestamptz '2026-11-01 04:30+00'
                    """)[0].decode(at: 0)
                // Each row carries its case's visibility, as the service writes it.
                let communication: UUID = try await connection.query("""
                    INSERT INTO complaint_communications (branch_id, complaint_id, at, direction, channel, kind, content, recorded_by,
                                                          case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                    SELECT branch_id, id, timestamptz '2026-11-01 04:30+00', 'outbound', 'sms', 'confirmation', 'Received', \(manager),
                           department_id, collaborating_department_ids, responsible_user_id
                      FROM complaints WHERE branch_id = \(havana.id) AND id = \(complaint)
                    RETURNING id
                    """)[0].decode(at: 0)
                try await connection.execute("""
                    INSERT INTO complainant_messages (branch_id, id, complaint_id, event, channel, language, communication_id, state,
                                                      created_by, created_at, finished_at,
                                                      case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                    SELECT branch_id, gen_random_uuid(), id, 'received', 'sms', 'en', \(communication), 'unsent',
                           \(manager), timestamptz '2026-11-01 04:30+00', timestamptz '2026-11-01 04:30+00',
                           department_id, collaborating_department_ids, responsible_user_id
                      FROM complaints WHERE branch_id = \(havana.id) AND id = \(complaint)
                    """)
                try await connection.execute("""
                    INSERT INTO complaint_reviews (branch_id, complaint_id, grounds, requested_by, requested_at, due_at,
                                                   case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                    SELECT branch_id, id, 'Not what was promised', \(manager), timestamptz '2026-11-01 04:30+00', timestamptz '2026-11-08 04:30+00',
                           department_id, collaborating_department_ids, responsible_user_id
                      FROM complaints WHERE branch_id = \(havana.id) AND id = \(complaint)
                    """)
                try await connection.execute("""
                    INSERT INTO complaint_events (branch_id, complaint_id, at, kind,
                                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                    SELECT branch_id, id, timestamptz '2026-11-01 04:30+00', 'feed_back_result',
                           department_id, collaborating_department_ids, responsible_user_id
                      FROM complaints WHERE branch_id = \(havana.id) AND id = \(complaint)
                    """)
            }
        }
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let store = ReportStore(database: ScopedDatabase(pool: pool))
            let caller = org.caller(.branchManager, in: havana)
            let november = try await store.complaints(caller, period: .range(Self.november), groupBy: .none, filter: ReportFilter())
            let october = try await store.complaints(caller, period: .range(Self.october), groupBy: .none, filter: ReportFilter())
            // Received at both of November's midnights and half an hour into the first; the second before them was October's.
            #expect(november.totals.current.counts.received == 3)
            #expect(november.totals.previous.counts.received == october.totals.current.counts.received)
            #expect(november.messages.map { "\($0.channel) \($0.sent) \($0.unsent)" } == ["sms 1 1"])
            #expect(november.reviews.requested == 1 && november.reviews.open == 1)
            #expect(november.reviews.results == 1)
            #expect(october.messages.isEmpty)
            #expect(october.reviews.requested == 0 && october.reviews.results == 0)
            // The complaint report's full computation, in both its forms, takes the same complaints.
            try await ScopedDatabase(pool: pool).withScope(caller.scope, readOnly: true) { connection in
                for form in ["complaints_in_one_statement", "complaints_branch_by_branch"] {
                    let rows = try await connection.query("""
                        SELECT r ->> 'period', (r -> 'figures' ->> 'received')::integer
                          FROM jsonb_array_elements(
                                   CASE \(form) WHEN 'complaints_in_one_statement'
                                        THEN reports.complaints_in_one_statement('2026-11-01', '2026-11-30', '2026-10-01', 'none', NULL, NULL, NULL, NULL, NULL)
                                        ELSE reports.complaints_branch_by_branch('2026-11-01', '2026-11-30', '2026-10-01', 'none', NULL, NULL, NULL, NULL, NULL)
                                   END -> 'rows') r
                         WHERE (r ->> 'total')::boolean
                         ORDER BY 1
                        """).map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int.self, at: 1))" }
                    #expect(rows == ["current 3", "previous \(october.totals.current.counts.received)"], "\(form)")
                }
            }
        }
    }
}
