import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres

/// Tells event streams that their recipient has new pages. One `LISTEN redress_pages` connection
/// per process (opened with the first subscriber) fans out to every subscriber; the payload of
/// each notification is the recipient's user id (`sql/0011_paging_delivery.sql`).
final class PageFeed: Sendable {
    private struct State {
        var started = false
        var nextToken = 0
        var subscribers: [UUID: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    private let listener: PGListener
    private let state = NIOLockedValueBox(State())

    /// Creates a feed listening on the service role's connection `listen`.
    init(listen: PGConnectionConfiguration, logger: Logger) {
        listener = PGListener(configuration: listen, channels: ["redress_pages"], logger: logger)
    }

    /// A signal each time `userID` may have new pages, until the stream is dropped.
    func subscribe(_ userID: UUID) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (token, start) = state.withLockedValue { state -> (Int, Bool) in
            state.nextToken += 1
            state.subscribers[userID, default: [:]][state.nextToken] = continuation
            defer { state.started = true }
            return (state.nextToken, !state.started)
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { state in
                state.subscribers[userID]?[token] = nil
                if state.subscribers[userID]?.isEmpty == true { state.subscribers[userID] = nil }
            }
        }
        if start { startListening() }
        return stream
    }

    private func startListening() {
        let notifications = listener.notifications()
        Task.detached { [weak self] in
            for await notification in notifications {
                guard let self, let userID = UUID(uuidString: notification.payload) else { continue }
                let targets = self.state.withLockedValue { Array(($0.subscribers[userID] ?? [:]).values) }
                for continuation in targets { continuation.yield() }
            }
        }
    }
}
