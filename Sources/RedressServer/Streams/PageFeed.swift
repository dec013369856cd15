import Foundation
import Logging
import NIOConcurrencyHelpers
import RedressStore

/// Tells event streams that their recipient has new pages. One `LISTEN redress_pages` connection
/// per process fans out to every subscriber; the payload of each notification is the recipient's
/// user id (`sql/0011_paging_delivery.sql`). When the listener listens again after a lost
/// connection (a restart, a failover to the standby), every stream looks for pages it missed.
///
/// The listener runs only while someone subscribes: it starts with the first subscriber and its
/// thread and connection stop when the last one leaves. Page streams end on graceful shutdown,
/// so the feed stops with the service group; nothing of it is detached.
final class PageFeed: Sendable {
    private struct State {
        var listening: PageSignals.Listening?
        var nextToken = 0
        var subscribers: [UUID: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    private let signals: PageSignals
    private let state = NIOLockedValueBox(State())

    /// Creates a feed fed by `signals`.
    init(signals: PageSignals) {
        self.signals = signals
    }

    deinit { state.withLockedValue { $0.listening }?.stop() }

    /// True while the feed's listener runs (someone subscribes).
    var isListening: Bool { state.withLockedValue { $0.listening != nil } }

    /// A signal each time `userID` may have new pages, until the stream is dropped.
    func subscribe(_ userID: UUID) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let token = state.withLockedValue { state -> Int in
            state.nextToken += 1
            state.subscribers[userID, default: [:]][state.nextToken] = continuation
            if state.listening == nil {
                state.listening = signals.start({ [weak self] userID in self?.deliver(userID) },
                                                resumed: { [weak self] in self?.deliverToEveryone() })
            }
            return state.nextToken
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(userID, token) }
        return stream
    }

    private func unsubscribe(_ userID: UUID, _ token: Int) {
        let stopping = state.withLockedValue { state -> PageSignals.Listening? in
            state.subscribers[userID]?[token] = nil
            if state.subscribers[userID]?.isEmpty == true { state.subscribers[userID] = nil }
            guard state.subscribers.isEmpty else { return nil }
            defer { state.listening = nil }
            return state.listening
        }
        stopping?.stop()
    }

    /// Runs on the listener's thread when it listens again after a lost connection: every stream
    /// looks, since notifications sent meanwhile are lost. The looks are spread over up to 5 s
    /// (2 ms a stream), so that a server just promoted is not met by all of them at once.
    private func deliverToEveryone() {
        let targets = state.withLockedValue { $0.subscribers.values.flatMap(\.values) }
        let spread = min(5.0, Double(targets.count) * 0.002)
        for continuation in targets {
            DispatchQueue.global().asyncAfter(deadline: .now() + .random(in: 0...spread)) { continuation.yield() }
        }
    }

    /// Runs on the listener's thread: wakes the recipient's streams.
    private func deliver(_ userID: UUID) {
        let targets = state.withLockedValue { Array(($0.subscribers[userID] ?? [:]).values) }
        for continuation in targets { continuation.yield() }
    }
}
