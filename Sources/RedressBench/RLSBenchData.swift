import Foundation
import Postgres

/// The RLS benchmark's data set: migrated schema, branches, departments, and `bench_cases`, a
/// department-owned table protected by a department-scoped policy over the scope settings of
/// `sql/0002_scope.sql`, the shape complaint tables use.
struct RLSBenchData {
    let ownerURL: String
    let sqlDirectory: String

    /// Creates (or reuses, when the row count matches) the data set, with the department-scoped
    /// policy in the form the schema's policies take on plain PostgreSQL (each scope function in a
    /// sub-select), or with the scope functions called directly, as `redress citus distribute`
    /// rewrites them (`citusPolicies`); returns every department.
    func prepare(rows: Int, branches: Int, citusPolicies: Bool) async throws -> [(branch: UUID, department: UUID)] {
        let connection = try await PGConnection.connect(PGConnectionConfiguration(ownerURL))
        defer { connection.close() }
        try await PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: sqlDirectory))).migrate(connection)
        let existing: Int = try await connection.query("""
            SELECT coalesce((SELECT reltuples::bigint FROM pg_class WHERE relname = 'bench_cases'), -1)
            """)[0].decode(at: 0)
        if abs(existing - rows) > rows / 100 {
            FileHandle.standardError.write(Data("generating \(rows) rows…\n".utf8))
            try await generate(rows: rows, branches: branches, connection)
        }
        // A department belongs to one branch (the composite foreign key), so "in a wide branch or in
        // one of my departments" needs no separate branch test.
        // The restrictive policies that confine a complainant's transaction to their complaint
        // (sql/0057) apply to changes only, not to this listing: on reads they made the planner
        // misjudge it, at about 80 times its cost.
        try await connection.executeScript("""
            DROP POLICY IF EXISTS visible ON bench_cases;
            CREATE POLICY visible ON bench_cases FOR SELECT TO redress_service
                USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                       OR department_id = ANY ((SELECT scope.department_ids())::uuid[]));
            """)
        if citusPolicies {
            try await connection.query("SELECT public.call_scope_directly('public.bench_cases')")
        }
        return try await connection.query("""
            SELECT d.branch_id, d.id FROM departments d JOIN branches b ON b.id = d.branch_id
             WHERE b.code LIKE 'bench-%' ORDER BY 1, 2
            """).map { (try $0.decode(UUID.self, at: 0), try $0.decode(UUID.self, at: 1)) }
    }

    private func generate(rows: Int, branches: Int, _ connection: PGConnection) async throws {
        try await connection.executeScript("""
            DROP TABLE IF EXISTS bench_cases;
            DELETE FROM departments WHERE branch_id IN (SELECT id FROM branches WHERE code LIKE 'bench-%');
            DELETE FROM branches WHERE code LIKE 'bench-%';
            SELECT public.create_branch('bench-' || n, 'Bench branch ' || n, '', 'Asia/Shanghai') FROM generate_series(1, \(branches)) n;
            INSERT INTO departments (branch_id, name, kind)
                SELECT b.id, k.kind, k.kind FROM branches b,
                       unnest(ARRAY['customer_service', 'complaint_office', 'network_operations', 'billing', 'product', 'legal']) k(kind)
                 WHERE b.code LIKE 'bench-%';
            CREATE TABLE bench_cases (
                branch_id      uuid NOT NULL REFERENCES branches (id),
                id             uuid NOT NULL DEFAULT gen_random_uuid(),
                department_id  uuid NOT NULL,
                status         text NOT NULL,
                received_at    timestamptz NOT NULL,
                subject        text NOT NULL,
                PRIMARY KEY (branch_id, id),
                FOREIGN KEY (branch_id, department_id) REFERENCES departments (branch_id, id)
            );
            WITH departments_numbered AS (
                SELECT branch_id, id, row_number() OVER (ORDER BY branch_id, id) - 1 AS n, count(*) OVER () AS total
                  FROM departments WHERE branch_id IN (SELECT id FROM branches WHERE code LIKE 'bench-%'))
            INSERT INTO bench_cases (branch_id, department_id, status, received_at, subject)
            SELECT d.branch_id, d.id, (ARRAY['received', 'assigned', 'investigating', 'closed'])[1 + g % 4],
                   now() - g * interval '17 seconds', md5(g::text)
              FROM generate_series(0, \(rows - 1)) g
              JOIN departments_numbered d ON d.n = g % d.total;
            CREATE INDEX bench_cases_listing ON bench_cases (branch_id, department_id, received_at DESC, id DESC);
            ALTER TABLE bench_cases ENABLE ROW LEVEL SECURITY;
            ALTER TABLE bench_cases FORCE ROW LEVEL SECURITY;
            CREATE POLICY platform ON bench_cases TO redress_platform USING (true) WITH CHECK (true);
            GRANT SELECT ON bench_cases TO redress_service;
            """)
        try await connection.executeScript("VACUUM ANALYZE bench_cases")
    }
}
