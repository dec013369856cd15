import Postgres

/// Refuses to serve through a database role that would bypass row-level security.
public enum DatabaseRoleCheck {
    /// What the checked role is for.
    public enum Purpose: Sendable {
        /// The API (`redress_service`): must not reach the scheduler's functions either.
        case api
        /// The scheduler (`redress_scheduler`).
        case scheduler
    }

    /// What makes a role unsafe for serving requests.
    public struct Unsafe: Error, CustomStringConvertible {
        /// The reasons, for the operator.
        public let reasons: [String]
        /// One line naming the role's problems and the fix.
        public var description: String {
            "refusing to serve: the database role could bypass row-level security (\(reasons.joined(separator: "; "))). "
                + "Connect as the service role (redress_service), which owns nothing and has no BYPASSRLS, "
                + "and run the scheduler as redress_scheduler."
        }
    }

    /// Throws `Unsafe` when the pool's role is a superuser, has BYPASSRLS, owns any table, is a
    /// member of `redress_platform` (the operators' role that every table's policies let through)
    /// or of `redress_audit_writer` (whose statements the audit triggers pass over),
    /// may create temporary objects (which could shadow tables inside owner-run functions) or may
    /// create objects in any schema;
    /// for the API, also when it may execute a function of the `scheduler` schema (which work
    /// across branches and hand out webhook secrets) or is a member of `redress_scheduler`.
    public static func verify(_ pool: PGPool, for purpose: Purpose = .api) async throws {
        let rows = try await pool.query("""
            SELECT r.rolname::text, r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_class c
                     WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm')
                       AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)),
                   coalesce((SELECT pg_has_role(r.oid, p.oid, 'USAGE') FROM pg_roles p WHERE p.rolname = 'redress_platform'), false),
                   has_database_privilege(r.oid, current_database(), 'TEMPORARY'),
                   coalesce((SELECT string_agg(n.nspname::text, ', ' ORDER BY n.nspname) FROM pg_namespace n
                              WHERE has_schema_privilege(r.oid, n.oid, 'CREATE')
                                AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'), ''),
                   (SELECT count(*) FROM pg_proc f
                     WHERE f.pronamespace = to_regnamespace('scheduler') AND has_function_privilege(r.oid, f.oid, 'EXECUTE')),
                   coalesce((SELECT pg_has_role(r.oid, s.oid, 'MEMBER') FROM pg_roles s WHERE s.rolname = 'redress_scheduler'), false),
                   coalesce((SELECT pg_has_role(r.oid, w.oid, 'MEMBER') FROM pg_roles w WHERE w.rolname = 'redress_audit_writer'), false)
              FROM pg_roles r WHERE r.rolname = current_user
            """)
        let row = rows[0]
        var reasons: [String] = []
        let name = try row.decode(String.self, at: 0)
        if try row.decode(Bool.self, at: 1) { reasons.append("\(name) is a superuser") }
        if try row.decode(Bool.self, at: 2) { reasons.append("\(name) has BYPASSRLS") }
        let owned = try row.decode(Int.self, at: 3)
        if owned > 0 { reasons.append("\(name) owns \(owned) table(s)") }
        if try row.decode(Bool.self, at: 4) { reasons.append("\(name) is a member of redress_platform, whose policies show every row") }
        if try row.decode(Bool.self, at: 5) {
            reasons.append("\(name) may create temporary tables (REVOKE TEMPORARY ON DATABASE … FROM PUBLIC, \(name))")
        }
        if try row.decode(Bool.self, at: 9) {
            reasons.append("\(name) is a member of redress_audit_writer, whose writes the audit triggers pass over")
        }
        let creatable = try row.decode(String.self, at: 6)
        if !creatable.isEmpty { reasons.append("\(name) may create objects in schema \(creatable)") }
        if purpose == .api {
            let scheduling = try row.decode(Int.self, at: 7)
            if scheduling > 0 { reasons.append("\(name) may execute \(scheduling) scheduler function(s)") }
            if try row.decode(Bool.self, at: 8) { reasons.append("\(name) is a member of redress_scheduler") }
        }
        if !reasons.isEmpty { throw Unsafe(reasons: reasons) }
    }
}
