/// The pool's bookkeeping, kept behind one lock: idle connections, how many are open, and who
/// waits; and the pool's decisions (lend, open, wait, keep, check, retire).
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
        /// Close this connection (past its lifetime; its slot is already freed) and decide again.
        case retire(PGConnection)
        case open
        case wait
        case closed
    }

    /// What happens to a connection given back.
    enum ReturnDecision {
        /// Hand it to this waiter.
        case handOver(CheckedContinuation<Grant, any Error>)
        /// It stays idle.
        case kept
        /// Close it (shut down, or past its lifetime); its slot goes to this waiter, if any.
        case retire(CheckedContinuation<Grant, any Error>?)
    }

    /// An idle connection and its times.
    struct IdleConnection {
        let connection: PGConnection
        var times: PGIdlePolicy.Times
    }

    let maximum: Int
    var idle: [IdleConnection] = []
    var openCount = 0
    var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    var nextWaiterID = 0
    /// Waiters that timed out or were cancelled before they could register.
    var abandonedWaiters: Set<Int> = []
    var isShutDown = false

    init(maximum: Int) { self.maximum = maximum }

    mutating func acquire(now: ContinuousClock.Instant = .now) -> AcquireDecision {
        if isShutDown { return .closed }
        if let entry = idle.popLast() {
            if let retireAt = entry.times.retireAt, retireAt <= now {
                openCount -= 1
                return .retire(entry.connection)
            }
            return .use(entry.connection)
        }
        if openCount < maximum {
            openCount += 1
            return .open
        }
        return .wait
    }

    /// A connection comes back healthy: hand it to the oldest waiter, keep it idle, or retire it
    /// when the pool shut down or its lifetime is over.
    mutating func release(_ connection: PGConnection, retireAt: ContinuousClock.Instant?,
                          now: ContinuousClock.Instant = .now) -> ReturnDecision {
        if isShutDown {
            openCount -= 1
            return .retire(nil)
        }
        if let retireAt, retireAt <= now { return .retire(discard()) }
        if !waiters.isEmpty { return .handOver(waiters.removeFirst().continuation) }
        idle.append(IdleConnection(connection: connection, times: .init(returned: now, checked: now, retireAt: retireAt)))
        return .kept
    }

    /// A connection that passed its health check comes back with its times (the check is not
    /// use, so its return time stays); the idle list stays ordered by return time.
    mutating func returnChecked(_ entry: IdleConnection) -> ReturnDecision {
        if isShutDown {
            openCount -= 1
            return .retire(nil)
        }
        if !waiters.isEmpty { return .handOver(waiters.removeFirst().continuation) }
        let index = idle.firstIndex { $0.times.returned > entry.times.returned } ?? idle.endIndex
        idle.insert(entry, at: index)
        return .kept
    }

    /// Applies `policy` to the idle connections: returns those to check (taken out of the idle
    /// list until they come back) and those to close (their slots freed).
    mutating func sweep(_ policy: PGIdlePolicy, now: ContinuousClock.Instant = .now)
        -> (check: [IdleConnection], close: [PGConnection]) {
        let actions = policy.actions(for: idle.map(\.times), now: now)
        var keep: [IdleConnection] = []
        var check: [IdleConnection] = []
        var close: [PGConnection] = []
        for (entry, action) in zip(idle, actions) {
            switch action {
            case .keep: keep.append(entry)
            case .check: check.append(entry)
            case .close: close.append(entry.connection)
            }
        }
        idle = keep
        openCount -= close.count
        return (check, close)
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
