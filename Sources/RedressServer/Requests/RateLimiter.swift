import Foundation
import NIOConcurrencyHelpers

/// Counts requests per key (a client address, a credential) in fixed windows, in this process.
/// `admit` answers nil while the key is under its limit, else the seconds until its window ends.
/// Each instance counts on its own, so N instances behind a balancer admit up to N times the
/// limit; the per-login sign-in throttle in the database is shared by all of them.
final class RateLimiter: Sendable {
    let limit: Int
    let window: Duration
    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])

    struct Bucket {
        var start: ContinuousClock.Instant
        var count: Int
    }

    /// A limiter admitting `limit` requests per key per `window`.
    init(limit: Int, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    /// Whether `key` has used up its window, without counting: nil when not, else how many
    /// seconds to wait. With ``admit(_:now:)`` after each failure, it limits failures only.
    func exhausted(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLockedValue { buckets in
            guard let bucket = buckets[key], now - bucket.start < window, bucket.count >= limit else { return nil }
            let remaining = window - (now - bucket.start)
            return max(1, Int(remaining.components.seconds) + (remaining.components.attoseconds > 0 ? 1 : 0))
        }
    }

    /// Counts one request of `key`; nil when admitted, else how many seconds to wait.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLockedValue { buckets in
            if buckets.count > 100_000 {
                buckets = buckets.filter { now - $0.value.start < window }
            }
            var bucket = buckets[key] ?? Bucket(start: now, count: 0)
            if now - bucket.start >= window { bucket = Bucket(start: now, count: 0) }
            bucket.count += 1
            buckets[key] = bucket
            guard bucket.count > limit else { return nil }
            let remaining = window - (now - bucket.start)
            return max(1, Int(remaining.components.seconds) + (remaining.components.attoseconds > 0 ? 1 : 0))
        }
    }
}
