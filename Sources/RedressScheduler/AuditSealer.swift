import Foundation
import Logging
import Metrics
import Postgres
import RedressStore
import ServiceLifecycle

/// Seals new audit entries into their branches' hash chains, beside the escalation scheduler and
/// never in its way: after a burst of writes it seals in batches until nothing is left, then looks
/// again every `pollInterval`. Any number may run at once (they take turns per branch).
public struct AuditSealer: Service {
    let audit: AuditStore
    let pollInterval: Duration
    let batchSize: Int
    let logger: Logger

    /// Creates a sealer on the service pool.
    public init(pool: PGPool, pollInterval: Duration = .seconds(5), batchSize: Int = 5000,
                logger: Logger = Logger(label: "redress.audit")) {
        audit = AuditStore(pool: pool)
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        try await DrainLoop(pollInterval: pollInterval, failure: "sealing the audit trail failed", logger: logger).run { try await sealAll() }
    }

    /// Seals every entry written so far; returns how many.
    @discardableResult
    public func sealAll() async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let sealed = try await audit.seal(batch: batchSize)
            total += sealed
            if sealed > 0 { Counter(label: "redress_audit_entries_sealed_total").increment(by: sealed) }
            if sealed == 0 { return total }
        }
    }
}
