import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// Branches are made and changed by functions, never by triggers on the table (a reference table
/// on Citus): `public.create_branch` seeds and audits a new branch, `public.change_branch` audits
/// an admin's change and, for a new time zone, marks the open deadlines for recomputation and
/// wakes the scheduler.
@Suite("Branches made and changed by functions")
struct BranchChangeTests {
    @Test func aNewBranchIsSeededAndAudited() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let id: UUID = try await owner.query("SELECT public.create_branch('new-branch', 'New', 'North', 'Europe/Paris')")[0].decode(at: 0)
            let seeded = try await owner.query("""
                SELECT (SELECT count(*) FROM categories WHERE branch_id = \(id))::integer,
                       (SELECT count(*) FROM sla_policies WHERE branch_id = \(id))::integer,
                       (SELECT count(*) FROM branch_calendars WHERE branch_id = \(id))::integer,
                       (SELECT string_agg(action || ' ' || (after ->> 'code') || ' ' || (after ->> 'time_zone'), ',')
                          FROM audit_log WHERE branch_id = \(id) AND entity = 'branches' AND entity_id = \(id))
                """)[0]
            #expect(try seeded.decode(Int.self, at: 0) == 10 && seeded.decode(Int.self, at: 1) == SLAConfigurationSeeds.policyNames.count
                    && seeded.decode(Int.self, at: 2) == 1)
            #expect(try seeded.decode(String.self, at: 3) == "insert new-branch Europe/Paris")
        }
    }

    @Test func aNewTimeZoneMarksOpenDeadlinesAndWakesTheScheduler() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await IsolationMatrixTests.addComplaints(org, database)
        let listener = PGListener(configuration: PGConnectionConfiguration(database.ownerURL), channels: ["redress_deadlines"])
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let notifications = listener.notifications { readyContinuation.yield() }
        var readyIterator = ready.makeAsyncIterator()
        await readyIterator.next()
        func stale(_ branch: TestOrganisation.BranchFixture) async throws -> Int {
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT count(*)::integer FROM complaints WHERE branch_id = \(branch.id) AND sla_stale")[0].decode(at: 0)
            }
        }
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let store = BranchStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
            let admin = org.caller(.admin, in: org.a).scope
            let renamed = try await store.update(admin, id: org.a.id, name: .set("Renamed"), region: .unchanged, timeZone: .unchanged)
            #expect(renamed.name == "Renamed" && renamed.timeZone == "Asia/Shanghai")
            #expect(try await stale(org.a) == 0, "a new name moves no deadline")

            let moved = try await store.update(admin, id: org.a.id, name: .unchanged, region: .unchanged, timeZone: .set("Europe/Paris"))
            #expect(moved.name == "Renamed" && moved.timeZone == "Europe/Paris")
            #expect(try await stale(org.a) == 2)
            #expect(try await stale(org.b) == 0)

            await #expect(throws: StoreError.notFound, "an admin of one branch changes no other") {
                _ = try await store.update(admin, id: org.b.id, name: .set("Taken"), region: .unchanged, timeZone: .set("UTC"))
            }
            let handler = org.caller(.handler, in: org.a).scope
            await #expect(throws: StoreError.notFound, "only admins change their branch") {
                _ = try await store.update(handler, id: org.a.id, name: .set("Taken"), region: .unchanged, timeZone: .unchanged)
            }
        }
        for await notification in notifications {
            #expect(notification.payload == "sla:\(org.a.id.uuidString.lowercased())")
            break
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let trail = try await owner.query("""
                SELECT concat_ws(' ', before ->> 'name', after ->> 'name', before ->> 'time_zone', after ->> 'time_zone')
                  FROM audit_log WHERE branch_id = \(org.a.id) AND entity = 'branches' AND action = 'update' ORDER BY at, id
                """).map { try $0.decode(String.self, at: 0) }
            #expect(trail == ["Branch A Renamed", "Asia/Shanghai Europe/Paris"])
            let names = try await owner.query("SELECT name FROM branches WHERE id = \(org.b.id)")[0].decode(String.self, at: 0)
            #expect(names == "Branch B")
        }
    }
}
