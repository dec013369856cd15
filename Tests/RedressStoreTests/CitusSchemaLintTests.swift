import Foundation
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// The rules a schema distributed by branch on Citus needs (`docs/scaling.md`, "Rules for SQL"),
/// read from the catalog of a migrated plain PostgreSQL database. Each rule lists what breaks it.
@Suite("Citus schema lint, on plain PostgreSQL")
struct CitusSchemaLintTests {
    /// Citus refuses any sub-select in a policy on a distributed table. On plain PostgreSQL the
    /// policies read their scope functions in a sub-select, once per statement, which `redress
    /// citus distribute` rewrites as direct calls (`CitusDistribution.direct`); no other sub-select.
    @Test func policiesHoldNoSubSelectsButTheScopeFunctions() async throws {
        let database = try await TestDatabase.create()
        let policies = try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { try await CitusDistribution.blockers(on: $0) }
        }
        #expect(policies.isEmpty, "policies holding a sub-select: \(policies)")
    }

    /// Transition tables are not found by Citus's executor on shards; notifications sent from a
    /// shard reach only that worker's listeners, or abort a two-phase commit. The audit's statement
    /// triggers (0070) are the one exception: `redress citus distribute` turns them into row
    /// triggers first (`audit.audit_by_row`, checked by `CitusDistributionTests`).
    @Test func tenantTriggersUseNoTransitionTablesAndSendNoNotifications() async throws {
        let transitions = try await catalog("""
            SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)
               AND t.tgfoid NOT IN ('audit.record_inserted()'::regprocedure, 'audit.record_updated()'::regprocedure,
                                    'audit.record_deleted()'::regprocedure)
            """)
        #expect(transitions.isEmpty, "triggers with transition tables: \(transitions)")
        // As `redress citus distribute` leaves them: one row trigger per audited table, naming it.
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                try await connection.executeScript("BEGIN; SELECT audit.audit_by_row();")
                let left: [String] = try await connection.query("""
                    SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE NOT t.tgisinternal AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)
                    """).map { try $0.decode(at: 0) }
                #expect(left.isEmpty, "transition tables left for Citus: \(left)")
                let rowTriggers: [String] = try await connection.query("""
                    SELECT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE t.tgfoid = 'audit.record_change()'::regprocedure AND t.tgname = 'audited' AND t.tgtype & 1 = 1
                       AND t.tgnargs = 1 AND split_part(encode(t.tgargs, 'escape'), '\\000', 1) = c.relname
                    """).map { try $0.decode(at: 0) }
                #expect(rowTriggers.count >= 30 && Set(rowTriggers).count == rowTriggers.count, "\(rowTriggers)")
                try await connection.executeScript("ROLLBACK")
            }
        }
        let notifying = try await catalog("""
            SELECT DISTINCT c.relname || '.' || t.tgname FROM pg_trigger t
              JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND p.prosrc ~* '\\mnotify\\M|pg_notify'
            """)
        #expect(notifying.isEmpty, "triggers that send notifications: \(notifying)")
    }

    /// On a shard, TG_TABLE_NAME is the shard's name (`complaints_102014`), not the table's.
    @Test func triggerFunctionsNeverReadTheirTablesName() async throws {
        let readers = try await catalog("""
            SELECT DISTINCT t.tgfoid::regproc::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND p.prosrc ~* 'tg_table_name|tg_relname'
            """)
        #expect(readers.isEmpty, "trigger functions reading TG_TABLE_NAME: \(readers)")
    }

    /// A policy cannot read a child row's complaint on Citus; every table of a complaint's rows
    /// carries the complaint's visibility, tied to it by a foreign key checked at commit
    /// (docs/scaling.md, "Child rows and their complaint").
    @Test func everyChildOfAComplaintCarriesItsVisibility() async throws {
        let children = try await catalog("""
            SELECT c.relname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE a.attname = 'complaint_id' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND NOT a.attisdropped
            """)
        #expect(children.count >= 11, "the complaint's tables were found")
        let tied = try await catalog("""
            SELECT c.conrelid::regclass::text FROM pg_constraint c
             WHERE c.contype = 'f' AND c.confrelid = 'public.complaints'::regclass AND c.condeferred
               AND (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k (attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) = '{branch_id,complaint_id,case_key}'
            """)
        // Rows of something else that name complaints carry their owner's visibility instead, tied the same way.
        let ownedElsewhere: Set<String> = ["rectification_complaints"]
        let untied = Set(children).subtracting(tied).subtracting(ownedElsewhere)
        #expect(untied.isEmpty, "tables of a complaint's rows without its visibility: \(untied.sorted())")
    }

    /// A setting made with `set_config` stays on the coordinator, where the triggers and policies
    /// that read it on a worker never see it; `SET LOCAL` is propagated.
    @Test func functionsSetSettingsWithSetLocal() async throws {
        let setters = try await catalog("""
            SELECT p.oid::regprocedure::text FROM pg_proc p
             WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND p.prosrc ~* '\\mset_config\\s*\\('
            """)
        #expect(setters.isEmpty, "functions calling set_config: \(setters)")
    }

    /// Citus refuses a transaction in which a definer's write touches placements beside the
    /// service's own statements ("modified in this transaction by a different user"); what the
    /// service writes inside its transactions, it writes with its own rights. Signing in is the
    /// exception: the store sends each of its calls alone, in a transaction of its own
    /// (`AuthStore+SignIn.swift`), and so is a person's change of their own password
    /// (`AuthStore+PasswordChange.swift`); so is an admin's change to their branch, a reference table's
    /// row, whose audit entry and deadline recomputation the owner writes (`BranchStore.update`);
    /// and so are a complainant's lookups (or, with a read replica, their admissions) and statements
    /// (`ProgressLookup.swift`) and their admission
    /// before a survey answer or a review request (`ComplainantAdmission.swift`), and the rate
    /// limits' counts (`RateCountStore`). A function counts
    /// as writing when it calls, by its qualified name, a definer function that writes.
    @Test func theServiceCallsNoDefinerFunctionThatWritesInItsTransaction() async throws {
        let writers = try await catalog("""
            WITH writing AS (
                SELECT p.oid, p.pronamespace::regnamespace::text || '.' || p.proname || '(' AS call FROM pg_proc p
                 WHERE p.prosecdef AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                   AND p.prosrc ~* '\\m(insert|update|delete)\\M')
            SELECT p.oid::regprocedure::text FROM pg_proc p
             WHERE p.prosecdef AND has_function_privilege('redress_service', p.oid, 'EXECUTE')
               AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND (p.oid IN (SELECT w.oid FROM writing w) OR EXISTS (SELECT FROM writing w WHERE strpos(p.prosrc, w.call) > 0))
            """)
        let aloneInTheirTransaction = ["auth.sign_in_finish(text,text,text,text,bytea,interval,interval)", "auth.sign_in_salt(text,text,text,integer)",
                         "auth.upgrade_password_hash(text,text,text,text)", "change_branch(uuid,text,text,text)",
                         "auth.change_password(bytea,uuid,text,text,text,interval)",
                         "progress.forget_failures(text)", "progress.add_statement(text,bytea,text,text,integer,interval,text,integer)",
                         "progress.look_up(text,bytea,text,text,integer,interval)",
                         "progress.admit_lookup(text,bytea,text,text,integer,interval)",
                         "progress.admit_complainant(text,bytea,text,text,integer,interval,text)",
                         "auth.count_requests(text[],text[],bigint[],integer[])"]
        expectOnly(writers, known: aloneInTheirTransaction, rule: "definer functions writing for the service")
    }

    /// A trigger on the reference table `branches` fires once per placement, on every node.
    @Test func theReferenceTableHasNoTriggers() async throws {
        let triggers = try await catalog("SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'public.branches'::regclass AND NOT tgisinternal")
        #expect(triggers.isEmpty, "triggers on branches: \(triggers)")
    }

    /// Citus runs `FOR UPDATE`/`SKIP LOCKED` only as a router query: one branch, named by
    /// equality on the rows the statement locks (`namesItsBranch`).
    @Test func everyClaimInTheSchemaNamesItsBranch() async throws {
        let statements = try await catalog("""
            SELECT p.oid::regprocedure::text || E'\\n' || statement FROM pg_proc p, regexp_split_to_table(p.prosrc, ';') AS statement
             WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND statement ~* \(Self.locking.replacingOccurrences(of: #"\b"#, with: #"\y"#))
            """)
        #expect(statements.count >= 6, "the claims were found")
        let breaches = statements.filter { !Self.namesItsBranch($0, branch: #"(branch\b|\$[0-9])"#) }.map { $0.prefix { $0 != "\n" } }
        #expect(breaches.isEmpty, "functions locking rows without naming one branch: \(breaches)")
    }

    /// The statements the store sends follow the same rule as the schema's functions.
    @Test func everyClaimTheStoreSendsNamesItsBranch() throws {
        let sources = Self.packageRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(files.count > 50, "the sources were found at \(sources.path)")
        var locking = 0
        var breaches: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let blocks = text.components(separatedBy: "\"\"\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            let quoted = text.split(separator: "\n").filter { !$0.contains("\"\"\"") && !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
                .flatMap { $0.matches(of: /"(?:[^"\\]|\\.)*"/).map { String($0.output) } }
            for statement in blocks + quoted where statement.range(of: Self.locking, options: [.regularExpression, .caseInsensitive]) != nil {
                locking += 1
                if !Self.namesItsBranch(statement, branch: #"\\\("#) { breaches.append(file.lastPathComponent) }
            }
        }
        #expect(locking >= 5, "the store's locking statements were found")
        #expect(breaches.isEmpty, "store statements locking rows without naming one branch: \(breaches)")
    }

    /// `FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`, `SKIP LOCKED` (any case).
    static let locking = #"for\s+(no\s+key\s+|key\s+)?(update|share)\b|skip\s+locked"#

    /// Whether `statement` compares the branch of the rows it locks with `branch` (a pattern for
    /// the value: a parameter or an interpolation), between the clause that reads them and the
    /// locking clause. The locked rows are those of `FOR UPDATE OF a`, or else of the last table
    /// read (`FROM t a`, `FROM t`) before the locking clause at the clause's depth of parentheses.
    static func namesItsBranch(_ statement: String, branch: String) -> Bool {
        let text = statement.lowercased()
        guard let clause = text.range(of: locking, options: .regularExpression) else { return false }
        var depth = 0
        var depths: [String.Index: Int] = [:]
        for index in text.indices {
            depths[index] = depth
            if text[index] == "(" { depth += 1 } else if text[index] == ")" { depth -= 1 }
        }
        let keywords: Set<String> = ["where", "join", "left", "inner", "cross", "order", "limit", "for", "group", "on", "using"]
        let reads = text[..<clause.lowerBound].matches(of: /\b(from|join)\s+(?:public\.)?([a-z_]+)(?:\s+(?:as\s+)?([a-z_]+))?/)
            .filter { depths[$0.range.lowerBound] == depths[clause.lowerBound] }
            .map { (start: $0.range.lowerBound, isFrom: $0.output.1 == "from", table: String($0.output.2),
                    alias: $0.output.3.map(String.init).flatMap { keywords.contains($0) ? nil : $0 }) }
        let named = text[clause.lowerBound...].firstMatch(of: /^for\s+(?:no\s+key\s+|key\s+)?(?:update|share)\s+of\s+([a-z_]+)/)
            .map { String($0.output.1) }
        let read = named.map { name in reads.last { ($0.alias ?? $0.table) == name } } ?? reads.last { $0.isFrom }
        guard let read else { return false }
        let column = read.alias.map { "\\b\($0)\\." } ?? "(^|[^.a-z_])"
        return text[read.start..<clause.lowerBound].range(of: column + #"branch_id\s*=\s*"# + branch, options: .regularExpression) != nil
    }

    /// A notification sent inside a statement that reads a distributed table is sent wherever
    /// Citus runs that statement: on a worker, when it names one branch. Functions send theirs in
    /// statements of their own, which run on the coordinator where the listeners are.
    @Test func functionsNotifyInStatementsThatReadNoTable() async throws {
        let statements = try await catalog("""
            WITH tables AS (
                SELECT string_agg(c.relname, '|') AS names FROM pg_class c
                 WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            )
            SELECT p.oid::regprocedure::text FROM pg_proc p, tables t, regexp_split_to_table(p.prosrc, ';') AS statement
             WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND statement ~* '\\mpg_notify\\M'
               AND statement ~* ('\\m(from|join|into|update)\\s+([a-z_]+\\.)?(' || t.names || ')\\M')
            """)
        #expect(statements.isEmpty, "functions notifying inside a statement that reads a table: \(statements)")
    }

    /// A statement that reads a distributed table is sent to the workers whole, with the
    /// functions it calls; one of those that reads a table would run a distributed query from a
    /// query on a shard, which Citus refuses. Such functions are called in statements that read
    /// no table (the claims' recipients, the report's labels).
    @Test func statementsOverTablesCallNoFunctionThatReadsTables() async throws {
        let breaches = try await catalog("""
            WITH tables AS (
                SELECT string_agg(c.relname, '|') AS names FROM pg_class c
                 WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            ), readers AS (
                SELECT n.nspname || '.' || p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, tables t
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                   AND p.prosrc ~* ('\\m(from|join|into|update)\\s+([a-z_]+\\.)?(' || t.names || ')\\M')
            )
            SELECT DISTINCT p.oid::regprocedure::text || ' calls ' || r.name
              FROM pg_proc p, tables t, regexp_split_to_table(p.prosrc, ';') AS statement, readers r
             WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND statement ~* ('\\m(from|join|into|update)\\s+([a-z_]+\\.)?(' || t.names || ')\\M')
               AND position(lower(r.name) || '(' IN lower(regexp_replace(statement, '\\s+\\(', '(', 'g'))) > 0
            """)
        // The report in one statement runs only without Citus (`reports.complaints`, 0039), and so
        // are the counts kept as complaints change read (``ReportCountsRead``, `KPIStore.report`).
        let withoutCitusOnly = ["reports.complaints_in_one_statement(date,date,date,text,uuid,uuid,text,text,smallint) calls reports.label",
                                "reports.kpi_figures_counted(date,date,uuid) calls reports.pending_counts"]
        expectOnly(breaches, known: withoutCitusOnly, rule: "statements over tables calling functions that read tables")
    }

    /// Citus cannot plan parameterised SQL-language functions that query its tables.
    @Test func functionsThatQueryTablesAreNotSQLLanguageWithParameters() async throws {
        let functions = try await catalog("""
            WITH tables AS (
                SELECT string_agg(c.relname, '|') AS names FROM pg_class c
                 WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            )
            SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, tables t
             WHERE l.lanname = 'sql' AND p.pronargs > 0
               AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
               AND p.prosrc ~* ('\\m(from|join|into|update)\\s+([a-z_]+\\.)?(' || t.names || ')\\M')
            """)
        #expect(functions.isEmpty, "parameterised SQL functions querying tables: \(functions)")
    }

    /// Citus refuses `SET NULL`/`SET DEFAULT` actions on keys that hold the distribution column.
    @Test func foreignKeysNeitherSetNullNorSetDefault() async throws {
        let keys = try await catalog("""
            SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint
             WHERE contype = 'f' AND (confdeltype IN ('n', 'd') OR confupdtype IN ('n', 'd'))
            """)
        #expect(keys.isEmpty, "foreign keys that set null or default: \(keys)")
    }

    /// The tables Citus distributes: every table with a branch, and nothing else but `branches`
    /// (reference) and three coordinator-only tables.
    @Test func everyTableIsTenantReferenceOrKnownLocal() async throws {
        let unbranched = try await catalog("""
            SELECT c.oid::regclass::text FROM pg_class c
             WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'branch_id' AND NOT a.attisdropped)
            """)
        expectOnly(unbranched, known: ["branches", "schema_migrations", "auth.sign_in_failures", "auth.sign_in_secret",
                                               "progress.lookup_failures", "auth.rate_counts"],
                   rule: "tables without branch_id")
    }

    /// A tenant table that a migration after 0025 creates is distributed by that migration, in a
    /// statement after its CREATE TABLE (`SELECT public.distribute_by_branch('public.t')`), or
    /// Citus would leave it a local table.
    @Test func laterMigrationsDistributeTheTablesTheyCreate() throws {
        let directory = Self.packageRoot.appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        let created = /(?i)CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:public\.)?([a-z_][a-z0-9_]*)(?![a-z0-9_.])/
        var found = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }.joined(separator: "\n")
            let tables = text.matches(of: created)
            found += tables.count
            guard let version = Int(file.prefix { $0.isNumber }), version > 25 else { continue }
            for table in tables {
                let call = "(?i)SELECT\\s+public\\.distribute_by_branch\\('public\\.\(table.output.1)'\\)"
                #expect(text[table.range.upperBound...].range(of: call, options: .regularExpression) != nil,
                        "\(file) creates \(table.output.1) without distributing it after")
            }
        }
        #expect(found >= 25, "the migrations' CREATE TABLE statements were found")
    }

    /// A policy statement in a migration from 0036 on goes through `public.scoped_policy`, which
    /// calls the scope functions directly once the schema is distributed (Citus refuses the
    /// sub-select in a policy on a distributed table).
    @Test func laterMigrationsWritePoliciesThroughScopedPolicy() throws {
        let directory = Self.packageRoot.appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var checked = 0
        for file in files {
            guard let version = Int(file.prefix { $0.isNumber }), version >= 36 else { continue }
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }.joined(separator: "\n")
            for statement in text.matches(of: /(?i)(CREATE|ALTER)\s+POLICY\b/) {
                checked += 1
                let before = text[..<statement.range.lowerBound]
                // The one other place is the rewrite itself (`call_scope_directly`), which builds its
                // statement from a policy the catalog already holds.
                let body = before.components(separatedBy: "$$;").last ?? ""
                let rewrite = before.hasSuffix("EXECUTE format('") && body.contains("FUNCTION public.call_scope_directly(tab regclass)")
                #expect(before.hasSuffix("public.scoped_policy($$") || rewrite, "\(file): a policy statement outside public.scoped_policy")
            }
        }
        #expect(checked >= 3, "the policy statements were found")
    }

    /// From 0056 on, a migration adds each constraint in an `ALTER TABLE` of its own (Citus refuses
    /// `ADD CONSTRAINT` beside other subcommands), names every foreign key, and one that distributes
    /// a table asks for sequential shard DDL first (a key to `branches` may not follow parallel DDL).
    @Test func laterMigrationsAddConstraintsOneAtATimeAfterSequentialDDL() throws {
        let directory = Self.packageRoot.appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var checked = 0
        for file in files {
            guard let version = Int(file.prefix { $0.isNumber }), version >= 56 else { continue }
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }.joined(separator: "\n")
            for statement in text.matches(of: /(?is)ALTER\s+TABLE\b[^;]*;/) {
                let body = String(statement.output)
                guard body.range(of: "(?i)\\bADD\\s+CONSTRAINT\\b|\\bFOREIGN\\s+KEY\\b", options: .regularExpression) != nil else { continue }
                checked += 1
                var depth = 0, topLevelCommas = 0
                for character in body {
                    switch character {
                    case "(": depth += 1
                    case ")": depth -= 1
                    case "," where depth == 0: topLevelCommas += 1
                    default: break
                    }
                }
                #expect(topLevelCommas == 0, "\(file): a constraint beside other subcommands: \(body.prefix(80))")
                #expect(body.range(of: "(?i)\\bADD\\s+FOREIGN\\s+KEY\\b", options: .regularExpression) == nil,
                        "\(file): an unnamed foreign key: \(body.prefix(80))")
            }
            if let distributes = text.range(of: "public.distribute_by_branch(") {
                let sequential = text.range(of: "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
                #expect(sequential.map { $0.lowerBound < distributes.lowerBound } == true,
                        "\(file) distributes a table without sequential shard DDL first")
            }
        }
        #expect(checked >= 5, "the constraint statements were found")
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func catalog(_ query: PGQuery) async throws -> [String] {
        let database = try await TestDatabase.create()
        return try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query(query).map { try $0.decode(String.self, at: 0) }
        }
    }

    private func expectOnly(_ found: [String], known: [String], rule: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let added = Set(found).subtracting(known).sorted()
        let gone = Set(known).subtracting(found).sorted()
        #expect(added.isEmpty, "\(rule), new: \(added)", sourceLocation: sourceLocation)
        #expect(gone.isEmpty, "\(rule): \(gone) no longer found; take them off the list", sourceLocation: sourceLocation)
    }
}
