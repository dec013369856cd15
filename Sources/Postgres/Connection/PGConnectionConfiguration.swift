import CLibPQ

/// How to reach a PostgreSQL server.
///
/// The connection string is handed to libpq unchanged, so every libpq setting works: a URL
/// (`postgresql://user@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem`) or a keyword string
/// (`host=/run/pg dbname=redress user=redress_service`). Settings the string names itself win
/// over the defaults below.
public struct PGConnectionConfiguration: Sendable {
    /// A libpq URL or keyword/value connection string.
    public var connectionString: String
    /// Sent as `fallback_application_name`: used unless the string sets `application_name`.
    public var applicationName: String
    /// Seconds to wait for a connection unless the string sets `connect_timeout`. Default 10.
    public var connectTimeoutSeconds: Int
    /// Whether statements are prepared once per connection and reused. Default true; set false
    /// behind PgBouncer versions that cannot carry prepared statements in transaction mode.
    public var usePreparedStatements: Bool
    /// The most prepared statements kept per connection; the least recently used one is dropped
    /// beyond it. Default 256.
    public var statementCacheCapacity: Int
    /// How long a statement may wait for the server's answer before the client gives up on the
    /// connection (closing it under the statement); nil waits as long as TCP does. Default nil.
    public var responseTimeout: Duration?
    /// TCP keepalive settings, unless the string sets them.
    public var keepalive: Keepalive

    /// TCP keepalives and the TCP user timeout, so that a connection to a peer that went away
    /// (a partition, a dead host) fails within about a minute instead of hours. Unix sockets
    /// ignore them.
    public struct Keepalive: Sendable, Equatable {
        /// Seconds of silence before the first probe (`keepalives_idle`). Default 30.
        public var idleSeconds: Int
        /// Seconds between probes (`keepalives_interval`). Default 10.
        public var intervalSeconds: Int
        /// Unanswered probes before the connection is dropped (`keepalives_count`). Default 3.
        public var count: Int
        /// Milliseconds sent data may stay unacknowledged (`tcp_user_timeout`); 0 leaves it to
        /// the system. Default 30000.
        public var userTimeoutMilliseconds: Int

        /// Creates keepalive settings with the documented defaults.
        public init(idleSeconds: Int = 30, intervalSeconds: Int = 10, count: Int = 3, userTimeoutMilliseconds: Int = 30_000) {
            self.idleSeconds = idleSeconds
            self.intervalSeconds = intervalSeconds
            self.count = count
            self.userTimeoutMilliseconds = userTimeoutMilliseconds
        }
    }

    /// Creates a configuration from a libpq connection string.
    public init(
        _ connectionString: String, applicationName: String = "redress",
        connectTimeoutSeconds: Int = 10, usePreparedStatements: Bool = true,
        statementCacheCapacity: Int = 256, responseTimeout: Duration? = nil, keepalive: Keepalive = Keepalive()
    ) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.usePreparedStatements = usePreparedStatements
        self.statementCacheCapacity = statementCacheCapacity
        self.responseTimeout = responseTimeout
        self.keepalive = keepalive
    }
}

extension PGConnectionConfiguration {
    /// The libpq keywords and values for this configuration. Defaults come first so that the
    /// connection string, expanded from `dbname`, overrides them; `client_encoding` comes after
    /// it, because the client reads and writes text as UTF-8 and quotes literals for it
    /// (``PGLiteral``), which a multi-byte encoding such as GBK would defeat.
    var parameters: [(String, String)] {
        [
            ("fallback_application_name", applicationName),
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("keepalives", "1"),
            ("keepalives_idle", String(keepalive.idleSeconds)),
            ("keepalives_interval", String(keepalive.intervalSeconds)),
            ("keepalives_count", String(keepalive.count)),
            ("tcp_user_timeout", String(keepalive.userTimeoutMilliseconds)),
            ("dbname", connectionString),
            ("client_encoding", "UTF8"),
        ]
    }

    /// Opens a libpq connection (blocking).
    func openHandle(applicationNameSuffix: String = "") -> OpaquePointer? {
        var parameters = parameters
        parameters[0].1 += applicationNameSuffix
        return withCStringArray(parameters.map(\.0)) { keys in
            withCStringArray(parameters.map(\.1)) { PQconnectdbParams(keys, $0, 1) }
        }
    }
}
