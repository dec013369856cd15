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
    private let citus: CitusPresence

    /// Creates a scoped database on `pool`; `citus` says whether the database has Citus, which
    /// it is asked otherwise.
    public init(pool: PGPool, configuration: StoreConfiguration = StoreConfiguration(), citus: Bool? = nil) {
        self.pool = pool
        self.configuration = configuration
        self.citus = CitusPresence(known: citus)
    }

    /// Runs `body` in a transaction that first sets `scope`'s settings with `SET LOCAL`, sent with its
    /// BEGIN and the body's first statement in one round trip (apart from the BEGIN on Citus,
    /// ``CitusPresence``): they end with
    /// the transaction and never reach the connection's next borrower (so PgBouncer's transaction
    /// pooling stays safe), and Citus passes them on to the workers whose shards the policies run on,
    /// because the script first sets `citus.propagate_set_commands = 'local'` (`set_config` values
    /// would stay behind on the coordinator). Without Citus that first setting is an unused
    /// placeholder. With `genericPlans`, the connection's prepared statements run on their generic
    /// plans in this transaction (`plan_cache_mode`), for a statement whose planning costs more than a
    /// plan for its particular values saves. COMMIT on return, ROLLBACK on throw.
    @discardableResult
    public func withScope<R>(
        _ scope: AccessScope, readOnly: Bool = false, genericPlans: Bool = false, _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        let settings = try Self.scopeSettings(scope, statementTimeout: configuration.statementTimeout)
            + (genericPlans ? ["SET LOCAL plan_cache_mode = force_generic_plan"] : [])
        let apart = try await hasCitus()
        return try await pool.withTransaction(PGTransactionOptions(readOnly: readOnly, setup: apart ? [] : settings)) { connection in
            if apart { try await connection.executeScript(settings.joined(separator: "; ")) }
            return try await body(connection)
        }
    }

    /// Whether the database has the Citus extension (asked once, ``CitusPresence``).
    func hasCitus() async throws -> Bool {
        try await citus.isPresent(in: pool)
    }

    /// The statements setting every scope variable, and the statement timeout, for the current
    /// transaction only, values as quoted literals (`SET` takes no parameters).
    static func scopeSettings(_ scope: AccessScope, statementTimeout: Duration) throws -> [String] {
        let timeout = max(1, Int(statementTimeout.inSeconds * 1000))
        return ["SET LOCAL citus.propagate_set_commands = 'local'"] + (try scope.settings.map { setting in
            "SET LOCAL \(PGLiteral.settingName(setting.name)) = \(try PGLiteral.string(setting.value))"
        }) + ["SET LOCAL statement_timeout = \(timeout)"]
    }
}
