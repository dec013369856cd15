import Crypto
import Foundation
import Metrics
import NIOConcurrencyHelpers
import RedressStore

/// Counts requests per key (a client address, a credential) in windows of whole clock minutes (or
/// of `window`), the same windows on every instance, and weighs the previous window's count by
/// the part of it still within one window of now (a sliding window), so a burst across a boundary
/// is not admitted twice over. `admit` answers nil while the key is under its limit, else the
/// seconds until a request would be.
///
/// With `sharing`, the count is every instance's: what this instance counts is added to the
/// database's counts at most `exchangeDelay` after it happened, and each key's total read back in
/// the same statement (`auth.count_requests`), so N instances admit a key about one limit, not N —
/// at most one exchange's worth of requests more per instance. ``admitNow(_:now:)`` counts in the
/// database before it answers, for limits that must hold exactly (sign-in attempts). When the
/// database cannot be reached, each instance counts on its own until it can.
final class RateLimiter: Sendable {
    let name: String
    let limit: Int
    let window: Duration
    let sharing: RateCountStore?
    let exchangeDelay: Duration
    private let state = NIOLockedValueBox(State())

    struct State {
        /// The current window's first second (Unix time).
        var windowStart: Int64 = .min
        /// Counted here in the window.
        var own: [String: Int] = [:]
        /// Counted here and not yet added to the shared counts.
        var unsent: [String: Int] = [:]
        /// The other instances' counts, as last read.
        var others: [String: Int] = [:]
        /// Every instance's counts in the window before, as last known.
        var previous: [String: Int] = [:]
        var exchangeScheduled = false

        /// Takes in every instance's totals for `key`, as the shared counts answered: `total` for
        /// this window (of which what this instance has sent is its own), `before` for the one before.
        mutating func learn(_ key: String, total: Int?, before: Int?) {
            if let total { others[key] = max(0, total - (own[key, default: 0] - unsent[key, default: 0])) }
            if let before { previous[key] = max(previous[key, default: 0], before) }
        }

        /// The key's count in this window, everyone's.
        func current(_ key: String) -> Int { own[key, default: 0] + others[key, default: 0] }
    }

    /// A limiter admitting `limit` requests per key per `window`, named `name` among the shared counts.
    init(name: String = "local", limit: Int, window: Duration = .seconds(60), sharing: RateCountStore? = nil,
         exchangeDelay: Duration = .milliseconds(250)) {
        self.name = name
        self.limit = limit
        self.window = window
        self.sharing = sharing
        self.exchangeDelay = exchangeDelay
    }

    /// Whether `key` has used up its window, without counting: nil when not, else how many
    /// seconds to wait. With ``admit(_:now:)`` after each failure, it limits failures only.
    func exhausted(_ key: String, now: Date = Date()) -> Int? {
        state.withLockedValue { state in
            roll(&state, now)
            return wait(key, state, now, counting: 0)
        }
    }

    /// Counts one request of `key`; nil when admitted, else how many seconds to wait.
    func admit(_ key: String, now: Date = Date()) -> Int? {
        let (answer, schedule) = state.withLockedValue { state -> (Int?, Bool) in
            roll(&state, now)
            state.own[key, default: 0] += 1
            state.unsent[key, default: 0] += 1
            let schedule = sharing != nil && !state.exchangeScheduled
            if schedule { state.exchangeScheduled = true }
            return (wait(key, state, now, counting: 1), schedule)
        }
        if schedule {
            Task {
                try? await Task.sleep(for: exchangeDelay)
                await exchange()
            }
        }
        return answer
    }

    /// Counts one request of `key` in the shared counts before answering, with every instance's
    /// count of the minute before (without sharing, or when the database cannot be reached, as
    /// ``admit(_:now:)``). A key this instance already knows to be over its limit is refused
    /// without asking the database, and counted with the next exchange.
    func admitNow(_ key: String, now: Date = Date()) async -> Int? {
        guard let sharing, exhausted(key, now: now) == nil else { return admit(key, now: now) }
        let start = Self.windowStart(now, window)
        let digest = Self.digest(key)
        let counts = [RateCountStore.Count(limiter: name, keyDigest: digest, windowStart: start, requests: 1),
                      RateCountStore.Count(limiter: name, keyDigest: digest, windowStart: start - Self.seconds(window), requests: 0)]
        guard let totals = try? await sharing.add(counts) else {
            Counter(label: "redress_rate_limit_unshared_total", dimensions: [("limiter", name)]).increment()
            return admit(key, now: now)
        }
        let total = totals.first { $0.windowStart == start }?.requests ?? 1
        let before = totals.first { $0.windowStart != start }?.requests ?? 0
        return state.withLockedValue { state in
            roll(&state, now)
            // The minute moved on while the database answered: the count went to the one before.
            guard state.windowStart == start else { return total > limit ? 1 : nil }
            state.own[key, default: 0] += 1
            state.learn(key, total: total, before: before)
            return wait(key, state, now, counting: 1)
        }
    }

    /// Adds what was counted here since the last exchange to the shared counts, and reads back the
    /// totals of those keys and of every key here at half its limit or more, this minute's and the
    /// minute before's.
    func exchange() async {
        let (start, counted) = state.withLockedValue { state -> (Int64, [String: Int]) in
            state.exchangeScheduled = false
            defer { state.unsent = [:] }
            var counted = state.unsent
            for (key, own) in state.own where counted[key] == nil && 2 * (own + state.others[key, default: 0]) >= limit {
                counted[key] = 0
            }
            return (state.windowStart, counted)
        }
        guard let sharing, !counted.isEmpty else { return }
        let digests = Dictionary(uniqueKeysWithValues: counted.keys.map { ($0, Self.digest($0)) })
        let before = start - Self.seconds(window)
        do {
            let totals = try await sharing.add(counted.flatMap { key, count in
                [RateCountStore.Count(limiter: name, keyDigest: digests[key]!, windowStart: start, requests: count),
                 RateCountStore.Count(limiter: name, keyDigest: digests[key]!, windowStart: before, requests: 0)]
            })
            var current: [String: Int] = [:], previous: [String: Int] = [:]
            for total in totals {
                if total.windowStart == start { current[total.keyDigest] = total.requests } else { previous[total.keyDigest] = total.requests }
            }
            state.withLockedValue { state in
                guard state.windowStart == start else { return }
                for key in counted.keys {
                    state.learn(key, total: current[digests[key]!], before: previous[digests[key]!])
                }
            }
        } catch {
            Counter(label: "redress_rate_limit_unshared_total", dimensions: [("limiter", name)]).increment()
            // Not added: sent again with the next exchange of the same window.
            state.withLockedValue { state in
                guard state.windowStart == start else { return }
                for (key, count) in counted { state.unsent[key, default: 0] += count }
            }
        }
    }

    /// Moves `state` to the window holding `now`, keeping everyone's counts of the window before
    /// when it is the one just before.
    /// A `now` from before the current window (taken before a wait, or by a request that lost the
    /// race to the lock) counts in the current window: windows only move forward.
    private func roll(_ state: inout State, _ now: Date) {
        let start = Self.windowStart(now, window)
        guard start > state.windowStart else { return }
        var previous: [String: Int] = [:]
        if state.windowStart == start - Self.seconds(window) {
            for key in Set(state.own.keys).union(state.others.keys) { previous[key] = state.current(key) }
        }
        state = State(windowStart: start, previous: previous, exchangeScheduled: state.exchangeScheduled)
    }

    /// Nil when `key`'s count, with `counting` requests just counted among it, is within the limit
    /// (the previous window weighed by the part of it still within one window of now); else the
    /// seconds until one more request would be.
    private func wait(_ key: String, _ state: State, _ now: Date, counting: Int) -> Int? {
        let length = Double(Self.seconds(window))
        let elapsed = min(1, max(0, (now.timeIntervalSince1970 - Double(state.windowStart)) / length))
        let current = Double(state.current(key)), previous = Double(state.previous[key, default: 0])
        guard current + previous * (1 - elapsed) > Double(limit - 1 + counting) else { return nil }
        // One more request fits once current + previous × (1 − elapsed) ≤ limit − 1: later in
        // this window as the previous one weighs less, or else into the next, where this window's
        // count is the one that weighs less.
        let room = Double(limit - 1)
        let at: Double
        if current <= room, previous > 0 {
            at = 1 - (room - current) / previous
        } else {
            at = 1 + max(0, 1 - room / max(current, 1))
        }
        let seconds = (at - elapsed) * length
        return max(1, Int(seconds.rounded(.up)))
    }

    static func seconds(_ window: Duration) -> Int64 { max(1, window.components.seconds) }

    /// The first second of the window holding `now`: whole multiples of the window since 1970.
    static func windowStart(_ now: Date, _ window: Duration) -> Int64 {
        let length = seconds(window)
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        return second - ((second % length) + length) % length
    }

    /// The key as the shared counts hold it.
    static func digest(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
