/// What the HTTP server needs to know; the executable fills it from flags and the environment.
public struct ServerConfiguration: Sendable {
    /// The address to bind. Default `0.0.0.0`.
    public var host: String
    /// The TCP port; 0 picks a free one. Default 8080.
    public var port: Int
    /// Sign-in attempts admitted per client address per minute (on top of the per-login
    /// throttle). Default 30.
    public var signInsPerMinute: Int
    /// Requests admitted per credential (session or API key) per minute. Default 1200.
    public var requestsPerMinute: Int

    /// Creates a configuration with the documented defaults.
    public init(host: String = "0.0.0.0", port: Int = 8080, signInsPerMinute: Int = 30, requestsPerMinute: Int = 1200) {
        self.host = host
        self.port = port
        self.signInsPerMinute = signInsPerMinute
        self.requestsPerMinute = requestsPerMinute
    }
}
