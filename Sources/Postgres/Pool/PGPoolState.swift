/// The pool's bookkeeping, kept behind one lock: idle connections, how many are open, and who waits.
///
/// Pure state transitions only; opening, closing and resuming continuations happen outside the lock.
struct PGPoolState {
    /// What a waiting caller is eventually given.
    enum Grant {
        /// An open connection, ready to use.
        case connection(PGConnection)
        /// Permission to open a new connection (the count already includes it).
        case openSlot
    }

    /// What `acquire` should do next.
    enum AcquireDecision {
        case use(PGConnection)
        case open
        case wait
        case closed
    }

    let maximum: Int
    var idle: [PGConnection] = []
    var openCount = 0
    var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    var nextWaiterID = 0
    /// Waiters that timed out or were cancelled before they could register.
    var abandonedWaiters: Set<Int> = []
    var isShutDown = false

    init(maximum: Int) { self.maximum = maximum }

    mutating func acquire() -> AcquireDecision {
        if isShutDown { return .closed }
        if let connection = idle.popLast() { return .use(connection) }
        if openCount < maximum {
            openCount += 1
            return .open
        }
        return .wait
    }

    /// A connection comes back healthy: hand it to the oldest waiter, or keep it idle.
    mutating func release(_ connection: PGConnection) -> CheckedContinuation<Grant, any Error>? {
        if !waiters.isEmpty { return waiters.removeFirst().continuation }
        if isShutDown {
            openCount -= 1
            connection.close()
            return nil
        }
        idle.append(connection)
        return nil
    }

    /// A connection was closed or never opened: its slot goes to the oldest waiter, if any.
    mutating func discard() -> CheckedContinuation<Grant, any Error>? {
        if !waiters.isEmpty && !isShutDown { return waiters.removeFirst().continuation }
        openCount -= 1
        return nil
    }

    /// Removes a waiter that gives up; one not registered yet is remembered so that it gives up
    /// as soon as it registers.
    mutating func abandonWaiter(_ id: Int) -> CheckedContinuation<Grant, any Error>? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else {
            abandonedWaiters.insert(id)
            return nil
        }
        return waiters.remove(at: index).continuation
    }

    /// Registers a waiter; false when it already gave up or the pool is shut down.
    mutating func addWaiter(_ id: Int, _ continuation: CheckedContinuation<Grant, any Error>) -> Bool {
        if abandonedWaiters.remove(id) != nil || isShutDown { return false }
        waiters.append((id, continuation))
        return true
    }
}
