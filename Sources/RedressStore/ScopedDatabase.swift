// RedressStore: the only place SQL text lives. Every operation a caller triggers runs in one
// transaction that starts by setting the caller's scope (`ScopedDatabase.withScope`), so the
// database's row-level security policies decide what it may see and change.
import Postgres
import RedressCore

/// The service's database, lent out one scoped transaction at a time.
public struct ScopedDatabase: Sendable {
    /// The pool of service-role connections.
    public let pool: PGPool
    /// Store settings (hash cost, session lifetime).
    public let configuration: StoreConfiguration

    /// Creates a scoped database on `pool`.
    public init(pool: PGPool, configuration: StoreConfiguration = StoreConfiguration()) {
        self.pool = pool
        self.configuration = configuration
    }

    /// Runs `body` in a transaction whose first statement sets `scope`'s settings with
    /// `set_config(…, true)`: they end with the transaction and never reach the connection's
    /// next borrower. COMMIT on return, ROLLBACK on throw.
    @discardableResult
    public func withScope<R>(
        _ scope: AccessScope, readOnly: Bool = false, _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        try await pool.withTransaction(PGTransactionOptions(readOnly: readOnly)) { connection in
            try await connection.execute(Self.scopeStatement(scope, statementTimeout: configuration.statementTimeout))
            return try await body(connection)
        }
    }

    /// One statement setting every scope variable, and the statement timeout, for the current
    /// transaction only.
    static func scopeStatement(_ scope: AccessScope, statementTimeout: Duration) -> PGQuery {
        let values = scope.settings.map(\.value)
        let timeout = String(max(1, Int(statementTimeout.inSeconds * 1000)))
        return """
            SELECT set_config('redress.user_id', \(values[0]), true),
                   set_config('redress.roles', \(values[1]), true),
                   set_config('redress.branch_ids', \(values[2]), true),
                   set_config('redress.wide_branch_ids', \(values[3]), true),
                   set_config('redress.department_ids', \(values[4]), true),
                   set_config('redress.admin_branch_ids', \(values[5]), true),
                   set_config('redress.case_branch_ids', \(values[6]), true),
                   set_config('redress.case_write_branch_ids', \(values[7]), true),
                   set_config('redress.request_id', \(values[8]), true),
                   set_config('statement_timeout', \(timeout), true)
            """
    }
}
