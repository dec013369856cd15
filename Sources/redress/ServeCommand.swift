import ArgumentParser
import Foundation
import LocalPostgres
import Logging
import Postgres
import RedressScheduler
import RedressServer
import RedressStore
import ServiceLifecycle

/// `redress serve`: runs the HTTP API. Without `DATABASE_URL` it starts (creating it the first
/// time) a private PostgreSQL cluster under `REDRESS_DATA_DIR`, migrates it, and stops it on exit.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API.")

    @Option(help: "Address to bind (env HOST, default 0.0.0.0).")
    var host: String?

    @Option(help: "TCP port (env PORT, default 8080).")
    var port: Int?

    @Flag(help: "Do not apply pending migrations at start, even when OWNER_DATABASE_URL is set.")
    var noMigrate = false

    @Flag(help: "Create the demo branches, users and bot key at start and print how to sign in (needs the owner's connection).")
    var demo = false

    func run() async throws {
        try await reportingDatabaseErrors(serve)
    }

    private func serve() async throws {
        let settings = try Settings()
        try PublishedSecretsCheck.verify()
        settings.bootstrapLogging()
        let logger = Logger(label: "redress")
        let store = try settings.store()
        let environment = ProcessInfo.processInfo.environment
        var server = ServerConfiguration(
            host: host ?? environment["HOST"] ?? "0.0.0.0",
            port: try port ?? Int(environment["PORT"] ?? "8080").orThrow(SettingsError("PORT must be a number")),
            signInsPerMinute: settings.signInsPerMinute, requestsPerMinute: settings.requestsPerMinute,
            idleTimeout: .seconds(settings.idleTimeoutSeconds))
        server.webhookTargets = settings.webhookTargets
        server.gatewayHosts = settings.gatewayHosts
        server.trustedProxies = settings.trustedProxies
        server.pageStreamsPerCredential = settings.pageStreamsPerCredential
        server.pageStreamHeartbeat = .seconds(settings.pageStreamHeartbeatSeconds)
        server.consoleSecureCookies = settings.consoleSecureCookies
        server.consoleOnTimeTarget = Double(settings.consoleOnTimeTargetPercent) / 100
        server.metricsToken = settings.metricsToken
        server.tokenFailuresPerMinute = settings.tokenFailuresPerMinute
        server.phoneSearchesPerMinute = settings.phoneSearchesPerMinute
        server.publicLookupsPerMinute = settings.publicLookupsPerMinute
        server.intakeKeyRequestsPerMinute = settings.intakeKeyRequestsPerMinute

        let database = try DatabaseTarget.resolve(settings, logger: logger)
        let migrator = PGMigrator(migrations: try PGMigration.load(from: settings.migrationsDirectory()), logger: logger)
        if let ownerURL = database.ownerURL, !noMigrate {
            try await DatabaseTarget.migrate(ownerURL: ownerURL, migrator: migrator, logger: logger)
        }
        if demo {
            guard let ownerURL = database.ownerURL else {
                throw SettingsError("--demo needs OWNER_DATABASE_URL (or no DATABASE_URL, for the local cluster)")
            }
            try await DemoCommand.seed(ownerURL: ownerURL, settings: settings, port: server.port)
        }
        // The scheduler inside serve runs as the scheduler role, on a pool of its own.
        var scheduling: (pool: PGPool, url: String)?
        if settings.schedulerInServe {
            guard let url = database.schedulerURL else {
                try database.cluster?.stop()
                throw SettingsError("set SCHEDULER_DATABASE_URL to the scheduler role's connection (redress_scheduler), "
                                    + "or SCHEDULER=off and run `redress scheduler` apart")
            }
            scheduling = (settings.schedulerPool(url: url, logger: Logger(label: "redress.scheduler")), url)
        }
        let client = settings.databaseClient
        let pool = PGPool(configuration: client.pool(
            client.connection(database.serviceURL, usePreparedStatements: settings.preparedStatements),
            size: settings.poolSize), logger: logger)
        // Reports from a standby while its lag allows (`DATABASE_READ_URL`), with the same number of connections.
        let readPool = settings.readURL.map { url in
            PGPool(configuration: client.pool(client.connection(url, applicationName: "redress-reads",
                                                                usePreparedStatements: settings.preparedStatements),
                                              size: settings.poolSize), logger: logger)
        }
        do {
            try await DatabaseRoleCheck.verify(pool)
            if let scheduling { try await DatabaseRoleCheck.verify(scheduling.pool, for: .scheduler) }
            if let readPool {
                // A role that could bypass row-level security is refused as for the primary; a standby
                // that does not answer yet only sends reports to the primary until it does.
                do {
                    try await DatabaseRoleCheck.verify(readPool)
                } catch let error as PGError {
                    logger.warning("the read replica does not answer; reports go to the primary until it does",
                                   metadata: ["error": "\(error)"])
                }
            }
            let service = ServiceDatabase(
                pool: pool, store: store, migrator: migrator,
                listen: settings.listenURL.map { PGConnectionConfiguration($0, applicationName: "redress-pages") },
                replica: readPool.map { ReadReplica(pool: $0, maximumLag: .seconds(settings.readReplicaMaximumLag)) }, logger: logger)
            let app = try RedressApplication.make(configuration: server, database: service, logger: logger) { port in
                logger.info("listening", metadata: ["port": "\(port)"])
            }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: pool)]
            if let readPool { services.append(.init(service: readPool)) }
            services.append(.init(service: app))
            if settings.metricsPort > 0 {
                services.append(.init(service: MetricsApplication.make(host: server.host, port: settings.metricsPort, pool: { PoolFigures(pool) }, logger: logger)))
            }
            if let scheduling {
                services += [.init(service: scheduling.pool)] + (try settings.backgroundServices(pool: scheduling.pool, url: scheduling.url))
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
        } catch {
            await pool.shutdown()
            await readPool?.shutdown()
            await scheduling?.pool.shutdown()
            try database.cluster?.stop()
            throw error
        }
        if let cluster = database.cluster {
            logger.info("stopping the local PostgreSQL cluster")
            try cluster.stop()
        }
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> some Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
