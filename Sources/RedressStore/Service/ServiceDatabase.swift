import Logging
import Postgres

/// Everything the HTTP application needs of the database, so that it never touches the driver:
/// scoped transactions for the stores, the readiness check, the page signals for event streams
/// and the pool's figures for metrics.
public struct ServiceDatabase: Sendable {
    /// The stores' transactions in the caller's scope.
    public let scoped: ScopedDatabase
    /// Whether the database answers and its schema is current.
    public let readiness: ReadinessProbe
    /// `NOTIFY redress_pages`, for the page streams.
    public let pageSignals: PageSignals
    private let pool: PGPool

    /// The service database on `pool` (the service role's connections). Page signals LISTEN on
    /// `listen`, by default the pool's own connection settings named `<application>-pages`.
    /// With `replica`, reports are read from that standby while its lag is within bounds.
    public init(pool: PGPool, store: StoreConfiguration = StoreConfiguration(), migrator: PGMigrator,
                listen: PGConnectionConfiguration? = nil, replica: ReadReplica? = nil, logger: Logger) {
        self.pool = pool
        scoped = ScopedDatabase(pool: pool, configuration: store, replica: replica)
        readiness = ReadinessProbe(pool: pool, migrator: migrator)
        var pages = listen ?? pool.configuration.connection
        if listen == nil { pages.applicationName += "-pages" }
        pageSignals = PageSignals(listen: pages, logger: logger)
    }

    /// The pool's connection counts as of now.
    public var poolFigures: PoolFigures { PoolFigures(pool) }
}

/// A connection pool's counts at one moment, for metrics.
public struct PoolFigures: Sendable, Equatable {
    /// The pool's name: its connections' `application_name`.
    public var name: String
    public var open: Int
    public var idle: Int
    /// Borrowers waiting for a connection.
    public var waiting: Int
    /// The most connections the pool opens.
    public var maximum: Int

    /// `pool`'s counts now.
    public init(_ pool: PGPool) {
        let statistics = pool.statistics
        name = pool.configuration.connection.applicationName
        open = statistics.open
        idle = statistics.idle
        waiting = statistics.waiting
        maximum = pool.configuration.maximumConnections
    }
}
