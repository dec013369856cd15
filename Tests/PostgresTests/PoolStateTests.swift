@testable import Postgres
import Testing

@Suite("Pool bookkeeping, without a database")
struct PoolStateTests {
    @Test func opensUpToTheMaximumThenWaits() {
        var state = PGPoolState(maximum: 2)
        guard case .open = state.acquire() else { Issue.record("expected open"); return }
        guard case .open = state.acquire() else { Issue.record("expected open"); return }
        guard case .wait = state.acquire() else { Issue.record("expected wait"); return }
        #expect(state.openCount == 2)
    }

    @Test func aDiscardedSlotIsFreedWhenNobodyWaits() {
        var state = PGPoolState(maximum: 1)
        _ = state.acquire()
        #expect(state.discard() == nil)
        #expect(state.openCount == 0)
        guard case .open = state.acquire() else { Issue.record("expected open"); return }
    }

    @Test func aWaiterThatGaveUpBeforeRegisteringIsNotRegistered() {
        var state = PGPoolState(maximum: 1)
        #expect(state.abandonWaiter(7) == nil)
        #expect(state.abandonedWaiters == [7])
        #expect(state.waiters.isEmpty)
    }

    @Test func shutdownRefusesNewWork() {
        var state = PGPoolState(maximum: 1)
        state.isShutDown = true
        guard case .closed = state.acquire() else { Issue.record("expected closed"); return }
    }
}
