/// What the HTTP server needs to know; the executable fills it from flags and the environment.
public struct ServerConfiguration: Sendable {
    /// The address to bind. Default `0.0.0.0`.
    public var host: String
    /// The TCP port; 0 picks a free one. Default 8080.
    public var port: Int

    /// Creates a configuration with the documented defaults.
    public init(host: String = "0.0.0.0", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}
