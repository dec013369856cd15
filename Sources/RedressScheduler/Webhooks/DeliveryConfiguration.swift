import Foundation
import RedressCore

/// How pages are delivered to webhooks: attempts, backoff, timeouts and batch sizes.
public struct DeliveryConfiguration: Sendable {
    /// Attempts before a delivery is dead-lettered. Default 8.
    public var maxAttempts: Int
    /// The wait after the first failure; each later failure doubles it. Default 10 s.
    public var baseDelay: Duration
    /// The longest wait between attempts. Default 1 hour.
    public var maxDelay: Duration
    /// How long one attempt may take. Default 10 s.
    public var timeout: Duration
    /// Deliveries claimed (and posted concurrently) at a time. Default 32.
    public var batchSize: Int
    /// The longest sleep between looks, in case a notification was missed. Default 5 s.
    public var pollInterval: Duration
    /// Which targets deliveries may reach. Default: public https targets only.
    public var targets: WebhookTargetPolicy
    /// The hosts messages to complainants may be posted to (lower case): the operator's
    /// `GATEWAY_HOSTS`, checked again at every attempt. Default: none.
    public var gatewayHosts: Set<String> = []

    /// Creates a configuration with the documented defaults.
    public init(maxAttempts: Int = 8, baseDelay: Duration = .seconds(10), maxDelay: Duration = .seconds(3600),
                timeout: Duration = .seconds(10), batchSize: Int = 32, pollInterval: Duration = .seconds(5),
                targets: WebhookTargetPolicy = WebhookTargetPolicy()) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.targets = targets
    }

    /// The wait before the attempt after failed attempt `attempt` (from 1), or nil when that was
    /// the last: `baseDelay · 2^(attempt−1)`, capped at `maxDelay`, with equal jitter (the upper
    /// half is random, `jitter` in 0…1), so receivers recovering from an outage are not hit by
    /// every retry at once.
    public func retryDelay(afterAttempt attempt: Int, jitter: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let full = min(maxDelay.inSeconds, baseDelay.inSeconds * pow(2, Double(min(attempt - 1, 62))))
        let seconds = full / 2 + full / 2 * min(1, max(0, jitter))
        return .milliseconds(Int64(seconds * 1000))
    }

    /// A lease long enough for one attempt and its bookkeeping.
    var lease: Duration { timeout * 2 + .seconds(30) }
}
