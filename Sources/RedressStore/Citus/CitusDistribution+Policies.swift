import Postgres

extension CitusDistribution {
    /// A policy as the catalog holds it: its quoted name, its table and its two expressions.
    struct Policy {
        var name: String
        var table: String
        var using: String?
        var check: String?

        /// The policy as `table.policy`.
        var label: String { "\(table).\(name)" }
    }

    /// A policy expression with its scope functions called directly, as Citus takes them. On plain
    /// PostgreSQL the policies read each scope function in a sub-select,
    /// `branch_id = ANY ((SELECT scope.branch_ids())::uuid[])`, evaluated once per statement;
    /// called directly it is evaluated for every row a listing filters, about a hundred times
    /// slower for a department's newest complaints (`scripts/bench rls`), so only a distributed
    /// schema pays for it.
    static func direct(_ expression: String) -> String {
        expression.replacing(#/\(\s*SELECT scope\.(\w+)\(\) AS \w+\)(?:::(?:uuid|text)\[\])?/#) { "scope.\($0.output.1)()" }
    }

    /// Every policy of the schema, with its expressions as PostgreSQL prints them.
    static func policies(on connection: PGConnection) async throws -> [Policy] {
        try await connection.query("""
            SELECT quote_ident(p.polname), p.polrelid::regclass::text, pg_get_expr(p.polqual, p.polrelid),
                   pg_get_expr(p.polwithcheck, p.polrelid)
              FROM pg_policy p ORDER BY 2, 1
            """).map { Policy(name: try $0.decode(at: 0), table: try $0.decode(at: 1), using: try $0.decode(at: 2), check: try $0.decode(at: 3)) }
    }

    /// The steps that call the scope functions directly in every policy that reads them in a
    /// sub-select, before any table is distributed (Citus refuses to distribute a table whose
    /// policies hold a sub-select).
    static func directPolicySteps(on connection: PGConnection) async throws -> [Step] {
        try await policies(on: connection).compactMap { policy in
            let using = policy.using.map(direct), check = policy.check.map(direct)
            guard using != policy.using || check != policy.check else { return nil }
            let clauses = [using.map { "USING (\($0))" }, check.map { "WITH CHECK (\($0))" }].compactMap { $0 }
            return Step(sql: "ALTER POLICY \(policy.name) ON \(policy.table) \(clauses.joined(separator: " "))",
                        purpose: "\(policy.label): its scope functions called directly (Citus takes no sub-select in a policy)")
        }
    }
}
