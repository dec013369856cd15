import CLibPQ

/// How to reach a PostgreSQL server.
///
/// The connection string is handed to libpq unchanged, so every libpq setting works: a URL
/// (`postgresql://user@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem`) or a keyword string
/// (`host=/run/pg dbname=redress user=redress_service`).
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

    /// Creates a configuration from a libpq connection string.
    public init(
        _ connectionString: String, applicationName: String = "redress",
        connectTimeoutSeconds: Int = 10, usePreparedStatements: Bool = true
    ) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.usePreparedStatements = usePreparedStatements
    }
}

extension PGConnectionConfiguration {
    /// Opens a libpq connection (blocking). Defaults come first so that the connection string,
    /// expanded from `dbname`, overrides them.
    func openHandle(applicationNameSuffix: String = "") -> OpaquePointer? {
        let keywords = ["fallback_application_name", "connect_timeout", "dbname"]
        let values = [applicationName + applicationNameSuffix, String(connectTimeoutSeconds), connectionString]
        return withCStringArray(keywords) { keys in withCStringArray(values) { PQconnectdbParams(keys, $0, 1) } }
    }
}
