import NIOConcurrencyHelpers

/// How many times this process's connections have sent a request and waited for its answer: one
/// per statement sent alone, one per pipeline. For benchmarks, which read it before and after a load.
public enum PGRoundTrips {
    private static let counter = NIOLockedValueBox(0)

    /// The round trips so far.
    public static var total: Int { counter.withLockedValue { $0 } }

    /// Counts one round trip.
    static func count() {
        counter.withLockedValue { $0 += 1 }
    }
}

extension PGConnection {
    /// Counts one round trip of this connection, and of the process.
    func countRoundTrip() {
        roundTrips += 1
        PGRoundTrips.count()
    }
}
