import Foundation
import Logging
import Metrics
import Postgres
import RedressStore
import ServiceLifecycle

/// Archives closed complaints and erases expired personal data (`RetentionStore`) once every
/// `interval` (an hour by default), beside the escalation scheduler. Any number may run at once:
/// each claims its rows with `SKIP LOCKED`.
public struct RetentionKeeper: Service {
    let retention: RetentionStore
    let periods: RetentionStore.Periods
    let interval: Duration
    let logger: Logger

    /// Creates a keeper on the service pool.
    public init(pool: PGPool, periods: RetentionStore.Periods, interval: Duration = .seconds(3600),
                logger: Logger = Logger(label: "redress.retention")) {
        retention = RetentionStore(pool: pool)
        self.periods = periods
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await applyOnce()
                    try await Task.sleep(for: interval)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("retention failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    try await Task.sleep(for: .seconds(60))
                }
            }
        }
    }

    /// Archives and erases everything due now; returns what it did.
    @discardableResult
    public func applyOnce() async throws -> [RetentionStore.Action] {
        let actions = try await retention.apply(periods, dryRun: false)
        for kind in ["archive", "erase"] {
            let count = actions.filter { $0.action == kind }.count
            if count > 0 { Counter(label: "redress_retention_total", dimensions: [("action", kind)]).increment(by: count) }
        }
        if !actions.isEmpty {
            logger.info("retention", metadata: ["archived": "\(actions.filter { $0.action == "archive" }.count)",
                                                "erased": "\(actions.filter { $0.action == "erase" }.count)"])
        }
        return actions
    }
}
