import Foundation
import Logging
import Postgres

/// The schema owner's connection for an operator's command: `OWNER_DATABASE_URL`, or the local
/// cluster's when no `DATABASE_URL` is set (started when it is not running, and stopped again
/// afterwards only then, so a running `serve` keeps its database).
enum OperatorDatabase {
    /// Runs `body` with a one-connection pool of the owner, printing the database's refusals.
    static func withOwnerPool<R>(_ settings: Settings, application: String, _ body: (PGPool) async throws -> R) async throws -> R {
        let logger = Logger(label: "redress.\(application)")
        var url = settings.ownerDatabaseURL
        var startedCluster: DatabaseTarget?
        if url == nil, settings.databaseURL == nil {
            let target = DatabaseTarget.localCluster(settings, logger: logger)
            if try !(target.cluster?.isRunning() ?? true) { startedCluster = target }
            try target.cluster?.start()
            url = target.ownerURL
        }
        defer { try? startedCluster?.cluster?.stop() }
        guard let url else {
            throw SettingsError("set OWNER_DATABASE_URL: operators change branches and grants as the schema owner")
        }
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(url, applicationName: "redress-\(application)"), maximumConnections: 1), logger: logger)
        do {
            let result = try await reportingDatabaseErrors { try await body(pool) }
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
