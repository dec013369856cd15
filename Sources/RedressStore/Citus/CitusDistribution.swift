import Postgres

/// The one-off distribution of a migrated schema on a Citus coordinator (`redress citus
/// distribute`, `docs/scaling.md`): `branches` becomes a reference table and every table with a
/// `branch_id` a distributed table colocated with `complaints`.
///
/// Citus distributes a table only while no foreign key links it to a table that is not yet
/// distributed, copies existing rows with COPY (which row-level security refuses, hence a
/// superuser or a BYPASSRLS role), fires user triggers during that copy, and refuses a mix of
/// DDL on reference and distributed tables in one transaction. So the plan drops the foreign
/// keys, disables user triggers, distributes table by table, adds the keys back and enables the
/// triggers, each step a statement of its own, run in its own transaction. Every name in it
/// comes from the catalog, quoted by PostgreSQL and passed as a literal.
public struct CitusDistribution: Sendable {
    /// One statement of the plan and what it is for.
    public struct Step: Sendable, Equatable {
        public var sql: String
        public var purpose: String
    }

    /// The tables to distribute, `complaints` first (the colocation group's anchor).
    public var tenantTables: [String]
    /// Whether `branches` is a reference table already.
    public var branchesAreReference: Bool
    /// The statements, in the order they must run.
    public var steps: [Step]

    /// The table every other one is colocated with.
    static let anchor = "complaints"

    /// Reads the catalog on `connection` (the coordinator, as the role that will run the plan)
    /// and writes the plan. On plain PostgreSQL it writes the plan Citus would need, so that
    /// `--print` can be read anywhere; only `run` needs Citus.
    public static func plan(on connection: PGConnection) async throws -> CitusDistribution {
        let migrated = try await connection.query("SELECT to_regclass('public.branches') IS NOT NULL AND to_regclass('public.complaints') IS NOT NULL")
        guard try migrated[0].decode(Bool.self, at: 0) else { throw CitusDistributionError.notMigrated }
        let citus = try await citusVersion(on: connection) != nil
        let distributed = citus ? try await distributedTables(on: connection) : [:]
        let tables: [String] = try await connection.query("""
            SELECT c.oid::regclass::text FROM pg_class c
             WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               AND c.oid <> 'public.branches'::regclass
               AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'branch_id' AND NOT a.attisdropped)
             ORDER BY c.oid::regclass::text <> \(anchor), c.oid::regclass::text
            """).map { try $0.decode(at: 0) }
        let keys: [(table: String, name: String, definition: String)] = try await connection.query("""
            SELECT k.conrelid::regclass::text, quote_ident(k.conname), pg_get_constraintdef(k.oid)
              FROM pg_constraint k
             WHERE k.contype = 'f' AND k.conrelid = ANY (\(tables + ["branches"])::regclass[])
             ORDER BY k.conrelid::regclass::text, k.conname
            """).map { (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2)) }
        let pending = tables.filter { distributed[$0] != "distributed" }
        let branchesAreReference = distributed["branches"] == "reference"
        var steps: [Step] = []
        if pending.isEmpty && branchesAreReference {
            return CitusDistribution(tenantTables: tables, branchesAreReference: true, steps: [])
        }
        for key in keys {
            steps.append(Step(sql: "ALTER TABLE \(key.table) DROP CONSTRAINT \(key.name)",
                              purpose: "drop \(key.table).\(key.name) until both its tables are distributed"))
        }
        for table in ["branches"] + tables {
            steps.append(Step(sql: "ALTER TABLE \(table) DISABLE TRIGGER USER", purpose: "keep \(table)'s triggers from firing as its rows are copied"))
        }
        if !branchesAreReference {
            steps.append(Step(sql: "SELECT pg_catalog.create_reference_table(\(try PGLiteral.string("branches")))",
                              purpose: "branches: a reference table, copied to every node"))
        }
        for table in pending {
            let colocation = table == anchor ? "'none'" : try PGLiteral.string(anchor)
            steps.append(Step(sql: "SELECT pg_catalog.create_distributed_table(\(try PGLiteral.string(table)), 'branch_id', "
                                 + "colocate_with => \(colocation))",
                              purpose: "\(table): distributed by branch_id"))
        }
        for key in keys {
            steps.append(Step(sql: "ALTER TABLE \(key.table) ADD CONSTRAINT \(key.name) \(key.definition)",
                              purpose: "add \(key.table).\(key.name) back"))
        }
        for table in ["branches"] + tables {
            steps.append(Step(sql: "ALTER TABLE \(table) ENABLE TRIGGER USER", purpose: "\(table)'s triggers fire again"))
        }
        return CitusDistribution(tenantTables: tables, branchesAreReference: branchesAreReference, steps: steps)
    }

    /// Runs the plan on a Citus coordinator, one step per transaction, reporting each before it
    /// runs. Refuses without Citus, and without the right to copy rows past row-level security.
    /// A step that fails stops the run; the error says which steps were left, to run by hand.
    public func run(on connection: PGConnection, before: (Step) -> Void) async throws {
        guard try await Self.citusVersion(on: connection) != nil else { throw CitusDistributionError.noCitus }
        let mayCopy = try await connection.query("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        guard try mayCopy.first?.decode(Bool.self, at: 0) == true else { throw CitusDistributionError.rowSecurityInTheWay }
        let blockers = try await Self.blockers(on: connection)
        guard blockers.isEmpty else { throw CitusDistributionError.schemaNotReady(blockers) }
        try await connection.executeScript("SET citus.enable_unsafe_triggers = on")
        for (index, step) in steps.enumerated() {
            before(step)
            do {
                try await connection.executeScript(step.sql)
            } catch let error as PGError {
                throw CitusDistributionError.stepFailed(step, error.message, left: Array(steps[index...]))
            }
        }
        if !steps.isEmpty {
            try await connection.executeScript("ALTER DATABASE \(try await Self.databaseName(on: connection)) SET citus.enable_unsafe_triggers = on")
        }
    }

    /// What Citus would refuse half-way through the plan, found before anything changes: the
    /// policies holding a sub-select (`Subqueries are not supported in policies on distributed
    /// tables`), as `table.policy`.
    public static func blockers(on connection: PGConnection) async throws -> [String] {
        try await connection.query("""
            SELECT c.oid::regclass::text || '.' || p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
             WHERE coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' '
                   || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ~* '\\mselect\\M'
             ORDER BY 1
            """).map { try $0.decode(at: 0) }
    }

    /// The Citus extension's version, or nil on plain PostgreSQL.
    public static func citusVersion(on connection: PGConnection) async throws -> String? {
        try await connection.query("SELECT extversion FROM pg_extension WHERE extname = 'citus'").first?.decode(String.self, at: 0)
    }

    /// Tables Citus already knows, by kind: `distributed`, `reference` or `local` (a table Citus
    /// took into its metadata because a foreign key links it to a reference table).
    static func distributedTables(on connection: PGConnection) async throws -> [String: String] {
        let rows = try await connection.query("SELECT table_name::text, citus_table_type::text FROM citus_tables")
        return Dictionary(try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }) { first, _ in first }
    }

    static func databaseName(on connection: PGConnection) async throws -> String {
        try await connection.query("SELECT quote_ident(current_database())")[0].decode(at: 0)
    }
}

/// Why `redress citus distribute` stopped.
public enum CitusDistributionError: Error, CustomStringConvertible {
    case noCitus
    case notMigrated
    case rowSecurityInTheWay
    case schemaNotReady([String])
    case stepFailed(CitusDistribution.Step, String, left: [CitusDistribution.Step])

    public var description: String {
        switch self {
        case .noCitus:
            return "this database has no citus extension: run `CREATE EXTENSION citus` on the coordinator and add the workers first"
        case .notMigrated:
            return "this database has no Redress schema: run `redress migrate` against it first (as the owner)"
        case .rowSecurityInTheWay:
            return "connect as a superuser or a role with BYPASSRLS: Citus copies existing rows with COPY, which row-level security refuses"
        case let .schemaNotReady(blockers):
            return "the schema is not ready for Citus (docs/scaling.md, \"Rules for SQL\"); nothing was changed. "
                + "\(blockers.count) policies hold sub-selects, which Citus refuses: \(blockers.prefix(5).joined(separator: ", "))"
                + (blockers.count > 5 ? ", …" : "")
        case let .stepFailed(step, message, left):
            return "\(step.purpose) failed: \(message)\nsteps left, to run by hand in this order once the cause is fixed:\n"
                + left.map { "  \($0.sql);" }.joined(separator: "\n")
        }
    }
}
