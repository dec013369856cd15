import Foundation
import Metrics
import NIOConcurrencyHelpers
import Postgres

/// A streaming standby that serves reads which may be a little stale (reports), while its replay
/// lag, measured on the standby, is at most `maximumLag`; beyond it, or when the standby does not
/// answer within `checkTimeout` or cannot tell, those reads go to the primary.
///
/// The lag is asked by one request at a time, at most once per `checkInterval`; the others use
/// the last answer, and until there is one they go to the primary. The lag is zero while the
/// standby has a WAL receiver (the only column of `pg_stat_wal_receiver` a non-superuser sees is
/// its process id) and has replayed everything it received; otherwise (replay behind, or no
/// receiver) it is the time since the last transaction it replayed
/// committed, so a standby cut off from its primary falls behind the bound as time passes. What
/// the standby has not yet received it cannot count. `redress_read_replica_reads_total{served_by}`
/// counts the decisions; `redress_read_replica_lag_seconds` is the lag last measured, -1 when it
/// could not be.
public final class ReadReplica: Sendable {
    /// The standby's pool of service-role connections.
    public let pool: PGPool
    public let maximumLag: Duration
    let checkInterval: Duration
    let checkTimeout: Duration
    private let state = NIOLockedValueBox(State())

    struct State {
        var checkedAt: ContinuousClock.Instant?
        var lag: Double?
        var checking = false
    }

    /// A replica on `pool`, trusted while its replay lag is at most `maximumLag`.
    public init(pool: PGPool, maximumLag: Duration, checkInterval: Duration = .seconds(1), checkTimeout: Duration = .milliseconds(500)) {
        self.pool = pool
        self.maximumLag = maximumLag
        self.checkInterval = checkInterval
        self.checkTimeout = checkTimeout
    }

    /// Which side serves a read now: true for the standby.
    public func serves() async -> Bool {
        let now = ContinuousClock.now
        let (known, mine) = state.withLockedValue { state -> (Double?, Bool) in
            let due = state.checkedAt.map { now - $0 >= checkInterval } ?? true
            guard due, !state.checking else { return (state.lag, false) }
            state.checking = true
            return (state.lag, true)
        }
        var lag = known
        if mine {
            lag = await measureWithin(checkTimeout)
            state.withLockedValue { state in
                state.checking = false
                state.checkedAt = .now
                state.lag = lag
            }
            Gauge(label: "redress_read_replica_lag_seconds").record(lag ?? -1)
        }
        let limit = Double(maximumLag.components.seconds) + Double(maximumLag.components.attoseconds) / 1e18
        let serves = lag.map { $0 <= limit } ?? false
        Counter(label: "redress_read_replica_reads_total", dimensions: [("served_by", serves ? "replica" : "primary")]).increment()
        return serves
    }

    /// The lag, or nil when the standby cannot tell or does not answer within `timeout`.
    func measureWithin(_ timeout: Duration) async -> Double? {
        await withTaskGroup(of: Double??.self) { group in
            group.addTask { (try? await self.measure()) ?? .some(nil) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .none
            }
            let first = await group.next() ?? .none
            group.cancelAll()
            return first ?? nil
        }
    }

    /// The standby's replay lag in seconds (see the type); nil when it is not a standby or
    /// cannot tell (nothing replayed since it started).
    func measure() async throws -> Double? {
        let row = try await pool.query("""
            SELECT pg_is_in_recovery(),
                   pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                       AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE pid IS NOT NULL),
                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
            """)[0]
        guard try row.decode(Bool.self, at: 0) else { return nil }
        if try row.decode(Bool.self, at: 1) { return 0 }
        return try row.decode(Double?.self, at: 2)
    }
}
