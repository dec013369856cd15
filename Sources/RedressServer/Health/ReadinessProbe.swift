import Postgres

/// Decides whether this instance can serve: the database answers and its schema is current.
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
        /// Creates a report.
        public init(status: String, database: String, migrations: String) {
            self.status = status
            self.database = database
            self.migrations = migrations
        }
        /// True when everything is ready.
        public var isReady: Bool { status == "ready" }
    }

    /// Runs the check with one round trip for the database and one for the migrations.
    public func check() async -> Report {
        do {
            let status = try await pool.withConnection { connection in
                try await connection.query("SELECT 1")
                return try await migrator.status(connection)
            }
            if status.isCurrent {
                return Report(status: "ready", database: "ok", migrations: "current")
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
