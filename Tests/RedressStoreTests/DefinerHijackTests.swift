import Foundation
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// The search-path hijack of owner-run functions: a caller's temporary table named like a real
/// one (`complaints`), with a trigger, must never be what an owner-run function reads or writes.
@Suite("Owner-run functions cannot be redirected to a caller's temporary objects")
struct DefinerHijackTests {
    /// Our schemas; extension functions (pgcrypto's, in C) are not ours to check.
    static let schemas = "'public', 'auth', 'scope', 'scheduler', 'audit', 'reports', 'retention'"

    /// Triggers and helpers run as whoever fires them; when an owner-run function fires them they
    /// run inside its pinned path, and their tables are qualified (the next test).
    @Test func everyDefinerFunctionPinsItsPathWithTempLast() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let rows = try await owner.query("""
                SELECT p.oid::regprocedure::text, coalesce(array_to_string(p.proconfig, ';'), '')
                  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                 WHERE p.pronamespace::regnamespace::text IN (\(unescaped: Self.schemas))
                   AND l.lanname IN ('sql', 'plpgsql')
                   AND p.prosecdef
                """)
            #expect(rows.count >= 20, "the catalogue holds the owner-run functions")
            for row in rows {
                let name: String = try row.decode(at: 0)
                let config: String = try row.decode(at: 1)
                let path = config.split(separator: ";").first { $0.hasPrefix("search_path=") }
                #expect(path?.hasSuffix("pg_temp") == true, "\(name) pins search_path with pg_temp last: \(config)")
            }
        }
    }

    @Test func everyRelationInAFunctionBodyIsSchemaQualified() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            // A table name right after FROM, JOIN, INTO, UPDATE, TABLE or ONLY, not followed by a
            // dot, is looked up in the search path; `public.complaints` is not. Every function that
            // can run with the owner's rights counts: definer functions, triggers, and whatever the
            // service cannot call itself. (What the service calls with its own rights, such as the
            // reports, could only be fooled by its own temporary tables.)
            let rows = try await owner.query("""
                WITH relations AS (
                    SELECT string_agg(c.relname, '|') AS names FROM pg_class c
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                )
                SELECT p.oid::regprocedure::text, (regexp_match(p.prosrc,
                           '(?:from|join|into|update|table|only)\\s+(?:' || r.names || ')\\M(?!\\s*\\.)', 'i'))[1]
                  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, relations r
                 WHERE p.pronamespace::regnamespace::text IN (\(unescaped: Self.schemas))
                   AND l.lanname IN ('sql', 'plpgsql')
                   AND (p.prosecdef OR p.prorettype = 'trigger'::regtype OR NOT has_function_privilege('redress_service', p.oid, 'EXECUTE'))
                   AND p.prosrc ~* ('(?:from|join|into|update|table|only)\\s+(?:' || r.names || ')\\M(?!\\s*\\.)')
                """)
            let unqualified = try rows.map { try $0.decode(String.self, at: 0) }
            #expect(unqualified.isEmpty, "functions naming a relation without its schema: \(unqualified)")
        }
    }

    @Test func theServiceRoleCannotCreateTemporaryTables() async throws {
        let database = try await TestDatabase.create()
        let connection = try await PGConnection.connect(PGConnectionConfiguration(database.serviceURL))
        defer { connection.close() }
        let error = await #expect(throws: PGError.self) {
            try await connection.executeScript("CREATE TEMP TABLE complaints (branch_id uuid, id uuid)")
        }
        #expect(error?.sqlState == .insufficientPrivilege)
        let privileges = try await connection.query("""
            SELECT has_database_privilege(current_user, current_database(), 'TEMPORARY'),
                   EXISTS (SELECT FROM pg_namespace n WHERE has_schema_privilege(current_user, n.oid, 'CREATE')
                            AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%')
            """)[0]
        #expect(try privileges.decode(Bool.self, at: 0) == false, "TEMPORARY is revoked")
        #expect(try privileges.decode(Bool.self, at: 1) == false, "no schema takes the service's objects")
    }

    /// The review's attack, with the first layer (no TEMPORARY) taken away on purpose: the service
    /// role, and the scheduler role, which runs most owner functions, shadow every table with a
    /// temporary one whose statement trigger raises, then call every definer function they may
    /// execute. Each call must end exactly as it does without shadows. A deliberately unpinned,
    /// unqualified probe function shows the comparison would notice.
    @Test(arguments: ["redress_service", "redress_scheduler"])
    func shadowTablesChangeNothingAnOwnerRunFunctionDoes(role: String) async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let superuser = try await PGConnection.connect(PGConnectionConfiguration(try database.superuserURL()))
        defer { superuser.close() }
        try await superuser.executeScript("""
            GRANT TEMPORARY ON DATABASE \(database.name) TO \(role);
            SET ROLE redress_owner;
            CREATE FUNCTION public.unpinned_probe() RETURNS bigint LANGUAGE sql SECURITY DEFINER
                SET search_path = pg_catalog, public AS $$ SELECT count(*) FROM complaints $$;
            GRANT EXECUTE ON FUNCTION public.unpinned_probe() TO \(role);
            """)
        let attacker = try await PGConnection.connect(PGConnectionConfiguration(
            role == "redress_service" ? database.serviceURL : database.schedulerURL))
        defer { attacker.close() }
        try await attacker.executeScript("""
            SELECT set_config('redress.user_id', '\(org.a.users[.branchManager]!.uuidString.lowercased())', false),
                   set_config('redress.roles', '{branch_manager}', false),
                   set_config('redress.branch_ids', '{\(org.a.id.uuidString.lowercased())}', false),
                   set_config('redress.case_branch_ids', '{\(org.a.id.uuidString.lowercased())}', false)
            """)
        let calls = try await Self.definerCalls(attacker, branch: org.a.id)
        #expect(calls.count >= 4, "every definer function \(role) may call: \(calls)")
        let honest = try await Self.outcomes(of: calls, attacker)
        try await attacker.executeScript("""
            CREATE FUNCTION pg_temp.payload() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'hijacked: running as %', current_user;
            END $$;
            DO $$
            DECLARE
                relation text;
            BEGIN
                FOR relation IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' LOOP
                    EXECUTE format('CREATE TEMP TABLE %I (shadow integer)', relation);
                    EXECUTE format('INSERT INTO pg_temp.%I VALUES (1)', relation);
                    EXECUTE format('CREATE TRIGGER payload BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.%I '
                                   'FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.payload()', relation);
                END LOOP;
            END $$;
            """)
        let shadowed = try await Self.outcomes(of: calls, attacker)
        for call in calls where call != "SELECT * FROM public.unpinned_probe()" {
            #expect(shadowed[call] == honest[call], "\(role) \(call): \(honest[call] ?? "?") became \(shadowed[call] ?? "?")")
            #expect(shadowed[call]?.contains("hijacked") == false)
        }
        #expect(honest["SELECT * FROM public.unpinned_probe()"] != shadowed["SELECT * FROM public.unpinned_probe()"],
                "the comparison notices a function that reads the caller's temporary table")
    }

    /// One call of every SECURITY DEFINER function the service may execute, with plain arguments
    /// of each type (a real branch id for uuids).
    static func definerCalls(_ connection: PGConnection, branch: UUID) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT p.pronamespace::regnamespace::text || '.' || p.proname,
                   ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) AS t)
              FROM pg_proc p
             WHERE p.prosecdef AND p.prorettype <> 'trigger'::regtype
               AND has_function_privilege(current_user, p.oid, 'EXECUTE')
               AND p.pronamespace::regnamespace::text IN (\(unescaped: schemas))
             ORDER BY 1
            """)
        let literals: [String: String] = [
            "integer": "10", "bigint": "10", "smallint": "1::smallint", "interval": "interval '1 day'", "boolean": "false",
            "uuid": "'\(branch.uuidString.lowercased())'::uuid", "bytea": "sha256('x'::bytea)", "text": "'x'",
            "jsonb": "'{}'::jsonb", "timestamp with time zone": "now()", "date": "current_date",
        ]
        return try rows.map { row in
            let name: String = try row.decode(at: 0)
            let types: [String] = try row.decode(at: 1)
            return "SELECT * FROM \(name)(" + types.map { literals[$0] ?? "NULL::\($0)" }.joined(separator: ", ") + ")"
        }
    }

    /// How each call ends, in a transaction rolled back afterwards: "ok" with its row count, or
    /// the error's SQLSTATE and message.
    static func outcomes(of calls: [String], _ connection: PGConnection) async throws -> [String: String] {
        var outcomes: [String: String] = [:]
        for call in calls {
            try await connection.executeScript("BEGIN")
            do {
                let rows = try await connection.query(PGQuery(unsafeSQL: call))
                outcomes[call] = "ok \(rows.count)"
            } catch let error as PGError {
                outcomes[call] = "\(error.sqlState?.rawValue ?? "?") \(error.message)"
            }
            try await connection.executeScript("ROLLBACK")
        }
        return outcomes
    }
}
