// RedressScheduler: the long-running services that make deadlines happen.
import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres
import RedressStore
import ServiceLifecycle

/// How the escalation scheduler works.
public struct SchedulerConfiguration: Sendable {
    /// Complaints claimed per transaction. Default 500.
    public var batchSize: Int
    /// The longest sleep between looks, in case a notification was missed. Default 5 s.
    public var pollInterval: Duration

    /// Creates a configuration with the documented defaults.
    public init(batchSize: Int = 500, pollInterval: Duration = .seconds(5)) {
        self.batchSize = batchSize
        self.pollInterval = pollInterval
    }
}

/// Fires escalations on time. Any number may run at once (claims use FOR UPDATE SKIP LOCKED and
/// each tier is recorded once by a unique key). It sleeps until the next due time, wakes early
/// when a deadline moves (`LISTEN redress_deadlines`), and looks again at least every
/// `pollInterval` in case a notification was lost.
public struct EscalationScheduler: Service {
    let store: EscalationStore
    let listener: PGListener
    let configuration: SchedulerConfiguration
    let logger: Logger

    /// Creates a scheduler on the service pool; `listen` is the service role's connection for LISTEN.
    public init(pool: PGPool, listen: PGConnectionConfiguration, configuration: SchedulerConfiguration = SchedulerConfiguration(),
                logger: Logger = Logger(label: "redress.scheduler")) {
        store = EscalationStore(pool: pool)
        listener = PGListener(configuration: listen, channels: ["redress_deadlines"], logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let woken = NIOLockedValueBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in listener.notifications() {
                    woken.withLockedValue { $0 = true }
                }
            }
            group.addTask {
                try await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        do {
                            try await drain()
                            try await sleepUntilDue(woken: woken)
                        } catch is CancellationError {
                            return
                        } catch {
                            logger.warning("scheduler pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                            try await Task.sleep(for: .seconds(1))
                        }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Fires everything due now, batch after batch; returns what fired.
    @discardableResult
    public func drain() async throws -> [EscalationStore.Fired] {
        var all: [EscalationStore.Fired] = []
        while true {
            try Task.checkCancellation()
            let fired = try await store.escalateDue(batch: configuration.batchSize)
            all += fired
            for escalation in fired {
                logger.info("escalated", metadata: [
                    "complaint": "\(escalation.complaintID)", "tier": "\(escalation.tier)",
                    "late_seconds": "\(escalation.lateSeconds)", "pages": "\(escalation.pages)",
                ])
            }
            if fired.isEmpty { return all }
        }
    }

    private func sleepUntilDue(woken: NIOLockedValueBox<Bool>) async throws {
        let poll = Double(configuration.pollInterval.components.seconds)
        let next = try await store.nextDue()
        let wakeAt = min(Date().addingTimeInterval(poll), next ?? .distantFuture)
        repeat {
            try await Task.sleep(for: .milliseconds(50))
        } while Date() < wakeAt && !woken.withLockedValue({ value in defer { value = false }; return value })
    }
}
