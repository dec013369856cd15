import RedressAPI
import Hummingbird
import Logging
import NIOCore
import Postgres
import RedressCore
import RedressStore

/// Builds the Redress HTTP application: routes, middleware, and the services it depends on.
public enum RedressApplication {
    /// Creates the application. `onListening` receives the bound port once the server accepts
    /// connections (useful with port 0).
    public static func make(
        configuration: ServerConfiguration,
        pool: PGPool,
        store: StoreConfiguration = StoreConfiguration(),
        migrator: PGMigrator,
        listen: PGConnectionConfiguration? = nil,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeRouter(pool: pool, store: store, migrator: migrator, listen: listen, limits: configuration, logger: logger)
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout.inSeconds * 1000)))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "redress"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// The router with every route and middleware; its `routes` list what the API serves. Page
    /// streams LISTEN on `listen`, by default the pool's own connection settings; `limits` gives
    /// the rate limits.
    public static func makeRouter(
        pool: PGPool, store: StoreConfiguration = StoreConfiguration(), migrator: PGMigrator,
        listen: PGConnectionConfiguration? = nil, limits: ServerConfiguration = ServerConfiguration(), logger: Logger
    ) -> Router<RedressRequestContext> {
        RedressMetrics.bootstrap()
        let router = Router(context: RedressRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ProblemMiddleware())
        let probe = ReadinessProbe(pool: pool, migrator: migrator)
        HealthRoutes(readiness: ReadinessCache(check: { await probe.check() }), pool: pool, metricsToken: limits.metricsToken)
            .register(on: router)
        var pages = listen ?? pool.configuration.connection
        if listen == nil { pages.applicationName += "-pages" }
        V1Routes.register(on: router, database: ScopedDatabase(pool: pool, configuration: store),
                          pageFeed: PageFeed(listen: pages, logger: logger), limits: limits)
        return router
    }

    /// The OpenAPI 3.1 document served at `GET /v1/openapi.json` (openapi.yaml as JSON).
    public static var openAPIDocument: String { OpenAPIDocumentText.json }

    /// openapi.yaml as written, served at `GET /v1/openapi.yaml`.
    public static var openAPIDocumentYAML: String { OpenAPIDocumentText.yaml }
}
