import Foundation
import Postgres

/// Fills the database with complaints up to a total, spread over 20 branches of six departments
/// and a year of receipt times, as the owner in batches of 100,000.
struct ComplaintVolume {
    let owner: PGPool

    func fill(to total: Int) async throws {
        try await owner.withConnection { connection in
            try await BenchBranches.create(prefix: "bench-", count: 18, connection)
            var existing: Int = try await connection.query("SELECT count(*) FROM complaints")[0].decode(at: 0)
            while existing < total {
                let batch = min(100_000, total - existing)
                FileHandle.standardError.write(Data("adding \(batch) complaints (\(existing) so far)…\n".utf8))
                try await connection.execute("""
                    WITH departments_numbered AS (
                        SELECT branch_id, id, row_number() OVER (ORDER BY branch_id, id) - 1 AS n, count(*) OVER () AS total
                          FROM departments)
                    INSERT INTO complaints (branch_id, case_number, channel, complainant_name, complainant_phone, customer_ref,
                                            received_at, description, department_id, status, priority, level)
                    SELECT d.branch_id, 'BULK-' || (\(existing) + g), (ARRAY['phone', 'web', 'email', 'app'])[1 + g % 4],
                           'Customer ' || g, '+86 1' || lpad((g % 1000000000)::text, 10, '0'), 'C' || (g % 200000),
                           now() - (g % 31536000) * interval '1 second', 'Bulk complaint ' || g || ' 账单问题',
                           d.id, (ARRAY['received', 'assigned', 'investigating', 'closed'])[1 + g % 4],
                           (ARRAY['urgent', 'important', 'general'])[1 + g % 3], (1 + g % 3)::smallint
                      FROM generate_series(1, \(batch)) g
                      JOIN departments_numbered d ON d.n = (\(existing) + g) % d.total
                    """)
                existing += batch
            }
            try await connection.executeScript("VACUUM ANALYZE complaints")
        }
    }
}
