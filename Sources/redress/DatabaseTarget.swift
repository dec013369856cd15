import Foundation
import LocalPostgres
import Logging
import Postgres

/// Which database the process uses: the one `DATABASE_URL` names, or the local cluster.
struct DatabaseTarget {
    /// The service role's connection string.
    var serviceURL: String
    /// The scheduler role's connection string, when known (`SCHEDULER_DATABASE_URL`, or the local cluster's).
    var schedulerURL: String?
    /// The owner's connection string, when known; migrations run with it.
    var ownerURL: String?
    /// The local cluster this process started, to stop on exit.
    var cluster: LocalCluster?

    static func resolve(_ settings: Settings, logger: Logger) throws -> DatabaseTarget {
        if let url = settings.databaseURL {
            return DatabaseTarget(serviceURL: url, schedulerURL: settings.schedulerDatabaseURL, ownerURL: settings.ownerDatabaseURL,
                                  cluster: nil)
        }
        let target = localCluster(settings, logger: logger)
        logger.info("no DATABASE_URL; using the local PostgreSQL cluster", metadata: ["directory": "\(settings.dataDirectory.appendingPathComponent("postgres").path)"])
        try target.cluster?.start()
        return target
    }

    /// The local cluster under `REDRESS_DATA_DIR`, not yet started.
    static func localCluster(_ settings: Settings, logger: Logger) -> DatabaseTarget {
        let cluster = LocalCluster(directory: settings.dataDirectory.appendingPathComponent("postgres"), logger: logger)
        return DatabaseTarget(serviceURL: cluster.serviceURL, schedulerURL: cluster.schedulerURL,
                              ownerURL: cluster.ownerURL, cluster: cluster)
    }

    /// Applies pending migrations on a connection of its own, as the owner.
    static func migrate(ownerURL: String, migrator: PGMigrator, logger: Logger) async throws {
        let connection = try await PGConnection.connect(PGConnectionConfiguration(ownerURL, applicationName: "redress-migrate"))
        defer { connection.close() }
        let applied = try await migrator.migrate(connection)
        logger.info("migrations current", metadata: ["applied": "\(applied.count)", "files": "\(migrator.migrations.count)"])
    }
}
