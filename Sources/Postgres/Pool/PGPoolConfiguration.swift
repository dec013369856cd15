/// How a `PGPool` sizes and looks after its connections.
public struct PGPoolConfiguration: Sendable {
    /// Where and how to connect.
    public var connection: PGConnectionConfiguration
    /// The most connections open at once. Default 8.
    public var maximumConnections: Int
    /// How long a caller waits for a free connection before failing. Default 10 s.
    public var acquireTimeout: Duration
    /// How often idle connections are looked after, and how long one may sit idle before it is
    /// checked with a round trip. Default 30 s.
    public var healthCheckInterval: Duration
    /// Idle connections beyond `minimumIdleConnections` are closed after this long unused (a
    /// health check is not use). Default 5 min.
    public var idleTimeout: Duration
    /// Idle connections kept open however long they idle. Default 1.
    public var minimumIdleConnections: Int
    /// A connection is closed once it has been open this long (when idle or given back), so load
    /// rebalances after a failover or behind a proxy; nil keeps connections for ever. Default 1 h.
    public var maximumLifetime: Duration?
    /// Up to this much is taken off each connection's lifetime at random, so that connections
    /// opened together do not all close together. Default 5 min.
    public var lifetimeJitter: Duration

    /// Creates a configuration with the documented defaults.
    public init(
        connection: PGConnectionConfiguration, maximumConnections: Int = 8,
        acquireTimeout: Duration = .seconds(10), healthCheckInterval: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(300), minimumIdleConnections: Int = 1,
        maximumLifetime: Duration? = .seconds(3600), lifetimeJitter: Duration = .seconds(300)
    ) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.connection = connection
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
        self.healthCheckInterval = healthCheckInterval
        self.idleTimeout = idleTimeout
        self.minimumIdleConnections = minimumIdleConnections
        self.maximumLifetime = maximumLifetime
        self.lifetimeJitter = lifetimeJitter
    }

    /// The lifetime of one connection: the maximum less a share `random` (0…1) of the jitter,
    /// never less than half the maximum; nil when connections live for ever.
    func lifetime(random: Double) -> Duration? {
        guard let maximumLifetime else { return nil }
        let jitter = min(lifetimeJitter, maximumLifetime / 2)
        return maximumLifetime - jitter * min(max(random, 0), 1)
    }

    /// The idle rules of this configuration.
    var idlePolicy: PGIdlePolicy {
        PGIdlePolicy(idleTimeout: idleTimeout, healthCheckInterval: healthCheckInterval, minimumIdle: minimumIdleConnections)
    }
}
