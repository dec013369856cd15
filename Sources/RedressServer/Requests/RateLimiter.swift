import Crypto
import Foundation
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

    /// Counts one request of `key` in the shared counts before answering (without sharing, or
    /// when the database cannot be reached, as ``admit(_:now:)``).
    func admitNow(_ key: String, now: Date = Date()) async -> Int? {
        guard let sharing else { return admit(key, now: now) }
        let start = Self.windowStart(now, window)
        let count = RateCountStore.Count(limiter: name, keyDigest: Self.digest(key), windowStart: start, requests: 1)
        guard let total = try? await sharing.add([count]).first?.requests else { return admit(key, now: now) }
        return state.withLockedValue { state in
            roll(&state, now)
            guard state.windowStart == start else { return nil }
            state.own[key, default: 0] += 1
            let sent = state.own[key, default: 0] - state.unsent[key, default: 0]
            state.others[key] = max(0, total - sent)
            return wait(key, state, now, counting: 1)
        }
    }

    /// Adds what was counted here since the last exchange to the shared counts, and reads back the
    /// totals of those keys and of every key here at half its limit or more.
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
        do {
            let totals = try await sharing.add(counted.map {
                RateCountStore.Count(limiter: name, keyDigest: digests[$0.key]!, windowStart: start, requests: $0.value)
            })
            let byDigest = Dictionary(totals.map { ($0.keyDigest, $0.requests) }, uniquingKeysWith: max)
            state.withLockedValue { state in
                guard state.windowStart == start else { return }
                for key in counted.keys {
                    guard let total = byDigest[digests[key]!] else { continue }
                    let sent = state.own[key, default: 0] - state.unsent[key, default: 0]
                    state.others[key] = max(0, total - sent)
                }
            }
        } catch {
            // Not added: sent again with the next exchange of the same window.
            state.withLockedValue { state in
                guard state.windowStart == start else { return }
                for (key, count) in counted { state.unsent[key, default: 0] += count }
            }
        }
    }

    /// Moves `state` to the window holding `now`, keeping everyone's counts of the window before
    /// when it is the one just before.
    private func roll(_ state: inout State, _ now: Date) {
        let start = Self.windowStart(now, window)
        guard state.windowStart != start else { return }
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
        let elapsed = (now.timeIntervalSince1970 - Double(state.windowStart)) / length
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
