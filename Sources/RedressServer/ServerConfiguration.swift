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
    /// The hosts a branch's notification gateway may be at (lower case). Messages carry
    /// complainants' personal data and access codes, so the operator, not a branch admin, chooses
    /// where they may go. Default: none, so no gateway can be registered.
    public var gatewayHosts: Set<String> = []
    /// The bearer token that `GET /metrics` on the API port needs; nil (default): the API port
    /// does not serve metrics (`serve` serves them on `METRICS_PORT`).
    public var metricsToken: String?
    /// Failed bearer-token resolutions admitted per client address per minute; beyond, that
    /// address gets 429 before its tokens are looked up. Default 30.
    public var tokenFailuresPerMinute = 30
    /// Phone lookups admitted per user (across their sessions) per minute. Default 30.
    public var phoneSearchesPerMinute = 30
    /// Public progress lookups (`GET /v1/public/complaints/{caseNumber}`) admitted per client
    /// address per minute. Default 30.
    public var publicLookupsPerMinute = 30
    /// Requests admitted per intake key per minute, instead of `requestsPerMinute`: a channel
    /// taking complaints in has a limit of its own. Default 60.
    public var intakeKeyRequestsPerMinute = 60
    /// Whether the rate limits are counted across every instance in the database (`auth.rate_counts`);
    /// off, each instance counts alone (one instance, or the benchmark's comparison).
    public var sharedRateLimits = true
    /// Proxies (CIDR blocks) whose `X-Forwarded-For` names the client; default none, so the
    /// socket's peer is the client.
    public var trustedProxies: [IPNetwork] = []
    /// Page streams one credential may hold open at once (beyond: 429). Default 4.
    public var pageStreamsPerCredential = 4
    /// How often an open page stream sends a heartbeat and re-checks its credential. Default 15 s.
    public var pageStreamHeartbeat: Duration = .seconds(15)
    /// Whether the console's cookies are marked `Secure` (served over TLS). Default false.
    public var consoleSecureCookies = false
    /// The on-time rate (0–1) the console's report measures each milestone against. Default 0.9.
    public var consoleOnTimeTarget = 0.9

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
