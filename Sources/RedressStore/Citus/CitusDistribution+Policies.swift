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

    /// A policy expression with its scope functions called directly, as Citus takes them, as
    /// `public.scope_calls_direct` (sql/0060) rewrites it. On plain PostgreSQL the policies read
    /// each scope function in a sub-select, `branch_id = ANY ((SELECT scope.branch_ids())::uuid[])`,
    /// evaluated once per statement. Called directly, such a membership test would be an index
    /// condition the planner judges to match almost nothing (a department's newest complaints a
    /// hundred times slower, `scripts/bench rls --citus-policies`), so it becomes
    /// `scope.listed('branch_ids', branch_id)`, which no index takes; any other read of a scope
    /// function becomes a direct call.
    static func direct(_ expression: String) -> String {
        expression
            .replacing(#/([[:alnum:]_.]+)\s*=\s*ANY\s*\(\s*\(\s*SELECT\s+scope\.(\w+)\(\)(?:\s+AS\s+\w+)?\s*\)::uuid\[\]\s*\)/#.ignoresCase()) {
                "scope.listed('\($0.output.2)', \($0.output.1))"
            }
            .replacing(#/\(\s*SELECT\s+scope\.(\w+)\(\)(?:\s+AS\s+\w+)?\s*\)(?:::(?:uuid|text)\[\])?/#.ignoresCase()) { "scope.\($0.output.1)()" }
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
