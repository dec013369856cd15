import Foundation
import Metrics

extension PGPool {
    /// Takes an idle healthy connection, opens a new one, or waits for one to come back; the time
    /// it took is recorded as `redress_pool_acquire_seconds`.
    func acquire() async throws -> PGConnection {
        let start = ContinuousClock.now
        defer {
            let waited = ContinuousClock.now - start
            // Made per use, so it reports to whatever metrics backend the process bootstrapped, even after the pool.
            Timer(label: "redress_pool_acquire_seconds", dimensions: [("pool", configuration.connection.applicationName)],
                  preferredDisplayUnit: .seconds)
                .recordNanoseconds(waited.components.seconds * 1_000_000_000 + waited.components.attoseconds / 1_000_000_000)
        }
        return try await acquireConnection()
    }

    private func acquireConnection() async throws -> PGConnection {
        let deadline = ContinuousClock.now + configuration.acquireTimeout
        while true {
            switch state.withLockedValue({ $0.acquire() }) {
            case .use(let connection):
                if connection.isAliveWhileIdle() { return connection }
                logger.debug("discarding a connection closed by the server")
                discard(connection)
            case .retire(let connection):
                connection.close()
            case .open:
                return try await open(until: deadline)
            case .wait:
                switch try await wait(until: deadline) {
                case .connection(let connection): return connection
                case .openSlot: return try await open(until: deadline)
                }
            case .closed:
                throw PGError(.poolClosed, message: "the pool has shut down")
            }
        }
    }

    /// Opens a connection for a slot already counted, retrying with backoff while the server is
    /// unreachable (e.g. restarting) until the deadline.
    private func open(until deadline: ContinuousClock.Instant) async throws -> PGConnection {
        var delay = Duration.milliseconds(25)
        while true {
            do {
                let connection = try await PGConnection.connect(configuration.connection)
                connection.retireAt = configuration.lifetime(random: .random(in: 0...1)).map { ContinuousClock.now + $0 }
                return connection
            } catch let error as PGError where error.code == .connectionFailed && ContinuousClock.now + delay < deadline {
                logger.warning("connecting to PostgreSQL failed; retrying", metadata: ["error": "\(error.message)"])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    slotFreed()
                    throw error
                }
                delay = min(delay * 2, .seconds(1))
            } catch {
                slotFreed()
                throw error
            }
        }
    }

    private func wait(until deadline: ContinuousClock.Instant) async throws -> PGPoolState.Grant {
        let id = state.withLockedValue { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = PGError(.acquireTimeout, message: "no connection became free within the acquire timeout")
        return try await withThrowingTaskGroup(of: PGPoolState.Grant?.self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        if !self.state.withLockedValue({ $0.addWaiter(id, continuation) }) {
                            continuation.resume(throwing: CancellationError())
                        }
                    }
                } onCancel: {
                    self.state.withLockedValue { $0.abandonWaiter(id) }?.resume(throwing: CancellationError())
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                if Task.isCancelled { return nil }
                self.state.withLockedValue { $0.abandonWaiter(id) }?.resume(throwing: timeout)
                return nil
            }
            defer { group.cancelAll() }
            do {
                while let next = try await group.next() {
                    if let grant = next { return grant }
                }
            } catch is CancellationError where !Task.isCancelled {
                throw state.withLockedValue { $0.isShutDown } ? PGError(.poolClosed, message: "the pool has shut down") : timeout
            }
            throw timeout
        }
    }

    /// Takes a connection back; one that broke, was left inside a transaction, or is past its
    /// lifetime is closed.
    func release(_ connection: PGConnection, after error: (any Error)? = nil) {
        let broken = !connection.isReusable || connection.isInTransaction
            || (error as? PGError)?.isConnectionLevel == true
        if broken {
            discard(connection)
            return
        }
        settle(connection, state.withLockedValue { $0.release(connection, retireAt: connection.retireAt) })
    }

    /// Carries out what the pool's state decided for a connection given back, outside the lock.
    private func settle(_ connection: PGConnection, _ decision: PGPoolState.ReturnDecision) {
        switch decision {
        case .handOver(let waiter):
            waiter.resume(returning: .connection(connection))
        case .kept:
            break
        case .retire(let waiter):
            connection.close()
            waiter?.resume(returning: .openSlot)
        }
    }

    func discard(_ connection: PGConnection) {
        connection.close()
        slotFreed()
    }

    private func slotFreed() {
        state.withLockedValue { $0.discard() }?.resume(returning: .openSlot)
    }

    /// Looks after idle connections as `PGPoolState` decides: closes those past their lifetime and
    /// those idle past the idle timeout beyond the minimum kept, and checks with a round trip
    /// those not proved alive for a health-check interval. A check is not use: it does not keep a
    /// connection open longer.
    func checkIdleConnections() async {
        let (toCheck, toClose) = state.withLockedValue { $0.sweep(configuration.idlePolicy) }
        toClose.forEach { $0.close() }
        for var entry in toCheck {
            do {
                try await entry.connection.executeScript("SELECT 1")
                guard entry.connection.isReusable else { throw PGError(.connectionClosed, message: "broken") }
                entry.times.checked = .now
                settle(entry.connection, state.withLockedValue { $0.returnChecked(entry) })
            } catch {
                logger.debug("discarding a connection that failed its health check")
                discard(entry.connection)
            }
        }
    }
}
