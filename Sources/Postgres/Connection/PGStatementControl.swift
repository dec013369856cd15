import CLibPQ
import Foundation

/// Which statement of one connection runs, and the requests to stop it.
///
/// Every statement gets an id of its own, and a cancel request names the statement it is for, so
/// a cancel that arrives late never reaches the next statement or the next borrower. `PQcancel`
/// opens a network connection of its own, so it runs on a short-lived thread, never on the
/// canceller's (often a cooperative) thread and never under this lock; a statement that ends
/// while its cancel is still being delivered waits for it (bounded), so that the server cannot
/// apply it to whatever runs next.
final class PGStatementControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var cancel: OpaquePointer?
    private let socket: Int32
    private var lastID: UInt64 = 0
    private var lastStarted: UInt64 = 0
    private var running: UInt64?
    private var cancelledBeforeStart: UInt64?
    private var cancelsInFlight = 0
    private var closed = false
    private var broken = false
    private var expired = false

    /// Takes ownership of libpq's cancel object; `socket` is the connection's socket.
    init(cancel: OpaquePointer?, socket: Int32) {
        self.cancel = cancel
        self.socket = socket
    }

    /// True once a statement overran its deadline or its cancel could not be delivered: the
    /// connection must not be lent again.
    var isBroken: Bool {
        condition.lock()
        defer { condition.unlock() }
        return broken
    }

    /// True once a statement overran its deadline (and the connection was shut down under it).
    var hasExpired: Bool {
        condition.lock()
        defer { condition.unlock() }
        return expired
    }

    /// Marks the connection as not to be lent again (a request could not be sent whole, or its
    /// answers stopped short).
    func markBroken() {
        condition.lock()
        defer { condition.unlock() }
        broken = true
    }

    /// A new statement id.
    func reserve() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        lastID += 1
        return lastID
    }

    /// Marks statement `id` as running; false when it was cancelled before it could start.
    func start(_ id: UInt64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        lastStarted = id
        if cancelledBeforeStart == id {
            cancelledBeforeStart = nil
            return false
        }
        running = id
        return true
    }

    /// Marks statement `id` as done, after any cancel request sent for it has been delivered (or
    /// `wait` has passed, which breaks the connection).
    func finish(_ id: UInt64, wait: Duration) {
        condition.lock()
        defer { condition.unlock() }
        if running == id { running = nil }
        let deadline = Date().addingTimeInterval(Double(wait.components.seconds))
        while cancelsInFlight > 0 {
            if !condition.wait(until: deadline) {
                broken = true
                return
            }
        }
    }

    /// Asks the server to cancel statement `id`, if it runs now or has not started yet. Returns at once.
    func requestCancel(_ id: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        if id > lastStarted {
            cancelledBeforeStart = id
            return
        }
        guard running == id, cancel != nil else { return }
        cancelsInFlight += 1
        let thread = Thread { [self] in
            // The cancel object stays alive while a cancel is in flight (see `close`).
            condition.lock()
            let target = cancel
            condition.unlock()
            var buffer = [CChar](repeating: 0, count: 256)
            if let target { _ = PQcancel(target, &buffer, Int32(buffer.count)) }
            condition.lock()
            cancelsInFlight -= 1
            if cancelsInFlight == 0 && closed { freeCancel() }
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "postgres-cancel"
        thread.start()
    }

    /// Statement `id` overran its deadline: the connection is shut down under it, so libpq returns
    /// at once with a connection error, and the pool discards it.
    func expire(_ id: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, running == id else { return }
        broken = true
        expired = true
        shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Called as the connection closes; the cancel object is freed once no cancel uses it.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        if cancelsInFlight == 0 { freeCancel() }
    }

    private func freeCancel() {
        if let cancel { PQfreeCancel(cancel) }
        cancel = nil
    }
}
