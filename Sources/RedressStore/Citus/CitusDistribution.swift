import Postgres

/// The one-off distribution of a migrated schema on a Citus coordinator (`redress citus
/// distribute`, `docs/scaling.md`): `branches` becomes a reference table and every table with a
/// `branch_id` a distributed table colocated with `complaints`.
///
/// Citus distributes a table only while no foreign key links it to a table that is not yet
/// distributed, copies existing rows with COPY (which row-level security refuses), fires user
/// triggers during that copy, and refuses a mix of DDL on reference and distributed tables in one
/// transaction, and takes no sub-select in a policy. So the plan calls the scope functions of the
/// policies directly, turns the audit's statement triggers into row triggers (Citus finds no
/// transition tables on shards), drops the foreign keys, disables user triggers, distributes table by table,
/// adds the keys back and enables the triggers, each step a statement of its own, run in its own
/// transaction. Every name in it comes from the catalog, quoted by PostgreSQL.
public struct CitusDistribution: Sendable {
    /// One statement of the plan and what it is for.
    public struct Step: Sendable, Equatable {
        public var sql: String
        public var purpose: String

        /// Creates a step.
        public init(sql: String, purpose: String) {
            self.sql = sql
            self.purpose = purpose
        }
    }

    /// The tables to distribute, `public.complaints` first (the colocation group's anchor).
    public var tenantTables: [String]
    /// The statements, in the order they must run.
    public var steps: [Step]
    /// Whether the steps are those a run that stopped left (`public.citus_distribution_plan`).
    public var resumed: Bool

    /// The table every other one is colocated with.
    static let anchor = "public.complaints"

    /// What every session running the steps sets first: names resolve as in the plan, and Citus
    /// accepts tables with triggers.
    public static let sessionSetup = ["SET search_path = pg_catalog, public", "SET citus.enable_unsafe_triggers = on"]

    /// Reads the plan on `connection` (the coordinator, as the role that will run it): the steps a
    /// run that stopped left, or else a new plan from the catalog. On plain PostgreSQL it writes the
    /// plan Citus would need, so that `--print` can be read anywhere; only `run` needs Citus.
    public static func plan(on connection: PGConnection) async throws -> CitusDistribution {
        for setting in sessionSetup { try await connection.executeScript(setting) }
        let found = try await connection.query("""
            SELECT to_regclass('public.branches') IS NOT NULL AND to_regclass('public.complaints') IS NOT NULL,
                   to_regclass('public.citus_distribution_plan') IS NOT NULL
            """)[0]
        guard try found.decode(Bool.self, at: 0) else { throw CitusDistributionError.notMigrated }
        let tables: [String] = try await connection.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND c.oid <> 'public.branches'::regclass
               AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'branch_id' AND NOT a.attisdropped)
             ORDER BY quote_ident(n.nspname) || '.' || quote_ident(c.relname) <> \(anchor), 1
            """).map { try $0.decode(at: 0) }
        if try found.decode(Bool.self, at: 1) {
            let left = try await connection.query("SELECT sql, purpose FROM public.citus_distribution_plan ORDER BY position")
                .map { Step(sql: try $0.decode(at: 0), purpose: try $0.decode(at: 1)) }
            return CitusDistribution(tenantTables: tables, steps: left, resumed: true)
        }
        let kinds = try await citusVersion(on: connection) != nil ? try await citusTables(on: connection) : [:]
        let pending = tables.filter { kinds[$0] != "distributed" }
        guard !pending.isEmpty || kinds["public.branches"] != "reference" else {
            return CitusDistribution(tenantTables: tables, steps: [], resumed: false)
        }
        let keys: [(table: String, name: String, definition: String)] = try await connection.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(k.conname), pg_get_constraintdef(k.oid)
              FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE k.contype = 'f' AND k.conrelid = ANY (\(tables + ["public.branches"])::regclass[])
             ORDER BY 1, 2
            """).map { (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2)) }
        var steps = try await directPolicySteps(on: connection)
        steps += keys.map { Step(sql: "ALTER TABLE \($0.table) DROP CONSTRAINT \($0.name)",
                                 purpose: "drop \($0.table).\($0.name) until both its tables are distributed") }
        steps.append(Step(sql: "SELECT audit.audit_by_row()",
                          purpose: "audit row by row: Citus runs no trigger with transition tables on a distributed table"))
        steps += (["public.branches"] + tables).map {
            Step(sql: "ALTER TABLE \($0) DISABLE TRIGGER USER", purpose: "keep \($0)'s triggers from firing as its rows are copied")
        }
        if kinds["public.branches"] != "reference" {
            steps.append(Step(sql: "SELECT pg_catalog.create_reference_table(\(try PGLiteral.string("public.branches")))",
                              purpose: "public.branches: a reference table, copied to every node"))
        }
        for table in pending {
            let colocation = table == anchor ? "'none'" : try PGLiteral.string(anchor)
            steps.append(Step(sql: "SELECT pg_catalog.create_distributed_table(\(try PGLiteral.string(table)), 'branch_id', "
                                 + "colocate_with => \(colocation))", purpose: "\(table): distributed by branch_id"))
        }
        steps += keys.map { Step(sql: "ALTER TABLE \($0.table) ADD CONSTRAINT \($0.name) \($0.definition)",
                                 purpose: "add \($0.table).\($0.name) back") }
        steps += (["public.branches"] + tables).map { Step(sql: "ALTER TABLE \($0) ENABLE TRIGGER USER", purpose: "\($0)'s triggers fire again") }
        let database: String = try await connection.query("SELECT quote_ident(current_database())")[0].decode(at: 0)
        steps.append(Step(sql: "ALTER DATABASE \(database) SET citus.enable_unsafe_triggers = on",
                          purpose: "later sessions (migrations) may create triggers on distributed tables"))
        return CitusDistribution(tenantTables: tables, steps: steps, resumed: false)
    }

    /// The Citus extension's version, or nil on plain PostgreSQL.
    public static func citusVersion(on connection: PGConnection) async throws -> String? {
        try await connection.query("SELECT extversion FROM pg_extension WHERE extname = 'citus'").first?.decode(String.self, at: 0)
    }

    /// Tables Citus knows, by kind: `distributed`, `reference` or `local` (a table Citus took into
    /// its metadata because a foreign key links it to a reference table).
    static func citusTables(on connection: PGConnection) async throws -> [String: String] {
        let rows = try await connection.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), t.citus_table_type::text
              FROM citus_tables t JOIN pg_class c ON c.oid = t.table_name JOIN pg_namespace n ON n.oid = c.relnamespace
            """)
        return Dictionary(try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }) { first, _ in first }
    }
}
