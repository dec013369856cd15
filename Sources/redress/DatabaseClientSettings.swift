import Postgres

/// The database client's settings, read from the environment: how the pool sizes, ages and checks
/// its connections, TCP keepalives, and the prepared-statement cache. Every variable is optional;
/// the defaults are stated with each one and in the README.
struct DatabaseClientSettings {
    /// `DATABASE_CONNECT_TIMEOUT_SECONDS`: how long opening a connection may take. Default 10.
    var connectTimeoutSeconds: Int
    /// `DATABASE_ACQUIRE_TIMEOUT_SECONDS`: how long a request waits for a free connection. Default 10.
    var acquireTimeoutSeconds: Int
    /// `DATABASE_RESPONSE_TIMEOUT_SECONDS`: how long a statement may wait for the server's answer
    /// before its connection is given up (0: as long as TCP waits). Default 120.
    var responseTimeoutSeconds: Int
    /// `DATABASE_IDLE_TIMEOUT_SECONDS`: idle connections beyond the minimum close after this long. Default 300.
    var idleTimeoutSeconds: Int
    /// `DATABASE_MIN_IDLE_CONNECTIONS`: idle connections kept however long they idle. Default 1.
    var minimumIdleConnections: Int
    /// `DATABASE_HEALTH_CHECK_SECONDS`: how often idle connections are looked after and checked. Default 30.
    var healthCheckSeconds: Int
    /// `DATABASE_MAX_LIFETIME_SECONDS`: a connection closes after this long open (0: never). Default 3600.
    var maximumLifetimeSeconds: Int
    /// `DATABASE_LIFETIME_JITTER_SECONDS`: up to this much comes off each lifetime at random. Default 300.
    var lifetimeJitterSeconds: Int
    /// `DATABASE_KEEPALIVES_IDLE_SECONDS` (30), `DATABASE_KEEPALIVES_INTERVAL_SECONDS` (10),
    /// `DATABASE_KEEPALIVES_COUNT` (3) and `DATABASE_TCP_USER_TIMEOUT_SECONDS` (30; 0: the system's).
    var keepalive: PGConnectionConfiguration.Keepalive
    /// `DATABASE_STATEMENT_CACHE_SIZE`: prepared statements kept per connection (least recently used
    /// dropped). Default 256.
    var statementCacheSize: Int

    init(environment: [String: String]) throws {
        func number(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            let text = environment[key].flatMap { $0.isEmpty ? nil : $0 } ?? String(fallback)
            guard let value = Int(text), range.contains(value) else {
                throw SettingsError("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        connectTimeoutSeconds = try number("DATABASE_CONNECT_TIMEOUT_SECONDS", 10, 2...600)
        acquireTimeoutSeconds = try number("DATABASE_ACQUIRE_TIMEOUT_SECONDS", 10, 1...600)
        responseTimeoutSeconds = try number("DATABASE_RESPONSE_TIMEOUT_SECONDS", 120, 0...86_400)
        idleTimeoutSeconds = try number("DATABASE_IDLE_TIMEOUT_SECONDS", 300, 1...86_400)
        minimumIdleConnections = try number("DATABASE_MIN_IDLE_CONNECTIONS", 1, 0...1000)
        healthCheckSeconds = try number("DATABASE_HEALTH_CHECK_SECONDS", 30, 1...3600)
        maximumLifetimeSeconds = try number("DATABASE_MAX_LIFETIME_SECONDS", 3600, 0...604_800)
        lifetimeJitterSeconds = try number("DATABASE_LIFETIME_JITTER_SECONDS", 300, 0...86_400)
        keepalive = PGConnectionConfiguration.Keepalive(
            idleSeconds: try number("DATABASE_KEEPALIVES_IDLE_SECONDS", 30, 1...86_400),
            intervalSeconds: try number("DATABASE_KEEPALIVES_INTERVAL_SECONDS", 10, 1...3600),
            count: try number("DATABASE_KEEPALIVES_COUNT", 3, 1...100),
            userTimeoutMilliseconds: try number("DATABASE_TCP_USER_TIMEOUT_SECONDS", 30, 0...3600) * 1000)
        statementCacheSize = try number("DATABASE_STATEMENT_CACHE_SIZE", 256, 1...100_000)
    }

    /// A connection configuration with these settings.
    func connection(_ url: String, applicationName: String = "redress", usePreparedStatements: Bool = true) -> PGConnectionConfiguration {
        PGConnectionConfiguration(
            url, applicationName: applicationName, connectTimeoutSeconds: connectTimeoutSeconds,
            usePreparedStatements: usePreparedStatements, statementCacheCapacity: statementCacheSize,
            responseTimeout: responseTimeoutSeconds > 0 ? .seconds(responseTimeoutSeconds) : nil, keepalive: keepalive)
    }

    /// A pool configuration of `size` connections with these settings.
    func pool(_ connection: PGConnectionConfiguration, size: Int) -> PGPoolConfiguration {
        PGPoolConfiguration(
            connection: connection, maximumConnections: size, acquireTimeout: .seconds(acquireTimeoutSeconds),
            healthCheckInterval: .seconds(healthCheckSeconds), idleTimeout: .seconds(idleTimeoutSeconds),
            minimumIdleConnections: minimumIdleConnections,
            maximumLifetime: maximumLifetimeSeconds > 0 ? .seconds(maximumLifetimeSeconds) : nil,
            lifetimeJitter: .seconds(lifetimeJitterSeconds))
    }
}
