import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres
import RedressCore
import ServiceLifecycle

/// The loop behind the scheduler's services: do a pass of work; when the pass says it found work
/// (so more may be left), do the next at once, else sleep until the next due time, until a
/// notification arrives on the listener's channels (something changed) or the listener listens
/// again after a lost connection (a restart, a failover: notifications may have been lost), or at
/// most `pollInterval`; stop at graceful shutdown. A failed pass is logged and retried after a
/// second.
struct WorkLoop: Sendable {
    let listener: PGListener
    let pollInterval: Duration
    let logger: Logger

    func run(pass: @escaping @Sendable () async throws -> Bool, nextDue: @escaping @Sendable () async throws -> Date?) async throws {
        let woken = NIOLockedValueBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Listening again after a lost connection (a restart, a failover) may have missed
                // notifications: that wakes the loop too.
                for await _ in listener.notifications(onResumed: { woken.withLockedValue { $0 = true } }) {
                    woken.withLockedValue { $0 = true }
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        do {
                            if !(try await pass()) {
                                try await sleep(until: try await nextDue(), woken: woken)
                            }
                        } catch where Task.isCancelled {
                            // Only this task's own cancellation stops the loop; any other
                            // failure, even a stray CancellationError, is retried.
                            return
                        } catch {
                            logger.warning("pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                            // A shutdown during the pause ends the loop as one between passes does, not with an error.
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func sleep(until next: Date?, woken: NIOLockedValueBox<Bool>) async throws {
        let wakeAt = min(Date().addingTimeInterval(pollInterval.inSeconds), next ?? .distantFuture)
        repeat {
            try await Task.sleep(for: .milliseconds(50))
        } while Date() < wakeAt && !woken.withLockedValue({ value in defer { value = false }; return value })
    }
}
