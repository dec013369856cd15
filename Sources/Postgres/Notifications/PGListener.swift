import CLibPQ
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Follows channels with `LISTEN` on a dedicated connection and delivers notifications as an
/// async sequence.
///
/// The connection is long-lived and separate from any pool. It waits on its socket in a thread of
/// its own, so no Swift concurrency thread blocks. When the connection breaks it reconnects with
/// backoff and listens again, to whichever server the connection string finds (after a failover,
/// the new primary when it says `target_session_attrs=read-write`). Notifications sent while it
/// was disconnected are lost, so it says when it listens again (`onResumed`) and callers that must
/// not miss work look again then, and also poll (the scheduler does).
public final class PGListener: Sendable {
    private let configuration: PGConnectionConfiguration
    private let channels: [String]
    private let logger: Logger

    /// Creates a listener for `channels`; nothing connects until `notifications()` is iterated.
    public init(configuration: PGConnectionConfiguration, channels: [String], logger: Logger = Logger(label: "redress.postgres.listen")) {
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
    }

    /// A stream of notifications that runs until the consumer stops iterating or is cancelled.
    /// `ready` is called once the first `LISTEN` has taken effect, so a caller can wait for it
    /// before anything is sent; `resumed` each time it takes effect again after a lost connection.
    public func notifications(onListening ready: (@Sendable () -> Void)? = nil,
                              onResumed resumed: (@Sendable () -> Void)? = nil) -> AsyncStream<PGNotification> {
        let (stream, continuation) = AsyncStream<PGNotification>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let listening = start(onListening: ready, onResumed: resumed, deliver: { continuation.yield($0) },
                              finished: { continuation.finish() })
        continuation.onTermination = { _ in listening.stop() }
        return stream
    }

    /// Calls `deliver` with each notification, on the listener's own thread, until the returned
    /// handle is stopped; then the thread ends (within 100 ms) and calls `finished`. `resumed`
    /// runs on that thread each time the listener listens again after a lost connection: whatever
    /// was notified meanwhile is lost, so a caller looks for it then.
    public func start(
        onListening ready: (@Sendable () -> Void)? = nil, onResumed resumed: (@Sendable () -> Void)? = nil,
        deliver: @escaping @Sendable (PGNotification) -> Void, finished: @escaping @Sendable () -> Void = {}
    ) -> PGListening {
        let listening = PGListening()
        let loop = ListenLoop(configuration: configuration, channels: channels, logger: logger,
                              listening: listening, deliver: deliver, finished: finished, ready: ready, resumed: resumed)
        let thread = Thread { loop.run() }
        thread.name = "postgres-listen"
        thread.start()
        return listening
    }
}

/// A running listener; `stop()` ends its thread and its connection.
public final class PGListening: Sendable {
    private let stopped = NIOLockedValueBox(false)

    /// Asks the listener's thread to stop.
    public func stop() { stopped.withLockedValue { $0 = true } }

    /// True once `stop()` was called.
    public var isStopped: Bool { stopped.withLockedValue { $0 } }
}

/// The blocking loop behind `PGListener`: connect, LISTEN, wait on the socket, deliver.
private struct ListenLoop: @unchecked Sendable {
    let configuration: PGConnectionConfiguration
    let channels: [String]
    let logger: Logger
    let listening: PGListening
    let deliver: @Sendable (PGNotification) -> Void
    let finished: @Sendable () -> Void
    let ready: (@Sendable () -> Void)?
    let resumed: (@Sendable () -> Void)?

    private var isStopped: Bool { listening.isStopped }

    func run() {
        var backoff = 0.05
        var announced = false
        while !isStopped {
            guard let handle = connectAndListen() else {
                sleep(seconds: backoff)
                backoff = min(backoff * 2, 2)
                continue
            }
            backoff = 0.05
            if announced {
                logger.info("listener listening again")
                resumed?()
            } else {
                announced = true
                ready?()
            }
            deliver(from: handle)
            PQfinish(handle)
        }
        finished()
    }

    /// Sleeps in short steps, so that a stop request is noticed soon.
    private func sleep(seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !isStopped && Date() < end { Thread.sleep(forTimeInterval: min(0.05, max(0, end.timeIntervalSinceNow))) }
    }

    private func connectAndListen() -> OpaquePointer? {
        guard let handle = configuration.openHandle(applicationNameSuffix: "-listen") else { return nil }
        guard PQstatus(handle) == CONNECTION_OK else {
            logger.warning("listener could not connect", metadata: ["error": "\(String(cString: PQerrorMessage(handle)))"])
            PQfinish(handle)
            return nil
        }
        for channel in channels {
            guard let quoted = PQescapeIdentifier(handle, channel, channel.utf8.count) else { continue }
            let result = PQexec(handle, "LISTEN " + String(cString: quoted))
            PQfreemem(quoted)
            let ok = PQresultStatus(result) == PGRES_COMMAND_OK
            PQclear(result)
            if !ok {
                PQfinish(handle)
                return nil
            }
        }
        return handle
    }

    /// Waits for notifications until the connection breaks or the consumer stops.
    private func deliver(from handle: OpaquePointer) {
        let socket = PQsocket(handle)
        while !isStopped {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 && errno != EINTR { return }
            if ready <= 0 { continue }
            guard PQconsumeInput(handle) == 1 else {
                logger.warning("listener connection lost; reconnecting")
                return
            }
            while let notify = PQnotifies(handle) {
                let notification = PGNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderPID: notify.pointee.be_pid)
                PQfreemem(notify)
                deliver(notification)
            }
            if PQstatus(handle) != CONNECTION_OK { return }
        }
    }
}
