import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Postgres
import RedressCore
import RedressStore
import ServiceLifecycle

/// Posts pages to webhooks, messages to complainants to their branch's gateway, and the branch's
/// complaint events to its events webhooks, from the outboxes and the timeline: claims due deliveries with a lease, posts each as
/// signed JSON (see ``WebhookSignature``) to the address its host resolved to when that address
/// passes the ``WebhookTargetPolicy`` (see ``WebhookTarget``), records every attempt with a
/// coarse error class only (``WebhookFailure``), retries failures with
/// exponential backoff and jitter, and dead-letters a delivery after `maxAttempts`. Any number may
/// run at once. It wakes when pages are enqueued (`LISTEN redress_deliveries`), when a retry falls
/// due, and at least every `pollInterval`.
public struct WebhookDeliverer: Service {
    let store: DeliveryStore
    let loop: WorkLoop
    let configuration: DeliveryConfiguration
    let logger: Logger

    /// Creates a deliverer on the scheduler's pool; `listen` is its role's connection for LISTEN, and
    /// `keys` (the API's `PII_KEYS`) open the sealed messages to complainants.
    public init(pool: PGPool, listen: PGConnectionConfiguration, configuration: DeliveryConfiguration = DeliveryConfiguration(),
                keys: PersonalDataKeys, logger: Logger = Logger(label: "redress.webhooks")) {
        store = DeliveryStore(pool: pool, keys: keys)
        loop = WorkLoop(listener: PGListener(configuration: listen, channels: ["redress_deliveries"], logger: logger),
                        pollInterval: configuration.pollInterval, logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        // A pass takes deliveries until none is due, so the loop sleeps after each.
        try await loop.run(pass: {
            try await drain()
            return false
        }, nextDue: { try await store.nextDue() })
    }

    /// Attempts every delivery due now, batch after batch; returns how many attempts it made.
    @discardableResult
    public func drain() async throws -> Int {
        var attempts = 0
        while true {
            try Task.checkCancellation()
            let claimed = try await store.claim(batch: configuration.batchSize, lease: configuration.lease)
                + store.claimMessages(batch: configuration.batchSize, lease: configuration.lease)
                + store.claimFeeds(batch: configuration.batchSize, lease: configuration.lease)
            if claimed.isEmpty { return attempts }
            attempts += claimed.count
            try await withThrowingTaskGroup(of: Void.self) { group in
                for delivery in claimed {
                    group.addTask { try await attempt(delivery) }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Kept for callers that only drain: each attempt opens and closes its own pinned client.
    public func shutdown() async throws {}

    private func attempt(_ delivery: DeliveryStore.Claimed) async throws {
        let started = Date()
        let clock = ContinuousClock.now
        var status: Int?
        var failure: String?
        do {
            if let refusal = delivery.refusal {
                failure = refusal
                logger.error("a message's seal does not open: PII_KEYS must hold the keys the API seals with",
                             metadata: ["delivery": "\(delivery.id)"])
            } else {
                status = try await post(delivery)
                if let code = status, !(200...299).contains(code) { failure = WebhookFailure.status(code) }
            }
        } catch {
            failure = WebhookFailure.classify(error)
            // The operator's log keeps the detail; the tenant sees the class only.
            logger.debug("webhook attempt error", metadata: ["delivery": "\(delivery.id)", "detail": "\(String(describing: error))"])
        }
        let retryAt = failure == nil ? nil : configuration.retryDelay(afterAttempt: delivery.attempt, jitter: Double.random(in: 0...1))
            .map { started.addingTimeInterval($0.inSeconds) }
        let state = try await store.record(delivery, DeliveryStore.Outcome(
            startedAt: started, duration: ContinuousClock.now - clock, statusCode: status, error: failure, retryAt: retryAt))
        Counter(label: "redress_webhook_attempts_total", dimensions: [("outcome", failure == nil ? "delivered" : "failed")]).increment()
        if state != "pending" {
            Counter(label: "redress_webhook_deliveries_total", dimensions: [("outcome", state)]).increment()
        }
        let metadata: Logger.Metadata = [
            "delivery": "\(delivery.id)", "attempt": "\(delivery.attempt)", "state": "\(state)",
            "status": "\(status.map(String.init) ?? "-")",
        ]
        if let failure {
            logger.log(level: state == "dead" ? .error : .warning, "webhook delivery failed",
                       metadata: metadata.merging(["error": "\(failure)"]) { $1 })
        } else {
            logger.debug("webhook delivered", metadata: metadata)
        }
    }

    private func post(_ delivery: DeliveryStore.Claimed) async throws -> Int {
        // Personal data goes only where the operator allows a gateway, whatever the row says.
        if delivery.kind == .message,
           !configuration.gatewayHosts.contains(URLComponents(string: delivery.url)?.host?.lowercased() ?? "") {
            throw WebhookFailure.blockedAddress
        }
        let target = try await WebhookTarget.resolve(delivery.url, policy: configuration.targets)
        let timeout = TimeAmount.nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000)
        var settings = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
        // Connect to the checked address; the URL's host still names the server (Host, TLS SNI).
        for name in Set([target.host, target.host.lowercased()]) { settings.dnsOverride[name] = target.address.description }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        do {
            let status = try await post(delivery, with: http)
            try await http.shutdown()
            return status
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func post(_ delivery: DeliveryStore.Claimed, with http: HTTPClient) async throws -> Int {
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "redress-webhooks/1")
        request.headers.add(name: WebhookSignature.deliveryHeader, value: delivery.id.uuidString.lowercased())
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(name: WebhookSignature.signatureHeader,
                            value: WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: delivery.secret))
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        let response = try await http.execute(request, timeout: .seconds(Int64(configuration.timeout.components.seconds)))
        // Drain (and bound) the receiver's answer so the connection can be reused.
        _ = try await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
