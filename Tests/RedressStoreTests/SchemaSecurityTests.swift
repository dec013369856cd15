import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("Schema security: forced RLS everywhere, a powerless service role, secrets out of reach")
struct SchemaSecurityTests {
    @Test func everyTableWithABranchHasForcedRowLevelSecurity() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true) { (pool: PGPool) async throws in
            let rows = try await pool.query("""
                SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'branch_id' AND NOT a.attisdropped)
                  FROM pg_class c
                 WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                   AND c.relname <> 'schema_migrations'
                """)
            #expect(rows.count >= 6)
            for row in rows {
                let table: String = try row.decode(at: 0)
                #expect(try row.decode(Bool.self, at: 1), "\(table) has RLS enabled")
                #expect(try row.decode(Bool.self, at: 2), "\(table) has RLS forced")
                // Sign-in failures are counted for branch codes that may not exist, so they carry the code typed;
                // the secret behind made-up sign-in salts is one for the whole database; wrong access codes
                // are counted for case numbers that may not exist; rate limits count client addresses and credentials.
                #expect(try row.decode(Bool.self, at: 3)
                            || ["branches", "sign_in_failures", "sign_in_secret", "lookup_failures", "rate_counts"].contains(table),
                        "\(table) carries branch_id")
            }
            let unkeyed: [String] = try await pool.query("""
                SELECT c.conrelid::regclass::text || ' ' || c.conname
                  FROM pg_constraint c
                  JOIN pg_class t ON t.oid = c.conrelid
                 WHERE c.contype IN ('p', 'u') AND t.relnamespace = 'public'::regnamespace
                   AND t.relname NOT IN ('schema_migrations', 'branches')
                   AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) AND a.attname = 'branch_id')
                """).map { try $0.decode(at: 0) }
            #expect(unkeyed.isEmpty, "primary and unique keys without branch_id: \(unkeyed)")
        }
    }

    @Test func theServiceRoleOwnsNothingAndBypassesNothing() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { (pool: PGPool) async throws in
            let row = try await pool.query("""
                SELECT r.rolsuper, r.rolbypassrls,
                       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid),
                       (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid),
                       pg_has_role(r.oid, 'redress_platform', 'MEMBER')
                  FROM pg_roles r WHERE r.rolname = current_user
                """)[0]
            #expect(try row.decode(Bool.self, at: 0) == false)
            #expect(try row.decode(Bool.self, at: 1) == false)
            #expect(try row.decode(Int.self, at: 2) == 0)
            #expect(try row.decode(Int.self, at: 3) == 0)
            #expect(try row.decode(Bool.self, at: 4) == false)
        }
    }

    @Test func secretsAreUnreadableAndStoredOnlyAsHashes() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
            let admin = org.caller(.admin, in: org.a).scope
            for column in ["users.password_hash", "users.failed_sign_ins", "sessions.token_hash", "api_keys.key_hash", "webhooks.secret"] {
                let parts = column.split(separator: ".")
                let error = await #expect(throws: PGError.self, "\(column) is readable") {
                    try await scoped.withScope(admin) { connection in
                        try await connection.query("SELECT \(unescaped: String(parts[1])) FROM \(unescaped: String(parts[0]))")
                    }
                }
                #expect(error?.sqlState == .insufficientPrivilege)
            }
            let outcome = try await AuthStore(database: scoped).signIn(branchCode: org.a.code, login: "agent", password: TestOrganisation.password,
                                                                       client: "198.51.100.7")
            guard case .signedIn(let token, _, _, _, _) = outcome else { Issue.record("sign-in failed: \(outcome)"); return }
            // What is hashed is the token without the branch it carries (CredentialSecret).
            let unrouted = String(try #require(token.split(separator: ".").first))
            let random = String(unrouted.dropFirst(4))
            try await database.withPool(owner: true) { (owner: PGPool) async throws in
                let stored = try await owner.query("""
                    SELECT (SELECT count(*) FROM sessions WHERE token_hash = sha256(convert_to('rds_' || \(random), 'UTF8'))),
                           (SELECT count(*) FROM sessions s WHERE s::text LIKE '%' || \(random) || '%'),
                           (SELECT bool_and(password_hash LIKE '$2a$04$%') FROM users WHERE password_hash IS NOT NULL)
                    """)[0]
                #expect(try stored.decode(Int.self, at: 0) == 1, "the session is stored by its SHA-256")
                #expect(try stored.decode(Int.self, at: 1) == 0, "the token itself is stored nowhere")
                #expect(try stored.decode(Bool.self, at: 2), "passwords are bcrypt hashes")
            }
        }
    }

    @Test func accessRecordsAreWrittenByTheCallerAndCannotBeForged() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
            let agent = org.caller(.agent, in: org.a)
            let read = UUID()
            try await scoped.withScope(agent.scope) { connection in
                try await connection.query("SELECT audit.record_access(\(org.a.id), 'read', 'complaints', \(read), '{}')")
            }
            // Entries the caller may not write: someone else's, another kind, another branch, the chain's own fields.
            let forgeries: [(String, PGQuery)] = [
                ("another actor", "INSERT INTO audit_log (branch_id, actor_id, actor_roles, action, entity) VALUES (\(org.a.id), \(org.a.users[.admin]!), '{agent}', 'read', 'complaints')"),
                ("another role", "INSERT INTO audit_log (branch_id, actor_id, actor_roles, action, entity) VALUES (\(org.a.id), \(agent.userID), '{auditor}', 'read', 'complaints')"),
                ("a change", "INSERT INTO audit_log (branch_id, actor_id, actor_roles, action, entity) VALUES (\(org.a.id), \(agent.userID), '{agent}', 'update', 'complaints')"),
                ("another branch", "INSERT INTO audit_log (branch_id, actor_id, actor_roles, action, entity) VALUES (\(org.c.id), \(agent.userID), '{agent}', 'read', 'complaints')"),
                ("a sealed entry", "INSERT INTO audit_log (branch_id, actor_id, actor_roles, action, entity, seq) VALUES (\(org.a.id), \(agent.userID), '{agent}', 'read', 'complaints', 1)"),
                ("a backdated entry", "INSERT INTO audit_log (branch_id, actor_id, actor_roles, action, entity, at) VALUES (\(org.a.id), \(agent.userID), '{agent}', 'read', 'complaints', now() - interval '1 year')"),
                ("a change through the function", "SELECT audit.record_access(\(org.a.id), 'update', 'complaints', NULL, '{}')"),
            ]
            for (name, forgery) in forgeries {
                await #expect(throws: PGError.self, "\(name) is refused") {
                    try await scoped.withScope(agent.scope) { connection in try await connection.execute(forgery) }
                }
            }
            try await database.withPool(owner: true) { (owner: PGPool) async throws in
                let entries = try await owner.query("""
                    SELECT action, actor_id, entity_id FROM audit_log WHERE action IN ('read', 'export') OR actor_id = \(agent.userID)
                    """)
                #expect(entries.count == 1, "only the caller's own read is recorded")
                #expect(try entries.first?.decode(UUID.self, at: 1) == agent.userID)
                #expect(try entries.first?.decode(UUID.self, at: 2) == read)
            }
        }
    }

    @Test func theAuthFunctionsAreTheOnlyWayIn() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { (pool: PGPool) async throws in
            let executable: [String] = try await pool.query("""
                SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.prosecdef AND has_function_privilege(current_user, p.oid, 'EXECUTE')
                   AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                 ORDER BY 1
                """).map { try $0.decode(at: 0) }
            #expect(executable == ["audit.chain_state(uuid)",
                                   "auth.change_password(bytea,uuid,text,text,text,interval)",
                                   "auth.count_requests(text[],text[],bigint[],integer[])",
                                   "auth.mail_signature_valid(uuid,uuid,bytea,bytea)",
                                   "auth.password_setting(bytea,uuid)",
                                   "auth.resolve(bytea,uuid)",
                                   "auth.sign_in_finish(text,text,text,text,bytea,interval,interval)",
                                   "auth.sign_in_salt(text,text,text,integer)",
                                   "auth.upgrade_password_hash(text,text,text,text)",
                                   "change_branch(uuid,text,text,text)",
                                   "escalation_waits(uuid,uuid)",
                                   "library_search(text,text,uuid,text,boolean,integer)",
                                   "next_scheduled_work()",
                                   "progress.add_statement(text,bytea,text,text,integer,interval,text,integer)",
                                   "progress.admit_complainant(text,bytea,text,text,integer,interval,text)",
                                   "progress.admit_lookup(text,bytea,text,text,integer,interval)",
                                   "progress.admitted_view(text,bytea,text)",
                                   "progress.forget_failures(text)",
                                   "progress.look_up(text,bytea,text,text,integer,interval)",
                                   "progress.published_plans(text,integer)"])
        }
    }
}
