import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("An intake in two round trips settles what the database settled before")
struct IntakeRoundTripTests {
    @Test func anIntakeReadsThenWritesAndCommitsAndIsWhatItWas() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let billing: UUID = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT id FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
        }
        let agent = org.caller(.agent, in: org.a)
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4), citus: false))
            func intake(_ phone: String, key: String? = nil, request: String = "one") async throws -> ComplaintStore.IntakeResult {
                try await store.intake(agent, ComplaintIntake(channel: "phone", complainant: .init(name: "Li Hua", phone: phone),
                                                              description: "charged twice", categoryID: billing),
                                       idempotencyKey: key, requestHash: key.map { _ in Data(request.utf8) })
            }
            let first = try await intake("+86 10 5550 0001")  // its statements are prepared now, as on a warm connection

            let before = try await pool.withConnection { $0.roundTrips }
            let second = try await intake("+86 10 5550 0001", key: "retry-1")
            let after = try await pool.withConnection { $0.roundTrips }
            #expect(after - before == 2, "reads with the BEGIN, writes with the COMMIT")

            // What the single statements used to settle: the case number, the repeat, the route, the schedule.
            let complaint = second.complaint
            #expect(complaint.caseNumber != first.complaint.caseNumber && complaint.caseNumber.hasPrefix(org.a.code.uppercased() + "-"))
            #expect(complaint.nature == "repeat" && complaint.repeatOf == first.complaint.id)
            #expect(complaint.departmentId == org.a.departments[0])
            #expect(complaint.nextEscalationTier == 1 && complaint.dueAt != nil)
            let written = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT (SELECT count(*) FROM complaint_events WHERE complaint_id = c.id AND kind = 'received')::int,
                           (SELECT count(*) FROM complaint_handovers WHERE complaint_id = c.id)::int,
                           (SELECT string_agg(content, '') FROM complaint_communications WHERE complaint_id = c.id AND kind = 'confirmation'),
                           (SELECT count(*) FROM complainant_messages WHERE complaint_id = c.id AND event = 'received')::int,
                           to_char(c.received_at AT TIME ZONE b.time_zone, 'YYYY-MM-DD HH24:MI')
                      FROM complaints c JOIN branches b ON b.id = c.branch_id
                     WHERE c.id = \(complaint.id)
                    """)[0]
            }
            #expect(try written.decode(Int32.self, at: 0) == 1 && written.decode(Int32.self, at: 1) == 1)
            #expect(try written.decode(Int32.self, at: 3) == 1)
            let confirmation: String = try written.decode(at: 2)
            let received: String = try written.decode(at: 4)
            #expect(confirmation.contains(complaint.caseNumber) && confirmation.contains(received),
                    "the confirmation names the case number and the time the complaint got")

            // The schedule computed before the complaint existed is the one its stored row gives.
            let schedule = """
                SELECT sla_policy_id, sla_deadlines, sla_completed, due_at, next_escalation_tier, next_escalation_at,
                       escalation_due_at, sla_alarm_keys, sla_alarm_due_at, sla_alarm_rungs, next_alarm_at, acknowledge_deadline,
                       result_deadline FROM complaints WHERE id = $1
                """
            let stored: String = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                var binds = PGBinds()
                binds.append(complaint.id)
                let before: String = try await owner.query(PGQuery(unsafeSQL: "SELECT row(s.*)::text FROM (\(schedule)) s", binds: binds))[0]
                    .decode(at: 0)
                try await owner.query("UPDATE complaints SET sla_stale = true WHERE id = \(complaint.id)")
                return before
            }
            let recomputedCount = try await database.withPool(scheduler: true, size: 1) { (scheduler: PGPool) async throws in
                try await ComplaintStore(database: ScopedDatabase(pool: scheduler, citus: false)).recomputeStale(batch: 10)
            }
            #expect(recomputedCount == 1)
            let recomputed: String = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                var binds = PGBinds()
                binds.append(complaint.id)
                return try await owner.query(PGQuery(unsafeSQL: "SELECT row(s.*)::text FROM (\(schedule)) s", binds: binds))[0].decode(at: 0)
            }
            #expect(recomputed == stored, "intake's schedule is the stored complaint's")

            // A retry with the key writes nothing and answers the first complaint; another request under it is refused.
            let replay = try await intake("+86 10 5550 0001", key: "retry-1")
            #expect(replay.replayed && replay.complaint.id == complaint.id && replay.accessCode == nil)
            #expect(complaint.sla != nil && replay.complaint.sla == complaint.sla,
                    "the schedule intake answered without reading it back is the one its row gives, to the second")
            await #expect(throws: StoreError.self) { try await intake("+86 10 5550 0001", key: "retry-1", request: "another") }
            let complaints: Int = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT count(*) FROM complaints WHERE branch_id = \(org.a.id)")[0].decode(at: 0)
            }
            #expect(complaints == 2)
        }
    }
}
