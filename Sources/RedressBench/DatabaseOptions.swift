import ArgumentParser
import Foundation
import Logging
import Postgres

/// The connections and migrations a benchmark works with.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The schema owner's connection (env OWNER_DATABASE_URL).")
    var ownerURL: String?

    @Option(help: "The service role's connection (env DATABASE_URL).")
    var serviceURL: String?

    @Option(help: "The scheduler role's connection (env SCHEDULER_DATABASE_URL), for benchmarks that run the scheduler.")
    var schedulerURL: String?

    @Option(help: "The migrations folder.")
    var sqlDirectory = "sql"

    /// Both connection strings, from the flags or the environment.
    func urls() throws -> (owner: String, service: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let owner = ownerURL ?? environment["OWNER_DATABASE_URL"],
              let service = serviceURL ?? environment["DATABASE_URL"] else {
            throw ValidationError("pass --owner-url and --service-url (or set OWNER_DATABASE_URL and DATABASE_URL)")
        }
        return (owner, service)
    }

    /// Logging at warning level only, so the figures stand out; pools of the owner and the service
    /// role; and the schema migrated as the owner.
    func openMigrated(ownerConnections: Int, serviceConnections: Int) async throws -> (owner: PGPool, service: PGPool) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let (ownerURL, serviceURL) = try urls()
        let owner = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(ownerURL),
                                                              maximumConnections: ownerConnections))
        let service = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(serviceURL),
                                                                maximumConnections: serviceConnections))
        try await owner.withConnection { connection in
            _ = try await PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: sqlDirectory))).migrate(connection)
        }
        return (owner, service)
    }

    /// A pool of the scheduler role's connections, from the flag or the environment.
    func schedulerPool(connections: Int) throws -> PGPool {
        guard let url = schedulerURL ?? ProcessInfo.processInfo.environment["SCHEDULER_DATABASE_URL"] else {
            throw ValidationError("pass --scheduler-url (or set SCHEDULER_DATABASE_URL)")
        }
        return PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(url), maximumConnections: connections))
    }
}
