import Postgres

/// Who writes a burst's audit entries: as installed (the claims enter their own, statement
/// triggers the rest), row triggers instead of statement triggers (as on Citus), the triggers
/// alone (the claims handed back to the owner, whom the triggers do not pass over), or nobody.
enum EscalationAudit {
    case installed
    case byRow
    case triggersAlone
    case rowTriggersAlone
    case none

    /// Sets it up as the owner. `claims` are the functions that run as `redress_audit_writer`
    /// when installed (`sql/0088`), read before the first change by `writerFunctions`.
    func apply(_ owner: PGPool, claims: [String]) async throws {
        let byRow = self == .byRow || self == .rowTriggersAlone || self == .none
        _ = try await owner.query(byRow ? "SELECT audit.audit_by_row()" : "SELECT audit.audit_by_statement()")
        // Off means row triggers disabled: a disabled trigger with transition tables would still
        // have every changed row copied into them.
        let enabled = self != .none
        let triggers = try await owner.query("""
            SELECT format('ALTER TABLE %s %s TRIGGER %I', t.tgrelid::regclass, CASE WHEN \(enabled) THEN 'ENABLE' ELSE 'DISABLE' END, t.tgname)
              FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE p.pronamespace = 'audit'::regnamespace AND NOT t.tgisinternal
            """).map { try $0.decode(String.self, at: 0) }
        for statement in triggers { _ = try await owner.query(PGQuery(unsafeSQL: statement)) }
        // The writer needs CREATE on the schema to be made an owner, as in the migration.
        let owningRole = self == .installed || self == .byRow ? "redress_audit_writer" : "CURRENT_USER"
        try await owner.withConnection { connection in
            try await connection.executeScript("GRANT CREATE ON SCHEMA scheduler TO redress_audit_writer")
            for function in claims {
                try await connection.executeScript("ALTER FUNCTION \(function) OWNER TO \(owningRole)")
            }
            try await connection.executeScript("REVOKE CREATE ON SCHEMA scheduler FROM redress_audit_writer")
        }
    }

    /// The functions the writer owns, as installed.
    static func writerFunctions(_ owner: PGPool) async throws -> [String] {
        try await owner.query("""
            SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proowner = 'redress_audit_writer'::regrole ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
    }
}
