import RedressCore

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
    /// How long a connection may sit idle (no request being read or answered) before the server
    /// closes it. Default 60 seconds.
    public var idleTimeout: Duration
    /// Which webhook targets admins may register: `https` to public addresses, plus what the
    /// operator allow-lists. Default: no allow-list.
    public var webhookTargets: WebhookTargetPolicy = WebhookTargetPolicy()

    /// Creates a configuration with the documented defaults.
    public init(host: String = "0.0.0.0", port: Int = 8080, signInsPerMinute: Int = 30, requestsPerMinute: Int = 1200,
                idleTimeout: Duration = .seconds(60)) {
        self.host = host
        self.port = port
        self.signInsPerMinute = signInsPerMinute
        self.requestsPerMinute = requestsPerMinute
        self.idleTimeout = idleTimeout
    }
}
