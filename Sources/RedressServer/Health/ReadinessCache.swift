import NIOConcurrencyHelpers
import RedressStore

/// Answers `/readyz` from a recent check: the database is asked at most once per `maxAge`, and
/// callers arriving while a check runs wait for that one instead of starting their own, so a
/// flood of unauthenticated probes costs the database next to nothing.
final class ReadinessCache: Sendable {
    private struct State {
        var last: (report: ReadinessProbe.Report, at: ContinuousClock.Instant)?
        var running: Task<ReadinessProbe.Report, Never>?
    }

    private let state = NIOLockedValueBox(State())
    private let maxAge: Duration
    private let check: @Sendable () async -> ReadinessProbe.Report

    /// A cache of `check`'s answers, each reused for `maxAge`. Default 1 s.
    init(maxAge: Duration = .seconds(1), check: @escaping @Sendable () async -> ReadinessProbe.Report) {
        self.maxAge = maxAge
        self.check = check
    }

    /// The latest answer when it is fresh enough, else the answer of the check now running (started if none is).
    func report(now: ContinuousClock.Instant = .now) async -> ReadinessProbe.Report {
        let task = state.withLockedValue { state -> Task<ReadinessProbe.Report, Never> in
            if let last = state.last, now - last.at < maxAge {
                return Task { last.report }
            }
            if let running = state.running { return running }
            let running = Task { [check] in await check() }
            state.running = running
            return running
        }
        let report = await task.value
        state.withLockedValue { state in
            if state.running == task {
                state.running = nil
                state.last = (report, .now)
            }
        }
        return report
    }
}
