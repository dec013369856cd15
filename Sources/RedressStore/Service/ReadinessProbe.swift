import Foundation
import Postgres

/// Decides whether this instance can serve: the database answers and its schema is current. It
/// also reports how far the scheduler fleet (wherever it runs) is behind: the age of the oldest
/// due escalation or ack window; that does not make this instance unready.
public struct ReadinessProbe: Sendable {
    let pool: PGPool
    let migrator: PGMigrator

    /// The outcome of one check.
    public struct Report: Sendable, Codable, Equatable {
        /// `ready` or `not ready`.
        public var status: String
        /// `ok` or why the database is unusable.
        public var database: String
        /// `current`, or which migrations are pending or changed.
        public var migrations: String
        /// `ok`, `behind` (work due for more than a minute), or `unknown`.
        public var scheduler: String
        /// Seconds since the oldest due scheduler work fell due (0 when none is due).
        public var schedulerLagSeconds: Double?
        /// Creates a report.
        public init(status: String, database: String, migrations: String, scheduler: String = "unknown",
                    schedulerLagSeconds: Double? = nil) {
            self.status = status
            self.database = database
            self.migrations = migrations
            self.scheduler = scheduler
            self.schedulerLagSeconds = schedulerLagSeconds
        }
        /// True when everything is ready.
        public var isReady: Bool { status == "ready" }
    }

    /// Runs the check with one round trip for the database and one for the migrations.
    public func check() async -> Report {
        do {
            let (status, next) = try await pool.withConnection { connection -> (PGMigrator.Status, Date?) in
                try await connection.query("SELECT 1")
                let status = try await migrator.status(connection)
                guard status.isCurrent else { return (status, nil) }
                return (status, try await connection.query("SELECT public.next_scheduled_work()")[0].decode(Date?.self, at: 0))
            }
            if status.isCurrent {
                let lag = max(0, Date().timeIntervalSince(next ?? .distantFuture))
                return Report(status: "ready", database: "ok", migrations: "current", scheduler: lag > 60 ? "behind" : "ok",
                              schedulerLagSeconds: (lag * 1000).rounded() / 1000)
            }
            var problems: [String] = []
            if !status.pending.isEmpty { problems.append("pending \(status.pending.map(String.init).joined(separator: ","))") }
            if !status.changed.isEmpty { problems.append("changed \(status.changed.map(String.init).joined(separator: ","))") }
            return Report(status: "not ready", database: "ok", migrations: problems.joined(separator: "; "))
        } catch let error as PGError {
            return Report(status: "not ready", database: error.code.rawValue, migrations: "unknown")
        } catch {
            return Report(status: "not ready", database: "unreachable", migrations: "unknown")
        }
    }
}
