import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressScheduler
import RedressServer
import RedressStore
import ServiceLifecycle

/// `redress scheduler`: runs the escalation scheduler and webhook delivery alone (any number at
/// once), for deployments that keep them apart from the API (`SCHEDULER=off` on the API instances),
/// as the scheduler role (`SCHEDULER_DATABASE_URL`).
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler", abstract: "Run the escalation scheduler and webhook delivery.")

    func run() async throws {
        try await reportingDatabaseErrors(schedule)
    }

    private func schedule() async throws {
        let settings = try Settings()
        try PublishedSecretsCheck.verify()
        settings.bootstrapLogging()
        let logger = Logger(label: "redress.scheduler")
        guard let url = settings.schedulerDatabaseURL else {
            throw SettingsError("set SCHEDULER_DATABASE_URL to the scheduler role's connection (redress_scheduler; "
                                + "the scheduler uses no local cluster of its own)")
        }
        let pool = settings.schedulerPool(url: url, logger: logger)
        do {
            try await DatabaseRoleCheck.verify(pool, for: .scheduler)
        } catch {
            await pool.shutdown()
            throw error
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: pool)]
        if settings.metricsPort > 0 {
            let host = ProcessInfo.processInfo.environment["HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
            services.append(.init(service: MetricsApplication.make(host: host, port: settings.metricsPort, pool: { PoolFigures(pool) }, logger: logger)))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services + (try settings.backgroundServices(pool: pool, url: url)),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
