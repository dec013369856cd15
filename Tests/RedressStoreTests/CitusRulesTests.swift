import Foundation
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// The rules a schema distributed by branch on Citus needs (`docs/scaling.md`), checked on plain
/// PostgreSQL so that no later migration breaks one unnoticed. Each rule is a query that lists
/// what breaks it; the list must be empty.
@Suite("Citus rules, held on plain PostgreSQL")
struct CitusRulesTests {
    /// A trigger fires on the worker's shard, whose name is not the table's, so audit functions
    /// never read TG_TABLE_NAME; every `audited` trigger passes its table's name instead.
    @Test func auditEntriesNameTheirTableByTheTriggersArgument() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let readers: [String] = try await pool.query("""
                SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'audit'::regnamespace AND p.prosrc ILIKE '%tg_table_name%'
                """).map { try $0.decode(at: 0) }
            #expect(readers.isEmpty, "audit functions reading TG_TABLE_NAME: \(readers)")
            // On plain PostgreSQL every audited table has its three statement triggers (0070); each
            // passes its table's name first.
            let triggers = try await pool.query("""
                SELECT c.relname::text, p.proname::text,
                       split_part(encode(t.tgargs, 'escape'), '\\000', 1)
                  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
                 WHERE p.pronamespace = 'audit'::regnamespace AND NOT t.tgisinternal
                """).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String?.self, at: 2)) }
            let tables = Set(triggers.map(\.0))
            #expect(tables.count >= 30, "the audited tables were found")
            #expect(triggers.filter { $0.1 == "record_change" }.map(\.0) == [], "row triggers left on plain PostgreSQL")
            for table in tables {
                #expect(Set(triggers.filter { $0.0 == table }.map(\.1)) == ["record_inserted", "record_updated", "record_deleted"],
                        "\(table) is audited on every event")
            }
            for (table, function, argument) in triggers {
                #expect(argument == table, "\(table)'s \(function) trigger passes \(argument ?? "nothing")")
            }
        }
    }

    /// Without its argument the audit function refuses to run rather than name a shard.
    @Test func anAuditTriggerWithoutItsTablesNameIsRefused() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                try await connection.executeScript("""
                    BEGIN;
                    CREATE OR REPLACE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON public.categories
                        FOR EACH ROW EXECUTE FUNCTION audit.record_change();
                    """)
                let refused = await #expect(throws: PGError.self) {
                    try await connection.query("UPDATE categories SET name = name || '!' WHERE branch_id = \(org.a.id)")
                }
                #expect(refused?.message.contains("needs the name of its table") == true)
                try await connection.executeScript("ROLLBACK")
            }
        }
    }

    /// On Citus a scoped transaction sends its scope apart from its BEGIN (the workers replay the
    /// text of the message that held a `SET LOCAL`), and no events webhook is made or switched on,
    /// as the feed does not hold there. Run here with the database taken for Citus.
    @Test func onCitusTheScopeTravelsAloneAndNoEventFeedStarts() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            let admin = org.caller(.admin, in: org.a).scope
            let plain = WebhookStore(database: ScopedDatabase(pool: pool))
            let citus = WebhookStore(database: ScopedDatabase(pool: pool, citus: true))
            let user: String = try await ScopedDatabase(pool: pool, citus: true).withScope(admin) { connection in
                try await connection.query("SELECT current_setting('redress.user_id')")[0].decode(at: 0)
            }
            #expect(user == org.a.users[.admin]!.uuidString.lowercased())

            await #expect(throws: StoreError.invalidValue(field: "/kind", message: "events webhooks are not supported on a database distributed by Citus")) {
                _ = try await citus.createEvents(admin, branchID: org.a.id, url: "https://events.example/feed")
            }
            let feed = try await plain.createEvents(admin, branchID: org.a.id, url: "https://events.example/feed")
            _ = try await citus.update(admin, id: feed.id, url: nil, active: false, rotateSecret: false)
            await #expect(throws: StoreError.self, "switched on again") {
                _ = try await citus.update(admin, id: feed.id, url: nil, active: true, rotateSecret: false)
            }
            #expect(try await plain.list(admin).first { $0.id == feed.id }?.active == false)
        }
    }
}
