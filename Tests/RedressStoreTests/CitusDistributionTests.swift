import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// `redress citus distribute`'s plan, read from a migrated plain PostgreSQL database: what it
/// distributes, in which order, and that its own statements (all but Citus's functions) run and
/// leave the schema as it was.
@Suite("Citus distribution plan")
struct CitusDistributionTests {
    @Test func everyTenantTableIsDistributedColocatedWithComplaints() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                let plan = try await CitusDistribution.plan(on: connection)
                let branched: [String] = try await connection.query("""
                    SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind = 'r' AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'branch_id')
                    """).map { try $0.decode(at: 0) }
                #expect(Set(plan.tenantTables) == Set(branched) && plan.tenantTables.count == branched.count)
                #expect(plan.tenantTables.first == "public.complaints" && !plan.resumed)
                #expect(plan.tenantTables.contains("public.audit_log") && plan.tenantTables.contains("public.follow_ups"),
                        "the tables the old guide forgot")

                let sql = plan.steps.map(\.sql)
                let reference = try #require(sql.firstIndex { $0.contains("create_reference_table(E'public.branches')") })
                let distributions = sql.indices.filter { sql[$0].contains("create_distributed_table(") }
                #expect(distributions.count == plan.tenantTables.count)
                #expect(sql[distributions[0]] == "SELECT pg_catalog.create_distributed_table(E'public.complaints', 'branch_id', colocate_with => 'none')")
                #expect(distributions.dropFirst().allSatisfy { sql[$0].hasSuffix("colocate_with => E'public.complaints')") })
                let drops = sql.indices.filter { sql[$0].contains(" DROP CONSTRAINT ") }
                let adds = sql.indices.filter { sql[$0].contains(" ADD CONSTRAINT ") }
                #expect(drops.count == adds.count && drops.count >= 40)
                #expect(drops.max()! < reference && reference < distributions.min()! && distributions.max()! < adds.min()!,
                        "keys dropped, branches made a reference table, tables distributed, keys added back")
                let disabled = sql.indices.filter { sql[$0].hasSuffix("DISABLE TRIGGER USER") }
                let enabled = sql.indices.filter { sql[$0].hasSuffix("ENABLE TRIGGER USER") }
                #expect(disabled.count == plan.tenantTables.count + 1 && enabled.count == disabled.count)
                #expect(disabled.max()! < reference && adds.max()! < enabled.min()!)
                let byRow = try #require(sql.firstIndex(of: "SELECT audit.audit_by_row()"), "the audit goes back to row triggers")
                #expect(byRow < disabled.min()!)
                #expect(sql.last?.hasPrefix("ALTER DATABASE ") == true && sql.last?.hasSuffix(" SET citus.enable_unsafe_triggers = on") == true)
            }
        }
    }

    /// The policies as the plan rewrites them for Citus, scope functions called directly, admit
    /// every caller to exactly the rows the per-statement form admits, and hold no sub-select but
    /// those the port has not reached.
    @Test func policiesCalledDirectlyAdmitTheSameRows() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await IsolationMatrixTests.addComplaints(org, database)
        let tables = IsolationMatrixTests.tables.map(\.0) + ["escalations", "pages", "follow_ups", "complaint_pauses", "audit_log"]
        let callers = Role.allCases.map { org.caller($0, in: org.a) } + [org.caller(.handler, in: org.b), org.caller(.executive, in: org.a)]
        func visible() async throws -> [String] {
            try await database.withPool(size: 1) { (pool: PGPool) async throws in
                let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
                var counts: [String] = []
                for caller in callers {
                    try await scoped.withScope(caller.scope, readOnly: true) { connection in
                        for table in tables {
                            let seen: Int = try await connection.query("SELECT count(*) FROM \(unescaped: table)")[0].decode(at: 0)
                            counts.append("\(caller.roles) \(caller.branchCode) \(table) \(seen)")
                        }
                    }
                }
                return counts
            }
        }
        let before = try await visible()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                let steps = try await CitusDistribution.directPolicySteps(on: connection)
                #expect(steps.count > 60, "the policies were found")
                for step in steps { try await connection.executeScript(step.sql) }
                #expect(try await CitusDistribution.blockers(on: connection).isEmpty)
                let initPlans: Int = try await connection.query("""
                    SELECT count(*) FROM pg_policy WHERE coalesce(pg_get_expr(polqual, polrelid), '') || coalesce(pg_get_expr(polwithcheck, polrelid), '')
                          LIKE '%SELECT scope.%'
                    """)[0].decode(at: 0)
                #expect(initPlans == 0)
            }
        }
        #expect(try await visible() == before)
        #expect(before.contains { $0.hasSuffix(" 0") } && before.contains { !$0.hasSuffix(" 0") }, "callers see some rows and not others")
    }

    /// The rewrite a later migration gets from `distribute_by_branch` (`call_scope_directly`, in
    /// SQL) and from `scoped_policy` (`scope_calls_direct`) is the one `redress citus distribute`
    /// makes (`CitusDistribution.direct`, in Swift).
    @Test func theSQLAndTheSwiftRewriteAgree() async throws {
        let policies = """
            SELECT polrelid::regclass::text || '.' || polname || ' ' || coalesce(pg_get_expr(polqual, polrelid), '-') || ' '
                   || coalesce(pg_get_expr(polwithcheck, polrelid), '-') FROM pg_policy ORDER BY 1
            """
        var rewritten: [[String]] = []
        for rewriter in ["call_scope_directly", "scope_calls_direct", "CitusDistribution.direct"] {
            let database = try await TestDatabase.create()
            rewritten.append(try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.withConnection { connection in
                    switch rewriter {
                    case "call_scope_directly":
                        let count: Int = try await connection.query("""
                            SELECT sum(public.call_scope_directly(c.oid))::integer FROM pg_class c
                             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                            """)[0].decode(at: 0)
                        #expect(count > 60)
                    case "scope_calls_direct":
                        let statements = try await connection.query("""
                            SELECT format('ALTER POLICY %I ON %s', polname, polrelid::regclass)
                                   || coalesce(' USING (' || public.scope_calls_direct(pg_get_expr(polqual, polrelid)) || ')', '')
                                   || coalesce(' WITH CHECK (' || public.scope_calls_direct(pg_get_expr(polwithcheck, polrelid)) || ')', '')
                              FROM pg_policy
                            """).map { try $0.decode(String.self, at: 0) }
                        for statement in statements { try await connection.executeScript(statement) }
                    default:
                        for step in try await CitusDistribution.directPolicySteps(on: connection) { try await connection.executeScript(step.sql) }
                    }
                    return try await connection.query(PGQuery(unsafeSQL: policies)).map { try $0.decode(String.self, at: 0) }
                }
            })
        }
        #expect(rewritten[0] == rewritten[2] && rewritten[1] == rewritten[2])
        #expect(!rewritten[0].contains { $0.contains("SELECT scope.") })
    }

    /// A migration's policy statement, as written in `sql/`, runs as written on plain PostgreSQL;
    /// its scope calls, written without the alias `pg_get_expr` adds, are found for a distributed
    /// schema all the same.
    @Test func aScopedPolicyRunsAsWrittenWithoutCitus() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let written = "branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND actor_id = ( SELECT scope.user_id() )"
            let direct: String = try await pool.query("SELECT public.scope_calls_direct(\(written))")[0].decode(at: 0)
            #expect(direct == "scope.listed('branch_ids', branch_id) AND actor_id = scope.user_id()")
            _ = try await pool.query("""
                SELECT public.scoped_policy('CREATE POLICY written ON public.audit_log FOR SELECT TO redress_service USING (' || \(written) || ')')
                """)
            let stored: String = try await pool.query("""
                SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = 'public.audit_log'::regclass AND polname = 'written'
                """)[0].decode(at: 0)
            #expect(stored.contains("SELECT scope.branch_ids()"), "the sub-select is kept on plain PostgreSQL")
            await #expect(throws: PGError.self, "only policy statements") {
                _ = try await pool.query("SELECT public.scoped_policy('DROP TABLE public.audit_log')")
            }
        }
    }

    /// The plan's own statements run on plain PostgreSQL and put back every key as it was.
    @Test func thePlansOwnStatementsRestoreTheSchema() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                let keys = """
                    SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
                     WHERE contype = 'f' ORDER BY 1
                    """
                let before: [String] = try await connection.query(PGQuery(unsafeSQL: keys)).map { try $0.decode(at: 0) }
                let plan = try await CitusDistribution.plan(on: connection)
                try await connection.executeScript("BEGIN")
                for setting in CitusDistribution.sessionSetup { try await connection.executeScript(setting) }
                for step in plan.steps where !step.sql.contains("pg_catalog.create_") && !step.sql.hasPrefix("ALTER DATABASE") {
                    try await connection.executeScript(step.sql)
                }
                let after: [String] = try await connection.query(PGQuery(unsafeSQL: keys)).map { try $0.decode(at: 0) }
                let disabledTriggers = try await connection.query("SELECT count(*)::integer FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")
                try await connection.executeScript("ROLLBACK")
                #expect(after == before)
                #expect(try disabledTriggers[0].decode(Int.self, at: 0) == 0)
            }
        }
    }

    /// A run that stops at a failing step keeps what is left in the database, and the next run
    /// takes it up there, once the cause is gone: nothing is lost and nothing runs twice.
    @Test func aRunThatStopsIsTakenUpWhereItStopped() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                let steps = [CitusDistribution.Step(sql: "CREATE TABLE public.first_step (x integer PRIMARY KEY)", purpose: "one"),
                             CitusDistribution.Step(sql: "CREATE TABLE public.second_step (x integer REFERENCES public.cause (x))", purpose: "two"),
                             CitusDistribution.Step(sql: "INSERT INTO public.first_step VALUES (1)", purpose: "three")]
                var ran: [String] = []
                let stopped = await #expect(throws: CitusDistributionError.self) {
                    try await CitusDistribution(tenantTables: [], steps: steps, resumed: false).runSteps(on: connection) { ran.append($0.purpose) }
                }
                guard case .stepFailed(let step, _, let left)? = stopped else { Issue.record("\(String(describing: stopped))"); return }
                #expect(step.purpose == "two" && left.map(\.purpose) == ["two", "three"] && ran == ["one", "two"])

                let resumed = try await CitusDistribution.plan(on: connection)
                #expect(resumed.resumed && resumed.steps.map(\.purpose) == ["two", "three"])
                try await connection.executeScript("CREATE TABLE public.cause (x integer PRIMARY KEY)")
                try await resumed.runSteps(on: connection) { ran.append($0.purpose) }
                #expect(ran == ["one", "two", "two", "three"])
                let after = try await connection.query("""
                    SELECT to_regclass('public.second_step') IS NOT NULL, to_regclass('public.citus_distribution_plan') IS NULL,
                           (SELECT count(*)::integer FROM public.first_step)
                    """)[0]
                #expect(try after.decode(Bool.self, at: 0) && after.decode(Bool.self, at: 1) && after.decode(Int.self, at: 2) == 1)
                #expect(try await CitusDistribution.plan(on: connection).resumed == false)
            }
        }
    }

    /// An active events webhook holds the distribution back (its feed is not supported on
    /// Citus); a deactivated one does not.
    @Test func anActiveEventFeedIsNamedBeforeAnythingIsDistributed() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                #expect(try await CitusDistribution.activeEventFeeds(on: connection).isEmpty)
                let webhook: UUID = try await connection.query("""
                    INSERT INTO webhooks (branch_id, kind, url, secret)
                    VALUES (\(org.a.id), 'events', 'https://events.example/feed', 'whs_EVENTS_FEED_SECRET_0123456789abcdef')
                    RETURNING id
                    """)[0].decode(at: 0)
                #expect(try await CitusDistribution.activeEventFeeds(on: connection) == ["\(org.a.code): \(webhook.uuidString.lowercased())"])
                #expect(CitusDistributionError.eventFeeds(["x"]).description.contains("not supported on Citus"))
                try await connection.query("UPDATE webhooks SET active = false WHERE branch_id = \(org.a.id) AND id = \(webhook)")
                #expect(try await CitusDistribution.activeEventFeeds(on: connection).isEmpty)
            }
        }
    }

    /// Without Citus the command refuses before it changes anything.
    @Test func withoutCitusNothingRuns() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                #expect(try await CitusDistribution.citusVersion(on: connection) == nil)
                let plan = try await CitusDistribution.plan(on: connection)
                var ran = 0
                await #expect(throws: CitusDistributionError.self) {
                    try await plan.run(on: connection) { _ in ran += 1 }
                }
                #expect(ran == 0)
            }
        }
    }
}
