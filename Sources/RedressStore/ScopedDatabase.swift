// RedressStore: the only place SQL text lives. Every operation a caller triggers runs in one
// transaction that starts by setting the caller's scope (`ScopedDatabase.withScope`), so the
// database's row-level security policies decide what it may see and change.
import Metrics
import Postgres
import RedressCore

/// The service's database, lent out one scoped transaction at a time.
public struct ScopedDatabase: Sendable {
    /// The pool of service-role connections.
    public let pool: PGPool
    /// Store settings (hash cost, session lifetime).
    public let configuration: StoreConfiguration
    /// The standby that serves reads which may be a little stale, if any (``forStaleReads()``).
    public let replica: ReadReplica?
    private let citus: CitusPresence

    /// Creates a scoped database on `pool`; `citus` says whether the database has Citus, which
    /// it is asked otherwise.
    public init(pool: PGPool, configuration: StoreConfiguration = StoreConfiguration(), citus: Bool? = nil,
                replica: ReadReplica? = nil) {
        self.pool = pool
        self.configuration = configuration
        self.replica = replica
        self.citus = CitusPresence(known: citus)
    }

    /// The database a read that may be a little stale goes to: the replica while its lag is
    /// within bounds, else this one.
    func forStaleReads() async -> ScopedDatabase {
        guard let replica, await replica.serves() else { return self }
        return ScopedDatabase(pool: replica.pool, configuration: configuration, citus: try? await hasCitus())
    }

    /// Runs `read` on the database for reads that may be a little stale (``forStaleReads()``);
    /// when the replica fails it, on this one.
    func readingStale<T>(_ read: (ScopedDatabase) async throws -> T) async throws -> T {
        let reading = await forStaleReads()
        if reading.pool !== pool, let answer = try await Self.unlessTheReplicaFails({ try await read(reading) }) { return answer }
        return try await read(self)
    }

    /// What `read` on the replica answers; nil, counted in `redress_read_replica_failures_total`,
    /// when the replica fails it (a lost connection, a conflict with recovery). A statement the
    /// replica cancelled for taking too long is thrown, not run again elsewhere.
    static func unlessTheReplicaFails<T>(_ read: () async throws -> T) async throws -> T? {
        do {
            return try await read()
        } catch let error as PGError where error.isConnectionLevel || error.sqlState == .serializationFailure {
            Counter(label: "redress_read_replica_failures_total").increment()
            return nil
        }
    }

    /// Runs `body` in a transaction that first sets `scope`'s settings: they end with the
    /// transaction and never reach the connection's next borrower (so PgBouncer's transaction
    /// pooling stays safe). Without Citus they are one prepared `set_config` statement sent with the
    /// BEGIN and the body's first statement, in one round trip (``scopeStatement``). On Citus they
    /// are `SET LOCAL`s in a message of their own after the BEGIN (``scopeSettings``,
    /// ``CitusPresence``), which Citus passes on to the workers whose shards the policies run on,
    /// because they first set `citus.propagate_set_commands = 'local'` (`set_config` values would
    /// stay behind on the coordinator). With `genericPlans`, the connection's prepared statements
    /// run on their generic plans in this transaction (`plan_cache_mode`), for a statement whose
    /// planning costs more than a plan for its particular values saves; with `isolation`, at that
    /// isolation level. COMMIT on return, ROLLBACK on throw.
    @discardableResult
    public func withScope<R>(
        _ scope: AccessScope, readOnly: Bool = false, genericPlans: Bool = false, isolation: PGTransactionOptions.IsolationLevel? = nil,
        _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        guard try await hasCitus() else {
            let settings = Self.scopeStatement(scope, statementTimeout: configuration.statementTimeout, genericPlans: genericPlans)
            return try await pool.withTransaction(PGTransactionOptions(isolation: isolation, readOnly: readOnly, preparedSetup: settings)) { connection in
                try await body(connection)
            }
        }
        let settings = try Self.scopeSettings(scope, statementTimeout: configuration.statementTimeout)
            + (genericPlans ? ["SET LOCAL plan_cache_mode = force_generic_plan"] : [])
        return try await pool.withTransaction(PGTransactionOptions(isolation: isolation, readOnly: readOnly)) { connection in
            try await connection.executeScript(settings.joined(separator: "; "))
            return try await body(connection)
        }
    }

    /// Whether the database has the Citus extension (asked once, ``CitusPresence``).
    func hasCitus() async throws -> Bool {
        try await citus.isPresent(in: pool)
    }

    /// One statement setting every scope variable and the statement timeout (and with
    /// `genericPlans` the plan cache mode) for the current transaction only, with `set_config(…,
    /// true)`: names and values are bound parameters, and the text is the same for every caller, so
    /// it is prepared once per connection.
    static func scopeStatement(_ scope: AccessScope, statementTimeout: Duration, genericPlans: Bool) -> PGQuery {
        let timeout = max(1, Int(statementTimeout.inSeconds * 1000))
        let settings = scope.settings + [("statement_timeout", String(timeout))]
            + (genericPlans ? [("plan_cache_mode", "force_generic_plan")] : [])
        var binds = PGBinds()
        var calls: [String] = []
        for setting in settings {
            binds.append(setting.name)
            binds.append(setting.value)
            calls.append("set_config($\(binds.count - 1), $\(binds.count), true)")
        }
        return PGQuery(unsafeSQL: "SELECT " + calls.joined(separator: ", "), binds: binds)
    }

    /// The statements setting every scope variable, and the statement timeout, for the current
    /// transaction only, values as quoted literals (`SET` takes no parameters): on Citus, which
    /// passes a `SET LOCAL` on to its workers and a `set_config` not.
    static func scopeSettings(_ scope: AccessScope, statementTimeout: Duration) throws -> [String] {
        let timeout = max(1, Int(statementTimeout.inSeconds * 1000))
        return ["SET LOCAL citus.propagate_set_commands = 'local'"] + (try scope.settings.map { setting in
            "SET LOCAL \(PGLiteral.settingName(setting.name)) = \(try PGLiteral.string(setting.value))"
        }) + ["SET LOCAL statement_timeout = \(timeout)"]
    }
}
