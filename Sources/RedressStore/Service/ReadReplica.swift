import Foundation
import Metrics
import NIOConcurrencyHelpers
import Postgres

/// A streaming standby that serves reads which may be a little stale (reports), while its replay
/// lag, measured on the standby, is at most `maximumLag`; beyond it, or when the standby cannot
/// be asked or cannot tell, those reads go to the primary. The lag is asked at most once per
/// `checkInterval`: zero when the standby has replayed everything it received, else the time
/// since the last transaction it replayed committed. What the standby has not yet received it
/// cannot count: with asynchronous replication a report may miss the last moments' writes. `redress_read_replica_reads_total{served_by}` counts which
/// side served; `redress_read_replica_lag_seconds` is the lag last measured.
public final class ReadReplica: Sendable {
    /// The standby's pool of service-role connections.
    public let pool: PGPool
    public let maximumLag: Duration
    let checkInterval: Duration
    private let lastCheck = NIOLockedValueBox<(at: ContinuousClock.Instant, lag: Double?)?>(nil)

    /// A replica on `pool`, trusted while its replay lag is at most `maximumLag`.
    public init(pool: PGPool, maximumLag: Duration, checkInterval: Duration = .seconds(1)) {
        self.pool = pool
        self.maximumLag = maximumLag
        self.checkInterval = checkInterval
    }

    /// Which side serves a read now: true for the standby.
    public func serves() async -> Bool {
        let now = ContinuousClock.now
        let known = lastCheck.withLockedValue { check -> Double?? in
            guard let check, now - check.at < checkInterval else { return .none }
            return .some(check.lag)
        }
        let lag: Double?
        if let known {
            lag = known
        } else {
            lag = try? await measure()
            lastCheck.withLockedValue { $0 = (now, lag) }
            if let lag { Gauge(label: "redress_read_replica_lag_seconds").record(lag) }
        }
        let serves = lag.map { $0 <= Double(maximumLag.components.seconds) + Double(maximumLag.components.attoseconds) / 1e18 } ?? false
        Counter(label: "redress_read_replica_reads_total", dimensions: [("served_by", serves ? "replica" : "primary")]).increment()
        return serves
    }

    /// The standby's replay lag in seconds, as the standby knows it: zero when it has replayed
    /// everything it received, else the time since the last transaction it replayed committed;
    /// nil when it is not a standby or cannot tell (nothing replayed since it started).
    func measure() async throws -> Double? {
        let row = try await pool.query("""
            SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
            """)[0]
        guard try row.decode(Bool.self, at: 0) else { return nil }
        if try row.decode(Bool.self, at: 1) { return 0 }
        return try row.decode(Double?.self, at: 2)
    }
}
