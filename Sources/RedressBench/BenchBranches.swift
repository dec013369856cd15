import Postgres

/// Benchmark branches: `count` branches coded `<prefix>1…`, each with the six departments of a
/// typical branch. Safe to repeat.
enum BenchBranches {
    static func create(prefix: String, count: Int, _ connection: PGConnection) async throws {
        try await connection.execute("""
            SELECT public.create_branch(\(prefix) || n, 'Bench branch ' || \(prefix) || n, '', 'Asia/Shanghai')
              FROM generate_series(1, \(Int32(count))) n
             WHERE NOT EXISTS (SELECT FROM branches b WHERE b.code = \(prefix) || n)
            """)
        try await connection.execute("""
            INSERT INTO departments (branch_id, name, kind)
            SELECT b.id, k.name, k.kind FROM branches b,
                   (VALUES ('Customer Service Centre', 'customer_service'), ('Complaint Management Office', 'complaint_office'),
                           ('Network Operations', 'network_operations'), ('Billing', 'billing'), ('Product', 'product'),
                           ('Legal', 'legal')) AS k (name, kind)
             WHERE b.code LIKE \(prefix + "%")
            ON CONFLICT DO NOTHING
            """)
    }
}
