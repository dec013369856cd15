import Foundation
import Postgres
import RedressCore
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

/// The scheduler's functions from the API's side: connected as the service role, with no scope
/// or with an admin's, try to claim deliveries (and read webhook secrets), settle them, fire
/// escalations, seal the audit trail or run retention.
@Suite("The scheduler role: the API's service role cannot reach the scheduler's functions")
struct SchedulerRoleTests {
    /// What an attacker holding `DATABASE_URL` would run, each refused.
    static let attacks = [
        "SELECT branch_id, url, secret FROM scheduler.claim_deliveries(gen_random_uuid(), 100, 1)",
        "SELECT * FROM scheduler.due_branches('deliveries', 100)",
        "SELECT scheduler.record_delivery(gen_random_uuid(), gen_random_uuid(), 1, now(), 1, 200, NULL, NULL)",
        "SELECT * FROM scheduler.escalate_due(gen_random_uuid(), 100)",
        "SELECT * FROM scheduler.repage_due(gen_random_uuid(), 100)",
        "SELECT * FROM scheduler.escalate_follow_ups(gen_random_uuid(), 100)",
        "SELECT scheduler.next_delivery()",
        "SELECT scheduler.stale_branches()",
        "SELECT audit.seal(100)",
        "SELECT * FROM retention.due_branches(interval '1 day', interval '365 days')",
        "SELECT * FROM retention.apply(gen_random_uuid(), interval '1 day', interval '365 days', false)",
        "SELECT retention.erase_evidence(gen_random_uuid(), gen_random_uuid())",
    ]

    @Test func theServiceRoleIsRefusedEverySchedulerFunctionWithOrWithoutAScope() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await Self.addPendingDelivery(org, database)
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            for statement in Self.attacks {
                let bare = await #expect(throws: PGError.self) { try await pool.query(PGQuery(unsafeSQL: statement)) }
                #expect(bare?.sqlState == .insufficientPrivilege, "\(statement): \(bare?.message ?? "")")
                let scoped = ScopedDatabase(pool: pool)
                let admin = await #expect(throws: PGError.self) {
                    try await scoped.withScope(org.caller(.admin, in: org.b).scope) { connection in
                        try await connection.query(PGQuery(unsafeSQL: statement))
                    }
                }
                #expect(admin?.sqlState == .insufficientPrivilege, "\(statement) as branch b's admin")
            }
        }
        // Nothing was claimed, leased or settled: the delivery waits untouched for the scheduler.
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("SELECT attempts, state FROM page_deliveries")[0]
            #expect(try row.decode(Int.self, at: 0) == 0 && row.decode(String.self, at: 1) == "pending")
        }
        // The scheduler role claims it, secret included.
        try await database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
            let claimed = try await DeliveryStore(pool: pool, keys: .generate()).claim(batch: 10, lease: .seconds(30))
            #expect(claimed.count == 1 && claimed.first?.secret.hasPrefix("whs_") == true)
        }
    }

    @Test func serveRefusesAnAPIRoleThatCouldScheduleAndTheRolesStayApart() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { pool in try await DatabaseRoleCheck.verify(pool) }
        try await database.withPool(scheduler: true) { pool in try await DatabaseRoleCheck.verify(pool, for: .scheduler) }
        try await database.withPool(scheduler: true) { (pool: PGPool) async throws in
            let error = await #expect(throws: DatabaseRoleCheck.Unsafe.self) { try await DatabaseRoleCheck.verify(pool) }
            #expect(error?.reasons.contains { $0.contains("scheduler function") } == true, "the scheduler's role cannot serve the API")
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT pg_has_role('redress_service', 'redress_scheduler', 'MEMBER'),
                       pg_has_role('redress_scheduler', 'redress_service', 'MEMBER'),
                       pg_has_role('redress_scheduler', 'redress_platform', 'MEMBER'),
                       (SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = 'redress_scheduler')
                """)[0]
            #expect(try row.decode(Bool.self, at: 0) == false, "the service role is not a member of the scheduler role")
            #expect(try row.decode(Bool.self, at: 1) == false && row.decode(Bool.self, at: 2) == false)
            #expect(try row.decode(Bool.self, at: 3) == false)
        }
        // A login role that may run the scheduler's functions, or is a member of its role, is refused for the API.
        let superuser = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(try TestDatabase.superuserURL())))
        let role = "redress_sneaky_scheduler_" + String(database.name.suffix(6))
        try await superuser.query("CREATE ROLE \(unescaped: role) LOGIN IN ROLE redress_service, redress_scheduler")
        let sneaky = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(
            database.serviceURL.replacingOccurrences(of: "redress_service@", with: role + "@"))))
        let refused = await #expect(throws: DatabaseRoleCheck.Unsafe.self) { try await DatabaseRoleCheck.verify(sneaky) }
        #expect(refused?.reasons.contains { $0.contains("member of redress_scheduler") } == true)
        await sneaky.shutdown()
        try await superuser.query("DROP ROLE \(unescaped: role)")
        await superuser.shutdown()
    }

    /// A page for branch b's bot with a webhook and a pending delivery, written as the owner.
    static func addPendingDelivery(_ org: TestOrganisation, _ database: TestDatabase) async throws {
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let bot = org.b.users[.bot]!
            let complaint: UUID = try await owner.query("""
                INSERT INTO complaints (branch_id, case_number, channel, description)
                VALUES (\(org.b.id), 'SOUTH-F13', 'phone', 'f13') RETURNING id
                """)[0].decode(at: 0)
            let escalation: UUID = try await owner.query("""
                INSERT INTO escalations (branch_id, complaint_id, tier, due_at, late_seconds)
                VALUES (\(org.b.id), \(complaint), 1, now(), 0) RETURNING id
                """)[0].decode(at: 0)
            let webhook: UUID = try await owner.query("""
                INSERT INTO webhooks (branch_id, user_id, url, secret)
                VALUES (\(org.b.id), \(bot), 'https://hooks.south.example/x', 'whs_SOUTH_BRANCH_SECRET_0123456789abcdef')
                RETURNING id
                """)[0].decode(at: 0)
            let page: UUID = try await owner.query("""
                INSERT INTO pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary)
                VALUES (\(org.b.id), \(escalation), \(complaint), 1, 1, 'bots', \(bot), false, '{}') RETURNING id
                """)[0].decode(at: 0)
            _ = try await owner.query("INSERT INTO page_deliveries (branch_id, page_id, webhook_id) VALUES (\(org.b.id), \(page), \(webhook))")
        }
    }
}
