import Foundation
import Postgres

/// The rate limits' counts shared by every API instance (`auth.count_requests`,
/// `sql/0073_rate_limits_are_shared.sql`): an instance adds what it counted and reads back
/// everyone's totals in one statement, in a transaction of its own.
public struct RateCountStore: Sendable {
    /// What one limiter counted for one key in one window.
    public struct Count: Sendable, Equatable {
        /// The limiter's name (`sign_in`, `requests`, …).
        public var limiter: String
        /// The SHA-256 digest of the key, in hex: keys hold client addresses and person ids.
        public var keyDigest: String
        /// The window's first second (Unix time).
        public var windowStart: Int64
        public var requests: Int

        /// Creates a count.
        public init(limiter: String, keyDigest: String, windowStart: Int64, requests: Int) {
            self.limiter = limiter
            self.keyDigest = keyDigest
            self.windowStart = windowStart
            self.requests = requests
        }
    }

    let pool: PGPool

    /// Creates the store on the service's pool.
    public init(pool: PGPool) { self.pool = pool }

    /// Adds `counts` (a count of 0 only reads) and returns the totals of every instance for the
    /// same keys and windows, in statements of at most 10,000 counts.
    public func add(_ counts: [Count]) async throws -> [Count] {
        var totals: [Count] = []
        for first in stride(from: 0, to: counts.count, by: 10_000) {
            totals += try await addBatch(Array(counts[first..<min(first + 10_000, counts.count)]))
        }
        return totals
    }

    private func addBatch(_ counts: [Count]) async throws -> [Count] {
        try await pool.query("""
            SELECT limiter, key_digest, window_start, requests
              FROM auth.count_requests(\(counts.map(\.limiter)), \(counts.map(\.keyDigest)), \(counts.map { Int($0.windowStart) }),
                                       \(counts.map { Int32(clamping: $0.requests) }))
            """).map { row in
            Count(limiter: try row.decode(at: 0), keyDigest: try row.decode(at: 1), windowStart: try row.decode(at: 2),
                  requests: try row.decode(at: 3))
        }
    }
}
