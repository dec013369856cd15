/// How a `PGPool` sizes and looks after its connections.
public struct PGPoolConfiguration: Sendable {
    /// Where and how to connect.
    public var connection: PGConnectionConfiguration
    /// The most connections open at once. Default 8.
    public var maximumConnections: Int
    /// How long a caller waits for a free connection before failing. Default 10 s.
    public var acquireTimeout: Duration
    /// How often idle connections are checked with a round trip, and how long a connection may sit
    /// idle before it is checked. Default 30 s.
    public var healthCheckInterval: Duration
    /// Idle connections beyond `minimumIdleConnections` are closed after this long. Default 5 min.
    public var idleTimeout: Duration
    /// Idle connections kept open however long they idle. Default 1.
    public var minimumIdleConnections: Int

    /// Creates a configuration with the documented defaults.
    public init(
        connection: PGConnectionConfiguration, maximumConnections: Int = 8,
        acquireTimeout: Duration = .seconds(10), healthCheckInterval: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(300), minimumIdleConnections: Int = 1
    ) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.connection = connection
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
        self.healthCheckInterval = healthCheckInterval
        self.idleTimeout = idleTimeout
        self.minimumIdleConnections = minimumIdleConnections
    }
}
