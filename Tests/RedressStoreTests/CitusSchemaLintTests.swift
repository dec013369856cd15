import Foundation
import Postgres
import RedressTestSupport
import Testing

/// The rules a schema distributed by branch on Citus needs (`docs/scaling.md`, "Rules for SQL"),
/// read from the catalog of a migrated plain PostgreSQL database. Each rule lists what breaks it.
/// What the port has not reached yet is listed by name under `CitusPortBacklog`, the same items
/// as the guide's table of remaining work: a new breach fails the rule, and so does a listed
/// one that has gone, so the backlog can only shrink.
@Suite("Citus schema lint, on plain PostgreSQL")
struct CitusSchemaLintTests {
    /// Citus refuses any sub-select in a policy on a distributed table.
    @Test func policiesHoldNoSubSelects() async throws {
        let tables = try await catalog("""
            SELECT DISTINCT c.relname::text FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
             WHERE coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' '
                   || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ~* '\\mselect\\M'
            """)
        expectOnly(tables, known: CitusPortBacklog.tablesWithSubSelectPolicies, rule: "tables whose policies hold a sub-select")
    }

    /// Transition tables are not found by Citus's executor on shards; notifications sent from a
    /// shard reach only that worker's listeners, or abort a two-phase commit.
    @Test func tenantTriggersUseNoTransitionTablesAndSendNoNotifications() async throws {
        let transitions = try await catalog("""
            SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)
            """)
        #expect(transitions.isEmpty, "triggers with transition tables: \(transitions)")
        let notifying = try await catalog("""
            SELECT DISTINCT c.relname || '.' || t.tgname FROM pg_trigger t
              JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND p.prosrc ~* '\\mnotify\\M|pg_notify'
            """)
        expectOnly(notifying, known: CitusPortBacklog.notifyingTriggers, rule: "triggers that send notifications")
    }

    /// On a shard, TG_TABLE_NAME is the shard's name (`complaints_102014`), not the table's.
    @Test func triggerFunctionsNeverReadTheirTablesName() async throws {
        let readers = try await catalog("""
            SELECT DISTINCT t.tgfoid::regproc::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND p.prosrc ~* 'tg_table_name|tg_relname'
            """)
        #expect(readers.isEmpty, "trigger functions reading TG_TABLE_NAME: \(readers)")
    }

    /// A trigger on the reference table `branches` fires once per placement, on every node.
    @Test func theReferenceTableHasNoTriggers() async throws {
        let triggers = try await catalog("SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'public.branches'::regclass AND NOT tgisinternal")
        expectOnly(triggers, known: CitusPortBacklog.triggersOnBranches, rule: "triggers on branches")
    }

    /// Citus runs `FOR UPDATE`/`SKIP LOCKED` only as a router query: one branch, named by equality.
    @Test func everyClaimInTheSchemaNamesItsBranch() async throws {
        let functions = try await catalog("""
            SELECT p.oid::regprocedure::text FROM pg_proc p
             WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND EXISTS (SELECT FROM regexp_split_to_table(p.prosrc, ';') AS statement
                            WHERE statement ~* 'for\\s+(no\\s+key\\s+)?(update|share)|skip\\s+locked'
                              AND statement !~* 'branch_id\\s*=\\s*(branch\\M|\\$[0-9])')
            """)
        #expect(functions.isEmpty, "functions locking rows without naming one branch: \(functions)")
    }

    /// The statements the store sends follow the same rule as the schema's functions.
    @Test func everyClaimTheStoreSendsNamesItsBranch() throws {
        let sources = Self.packageRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(files.count > 50, "the sources were found at \(sources.path)")
        var breaches: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for statement in text.components(separatedBy: "\"\"\"").enumerated().filter({ $0.offset % 2 == 1 }).map(\.element)
            where statement.range(of: #"FOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)|SKIP\s+LOCKED"#, options: [.regularExpression, .caseInsensitive]) != nil
                && statement.range(of: #"branch_id\s*=\s*\\\("#, options: .regularExpression) == nil {
                breaches.append(file.lastPathComponent)
            }
            for line in text.split(separator: "\n") where !line.contains("\"\"\"") && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//")
                && line.range(of: #""[^"]*FOR UPDATE[^"]*""#, options: .regularExpression) != nil
                && !line.contains("branch_id = \\(") {
                breaches.append(file.lastPathComponent)
            }
        }
        #expect(breaches.isEmpty, "store statements locking rows without naming one branch: \(breaches)")
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
        expectOnly(functions, known: CitusPortBacklog.parameterisedSQLFunctions, rule: "parameterised SQL functions querying tables")
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
        expectOnly(unbranched, known: ["branches", "schema_migrations", "auth.sign_in_failures", "auth.sign_in_secret"],
                   rule: "tables without branch_id")
    }

    /// A tenant table that a migration after 0025 creates is distributed by that migration
    /// (`distribute_by_branch`), or Citus would leave it a local table.
    @Test func laterMigrationsDistributeTheTablesTheyCreate() throws {
        let directory = Self.packageRoot.appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var created = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let tables = text.matches(of: /(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:public\.)?([a-z_][a-z0-9_.]*)/).map { String($0.output.1) }
            created += tables.count
            guard let version = Int(file.prefix { $0.isNumber }), version > 25 else { continue }
            for table in tables {
                #expect(text.contains("distribute_by_branch('public.\(table)')") || text.contains("distribute_by_branch('\(table)')"),
                        "\(file) creates \(table) without distributing it")
            }
        }
        #expect(created >= 25, "the migrations' CREATE TABLE statements were found")
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
        #expect(gone.isEmpty, "\(rule): \(gone) no longer found; take them off CitusPortBacklog", sourceLocation: sourceLocation)
    }
}
