import Foundation
import Logging
import Metrics
import Postgres
import RedressStore
import ServiceLifecycle

/// Folds the logs of complaints' and messages' changes into the counts that reports over many
/// branches read (`reports.fold_counts`), every `pollInterval`. Reports are exact either way (they read the log
/// too); folding keeps what they read small. Any number may run at once: one folds, the others
/// find the fold taken and wait for the next interval.
public struct ReportCountsFolder: Service {
    let pool: PGPool
    let pollInterval: Duration
    let logger: Logger

    /// Creates a folder on the scheduler's pool.
    public init(pool: PGPool, pollInterval: Duration = .seconds(5), logger: Logger = Logger(label: "redress.reports")) {
        self.pool = pool
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        try await DrainLoop(pollInterval: pollInterval, failure: "folding the report counts failed", logger: logger).run {
            _ = try await fold()
            return 0
        }
    }

    /// Folds every change logged so far; returns how many.
    @discardableResult
    public func fold() async throws -> Int {
        let folded = Int(try await pool.query("SELECT reports.fold_counts()")[0].decode(Int32.self, at: 0))
        if folded > 0 { Counter(label: "redress_report_count_changes_folded_total").increment(by: folded) }
        return folded
    }
}
